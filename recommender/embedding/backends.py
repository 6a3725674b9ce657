"""Inference backends that run a sentence-transformers model: texts in, raw vectors out.

:class:`~recommender.embedding.encoder.Encoder` prepares, deduplicates and caches texts; a
backend only turns a list of texts into vectors. Two exist:

* ``torch``: the model as sentence-transformers runs it. In bf16 its linear
  weights are stored in bfloat16 once and it runs under bf16 autocast.
* ``openvino``: the same model (tokenizer, transformer, pooling and any dense or
  normalisation layers) converted once per process to an OpenVINO graph. On CPUs
  with native bfloat16 it embeds a brief's phrases about twice as fast as torch
  and bulk text 1.2-1.4x as fast, keeping as many top-10 neighbours of fp32
  (docs/performance.md).
"""

from __future__ import annotations

import logging
import sys
import warnings
from typing import Any, Literal, Sequence

import numpy as np

from ..util import normalise

logger = logging.getLogger(__name__)

__all__ = ["TorchBackend", "OpenVINOBackend", "openvino_available"]

Precision = Literal["fp32", "bf16"]


def _openvino():  # noqa: ANN202 - the openvino module, imported late
    """The ``openvino`` module, imported with its usage telemetry off.

    OpenVINO's model converter sends usage events unless the user has opted out;
    each send forks a process that tries the network, and a fork while another
    thread is inside OpenBLAS can deadlock the process (it hung a benchmark here).
    This package works offline and sends nothing: with ``openvino_telemetry``
    marked unimportable, OpenVINO uses its own no-op stub. A process that imported
    OpenVINO before is left as it is.
    """
    if "openvino" not in sys.modules:
        sys.modules.setdefault("openvino_telemetry", None)
    import openvino

    return openvino


def openvino_available() -> bool:
    """Whether the ``openvino`` package can be imported."""
    import importlib.util

    return importlib.util.find_spec("openvino") is not None


class TorchBackend:
    """Run ``model`` (a ``SentenceTransformer``) with torch.

    In bf16 the linear layers' weights are converted to bfloat16 once: under
    autocast each layer would otherwise cast its float32 weights on every call,
    which for a short query costs more than the arithmetic. Autocast's cast of a
    tensor that is already bfloat16 does nothing, so the vectors are bit-identical
    to casting on every call.
    """

    def __init__(self, model: Any, *, precision: Precision, device: str) -> None:
        import torch

        self.model = model
        self.precision = precision
        self.device_type = torch.device(device).type
        if precision == "bf16":
            for module in model.modules():
                if isinstance(module, torch.nn.Linear):
                    module.to(torch.bfloat16)

    def embed(self, texts: list[str], *, batch_size: int, progress: bool) -> np.ndarray:
        """Unit vectors of ``texts``, float32."""
        import torch

        with torch.inference_mode(), torch.autocast(self.device_type, dtype=torch.bfloat16,
                                                    enabled=self.precision == "bf16"):
            vectors = self.model.encode(texts, batch_size=batch_size, show_progress_bar=progress,
                                        convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


class OpenVINOBackend:
    """Run ``model`` (a ``SentenceTransformer``) as an OpenVINO graph on the CPU.

    The model's whole forward pass, from token ids to the sentence embedding, is
    traced once; texts are tokenised by the model's own tokenizer, sorted by length
    and run in batches, as sentence-transformers does.

    A call of one batch (a brief's phrases) runs on a graph compiled for latency,
    all cores on one request. Longer calls run on a second compilation for
    throughput (one core a request, requests side by side, tokenising the next
    batch meanwhile): 1.2x the texts a second. Both give bit-identical vectors.

    Raises
    ------
    ImportError
        Without the ``openvino`` package.
    RuntimeError
        When the model cannot be converted (an architecture OpenVINO does not support).
    """

    def __init__(self, model: Any, *, precision: Precision) -> None:
        import torch

        openvino = _openvino()
        self._preprocess = getattr(model, "preprocess", None) or model.tokenize
        example = self._features(["an example text", "another"])
        self.inputs = list(example)
        forward = _traceable(model, self.inputs)
        try:
            # Tracing warns about the shape checks it freezes (mask length equals sequence length, true of
            # every tokenised input) and about its own deprecation; none of it concerns the user.
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                graph = openvino.convert_model(forward, example_input=tuple(example.values()))
        except Exception as exc:  # noqa: BLE001 - any tracing failure means "not supported"
            raise RuntimeError(f"OpenVINO cannot convert this model: {type(exc).__name__}: {exc}") from exc
        logger.info("Converted the model to OpenVINO (%s, %d inputs).", precision, len(self.inputs))
        self._graph = graph
        self._precision = "bf16" if precision == "bf16" else "f32"
        self.compiled = self._compile("LATENCY")
        self._bulk = None  # compiled for throughput on the first call of several batches

    def embed(self, texts: list[str], *, batch_size: int, progress: bool) -> np.ndarray:
        """Unit vectors of ``texts``, float32."""
        from tqdm.auto import tqdm

        if len(texts) <= batch_size:
            out = self.compiled(self._arrays(texts))[0]
        else:
            order = np.argsort([-len(t) for t in texts], kind="stable")  # longest first, as sentence-transformers
            batches = [order[start:start + batch_size] for start in range(0, len(texts), batch_size)]
            if self._bulk is None:
                self._bulk = self._compile("THROUGHPUT")
            out = np.empty((len(texts), self.compiled.output(0).get_partial_shape()[1].get_length()), np.float32)
            queue = _openvino().AsyncInferQueue(self._bulk)
            queue.set_callback(lambda request, rows: out.__setitem__(rows, request.get_output_tensor(0).data))
            for rows in tqdm(batches, desc="Batches", disable=not progress):
                queue.start_async(self._arrays([texts[i] for i in rows]), rows)
            queue.wait_all()
        return normalise(out)

    def _compile(self, hint: str) -> Any:  # an openvino.CompiledModel
        config = {"INFERENCE_PRECISION_HINT": self._precision, "PERFORMANCE_HINT": hint}
        return _openvino().Core().compile_model(self._graph, "CPU", config)

    def _arrays(self, texts: list[str]) -> list[np.ndarray]:
        features = self._features(texts)
        return [features[name].numpy() for name in self.inputs]

    def _features(self, texts: Sequence[str]) -> dict[str, Any]:
        features = self._preprocess(list(texts))
        return {name: value for name, value in features.items() if hasattr(value, "numpy")}


def _traceable(model: Any, inputs: list[str]) -> Any:  # a torch.nn.Module, built late
    """``model``'s forward pass from positional tensors (in the order of ``inputs``) to the sentence embedding."""
    import torch

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(dict(zip(inputs, tensors)))["sentence_embedding"]

    return SentenceEmbedding().eval()
