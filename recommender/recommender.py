"""The Recommender: build from a catalog, recommend creators for brand briefs, save, load.

A facade that keeps the settings and the fitted parts and delegates to the subpackages
(README, "Layout"): the built catalog is a :class:`~recommender.search.Corpus`, brand-fit
signals a :class:`~recommender.brandfit.BrandFitSignals`, ranking is :mod:`~recommender.ranking`.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Iterable, Literal, Sequence

import numpy as np
import pandas as pd

from . import saved
from .brandfit import AuthenticityModel, BrandFitSignals
from .catalog import BrandBrief, BriefLike, Catalog, EngagementModel, TableSource, TierScheme, as_briefs, load_catalog
from .embedding import Encoder, QueryConfig, Representation, framing_direction, query_vectors
from .ranking import (
    RESULT_COLUMNS,
    LookalikeWeights,
    RankingWeights,
    RelevanceFloor,
    find_lookalikes,
    rank_candidates,
    result_frame,
    warn_weak,
)
from .search import Corpus, IndexConfig, NeighbourSearch
from .util import IndexMismatchError, NotBuiltError, check_int, one_blas_thread, parallel_map
from .util import progress as show_progress

logger = logging.getLogger(__name__)

__all__ = ["Recommender", "RUN_COLUMNS"]

RUN_COLUMNS = ["brief_id", "rank", "creator_id", "score"]


class Recommender:
    """Rank creators for brand briefs by semantic fit and fair engagement.

    The constructor only stores settings; :meth:`fit` (or :meth:`build`) learns
    from a catalog, :meth:`load` reads a saved one.

    Parameters
    ----------
    encoder : Encoder or str
        An :class:`~recommender.embedding.encoder.Encoder`, or a model name/path for one.
    tiers : TierScheme or str
        Tier scheme or preset name.
    representation : Representation
        How bios and captions combine into creator vectors.
    weights : RankingWeights
        Weights of the blended score.
    engagement : EngagementModel
        Settings of the fair engagement estimate.
    index : IndexConfig
        Index type and search settings.
    query : QueryConfig
        How briefs become query vectors (facets, framing removal).
    candidates : int
        Minimum number of nearest creators re-scored per brief (more when ``k`` is larger).
    floor : RelevanceFloor
        Calibration of the absolute ``fit`` and the threshold of ``weak_match``.

    Examples
    --------
    >>> rec = Recommender.build(creators="data/creators.csv", posts="data/posts.csv")  # doctest: +SKIP
    >>> rec.recommend(BrandBrief(name="GreenSprout", description="plant-based snacks"), k=5)  # doctest: +SKIP
    """

    def __init__(self, *, encoder: Encoder | str = "default", tiers: TierScheme | str = "default",
                 representation: Representation = Representation(), weights: RankingWeights = RankingWeights(),
                 engagement: EngagementModel = EngagementModel(), index: IndexConfig = IndexConfig(),
                 query: QueryConfig = QueryConfig(), candidates: int = 200,
                 floor: RelevanceFloor = RelevanceFloor()) -> None:
        self.encoder, self.tiers, self.representation, self.weights = encoder, tiers, representation, weights
        self.engagement, self.index, self.query = engagement, index, query
        self.candidates, self.floor = candidates, floor

    # ------------------------------------------------------------------ build
    @classmethod
    def build(cls, creators: TableSource, posts: TableSource | None = None, *,
              mode: Literal["strict", "lenient"] = "strict", **settings: Any) -> "Recommender":
        """Load a catalog and fit a recommender on it in one call.

        ``settings`` are the constructor's keyword arguments.
        """
        recommender = cls(**settings)
        catalog = load_catalog(creators, posts, mode=mode, tiers=recommender.tier_scheme)
        return recommender.fit(catalog)

    @property
    def tier_scheme(self) -> TierScheme:
        """The tier scheme in use."""
        return TierScheme.preset(self.tiers) if isinstance(self.tiers, str) else self.tiers

    def fit(self, catalog: Catalog, *, bio_vectors: np.ndarray | None = None,
            post_vectors: np.ndarray | None = None) -> "Recommender":
        """Embed the catalog (unless vectors are given) and build the index.

        Parameters
        ----------
        catalog : Catalog
        bio_vectors, post_vectors : ndarray, optional
            Precomputed unit vectors aligned with ``catalog.creators`` and
            ``catalog.posts``, e.g. computed on a GPU elsewhere. Skips encoding.
        """
        encoder = self.encoder if isinstance(self.encoder, Encoder) else Encoder(self.encoder)
        corpus = Corpus.build(catalog, encoder=encoder, scheme=self.tier_scheme, representation=self.representation,
                              index=self.index, engagement=self.engagement, bio_vectors=bio_vectors,
                              post_vectors=post_vectors)
        self._attach(corpus, encoder, rejected=catalog.rejected)
        return self

    def _attach(self, corpus: Corpus, encoder: Encoder, *, rejected: pd.DataFrame | None,
                authenticity: pd.DataFrame | None = None) -> None:
        self._corpus, self._encoder, self._rejected = corpus, encoder, rejected
        self._signals = BrandFitSignals(corpus, encoder, authenticity=authenticity)
        self._framing: np.ndarray | None = None

    # ------------------------------------------------------------- accessors
    @property
    def corpus(self) -> Corpus:
        """The built catalog: tables, vectors and indexes in index order (:class:`~recommender.search.Corpus`)."""
        self._require_fitted()
        return self._corpus

    @property
    def text_encoder(self) -> Encoder:
        """The encoder that embeds briefs (the one the catalog was embedded with)."""
        self._require_fitted()
        return self._encoder

    @property
    def creators(self) -> pd.DataFrame:
        """The live creators (catalog columns plus ``tier``), in index order."""
        corpus = self.corpus
        return corpus.creators[corpus.alive].reset_index(drop=True)

    @property
    def rejected(self) -> pd.DataFrame | None:
        """Rows the catalog loader rejected in lenient mode (``None`` after :meth:`load`)."""
        self._require_fitted()
        return self._rejected

    def creator_vectors(self, creator_ids: Iterable[str] | None = None) -> np.ndarray:
        """Unit creator vectors, one row per id given, or per row of :attr:`creators` when none are given."""
        corpus = self.corpus
        if creator_ids is None:
            return corpus.creator_vectors[corpus.alive]
        return corpus.creator_vectors[corpus.live_positions(creator_ids, "Recommender.creator_vectors")]

    def encode_briefs(self, briefs: Iterable[BriefLike]) -> np.ndarray:
        """Query vectors of briefs, one row per brief, as :meth:`recommend_batch` searches with them."""
        self._require_fitted()
        return self._encode_queries(as_briefs(briefs))

    # -------------------------------------------------------------- recommend
    def recommend(self, brief: BriefLike, *, k: int = 10) -> pd.DataFrame:
        """Top-``k`` creators for one brief, best first; see :meth:`recommend_batch` for columns."""
        return self.recommend_batch([brief], k=k)

    def recommend_batch(self, briefs: Iterable[BriefLike], *, k: int = 100, progress: bool | None = None,
                        explain: bool = True, search: NeighbourSearch | None = None) -> pd.DataFrame:
        """Top-``k`` creators for each brief.

        Parameters
        ----------
        briefs : iterable of BrandBrief, mapping or str
            A str is a free-text description.
        k : int
            Results per brief. Every brief gets ``min(k, creators passing its filters)`` rows.
        progress : bool, optional
            Show a progress bar over briefs (default: when there are many and the session is interactive).
        explain : bool
            Build ``reasons`` and ``matched_posts`` (most of the ranking time for
            small catalogs); ``False`` leaves them empty, e.g. in evaluation sweeps.
        search : NeighbourSearch, optional
            Where the nearest creators come from (default: this recommender's index), e.g.
            shards on a cluster; it must return what the index returns.

        Returns
        -------
        DataFrame
            One row per (brief, creator): ``brief_id``, ``brief_name``, ``rank``,
            ``creator_id``, ``handle``, ``platform``, ``tier``, ``followers``,
            ``score`` (blended), ``fit`` (calibrated probability of relevance, the same
            scale for every brief), ``weak_match`` (``fit`` below the floor),
            ``semantic`` (semantic score), ``similarity`` (creator-vector
            cosine), ``post_evidence`` (mean cosine of best posts), ``engagement_score``
            (within-tier percentile), ``engagement_rate`` (fair rate), ``values_fit`` (mean
            best-post cosine to the brief's values; NaN without values), ``risk_flags`` and
            ``competitor_conflict`` (what flagged a creator the brief keeps; ``""`` for nothing),
            ``sponsored_share``, ``authenticity_flags`` (see :meth:`authenticity`), ``reasons``
            and ``matched_posts`` (post ids, best first). A brief's brand-fit exclusions
            (:mod:`~recommender.brandfit.screen`) leave creators out before the top ``k`` is taken.
        """
        self._require_fitted()
        k = check_int(k, "k", "Recommender.recommend_batch")
        briefs = as_briefs(briefs)
        if not briefs:
            return pd.DataFrame(columns=RESULT_COLUMNS)
        corpus = self._corpus
        search = corpus.index if search is None else search
        queries = self._encode_queries(briefs)
        masks = [corpus.mask(b) for b in briefs]
        # Brand-fit screens can exclude candidates after retrieval: such briefs fetch twice as many.
        fetch = max(self.candidates, 3 * k) * (2 if any(b.brand_fit for b in briefs) else 1)
        # One brief with the torch encoder runs on one BLAS thread: idle BLAS threads slow torch's next forward
        # pass. OpenVINO is not slowed, and batches gain from every thread (docs/performance.md).
        with one_blas_thread() if len(briefs) == 1 and self._encoder.backend == "torch" else nullcontext():
            # Briefs without filters share one search call: a matrix product, not a loop.
            dense: dict[int, tuple[np.ndarray, np.ndarray]] = {}
            unfiltered = [i for i, m in enumerate(masks) if m is None]
            if unfiltered:
                sims, positions = search.search(queries[unfiltered], fetch)
                dense = {i: (sims[j], positions[j]) for j, i in enumerate(unfiltered)}

            def rank(i: int) -> dict[str, np.ndarray]:
                if i not in dense:
                    sims, positions = search.search(queries[i][None, :], fetch, allowed=masks[i])
                    dense[i] = (sims[0], positions[0])
                return rank_candidates(corpus, self._signals, self.weights, briefs[i], queries[i], masks[i],
                                       dense.pop(i), k)

            ranked = list(show_progress(parallel_map(rank, range(len(briefs))), enabled=progress, unit="briefs",
                                        total=len(briefs)))
            results = result_frame(corpus, self._signals, self.floor, briefs, queries, ranked, explain=explain)
        warn_weak(briefs, results, self.floor)
        return results

    def rank(self, briefs: Iterable[BriefLike], k: int) -> pd.DataFrame:
        """Top-``k`` creators per brief in the evaluation run columns (``brief_id``, ``rank``, ``creator_id``,
        ``score``): the interface of the baseline rankers (:class:`~recommender.evaluation.Ranker`), so that
        evaluation runs the Recommender side by side with them."""
        k = check_int(k, "k", "Recommender.rank")
        results = self.recommend_batch(briefs, k=k, progress=False, explain=False)
        return results[RUN_COLUMNS].reset_index(drop=True)

    def _encode_queries(self, briefs: Sequence[BrandBrief]) -> np.ndarray:
        if self.query.remove_framing and self._framing is None:
            self._framing = framing_direction(self._encoder)
        vectors = query_vectors(briefs, self._encoder, self.query, framing=self._framing)
        dimension = self._corpus.creator_vectors.shape[1]
        if vectors.shape[1] != dimension:
            raise IndexMismatchError(
                f"The encoder {self._encoder.model!r} gives vectors of dimension {vectors.shape[1]}, "
                f"but the index holds dimension {dimension}; use the model it was built with."
            )
        return vectors

    # -------------------------------------------------------------- brand fit
    def authenticity(self, model: AuthenticityModel = AuthenticityModel()) -> pd.DataFrame:
        """Authenticity signals of every creator (:func:`~recommender.brandfit.authenticity_signals`),
        one row per catalog row (empty for removed creators); computed on first use and kept for the
        default model."""
        self._require_fitted()
        return self._signals.authenticity(model)

    def brand_flags(self, brief: BriefLike, creator_ids: Iterable[str]) -> pd.DataFrame:
        """Every brand-fit flag the brief raises for these creators, with the posts that triggered it.

        Returns
        -------
        DataFrame
            One row per flag: ``creator_id``, ``kind`` (``risk``, ``competitor`` or
            ``authenticity``), ``flag`` (category, competitor or count), ``excluded``
            (whether the brief leaves the creator out for it), ``post_ids`` and
            ``evidence`` (the quoted posts).
        """
        self._require_fitted()
        (brief,) = as_briefs([brief])
        return self._signals.flags(brief, creator_ids)

    def similar(self, creator_ids: Iterable[str], *, exclude: Iterable[str] = (), negative: Iterable[str] = (),
                brief: BrandBrief | str | None = None, k: int = 10,
                weights: "LookalikeWeights | None" = None) -> pd.DataFrame:
        """Creators like the given ones (a brand's liked creators), best first.

        The query is the Rocchio blend of :mod:`~recommender.ranking.lookalike`, half from the
        seeds' mean and half from each candidate's nearest seed; candidates are scored as
        :meth:`recommend` scores them against it.

        Parameters
        ----------
        creator_ids : iterable of str
            The liked creators (seeds); never returned.
        exclude : iterable of str
            Creators not to return (e.g. already booked); ids not in the catalog are ignored.
        negative : iterable of str
            Creators the brand turned down: never returned, and the query is pushed away from them.
        brief : BrandBrief or str, optional
            The brief keeps most of the query's weight; its hard filters and brand-fit
            exclusions (``avoid_topics``, ``competitors``, ``max_authenticity_flags``) apply.
        k : int
            Results: ``min(k, creators allowed)`` rows.
        weights : LookalikeWeights, optional
            Query weights and how seeds combine (default :class:`~recommender.ranking.lookalike.LookalikeWeights`).

        Returns
        -------
        DataFrame
            ``rank``, ``creator_id``, ``handle``, ``platform``, ``tier``, ``followers``, ``score``,
            ``semantic``, ``similarity`` (cosine to the query), ``post_evidence``,
            ``engagement_score``, ``engagement_rate``, ``nearest_seed`` (creator_id),
            ``seed_similarity`` (cosine to it), ``reasons`` and ``matched_posts``.

        Raises
        ------
        ValueError
            If a seed or negative id is not a live creator.

        Examples
        --------
        >>> rec.similar(["c0001", "c0042"], negative=["c0107"], k=5)  # doctest: +SKIP
        """
        self._require_fitted()
        k = check_int(k, "k", "Recommender.similar")
        brief = None if brief is None else as_briefs([brief])[0]
        return find_lookalikes(
            self._corpus, self._signals, self.weights, creator_ids, exclude=exclude, negative=negative, brief=brief,
            brief_query=None if brief is None else self._encode_queries([brief])[0],
            lookalike=weights or LookalikeWeights(), k=k, fetch=max(self.candidates, 3 * k))

    # ------------------------------------------------------- incremental edits
    def add_creators(self, creators: TableSource, posts: TableSource | None = None) -> "Recommender":
        """Add new creators (and their posts); only their text is embedded."""
        self._require_fitted()
        self._corpus.add(load_catalog(creators, posts, tiers=self.tier_scheme), encoder=self._encoder,
                         representation=self.representation)
        return self._edited()

    def remove_creators(self, creator_ids: Iterable[str]) -> "Recommender":
        """Remove creators: they are never recommended again (rows are kept until a rebuild)."""
        self._require_fitted()
        self._corpus.remove(creator_ids)
        return self._edited()

    def update_creators(self, creators: TableSource, posts: TableSource | None = None) -> "Recommender":
        """Replace existing creators (and all their posts) by new versions."""
        self._require_fitted()
        self._corpus.replace(load_catalog(creators, posts, tiers=self.tier_scheme), encoder=self._encoder,
                             representation=self.representation)
        return self._edited()

    def _edited(self) -> "Recommender":
        """Brand-fit signals are kept per row: after an edit they are computed afresh."""
        self._signals = BrandFitSignals(self._corpus, self._encoder)
        return self

    # ------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Save to a directory (atomically: a failed save leaves the old one intact)."""
        self._require_fitted()
        settings = {"index": self.index, "representation": self.representation, "weights": self.weights,
                    "engagement": self.engagement, "query": self.query, "tiers": self.tier_scheme,
                    "candidates": self.candidates, "floor": self.floor}
        return saved.save(Path(path), self._corpus, self._encoder, self._signals.authenticity(), settings)

    @classmethod
    def load(cls, path: str | Path, *, encoder: Encoder | str | None = None, mmap: bool = False,
             verify: bool = False) -> "Recommender":
        """Load a recommender saved by :meth:`save`.

        Parameters
        ----------
        mmap : bool
            Memory-map the vectors and the FAISS index: loading is instant, pages are read on demand.
        encoder : Encoder or str, optional
            Use this encoder (e.g. with a cache folder) instead of one made from
            the manifest; it must be the same model.
        verify : bool
            Hash every file in full (default: folders up to 2 GiB, not mapped; sizes and shapes always).

        Raises
        ------
        IndexMismatchError
            If ``encoder`` is another model, or the files disagree with the manifest.
        """
        encoder, settings, corpus, authenticity = saved.load(Path(path), encoder=encoder, mmap=mmap, verify=verify)
        rec = cls(encoder=encoder, **settings)
        rec._attach(corpus, encoder, rejected=None, authenticity=authenticity)
        return rec

    def _require_fitted(self) -> None:
        if not hasattr(self, "_corpus"):
            raise NotBuiltError("This Recommender is not built yet; call Recommender.build(...), .fit(catalog) "
                                "or Recommender.load(path) first.")

    def __repr__(self) -> str:
        if not hasattr(self, "_corpus"):
            return "Recommender(not built)"
        return (f"Recommender({len(self._corpus)} creators, {len(self._corpus.posts)} posts, "
                f"model={self._encoder.model!r}, index={self._corpus.index.kind_})")
