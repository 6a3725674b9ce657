"""Brief facets and framing removal."""

from __future__ import annotations

import numpy as np

from recommender.catalog.briefs import BrandBrief
from recommender.embedding.profiles import normalise
from recommender.embedding.query import FRAMING_PHRASES, QueryConfig, brief_facets, query_vectors


def test_facets_split_on_punctuation_and_conjunctions():
    assert brief_facets("We sell tea. Calm, cosy and slow; for readers or gamers!", ["matcha"]) == [
        "We sell tea", "Calm", "cosy", "slow", "for readers", "gamers", "matcha"]
    assert brief_facets("   ", []) == []


def test_query_is_the_mean_of_facets(fake_encoder):
    brief = BrandBrief(name="b", description="yoga mats, running shoes")
    query = query_vectors([brief], fake_encoder, QueryConfig(remove_framing=False))[0]
    expected = normalise(fake_encoder.encode(["yoga mats", "running shoes"]).sum(axis=0, keepdims=True))[0]
    np.testing.assert_allclose(query, expected, atol=1e-6)


def test_framing_direction_is_removed(fake_encoder):
    briefs = [BrandBrief(name="b", description="We are looking for creators who post about yoga"),
              BrandBrief(name="c", description="gaming pc builds")]
    queries = query_vectors(briefs, fake_encoder, QueryConfig())
    direction = normalise(fake_encoder.encode(list(FRAMING_PHRASES)).mean(axis=0, keepdims=True))[0]
    np.testing.assert_allclose(queries @ direction, 0.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)


def test_batch_of_briefs_equals_one_at_a_time(fake_encoder):
    briefs = [BrandBrief(name="a", description="vegan recipes, meal prep", keywords=["tofu"]),
              BrandBrief(name="b", description="travel hacks")]
    together = query_vectors(briefs, fake_encoder, QueryConfig())
    apart = np.vstack([query_vectors([b], fake_encoder, QueryConfig()) for b in briefs])
    np.testing.assert_allclose(together, apart, atol=1e-6)
