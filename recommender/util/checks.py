"""Checks of function and constructor parameters, with the package's one message template."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_int"]


def check_int(value: Any, name: str, where: str, *, minimum: int = 1, optional: bool = False) -> int | None:
    """``value`` as an int after checking it is an integer >= ``minimum`` (bools refused).

    With ``optional``, None is accepted and returned.

    >>> check_int(0, "k", "Recommender.recommend_batch")
    Traceback (most recent call last):
    ...
    ValueError: The 'k' parameter of Recommender.recommend_batch must be an int >= 1. Got 0 instead.
    """
    if optional and value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        allowed = f"an int >= {minimum}" + (" or None" if optional else "")
        raise ValueError(f"The '{name}' parameter of {where} must be {allowed}. Got {value!r} instead.")
    return int(value)
