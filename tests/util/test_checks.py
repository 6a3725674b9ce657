"""Tests of recommender.util.checks: the argument checks behind the package's error messages."""

from __future__ import annotations

import re

import numpy as np
import pytest

from recommender.util.checks import check_int, check_number


@pytest.mark.parametrize("value", [0, -3, 1.5, "2", True, None])
def test_check_int_refuses_anything_but_an_int_at_or_above_the_minimum(value):
    with pytest.raises(ValueError, match=rf"^The 'k' parameter of f must be an int >= 1\. Got {re.escape(repr(value))} instead\.$"):
        check_int(value, "k", "f")


def test_check_int_accepts_numpy_ints_minimum_and_optional_none():
    assert check_int(np.int64(3), "k", "f") == 3 and isinstance(check_int(np.int64(3), "k", "f"), int)
    assert check_int(0, "n", "f", minimum=0) == 0
    assert check_int(None, "n", "f", optional=True) is None
    with pytest.raises(ValueError, match="must be an int >= 1 or None. Got 0 instead"):
        check_int(0, "n", "f", optional=True)


@pytest.mark.parametrize(("value", "bounds", "allowed"), [
    (0, {"above": 0}, "a number > 0"),
    (-1, {"minimum": 0}, "a number >= 0"),
    (1.5, {"minimum": 0, "maximum": 1}, "a number in [0, 1]"),
    (1, {"above": 0, "below": 1}, "a number in (0, 1)"),
    (1.0, {"minimum": 0, "below": 1}, "a number in [0, 1)"),
    (float("nan"), {}, "a number"),
    (True, {"minimum": 0}, "a number >= 0"),
    ("5", {"above": 1}, "a number > 1"),
    (float("inf"), {"above": 0, "finite": True}, "a number > 0"),
    (2, {"maximum": 1, "optional": True}, "a number <= 1 or None"),
])
def test_check_number_refuses_values_outside_the_bounds(value, bounds, allowed):
    message = rf"^The 'x' parameter of f must be {re.escape(allowed)}\. Got {re.escape(repr(value))} instead\.$"
    with pytest.raises(ValueError, match=message):
        check_number(value, "x", "f", **bounds)


def test_check_number_accepts_bounds_numpy_numbers_infinity_and_optional_none():
    assert check_number(0, "x", "f", minimum=0, maximum=1) == 0.0 and check_number(1, "x", "f", maximum=1) == 1.0
    assert check_number(np.float32(0.5), "x", "f", above=0, below=1) == 0.5
    assert isinstance(check_number(np.int64(3), "x", "f"), float)
    assert check_number(float("inf"), "x", "f", above=0) == float("inf")
    assert check_number(None, "x", "f", optional=True) is None
