"""An on-disk embedding cache keyed by model and text content.

Rebuilding a catalog where 1% of the posts are new should embed only that 1%.
Keys are SHA-1 digests of (model key, prepared text); vectors are float32. The
cache is two NumPy files per model, rewritten atomically, so a crash mid-write
never leaves a half-written cache, and nothing is pickled.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from ..util import atomic_path

logger = logging.getLogger(__name__)

__all__ = ["EmbeddingCache", "text_keys"]


def text_keys(model_key: str, texts: Sequence[str]) -> np.ndarray:
    """SHA-1 digest of each text under ``model_key``, as a ``|S20`` array."""
    prefix = model_key.encode("utf-8") + b"\x00"
    return np.array([hashlib.sha1(prefix + t.encode("utf-8")).digest() for t in texts], dtype="S20")


class EmbeddingCache:
    """Vectors already computed for a model, looked up by text key.

    Parameters
    ----------
    directory : str or Path
        Root folder; each model gets its own sub-folder.
    model_key : str
        Identity of the model and its settings (see :attr:`Encoder.cache_key`).
    """

    def __init__(self, directory: str | Path, model_key: str) -> None:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_key)[:80] + "-" + hashlib.sha1(model_key.encode()).hexdigest()[:8]
        self.path = Path(directory) / slug
        self._keys = np.empty(0, dtype="S20")
        self._vectors: np.ndarray | None = None
        self._lookup: dict[bytes, int] = {}
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        if (self.path / "keys.npy").is_file():
            self._keys = np.load(self.path / "keys.npy", allow_pickle=False)
            self._vectors = np.load(self.path / "vectors.npy", allow_pickle=False, mmap_mode="r")
            self._lookup = {k: i for i, k in enumerate(self._keys.tolist())}

    def __len__(self) -> int:
        return len(self._lookup) + sum(len(k) for k, _ in self._pending)

    def get(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Return (found mask, vectors of the found keys in order)."""
        rows = np.array([self._lookup.get(k, -1) for k in keys.tolist()], dtype=np.int64)
        found = rows >= 0
        if not found.any() or self._vectors is None:
            return found, None
        return found, np.asarray(self._vectors[rows[found]], dtype=np.float32)

    def put(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Queue new vectors; :meth:`flush` writes them."""
        if len(keys):
            self._pending.append((keys, np.asarray(vectors, dtype=np.float32)))

    def flush(self) -> None:
        """Write queued vectors to disk atomically (write aside, then rename)."""
        if not self._pending:
            return
        new_keys = np.concatenate([k for k, _ in self._pending])
        new_vectors = np.concatenate([v for _, v in self._pending])
        keep = np.array([k not in self._lookup for k in new_keys.tolist()])
        _, first = np.unique(new_keys, return_index=True)
        unique = np.zeros(len(new_keys), dtype=bool)
        unique[first] = True
        keep &= unique
        keys = np.concatenate([self._keys, new_keys[keep]])
        old = np.asarray(self._vectors) if self._vectors is not None else np.empty((0, new_vectors.shape[1]), np.float32)
        vectors = np.concatenate([old, new_vectors[keep]])
        self.path.mkdir(parents=True, exist_ok=True)
        for name, array in (("vectors.npy", vectors), ("keys.npy", keys)):
            with atomic_path(self.path / name) as tmp:
                np.save(tmp, array, allow_pickle=False)
        self._keys, self._vectors = keys, vectors
        self._lookup = {k: i for i, k in enumerate(keys.tolist())}
        self._pending = []
        logger.info("Embedding cache %s now holds %d vectors.", self.path, len(keys))
