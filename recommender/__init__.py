"""recommender: match brands with social-media creators by niche.

The package import is light: the heavy parts (torch, sentence-transformers,
FAISS) load on first use.

>>> from recommender import Recommender, BrandBrief  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Catalog": "catalog",
    "load_catalog": "catalog",
    "Tier": "tiers",
    "TierScheme": "tiers",
    "TIER_PRESETS": "tiers",
    "EngagementModel": "engagement",
    "score_engagement": "engagement",
    "BrandBrief": "brief",
    "load_briefs": "brief",
    "Encoder": "encoder",
    "Representation": "profiles",
    "QueryConfig": "query",
    "IndexConfig": "index",
    "RankingWeights": "ranking",
    "load_qrels": "evaluation",
    "evaluate_rankers": "evaluation",
    "evaluate_recommender": "evaluation",
    "Recommender": "recommender",
    "RiskCategory": "risk_categories",
    "DEFAULT_RISK_CATEGORIES": "risk_categories",
    "AuthenticityModel": "authenticity",
    "LookalikeWeights": "lookalike",
    "RecommenderError": "errors",
    "CatalogError": "errors",
    "ValidationError": "errors",
    "IndexMismatchError": "errors",
    "NotBuiltError": "errors",
    "WeakMatchWarning": "errors",
    "RelevanceFloor": "ranking",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .authenticity import AuthenticityModel
    from .brief import BrandBrief, load_briefs
    from .catalog import Catalog, load_catalog
    from .encoder import Encoder
    from .engagement import EngagementModel, score_engagement
    from .evaluation import evaluate_rankers, evaluate_recommender, load_qrels
    from .index import IndexConfig
    from .lookalike import LookalikeWeights
    from .profiles import Representation
    from .query import QueryConfig
    from .errors import CatalogError, IndexMismatchError, NotBuiltError, RecommenderError, ValidationError, WeakMatchWarning
    from .ranking import RankingWeights, RelevanceFloor
    from .recommender import Recommender
    from .risk_categories import DEFAULT_RISK_CATEGORIES, RiskCategory
    from .tiers import TIER_PRESETS, Tier, TierScheme


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'recommender' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
