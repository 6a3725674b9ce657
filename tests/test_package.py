"""Package-level promises: a light import and no logging configuration."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest


def test_import_is_light_and_leaves_logging_alone():
    code = (
        "import logging, sys\n"
        "before = list(logging.root.handlers)\n"
        "import recommender\n"
        "from recommender import Recommender, BrandBrief, load_catalog\n"
        "heavy = [m for m in ('torch', 'faiss', 'sentence_transformers', 'sklearn', 'matplotlib') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert logging.root.handlers == before\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


def test_unknown_attribute_is_an_attribute_error():
    import recommender
    import pytest

    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        recommender.Nope  # noqa: B018


@pytest.mark.parametrize("value", [0, -3, 1.5, "2", True, None])
def test_check_int_refuses_anything_but_an_int_at_or_above_the_minimum(value):
    from recommender.util.checks import check_int

    with pytest.raises(ValueError, match=rf"^The 'k' parameter of f must be an int >= 1\. Got {re.escape(repr(value))} instead\.$"):
        check_int(value, "k", "f")


def test_check_int_accepts_numpy_ints_minimum_and_optional_none():
    from recommender.util.checks import check_int

    assert check_int(np.int64(3), "k", "f") == 3 and isinstance(check_int(np.int64(3), "k", "f"), int)
    assert check_int(0, "n", "f", minimum=0) == 0
    assert check_int(None, "n", "f", optional=True) is None
    with pytest.raises(ValueError, match="must be an int >= 1 or None. Got 0 instead"):
        check_int(0, "n", "f", optional=True)
