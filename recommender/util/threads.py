"""Running per-brief work side by side on the CPUs this process may use.

Ranking a brief is gathers and products in NumPy, SciPy and FAISS, which release
the GIL, so threads share the work of a batch without copying the catalog
(docs/performance.md).
"""

from __future__ import annotations

import functools
import os
from typing import Callable, ContextManager, Iterator, Sequence, TypeVar

__all__ = ["one_blas_thread", "parallel_map", "usable_cpus"]

T = TypeVar("T")
R = TypeVar("R")


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity where the OS reports one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def parallel_map(fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    """``fn`` of each item, in order, on one thread per usable CPU; inline for one item or one CPU."""
    workers = min(len(items), usable_cpus())
    if workers < 2:
        yield from map(fn, items)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="recommender") as pool:
        yield from pool.map(fn, items)


def one_blas_thread() -> ContextManager:
    """A context in which BLAS libraries (NumPy's, SciPy's, FAISS's) run on one thread.

    Idle BLAS threads spin after each product and slow a torch forward pass that
    follows (26 against 50 ms a brief at 100k creators, docs/performance.md).
    """
    return _blas_pools().limit(limits=1)


@functools.cache
def _blas_pools():  # noqa: ANN202 - threadpoolctl.ThreadpoolController, imported late
    """BLAS thread pools, found once: finding them takes 2-3 ms, too much for every brief.

    Pools of libraries loaded later are not included; by the first search, NumPy's,
    SciPy's and FAISS's are loaded.
    """
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")
