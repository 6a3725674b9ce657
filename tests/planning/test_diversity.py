"""Maximal marginal relevance: the pure algorithm against its definition, and re-ranking recommender output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender import BrandBrief, Recommender
from recommender.planning.diversity import diversify, mmr, recommend_diverse
from recommender.evaluation.metrics import list_metrics

from ..conftest import NICHES


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def test_trade_off_one_is_the_relevance_order_with_ties_by_position(rng):
    relevance = rng.integers(0, 5, size=40).astype(float)  # many ties
    vectors = rng.normal(size=(40, 8))
    picks = mmr(relevance, vectors, 40, trade_off=1.0)
    assert picks.tolist() == np.argsort(-relevance, kind="stable").tolist()


def test_nan_relevance_ranks_last():
    picks = mmr(np.array([np.nan, 0.2, 0.9]), np.eye(3), 3, trade_off=1.0)
    assert picks.tolist() == [2, 1, 0]


def test_duplicates_are_spread_out():
    # Three groups of identical creators; the first group is the most relevant throughout.
    base = np.eye(3)
    vectors = np.repeat(base, 4, axis=0)
    relevance = np.repeat([0.9, 0.7, 0.6], 4) - np.tile(np.arange(4) * 0.01, 3)
    plain = mmr(relevance, vectors, 3, trade_off=1.0)
    diverse = mmr(relevance, vectors, 3, trade_off=0.5)
    assert len({tuple(vectors[i]) for i in plain}) == 1
    assert len({tuple(vectors[i]) for i in diverse}) == 3
    assert diverse.tolist() == [0, 4, 8]  # the best of each group


@pytest.mark.parametrize("trade_off", [0.0, 0.3, 0.7, 0.95])
def test_every_pick_maximises_the_mmr_objective(rng, trade_off):
    relevance, vectors = rng.uniform(size=30), rng.normal(size=(30, 6))
    vectors[3] = 0.0  # a zero vector is orthogonal to everything
    unit = _unit(vectors)
    picks = mmr(relevance, vectors, 12, trade_off=trade_off)
    assert len(set(picks.tolist())) == 12 and picks[0] == np.argmax(relevance)
    for step in range(1, 12):
        chosen = picks[:step]
        rest = np.setdiff1d(np.arange(30), chosen)
        gain = trade_off * relevance[rest] - (1 - trade_off) * (unit[rest] @ unit[chosen].T).max(axis=1)
        assert gain.max() == pytest.approx(trade_off * relevance[picks[step]]
                                           - (1 - trade_off) * (unit[picks[step]] @ unit[chosen].T).max())


def test_k_larger_than_n_returns_everyone_once(rng):
    picks = mmr(rng.uniform(size=5), rng.normal(size=(5, 3)), 50, trade_off=0.6)
    assert sorted(picks.tolist()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("kwargs, match", [
    (dict(k=3, trade_off=1.5), r"The 'trade_off' parameter of mmr must be a number in \[0, 1\]\. Got 1.5"),
    (dict(k=0, trade_off=0.5), r"The 'k' parameter of mmr must be an int >= 1\. Got 0"),
])
def test_bad_settings_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mmr(np.ones(3), np.eye(3), **kwargs)


def test_shapes_must_agree():
    with pytest.raises(ValueError, match=r"shapes \(n,\) and \(n, d\)"):
        mmr(np.ones(3), np.eye(4), 2, trade_off=0.5)


@pytest.fixture
def fitted(planted, fake_encoder):
    return Recommender.build(*planted, encoder=fake_encoder)


@pytest.fixture
def briefs():
    return [BrandBrief(name=n, description=" ".join(phrases[:2]), brief_id=n) for n, phrases in NICHES.items()]


def test_diversify_keeps_k_rows_per_brief_from_the_candidates(fitted, briefs):
    candidates = fitted.recommend_batch(briefs, k=40)
    out = diversify(candidates, fitted, k=10, trade_off=0.6)
    assert list(out.columns) == list(candidates.columns)
    assert out["brief_id"].drop_duplicates().tolist() == [b.brief_id for b in briefs]
    for brief_id, rows in out.groupby("brief_id"):
        assert rows["rank"].tolist() == list(range(1, 11))
        assert set(rows["creator_id"]) <= set(candidates.loc[candidates["brief_id"] == brief_id, "creator_id"])
        assert rows["creator_id"].iloc[0] == candidates.loc[candidates["brief_id"] == brief_id, "creator_id"].iloc[0]


def test_trade_off_one_equals_the_plain_top_k_and_lower_raises_diversity(fitted, briefs, planted):
    plain = fitted.recommend_batch(briefs, k=10)
    same = recommend_diverse(fitted, briefs, k=10, trade_off=1.0)
    pd.testing.assert_frame_equal(same, plain)
    vectors = (fitted.corpus.creators["creator_id"].to_numpy(), fitted.corpus.creator_vectors)
    diverse = recommend_diverse(fitted, briefs, k=10, trade_off=0.3)
    before = list_metrics(plain, planted[0], vectors=vectors)["intra_list_diversity@10"].mean()
    after = list_metrics(diverse, planted[0], vectors=vectors)["intra_list_diversity@10"].mean()
    assert after > before


def test_diversify_rejects_results_of_another_recommender(fitted, briefs):
    results = fitted.recommend_batch(briefs[:1], k=5).assign(creator_id="nobody")
    with pytest.raises(ValueError, match=r"creator_id\(s\) \['nobody'\] are not in this recommender"):
        diversify(results, fitted, k=3, trade_off=0.5)
