"""Finding candidates: the FAISS vector index, BM25, and hard filters."""

from __future__ import annotations

from .filters import CreatorFilters, keyword_mask
from .index import IndexConfig, VectorIndex
from .lexical import LexicalIndex

__all__ = [
    "CreatorFilters",
    "IndexConfig",
    "LexicalIndex",
    "VectorIndex",
    "keyword_mask",
]
