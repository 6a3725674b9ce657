"""Scoring one brief's candidates: dense neighbours plus BM25 matches, blended, screened, the best ``k`` kept.

The output is a dict of arrays (one entry per kept creator, best first) that
:func:`~recommender.ranking.results.result_frame` turns into result rows for a
whole batch at once.
"""

from __future__ import annotations

import numpy as np

from ..brandfit import BrandFitSignals, Screen
from ..catalog import BrandBrief
from ..embedding import prepare_texts
from ..search import Corpus
from .score import RankingWeights, best_posts, blend, fuse_lexical, semantic_scores, top_post_similarity

__all__ = ["rank_candidates"]


def rank_candidates(corpus: Corpus, signals: BrandFitSignals, weights: RankingWeights, brief: BrandBrief,
                    query: np.ndarray, mask: np.ndarray | None, dense: tuple[np.ndarray, np.ndarray],
                    k: int) -> dict[str, np.ndarray]:
    """Score one brief's dense candidates (``(cosines, positions)`` from the index, plus lexical ones).

    Returns the best ``k`` as arrays, best first: ``positions``, ``score``, ``semantic``,
    ``similarity``, ``post_evidence``, ``lexical``, the brand-fit columns, and the two
    best-fitting posts of each (``best_rows``, -1 where fewer; ``best_sims``), which
    the explanations quote. Ties go to the lower catalog position.
    """
    sims, positions = dense
    lexical = np.zeros(len(positions))
    if weights.lexical > 0:
        positions, sims, lexical = _with_lexical(corpus, weights, brief, query, dense, mask)
    post_rows, local_owner = corpus.posts_of(positions)
    post_sims = corpus.post_vectors[post_rows].astype(np.float32) @ query
    evidence = top_post_similarity(post_sims, local_owner, len(positions), weights.evidence_posts)
    semantic = fuse_lexical(semantic_scores(sims, evidence, weights.evidence), lexical, weights)
    scores = blend(semantic, corpus.columns["engagement"].take("engagement_score", positions), weights)
    kept = np.arange(len(positions))
    screen = None
    if brief.brand_fit:
        screen = signals.screen(brief, positions, post_rows, local_owner)
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


def _with_lexical(corpus: Corpus, weights: RankingWeights, brief: BrandBrief, query: np.ndarray,
                  dense: tuple[np.ndarray, np.ndarray], mask: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """Dense candidates plus as many best BM25 matches: ``(positions, cosines, bm25)``, positions ascending.

    The index's cosines (exact inner products) are kept; only creators that BM25 adds
    are scored here. BM25 is scaled to [0, 1] by the best allowed match or
    ``weights.lexical_scale``, whichever is larger.
    """
    sims, positions = dense
    hits = corpus.lexical.query(prepare_texts([brief.query_text])[0])
    alive = corpus.alive
    allowed = (None if alive.all() else alive) if mask is None else (alive & mask)
    top, best = hits.top(len(positions), allowed=allowed)
    if not len(top):
        return positions, sims, np.zeros(len(positions))
    merged = np.union1d(positions, top)
    cosines = np.empty(len(merged), dtype=np.float32)
    cosines[np.searchsorted(merged, positions)] = sims
    added = np.setdiff1d(top, positions, assume_unique=True)
    cosines[np.searchsorted(merged, added)] = corpus.creator_vectors[added] @ query
    return merged, cosines, hits.scores[merged] / max(float(best[0]), weights.lexical_scale)


def _screened(screen: Screen | None, order: np.ndarray) -> dict[str, np.ndarray]:
    """The brand-fit columns of the kept candidates (empty ones when the brief has no screens)."""
    if screen is None:
        blank = np.full(len(order), "", dtype=object)
        return {"values_fit": np.full(len(order), np.nan), "risk_flags": blank, "competitor_conflict": blank,
                "screen_reasons": blank}
    return {"values_fit": screen.values_fit[order], "risk_flags": screen.risk_flags[order],
            "competitor_conflict": screen.competitor_conflict[order],
            "screen_reasons": np.array(["; ".join(screen.reasons[i]) for i in order], dtype=object)}
