"""Package-level promises: a light import, no logging configuration, modules that import without the model."""

from __future__ import annotations

import subprocess
import sys

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

    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        recommender.Nope  # noqa: B018


def test_every_module_imports_without_the_heavy_libraries():
    """Importing any module (as doctest collection does) loads no torch, FAISS or sentence-transformers."""
    code = (
        "import importlib, pkgutil, sys\n"
        "import recommender\n"
        "for info in pkgutil.walk_packages(recommender.__path__, 'recommender.'):\n"
        "    importlib.import_module(info.name)\n"
        "heavy = [m for m in ('torch', 'faiss', 'sentence_transformers', 'openvino') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr
