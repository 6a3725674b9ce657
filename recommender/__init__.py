"""recommender: match brands with social-media creators by niche.

The package import is light: the heavy parts (torch, sentence-transformers,
FAISS) load on first use.

>>> from recommender import Recommender, BrandBrief
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Catalog": "catalog",
    "load_catalog": "catalog",
    "Tier": "catalog",
    "TierScheme": "catalog",
    "TIER_PRESETS": "catalog",
    "EngagementModel": "catalog",
    "score_engagement": "catalog",
    "BrandBrief": "catalog",
    "load_briefs": "catalog",
    "Encoder": "embedding",
    "Representation": "embedding",
    "QueryConfig": "embedding",
    "IndexConfig": "search",
    "RankingWeights": "ranking",
    "load_qrels": "evaluation",
    "evaluate_rankers": "evaluation",
    "evaluate_recommender": "evaluation",
    "Recommender": "recommender",
    "RiskCategory": "catalog",
    "DEFAULT_RISK_CATEGORIES": "catalog",
    "AuthenticityModel": "brandfit",
    "LookalikeWeights": "ranking",
    "RecommenderError": "util",
    "CatalogError": "util",
    "ValidationError": "util",
    "IndexMismatchError": "util",
    "NotBuiltError": "util",
    "WeakMatchWarning": "util",
    "RelevanceFloor": "ranking",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .brandfit import AuthenticityModel
    from .catalog import BrandBrief, load_briefs
    from .catalog import Catalog, load_catalog
    from .embedding import Encoder
    from .catalog import EngagementModel, score_engagement
    from .evaluation import evaluate_rankers, evaluate_recommender, load_qrels
    from .search import IndexConfig
    from .ranking import LookalikeWeights
    from .embedding import Representation
    from .embedding import QueryConfig
    from .util import CatalogError, IndexMismatchError, NotBuiltError, RecommenderError, ValidationError, WeakMatchWarning
    from .ranking import RankingWeights, RelevanceFloor
    from .recommender import Recommender
    from .catalog import DEFAULT_RISK_CATEGORIES, RiskCategory
    from .catalog import TIER_PRESETS, Tier, TierScheme


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'recommender' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
