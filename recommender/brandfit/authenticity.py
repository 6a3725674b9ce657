"""Authenticity signals from public counts: soft, explained hints of bought reach.

Follower lists and like timelines are not public; per-post likes and comments
and (where known) how many accounts a creator follows are. From those counts
alone this module raises soft flags, each against the creator's own (platform,
tier) group: what is normal for 2k followers is not normal for 2M.

Signals
-------
* **Uniform likes** (``flag_uniform_likes``). Likes are bought in packages
  ("1,000 likes") or as auto-like subscriptions that deliver a set number to
  every new post, so a bought audience makes likes per post unusually constant,
  while organic engagement per post is heavy-tailed. The spread is a robust
  coefficient of variation: the standard deviation of log(1 + likes) over the
  recent posts with the single largest post left out (so one viral or boosted
  post cannot hide a flat line). Only *too uniform* is flagged. Erratic likes
  are what organic virality and the sponsored/organic mix produce, and the one
  erratic pattern that does hint at buying, a single boosted post, is the spike
  signal below: flagging both would count it twice.
* **Few comments per like** (``flag_few_comments``): bought likes rarely come
  with comments. **Many comments per like** (``flag_many_comments``):
  engagement pods (groups that comment on each other's posts) and bought
  comments push comments up relative to likes. The ratio is total comments over
  total likes of the recent posts.
* **Follow-for-follow** (``flag_follow_for_follow``): following more than
  ``following_limit`` accounts (1,500) is the usual sign of growth by following
  others and waiting for a follow back. Only where the creators table has a
  ``following`` column; a missing or empty value is unknown and never flagged.
  ``followers_per_following`` is reported alongside, unflagged.
* **Engagement spikes** (``flag_engagement_spike``): a recent post whose likes
  + comments reach ``spike_factor`` (5) times the creator's own median. Counts
  cannot tell a bought boost from a post that went viral, which is why the flag
  is soft and the reason counts the posts.

Not a signal: "followers larger than the engagement suggests" is the low end of
the fair engagement percentile (:func:`recommender.catalog.engagement.score_engagement`),
which already ranks it; a lowest-percentile flag would count the same evidence
twice and would flag a fixed share of every tier by construction.

Tier-relative comparison
------------------------
Spread and comments per like are compared on a log scale with a robust z-score
(median and 1.4826 x MAD) within the creator's (platform, tier) group, falling
back to the tier over all platforms, then to the whole catalog, when a group has
fewer than ``min_group_size`` creators with a value. A value is flagged only if it
is both an outlier (|z| >= ``z_cut``) and far from the group median in plain
terms (at least ``min_fold`` times): the z-score alone over-flags when a group
is very homogeneous, the ratio alone ignores how much a tier varies.

Too little data gives no flag, not a noisy one: no spread or spike flag below
``min_posts`` recent posts, no spread flag below ``min_likes`` likes, no
comments-per-like flag where fewer than ``min_expected_comments`` comments are
expected. Flags never change a score by themselves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog import TierScheme
from ..util import check_int, check_number

logger = logging.getLogger(__name__)

__all__ = ["AuthenticityModel", "FLAG_COLUMNS", "authenticity_signals"]

FLAG_COLUMNS = ("flag_uniform_likes", "flag_few_comments", "flag_many_comments", "flag_follow_for_follow",
                "flag_engagement_spike")
"""Boolean columns of :func:`authenticity_signals`; ``authenticity_flags`` counts the raised ones."""

_SPREAD_FLOOR = 1e-3  # log of a perfectly flat line would be -inf
_RATIO_FLOOR = 1e-4  # zero comments is real data: 0.01% comments per like stands in for it
_MIN_SCALE = 0.05  # a group of identical values has MAD 0; 5% on the log scale keeps z finite


@dataclass(frozen=True, kw_only=True)
class AuthenticityModel:
    """Settings of the authenticity signals.

    Attributes
    ----------
    recent_posts : int
        How many of a creator's most recent posts are examined (as in engagement).
    min_posts : int
        Recent posts needed for the spread and spike signals (at least 3). With
        fewer, a flat run of likes is too common by chance: for log-normal
        organic likes, 1.8% of creators with 6 posts fall a third below the
        typical spread, 0.45% with 8 and 0.03% with 12.
    min_likes : int
        Likes over the recent posts needed for the spread signal (an account
        with next to no likes is flat by necessity, not by purchase).
    min_expected_comments : int
        The comments-per-like flags need the group's median ratio to predict at
        least this many comments over the recent posts: with 20 expected, seeing
        a third or fewer happens by chance 0.03% of the time (Poisson), with 5
        expected 4%.
    min_group_size : int
        Creators with a value needed for a group to be its own reference.
    z_cut : float
        Robust z-score beyond which a value is an outlier of its group.
    min_fold : float
        How many times above or below the group median a value must also be.
    spike_factor : float
        A post is a spike at this many times the creator's median engagement.
    following_limit : int
        Following more accounts than this raises the follow-for-follow flag.

    Examples
    --------
    >>> AuthenticityModel(following_limit=2000).following_limit
    2000
    """

    recent_posts: int = 12
    min_posts: int = 8
    min_likes: int = 100
    min_expected_comments: int = 20
    min_group_size: int = 10
    z_cut: float = 3.0
    min_fold: float = 3.0
    spike_factor: float = 5.0
    following_limit: int = 1500

    def __post_init__(self) -> None:
        where = "AuthenticityModel"
        check_int(self.recent_posts, "recent_posts", where)
        check_int(self.min_posts, "min_posts", where, minimum=3)
        check_int(self.min_likes, "min_likes", where, minimum=0)
        check_int(self.min_expected_comments, "min_expected_comments", where, minimum=0)
        check_int(self.min_group_size, "min_group_size", where, minimum=3)
        check_int(self.following_limit, "following_limit", where, minimum=0)
        if self.min_posts > self.recent_posts:
            raise ValueError(f"The 'min_posts' parameter of {where} must be an int <= recent_posts "
                             f"({self.recent_posts}). Got {self.min_posts!r} instead.")
        check_number(self.z_cut, "z_cut", where, above=0)
        check_number(self.min_fold, "min_fold", where, above=1)
        check_number(self.spike_factor, "spike_factor", where, above=1)


def authenticity_signals(
    creators: pd.DataFrame,
    posts: pd.DataFrame,
    scheme: TierScheme,
    model: AuthenticityModel = AuthenticityModel(),
) -> pd.DataFrame:
    """Soft authenticity flags per creator, with the values behind them.

    Parameters
    ----------
    creators : DataFrame
        Catalog creators: ``creator_id`` (unique), ``followers``, optional
        ``platform`` and ``following``.
    posts : DataFrame
        Catalog posts: ``creator_id``, ``likes``, ``comments``, optional ``posted_at``.
    scheme : TierScheme
        The tiers within which creators are compared.
    model : AuthenticityModel

    Returns
    -------
    DataFrame
        Indexed by creator_id in the order of ``creators`` (like the engagement
        frame), with ``posts_checked``; ``likes_cv``, ``likes_cv_tier_median``,
        ``likes_cv_z``; ``comments_per_like``, ``comments_per_like_tier_median``,
        ``comments_per_like_z``; ``following``, ``followers_per_following``;
        ``spike_posts``, ``spike_share``; the booleans of :data:`FLAG_COLUMNS`;
        ``authenticity_flags`` (how many are raised) and ``authenticity_reason``
        (``''`` when none is). Values that cannot be computed are NaN.

    Examples
    --------
    >>> creators = pd.DataFrame({"creator_id": ["a"], "followers": [20_000], "following": [3_200]})
    >>> posts = pd.DataFrame({"creator_id": ["a"] * 6, "likes": [400, 650, 380, 900, 520, 610],
    ...                       "comments": [12, 20, 9, 30, 15, 18]})
    >>> authenticity_signals(creators, posts, TierScheme.preset("default"))["authenticity_reason"].tolist()
    ['authenticity: following 3,200 > 1,500']
    """
    index = pd.Index(creators["creator_id"], name="creator_id")
    if not index.is_unique:
        raise ValueError("The 'creators' parameter of authenticity_signals must have unique creator_id values. "
                         f"Got {int(index.duplicated().sum())} duplicated ids instead.")
    stats = _post_stats(posts, index, model)
    levels = _reference_levels(creators, scheme)
    out = pd.DataFrame(index=index)
    count, likes = stats["count"], stats["likes"]
    out["posts_checked"] = count

    enough = (count >= model.min_posts) & (likes >= model.min_likes)
    spread = np.where(enough, stats["spread"], np.nan)
    log_spread = np.log(np.maximum(spread, _SPREAD_FLOOR))
    z, centre = _robust_z(log_spread, levels, model.min_group_size)
    out["likes_cv"], out["likes_cv_tier_median"], out["likes_cv_z"] = spread, np.exp(centre), z
    out["flag_uniform_likes"] = _outlier(log_spread, z, centre, model, low=True)

    ratio = np.divide(stats["comments"], likes, out=np.full(len(out), np.nan), where=likes > 0)
    log_ratio = np.log(np.maximum(ratio, _RATIO_FLOOR))
    z, centre = _robust_z(log_ratio, levels, model.min_group_size)
    out["comments_per_like"], out["comments_per_like_tier_median"], out["comments_per_like_z"] = (
        ratio, np.exp(centre), z)
    countable = likes * np.exp(centre) >= model.min_expected_comments  # NaN centre: False
    out["flag_few_comments"] = countable & _outlier(log_ratio, z, centre, model, low=True)
    out["flag_many_comments"] = countable & _outlier(log_ratio, z, centre, model, low=False)

    following = _following(creators)
    followers = creators["followers"].to_numpy(dtype=float)
    out["following"] = following
    out["followers_per_following"] = np.divide(followers, following, out=np.full(len(out), np.nan),
                                               where=following > 0)
    out["flag_follow_for_follow"] = following > model.following_limit

    checked = count >= model.min_posts
    out["spike_posts"] = stats["spikes"]
    out["spike_share"] = np.divide(stats["spikes"], count, out=np.full(len(out), np.nan), where=checked)
    out["flag_engagement_spike"] = checked & (stats["spikes"] > 0)

    out["authenticity_flags"] = out[list(FLAG_COLUMNS)].sum(axis=1).astype(int)
    out["authenticity_reason"] = _reasons(out, model)
    logger.info("%d of %d creators raise at least one authenticity flag.",
                int((out["authenticity_flags"] > 0).sum()), len(out))
    return out


def _outlier(log_value: np.ndarray, z: np.ndarray, centre: np.ndarray, model: AuthenticityModel,
             *, low: bool) -> np.ndarray:
    # NaN compares False: no value or no reference, no flag.
    fold = np.log(model.min_fold)
    with np.errstate(invalid="ignore"):
        if low:
            return (z <= -model.z_cut) & (log_value <= centre - fold)
        return (z >= model.z_cut) & (log_value >= centre + fold)


# ------------------------------------------------------------------ per creator
def _post_stats(posts: pd.DataFrame, index: pd.Index, model: AuthenticityModel) -> dict[str, np.ndarray]:
    """Counts, like and comment totals, spread and spikes over each creator's recent posts."""
    n = len(index)
    owner_all = _owners(posts["creator_id"], index)
    rows = np.flatnonzero(owner_all >= 0)  # posts of unknown creators are ignored
    owner = owner_all[rows]
    if len(owner) and np.bincount(owner).max() <= model.recent_posts:
        order = np.argsort(owner, kind="stable")  # every post is recent: grouping is enough
    else:
        # Same recency as engagement: newest dated posts first, then undated ones from the end of the file.
        # Two stable sorts of the reversed arrays (ties keep the later row first) beat a three-key lexsort.
        stamp = _timestamps(posts)[rows][::-1]
        by_time = np.argsort(np.where(stamp == np.iinfo(np.int64).min, np.iinfo(np.int64).max, -stamp),
                             kind="stable")
        order = len(rows) - 1 - by_time[np.argsort(owner[::-1][by_time], kind="stable")]
    owner = owner[order]
    starts, lengths = _runs(owner)
    rank = np.arange(len(owner)) - np.repeat(starts, lengths)
    recent = rank < model.recent_posts
    chosen, who = rows[order[recent]], owner[recent]
    likes = posts["likes"].to_numpy(dtype=float)[chosen]
    comments = posts["comments"].to_numpy(dtype=float)[chosen]
    count = np.bincount(who, minlength=n)
    return {
        "count": count,
        "likes": np.bincount(who, weights=likes, minlength=n),
        "comments": np.bincount(who, weights=comments, minlength=n),
        "spread": _trimmed_log_sd(who, likes, count),
        "spikes": _spikes(who, likes + comments, n, model.spike_factor),
    }


def _owners(ids: pd.Series, index: pd.Index) -> np.ndarray:
    """Position in ``index`` of each post's creator, -1 for unknown creators."""
    # pyarrow's hash lookup is about 4x faster than Index.get_indexer on a million string ids.
    found = pc.index_in(pa.array(ids.astype(str)), value_set=pa.array(index.astype(str)))
    return found.fill_null(-1).to_numpy().astype(np.int64)


def _timestamps(posts: pd.DataFrame) -> np.ndarray:
    """Post times as int64 nanoseconds, the NaT sentinel (int64 minimum) where unknown."""
    if "posted_at" not in posts.columns:
        return np.full(len(posts), np.iinfo(np.int64).min, dtype=np.int64)
    return pd.DatetimeIndex(pd.to_datetime(posts["posted_at"], utc=True, errors="coerce")).asi8


def _runs(sorted_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each run of equal values in a sorted array."""
    if len(sorted_codes) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    return starts, np.diff(np.r_[starts, len(sorted_codes)])


def _trimmed_log_sd(who: np.ndarray, likes: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Standard deviation of log(1 + likes) per creator without the largest post (NaN below 3 posts)."""
    n = len(count)
    logs = np.log1p(likes)
    starts, _ = _runs(who)
    top = np.zeros(n)
    top[who[starts]] = np.maximum.reduceat(logs, starts)
    kept = count - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (np.bincount(who, weights=logs, minlength=n) - top) / kept
        # Two passes for stability: squared deviations from the trimmed mean, minus the top post's own.
        squares = np.bincount(who, weights=(logs - mean[who]) ** 2, minlength=n) - (top - mean) ** 2
        var = squares / (kept - 1)
    return np.where(count >= 3, np.sqrt(np.maximum(var, 0.0)), np.nan)


def _spikes(who: np.ndarray, engagement: np.ndarray, n: int, factor: float) -> np.ndarray:
    """Posts per creator at >= ``factor`` x the creator's median engagement (a median of 0 counts as 1)."""
    top = float(engagement.max(initial=0.0)) + 1.0
    if n * top < 2.0 ** 53:
        # One sort of a packed key (creator, engagement), exact for integer counts, instead of a lexsort.
        packed = np.sort(who * top + engagement)
        owner_sorted = (packed // top).astype(np.int64)
        values = packed - owner_sorted * top
    else:
        order = np.lexsort((engagement, who))
        owner_sorted, values = who[order], engagement[order]
    starts, lengths = _runs(owner_sorted)
    median = np.zeros(n)
    median[owner_sorted[starts]] = (values[starts + (lengths - 1) // 2] + values[starts + lengths // 2]) / 2
    spike = engagement >= factor * np.maximum(median[who], 1.0)
    return np.bincount(who, weights=spike, minlength=n).astype(int)


def _following(creators: pd.DataFrame) -> np.ndarray:
    """The optional ``following`` column as floats; absent, empty or negative is NaN (unknown)."""
    if "following" not in creators.columns:
        return np.full(len(creators), np.nan)
    values = pd.to_numeric(creators["following"], errors="coerce").to_numpy(dtype=float)
    return np.where(values >= 0, values, np.nan)


# ------------------------------------------------------------------ reference groups
def _reference_levels(creators: pd.DataFrame, scheme: TierScheme) -> list[np.ndarray]:
    """Group codes from finest to coarsest: (platform, tier), tier, the whole catalog."""
    tier = np.asarray(scheme.assign(creators["followers"].to_numpy(dtype=float)).codes, dtype=np.int64)
    tier = np.where(tier < 0, len(scheme.names), tier)  # unknown followers form their own band
    platform = creators["platform"].fillna("").astype(str) if "platform" in creators.columns else ""
    platform_code = pd.factorize(pd.Series(platform, index=creators.index).replace("", "unknown"))[0].astype(np.int64)
    return [platform_code * (len(scheme.names) + 1) + tier, tier, np.zeros(len(creators), dtype=np.int64)]


def _robust_z(values: np.ndarray, levels: list[np.ndarray], min_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Robust z-score of each value and the median of its reference group (NaN without one)."""
    z, centre = np.full(len(values), np.nan), np.full(len(values), np.nan)
    valid = ~np.isnan(values)
    pending = valid.copy()
    for codes in levels:
        groups, value = codes[valid], values[valid]
        size = np.bincount(groups, minlength=codes.max(initial=0) + 1)
        median = pd.Series(value).groupby(groups).median()
        med = np.full(len(size), np.nan)
        med[median.index.to_numpy()] = median.to_numpy()
        spread = pd.Series(np.abs(value - med[groups])).groupby(groups).median()
        scale = np.full(len(size), np.nan)
        scale[spread.index.to_numpy()] = np.maximum(1.4826 * spread.to_numpy(), _MIN_SCALE)
        take = pending & (size[codes] >= min_size)
        centre[take] = med[codes[take]]
        z[take] = (values[take] - centre[take]) / scale[codes[take]]
        pending &= ~take
    return z, centre


# ------------------------------------------------------------------ reasons
def _reasons(out: pd.DataFrame, model: AuthenticityModel) -> np.ndarray:
    """One ``'authenticity: a; b'`` line per creator, ``''`` when no flag is raised."""
    reason = np.full(len(out), "", dtype=object)
    ratio = ("comments_per_like", "comments_per_like_tier_median")
    comments = lambda v, m: f"comments per like {_pct(v)} vs {_pct(m)} tier median"  # noqa: E731
    phrases = {
        "flag_uniform_likes": (("likes_cv", "likes_cv_tier_median"), lambda v, m: (
            f"likes per post nearly constant (spread {_pct(v)} vs {_pct(m)} tier median)")),
        "flag_few_comments": (ratio, comments),
        "flag_many_comments": (ratio, comments),
        "flag_follow_for_follow": (("following",), lambda f: f"following {f:,.0f} > {model.following_limit:,}"),
        "flag_engagement_spike": (("spike_posts", "posts_checked"), lambda k, n: (
            f"{k} of {n} posts at >= {model.spike_factor:g}x own median engagement")),
    }
    for column, (fields, phrase) in phrases.items():
        rows = np.flatnonzero(out[column].to_numpy())
        values = zip(*(out[f].to_numpy()[rows].tolist() for f in fields))
        text = np.array([phrase(*v) for v in values], dtype=object)
        reason[rows] = np.where(reason[rows] == "", text, reason[rows] + "; " + text)
    return np.where(reason == "", "", "authenticity: " + reason)


def _pct(share: float) -> str:
    if share >= 0.1:
        return f"{share:.0%}"
    return f"{share:.1%}" if share >= 0.001 else f"{share:.2%}"
