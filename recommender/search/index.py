"""Nearest-neighbour search over creator vectors with FAISS.

Inner product on unit vectors (= cosine). Rows are addressed by *position*
(0..n-1, the row of the creator table); removal marks a position dead and
updates append, so positions never move (rebuild to reclaim dead rows).

The index type follows catalog size: exact search when small, an inverted file
with 4-bit product-quantisation codes (FAISS fast-scan) when large. The IVF index
keeps only the compact codes (48 bytes a creator for 384 dimensions); its
candidates are re-ranked with the exact vectors the recommender holds anyway, so
returned scores are exact cosines. At a million creators it builds in seconds
rather than the minutes an HNSW graph takes, and reaches higher recall for the
same latency (docs/performance.md). HNSW stays available as ``kind='hnsw'``.

Filtered search never silently returns fewer than ``min(k, number of rows that
pass)``: a filter that leaves few rows is served by exact search over them; a
broader one is passed to FAISS as an ID selector, and any query still short of
``k`` falls back to exact search over the allowed rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from ..util import check_int, persistence

logger = logging.getLogger(__name__)

__all__ = ["IndexConfig", "NeighbourSearch", "VectorIndex", "best_first", "exact_search"]

IndexKind = Literal["auto", "exact", "ivf", "hnsw"]
_KINDS = ("auto", "exact", "ivf", "hnsw")


class NeighbourSearch(Protocol):
    """What ranking needs from a nearest-neighbour search over the creator vectors: :class:`VectorIndex`
    on one machine, or one that spreads the vectors over workers (``recommender.scale``)."""

    def search(self, queries: np.ndarray, k: int, *, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Exact inner products and row positions of the top-``k`` live rows per query, best first."""


@dataclass(frozen=True)
class IndexConfig:
    """How the index is built and searched.

    Attributes
    ----------
    kind : {'auto', 'exact', 'ivf', 'hnsw'}
        ``'auto'`` picks exact up to ``exact_max_rows`` rows and IVF above.
    exact_max_rows : int
        Catalog size up to which exact search is used by ``'auto'``: recall 1 at about
        5 ms a query for 100k creators on 2 cores (docs/performance.md).
    ivf_lists : int, optional
        Inverted lists (k-means cells) of the IVF index; default: the power of two
        nearest ``2 * sqrt(rows)`` (2,048 for a million), at most ``rows / 39``.
    ivf_probe : int, optional
        Lists scanned per query; default ``ivf_lists / 8`` (at least 16). Recall@100
        at 1M: 0.96 with 128 of 2,048 lists, 0.97 with 256 (docs/performance.md).
    refine : int
        The IVF index fetches ``refine * k`` candidates by their compressed codes and
        re-ranks them exactly; at 1M, 20 keeps recall@100 within 0.01 of 40 at half the
        re-ranking cost.
    hnsw_m, ef_construction, ef_search : int
        HNSW graph degree, build breadth and search breadth (``kind='hnsw'`` only).
    exact_subset_rows : int
        A filter that leaves at most this many rows is served by exact search over them.
    """

    kind: IndexKind = "auto"
    exact_max_rows: int = 100_000
    ivf_lists: int | None = None
    ivf_probe: int | None = None
    refine: int = 20
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 512
    exact_subset_rows: int = 50_000

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"The 'kind' parameter of IndexConfig must be one of {', '.join(map(repr, _KINDS))}. "
                             f"Got {self.kind!r} instead.")
        for name in ("ivf_lists", "ivf_probe"):
            check_int(getattr(self, name), name, "IndexConfig", optional=True)
        for name in ("exact_max_rows", "refine", "hnsw_m", "ef_construction", "ef_search"):
            check_int(getattr(self, name), name, "IndexConfig")
        check_int(self.exact_subset_rows, "exact_subset_rows", "IndexConfig", minimum=0)

    def lists_for(self, rows: int) -> int:
        """IVF lists for a catalog of ``rows`` (k-means wants about 39 training rows per list)."""
        lists = self.ivf_lists or 2 ** int(np.round(np.log2(max(2 * np.sqrt(rows), 1))))
        return max(1, min(lists, rows // 39))

    def probe_for(self, lists: int) -> int:
        """IVF lists scanned per query."""
        return min(lists, self.ivf_probe or max(16, lists // 8))


# IVF below this many rows has too few per list to train; exact search is faster there anyway.
MIN_IVF_ROWS = 1_000


def exact_search(queries: np.ndarray, vectors: np.ndarray, k: int, *, rows: np.ndarray | None = None,
                 chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` inner products by brute force; the oracle for approximate search.

    With ``rows``, only those rows of ``vectors`` are searched and positions refer to ``vectors``.
    Returns (scores, positions), each ``(n_queries, min(k, n_searched))``, best first.
    """
    n = len(vectors) if rows is None else len(rows)
    k = min(k, n)
    scores = np.empty((len(queries), k), dtype=np.float32)
    positions = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), chunk):
        block = queries[start:start + chunk]
        sims = block @ vectors.T if rows is None else _gathered_product(block, vectors, rows)
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < n else np.tile(np.arange(k), (len(sims), 1))
        top_scores = np.take_along_axis(sims, top, axis=1)
        if rows is not None:
            top = rows[top]
        scores[start:start + chunk], positions[start:start + chunk] = best_first(top_scores, top)
    return scores, positions


def _gathered_product(queries: np.ndarray, vectors: np.ndarray, rows: np.ndarray, block: int = 1024) -> np.ndarray:
    """``queries @ vectors[rows].T``.

    One query reads each row in place (:func:`_products_by_row`: 3.8 vs 6.3 ms for 20k
    rows of 1M); several gather a cache-sized block of rows at a time for one matrix
    product, which reuses each gathered row for every query.
    """
    if len(queries) == 1:
        return _products_by_row(queries, vectors, rows[None, :])
    out = np.empty((len(queries), len(rows)), dtype=np.float32)
    for start in range(0, len(rows), block):
        out[:, start:start + block] = queries @ vectors[rows[start:start + block]].T
    return out


def _load_faiss() -> None:
    """Import FAISS with the index, even an exact one (filtered search re-ranks rows with it):
    otherwise the first filtered brief pays for the import, about 60 ms."""
    import faiss  # noqa: F401


def _products_by_row(queries: np.ndarray, vectors: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``out[i, j] = queries[i] @ vectors[rows[i, j]]`` (``-inf`` where ``rows`` is -1), float32.

    FAISS's C loop reads each row where it lies, with no gathered copy (0.8 against
    1.4 ms for 4,000 rows of 1M), and runs the queries on all threads.
    """
    import faiss

    queries = np.ascontiguousarray(queries, dtype=np.float32)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)  # a no-op for the index's own vectors
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    out = np.empty(rows.shape, dtype=np.float32)
    faiss.fvec_inner_products_by_idx(faiss.swig_ptr(out), faiss.swig_ptr(queries), faiss.swig_ptr(vectors),
                                     faiss.swig_ptr(rows), vectors.shape[1], rows.shape[0], rows.shape[1])
    return out


def best_first(scores: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row of results ordered best first, ties broken by lower position so that results are deterministic."""
    order = np.lexsort((positions, -scores), axis=1)
    return np.take_along_axis(scores, order, axis=1), np.take_along_axis(positions, order, axis=1)


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
            kind = "exact" if len(vectors) <= self.config.exact_max_rows else "ivf"
        if kind == "ivf" and len(vectors) < MIN_IVF_ROWS:
            logger.info("%d rows are too few for an IVF index; using exact search.", len(vectors))
            kind = "exact"
        self.kind_ = kind
        self.vectors_ = vectors
        self.alive_ = np.ones(len(vectors), dtype=bool)
        _load_faiss()
        self._faiss = self._new_faiss(vectors)
        if len(vectors) and kind != "exact":
            self._faiss.add(vectors)
        logger.info("Built a %s index over %d vectors of dimension %d.", kind, len(vectors), vectors.shape[1])
        return self

    def add(self, vectors: np.ndarray) -> np.ndarray:
        """Append rows; returns their positions."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        start = len(self.vectors_)
        self.vectors_ = np.concatenate([self.vectors_, vectors])
        self.alive_ = np.concatenate([self.alive_, np.ones(len(vectors), dtype=bool)])
        if self._faiss is not None:
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
            Best first; scores are exact inner products. Every query gets exactly
            ``min(k, n_allowed)`` results.
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        mask = self.alive_ if allowed is None else (self.alive_ & np.asarray(allowed, dtype=bool))
        count = int(np.count_nonzero(mask))
        k = min(int(k), count)
        if k == 0:
            return np.empty((len(queries), 0), np.float32), np.empty((len(queries), 0), np.int64)
        unfiltered = count == len(mask)
        if self.kind_ == "exact" or count <= self.config.exact_subset_rows:
            # NumPy's product beats IndexFlatIP for a few queries (5 vs 14 ms at 100k) and matches it for batches.
            return exact_search(queries, self.vectors_, k, rows=None if unfiltered else np.flatnonzero(mask))
        scores, positions = self._faiss_search(queries, k, None if unfiltered else mask)
        short = np.flatnonzero((positions < 0).any(axis=1))
        if short.size:
            logger.debug("Falling back to exact search for %d filtered queries.", short.size)
            scores[short], positions[short] = exact_search(queries[short], self.vectors_, k, rows=np.flatnonzero(mask))
        return scores, positions

    def _faiss_search(self, queries: np.ndarray, k: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Approximate top-``k`` among rows of ``mask`` (all when None); -1 marks a missing result."""
        import faiss

        bits = None if mask is None else np.packbits(mask, bitorder="little")
        selector = None if bits is None else faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
        if self.kind_ == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(self.config.ef_search, k), sel=selector)
            scores, positions = self._faiss.search(queries, k, params=params)
            return scores, positions.astype(np.int64)
        params = faiss.SearchParametersIVF(nprobe=self.config.probe_for(self._faiss.nlist), sel=selector)
        _, candidates = self._faiss.search(queries, k * self.config.refine, params=params)
        return self._rerank(queries, candidates.astype(np.int64), k)

    def _rerank(self, queries: np.ndarray, candidates: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-``k`` of each query's candidates (``-1`` = none, kept last) by the stored vectors."""
        candidates = np.sort(candidates, axis=1)  # ascending rows read memory in order
        sims = _products_by_row(queries, self.vectors_, candidates)
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        scores, positions = np.take_along_axis(sims, top, axis=1), np.take_along_axis(candidates, top, axis=1)
        positions[np.isneginf(scores)] = -1
        return best_first(scores, positions)

    def _new_faiss(self, vectors: np.ndarray):  # noqa: ANN202 - faiss.Index or None, imported late
        """The FAISS structure for ``self.kind_``; exact search needs none (NumPy over ``vectors_``)."""
        if self.kind_ == "exact":
            return None
        import faiss

        dim = vectors.shape[1]
        if self.kind_ == "hnsw":
            index = faiss.IndexHNSWFlat(dim, self.config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = self.config.ef_construction
            return index
        lists = self.config.lists_for(len(vectors))
        index = faiss.IndexIVFPQFastScan(faiss.IndexFlatIP(dim), dim, lists, _pq_subvectors(dim), 4,
                                         faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(len(vectors), size=min(len(vectors), 64 * lists), replace=False)
        index.train(vectors[np.sort(sample)])
        return index

    def save(self, directory: Path) -> None:
        """Write ``alive.npy`` and, for approximate kinds, ``index.faiss`` into ``directory``."""
        import faiss

        if self._faiss is not None:
            faiss.write_index(self._faiss, str(directory / "index.faiss"))
        np.save(directory / "alive.npy", self.alive_, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path, vectors: np.ndarray, *, kind: str, config: IndexConfig = IndexConfig(),
             mmap: bool = False) -> "VectorIndex":
        """Read an index written by :meth:`save`; ``vectors`` are the indexed rows.

        With ``mmap`` the FAISS file is memory-mapped (read on demand) instead of read whole.
        """
        index = cls(config=config)
        index.kind_ = kind
        _load_faiss()
        index.vectors_ = vectors
        index.alive_ = persistence.load_array(directory, "alive", shape=(len(vectors),), kind="b")
        if kind == "exact":
            return index
        import faiss

        path = directory / "index.faiss"
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
        with persistence.reading(path):
            index._faiss = faiss.read_index(str(path), flags)
        if index._faiss.ntotal != len(vectors) or index._faiss.d != vectors.shape[1]:
            raise persistence.mismatch(path, f"{len(vectors)} vectors of dimension {vectors.shape[1]}",
                                       f"{index._faiss.ntotal} of dimension {index._faiss.d}")
        return index


def _pq_subvectors(dim: int) -> int:
    """Product-quantiser sub-vectors: 4 dimensions each (96 for 384), which keeps recall@100 near 0.97 at 1M."""
    return dim // 4 if dim % 4 == 0 else dim // 2 if dim % 2 == 0 else dim
