"""Pure scoring: blending semantic fit with engagement, and explaining it.

No I/O and no model here: arrays in, arrays or strings out, so the order of
results can be tested on hand-made numbers.

The score of a creator for a brief is::

    fit   = (1 - evidence) * similarity + evidence * post_evidence + lexical * bm25
    score = semantic_weight * fit + engagement_weight * engagement

``similarity`` is the cosine between the brief and the creator vector,
``post_evidence`` the mean cosine of the creator's best-matching posts (so a
creator whose single posts speak to the brief directly is lifted), ``bm25`` the
keyword match scaled to [0, 1] by the brief's best match or by a strong match
(``lexical_scale``), whichever is larger, so that a weak best match does not
count as a full one, and ``engagement``
the within-tier percentile in (0, 1). Cosines of related texts sit around
0.3-0.7, so the default engagement weight of 0.05 moves a creator by at most
0.05: it orders creators of similar fit by audience quality and cannot let a
highly engaging creator from the wrong niche in. Defaults are the best measured
on the development sets (docs/quality.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..util import check_int

__all__ = ["RankingWeights", "RelevanceFloor", "best_posts", "blend", "fuse_lexical", "semantic_scores", "top_post_similarity", "engagement_reason"]

RRF_K = 60  # the constant of reciprocal rank fusion (Cormack et al., 2009)


@dataclass(frozen=True)
class RankingWeights:
    """Weights of the blended score (documented defaults, measured in docs/quality.md).

    Attributes
    ----------
    semantic : float
        Weight of semantic fit.
    engagement : float
        Weight of the within-tier engagement percentile.
    evidence : float
        Share of semantic fit that comes from the creator's best-matching posts
        rather than from the creator vector, in [0, 1].
    evidence_posts : int
        How many best-matching posts make the evidence.
    lexical : float
        Weight of BM25 keyword match (normalised to [0, 1] by the brief's best
        match) added to semantic fit; 0 turns lexical retrieval off.
    fusion : {'blend', 'rrf'}
        How lexical and semantic fit combine: a weighted sum of the two scores
        (``'blend'``), or reciprocal rank fusion of their two rankings (``'rrf'``,
        ignores the weights' scale and uses ranks only).
    """

    semantic: float = 1.0
    engagement: float = 0.05
    evidence: float = 0.3
    evidence_posts: int = 3
    lexical: float = 0.1
    fusion: Literal["blend", "rrf"] = "blend"
    lexical_scale: float = 9.0

    def __post_init__(self) -> None:
        for name in ("semantic", "engagement"):
            if getattr(self, name) < 0:
                raise ValueError(f"The '{name}' parameter of RankingWeights must be >= 0. Got {getattr(self, name)!r} instead.")
        if not 0 <= self.evidence <= 1:
            raise ValueError(f"The 'evidence' parameter of RankingWeights must be in [0, 1]. Got {self.evidence!r} instead.")
        check_int(self.evidence_posts, "evidence_posts", "RankingWeights")
        if self.lexical < 0:
            raise ValueError(f"The 'lexical' parameter of RankingWeights must be >= 0. Got {self.lexical!r} instead.")
        if not self.lexical_scale > 0:
            raise ValueError(f"The 'lexical_scale' parameter of RankingWeights must be > 0. Got {self.lexical_scale!r} instead.")
        if self.fusion not in ("blend", "rrf"):
            raise ValueError(f"The 'fusion' parameter of RankingWeights must be 'blend' or 'rrf'. Got {self.fusion!r} instead.")
        if self.semantic == 0 and self.engagement == 0:
            raise ValueError("RankingWeights needs a positive 'semantic' or 'engagement' weight. Got both 0.")


@dataclass(frozen=True)
class RelevanceFloor:
    """Calibrated absolute fit and the floor below which a match is weak.

    ``fit = 1 / (1 + exp(-slope * (semantic - midpoint)))`` estimates the probability
    that a creator is relevant to the brief from the semantic score alone, the same
    for every brief (not scaled by the brief's best match), so a brief with no fitting
    creator in the catalog gets low fits everywhere. Results with ``fit < threshold``
    are flagged ``weak_match``. The defaults are fitted by ``benchmarks/calibrate.py``
    on the three dev sets (equal weight each) and briefs with no fitting creator;
    docs/quality.md gives the flag rates.

    Attributes
    ----------
    slope, midpoint : float
        The logistic curve; ``midpoint`` is the semantic score of fit 0.5.
    threshold : float
        Lowest fit that is not a weak match, in [0, 1].
    """

    slope: float = 5.24
    midpoint: float = 0.441
    threshold: float = 0.41

    def __post_init__(self) -> None:
        if not self.slope > 0:
            raise ValueError(f"The 'slope' parameter of RelevanceFloor must be > 0. Got {self.slope!r} instead.")
        if not 0 <= self.threshold <= 1:
            raise ValueError(f"The 'threshold' parameter of RelevanceFloor must be in [0, 1]. "
                             f"Got {self.threshold!r} instead.")

    def fit(self, semantic: np.ndarray) -> np.ndarray:
        """Calibrated fit in (0, 1) of each semantic score.

        >>> RelevanceFloor().fit(np.array([0.2, 0.441, 0.7])).round(2).tolist()
        [0.22, 0.5, 0.8]
        """
        return 1.0 / (1.0 + np.exp(-self.slope * (np.asarray(semantic, dtype=float) - self.midpoint)))


def top_post_similarity(post_sims: np.ndarray, owner: np.ndarray, n_creators: int, m: int) -> np.ndarray:
    """Mean of each creator's ``m`` highest post similarities (fewer if fewer posts; NaN if none).

    Parameters
    ----------
    post_sims : ndarray (n_posts,)
    owner : ndarray of int (n_posts,)
        Index in ``0..n_creators-1`` of each post's creator.
    """
    out = np.full(n_creators, np.nan)
    if not len(post_sims):
        return out
    order, rank = _ranked_within_groups(post_sims, owner)
    kept = order[rank < m]
    sums = np.bincount(owner[kept], weights=post_sims[kept], minlength=n_creators)
    counts = np.bincount(owner[kept], minlength=n_creators)
    np.divide(sums, counts, out=out, where=counts > 0)
    return out


def best_posts(post_sims: np.ndarray, owner: np.ndarray, n_creators: int, shown: np.ndarray,
               per_creator: int) -> np.ndarray:
    """Indices into ``post_sims`` of the best ``per_creator`` posts of each creator in ``shown``.

    ``owner`` is as in :func:`top_post_similarity`; ``shown`` holds creator indices in
    ``0..n_creators-1``. Returns an array (len(shown), per_creator), best first, ``-1``
    where a creator has fewer posts; equal similarities keep post order.
    """
    best = np.full((len(shown), per_creator), -1, dtype=np.int64)
    slot_of = np.full(n_creators, -1)
    slot_of[shown] = np.arange(len(shown))
    posts = np.flatnonzero(slot_of[owner] >= 0)
    order, rank = _ranked_within_groups(post_sims[posts], slot_of[owner[posts]])
    posts = posts[order]
    keep = rank < per_creator
    best[slot_of[owner[posts]][keep], rank[keep]] = posts[keep]
    return best


def _ranked_within_groups(sims: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices ordered by group, then similarity descending (ties keep input order), and the rank
    of each within its group (0 = best)."""
    order = np.lexsort((-sims, groups))
    sorted_groups = groups[order]
    return order, np.arange(len(order)) - np.searchsorted(sorted_groups, sorted_groups)


def semantic_scores(creator_sims: np.ndarray, evidence_sims: np.ndarray, weight: float) -> np.ndarray:
    """Blend creator-vector cosine with post evidence; creators without posts keep their cosine."""
    evidence = np.where(np.isnan(evidence_sims), creator_sims, evidence_sims)
    return (1 - weight) * creator_sims + weight * evidence


def fuse_lexical(semantic: np.ndarray, lexical: np.ndarray, weights: RankingWeights) -> np.ndarray:
    """Semantic fit combined with lexical match (``lexical`` in [0, 1]) per ``weights.fusion``.

    ``'blend'`` adds ``weights.lexical * lexical``; ``'rrf'`` returns reciprocal rank
    fusion of the two orders, scaled so that first in both scores 1.

    >>> fuse_lexical(np.array([0.5, 0.4]), np.array([0.0, 1.0]), RankingWeights(lexical=0.2)).round(2).tolist()
    [0.5, 0.6]
    """
    if weights.lexical == 0:
        return semantic
    if weights.fusion == "blend":
        return semantic + weights.lexical * lexical
    rank_semantic = np.argsort(np.argsort(-semantic, kind="stable"), kind="stable")
    rank_lexical = np.argsort(np.argsort(-lexical, kind="stable"), kind="stable")
    fused = 1 / (RRF_K + 1 + rank_semantic) + weights.lexical / (RRF_K + 1 + rank_lexical)
    return fused / (1 + weights.lexical) * (RRF_K + 1)


def blend(semantic: np.ndarray, engagement: np.ndarray, weights: RankingWeights) -> np.ndarray:
    """The final score: a weighted sum of semantic fit and engagement percentile.

    >>> blend(np.array([0.5, 0.5]), np.array([0.9, 0.1]), RankingWeights(engagement=0.1)).round(2).tolist()
    [0.59, 0.51]
    """
    return weights.semantic * semantic + weights.engagement * np.nan_to_num(engagement, nan=0.5)


def engagement_reason(rate: float, tier_median: float, percentile: float, tier: str) -> str:
    """One line comparing a creator's engagement with their tier.

    >>> engagement_reason(0.045, 0.03, 0.82, "micro")
    'engagement 4.5% vs 3.0% median for micro (better than 82% of peers)'
    """
    if not np.isfinite(rate):
        return f"no usable engagement data; scored at the {tier} median"
    return (f"engagement {rate:.1%} vs {tier_median:.1%} median for {tier} "
            f"(better than {percentile:.0%} of peers)")
