"""Finding candidates: the FAISS vector index, BM25, and hard filters."""

from __future__ import annotations

from .columns import Columns, contiguous, live_positions
from .corpus import Corpus
from .filters import CreatorFilters, keyword_mask
from .index import IndexConfig, NeighbourSearch, VectorIndex, best_first
from .lexical import LexicalIndex

__all__ = [
    "best_first",
    "Columns",
    "contiguous",
    "Corpus",
    "CreatorFilters",
    "IndexConfig",
    "keyword_mask",
    "LexicalIndex",
    "NeighbourSearch",
    "live_positions",
    "VectorIndex",
]
