"""The contract every ranker keeps: each baseline of recommender.evaluation.baselines and the Recommender itself.

The evaluation harness runs rankers side by side, so each must behave the same way. A ranker

* satisfies the ``Ranker`` protocol (``isinstance``);
* ``fit(catalog)`` returns the ranker itself;
* ``rank`` before ``fit`` raises ``NotBuiltError``;
* ``rank(briefs, k)`` returns a frame with exactly the ``RUN_COLUMNS`` (``brief_id``, ``rank``, ``creator_id``,
  ``score``), in that order;
* gives every brief ``min(k, creators)`` rows, the briefs in the order they were given;
* numbers the rows of a brief 1..n in ``rank``;
* lists a creator at most once per brief, and only creators of the catalog;
* has scores that never increase down a brief's list;
* returns the same frame when called again with the same briefs (deterministic);
* returns an empty frame with the ``RUN_COLUMNS`` for no briefs;
* refuses a ``k`` that is not an int >= 1 with the package's message
  ("The 'k' parameter of <Class>.rank must be an int >= 1. Got <k> instead.").

The rankers are every public ranker class of the baselines module (so a new baseline joins the contract
without a change here) and ``Recommender(encoder=HashingEncoder())``.
"""

from __future__ import annotations

import inspect
import re
from typing import Callable

import numpy as np
import pandas as pd
import pytest

from recommender import BrandBrief, NotBuiltError, Recommender
from recommender.catalog.loader import load_catalog
from recommender.evaluation import baselines
from recommender.evaluation.baselines import RUN_COLUMNS, Ranker

from ..conftest import NICHES, HashingEncoder

_SETTINGS: dict[str, Callable[[], dict]] = {"MeanCaptionCosineRanker": lambda: {"encoder": HashingEncoder()}}
"""Constructor arguments of the baselines that need some (a fake encoder in place of the real model)."""

# Every ranker class of the baselines module; the Recommender below is a ranker by itself.
_BASELINES = sorted(
    (cls for name, cls in inspect.getmembers(baselines, inspect.isclass)
     if cls.__module__ == baselines.__name__ and not name.startswith("_") and cls is not Ranker
     and callable(getattr(cls, "fit", None)) and callable(getattr(cls, "rank", None))),
    key=lambda cls: cls.__name__,
)
FACTORIES: dict[str, Callable[[], object]] = {
    **{cls.__name__: (lambda cls=cls: cls(**_SETTINGS.get(cls.__name__, dict)())) for cls in _BASELINES},
    "Recommender": lambda: Recommender(encoder=HashingEncoder()),
}

# Not in alphabetical order, so that "in brief order" cannot pass by sorting.
BRIEFS = [
    BrandBrief(name="Wanderlust", description=" ".join(NICHES["travel"]), brief_id="travel"),
    BrandBrief(name="GreenSprout", description=" ".join(NICHES["food"]), brief_id="food"),
    BrandBrief(name="Gadgetry", description=" ".join(NICHES["tech"]), brief_id="tech"),
]


@pytest.fixture(params=sorted(FACTORIES))
def make_ranker(request) -> Callable[[], object]:
    return FACTORIES[request.param]


@pytest.fixture
def catalog(planted):
    return load_catalog(*planted)


@pytest.fixture
def fitted(make_ranker, catalog):
    return make_ranker().fit(catalog)


def test_the_baselines_are_found():
    assert len(_BASELINES) >= 6, [cls.__name__ for cls in _BASELINES]


def test_is_a_ranker(make_ranker):
    assert isinstance(make_ranker(), Ranker)


def test_fit_returns_the_ranker(make_ranker, catalog):
    ranker = make_ranker()
    assert ranker.fit(catalog) is ranker


def test_rank_before_fit_is_an_error(make_ranker):
    with pytest.raises(NotBuiltError):
        make_ranker().rank(BRIEFS, 5)


@pytest.mark.parametrize("k", [5, 1000])
def test_rank_returns_the_run_of_each_brief_in_order(fitted, catalog, k):
    run = fitted.rank(BRIEFS, k)
    assert list(run.columns) == RUN_COLUMNS
    n = min(k, len(catalog.creators))
    assert run["brief_id"].tolist() == [b.brief_id for b in BRIEFS for _ in range(n)]
    known = set(catalog.creators["creator_id"])
    for brief_id, rows in run.groupby("brief_id", sort=False):
        assert rows["rank"].tolist() == list(range(1, n + 1)), brief_id
        assert rows["creator_id"].is_unique, brief_id
        assert set(rows["creator_id"]) <= known, brief_id
        scores = rows["score"].to_numpy(dtype=float)
        assert np.all(np.diff(scores) <= 0), (brief_id, scores)


def test_rank_is_deterministic(fitted):
    pd.testing.assert_frame_equal(fitted.rank(BRIEFS, 10), fitted.rank(BRIEFS, 10))


def test_no_briefs_give_an_empty_run(fitted):
    run = fitted.rank([], 5)
    assert list(run.columns) == RUN_COLUMNS and run.empty


@pytest.mark.parametrize("k", [0, -1, 2.5, "3"])
def test_a_bad_k_is_refused(fitted, k):
    where = f"{type(fitted).__name__}.rank"
    message = rf"^The 'k' parameter of {re.escape(where)} must be an int >= 1\. Got {re.escape(repr(k))} instead\.$"
    with pytest.raises(ValueError, match=message):
        fitted.rank(BRIEFS, k)
