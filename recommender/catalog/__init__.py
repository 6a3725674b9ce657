"""The inputs: creator and post tables validated into a catalog, follower tiers, fair engagement, brand briefs."""

from __future__ import annotations

from .briefs import BrandBrief, BriefLike, as_briefs, load_briefs
from .engagement import EngagementModel, score_engagement
from .loader import Catalog, load_catalog
from .summary import format_summary
from .tables import Columns, TableSource, contiguous, live_positions, read_table
from .tiers import TIER_PRESETS, Tier, TierScheme

__all__ = [
    "BrandBrief",
    "BriefLike",
    "Catalog",
    "Columns",
    "EngagementModel",
    "TIER_PRESETS",
    "TableSource",
    "Tier",
    "TierScheme",
    "as_briefs",
    "contiguous",
    "format_summary",
    "live_positions",
    "load_briefs",
    "load_catalog",
    "read_table",
    "score_engagement",
]
