"""Text to vectors: text preparation, the sentence-transformers encoder and its backends, caches, creator and query vectors."""

from __future__ import annotations

from .backends import openvino_available
from .encoder import Encoder
from .profiles import Representation, creator_vectors
from .query import QueryConfig, framing_direction, query_vectors
from .text import prepare_text, prepare_texts, snippet, split_hashtag

__all__ = [
    "Encoder",
    "QueryConfig",
    "Representation",
    "creator_vectors",
    "framing_direction",
    "openvino_available",
    "prepare_text",
    "prepare_texts",
    "query_vectors",
    "snippet",
    "split_hashtag",
]
