"""Score helpers of the ranking, on hand-computed examples."""

from __future__ import annotations

import numpy as np

from recommender.ranking.score import best_posts, top_post_similarity


def test_top_post_similarity_means_the_best_m_posts_and_nan_without_posts():
    sims = np.array([0.1, 0.9, 0.5, 0.7, 0.3])
    owner = np.array([0, 0, 0, 2, 2])
    np.testing.assert_allclose(top_post_similarity(sims, owner, 3, 2), [0.7, np.nan, 0.5])


def test_best_posts_orders_by_fit_keeps_post_order_on_ties_and_pads_with_minus_one():
    sims = np.array([0.1, 0.9, 0.5, 0.7, 0.7, 0.2])
    owner = np.array([0, 0, 0, 2, 2, 3])
    best = best_posts(sims, owner, 4, shown=np.array([2, 1, 0, 3]), per_creator=2)
    np.testing.assert_array_equal(best, [[3, 4], [-1, -1], [1, 2], [5, -1]])


def test_best_posts_without_posts():
    best = best_posts(np.empty(0), np.empty(0, np.int64), 3, shown=np.array([0, 2]), per_creator=2)
    assert best.shape == (2, 2) and (best == -1).all()
