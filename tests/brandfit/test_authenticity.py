"""Tests of recommender.brandfit.authenticity on planted creators.

Each suspicious creator is built to show one documented pattern (a fixed
package of likes per post, follow-for-follow, one boosted post, a comments
ratio far from its tier) among a population of ordinary creators, so every
expectation follows from the module's documented rules, not from a recorded run.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from recommender.brandfit.authenticity import FLAG_COLUMNS, AuthenticityModel, authenticity_signals
from recommender.catalog.loader import load_catalog
from recommender.catalog.tiers import TierScheme

SCHEME = TierScheme.preset("default")
COLUMNS = ["posts_checked", "likes_cv", "likes_cv_tier_median", "likes_cv_z", "flag_uniform_likes",
           "comments_per_like", "comments_per_like_tier_median", "comments_per_like_z", "flag_few_comments",
           "flag_many_comments", "following", "followers_per_following", "flag_follow_for_follow",
           "spike_posts", "spike_share", "flag_engagement_spike", "authenticity_flags", "authenticity_reason"]


class Builder:
    """Creators and posts with explicit per-post likes and comments, newest post last."""

    def __init__(self) -> None:
        self.creators: list[dict] = []
        self.posts: list[dict] = []

    def creator(self, creator_id: str, followers: int, likes, comments, **extra) -> None:
        self.creators.append({"creator_id": creator_id, "followers": followers, "platform": "instagram", **extra})
        day = pd.Timestamp("2025-01-01", tz="UTC")
        for i, (like, comment) in enumerate(zip(likes, comments)):
            self.posts.append({"creator_id": creator_id, "likes": round(like), "comments": round(comment),
                               "posted_at": day + pd.Timedelta(days=i)})

    def population(self, rng: np.random.Generator, prefix: str, n: int, followers: int, *,
                   comment_share: float = 0.03, posts: int = 12) -> None:
        """Ordinary creators: likes log-normal around 3% of followers, comments Poisson around a share."""
        for j in range(n):
            level = followers * 0.03 * rng.lognormal(0, 0.3)
            likes = np.round(level * rng.lognormal(0, 0.4, size=posts))
            self.creator(f"{prefix}{j}", followers, likes, rng.poisson(likes * comment_share))

    def signals(self, model: AuthenticityModel = AuthenticityModel()) -> pd.DataFrame:
        return authenticity_signals(pd.DataFrame(self.creators), pd.DataFrame(self.posts), SCHEME, model)


def test_uniform_likes_are_flagged_and_ordinary_spread_is_not(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "n", 40, 30_000)
    organic = np.round(900 * rng.lognormal(0, 0.4, size=12))
    # A package of 4,000 likes per post, delivered within +-2%, on top of the organic likes.
    b.creator("bought", 30_000, organic + np.round(4_000 * rng.uniform(0.98, 1.02, size=12)), organic * 0.03)
    b.creator("typical", 30_000, [700, 1100, 850, 1400, 600, 950, 1800, 800, 1000, 650, 1200, 900], [25] * 12)
    out = b.signals()
    assert out.loc["bought", "flag_uniform_likes"]
    assert out.loc["bought", "likes_cv"] < out.loc["bought", "likes_cv_tier_median"] / 3
    assert "likes per post nearly constant" in out.loc["bought", "authenticity_reason"]
    assert not out.loc["typical", "flag_uniform_likes"]
    assert out.filter(regex=r"^n\d", axis=0)["flag_uniform_likes"].sum() == 0


def test_erratic_likes_are_not_a_uniform_likes_flag(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "n", 30, 30_000)
    b.creator("erratic", 30_000, [50, 4000, 120, 2500, 80, 3000, 60, 1900, 4200, 90, 150, 2800], [3] * 12)
    out = b.signals()
    assert out.loc["erratic", "likes_cv"] > out.loc["erratic", "likes_cv_tier_median"]
    assert not out.loc["erratic", "flag_uniform_likes"]


def test_comments_per_like_is_judged_within_the_tier_group(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "nano", 30, 8_000, comment_share=0.01)
    b.population(rng, "micro", 30, 40_000, comment_share=0.05)
    nano, micro = 240 * np.tile([0.8, 1.25], 6), 1200 * np.tile([0.8, 1.25], 6)
    b.creator("nano_low", 8_000, nano, nano * 0.01)
    b.creator("micro_low", 40_000, micro, micro * 0.01)  # the same 1%: odd among 5% creators
    b.creator("nano_high", 8_000, nano, nano * 0.05)  # the same 5%: a pod among 1% creators
    b.creator("micro_high", 40_000, micro, micro * 0.05)
    out = b.signals()
    assert not out.loc["nano_low", ["flag_few_comments", "flag_many_comments"]].any()
    assert out.loc["micro_low", "flag_few_comments"] and not out.loc["micro_low", "flag_many_comments"]
    assert out.loc["nano_high", "flag_many_comments"] and not out.loc["nano_high", "flag_few_comments"]
    assert not out.loc["micro_high", ["flag_few_comments", "flag_many_comments"]].any()
    assert out.loc["micro_low", "comments_per_like_z"] < -3 < out.loc["nano_low", "comments_per_like_z"]
    assert re.search(r"comments per like 1\.0% vs [45]\.\d% tier median", out.loc["micro_low", "authenticity_reason"])


def test_few_expected_comments_give_no_comment_flag(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "e", 30, 600)  # about 18 likes a post: 6 comments expected over 12 posts
    b.creator("silent", 600, [18] * 6 + [22] * 6, [0] * 12)
    out = b.signals()
    assert out.loc["silent", "comments_per_like"] == 0
    assert not out.loc["silent", "flag_few_comments"]


def test_following_is_flagged_only_when_the_column_is_there(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "n", 12, 20_000)
    without = b.signals()
    assert "following" in without.columns and without["following"].isna().all()
    assert not without["flag_follow_for_follow"].any()

    creators = pd.DataFrame(b.creators)
    creators["following"] = ""  # unknown, as an empty CSV cell reads
    creators.loc[0, "following"], creators.loc[1, "following"], creators.loc[2, "following"] = "3200", "800", "-5"
    out = authenticity_signals(creators, pd.DataFrame(b.posts), SCHEME)
    assert out["flag_follow_for_follow"].tolist() == [True] + [False] * 11
    assert out.loc["n0", "following"] == 3200 and np.isnan(out.loc["n2", "following"])
    assert out.loc["n1", "followers_per_following"] == pytest.approx(20_000 / 800)
    assert out.loc["n0", "authenticity_reason"] == "authenticity: following 3,200 > 1,500"
    strict = authenticity_signals(creators, pd.DataFrame(b.posts), SCHEME, AuthenticityModel(following_limit=5000))
    assert not strict["flag_follow_for_follow"].any()


def test_following_survives_load_catalog() -> None:
    creators = pd.DataFrame({"creator_id": ["a", "b"], "followers": [20_000, 30_000], "following": [3_200, None]})
    catalog = load_catalog(creators)
    out = authenticity_signals(catalog.creators, catalog.posts, catalog.tier_scheme)
    assert out["flag_follow_for_follow"].tolist() == [True, False]
    assert out["posts_checked"].tolist() == [0, 0]


def test_a_single_spike_is_flagged_with_its_share(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "n", 12, 30_000)
    likes = np.array([900, 1000, 1100, 950, 1050, 1000, 9_000, 980, 1020, 1000, 970, 1030])
    b.creator("boosted", 30_000, likes, likes * 0.03)
    # The two spikes are older than the 12 most recent posts.
    b.creator("old_spikes", 30_000, np.r_[[12_000, 11_000], rng.uniform(800, 1200, size=12)], np.full(14, 30))
    out = b.signals()
    assert out.loc["boosted", "flag_engagement_spike"]
    assert out.loc["boosted", "spike_posts"] == 1
    assert out.loc["boosted", "spike_share"] == pytest.approx(1 / 12)
    assert "1 of 12 posts at >= 5x own median engagement" in out.loc["boosted", "authenticity_reason"]
    assert out.loc["old_spikes", "posts_checked"] == 12
    assert not out.loc["old_spikes", "flag_engagement_spike"]
    higher = b.signals(AuthenticityModel(spike_factor=10))
    assert not higher.loc["boosted", "flag_engagement_spike"]


def test_too_few_posts_give_no_spread_or_spike_flag(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "n", 30, 30_000)
    b.creator("short", 30_000, [4000, 4000, 4000, 4000, 4000, 40_000, 4000], [120] * 7)
    out = b.signals()
    row = out.loc["short"]
    assert row["posts_checked"] == 7
    assert np.isnan(row["likes_cv"]) and np.isnan(row["spike_share"])
    assert not row["flag_uniform_likes"] and not row["flag_engagement_spike"]
    assert row["spike_posts"] == 1  # counted, not flagged
    assert b.signals(AuthenticityModel(min_posts=7)).loc["short", "flag_engagement_spike"]


def test_reason_lists_every_raised_flag_and_is_empty_otherwise(rng: np.random.Generator) -> None:
    b = Builder()
    b.population(rng, "n", 30, 30_000, comment_share=0.03)
    likes = np.round(900 * rng.lognormal(0, 0.4, size=12))
    b.creator("two", 30_000, likes, np.zeros(12), following=3_200)
    out = b.signals()
    reason = out.loc["two", "authenticity_reason"]
    assert re.fullmatch(r"authenticity: comments per like 0\.00% vs 3\.\d% tier median; following 3,200 > 1,500",
                        reason), reason
    assert out.loc["two", "authenticity_flags"] == 2
    quiet = out[out["authenticity_flags"] == 0]
    assert len(quiet) > 0 and (quiet["authenticity_reason"] == "").all()
    assert (out["authenticity_flags"] == out[list(FLAG_COLUMNS)].sum(axis=1)).all()


def test_frame_is_indexed_like_the_engagement_frame() -> None:
    creators = pd.DataFrame({"creator_id": ["z", "a", "m"], "followers": [500, 50_000, 5_000]})
    posts = pd.DataFrame({"creator_id": ["a", "ghost", "a"], "likes": [10, 99, 12], "comments": [1, 9, 1]})
    out = authenticity_signals(creators, posts, SCHEME)
    assert out.index.name == "creator_id" and out.index.tolist() == ["z", "a", "m"]
    assert out.columns.tolist() == COLUMNS
    assert out["posts_checked"].tolist() == [0, 2, 0]  # the unknown creator's post is ignored
    assert out["authenticity_flags"].tolist() == [0, 0, 0]
    assert np.isnan(out.loc["z", "comments_per_like"])


def test_a_catalog_too_small_for_a_reference_gets_no_relative_flag() -> None:
    b = Builder()
    for j in range(5):
        b.creator(f"c{j}", 30_000, [1000] * 12, [0] * 12)
    out = b.signals()
    assert out["likes_cv_z"].isna().all() and out["comments_per_like_z"].isna().all()
    assert not out[["flag_uniform_likes", "flag_few_comments"]].any().any()
    assert b.signals(AuthenticityModel(min_group_size=5))["likes_cv_z"].notna().all()


def test_duplicate_creator_ids_are_refused() -> None:
    creators = pd.DataFrame({"creator_id": ["a", "a"], "followers": [1, 2]})
    with pytest.raises(ValueError, match="unique creator_id values. Got 1 duplicated ids instead"):
        authenticity_signals(creators, pd.DataFrame(columns=["creator_id", "likes", "comments"]), SCHEME)


def test_vectorised_values_match_a_per_creator_loop(rng: np.random.Generator) -> None:
    creators, posts = [], []
    day = pd.Timestamp("2025-01-01", tz="UTC")
    for i in range(60):
        creators.append({"creator_id": f"c{i}", "followers": int(10 ** rng.uniform(2, 6)), "platform": "tiktok"})
        for _ in range(int(rng.integers(0, 20))):
            when = day + pd.Timedelta(days=int(rng.integers(0, 30))) if rng.random() < 0.8 else pd.NaT
            posts.append({"creator_id": f"c{i}", "likes": int(rng.integers(0, 5000)),
                          "comments": int(rng.integers(0, 90)), "posted_at": when})
    posts = pd.DataFrame(posts).sample(frac=1.0, random_state=3).reset_index(drop=True)
    model = AuthenticityModel(recent_posts=10, min_posts=4)
    out = authenticity_signals(pd.DataFrame(creators), posts, SCHEME, model)
    ordered = posts.assign(_pos=np.arange(len(posts))).sort_values(
        ["creator_id", "posted_at", "_pos"], ascending=[True, False, False], na_position="last")
    for cid, part in ordered.groupby("creator_id"):
        recent = part.head(10)
        logs = np.sort(np.log1p(recent["likes"].to_numpy(dtype=float)))[:-1]
        engagement = (recent["likes"] + recent["comments"]).to_numpy(dtype=float)
        spikes = int((engagement >= 5 * max(np.median(engagement), 1)).sum())
        assert out.loc[cid, "posts_checked"] == len(recent)
        assert out.loc[cid, "spike_posts"] == spikes
        if len(recent) >= 4 and recent["likes"].sum() >= 100:
            assert out.loc[cid, "likes_cv"] == pytest.approx(logs.std(ddof=1), rel=1e-9, abs=1e-12)
        if recent["likes"].sum() > 0:
            assert out.loc[cid, "comments_per_like"] == pytest.approx(recent["comments"].sum() / recent["likes"].sum())


@pytest.mark.parametrize(("settings", "message"), [
    ({"recent_posts": 0}, "The 'recent_posts' parameter of AuthenticityModel must be an int >= 1. Got 0 instead."),
    ({"min_posts": 2}, "The 'min_posts' parameter of AuthenticityModel must be an int >= 3. Got 2 instead."),
    ({"min_posts": 20}, r"The 'min_posts' parameter of AuthenticityModel must be an int <= recent_posts \(12\). "
                        "Got 20 instead."),
    ({"min_likes": -1}, "The 'min_likes' parameter of AuthenticityModel must be an int >= 0. Got -1 instead."),
    ({"following_limit": 1500.5}, "The 'following_limit' parameter of AuthenticityModel must be an int >= 0. "
                                  "Got 1500.5 instead."),
    ({"min_group_size": True}, "The 'min_group_size' parameter of AuthenticityModel must be an int >= 3. "
                               "Got True instead."),
    ({"z_cut": 0}, "The 'z_cut' parameter of AuthenticityModel must be a number > 0. Got 0 instead."),
    ({"min_fold": 1.0}, "The 'min_fold' parameter of AuthenticityModel must be a number > 1. Got 1.0 instead."),
    ({"spike_factor": "5"}, "The 'spike_factor' parameter of AuthenticityModel must be a number > 1. Got '5' instead."),
    ({"z_cut": float("nan")}, "The 'z_cut' parameter of AuthenticityModel must be a number > 0. Got nan instead."),
])
def test_settings_are_validated(settings: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AuthenticityModel(**settings)


def test_settings_are_keyword_only_and_frozen() -> None:
    with pytest.raises(TypeError):
        AuthenticityModel(12)  # type: ignore[misc]
    model = AuthenticityModel()
    with pytest.raises(AttributeError):
        model.z_cut = 1.0  # type: ignore[misc]
