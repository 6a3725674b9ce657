"""The inputs: creator and post tables validated into a catalog, follower tiers, fair engagement, brand briefs."""

from __future__ import annotations

from . import validation
from .briefs import BrandBrief, BriefLike, as_briefs, load_briefs
from .engagement import EngagementModel, score_engagement
from .loader import Catalog, load_catalog
from .risk_categories import DEFAULT_RISK_CATEGORIES, RiskCategory, resolve_categories
from .summary import format_summary
from .tables import TableSource, read_table
from .tiers import TIER_PRESETS, Tier, TierScheme

__all__ = [
    "as_briefs",
    "BrandBrief",
    "BriefLike",
    "Catalog",
    "DEFAULT_RISK_CATEGORIES",
    "EngagementModel",
    "format_summary",
    "load_briefs",
    "load_catalog",
    "read_table",
    "resolve_categories",
    "RiskCategory",
    "score_engagement",
    "TableSource",
    "Tier",
    "TIER_PRESETS",
    "TierScheme",
    "validation",
]
