"""Brand fit beyond niche: brand safety, sponsorship and competitor conflicts, authenticity, and the screens a brief runs."""

from __future__ import annotations

from .authenticity import AuthenticityModel, authenticity_signals
from .safety import category_vectors
from .screen import CandidatePosts, Screen, screen_candidates
from .signals import BrandFitSignals
from .sponsorship import detect_sponsored, sponsored_share

__all__ = [
    "authenticity_signals",
    "AuthenticityModel",
    "BrandFitSignals",
    "CandidatePosts",
    "category_vectors",
    "detect_sponsored",
    "Screen",
    "screen_candidates",
    "sponsored_share",
]
