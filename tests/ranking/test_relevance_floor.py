"""The relevance floor: calibrated absolute fit, weak matches, the warning, lexical scaling and the planner's min_fit."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from recommender import Recommender, RelevanceFloor, WeakMatchWarning
from recommender.planning.planner import Planner
from recommender.ranking.score import RankingWeights


def test_fit_is_a_monotone_probability_with_half_at_the_midpoint():
    floor = RelevanceFloor(slope=10.0, midpoint=0.4, threshold=0.3)
    fit = floor.fit(np.linspace(-1, 1, 41))
    assert np.all(np.diff(fit) > 0) and fit.min() > 0 and fit.max() < 1
    assert floor.fit(np.array([0.4]))[0] == pytest.approx(0.5)


@pytest.mark.parametrize("settings, match", [
    ({"slope": 0}, r"The 'slope' parameter of RelevanceFloor must be > 0. Got 0 instead."),
    ({"threshold": 1.5}, r"The 'threshold' parameter of RelevanceFloor must be in \[0, 1\]. Got 1.5 instead."),
])
def test_bad_floor_settings_are_rejected(settings, match):
    with pytest.raises(ValueError, match=match):
        RelevanceFloor(**settings)


def test_bad_lexical_scale_is_rejected():
    with pytest.raises(ValueError, match=r"The 'lexical_scale' parameter of RankingWeights must be > 0. Got 0 instead."):
        RankingWeights(lexical_scale=0)


def test_weak_match_and_fit_follow_the_floor(planted, fake_encoder):
    rec = Recommender.build(*planted, encoder=fake_encoder, floor=RelevanceFloor(threshold=0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", WeakMatchWarning)  # threshold 0: every result clears it, no warning
        results = rec.recommend("vegan curry recipe", k=10)
    assert np.allclose(results["fit"], RelevanceFloor(threshold=0.0).fit(results["semantic"]))
    assert not results["weak_match"].any()
    assert not results["reasons"].str.startswith("weak match").any()


def test_a_brief_nobody_clears_warns_and_flags_every_row(planted, fake_encoder):
    rec = Recommender.build(*planted, encoder=fake_encoder, floor=RelevanceFloor(threshold=1.0))
    with pytest.warns(WeakMatchWarning, match=r"No creator clears the relevance floor \(fit >= 1.00\) for 1 brief"):
        results = rec.recommend("vegan curry recipe", k=5)
    assert results["weak_match"].all() and len(results) == 5
    assert results["reasons"].str.startswith("weak match (fit ").all()


def test_the_floor_is_saved_and_loaded(tmp_path, planted, fake_encoder):
    floor = RelevanceFloor(slope=7.0, midpoint=0.3, threshold=0.42)
    Recommender.build(*planted, encoder=fake_encoder, floor=floor).save(tmp_path / "index")
    assert Recommender.load(tmp_path / "index", encoder=fake_encoder).floor == floor


def test_a_weak_best_lexical_match_is_not_a_full_match(planted, fake_encoder):
    rec = Recommender.build(*planted, encoder=fake_encoder, weights=RankingWeights(lexical_scale=1e-6))
    relative = rec.recommend("sourdough", k=30)
    assert relative["lexical"].max() == pytest.approx(1.0)  # scaled by the best match, as before
    rec = Recommender.build(*planted, encoder=fake_encoder, weights=RankingWeights(lexical_scale=1e6))
    absolute = rec.recommend("sourdough", k=30)
    assert 0 < absolute["lexical"].max() < 1e-3  # a match far weaker than the scale counts for little


def _candidates() -> pd.DataFrame:
    rows = [("good", "c1", 0.8), ("good", "c2", 0.5), ("good", "c3", 0.2), ("none", "c4", 0.25), ("none", "c5", 0.1)]
    return pd.DataFrame({"brief_id": [r[0] for r in rows], "creator_id": [r[1] for r in rows],
                         "fit": [r[2] for r in rows], "semantic": [r[2] for r in rows], "tier": "micro",
                         "followers": 20_000, "engagement_rate": 0.03, "cost": 100.0})


def test_min_fit_never_books_below_the_floor_and_names_unserved_briefs():
    plan = Planner(budget=10_000, min_fit=0.36).plan(_candidates())
    assert set(plan.table["creator_id"]) == {"c1", "c2"}
    assert plan.summary["below_min_fit"] == {"none": 0.25} and plan.summary["min_fit"] == 0.36
    everything = Planner(budget=10_000).plan(_candidates())
    assert {"c3", "c4"} <= set(everything.table["creator_id"])  # without the floor, weak fits are booked


def test_min_fit_is_validated_and_needs_the_fit_column():
    with pytest.raises(ValueError, match=r"The 'min_fit' parameter of Planner must be a number in \[0, 1\] or None. "
                                         r"Got 2 instead."):
        Planner(budget=100, min_fit=2)
    with pytest.raises(ValueError, match=r"needs the 'fit' column"):
        Planner(budget=10_000, min_fit=0.3).plan(_candidates().drop(columns="fit"))
