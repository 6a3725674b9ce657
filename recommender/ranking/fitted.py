"""What evaluation and planning need from a fitted recommender, as a protocol.

The :class:`~recommender.recommender.Recommender` facade satisfies it; the layers
below the facade name this protocol instead of importing the facade.
"""

from __future__ import annotations

from typing import Iterable, Protocol

import numpy as np
import pandas as pd

from ..catalog import BriefLike, TierScheme

__all__ = ["FittedRecommender"]


class FittedRecommender(Protocol):
    """A built recommender: its live creators, their vectors, brief vectors and ranked results."""

    @property
    def tier_scheme(self) -> TierScheme:
        """The tier scheme of the catalog."""

    @property
    def creators(self) -> pd.DataFrame:
        """The live creators, in index order."""

    def creator_vectors(self, creator_ids: Iterable[str] | None = None) -> np.ndarray:
        """Unit creator vectors of these creators (default: every live creator, in index order)."""

    def encode_briefs(self, briefs: Iterable[BriefLike]) -> np.ndarray:
        """Query vectors of briefs."""

    def recommend_batch(self, briefs: Iterable[BriefLike], *, k: int = 100, progress: bool | None = None,
                        explain: bool = True) -> pd.DataFrame:
        """Top-``k`` creators per brief (the result columns of ``Recommender.recommend_batch``)."""
