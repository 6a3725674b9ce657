"""Encoding large catalogs with Ray Data: ``map_batches`` over a pool of encoder actors.

Each actor receives the encoder *unloaded* (pickled before any model is loaded) and
loads the model once, on its first batch; the model itself never travels. A plain
:class:`~recommender.embedding.Encoder` is rebuilt from its settings (model,
precision, backend, batch size, hashtag splitting, device), so even one that has
already loaded its model ships only those settings. A subclass is pickled as it
is: hand it over before it loads anything.

Texts are de-duplicated on the driver, so a caption posted many times is encoded
once, as :meth:`Encoder.encode` does. Actors do not use the encoder's on-disk
embedding cache: it is one folder written by one process at a time.

In fp32 the vectors equal ``encoder.encode(texts)`` to 2e-7. In bf16 (the default
on CPUs with native bfloat16) rounding depends on which texts share a forward
pass, as it does between two ``encode`` calls over different texts: vectors move
by up to 5e-4, cosines to ``encode``'s stay above 0.99999 (tests/scale).
"""

from __future__ import annotations

import copy
import logging
import math
from typing import Sequence

import numpy as np

from ..catalog import Catalog
from ..embedding import Encoder
from ..util import check_int
from .cluster import require_ray

logger = logging.getLogger(__name__)

__all__ = ["encode_catalog_with_ray", "encode_with_ray"]

# Input blocks at most: beyond it blocks grow instead, so that the driver holds few object references.
MAX_BLOCKS = 4096


class _EncodeBatch:
    """The Ray Data actor: one encoder, reused for every batch it is given."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"row": batch["row"], "vector": self.encoder.encode(batch["text"].tolist())}


def shippable(encoder: Encoder) -> Encoder:
    """A copy of ``encoder`` to pickle to the actors: unloaded, with no cache folder and no progress bar."""
    if type(encoder) is Encoder:
        return Encoder(encoder.model, precision=encoder.precision, backend=encoder.backend,
                       batch_size=encoder.batch_size, split_hashtags=encoder.split_hashtags,
                       show_progress_bar=False, device=encoder.device)
    clone = copy.copy(encoder)
    clone.cache_dir, clone.show_progress_bar = None, False
    return clone


def encode_with_ray(texts: Sequence[str], encoder: Encoder, *, actors: int | None = None,
                    batch_size: int = 256) -> np.ndarray:
    """Unit vectors of ``texts``, those of ``encoder.encode(texts)`` (module docstring), from a pool of Ray actors.

    Parameters
    ----------
    texts : sequence of str
        Bios, captions or briefs; empty ones give zero vectors.
    encoder : Encoder
        What embeds the texts; each actor gets its own unloaded copy (module docstring).
    actors : int, optional
        Size of the actor pool, one CPU each; default: every CPU of the cluster.
    batch_size : int
        Texts per actor call.

    Returns
    -------
    ndarray of shape (len(texts), dimension), float32, in the order of ``texts``
    """
    if isinstance(texts, str):
        raise TypeError("encode_with_ray expects a sequence of texts, got a single str; wrap it in a list.")
    check_int(actors, "actors", "encode_with_ray", optional=True)
    check_int(batch_size, "batch_size", "encode_with_ray")
    texts = list(texts)
    if not texts:
        return encoder.encode([])
    ray = require_ray()
    if not ray.is_initialized():
        raise RuntimeError("encode_with_ray needs a Ray session: call recommender.scale.connect(...) first.")
    import pyarrow as pa

    codes: dict[str, int] = {}
    inverse = np.array([codes.setdefault(t, len(codes)) for t in texts], dtype=np.int64)
    unique = list(codes)
    pool = min(actors or max(1, int(ray.cluster_resources().get("CPU", 1))), math.ceil(len(unique) / batch_size))
    block = batch_size * max(1, math.ceil(len(unique) / (batch_size * MAX_BLOCKS)))
    table = pa.table({"row": np.arange(len(unique), dtype=np.int64), "text": pa.array(unique, type=pa.string())})
    data = ray.data.from_arrow([table.slice(start, block) for start in range(0, len(unique), block)])
    vectors = data.map_batches(_EncodeBatch, fn_constructor_kwargs={"encoder": shippable(encoder)},
                               batch_size=batch_size, batch_format="numpy", num_cpus=1,
                               compute=ray.data.ActorPoolStrategy(size=pool))
    logger.info("Encoding %d distinct texts of %d on %d Ray actors.", len(unique), len(texts), pool)
    out: np.ndarray | None = None
    for batch in vectors.iter_batches(batch_format="numpy", batch_size=None):
        if out is None:
            out = np.empty((len(unique), batch["vector"].shape[1]), dtype=np.float32)
        out[batch["row"]] = batch["vector"]
    return out[inverse]


def encode_catalog_with_ray(catalog: Catalog, encoder: Encoder, **kwargs: int) -> tuple[np.ndarray, np.ndarray]:
    """Bio and caption vectors of ``catalog`` in one Ray job, for ``Recommender.fit(catalog, bio_vectors=...,
    post_vectors=...)``.

    ``kwargs`` are those of :func:`encode_with_ray` (``actors``, ``batch_size``).

    Returns
    -------
    bio_vectors, post_vectors : ndarray, float32
        Aligned with the rows of ``catalog.creators`` and ``catalog.posts``.
    """
    bios, captions = catalog.creators["bio"].tolist(), catalog.posts["caption"].tolist()
    vectors = encode_with_ray(bios + captions, encoder, **kwargs)
    return vectors[: len(bios)], vectors[len(bios):]
