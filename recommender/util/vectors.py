"""Vector arithmetic shared by the embedding, search, brand-fit, evaluation and planning code."""

from __future__ import annotations

import numpy as np

__all__ = ["normalise"]


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows (or a single vector) scaled to unit length, in their own dtype; zero rows stay zero.

    Dot products of unit vectors are cosines, which is how the package compares
    vectors.

    >>> normalise(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
