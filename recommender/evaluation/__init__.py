"""Measuring relevance: metrics, baseline rankers, side-by-side evaluation on judged briefs."""

from __future__ import annotations

from .runs import evaluate_rankers, evaluate_recommender, format_report, load_qrels

__all__ = [
    "evaluate_rankers",
    "evaluate_recommender",
    "format_report",
    "load_qrels",
]
