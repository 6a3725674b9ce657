"""Turning a brand brief into a query vector.

A brief is written as a request ("We want creators who post about workouts,
running and healthy food"), while creators write content ("5k done before
work"). Embedding the whole brief as one sentence lets the request framing and
the first topic dominate. Measured on real tweets (docs/quality.md), two steps
fix most of that:

1. **Facets**: the description is split into phrases at sentence punctuation,
   commas, "and" and "or"; each phrase (and each keyword) is embedded and the
   query is their mean, so every topic the brand lists counts equally.
2. **Framing removed**: the component along a fixed "brief framing" direction
   (the embedding of generic request phrases such as "we are looking for
   creators who post about") is projected out, so what remains is the topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..util import normalise

if TYPE_CHECKING:
    from ..catalog import BrandBrief
    from .encoder import Encoder

__all__ = ["QueryConfig", "brief_facets", "framing_direction", "query_vectors"]

_SPLIT = re.compile(r"[.!?;:,\n()]+|\s(?:and|or|&|/)\s", re.IGNORECASE)

# Generic wording of a brief's request, independent of any niche. Its direction is
# removed from queries; it is product wording, not fitted to any evaluation data.
FRAMING_PHRASES = (
    "We are looking for creators who post about",
    "We want influencers who share content about",
    "A brand looking for content creators for a campaign",
    "our brand, our products and our audience",
)


@dataclass(frozen=True)
class QueryConfig:
    """How a brief becomes a query vector.

    Attributes
    ----------
    facets : bool
        Embed each phrase of the description separately and average (True), or
        embed the whole text at once (False).
    remove_framing : bool
        Project out the generic "brief request" direction.
    """

    facets: bool = True
    remove_framing: bool = True


def brief_facets(text: str, keywords: Sequence[str] = ()) -> list[str]:
    """Phrases of a brief description plus its keywords.

    >>> brief_facets("Vegan snacks for busy parents, kids and teachers.", ["plant based"])
    ['Vegan snacks for busy parents', 'kids', 'teachers', 'plant based']
    """
    phrases = [p.strip() for p in _SPLIT.split(text) if p and re.search(r"\w", p)]
    return phrases + [k.strip() for k in keywords if k.strip()]


def framing_direction(encoder: "Encoder") -> np.ndarray:
    """Unit vector of the generic brief framing (:data:`FRAMING_PHRASES`) for ``encoder``."""
    return normalise(encoder.encode(list(FRAMING_PHRASES)).mean(axis=0, keepdims=True))[0]


def query_vectors(briefs: Sequence["BrandBrief"], encoder: "Encoder", config: QueryConfig,
                  *, framing: np.ndarray | None = None) -> np.ndarray:
    """One unit query vector per brief, shape (len(briefs), encoder.dimension).

    ``framing`` is :func:`framing_direction` of the same encoder, passed in by
    callers that embed many queries so it is computed once.
    """
    if config.facets:
        facets = [brief_facets(b.description, b.keywords) or [b.query_text] for b in briefs]
    else:
        facets = [[b.query_text] for b in briefs]
    flat = [f for group in facets for f in group]
    vectors = encoder.encode(flat)
    owner = np.repeat(np.arange(len(briefs)), [len(g) for g in facets])
    queries = np.zeros((len(briefs), vectors.shape[1]), dtype=np.float64)
    np.add.at(queries, owner, vectors)
    queries = normalise(queries)
    if config.remove_framing:
        direction = framing_direction(encoder) if framing is None else framing
        queries = queries - np.outer(queries @ direction, direction)
    return normalise(np.asarray(queries, dtype=np.float32))
