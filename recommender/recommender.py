"""The Recommender: build from a catalog, recommend creators for brand briefs, save, load.

This module wires the parts together; the parts themselves live in
:mod:`~recommender.catalog.loader` (data), :mod:`~recommender.embedding.encoder` (text to
vectors), :mod:`~recommender.embedding.profiles` (creator vectors), :mod:`~recommender.search.index`
(search), :mod:`~recommender.search.filters` (hard filters), :mod:`~recommender.ranking.score`
(scores) and :mod:`~recommender.util.persistence` (files).
"""

from __future__ import annotations

import functools
import logging
import warnings
from contextlib import nullcontext
from dataclasses import asdict
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, ContextManager, Iterable, Literal, Sequence

import numpy as np
import pandas as pd

from .util import persistence as store
from .embedding import openvino_available
from .brandfit import AuthenticityModel, authenticity_signals
from .brandfit import CandidatePosts, Screen, screen_candidates
from .catalog import BrandBrief, BriefLike, as_briefs
from .catalog import Catalog, load_catalog
from .util import check_int
from .embedding import Encoder
from .catalog import EngagementModel, score_engagement
from .util import IndexMismatchError, NotBuiltError, WeakMatchWarning
from .search import CreatorFilters, keyword_mask
from .search import IndexConfig, VectorIndex
from .search import LexicalIndex
from .embedding import Representation, creator_vectors
from .embedding import QueryConfig, framing_direction, query_vectors
from .ranking import (
    RankingWeights,
    RelevanceFloor,
    best_posts,
    blend,
    engagement_reason,
    fuse_lexical,
    semantic_scores,
    top_post_similarity,
)
from .catalog import Columns, TableSource, contiguous, live_positions
from .embedding import prepare_texts, snippet
from .util import parallel_map
from .catalog import Tier, TierScheme

logger = logging.getLogger(__name__)

__all__ = ["Recommender"]

RESULT_COLUMNS = [
    "brief_id", "brief_name", "rank", "creator_id", "handle", "platform", "tier", "followers", "score",
    "fit", "weak_match", "semantic", "similarity", "post_evidence", "lexical", "engagement_score", "engagement_rate",
    "values_fit", "risk_flags", "competitor_conflict", "sponsored_share", "authenticity_flags", "reasons", "matched_posts",
]


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

    def __init__(
        self,
        *,
        encoder: Encoder | str = "default",
        tiers: TierScheme | str = "default",
        representation: Representation = Representation(),
        weights: RankingWeights = RankingWeights(),
        engagement: EngagementModel = EngagementModel(),
        index: IndexConfig = IndexConfig(),
        query: QueryConfig = QueryConfig(),
        candidates: int = 200,
        floor: RelevanceFloor = RelevanceFloor(),
    ) -> None:
        self.encoder = encoder
        self.tiers = tiers
        self.representation = representation
        self.weights = weights
        self.engagement = engagement
        self.index = index
        self.query = query
        self.candidates = candidates
        self.floor = floor

    # ------------------------------------------------------------------ build
    @classmethod
    def build(
        cls,
        creators: TableSource,
        posts: TableSource | None = None,
        *,
        mode: Literal["strict", "lenient"] = "strict",
        **settings: Any,
    ) -> "Recommender":
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

    def fit(
        self,
        catalog: Catalog,
        *,
        bio_vectors: np.ndarray | None = None,
        post_vectors: np.ndarray | None = None,
    ) -> "Recommender":
        """Embed the catalog (unless vectors are given) and build the index.

        Parameters
        ----------
        catalog : Catalog
        bio_vectors, post_vectors : ndarray, optional
            Precomputed unit vectors aligned with ``catalog.creators`` and
            ``catalog.posts``, e.g. computed on a GPU elsewhere. Skips encoding.
        """
        self.encoder_ = self.encoder if isinstance(self.encoder, Encoder) else Encoder(self.encoder)
        self._framing = None
        catalog = catalog.with_tiers(self.tier_scheme)
        self.creators_ = catalog.creators.reset_index(drop=True)
        self.rejected_ = catalog.rejected
        position = pd.Series(np.arange(len(self.creators_)), index=self.creators_["creator_id"])
        owner = position.loc[catalog.posts["creator_id"]].to_numpy()
        order = np.argsort(owner, kind="stable")
        self.posts_ = catalog.posts.iloc[order].reset_index(drop=True)
        self.post_owner_ = owner[order]
        if bio_vectors is None:
            bio_vectors = self.encoder_.encode(self.creators_["bio"].tolist())
        if post_vectors is None:
            post_vectors = self.encoder_.encode(self.posts_["caption"].tolist())
        else:
            post_vectors = np.asarray(post_vectors)[order]
        # Text vectors are kept in float16: half the memory, and cosines change by ~1e-3,
        # far below what separates creators. Creator vectors (the index) stay float32.
        self.bio_vectors_ = self._checked(bio_vectors, len(self.creators_), "bio_vectors")
        self.post_vectors_ = self._checked(post_vectors, len(self.posts_), "post_vectors")
        self._refresh()
        self.index_ = VectorIndex(config=self.index).build(self.creator_vectors_)
        return self

    def _checked(self, vectors: np.ndarray, rows: int, name: str) -> np.ndarray:
        vectors = np.ascontiguousarray(vectors, dtype=np.float16)
        if vectors.ndim != 2 or vectors.shape[0] != rows:
            raise ValueError(f"The '{name}' parameter of Recommender.fit must have shape ({rows}, dim). "
                             f"Got {vectors.shape} instead.")
        return vectors

    def _refresh(self) -> None:
        """Recompute what derives from the tables and vectors: creator vectors, BM25, then :meth:`_derive`."""
        self.creator_vectors_ = creator_vectors(
            self.bio_vectors_, self.post_vectors_, self.post_owner_, self.representation
        )
        self._derive()
        self.lexical_ = LexicalIndex().build(prepare_texts(self._texts()))

    def _derive(self) -> None:
        """Recompute what is not saved: engagement of live creators, post offsets, caches.

        Also brings the tables into one memory chunk per column (see :func:`~recommender.catalog.tables.contiguous`).
        """
        self.creators_, self.posts_ = contiguous(self.creators_), contiguous(self.posts_)
        alive = np.ones(len(self.creators_), dtype=bool)
        if hasattr(self, "index_"):
            alive[: len(self.index_.alive_)] = self.index_.alive_
        self.engagement_ = score_engagement(
            self.creators_[alive], self.posts_[alive[self.post_owner_]], self.tier_scheme, self.engagement
        ).reindex(self.creators_["creator_id"]).reset_index(drop=True)
        self.post_offsets_ = np.searchsorted(self.post_owner_, np.arange(len(self.creators_) + 1))
        self._columns = {"creators": Columns(self.creators_), "engagement": Columns(self.engagement_),
                         "posts": Columns(self.posts_)}
        self._all_text = None
        # Sponsorship of each post, detected on first use (a regex pass, ~40 us a caption) and kept.
        self._post_sponsored = np.zeros(len(self.posts_), dtype=bool)
        self._post_signal = np.full(len(self.posts_), None, dtype=object)
        self._sponsored_shares = np.full(len(self.creators_), np.nan)  # per creator, from the posts' flags
        self._authenticity: pd.DataFrame | None = None
        self._phrases: dict[str, np.ndarray] = {}
        self._newest_post = self.posts_["posted_at"].max() if len(self.posts_) else pd.NaT
        # Prepared now, so that the first filtered brief is not the slowest (p99 in docs/performance.md).
        filters = CreatorFilters(self.creators_, scheme=self.tier_scheme, texts=self._texts,
                                 fair_rate=self.engagement_["engagement_rate_shrunk"].to_numpy())
        self._filters = filters.prepare(("tier", "platform", "country", "language"))

    # -------------------------------------------------------------- recommend
    def recommend(self, brief: BriefLike, *, k: int = 10) -> pd.DataFrame:
        """Top-``k`` creators for one brief, best first; see :meth:`recommend_batch` for columns."""
        return self.recommend_batch([brief], k=k)

    def recommend_batch(self, briefs: Iterable[BriefLike], *, k: int = 100, progress: bool | None = None,
                        explain: bool = True) -> pd.DataFrame:
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
        queries = self._encode_queries(briefs)
        masks = [self._mask(b) for b in briefs]
        # Brand-fit screens can exclude candidates after retrieval: such briefs fetch twice as many.
        fetch = max(self.candidates, 3 * k) * (2 if any(b.brand_fit for b in briefs) else 1)
        with self._thread_limits(len(briefs)):
            # Briefs without filters share one search call: a matrix product, not a loop.
            dense: dict[int, tuple[np.ndarray, np.ndarray]] = {}
            unfiltered = [i for i, m in enumerate(masks) if m is None]
            if unfiltered:
                sims, positions = self.index_.search(queries[unfiltered], fetch)
                dense = {i: (sims[j], positions[j]) for j, i in enumerate(unfiltered)}

            def rank(i: int) -> dict[str, np.ndarray]:
                if i not in dense:
                    sims, positions = self.index_.search(queries[i][None, :], fetch, allowed=masks[i])
                    dense[i] = (sims[0], positions[0])
                return self._rank(briefs[i], queries[i], masks[i], dense.pop(i), k)

            ranked = list(_progress(parallel_map(rank, range(len(briefs))), progress, "briefs", total=len(briefs)))
            results = self._frame(briefs, queries, ranked, explain)
        self._warn_weak(briefs, results)
        return results

    def _warn_weak(self, briefs: Sequence[BrandBrief], results: pd.DataFrame) -> None:
        """Warn about briefs whose results are all weak matches: the catalog has nobody who fits them."""
        ids = results["brief_id"].to_numpy()
        cleared, present = set(ids[~results["weak_match"].to_numpy()]), set(ids)
        weak = [b for b in briefs if b.brief_id in present and b.brief_id not in cleared]
        if weak:
            names = ", ".join(f"{b.name!r} ({b.brief_id})" for b in weak[:5]) + (" ..." if len(weak) > 5 else "")
            warnings.warn(f"No creator clears the relevance floor (fit >= {self.floor.threshold:.2f}) for "
                          f"{len(weak)} brief(s): {names}; their results are weak matches (weak_match=True).",
                          WeakMatchWarning, stacklevel=3)

    def _thread_limits(self, briefs: int) -> ContextManager:
        """Thread limits for searching and ranking ``briefs`` briefs.

        One brief with the torch encoder runs on one BLAS thread: idle BLAS threads spin
        after each product and slow torch's next forward pass (26 against 50 ms a brief
        at 100k). OpenVINO's encoder is not slowed, and batches gain from every thread
        (docs/performance.md), so they run unlimited.
        """
        if briefs > 1 or self.encoder_.backend != "torch":
            return nullcontext()
        return _blas_pools().limit(limits=1)

    def _encode_queries(self, briefs: Sequence[BrandBrief]) -> np.ndarray:
        if self.query.remove_framing and self._framing is None:
            self._framing = framing_direction(self.encoder_)
        vectors = query_vectors(briefs, self.encoder_, self.query, framing=self._framing)
        if vectors.shape[1] != self.creator_vectors_.shape[1]:
            raise IndexMismatchError(
                f"The encoder {self.encoder_.model!r} gives vectors of dimension {vectors.shape[1]}, "
                f"but the index holds dimension {self.creator_vectors_.shape[1]}; use the model it was built with."
            )
        return vectors

    def _mask(self, brief: BrandBrief) -> np.ndarray | None:
        mask = self._filters.mask(brief)
        return None if mask is None or mask.all() else mask

    def _texts(self) -> pd.Series:
        if self._all_text is None:
            captions = self.posts_.groupby(self.post_owner_)["caption"].agg(" ".join)
            captions = captions.reindex(np.arange(len(self.creators_)), fill_value="")
            self._all_text = self.creators_["bio"].fillna("") + " " + captions.to_numpy()
        return self._all_text

    def _rank(self, brief: BrandBrief, query: np.ndarray, mask: np.ndarray | None,
              dense: tuple[np.ndarray, np.ndarray], k: int) -> dict[str, np.ndarray]:
        """Score one brief's dense candidates (plus lexical ones); the best ``k`` as arrays, best first.

        Also returns the two best-fitting posts of each kept creator (``best_rows``, -1 where
        fewer), which the explanations quote.
        """
        sims, positions = dense
        lexical = np.zeros(len(positions))
        if self.weights.lexical > 0:
            positions, lexical = self._lexical_candidates(brief, positions, mask, len(positions))
            sims = self.creator_vectors_[positions] @ query
        post_rows, local_owner = self._posts_of(positions)
        post_sims = self.post_vectors_[post_rows].astype(np.float32) @ query
        evidence = top_post_similarity(post_sims, local_owner, len(positions), self.weights.evidence_posts)
        semantic = fuse_lexical(semantic_scores(sims, evidence, self.weights.evidence), lexical, self.weights)
        engagement = self._columns["engagement"].take("engagement_score", positions)
        scores = blend(semantic, engagement, self.weights)
        kept = np.arange(len(positions))
        screen = None
        if brief.brand_fit:
            screen = self._screen(brief, positions, post_rows, local_owner)
            scores, kept = scores + screen.adjustment, np.flatnonzero(screen.keep)
        order = kept[np.lexsort((positions[kept], -scores[kept]))][:k]
        best = best_posts(post_sims, local_owner, len(positions), order, per_creator=2)
        return {
            **_screened(screen, order),
            "positions": positions[order], "score": scores[order], "semantic": semantic[order],
            "similarity": sims[order], "post_evidence": evidence[order], "lexical": lexical[order],
            # Index -1 (no post) picks the appended -1 / NaN.
            "best_rows": np.append(post_rows, -1)[best], "best_sims": np.append(post_sims, np.nan)[best],
        }

    def _lexical_candidates(self, brief: BrandBrief, dense: np.ndarray, mask: np.ndarray | None,
                            fetch: int) -> tuple[np.ndarray, np.ndarray]:
        """Dense candidates plus the best BM25 matches, with BM25 scaled to [0, 1] by the best allowed
        match or ``weights.lexical_scale``, whichever is larger."""
        hits = self.lexical_.query(prepare_texts([brief.query_text])[0])
        alive = self.index_.alive_
        allowed = (None if alive.all() else alive) if mask is None else (alive & mask)
        top, best = hits.top(fetch, allowed=allowed)
        if not len(top):
            return dense, np.zeros(len(dense))
        positions = np.union1d(dense, top)
        return positions, hits.scores[positions] / max(float(best[0]), self.weights.lexical_scale)

    def _screen(self, brief: BrandBrief, positions: np.ndarray, post_rows: np.ndarray,
                local_owner: np.ndarray) -> Screen:
        """The brief's brand-fit screens (:mod:`~recommender.brandfit.screen`) on its candidates."""
        from .brandfit import category_vectors

        posts = self._candidate_posts(positions, post_rows, local_owner)
        flags = reasons = None
        if brief.max_authenticity_flags is not None:
            signals = self.authenticity()
            flags = signals["authenticity_flags"].to_numpy()[positions]
            reasons = signals["authenticity_reason"].to_numpy()[positions]
        return screen_candidates(
            brief, posts, now=self._newest_post, authenticity_flags=flags, authenticity_reasons=reasons,
            category_vectors=category_vectors(brief.avoid_topics, self.encoder_) if brief.avoid_topics else None,
            value_vectors=self._phrase_vectors(brief.values) if brief.values else None,
        )

    def _phrase_vectors(self, phrases: Sequence[str]) -> np.ndarray:
        """Unit vectors of short phrases (brand values), embedded once per recommender."""
        new = [p for p in dict.fromkeys(phrases) if p not in self._phrases]
        if new:
            self._phrases.update(zip(new, self.encoder_.encode(new)))
        return np.stack([self._phrases[p] for p in phrases])

    def _candidate_posts(self, positions: np.ndarray, post_rows: np.ndarray, local_owner: np.ndarray) -> CandidatePosts:
        at = self._columns["posts"]
        return CandidatePosts(
            n=len(positions), owner=local_owner, captions=at.take("caption", post_rows).tolist(),
            vectors=self.post_vectors_[post_rows].astype(np.float32), post_ids=at.take("post_id", post_rows),
            posted_at=at.take("posted_at", post_rows), sponsored=self._sponsorship(post_rows),
        )

    def _sponsorship(self, post_rows: np.ndarray) -> pd.DataFrame:
        """Whether each post is sponsored and by which signal (:func:`~recommender.brandfit.sponsorship.detect_sponsored`)."""
        from .brandfit import detect_sponsored

        todo = np.unique(post_rows[self._post_signal[post_rows] == None])  # noqa: E711 - elementwise on objects
        if len(todo):
            at = self._columns["posts"]
            found = detect_sponsored(at.take("caption", todo).tolist(), at.take("is_sponsored", todo))
            self._post_sponsored[todo], self._post_signal[todo] = found["sponsored"], found["signal"]
        return pd.DataFrame({"sponsored": self._post_sponsored[post_rows], "signal": self._post_signal[post_rows]})

    def authenticity(self, model: AuthenticityModel = AuthenticityModel()) -> pd.DataFrame:
        """Authenticity signals of every creator (:func:`~recommender.brandfit.authenticity.authenticity_signals`),
        one row per catalog row (empty for removed creators); computed on first use and kept for the
        default model."""
        if model == AuthenticityModel() and self._authenticity is not None:
            return self._authenticity
        alive = self.index_.alive_
        signals = authenticity_signals(self.creators_[alive], self.posts_[alive[self.post_owner_]], self.tier_scheme,
                                       model)
        # Row positions, as every other per-creator table here; removed creators' rows are empty.
        signals = signals.reset_index().set_axis(np.flatnonzero(alive)).reindex(np.arange(len(self.creators_)))
        if model == AuthenticityModel():
            self._authenticity = signals
        return signals

    def _sponsored_share(self, positions: np.ndarray) -> np.ndarray:
        """Share of each creator's posts that are sponsored (field, disclosure tags, phrases); 0 without posts.

        Kept per creator once computed: a result table looks up, and detects only creators not seen before.
        """
        from .brandfit import sponsored_share

        todo = np.unique(positions[np.isnan(self._sponsored_shares[positions])])
        if len(todo):
            post_rows, owner = self._posts_of(todo)
            shares = sponsored_share(self._sponsorship(post_rows)["sponsored"].to_numpy(), owner, len(todo))
            self._sponsored_shares[todo] = shares["sponsored_share"].fillna(0.0).to_numpy()
        return self._sponsored_shares[positions]

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
        positions = live_positions(self.creators_["creator_id"], self.index_.alive_, [str(c) for c in creator_ids],
                                   "Recommender.brand_flags")
        post_rows, local_owner = self._posts_of(positions)
        table = self._screen(brief, positions, post_rows, local_owner).flags
        ids = self.creators_["creator_id"].to_numpy()[positions]
        return table.assign(creator=ids[table["creator"].to_numpy(dtype=int)]).rename(columns={"creator": "creator_id"})

    def _posts_of(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        starts, ends = self.post_offsets_[positions], self.post_offsets_[positions + 1]
        counts = ends - starts
        local = np.repeat(np.arange(len(positions)), counts)
        rows = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(counts.sum())
        return rows.astype(np.int64), local

    def _frame(self, briefs: Sequence[BrandBrief], queries: np.ndarray, ranked: list[dict[str, np.ndarray]],
               explain: bool) -> pd.DataFrame:
        """The result table of all briefs, gathering each catalog column once for the whole batch."""
        sizes = [len(r["positions"]) for r in ranked]
        brief_of = np.repeat(np.arange(len(briefs)), sizes)
        rows = {key: np.concatenate([r[key] for r in ranked]) for key in ranked[0]}
        positions = rows["positions"]
        at = self._columns
        creators = {c: at["creators"].take(c, positions) for c in ("creator_id", "handle", "platform", "followers")}
        creators["tier"] = at["creators"].take("tier", positions).astype(str)
        engagement = {c: at["engagement"].take(c, positions).astype(float)
                      for c in ("engagement_score", "engagement_rate_shrunk")}
        fit = self.floor.fit(rows["semantic"])
        # Per creator, not per brief: computed once per creator and kept.
        shares, signals = self._sponsored_share(positions), self.authenticity()
        authenticity = {"authenticity_flags": signals["authenticity_flags"].to_numpy()[positions].astype(int),
                        "authenticity_reason": signals["authenticity_reason"].to_numpy()[positions]}
        reasons = matched = [""] * len(positions)
        if explain:
            reasons, matched = self._explain(briefs, queries, brief_of, rows, creators, engagement)
            extra = zip(rows["screen_reasons"], shares, authenticity["authenticity_reason"])
            reasons = ["; ".join([r, *(p for p in (screened, _share_reason(share), auth) if p)])
                       for r, (screened, share, auth) in zip(reasons, extra)]
            reasons = [f"weak match (fit {f:.2f}, below the floor {self.floor.threshold:.2f}); {r}" if f < self.floor.threshold else r
                       for f, r in zip(fit, reasons)]
        starts = np.repeat(np.cumsum([0] + sizes[:-1]), sizes)
        return pd.DataFrame({
            "brief_id": np.array([b.brief_id for b in briefs], dtype=object)[brief_of],
            "brief_name": np.array([b.name for b in briefs], dtype=object)[brief_of],
            "rank": np.arange(len(positions)) - starts + 1,
            **{c: creators[c] for c in ("creator_id", "handle", "platform", "tier", "followers")},
            "score": rows["score"].astype(float),
            "fit": fit,
            "weak_match": fit < self.floor.threshold,
            **{c: rows[c].astype(float) for c in ("semantic", "similarity", "post_evidence", "lexical")},
            "engagement_score": engagement["engagement_score"],
            "engagement_rate": engagement["engagement_rate_shrunk"],
            "values_fit": rows["values_fit"].astype(float),
            "risk_flags": rows["risk_flags"],
            "competitor_conflict": rows["competitor_conflict"],
            "sponsored_share": shares,
            "authenticity_flags": authenticity["authenticity_flags"],
            "reasons": reasons,
            "matched_posts": matched,
        }, columns=RESULT_COLUMNS)

    def _explain(self, briefs: Sequence[BrandBrief], queries: np.ndarray, brief_of: np.ndarray,
                 rows: dict[str, np.ndarray], creators: dict[str, np.ndarray],
                 engagement: dict[str, np.ndarray]) -> tuple[list[str], list[str]]:
        """Reasons and matched post ids of every result row; gathers the columns only reasons need."""
        positions, best = rows["positions"], rows["best_rows"]
        at = self._columns
        bios = at["creators"].take("bio", positions)
        rates = {c: at["engagement"].take(c, positions).astype(float) for c in ("engagement_rate", "tier_median_rate")}
        quoted = best[best >= 0]
        captions = iter(at["posts"].take("caption", quoted).tolist())
        post_ids = iter(at["posts"].take("post_id", quoted).astype(str).tolist())
        bio_sims = np.einsum("nd,nd->n", self.bio_vectors_[positions].astype(np.float32), queries[brief_of])
        mentions: list[list[str]] = [[] for _ in range(len(positions))]
        for b, brief in enumerate(briefs):
            if not brief.keywords:
                continue  # the joined texts are built (once, for the whole catalog) only when needed
            mine = np.flatnonzero(brief_of == b)
            texts = self._texts().take(positions[mine])
            for keyword in brief.keywords:
                for row in mine[keyword_mask(texts, (keyword,))]:
                    mentions[row].append(keyword)
        reasons, matched = [], []
        for row in range(len(positions)):
            picks = np.flatnonzero(best[row] >= 0)
            sims = rows["best_sims"][row, picks]
            parts = [f'post "{snippet(next(captions))}" (similarity {sim:.2f})' for sim in sims]
            matched.append(";".join(next(post_ids) for _ in picks))
            bio = bios[row]
            if not pd.isna(bio) and str(bio).strip() and (not parts or bio_sims[row] >= sims[0] - 0.05):
                parts.insert(0, f'bio "{snippet(bio)}" (similarity {bio_sims[row]:.2f})')
            if mentions[row]:
                parts.append("mentions " + ", ".join(mentions[row]))
            tier = creators["tier"][row]
            parts.append(f"{tier} tier, {int(creators['followers'][row]):,} followers")
            parts.append(engagement_reason(rates["engagement_rate"][row], rates["tier_median_rate"][row],
                                           engagement["engagement_score"][row], tier))
            reasons.append("; ".join(parts))
        return reasons, matched

    # ------------------------------------------------------------- lookalikes
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
        from .ranking import (
            LookalikeWeights,
            allowed_rows,
            lookalike_frame,
            rank_lookalikes,
            seed_positions,
            seed_queries,
        )

        self._require_fitted()
        k = check_int(k, "k", "Recommender.similar")
        ids = self.creators_["creator_id"]
        seeds, negatives = seed_positions(ids, self.index_.alive_, creator_ids, negative)
        brief = None if brief is None else as_briefs([brief])[0]
        query = None if brief is None else self._encode_queries([brief])[0]
        weights = weights or LookalikeWeights()
        queries = seed_queries(self.creator_vectors_, seeds, negatives, brief=query, weights=weights)
        allowed = allowed_rows(ids, None if brief is None else self._mask(brief), exclude,
                               np.concatenate([seeds, negatives]))
        candidates = np.unique(self.index_.search(queries, max(self.candidates, 3 * k), allowed=allowed)[1])
        if brief is not None and brief.brand_fit:  # the brief's brand-fit exclusions hold for lookalikes too
            candidates = candidates[self._screen(brief, candidates, *self._posts_of(candidates)).keep]
        rows, owner = self._posts_of(candidates)
        engagement = self._columns["engagement"].take("engagement_score", candidates).astype(float)
        ranked = rank_lookalikes(self.creator_vectors_[candidates], self.creator_vectors_[seeds], queries,
                                 self.post_vectors_[rows], owner, engagement, self.weights, k,
                                 nearest_seed=weights.nearest_seed)
        return lookalike_frame(self._columns, candidates[ranked["order"]], seeds, rows, ranked)

    # ------------------------------------------------------- incremental edits
    def add_creators(self, creators: TableSource, posts: TableSource | None = None) -> "Recommender":
        """Add new creators (and their posts); only their text is embedded."""
        self._require_fitted()
        return self._add(load_catalog(creators, posts, tiers=self.tier_scheme))

    def _add(self, new: Catalog) -> "Recommender":
        clash = sorted(set(new.creators["creator_id"]) & set(self.creators_["creator_id"]))
        if clash:
            raise ValueError(f"add_creators: creator_id(s) {clash[:10]} already exist; use update_creators to replace them.")
        base = len(self.creators_)
        bio = self.encoder_.encode(new.creators["bio"].tolist())
        captions = self.encoder_.encode(new.posts["caption"].tolist())
        owner = base + pd.Series(np.arange(len(new.creators)), index=new.creators["creator_id"]).loc[new.posts["creator_id"]].to_numpy()
        self.creators_ = pd.concat([self.creators_, new.creators], ignore_index=True)
        self.bio_vectors_ = np.concatenate([self.bio_vectors_, bio.astype(np.float16)])
        self.posts_ = pd.concat([self.posts_, new.posts], ignore_index=True)
        self.post_vectors_ = np.concatenate([self.post_vectors_, captions.astype(np.float16)])
        self.post_owner_ = np.concatenate([self.post_owner_, owner])
        order = np.argsort(self.post_owner_, kind="stable")
        self.posts_, self.post_vectors_, self.post_owner_ = self.posts_.iloc[order].reset_index(drop=True), self.post_vectors_[order], self.post_owner_[order]
        self._refresh()
        self.index_.add(self.creator_vectors_[base:])
        return self

    def remove_creators(self, creator_ids: Iterable[str]) -> "Recommender":
        """Remove creators: they are never recommended again (rows are kept until a rebuild)."""
        self._require_fitted()
        ids = [str(c) for c in creator_ids]
        live = self.creators_["creator_id"].isin(ids).to_numpy() & self.index_.alive_
        unknown = sorted(set(ids) - set(self.creators_["creator_id"][live]))
        if unknown:
            raise ValueError(f"remove_creators: unknown creator_id(s) {unknown[:10]}.")
        positions = np.flatnonzero(live)
        self.index_.remove(positions)
        # Rows stay (positions index the FAISS file) under a retired id, so the
        # same id can be added again; they are never returned and not scored.
        retired = self.creators_.loc[live, "creator_id"] + "#removed"
        self.creators_.loc[live, "creator_id"] = retired
        own = np.isin(self.post_owner_, positions)
        self.posts_.loc[own, "creator_id"] = self.posts_.loc[own, "creator_id"] + "#removed"
        # Vectors and BM25 are unchanged: dead rows are masked at search time. Only engagement moves.
        self._derive()
        return self

    def update_creators(self, creators: TableSource, posts: TableSource | None = None) -> "Recommender":
        """Replace existing creators (and all their posts) by new versions."""
        self._require_fitted()
        new = load_catalog(creators, posts, tiers=self.tier_scheme)
        present = set(self.creators_["creator_id"])
        self.remove_creators([c for c in new.creators["creator_id"] if c in present])
        return self._add(new)

    # ------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Save to a directory (atomically: a failed save leaves the old one intact)."""
        self._require_fitted()
        path = Path(path)
        with store.atomic_directory(path) as tmp:
            store.save_frame(tmp, "creators", self.creators_)
            store.save_frame(tmp, "posts", self.posts_)
            for name in ("bio_vectors", "post_vectors", "post_owner", "creator_vectors"):
                store.save_array(tmp, name, getattr(self, f"{name}_"))
            # Saved so that loading a large catalog does not pay for them (about 20 s at 1M creators).
            store.save_frame(tmp, "authenticity", self.authenticity())
            self.index_.save(tmp)
            self.lexical_.save(tmp)
            store.write_manifest(tmp, self._manifest())
        logger.info("Saved recommender to %s.", path)
        return path

    def _manifest(self) -> dict[str, Any]:
        versions = {}
        for package in ("recommender", "sentence-transformers", "faiss-cpu", "numpy", "pandas"):
            try:
                versions[package] = metadata.version(package)
            except metadata.PackageNotFoundError:
                versions[package] = None
        return {
            "format_version": store.FORMAT_VERSION,
            "model": self.encoder_.model,
            "precision": self.encoder_.precision,
            "backend": self.encoder_.backend,
            "split_hashtags": self.encoder_.split_hashtags,
            "dimension": int(self.creator_vectors_.shape[1]),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "versions": versions,
            "counts": {"creators": int(len(self.index_)), "rows": len(self.creators_), "posts": len(self.posts_)},
            "index_kind": self.index_.kind_,
            "index": asdict(self.index),
            "representation": asdict(self.representation),
            "weights": asdict(self.weights),
            "engagement": asdict(self.engagement),
            "query": asdict(self.query),
            "tiers": [asdict(t) for t in self.tier_scheme.tiers],
            "candidates": self.candidates,
            "floor": asdict(self.floor),
        }

    @classmethod
    def load(cls, path: str | Path, *, encoder: Encoder | str | None = None, mmap: bool = False) -> "Recommender":
        """Load a recommender saved by :meth:`save`.

        Parameters
        ----------
        mmap : bool
            Memory-map the vector arrays and the FAISS index instead of reading them:
            loading is instant and pages are read on demand (large catalogs).
        encoder : Encoder or str, optional
            Use this encoder (e.g. with a cache folder) instead of one made from
            the manifest; it must be the same model.

        Raises
        ------
        IndexMismatchError
            If ``encoder`` is another model, or the files disagree with the manifest.
        """
        path = Path(path)
        manifest = store.read_manifest(path)
        if encoder is None:
            # The backend that embedded the catalog where it can run here (vectors agree to ~1e-3 across backends).
            backend = manifest.get("backend", "auto")
            backend = backend if backend != "openvino" or openvino_available() else "auto"
            encoder = Encoder(manifest["model"], precision=manifest["precision"], split_hashtags=manifest["split_hashtags"],
                              backend=backend)
        elif not isinstance(encoder, Encoder):
            encoder = Encoder(encoder)
        if encoder.model != manifest["model"]:
            raise IndexMismatchError(
                f"{path}: built with model {manifest['model']!r} (dimension {manifest['dimension']}), "
                f"but the encoder given is {encoder.model!r}; load it with the model it was built with, or rebuild."
            )
        rec = cls(
            encoder=encoder,
            tiers=TierScheme(tuple(Tier(**t) for t in manifest["tiers"])),
            representation=Representation(**manifest["representation"]),
            weights=RankingWeights(**manifest["weights"]),
            engagement=EngagementModel(**manifest["engagement"]),
            index=IndexConfig(**manifest["index"]),
            query=QueryConfig(**manifest["query"]),
            candidates=manifest["candidates"],
            floor=RelevanceFloor(**manifest.get("floor", {})),
        )
        rec.encoder_ = encoder
        rec._framing = None
        rec.creators_ = store.load_frame(path, "creators")
        rec.posts_ = store.load_frame(path, "posts")
        rec.rejected_ = None
        for name in ("bio_vectors", "post_vectors", "post_owner", "creator_vectors"):
            setattr(rec, f"{name}_", store.load_array(path, name, mmap=mmap and name != "post_owner"))
        if rec.creator_vectors_.shape[1] != manifest["dimension"]:
            raise IndexMismatchError(f"{path}: vectors have dimension {rec.creator_vectors_.shape[1]}, "
                                     f"the manifest says {manifest['dimension']}; the folder is inconsistent, rebuild it.")
        rec.creators_["tier"] = pd.Categorical(rec.creators_["tier"], categories=list(rec.tier_scheme.names), ordered=True)
        rec.index_ = VectorIndex.load(path, rec.creator_vectors_, kind=manifest["index_kind"], config=rec.index,
                                      mmap=mmap)
        rec.lexical_ = LexicalIndex.load(path)
        rec._derive()
        if (path / "authenticity.parquet").is_file():  # absent in folders saved before it was kept
            rec._authenticity = store.load_frame(path, "authenticity")
        return rec

    def _require_fitted(self) -> None:
        if not hasattr(self, "index_"):
            raise NotBuiltError("This Recommender is not built yet; call Recommender.build(...), .fit(catalog) "
                                "or Recommender.load(path) first.")

    def __repr__(self) -> str:
        if not hasattr(self, "index_"):
            return "Recommender(not built)"
        return (f"Recommender({len(self.index_)} creators, {len(self.posts_)} posts, "
                f"model={self.encoder_.model!r}, index={self.index_.kind_})")


@functools.cache
def _blas_pools():  # noqa: ANN202 - threadpoolctl.ThreadpoolController, imported late
    """BLAS thread pools, found once: finding them takes 2-3 ms, too much for every brief.

    Pools of libraries loaded later are not included; by the first search, NumPy's,
    SciPy's and FAISS's are loaded.
    """
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


def _screened(screen: Screen | None, order: np.ndarray) -> dict[str, np.ndarray]:
    """The brand-fit columns of the kept candidates (empty ones when the brief has no screens)."""
    if screen is None:
        blank = np.full(len(order), "", dtype=object)
        return {"values_fit": np.full(len(order), np.nan), "risk_flags": blank, "competitor_conflict": blank,
                "screen_reasons": blank}
    return {"values_fit": screen.values_fit[order], "risk_flags": screen.risk_flags[order],
            "competitor_conflict": screen.competitor_conflict[order],
            "screen_reasons": np.array(["; ".join(screen.reasons[i]) for i in order], dtype=object)}


def _share_reason(share: float) -> str:
    return f"sponsored share {share:.0%}" if share > 0 else ""



def _progress(items: Iterable, enabled: bool | None, unit: str, *, total: int) -> Iterable:
    if enabled is None:
        import sys

        enabled = total >= 20 and sys.stderr.isatty()
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, unit=unit, total=total)
