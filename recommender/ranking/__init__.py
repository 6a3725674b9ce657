"""Scoring candidates: the blended score, the relevance floor, lookalikes."""

from __future__ import annotations

from .candidates import rank_candidates
from .fitted import FittedRecommender
from .lookalike import (
    LookalikeWeights,
    allowed_rows,
    find_lookalikes,
    lookalike_frame,
    rank_lookalikes,
    seed_positions,
    seed_queries,
)
from .results import RESULT_COLUMNS, result_frame, warn_weak
from .score import (
    RankingWeights,
    RelevanceFloor,
    best_posts,
    blend,
    engagement_reason,
    fuse_lexical,
    semantic_scores,
    top_post_similarity,
)

__all__ = [
    "allowed_rows",
    "best_posts",
    "blend",
    "engagement_reason",
    "find_lookalikes",
    "FittedRecommender",
    "fuse_lexical",
    "lookalike_frame",
    "LookalikeWeights",
    "rank_candidates",
    "rank_lookalikes",
    "RankingWeights",
    "RelevanceFloor",
    "RESULT_COLUMNS",
    "result_frame",
    "seed_positions",
    "seed_queries",
    "semantic_scores",
    "top_post_similarity",
    "warn_weak",
]
