"""Shared utilities: errors, parameter checks, atomic files, spreadsheet-safe CSV, unit vectors, threads."""

from __future__ import annotations

from . import persistence
from .checks import check_int, check_number
from .errors import CatalogError, IndexMismatchError, NotBuiltError, RecommenderError, ValidationError, WeakMatchWarning
from .files import atomic_path
from .progress import progress
from .spreadsheets import formula_safe
from .threads import one_blas_thread, parallel_map
from .vectors import normalise

__all__ = [
    "atomic_path",
    "CatalogError",
    "check_int",
    "check_number",
    "formula_safe",
    "IndexMismatchError",
    "normalise",
    "NotBuiltError",
    "one_blas_thread",
    "parallel_map",
    "persistence",
    "progress",
    "RecommenderError",
    "ValidationError",
    "WeakMatchWarning",
]
