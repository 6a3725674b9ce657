"""The vector index against an exact oracle."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.search.index import IndexConfig, VectorIndex, exact_search
from recommender.embedding.profiles import normalise


@pytest.fixture
def clustered(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Vectors drawn around 50 centres, as real embeddings cluster by topic."""
    centres = normalise(rng.normal(size=(50, 32)))
    labels = rng.integers(0, 50, size=4000)
    vectors = normalise(centres[labels] + 0.35 * rng.normal(size=(4000, 32))).astype(np.float32)
    queries = normalise(centres[rng.integers(0, 50, 40)] + 0.35 * rng.normal(size=(40, 32))).astype(np.float32)
    return vectors, queries


def brute_force(queries: np.ndarray, vectors: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :k]


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_exact_search_matches_brute_force_for_any_chunk_size(clustered, chunk):
    vectors, queries = clustered
    scores, positions = exact_search(queries, vectors, 25, chunk=chunk)
    expected = brute_force(queries, vectors, 25)
    np.testing.assert_array_equal(positions, expected)
    assert np.all(np.diff(scores, axis=1) <= 1e-6)


def test_exact_search_with_k_larger_than_rows():
    vectors = normalise(np.eye(3, dtype=np.float32))
    scores, positions = exact_search(vectors[:1], vectors, 10)
    assert positions.shape == (1, 3) and positions[0, 0] == 0


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_approximate_recall_at_100_against_exact_oracle(clustered, kind):
    vectors, queries = clustered
    index = VectorIndex(config=IndexConfig(kind=kind)).build(vectors)
    assert index.kind_ == kind
    _, found = index.search(queries, 100)
    truth = brute_force(queries, vectors, 100)
    recall = np.mean([len(set(f) & set(t)) / 100 for f, t in zip(found, truth)])
    assert recall >= 0.95, recall


def test_auto_picks_exact_when_small_and_ivf_when_large(clustered):
    vectors, _ = clustered
    assert VectorIndex().build(vectors).kind_ == "exact"
    assert VectorIndex(config=IndexConfig(exact_max_rows=1000)).build(vectors).kind_ == "ivf"
    # Too few rows to train IVF lists: exact search, which is also the faster choice there.
    assert VectorIndex(config=IndexConfig(kind="ivf")).build(vectors[:500]).kind_ == "exact"


def test_ivf_scores_are_exact_cosines_of_returned_rows(clustered):
    vectors, queries = clustered
    index = VectorIndex(config=IndexConfig(kind="ivf")).build(vectors)
    scores, positions = index.search(queries, 30)
    expected = np.einsum("qd,qkd->qk", queries, vectors[positions])
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-6)


def test_ivf_default_lists_and_probes_follow_catalog_size():
    config = IndexConfig()
    assert config.lists_for(1_000_000) == 2048 and config.probe_for(2048) == 256
    assert config.lists_for(4000) == 102 and config.probe_for(102) == 16
    assert IndexConfig(ivf_lists=64, ivf_probe=500).probe_for(64) == 64


@pytest.mark.parametrize("kind", ["exact", "ivf", "hnsw"])
@pytest.mark.parametrize("share", [0.005, 0.03, 0.5])
def test_filtered_search_returns_min_k_allowed_and_only_allowed(clustered, rng, kind, share):
    vectors, queries = clustered
    # exact_subset_rows=0 forces FAISS's filtered search, with exact fallback for queries short of k.
    index = VectorIndex(config=IndexConfig(kind=kind, exact_subset_rows=0)).build(vectors)
    allowed = rng.random(len(vectors)) < share
    scores, positions = index.search(queries, 50, allowed=allowed)
    assert positions.shape == (len(queries), min(50, allowed.sum()))
    assert allowed[positions].all()
    assert np.all(np.diff(scores, axis=1) <= 1e-6)


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_filtered_exact_subset_equals_oracle(clustered, rng, kind):
    vectors, queries = clustered
    index = VectorIndex(config=IndexConfig(kind=kind)).build(vectors)
    allowed = rng.random(len(vectors)) < 0.1
    _, positions = index.search(queries, 20, allowed=allowed)
    subset = np.flatnonzero(allowed)
    np.testing.assert_array_equal(positions, subset[brute_force(queries, vectors[subset], 20)])


def test_removed_rows_never_returned_and_added_rows_found(clustered):
    vectors, queries = clustered
    index = VectorIndex().build(vectors[:100])
    _, before = index.search(queries[:1], 5)
    index.remove(before[0, :2])
    _, after = index.search(queries[:1], 5)
    assert not set(before[0, :2]) & set(after[0])
    new = index.add(queries[:1])
    _, again = index.search(queries[:1], 1)
    assert again[0, 0] == new[0]
    assert len(index) == 99


def test_index_config_rejects_bad_values():
    with pytest.raises(ValueError, match="'kind' parameter of IndexConfig must be one of 'auto', 'exact', 'ivf', 'hnsw'. "
                                         "Got 'flat' instead"):
        IndexConfig(kind="flat")
    with pytest.raises(ValueError, match="'ivf_probe' parameter of IndexConfig must be an int >= 1 or None. Got 0"):
        IndexConfig(ivf_probe=0)
    with pytest.raises(ValueError, match="'refine' parameter of IndexConfig must be an int >= 1. Got 0"):
        IndexConfig(refine=0)


@pytest.mark.parametrize("kind", ["exact", "ivf", "hnsw"])
@pytest.mark.parametrize("mmap", [False, True])
def test_saved_index_loads_with_identical_results(clustered, tmp_path, kind, mmap):
    vectors, queries = clustered
    index = VectorIndex(config=IndexConfig(kind=kind)).build(vectors)
    index.remove([3, 5])
    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path, vectors, kind=kind, mmap=mmap)
    for got, expected in zip(loaded.search(queries, 20), index.search(queries, 20)):
        np.testing.assert_array_equal(got, expected)


def test_exact_search_over_rows_matches_search_of_the_gathered_rows(clustered, rng):
    vectors, queries = clustered
    rows = np.flatnonzero(rng.random(len(vectors)) < 0.6)
    scores, positions = exact_search(queries, vectors, 15, rows=rows, chunk=7)
    expected_scores, local = exact_search(queries, vectors[rows], 15)
    np.testing.assert_array_equal(positions, rows[local])
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-6)
