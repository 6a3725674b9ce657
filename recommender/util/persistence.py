"""Saving a recommender as a directory, atomically and without pickle.

Layout: ``manifest.json`` (model, dimension, versions, settings, counts),
``creators.parquet``, ``posts.parquet``, ``*.npy`` vectors, ``alive.npy`` and, for an
approximate index, ``index.faiss``. A save writes everything into a sibling temporary folder and then
renames it into place, so an interrupted save or a failed build never leaves a
half-written recommender where a good one was.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from .errors import IndexMismatchError
from .files import atomic_path

__all__ = ["FORMAT_VERSION", "atomic_directory", "read_manifest", "save_array", "load_array", "save_frame", "load_frame"]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` only if the block succeeds.

    A folder at ``target`` that is neither empty nor a saved recommender is never replaced.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target, directory=True) as tmp:
        yield tmp
        if target.exists() and not (target / MANIFEST).is_file() and any(target.iterdir()):
            raise FileExistsError(f"{target}: exists and is not a saved recommender; refusing to replace it.")


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` (pretty, sorted keys)."""
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str), encoding="utf-8")


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """Read and check ``manifest.json`` of a saved recommender."""
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{directory}: not a saved recommender (no {MANIFEST}); build one with 'recommender build'.")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{path}: saved with format version {version}, this version of recommender reads {FORMAT_VERSION}; rebuild it."
        )
    return manifest


def save_array(directory: Path, name: str, array: np.ndarray) -> None:
    np.save(directory / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)


def load_array(directory: Path, name: str, *, mmap: bool = False) -> np.ndarray:
    return np.load(directory / f"{name}.npy", allow_pickle=False, mmap_mode="r" if mmap else None)


def save_frame(directory: Path, name: str, frame: pd.DataFrame) -> None:
    """Write a DataFrame to Parquet; mixed-type metadata columns are stored as text."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            kinds = {type(x) for x in frame[column].dropna()}
            if len(kinds) > 1 or (kinds and not kinds <= {str}):
                frame[column] = frame[column].map(lambda x: x if x is None or isinstance(x, str) else str(x))
        elif isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(str)
    frame.to_parquet(directory / f"{name}.parquet", index=False)


def load_frame(directory: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(directory / f"{name}.parquet")
