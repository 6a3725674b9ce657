"""Creator representation: one vector per creator from a bio and many captions.

A creator's niche shows in what they post most, not in every post: a food
creator's one holiday photo should not pull their vector toward travel. The
caption centroid is therefore *trimmed*: posts least similar to the creator's
own centroid are dropped before averaging. The bio, when present, is blended in
with a fixed weight, because it is the creator's own statement of their niche.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..util import check_number, normalise

__all__ = ["Representation", "creator_vectors"]


@dataclass(frozen=True)
class Representation:
    """How bio and caption vectors combine into a creator vector.

    Attributes
    ----------
    bio_weight : float
        Weight of the bio vector against the caption centroid, in [0, 1].
    trim : float
        Share of a creator's posts, least similar to their own centroid, left out
        of the centroid (only when the creator has more than 3 posts).
    """

    bio_weight: float = 0.3
    trim: float = 0.2

    def __post_init__(self) -> None:
        check_number(self.bio_weight, "bio_weight", "Representation", minimum=0, maximum=1)
        check_number(self.trim, "trim", "Representation", minimum=0, maximum=0.9)


def creator_vectors(
    bio_vectors: np.ndarray,
    post_vectors: np.ndarray,
    post_owner: np.ndarray,
    representation: Representation = Representation(),
    *,
    block: int = 100_000,
) -> np.ndarray:
    """One unit vector per creator.

    Parameters
    ----------
    bio_vectors : ndarray (n_creators, d)
        Zero rows for empty bios. Any float dtype (float16 storage is fine).
    post_vectors : ndarray (n_posts, d)
        Zero rows for empty captions (they are ignored). Any float dtype.
    post_owner : ndarray of int (n_posts,)
        Creator position of each post.
    block : int
        Creators processed at a time, so float16 inputs are widened to float32
        one block at a time rather than all at once.

    Returns
    -------
    ndarray (n_creators, d), float32; a zero row for a creator with no text at all.
    """
    n = len(bio_vectors)
    out = np.empty((n, bio_vectors.shape[1]), dtype=np.float32)
    ordered = bool(np.all(np.diff(post_owner) >= 0))
    for start in range(0, n, block):
        stop = min(start + block, n)
        if ordered:
            lo, hi = np.searchsorted(post_owner, [start, stop])
            rows = slice(lo, hi)
        else:
            rows = np.flatnonzero((post_owner >= start) & (post_owner < stop))
        posts = np.asarray(post_vectors[rows], dtype=np.float32)
        out[start:stop] = _combine(np.asarray(bio_vectors[start:stop], dtype=np.float32),
                                   _trimmed_centroids(posts, post_owner[rows] - start, stop - start, representation.trim),
                                   representation.bio_weight)
    return out


def _combine(bio: np.ndarray, centroids: np.ndarray, bio_weight: float) -> np.ndarray:
    has_bio = np.linalg.norm(bio, axis=1) > 0
    has_posts = np.linalg.norm(centroids, axis=1) > 0
    weight = np.where(has_bio & has_posts, bio_weight, np.where(has_bio, 1.0, 0.0))[:, None]
    return normalise(weight * normalise(bio) + (1 - weight) * centroids).astype(np.float32)


def _trimmed_centroids(vectors: np.ndarray, owner: np.ndarray, n: int, trim: float) -> np.ndarray:
    valid = np.linalg.norm(vectors, axis=1) > 0
    vectors, owner = vectors[valid], owner[valid]
    centroid = normalise(_sum_by_owner(vectors, owner, n))
    if trim <= 0 or not len(vectors):
        return centroid.astype(np.float32)
    sims = np.einsum("ij,ij->i", vectors, centroid[owner])
    counts = np.bincount(owner, minlength=n)
    drop_count = np.where(counts > 3, np.floor(counts * trim).astype(int), 0)
    # Rank each post within its creator from least to most similar.
    order = np.lexsort((sims, owner))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank_in_creator = np.empty(len(order), dtype=np.int64)
    rank_in_creator[order] = np.arange(len(order)) - starts[owner[order]]
    keep = rank_in_creator >= drop_count[owner]
    return normalise(_sum_by_owner(vectors[keep], owner[keep], n)).astype(np.float32)


def _sum_by_owner(vectors: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Row sums of ``vectors`` grouped by ``owner`` (a sparse product: fast for millions of posts)."""
    from scipy import sparse

    membership = sparse.csr_matrix((np.ones(len(owner), dtype=np.float32), (owner, np.arange(len(owner)))),
                                   shape=(n, len(owner)))
    return np.asarray(membership @ vectors, dtype=np.float32)
