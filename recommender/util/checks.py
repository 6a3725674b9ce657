"""Checks of function and constructor parameters, with the package's one message template."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

__all__ = ["check_int", "check_number"]


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


def check_number(value: Any, name: str, where: str, *, minimum: float | None = None, above: float | None = None,
                 maximum: float | None = None, below: float | None = None, finite: bool = False,
                 optional: bool = False) -> float | None:
    """``value`` as a float after checking it is a real number within the bounds (bools and NaN refused).

    ``minimum`` and ``maximum`` are inclusive bounds, ``above`` and ``below`` exclusive
    ones (give at most one of each pair). With ``finite``, infinities are refused
    too; with ``optional``, None is accepted and returned.

    >>> check_number(1.5, "trade_off", "mmr", minimum=0, maximum=1)
    Traceback (most recent call last):
    ...
    ValueError: The 'trade_off' parameter of mmr must be a number in [0, 1]. Got 1.5 instead.
    >>> check_number(0, "budget", "Planner", above=0, finite=True)
    Traceback (most recent call last):
    ...
    ValueError: The 'budget' parameter of Planner must be a number > 0. Got 0 instead.
    """
    if optional and value is None:
        return None
    lower = minimum if minimum is not None else above
    upper = maximum if maximum is not None else below
    ok = not isinstance(value, (bool, np.bool_)) and isinstance(value, Real) and not math.isnan(value)
    if ok:
        ok = ((lower is None or (value >= lower if minimum is not None else value > lower))
              and (upper is None or (value <= upper if maximum is not None else value < upper))
              and (not finite or math.isfinite(value)))
    if not ok:
        if lower is not None and upper is not None:
            left, right = "[" if minimum is not None else "(", "]" if maximum is not None else ")"
            allowed = f"a number in {left}{lower:g}, {upper:g}{right}"
        elif lower is not None:
            allowed = f"a number {'>=' if minimum is not None else '>'} {lower:g}"
        elif upper is not None:
            allowed = f"a number {'<=' if maximum is not None else '<'} {upper:g}"
        else:
            allowed = "a number"
        allowed += " or None" if optional else ""
        raise ValueError(f"The '{name}' parameter of {where} must be {allowed}. Got {value!r} instead.")
    return float(value)
