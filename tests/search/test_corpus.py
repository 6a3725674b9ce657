"""search.Corpus: the built catalog in index order, read and edited."""

from __future__ import annotations

import numpy as np
import pytest

from recommender import EngagementModel, IndexConfig, Representation, TierScheme
from recommender.catalog.loader import load_catalog
from recommender.search import Corpus


@pytest.fixture
def corpus(planted, fake_encoder) -> Corpus:
    scheme = TierScheme.preset("default")
    return Corpus.build(load_catalog(*planted, tiers=scheme), encoder=fake_encoder, scheme=scheme,
                        representation=Representation(), index=IndexConfig(), engagement=EngagementModel())


def test_posts_are_sorted_by_owner_and_posts_of_gives_each_creators_slice(corpus):
    assert (np.diff(corpus.post_owner) >= 0).all()
    positions = np.array([5, 0, 17])
    rows, local = corpus.posts_of(positions)
    for i, position in enumerate(positions):
        own = corpus.posts.index[corpus.post_owner == position].to_numpy()
        np.testing.assert_array_equal(rows[local == i], own)
        assert (corpus.posts.loc[own, "creator_id"] == corpus.creators.loc[position, "creator_id"]).all()


def test_texts_join_each_bio_with_its_captions(corpus):
    texts = corpus.texts()
    first = corpus.posts.loc[corpus.post_owner == 0, "caption"]
    assert texts[0] == corpus.creators.loc[0, "bio"] + " " + " ".join(first)
    assert corpus.texts() is texts  # built once


def test_removed_creators_keep_their_rows_and_leave_search(corpus, fake_encoder):
    queries = fake_encoder.encode(["vegan curry recipe"])
    before = corpus.index.search(queries, 5)[1][0]
    corpus.remove([corpus.creators.loc[before[0], "creator_id"]])
    assert corpus.creators.loc[before[0], "creator_id"].endswith("#removed") and len(corpus) == 119
    after = corpus.index.search(queries, 5)[1][0]
    assert before[0] not in after and set(before[1:]) <= set(corpus.index.search(queries, 20)[1][0])
    assert np.isnan(corpus.engagement.loc[before[0], "engagement_score"])
    with pytest.raises(ValueError, match=r"remove_creators: unknown creator_id\(s\)"):
        corpus.remove([corpus.creators.loc[before[0], "creator_id"]])
