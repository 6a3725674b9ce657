"""Encoder contract, text preparation and the embedding cache."""

from __future__ import annotations

import importlib.machinery
import sys
import types

import numpy as np
import pytest

from recommender.embedding.cache import EmbeddingCache, text_keys
from recommender.embedding.encoder import Encoder
from recommender.embedding.text import prepare_text, split_hashtag

from ..conftest import HashingEncoder


class CountingEncoder(HashingEncoder):
    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.cache_dir = kwargs.get("cache_dir")
        self.embedded: list[str] = []

    def _embed(self, texts):
        self.embedded.extend(texts)
        return super()._embed(texts)


def test_encode_contract(fake_encoder):
    vectors = fake_encoder.encode(["vegan food", "", "gaming pc", "vegan food"])
    assert vectors.shape == (4, 64) and vectors.dtype == np.float32
    assert not vectors[1].any()
    np.testing.assert_allclose(np.linalg.norm(vectors[[0, 2]], axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(vectors[0], vectors[3])
    with pytest.raises(TypeError, match="expects a sequence of texts, got a single str"):
        fake_encoder.encode("vegan food")


def test_cache_embeds_only_new_text(tmp_path):
    first = CountingEncoder(cache_dir=tmp_path)
    before = first.encode([f"post number {i}" for i in range(100)])
    assert len(first.embedded) == 100
    second = CountingEncoder(cache_dir=tmp_path)        # a later run, same cache folder
    after = second.encode([f"post number {i}" for i in range(101)])
    assert second.embedded == ["post number 100"]
    np.testing.assert_array_equal(after[:100], before)


def test_cache_is_keyed_by_model_settings(tmp_path):
    keys_a = text_keys("model-a|fp32", ["hello"])
    keys_b = text_keys("model-b|fp32", ["hello"])
    assert keys_a[0] != keys_b[0]
    cache = EmbeddingCache(tmp_path, "model-a|fp32")
    cache.put(keys_a, np.ones((1, 3), np.float32))
    cache.flush()
    found, vectors = EmbeddingCache(tmp_path, "model-a|fp32").get(keys_a)
    assert found.tolist() == [True] and vectors.tolist() == [[1.0, 1.0, 1.0]]
    assert EmbeddingCache(tmp_path, "model-b|fp32").get(keys_b)[0].tolist() == [False]
    assert Encoder("x", precision="fp32").cache_key != Encoder("x", precision="bf16").cache_key
    assert Encoder("x").precision in ("fp32", "bf16")  # 'auto' resolves to what this CPU runs natively


def test_text_preparation():
    assert prepare_text("Try it: https://shop.example/x?y=1 @brand.co #PlantBased #ootd") == "Try it: Plant Based ootd"
    assert split_hashtag("skincareroutine") == "skin care routine"
    assert split_hashtag("テスト") == "テスト"
    assert prepare_text("🌿✨") == "🌿✨"


def test_encoder_rejects_bad_settings():
    with pytest.raises(ValueError, match="'precision' parameter of Encoder must be 'auto', 'fp32' or 'bf16'. Got 'fp8'"):
        Encoder(precision="fp8")
    with pytest.raises(ValueError, match="'backend' parameter of Encoder must be 'auto', 'openvino' or 'torch'. Got 'onnx'"):
        Encoder(backend="onnx")
    with pytest.raises(ValueError, match=r"Encoder\(backend='openvino'\) runs on the CPU; got device='cuda'"):
        Encoder(backend="openvino", device="cuda")
    assert Encoder(device="cuda").backend == "torch"
    with pytest.raises(ValueError, match="'batch_size' parameter of Encoder must be an int >= 1. Got 0"):
        Encoder(batch_size=0)


@pytest.mark.integration
def test_real_model_offline_and_bf16_keeps_neighbours():
    texts = ["vegan lentil curry recipe", "plant based dinner ideas", "leg day at the gym", "marathon training plan",
             "new phone camera review", "building a gaming pc", "beach sunset in Bali", "budget backpacking Europe"]
    fp32 = Encoder(precision="fp32").encode(texts)
    bf16 = Encoder(precision="bf16").encode(texts)
    assert fp32.shape == (8, 384) and Encoder().dimension == 384
    sims32, sims16 = fp32 @ fp32.T, bf16 @ bf16.T
    np.fill_diagonal(sims32, -1)
    np.fill_diagonal(sims16, -1)
    assert (sims32.argmax(axis=1) == sims16.argmax(axis=1)).mean() >= 0.85
    assert sims32[0, 1] > sims32[0, 2]  # two food texts are closer than food and fitness


@pytest.mark.integration
def test_torch_bf16_weights_stored_once_give_the_vectors_of_autocast():
    import torch

    texts = ["vegan lentil curry recipe", "leg day at the gym", "building a gaming pc with a tiny case"]
    bf16 = Encoder(precision="bf16", backend="torch")
    vectors = bf16.encode(texts, prepare=False)
    linear = next(m for m in bf16._load().modules() if isinstance(m, torch.nn.Linear))
    assert linear.weight.dtype == torch.bfloat16
    fp32_model = Encoder(precision="fp32", backend="torch")._load()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        cast_each_call = fp32_model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)
    np.testing.assert_array_equal(vectors, cast_each_call.astype(np.float32))


@pytest.mark.integration
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_openvino_backend_gives_the_vectors_of_torch(precision):
    texts = ["vegan lentil curry recipe", "plant based dinner ideas", "leg day at the gym", "marathon training plan",
             "new phone camera review", "building a gaming pc", "beach sunset in Bali", "budget backpacking Europe",
             "a much longer caption about slow travel by train through the mountains, with a few #hashtags"]
    torch_vectors = Encoder(precision=precision, backend="torch").encode(texts)
    openvino = Encoder(precision=precision, backend="openvino", batch_size=4)
    vectors = openvino.encode(texts)
    assert repr(openvino).endswith("backend='openvino')") and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.min() > (0.99999 if precision == "fp32" else 0.999), cosines


class _UnconvertibleEncoder(Encoder):
    """An encoder whose model OpenVINO cannot convert; torch "runs" it (no model is loaded)."""

    def _load(self) -> str:
        return "model"

    def _make_backend(self, kind, model):  # noqa: ANN001, ANN202
        if kind == "openvino":
            raise RuntimeError("OpenVINO cannot convert this model: NotImplementedError: op")
        return ("torch runner", {"precision": self.precision, "device": self.device})


def test_auto_backend_falls_back_to_torch_for_a_model_openvino_cannot_convert(monkeypatch, caplog):
    # OpenVINO present (a package spec is all openvino_available looks for).
    monkeypatch.setitem(sys.modules, "openvino", types.ModuleType("openvino"))
    sys.modules["openvino"].__spec__ = importlib.machinery.ModuleSpec("openvino", None)
    auto = _UnconvertibleEncoder("some/model", precision="fp32")
    assert auto.backend == "openvino"
    with caplog.at_level("WARNING", logger="recommender.embedding.encoder"):
        assert auto._backend() == ("torch runner", {"precision": "fp32", "device": "cpu"})
    assert auto.backend == "torch" and "cannot convert this model" in caplog.text
    with pytest.raises(RuntimeError, match="OpenVINO cannot convert this model"):
        _UnconvertibleEncoder("some/model", backend="openvino")._backend()


def test_openvino_is_imported_with_its_telemetry_off():
    """OpenVINO's converter would fork processes that send usage events; the package sends nothing."""
    import subprocess
    import sys

    code = ("import sys; from recommender.embedding.backends import _openvino; _openvino(); "
            "from openvino.tools.ovc import telemetry_utils; "
            "print(sys.modules['openvino_telemetry'], telemetry_utils.tm.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["None", "openvino.tools.ovc.telemetry_stub"]
