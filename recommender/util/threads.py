"""Running per-brief work side by side on the CPUs this process may use.

Ranking a brief is gathers and products in NumPy, SciPy and FAISS, which release
the GIL, so threads share the work of a batch without copying the catalog
(docs/performance.md).
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, Sequence, TypeVar

__all__ = ["parallel_map", "usable_cpus"]

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
