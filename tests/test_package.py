"""Package-level promises: a light import, no logging configuration, modules that import without the model."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run_light(code: str, heavy: tuple[str, ...]) -> None:
    """Run ``code`` in a fresh interpreter, then assert that none of the ``heavy`` modules were imported."""
    check = f"import sys\nheavy = [m for m in {heavy!r} if m in sys.modules]\nassert not heavy, heavy\nprint('ok')\n"
    result = subprocess.run([sys.executable, "-c", code + check], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


def test_import_is_light_and_leaves_logging_alone():
    _run_light("import logging\nbefore = list(logging.root.handlers)\nimport recommender\n"
               "from recommender import Recommender, BrandBrief, load_catalog\n"
               "assert logging.root.handlers == before\n",
               ("torch", "faiss", "sentence_transformers", "sklearn", "matplotlib", "ray"))


def test_unknown_attribute_is_an_attribute_error():
    import recommender

    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        recommender.Nope  # noqa: B018


def test_every_module_imports_without_the_heavy_libraries():
    """Importing any module (as doctest collection does) loads no torch, FAISS or sentence-transformers."""
    _run_light("import importlib, pkgutil\nimport recommender\n"
               "for info in pkgutil.walk_packages(recommender.__path__, 'recommender.'):\n"
               "    importlib.import_module(info.name)\n",
               ("torch", "faiss", "sentence_transformers", "openvino", "ray"))
