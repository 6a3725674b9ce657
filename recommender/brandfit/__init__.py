"""Brand fit beyond niche: brand safety, sponsorship and competitor conflicts, authenticity, and the screens a brief runs."""

from __future__ import annotations

from .authenticity import AuthenticityModel, authenticity_signals
from .risk_categories import DEFAULT_RISK_CATEGORIES, RiskCategory
from .safety import category_vectors, resolve_categories
from .screen import CandidatePosts, Screen, screen_candidates
from .sponsorship import detect_sponsored, sponsored_share

__all__ = [
    "AuthenticityModel",
    "CandidatePosts",
    "DEFAULT_RISK_CATEGORIES",
    "RiskCategory",
    "Screen",
    "authenticity_signals",
    "category_vectors",
    "detect_sponsored",
    "resolve_categories",
    "screen_candidates",
    "sponsored_share",
]
