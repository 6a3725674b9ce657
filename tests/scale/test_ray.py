"""The Ray backend on a 2-CPU local cluster (``ray_session``, conftest.py): the same vectors and neighbours as the
single-machine path."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender import BrandBrief, Recommender
from recommender.catalog import load_catalog
from recommender.scale import RaySearch, connect, encode_catalog_with_ray, encode_with_ray
from recommender.scale.shards import merge_top_k
from recommender.search import IndexConfig, VectorIndex

DATA = Path(__file__).resolve().parents[2] / "data"


def unit_rows(rng: np.random.Generator, rows: int, dim: int) -> np.ndarray:
    vectors = rng.normal(size=(rows, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return unit_rows(np.random.default_rng(7), 2_000, 32)


@pytest.fixture(scope="module")
def sharded(ray_session, vectors):
    """Three shards of about 667 rows each, exact search."""
    with RaySearch(vectors, shards=3, config=IndexConfig(kind="exact")) as search:
        yield search


# ------------------------------------------------------------------ connect
def test_connect_checks_its_arguments_before_touching_ray():
    with pytest.raises(ValueError, match="The 'address' parameter of connect must be 'auto', 'local'"):
        connect("")
    with pytest.raises(ValueError, match="The 'num_cpus' parameter of connect must be None unless address='local'"):
        connect("auto", num_cpus=2)
    with pytest.raises(ValueError, match="The 'num_cpus' parameter of connect must be an int >= 1 or None"):
        connect("local", num_cpus=0)


def test_without_ray_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r"pip install 'recommender\[ray\]'"):
        connect("local")
    with pytest.raises(ImportError, match=r"pip install 'recommender\[ray\]'"):
        RaySearch(np.eye(4, dtype=np.float32), shards=2)


def test_connect_keeps_the_running_session(ray_session):
    before = ray_session.cluster_resources()["CPU"]
    connect("auto")
    connect("local", num_cpus=1)
    assert ray_session.is_initialized() and ray_session.cluster_resources()["CPU"] == before == 2


# ----------------------------------------------------------------- encoding
def test_encode_with_ray_equals_encode_in_order(ray_session, fake_encoder):
    texts = [f"vegan curry #plantbased day {i % 7}" if i % 3 else f"gym leg workout {i}" for i in range(150)]
    texts[5] = texts[40] = ""
    out = encode_with_ray(texts, fake_encoder, actors=2, batch_size=16)
    assert out.dtype == np.float32 and out.shape == (150, fake_encoder.dimension)
    np.testing.assert_allclose(out, fake_encoder.encode(texts), atol=1e-6)
    assert not out[[5, 40]].any()
    assert encode_with_ray([], fake_encoder).shape == (0, fake_encoder.dimension)
    with pytest.raises(TypeError, match="wrap it in a list"):
        encode_with_ray("one text", fake_encoder)


def test_encode_catalog_with_ray_is_aligned_with_the_catalog_rows(ray_session, planted, fake_encoder):
    catalog = load_catalog(*planted)
    bios, captions = encode_catalog_with_ray(catalog, fake_encoder, actors=2, batch_size=64)
    np.testing.assert_allclose(bios, fake_encoder.encode(catalog.creators["bio"].tolist()), atol=1e-6)
    np.testing.assert_allclose(captions, fake_encoder.encode(catalog.posts["caption"].tolist()), atol=1e-6)
    from_ray = Recommender(encoder=fake_encoder).fit(catalog, bio_vectors=bios, post_vectors=captions)
    encoded = Recommender(encoder=fake_encoder).fit(catalog)
    brief = "gym leg workout day 1"
    pd.testing.assert_frame_equal(from_ray.recommend(brief, k=10), encoded.recommend(brief, k=10))


# ------------------------------------------------------------------- search
def test_merge_keeps_the_global_best_and_breaks_ties_by_lower_position():
    scores, positions = merge_top_k([np.array([[0.5, 0.2]]), np.array([[0.5, 0.4]])],
                                    [np.array([[7, 1]]), np.array([[3, 9]])], 3)
    np.testing.assert_array_equal(positions, [[3, 7, 9]])
    np.testing.assert_array_equal(scores, [[0.5, 0.5, 0.4]])


def test_sharded_search_equals_one_index(sharded, vectors):
    queries = unit_rows(np.random.default_rng(1), 40, vectors.shape[1])
    index = VectorIndex(config=IndexConfig(kind="exact")).build(vectors)
    allowed = np.random.default_rng(2).random(len(vectors)) < 0.3
    assert sharded.shards == 3 and len(sharded) == len(vectors)
    for k, mask in [(10, None), (10, allowed), (900, None), (900, allowed), (5_000, None)]:
        scores, positions = sharded.search(queries, k, allowed=mask)
        expected_scores, expected_positions = index.search(queries, k, allowed=mask)
        np.testing.assert_array_equal(positions, expected_positions)
        np.testing.assert_array_equal(scores, expected_scores)
    only_last_shard = np.zeros(len(vectors), dtype=bool)
    only_last_shard[-5:] = True
    positions = sharded.search(queries[:2], 10, allowed=only_last_shard)[1]
    assert positions.shape == (2, 5) and all(set(row) == set(range(1995, 2000)) for row in positions)


def test_sharded_search_checks_its_arguments(sharded, vectors):
    with pytest.raises(ValueError, match=r"'queries' parameter of RaySearch.search must have shape \(n, 32\)"):
        sharded.search(np.ones((2, 5), dtype=np.float32), 3)
    with pytest.raises(ValueError, match=r"'allowed' parameter of RaySearch.search must have shape \(2000,\)"):
        sharded.search(vectors[:1], 3, allowed=np.ones(10, dtype=bool))
    with pytest.raises(ValueError, match="'k' parameter of RaySearch.search must be an int >= 1"):
        sharded.search(vectors[:1], 0)
    with pytest.raises(ValueError, match=r"'shards' parameter of RaySearch must be an int <= the number of rows \(4\)"):
        RaySearch(np.eye(4, dtype=np.float32), shards=5)


def test_a_nan_score_from_a_shard_is_an_error(ray_session, vectors):
    broken = vectors[:100].copy()
    broken[70] = np.nan
    with RaySearch(broken, shards=2, config=IndexConfig(kind="exact")) as search:
        assert search.search(vectors[:3], 5)[1].shape == (3, 5)  # NaN is ranked last, so not returned here
        with pytest.raises(ValueError, match=r"shard 1 of 2 \(rows 50-99\) returned NaN scores for 3 of 3 queries"):
            search.search(vectors[:3], 60)
    with pytest.raises(RuntimeError, match="after close"):
        search.search(vectors[:3], 5)


@pytest.mark.filterwarnings("ignore::recommender.WeakMatchWarning")  # the same weak briefs on both paths
def test_recommend_batch_with_ray_search_equals_the_local_index(ray_session, planted, fake_encoder):
    creators, posts = planted
    rec = Recommender.build(creators, posts, encoder=fake_encoder, index=IndexConfig(kind="exact"))
    rec.remove_creators(["c000", "c013"])
    briefs = ["vegan curry recipe", "marathon running training", "smart home gadgets",
              BrandBrief(name="Cafe", description="street food tacos", tiers=["nano", "micro"], countries=["US"]),
              BrandBrief(name="Trips", description="mountain hiking trip", platforms=["tiktok"]),
              BrandBrief(name="Kids", description="gaming pc build", avoid_topics=["alcohol"])]
    with RaySearch(rec.corpus, shards=2) as search:
        assert len(search) == len(rec.corpus) == 118
        # Every live row: identical creators tie, and which tied row the local index keeps at a cut-off is
        # NumPy's choice (argpartition), while the merge keeps the lower position.
        scores, positions = search.search(rec.encode_briefs(briefs[:3]), 200)
        expected = rec.corpus.index.search(rec.encode_briefs(briefs[:3]), 200)
        np.testing.assert_array_equal(positions, expected[1])
        np.testing.assert_array_equal(scores, expected[0])
        sharded = rec.recommend_batch(briefs, k=15, search=search)
    pd.testing.assert_frame_equal(sharded, rec.recommend_batch(briefs, k=15))


# -------------------------------------------------------------- real model
@pytest.mark.integration
def test_encode_with_ray_equals_the_real_encoder(ray_session):
    from recommender.embedding import Encoder

    captions = pd.read_csv(DATA / "posts.csv", dtype=str, nrows=50)["caption"].fillna("").tolist()
    # Batches of 16 on two actors: other forward-pass shapes than one encode call of 50.
    exact = Encoder(precision="fp32")
    np.testing.assert_allclose(encode_with_ray(captions, exact, actors=2, batch_size=16), exact.encode(captions),
                               atol=1e-6)
    # bf16 rounding depends on which texts share a forward pass, as it does between two encode calls.
    default = Encoder()
    cosines = (encode_with_ray(captions, default, actors=2, batch_size=16) * default.encode(captions)).sum(axis=1)
    assert cosines.min() > 0.9999
