"""Reference rankers that share one small interface with the :class:`~recommender.recommender.Recommender`.

A gain in ranking quality means little without something to beat. Each ranker
here has ``fit(catalog) -> self`` and ``rank(briefs, k) -> DataFrame`` with the
columns ``brief_id``, ``rank`` (1-based), ``creator_id`` and ``score``, so one
harness (:func:`recommender.evaluation.runs.evaluate_rankers`) runs them side by side:

* :class:`RandomRanker`, the floor;
* :class:`FollowerRanker`, what most creator-search tools sort by;
* :class:`EngagementRanker`, fair engagement alone, blind to the brief;
* :class:`TfidfRanker` and :class:`BM25Ranker`, lexical matching of the brief
  against each creator's bio and captions;
* :class:`MeanCaptionCosineRanker`, the plain mean-of-captions cosine that the
  Recommender's creator vectors refine;
* and the :class:`~recommender.recommender.Recommender` itself, whose ``fit`` and ``rank`` are this interface.

Baselines ignore the hard filters of a brief (tiers, followers, keywords, ...):
they rank every creator of the catalog. Evaluation briefs carry no filters, so
the comparison is fair; the Recommender applies them as usual.
"""

from __future__ import annotations

import logging
import zlib
from typing import Iterable, Protocol, Sequence, runtime_checkable

import numpy as np
import pandas as pd

from ..catalog import BrandBrief, Catalog, EngagementModel, as_briefs, score_engagement
from ..embedding import Encoder
from ..util import NotBuiltError, check_int, normalise

logger = logging.getLogger(__name__)

__all__ = [
    "Ranker", "RandomRanker", "EngagementRanker", "FollowerRanker", "TfidfRanker", "BM25Ranker",
    "MeanCaptionCosineRanker", "RUN_COLUMNS",
]

RUN_COLUMNS = ["brief_id", "rank", "creator_id", "score"]
_CHUNK = 64  # briefs scored at once: bounds the (briefs, creators) score matrix


@runtime_checkable
class Ranker(Protocol):
    """What the evaluation harness needs from a ranker."""

    def fit(self, catalog: Catalog) -> "Ranker":
        """Learn whatever the ranker needs from the catalog; return ``self``."""

    def rank(self, briefs: Sequence[BrandBrief], k: int) -> pd.DataFrame:
        """Top-``k`` creators per brief: ``brief_id``, ``rank``, ``creator_id``, ``score``."""


class _ScoreRanker:
    """Rank by a score over every creator; subclasses implement ``_fit`` and ``_scores``.

    Ties are broken by ``creator_id`` (ascending), as :mod:`recommender.evaluation.metrics` does,
    so a run and its evaluation agree on the order.
    """

    def fit(self, catalog: Catalog) -> "_ScoreRanker":
        """Read the catalog's creators (and posts, when it has any)."""
        if not isinstance(catalog, Catalog):
            raise TypeError(f"The 'catalog' parameter of {type(self).__name__}.fit must be a Catalog. "
                            f"Got {type(catalog).__name__} instead.")
        creators = catalog.creators.reset_index(drop=True)
        self.creator_ids_ = creators["creator_id"].astype(str).to_numpy()
        self.tie_order_ = np.argsort(np.argsort(self.creator_ids_, kind="stable"), kind="stable")
        self._fit(catalog, creators)
        return self

    def _fit(self, catalog: Catalog, creators: pd.DataFrame) -> None:
        """Learn from the catalog; ``creators`` has a fresh RangeIndex."""

    def _scores(self, briefs: list[BrandBrief]) -> np.ndarray:
        """Scores of shape (len(briefs), creators); higher is better."""
        raise NotImplementedError

    def rank(self, briefs: Iterable[BrandBrief], k: int) -> pd.DataFrame:
        """Top-``k`` creators for each brief, best first.

        Parameters
        ----------
        briefs : iterable of BrandBrief
            Briefs without ``brief_id`` get ``'1'``, ``'2'``, ... by position. Filters are ignored.
        k : int
            Results per brief; each brief gets ``min(k, creators)`` rows.

        Returns
        -------
        DataFrame
            ``brief_id``, ``rank`` (1..), ``creator_id``, ``score`` (non-increasing within a brief).
        """
        name = type(self).__name__
        if not hasattr(self, "creator_ids_"):
            raise NotBuiltError(f"This {name} is not fitted yet; call .fit(catalog) first.")
        k = check_int(k, "k", f"{name}.rank")
        briefs = as_briefs(briefs)
        frames = []
        for start in range(0, len(briefs), _CHUNK):
            chunk = briefs[start:start + _CHUNK]
            scores = np.asarray(self._scores(chunk), dtype=float).reshape(len(chunk), len(self.creator_ids_))
            frames.extend(self._top_k(brief.brief_id, row, k) for brief, row in zip(chunk, scores))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RUN_COLUMNS)

    def _top_k(self, brief_id: str, scores: np.ndarray, k: int) -> pd.DataFrame:
        scores = np.where(np.isnan(scores), -np.inf, scores)
        n = len(scores)
        k = min(k, n)
        if k < n:  # keep every creator tied with the k-th best, then order exactly
            kth = np.partition(scores, n - k)[n - k]
            candidates = np.flatnonzero(scores >= kth)
        else:
            candidates = np.arange(n)
        top = candidates[np.lexsort((self.tie_order_[candidates], -scores[candidates]))][:k]
        return pd.DataFrame({"brief_id": brief_id, "rank": np.arange(1, k + 1),
                             "creator_id": self.creator_ids_[top], "score": scores[top]}, columns=RUN_COLUMNS)

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_"))
        return f"{type(self).__name__}({settings})"


class RandomRanker(_ScoreRanker):
    """Creators in random order: the floor every system must clear.

    Parameters
    ----------
    seed : int
        The order of a brief depends only on ``seed`` and its ``brief_id``, so it
        does not change with the other briefs of the batch.
    """

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed

    def _scores(self, briefs: list[BrandBrief]) -> np.ndarray:
        n = len(self.creator_ids_)
        return np.vstack([np.random.default_rng([int(self.seed), zlib.crc32(b.brief_id.encode())]).random(n)
                          for b in briefs])


class FollowerRanker(_ScoreRanker):
    """Most followers first, whatever the brief: how the market's search tools sort."""

    def _fit(self, catalog: Catalog, creators: pd.DataFrame) -> None:
        self.followers_ = creators["followers"].to_numpy(dtype=float)

    def _scores(self, briefs: list[BrandBrief]) -> np.ndarray:
        return np.broadcast_to(self.followers_, (len(briefs), len(self.followers_)))


class EngagementRanker(_ScoreRanker):
    """Best fair engagement first, whatever the brief.

    The score is the within-(platform, tier) percentile of
    :func:`recommender.catalog.engagement.score_engagement`, so it isolates what the
    engagement half of the Recommender's blend contributes on its own.

    Parameters
    ----------
    engagement : EngagementModel
        Settings of the engagement estimate.
    """

    def __init__(self, *, engagement: EngagementModel = EngagementModel()) -> None:
        self.engagement = engagement

    def _fit(self, catalog: Catalog, creators: pd.DataFrame) -> None:
        scored = score_engagement(creators, _posts(catalog), catalog.tier_scheme, self.engagement)
        self.engagement_ = scored["engagement_score"].reindex(creators["creator_id"]).to_numpy(dtype=float)

    def _scores(self, briefs: list[BrandBrief]) -> np.ndarray:
        return np.broadcast_to(self.engagement_, (len(briefs), len(self.engagement_)))


class TfidfRanker(_ScoreRanker):
    """Cosine between TF-IDF vectors of the brief and of each creator's bio plus all captions.

    Uses scikit-learn's ``TfidfVectorizer`` with sublinear term frequency and
    English stop words. Creators without text score 0.

    Parameters
    ----------
    ngram_range : tuple of int
        Word n-grams used, ``(1, 1)`` for single words.
    min_df : int
        Terms used by fewer creators are dropped.
    """

    def __init__(self, *, ngram_range: tuple[int, int] = (1, 1), min_df: int = 1) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df

    def _fit(self, catalog: Catalog, creators: pd.DataFrame) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=tuple(self.ngram_range),
                                           min_df=self.min_df)
        try:
            self.documents_ = self.vectorizer_.fit_transform(creator_documents(creators, _posts(catalog)))
        except ValueError:  # no word survives: every creator scores 0
            logger.warning("TfidfRanker: the catalog has no indexable words; every creator scores 0.")
            self.documents_ = None

    def _scores(self, briefs: list[BrandBrief]) -> np.ndarray:
        if self.documents_ is None:
            return np.zeros((len(briefs), len(self.creator_ids_)))
        queries = self.vectorizer_.transform([b.query_text for b in briefs])
        return (queries @ self.documents_.T).toarray()  # rows are L2-normalised: a product is a cosine


class BM25Ranker(_ScoreRanker):
    """Okapi BM25 (via ``bm25s``) of the brief against each creator's bio plus all captions.

    Text is tokenised by ``bm25s`` (lower case, words of two or more characters,
    English stop words removed). Creators without text, and briefs whose words are
    all stop words, score 0.

    Parameters
    ----------
    k1, b : float
        BM25 term-frequency saturation and length normalisation.
    method : str
        BM25 variant of ``bm25s`` (``'lucene'``, ``'robertson'``, ``'atire'``, ``'bm25l'``, ``'bm25+'``).
    """

    def __init__(self, *, k1: float = 1.5, b: float = 0.75, method: str = "lucene") -> None:
        self.k1 = k1
        self.b = b
        self.method = method

    def _fit(self, catalog: Catalog, creators: pd.DataFrame) -> None:
        bm25s = _import_bm25s()
        tokens = _bm25_tokens(bm25s, creator_documents(creators, _posts(catalog)))
        self.index_ = None
        if any(tokens):  # bm25s cannot index a corpus without a single token
            self.index_ = bm25s.BM25(k1=self.k1, b=self.b, method=self.method)
            self.index_.index(tokens, show_progress=False)
        else:
            logger.warning("BM25Ranker: the catalog has no indexable words; every creator scores 0.")

    def _scores(self, briefs: list[BrandBrief]) -> np.ndarray:
        out = np.zeros((len(briefs), len(self.creator_ids_)))
        if self.index_ is None:
            return out
        for row, query in enumerate(_bm25_tokens(_import_bm25s(), [b.query_text for b in briefs])):
            if query:
                out[row] = self.index_.get_scores(query)
        return out


class MeanCaptionCosineRanker(_ScoreRanker):
    """Cosine of the brief's embedding with the plain mean of each creator's caption embeddings.

    The reference the Recommender's creator vectors improve on: no bio, no text
    preparation (``encoder.encode(texts, prepare=False)``), no weighting.
    Creators without captions score 0.

    Parameters
    ----------
    encoder : Encoder or str
        An :class:`~recommender.embedding.encoder.Encoder`, or a model name/path for one.
    """

    def __init__(self, encoder: Encoder | str = "default") -> None:
        self.encoder = encoder

    def _fit(self, catalog: Catalog, creators: pd.DataFrame) -> None:
        self.encoder_ = self.encoder if isinstance(self.encoder, Encoder) else Encoder(self.encoder)
        posts = _posts(catalog)
        owner = pd.Series(np.arange(len(creators)), index=creators["creator_id"].astype(str))
        owner = posts["creator_id"].astype(str).map(owner).to_numpy()
        keep = ~pd.isna(owner)
        captions = posts["caption"].fillna("").astype(str).to_numpy()[keep].tolist()
        vectors = self.encoder_.encode(captions, prepare=False)
        # Scale drops out of a cosine, so the sum stands for the mean (empty captions are zero vectors).
        means = np.zeros((len(creators), vectors.shape[1]), dtype=np.float64)
        np.add.at(means, owner[keep].astype(np.int64), vectors)
        self.vectors_ = normalise(means).astype(np.float32)

    def _scores(self, briefs: list[BrandBrief]) -> np.ndarray:
        queries = self.encoder_.encode([b.query_text for b in briefs], prepare=False)
        return queries @ self.vectors_.T


def creator_documents(creators: pd.DataFrame, posts: pd.DataFrame | None) -> list[str]:
    """One text per creator, in the order of ``creators``: the bio, then every caption.

    Parameters
    ----------
    creators : DataFrame
        ``creator_id`` and ``bio`` (missing bios count as empty).
    posts : DataFrame, optional
        ``creator_id`` and ``caption``; posts of unknown creators are ignored.
    """
    bios = creators["bio"].fillna("").astype(str) if "bio" in creators.columns else pd.Series("", index=creators.index)
    ids = creators["creator_id"].astype(str)
    if posts is None or posts.empty:
        return bios.str.strip().tolist()
    captions = posts["caption"].fillna("").astype(str).groupby(posts["creator_id"].astype(str)).agg(" ".join)
    joined = bios.to_numpy() + " " + captions.reindex(ids, fill_value="").to_numpy()
    return [text.strip() for text in joined]


def _posts(catalog: Catalog) -> pd.DataFrame:
    """The catalog's posts, or an empty table when it has none."""
    if catalog.posts is None:
        return pd.DataFrame({"post_id": pd.Series(dtype=object), "creator_id": pd.Series(dtype=object),
                             "caption": pd.Series(dtype=object), "likes": pd.Series(dtype="int64"),
                             "comments": pd.Series(dtype="int64"), "views": pd.Series(dtype="Int64"),
                             "posted_at": pd.Series(dtype="datetime64[ns, UTC]")})
    return catalog.posts


def _import_bm25s():  # noqa: ANN202 - the bm25s module
    try:
        import bm25s
    except ImportError as exc:
        raise ImportError("BM25Ranker needs the package 'bm25s': pip install bm25s") from exc
    return bm25s


def _bm25_tokens(bm25s, texts: list[str]) -> list[list[str]]:  # noqa: ANN001
    return bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False)
