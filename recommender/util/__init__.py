"""Shared utilities: errors, parameter checks, atomic files, threads."""

from __future__ import annotations

from .checks import check_int
from .errors import CatalogError, IndexMismatchError, NotBuiltError, RecommenderError, ValidationError, WeakMatchWarning
from .threads import parallel_map

__all__ = [
    "CatalogError",
    "IndexMismatchError",
    "NotBuiltError",
    "RecommenderError",
    "ValidationError",
    "WeakMatchWarning",
    "check_int",
    "parallel_map",
]
