"""Progress bars for long loops, shown only where someone watches."""

from __future__ import annotations

import sys
from typing import Iterable, TypeVar

__all__ = ["progress"]

T = TypeVar("T")


def progress(items: Iterable[T], *, enabled: bool | None, unit: str, total: int) -> Iterable[T]:
    """``items`` behind a tqdm bar when ``enabled``; ``None`` means when there are 20 or more and stderr is a terminal.

    >>> list(progress(range(3), enabled=None, unit="briefs", total=3))
    [0, 1, 2]
    """
    if enabled is None:
        enabled = total >= 20 and sys.stderr.isatty()
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, unit=unit, total=total)
