"""Tests of recommender.catalog.engagement on planted populations.

Every population is built from known per-post rates, so each expectation follows
from how the estimate is documented (median of recent log-rates, shrinkage toward
a group prior, percentile within the group), not from a recorded run.
"""

from __future__ import annotations

import logging
import math
import re

import numpy as np
import pandas as pd
import pytest

from recommender.catalog.loader import Catalog, load_catalog
from recommender.catalog.engagement import EngagementModel, post_rates, score_engagement
from recommender.catalog.tiers import TierScheme

DEFAULT = TierScheme.preset("default")
NANO_RATE = DEFAULT.typical_rates()["nano"]  # 0.04
MACRO_RATE = DEFAULT.typical_rates()["macro"]  # 0.025


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


class Builder:
    """Collects creators and posts, then loads them as a catalog."""

    def __init__(self) -> None:
        self.creators: list[dict] = []
        self.posts: list[dict] = []
        self.day = pd.Timestamp("2024-01-01", tz="UTC")

    def creator(self, creator_id: str, followers: int, rates: list[float] | np.ndarray, *,
                platform: str = "instagram", views: list[float | None] | None = None,
                dates: list[pd.Timestamp | None] | None = None) -> None:
        """A creator whose i-th post has engagement (likes + comments) = rates[i] * followers."""
        self.creators.append({"creator_id": creator_id, "followers": followers, "platform": platform})
        for i, rate in enumerate(rates):
            interactions = int(round(rate * followers))
            comments = interactions // 10
            self.posts.append({
                "creator_id": creator_id,
                "caption": f"post {i}",
                "likes": interactions - comments,
                "comments": comments,
                "views": None if views is None else views[i],
                "posted_at": (self.day + pd.Timedelta(days=i)) if dates is None else dates[i],
            })

    def population(self, rng: np.random.Generator, prefix: str, n: int, followers: int, typical: float,
                   *, posts: int = 12, spread: float = 0.3, noise: float = 0.2) -> None:
        """``n`` ordinary creators around ``typical``: creator level and post level lognormal noise."""
        for j in range(n):
            level = typical * math.exp(rng.normal(0.0, spread))
            self.creator(f"{prefix}{j}", followers, level * np.exp(rng.normal(0.0, noise, posts)))

    def catalog(self, **kwargs) -> Catalog:  # noqa: ANN003
        posts = pd.DataFrame(self.posts) if self.posts else None
        return load_catalog(pd.DataFrame(self.creators), posts, **kwargs)


def score(catalog: Catalog, model: EngagementModel = EngagementModel()) -> pd.DataFrame:
    return score_engagement(catalog.creators, catalog.posts, catalog.tier_scheme, model)


def assert_all_finite(scores: pd.DataFrame) -> None:
    for column in ("engagement_rate_shrunk", "engagement_score", "tier_median_rate"):
        assert np.isfinite(scores[column].to_numpy(dtype=float)).all(), column
    assert ((scores["engagement_score"] > 0) & (scores["engagement_score"] < 1)).all()


# --------------------------------------------------------------------------- (1) one lucky post


def test_one_viral_post_does_not_beat_consistent_engagement(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "nano", 15, 5_000, NANO_RATE)
    # 11 ordinary posts at 2% and one viral post at 60%: the mean rate is 6.8%.
    lucky = [0.02] * 11 + [0.60]
    steady = [0.05] * 12
    assert np.mean(lucky) > np.mean(steady)  # a mean would rank the lucky creator first
    b.creator("lucky", 5_000, lucky)
    b.creator("steady", 5_000, steady)
    s = score(b.catalog())
    assert s.loc["lucky", "engagement_rate"] == pytest.approx(0.02)
    assert s.loc["steady", "engagement_rate"] == pytest.approx(0.05)
    assert s.loc["steady", "engagement_rate_shrunk"] > s.loc["lucky", "engagement_rate_shrunk"]
    assert s.loc["steady", "engagement_score"] > s.loc["lucky", "engagement_score"]
    # 2% is half the typical nano rate: the lucky creator is in the bottom half of its tier.
    assert s.loc["lucky", "engagement_score"] < 0.5
    assert s.loc["lucky", "n_posts"] == 12  # the viral post is plausible, used, just not decisive


# --------------------------------------------------------------------------- (2) fair across tiers


def test_equally_good_creators_in_different_tiers_get_equal_percentiles(rng: np.random.Generator) -> None:
    multipliers = np.geomspace(0.4, 2.5, 12)
    # The same post-to-post pattern for creator j in both tiers: only the tier level differs.
    pattern = np.exp(rng.normal(0.0, 0.15, size=(len(multipliers), 12)))
    # Whole interactions for the nano creator; its macro twin (80x the followers) gets exactly
    # 50x the interactions, so its rate is exactly MACRO_RATE / NANO_RATE = 0.625 times as high.
    nano_rates = np.round(NANO_RATE * multipliers[:, None] * pattern * 8_000) / 8_000
    assert MACRO_RATE / NANO_RATE * 640_000 / 8_000 == 50
    b = Builder()
    for j in range(len(multipliers)):
        b.creator(f"nano{j}", 8_000, nano_rates[j])
        b.creator(f"macro{j}", 640_000, nano_rates[j] * MACRO_RATE / NANO_RATE)
    catalog = b.catalog()
    assert set(catalog.creators["tier"]) == {"nano", "macro"}
    s = score(catalog)
    nano = s.loc[[f"nano{j}" for j in range(12)]]
    macro = s.loc[[f"macro{j}" for j in range(12)]]
    # Raw rates say every nano creator beats its macro twin ...
    assert (nano["engagement_rate"].to_numpy() > macro["engagement_rate"].to_numpy()).all()
    # ... the percentile within the tier says they are equally good.
    np.testing.assert_allclose(nano["engagement_score"].to_numpy(), macro["engagement_score"].to_numpy(), atol=1e-12)
    # Each tier is its own group of 12, so the scores are the 12 mid-rank percentiles.
    assert set(nano["engagement_group"]) == {"instagram/nano"}
    assert set(macro["engagement_group"]) == {"instagram/macro"}
    np.testing.assert_allclose(np.sort(nano["engagement_score"].to_numpy()), (np.arange(12) + 0.5) / 12)
    # The best multiplier is in the top half, the worst in the bottom half, in both tiers.
    for frame in (nano, macro):
        assert frame["engagement_score"].iloc[-1] > 0.5 > frame["engagement_score"].iloc[0]


# --------------------------------------------------------------------------- (3) shrinkage


def test_one_post_is_pulled_toward_the_tier_more_than_twelve(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "nano", 20, 5_000, NANO_RATE)
    b.creator("one_post", 5_000, [0.12])
    b.creator("twelve_posts", 5_000, [0.12] * 12)
    s = score(b.catalog())
    one, twelve = s.loc["one_post"], s.loc["twelve_posts"]
    # Same observed rate ...
    assert one["engagement_rate"] == pytest.approx(0.12)
    assert twelve["engagement_rate"] == pytest.approx(0.12)
    assert (one["n_posts"], twelve["n_posts"]) == (1, 12)
    # ... both pulled down toward the tier (about 4%), the single post much further.
    median = one["tier_median_rate"]
    assert median < one["engagement_rate_shrunk"] < twelve["engagement_rate_shrunk"] < 0.12
    pull_one = math.log(0.12) - math.log(one["engagement_rate_shrunk"])
    pull_twelve = math.log(0.12) - math.log(twelve["engagement_rate_shrunk"])
    assert pull_one > 2 * pull_twelve
    assert one["engagement_score"] <= twelve["engagement_score"]


def test_shrinkage_pulls_low_rates_up_as_well(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "nano", 20, 5_000, NANO_RATE)
    b.creator("one_low", 5_000, [0.005])
    s = score(b.catalog())
    assert 0.005 < s.loc["one_low", "engagement_rate_shrunk"] < s.loc["one_low", "tier_median_rate"]


# --------------------------------------------------------------------------- (4) implausible values


def test_implausible_posts_are_flagged_and_left_out(rng: np.random.Generator, caplog: pytest.LogCaptureFixture) -> None:
    b = Builder()
    b.population(rng, "nano", 12, 5_000, NANO_RATE)
    # Two ordinary posts (4%, 6%) and one at 120% of followers.
    b.creator("hyped", 5_000, [0.04, 0.06, 1.20])
    b.creators.append({"creator_id": "ghost", "followers": 0, "platform": "instagram"})
    b.posts.append({"creator_id": "ghost", "caption": "hi", "likes": 50, "comments": 3, "views": None,
                    "posted_at": b.day})
    catalog = b.catalog()
    with caplog.at_level(logging.WARNING, logger="recommender.catalog.engagement"):
        s = score(catalog)
    assert s.loc["hyped", "engagement_flags"] == 1
    assert s.loc["ghost", "engagement_flags"] == 1
    assert s["engagement_flags"].sum() == 2
    assert "2 posts have implausible engagement" in caplog.text
    # The 120% post is not used: the median of 4% and 6% in log space is sqrt(0.04 * 0.06),
    # whereas keeping it would give 6%.
    assert s.loc["hyped", "n_posts"] == 2
    assert s.loc["hyped", "engagement_rate"] == pytest.approx(math.sqrt(0.04 * 0.06))
    # Zero followers: no rate at all, but still a finite shrunk rate and a percentile.
    assert s.loc["ghost", "n_posts"] == 0
    assert math.isnan(s.loc["ghost", "engagement_rate"])
    assert_all_finite(s)


def test_post_rates_names_the_reason() -> None:
    posts = pd.DataFrame({
        "creator_id": ["a", "a", "a", "z", "z"],
        "likes": [100, 1_000, 1_001, 5, 0],
        "comments": [0, 0, 0, 0, 0],
        "views": [2_000, None, None, None, None],
    })
    followers = pd.Series({"a": 1_000, "z": 0})
    rated = post_rates(posts, followers)
    assert rated["flag"].tolist() == ["", "", "rate above 100% of followers", "interactions with zero followers", ""]
    # Exactly 100% is still plausible; flagged posts and 0 / 0 get no rate.
    np.testing.assert_allclose(rated["engagement_rate"].to_numpy(), [0.1, 1.0, np.nan, np.nan, np.nan])
    np.testing.assert_allclose(rated["view_rate"].to_numpy(), [0.05, np.nan, np.nan, np.nan, np.nan])
    stricter = post_rates(posts, followers, max_plausible_rate=0.5)
    assert stricter["flag"].tolist()[:3] == ["", "rate above 50% of followers", "rate above 50% of followers"]


# --------------------------------------------------------------------------- (5) views


def test_view_rate_only_where_views_exist() -> None:
    b = Builder()
    # (likes + comments) = 100 on each post; views 1000, 2000, 4000 -> 10%, 5%, 2.5%; median 5%.
    b.creator("with_views", 5_000, [0.02, 0.02, 0.02], views=[1_000, 2_000, 4_000])
    b.creator("no_views", 5_000, [0.02, 0.02, 0.02])
    b.creator("zero_views", 5_000, [0.02, 0.02], views=[0, 0])
    b.creator("some_views", 5_000, [0.02, 0.02], views=[1_000, None])
    s = score(b.catalog())
    assert s.loc["with_views", "view_rate"] == pytest.approx(0.05)
    assert s.loc["some_views", "view_rate"] == pytest.approx(0.10)
    assert math.isnan(s.loc["no_views", "view_rate"])
    assert math.isnan(s.loc["zero_views", "view_rate"])
    # The follower-based rate does not depend on views.
    assert s["engagement_rate"].to_numpy() == pytest.approx([0.02] * 4)


# --------------------------------------------------------------------------- (6) recent posts


def test_only_the_most_recent_posts_are_used(rng: np.random.Generator) -> None:
    day = pd.Timestamp("2024-03-01", tz="UTC")
    # 9 old posts at 2%, then the 3 newest at 8%; the file lists them in random order.
    rates = np.array([0.02] * 9 + [0.08] * 3)
    dates = [day + pd.Timedelta(days=i) for i in range(12)]
    b = Builder()
    order = rng.permutation(12)
    b.creator("c", 5_000, rates[order], dates=[dates[i] for i in order])
    # The same posts listed newest first and oldest first: file order must not matter.
    b.creator("newest_first", 5_000, rates[::-1], dates=dates[::-1])
    b.creator("oldest_first", 5_000, rates, dates=dates)
    # 3 dated posts at 8% and 5 undated ones at 2%: undated posts count as older.
    b.creator("undated", 5_000, [0.02] * 2 + [0.08] * 3 + [0.02] * 3,
              dates=[None, None, day, day + pd.Timedelta(hours=1), day + pd.Timedelta(hours=2), None, None, None])
    catalog = b.catalog()
    all12 = score(catalog)
    assert all12.loc["c", "n_posts"] == 12
    assert all12.loc["c", "engagement_rate"] == pytest.approx(0.02)
    last3 = score(catalog, EngagementModel(recent_posts=3))
    assert last3.loc["c", "n_posts"] == 3
    assert last3.loc[["c", "newest_first", "oldest_first"], "engagement_rate"].tolist() == pytest.approx([0.08] * 3)
    assert last3.loc["undated", "engagement_rate"] == pytest.approx(0.08)
    last4 = score(catalog, EngagementModel(recent_posts=4))
    # The 4th most recent is an old 2% post: median of logs of (2%, 8%, 8%, 8%) is 8%.
    assert last4.loc["c", "engagement_rate"] == pytest.approx(0.08)
    last6 = score(catalog, EngagementModel(recent_posts=6))
    # 3 at 2% and 3 at 8%: the median of the logs is the geometric mean, 4%.
    assert last6.loc["c", "engagement_rate"] == pytest.approx(0.04)


# --------------------------------------------------------------------------- (7) creators without posts


def test_creators_without_posts_get_their_tier_typical_rate() -> None:
    creators = pd.DataFrame({"creator_id": ["n1", "n2", "m1"], "followers": [5_000, 6_000, 50_000]})
    s = score(load_catalog(creators))
    assert s["n_posts"].tolist() == [0, 0, 0]
    assert s["engagement_rate"].isna().all()
    # No data at all: the estimate is the published typical rate of the tier.
    assert s.loc["n1", "engagement_rate_shrunk"] == pytest.approx(NANO_RATE)
    assert s.loc["m1", "engagement_rate_shrunk"] == pytest.approx(DEFAULT.typical_rates()["micro"])
    # Ties share the middle percentile.
    assert s["engagement_score"].tolist() == pytest.approx([0.5, 0.5, 0.5])


def test_creator_without_posts_gets_the_group_prior() -> None:
    b = Builder()
    observed = [0.03, 0.04, 0.05, 0.06]
    for i, rate in enumerate(observed):
        b.creator(f"c{i}", 5_000, [rate] * 3)
    b.creator("silent", 5_000, [])
    s = score(b.catalog())
    assert s.loc["silent", "n_posts"] == 0
    assert s.loc["silent", "engagement_group"] == "all/nano"  # 5 creators < min_group_size
    # The prior is the mean log-rate of the group's creators, with the published nano rate
    # counted as prior_strength (5) more creators.
    k = EngagementModel().prior_strength
    prior = (sum(math.log(r) for r in observed) + k * math.log(NANO_RATE)) / (len(observed) + k)
    assert s.loc["silent", "engagement_rate_shrunk"] == pytest.approx(math.exp(prior))
    assert 0 < s.loc["silent", "engagement_score"] < 1
    assert_all_finite(s)


def test_small_platform_groups_fall_back_to_the_tier(rng: np.random.Generator) -> None:
    b = Builder()
    for j in range(10):
        b.creator(f"ig{j}", 5_000, NANO_RATE * np.exp(rng.normal(0, 0.2, 4)), platform="instagram")
    for j in range(3):
        b.creator(f"tt{j}", 5_000, NANO_RATE * np.exp(rng.normal(0, 0.2, 4)), platform="tiktok")
    s = score(b.catalog())
    assert set(s.loc[[f"ig{j}" for j in range(10)], "engagement_group"]) == {"instagram/nano"}
    assert set(s.loc[[f"tt{j}" for j in range(3)], "engagement_group"]) == {"all/nano"}
    small = score(b.catalog(), EngagementModel(min_group_size=3))
    assert set(small.loc[[f"tt{j}" for j in range(3)], "engagement_group"]) == {"tiktok/nano"}
    assert_all_finite(s)


# --------------------------------------------------------------------------- (8) parameters


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"recent_posts": 0}, "The 'recent_posts' parameter of EngagementModel must be an int >= 1. Got 0 instead."),
        ({"recent_posts": 2.5}, "The 'recent_posts' parameter of EngagementModel must be an int >= 1. Got 2.5 instead."),
        ({"min_group_size": 0}, "The 'min_group_size' parameter of EngagementModel must be an int >= 1. Got 0 instead."),
        ({"min_group_size": -3}, "The 'min_group_size' parameter of EngagementModel must be an int >= 1. Got -3 instead."),
        ({"prior_strength": -5}, "The 'prior_strength' parameter of EngagementModel must be a number >= 0. Got -5 instead."),
        ({"prior_strength": float("nan")},
         "The 'prior_strength' parameter of EngagementModel must be a number >= 0. Got nan instead."),
        ({"max_plausible_rate": 0},
         "The 'max_plausible_rate' parameter of EngagementModel must be a number > 0. Got 0 instead."),
    ],
)
def test_engagement_model_parameter_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        EngagementModel(**kwargs)


def test_engagement_model_defaults_are_valid() -> None:
    model = EngagementModel()
    assert (model.recent_posts, model.min_group_size) == (12, 10)
    assert model.prior_strength >= 0 and model.max_plausible_rate == 1.0
