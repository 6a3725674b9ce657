"""Scoring candidates: the blended score, the relevance floor, lookalikes."""

from __future__ import annotations

from .lookalike import LookalikeWeights, allowed_rows, lookalike_frame, rank_lookalikes, seed_positions, seed_queries
from .score import RankingWeights, RelevanceFloor, best_posts, blend, engagement_reason, fuse_lexical, semantic_scores, top_post_similarity

__all__ = [
    "LookalikeWeights",
    "RankingWeights",
    "RelevanceFloor",
    "allowed_rows",
    "best_posts",
    "blend",
    "engagement_reason",
    "fuse_lexical",
    "lookalike_frame",
    "rank_lookalikes",
    "seed_positions",
    "seed_queries",
    "semantic_scores",
    "top_post_similarity",
]
