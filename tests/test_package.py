"""Package-level promises: a light import and no logging configuration."""

from __future__ import annotations

import subprocess
import sys


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
