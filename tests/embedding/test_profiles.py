"""Creator vectors from bios and captions."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.embedding.profiles import Representation, creator_vectors

E = np.eye(4, dtype=np.float32)


def test_off_niche_post_is_trimmed_from_the_centroid():
    posts = np.stack([E[0]] * 5 + [E[1]])          # five food posts, one holiday photo
    owner = np.zeros(6, dtype=int)
    bio = np.zeros((1, 4), dtype=np.float32)
    trimmed = creator_vectors(bio, posts, owner, Representation(trim=0.2))
    plain = creator_vectors(bio, posts, owner, Representation(trim=0.0))
    np.testing.assert_allclose(trimmed[0], E[0], atol=1e-6)
    assert plain[0, 1] > 0.1


def test_bio_weight_blends_and_fallbacks():
    bio = np.stack([E[2], E[2], np.zeros(4, np.float32)])
    posts = np.stack([E[0], E[0], E[3]])
    owner = np.array([0, 0, 2])
    vectors = creator_vectors(bio, posts, owner, Representation(bio_weight=0.5, trim=0.0))
    np.testing.assert_allclose(vectors[0], (E[0] + E[2]) / np.sqrt(2), atol=1e-6)   # half bio, half captions
    np.testing.assert_allclose(vectors[1], E[2], atol=1e-6)                         # no posts: bio alone
    np.testing.assert_allclose(vectors[2], E[3], atol=1e-6)                         # no bio: captions alone
    assert vectors.dtype == np.float32


def test_creator_without_any_text_gets_a_zero_vector():
    vectors = creator_vectors(np.zeros((2, 4), np.float32), np.stack([E[1]]), np.array([1]))
    assert not vectors[0].any() and np.isclose(np.linalg.norm(vectors[1]), 1)


def test_few_posts_are_never_trimmed():
    posts = np.stack([E[0], E[0], E[1]])
    vectors = creator_vectors(np.zeros((1, 4), np.float32), posts, np.zeros(3, dtype=int), Representation(trim=0.5))
    assert vectors[0, 1] > 0.1


@pytest.mark.parametrize("field,value", [("bio_weight", 1.5), ("trim", 0.95), ("trim", -0.1)])
def test_representation_rejects_out_of_range(field, value):
    with pytest.raises(ValueError, match=f"'{field}' parameter of Representation must be a number in"):
        Representation(**{field: value})
