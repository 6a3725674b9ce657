"""A saved recommender folder: the built catalog, its authenticity signals and a manifest, written atomically.

The tables, vectors and indexes are written by :meth:`~recommender.search.Corpus.save`;
the manifest says which model and settings built them, so that loading with another
model or vector size is an error that says so, and the size and SHA-256 of every
file, so that a truncated, swapped or foreign file is refused with a message naming
it. Saves into one folder take turns, and a killed one leaves the previous folder
readable (:mod:`recommender.util.persistence`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from .catalog import EngagementModel, Tier, TierScheme
from .embedding import Encoder, QueryConfig, Representation, openvino_available
from .ranking import RankingWeights, RelevanceFloor
from .search import Corpus, IndexConfig
from .util import IndexMismatchError, persistence

__all__ = ["encoder_from", "load", "manifest", "save", "settings_from"]

logger = logging.getLogger(__name__)

_VERSIONED = ("recommender", "sentence-transformers", "faiss-cpu", "numpy", "pandas")
_REQUIRED = ("model", "precision", "split_hashtags", "dimension", "counts", "index_kind", "tiers", "representation",
             "weights", "engagement", "index", "query", "candidates")


def manifest(corpus: Corpus, encoder: Encoder, settings: dict[str, Any]) -> dict[str, Any]:
    """The manifest of a folder holding ``corpus``, built with ``encoder`` and the Recommender ``settings``
    (``index``, ``representation``, ``weights``, ``engagement``, ``query``, ``tiers``, ``candidates``, ``floor``)."""
    versions = {}
    for package in _VERSIONED:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "format_version": persistence.FORMAT_VERSION,
        "model": encoder.model,
        "precision": encoder.precision,
        "backend": encoder.backend,
        "split_hashtags": encoder.split_hashtags,
        "dimension": int(corpus.creator_vectors.shape[1]),
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": versions,
        "counts": {"creators": len(corpus), "rows": len(corpus.creators), "posts": len(corpus.posts)},
        "index_kind": corpus.index.kind_,
        **{name: asdict(settings[name]) for name in ("index", "representation", "weights", "engagement", "query")},
        "tiers": [asdict(t) for t in settings["tiers"].tiers],
        "candidates": settings["candidates"],
        "floor": asdict(settings["floor"]),
    }


def settings_from(manifest: dict[str, Any]) -> dict[str, Any]:
    """The Recommender constructor's settings recorded in a manifest (without the encoder)."""
    return {
        "tiers": TierScheme(tuple(Tier(**t) for t in manifest["tiers"])),
        "representation": Representation(**manifest["representation"]),
        "weights": RankingWeights(**manifest["weights"]),
        "engagement": EngagementModel(**manifest["engagement"]),
        "index": IndexConfig(**manifest["index"]),
        "query": QueryConfig(**manifest["query"]),
        "candidates": manifest["candidates"],
        "floor": RelevanceFloor(**manifest.get("floor", {})),
    }


def encoder_from(manifest: dict[str, Any], encoder: Encoder | str | None, path: Path) -> Encoder:
    """The encoder to load ``path`` with: ``encoder`` when given (it must be the manifest's model), else the
    manifest's model, precision and backend (the backend where it can run here: vectors agree to ~1e-3 across
    backends).

    Raises
    ------
    IndexMismatchError
        If ``encoder`` is another model.
    """
    if encoder is None:
        backend = manifest.get("backend", "auto")
        backend = backend if backend != "openvino" or openvino_available() else "auto"
        encoder = Encoder(manifest["model"], precision=manifest["precision"], split_hashtags=manifest["split_hashtags"],
                          backend=backend)
    elif not isinstance(encoder, Encoder):
        encoder = Encoder(encoder)
    if encoder.model != manifest["model"]:
        raise IndexMismatchError(
            f"{path}: built with model {manifest['model']!r} (dimension {manifest['dimension']}), "
            f"but the encoder given is {encoder.model!r}; load it with the model it was built with, or rebuild."
        )
    return encoder


def save(path: Path, corpus: Corpus, encoder: Encoder, authenticity: pd.DataFrame, settings: dict[str, Any], *,
         lock_timeout: float = persistence.LOCK_TIMEOUT_S) -> Path:
    """Write the folder atomically (a failed save leaves an existing one intact); see :func:`manifest`.

    Waits up to ``lock_timeout`` seconds for another save into ``path`` to finish.
    """
    with persistence.atomic_directory(path, lock_timeout=lock_timeout) as tmp:
        corpus.save(tmp)
        # Saved so that loading a large catalog does not pay for them (about 20 s at 1M creators).
        persistence.save_frame(tmp, "authenticity", authenticity)
        persistence.write_manifest(tmp, manifest(corpus, encoder, settings))
    logger.info("Saved recommender to %s.", path)
    return path


def load(path: Path, *, encoder: Encoder | str | None, mmap: bool, verify: bool = False) -> tuple[
        Encoder, dict[str, Any], Corpus, pd.DataFrame | None]:
    """Read a folder: the encoder (:func:`encoder_from`), the Recommender settings, the built catalog, and the
    saved authenticity signals (``None`` in folders saved before they were kept).

    Every file is checked against the manifest before it is read (:func:`~recommender.util.persistence.verify_files`:
    sizes, and hashes in full for folders up to 2 GiB; ``verify`` hashes large or memory-mapped folders in full
    too), and every table and array against the manifest's counts and dimension. A folder missing because a save
    was killed while replacing it is read from the previous build left beside it.

    Raises
    ------
    FileNotFoundError
        If ``path`` holds no saved recommender.
    IndexMismatchError
        If ``encoder`` is another model, the manifest is damaged or of another format version, or a file is
        missing, truncated, damaged, or disagrees with the manifest (naming it, with what was expected and found).
    """
    path = persistence.locate(path)
    manifest = persistence.read_manifest(path)
    missing = [key for key in _REQUIRED if key not in manifest]
    try:
        if missing:
            raise KeyError(", ".join(missing))
        settings = settings_from(manifest)
        counts = {"rows": int(manifest["counts"]["rows"]), "posts": int(manifest["counts"]["posts"]),
                  "dimension": int(manifest["dimension"])}
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexMismatchError(f"{path / 'manifest.json'}: an entry is missing or malformed ({type(exc).__name__}: "
                                 f"{exc}); the folder is damaged, rebuild it.") from None
    persistence.verify_files(path, manifest, full=verify, mmap=mmap)
    encoder = encoder_from(manifest, encoder, path)
    corpus = Corpus.load(path, kind=str(manifest["index_kind"]), index=settings["index"], scheme=settings["tiers"],
                         engagement=settings["engagement"], mmap=mmap, counts=counts)
    kept = path / "authenticity.parquet"
    authenticity = persistence.load_frame(path, "authenticity", rows=counts["rows"]) if kept.is_file() else None
    return encoder, settings, corpus, authenticity
