"""Nearest-neighbour search over creator vectors with FAISS.

Inner product on unit vectors (= cosine). Rows are addressed by *position*
(0..n-1, the row of the creator table); removal marks a position dead and
updates append, so positions never move (rebuild to reclaim dead rows).

The index type follows catalog size: exact (``IndexFlatIP``) when small, HNSW
when large. Filtered search never silently returns fewer than
``min(k, number of rows that pass)``: it searches the allowed subset exactly when
that is cheaper, and otherwise over-fetches from the approximate index, then
falls back to exact search for queries still short of ``k``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["IndexConfig", "VectorIndex", "exact_search"]

IndexKind = Literal["auto", "exact", "hnsw"]


@dataclass(frozen=True)
class IndexConfig:
    """How the index is built and searched.

    Attributes
    ----------
    kind : {'auto', 'exact', 'hnsw'}
        ``'auto'`` picks exact below ``exact_max_rows`` rows and HNSW above.
    exact_max_rows : int
        Catalog size up to which exact search is used by ``'auto'``: recall 1 at about
        5 ms a query for 100k creators on 2 cores (docs/performance.md).
    hnsw_m : int
        HNSW graph degree.
    ef_construction, ef_search : int
        HNSW build and search breadth; search breadth grows with ``k`` when needed.
        512 was the best recall for its cost measured at 1M creators (docs/performance.md).
    exact_subset_rows : int
        A filter that leaves at most this many rows is served by exact search over them.
    """

    kind: IndexKind = "auto"
    exact_max_rows: int = 100_000
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 512
    exact_subset_rows: int = 50_000

    def __post_init__(self) -> None:
        if self.kind not in ("auto", "exact", "hnsw"):
            raise ValueError(f"The 'kind' parameter of IndexConfig must be 'auto', 'exact' or 'hnsw'. Got {self.kind!r} instead.")


def exact_search(queries: np.ndarray, vectors: np.ndarray, k: int, *, chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` inner products by brute force; the oracle for approximate search.

    Returns (scores, positions), each ``(n_queries, min(k, n_vectors))``, best first.
    """
    k = min(k, len(vectors))
    scores = np.empty((len(queries), k), dtype=np.float32)
    positions = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), chunk):
        sims = queries[start:start + chunk] @ vectors.T
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < sims.shape[1] else np.tile(np.arange(k), (len(sims), 1))
        top_scores = np.take_along_axis(sims, top, axis=1)
        # Ties are broken by position so that results are deterministic.
        order = np.lexsort((top, -top_scores), axis=1)
        positions[start:start + chunk] = np.take_along_axis(top, order, axis=1)
        scores[start:start + chunk] = np.take_along_axis(top_scores, order, axis=1)
    return scores, positions


class VectorIndex:
    """FAISS index over unit vectors with tombstones and filtered search.

    Parameters
    ----------
    config : IndexConfig
    """

    def __init__(self, *, config: IndexConfig = IndexConfig()) -> None:
        self.config = config
        self.kind_: str | None = None
        self.vectors_: np.ndarray | None = None
        self.alive_: np.ndarray | None = None
        self._faiss = None

    def __len__(self) -> int:
        return 0 if self.alive_ is None else int(self.alive_.sum())

    def build(self, vectors: np.ndarray) -> "VectorIndex":
        """Index ``vectors`` (n, d) float32, rows assumed unit-length or zero."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        kind = self.config.kind
        if kind == "auto":
            kind = "exact" if len(vectors) <= self.config.exact_max_rows else "hnsw"
        self.kind_ = kind
        self.vectors_ = vectors
        self.alive_ = np.ones(len(vectors), dtype=bool)
        self._faiss = self._new_faiss(vectors.shape[1])
        if len(vectors):
            self._faiss.add(vectors)
        logger.info("Built a %s index over %d vectors of dimension %d.", kind, len(vectors), vectors.shape[1])
        return self

    def add(self, vectors: np.ndarray) -> np.ndarray:
        """Append rows; returns their positions."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        start = len(self.vectors_)
        self.vectors_ = np.concatenate([self.vectors_, vectors])
        self.alive_ = np.concatenate([self.alive_, np.ones(len(vectors), dtype=bool)])
        self._faiss.add(vectors)
        return np.arange(start, start + len(vectors))

    def remove(self, positions: np.ndarray) -> None:
        """Mark rows dead: they are never returned again."""
        self.alive_[np.asarray(positions, dtype=np.int64)] = False

    def search(
        self, queries: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` rows per query among live rows that pass ``allowed``.

        Parameters
        ----------
        queries : ndarray (n_queries, d)
        k : int
        allowed : ndarray of bool (n_rows,), optional
            Rows a result may come from.

        Returns
        -------
        scores, positions : ndarray (n_queries, min(k, n_allowed))
            Best first. Every query gets exactly ``min(k, n_allowed)`` results.
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        mask = self.alive_ if allowed is None else (self.alive_ & np.asarray(allowed, dtype=bool))
        subset = np.flatnonzero(mask)
        k = min(int(k), subset.size)
        if k == 0:
            return np.empty((len(queries), 0), np.float32), np.empty((len(queries), 0), np.int64)
        unfiltered = subset.size == len(self.alive_)
        if self.kind_ == "exact" and unfiltered:
            # NumPy's product beats IndexFlatIP for a few queries (5 vs 14 ms at 100k) and matches it for batches.
            return exact_search(queries, self.vectors_, k)
        if self.kind_ == "exact" or subset.size <= self.config.exact_subset_rows:
            scores, local = exact_search(queries, self.vectors_[subset], k)
            return scores, subset[local]
        return self._approximate(queries, k, mask, subset)

    def _approximate(self, queries, k, mask, subset):  # noqa: ANN001, ANN202
        share = subset.size / len(mask)
        fetch = min(len(mask), int(np.ceil(k / share * 1.5)) + 10)
        scores = np.empty((len(queries), k), np.float32)
        positions = np.empty((len(queries), k), np.int64)
        todo = np.arange(len(queries))
        while todo.size:
            s, p = self._faiss_search(queries[todo], fetch)
            ok = (p >= 0) & mask[np.maximum(p, 0)]
            enough = ok.sum(axis=1) >= k
            for row in np.flatnonzero(enough):
                keep = np.flatnonzero(ok[row])[:k]
                scores[todo[row]], positions[todo[row]] = s[row, keep], p[row, keep]
            todo = todo[~enough]
            if todo.size and fetch >= min(len(mask), 8 * k / share + 1000):
                logger.debug("Falling back to exact search for %d filtered queries.", todo.size)
                s, local = exact_search(queries[todo], self.vectors_[subset], k)
                scores[todo], positions[todo] = s, subset[local]
                break
            fetch = min(len(mask), fetch * 2)
        return scores, positions

    def _faiss_search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.kind_ == "hnsw":
            self._faiss.hnsw.efSearch = max(self.config.ef_search, k)
        scores, positions = self._faiss.search(queries, k)
        return scores, positions.astype(np.int64)

    def _new_faiss(self, dim: int):  # noqa: ANN202 - faiss.Index, imported late
        import faiss

        if self.kind_ == "exact":
            return faiss.IndexFlatIP(dim)
        index = faiss.IndexHNSWFlat(dim, self.config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.config.ef_construction
        return index

    def save(self, directory: Path) -> None:
        """Write ``index.faiss`` and ``alive.npy`` into ``directory``."""
        import faiss

        faiss.write_index(self._faiss, str(directory / "index.faiss"))
        np.save(directory / "alive.npy", self.alive_, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path, vectors: np.ndarray, *, kind: str, config: IndexConfig = IndexConfig(),
             mmap: bool = False) -> "VectorIndex":
        """Read an index written by :meth:`save`; ``vectors`` are the indexed rows.

        With ``mmap`` the FAISS file is memory-mapped (read on demand) instead of read whole.
        """
        import faiss

        index = cls(config=config)
        index.kind_ = kind
        index.vectors_ = vectors
        index.alive_ = np.load(directory / "alive.npy", allow_pickle=False)
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
        index._faiss = faiss.read_index(str(directory / "index.faiss"), flags)
        if index._faiss.ntotal != len(vectors) or index._faiss.d != vectors.shape[1]:
            from .errors import IndexMismatchError

            raise IndexMismatchError(
                f"{directory / 'index.faiss'}: expected {len(vectors)} vectors of dimension {vectors.shape[1]}, "
                f"got {index._faiss.ntotal} of dimension {index._faiss.d}; the folder is inconsistent, rebuild it."
            )
        return index
