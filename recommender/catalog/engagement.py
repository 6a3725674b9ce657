"""Engagement that is fair across tiers.

Raw engagement rates fall as audiences grow, so comparing a 5k-follower creator
with a 500k one on raw rate rewards size, not quality. This module:

1. computes a per-post rate, (likes + comments) / followers, and a views-based
   rate where views exist; implausible posts (rate > 100%, interactions with zero
   followers) are flagged and left out of the aggregates, never crashed on;
2. aggregates each creator's most recent posts with the median of log-rates,
   so one lucky post cannot carry a creator;
3. shrinks that estimate toward the typical rate of the creator's (platform,
   tier) group with empirical Bayes, so a creator with two posts is not ranked as
   confidently as one with twenty;
4. expresses the result as a percentile within (platform, tier): 0.9 means
   "better than 90% of comparable creators", whatever the tier.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..util import check_int, check_number
from .tiers import TierScheme

logger = logging.getLogger(__name__)

__all__ = ["EngagementModel", "post_rates", "score_engagement"]

_FLOOR = 1e-5  # log-rates need a positive floor: a post with zero interactions is real data


@dataclass(frozen=True)
class EngagementModel:
    """Settings of the engagement estimate.

    Attributes
    ----------
    recent_posts : int
        How many of a creator's most recent posts are aggregated.
    min_group_size : int
        A (platform, tier) group smaller than this is scored within its tier over
        all platforms instead.
    prior_strength : float
        How many creators' worth of weight a tier's published typical rate has
        in the group prior; only matters for small groups.
    max_plausible_rate : float
        Posts above this rate are flagged and ignored (1.0 = 100% of followers).
    """

    recent_posts: int = 12
    min_group_size: int = 10
    prior_strength: float = 5.0
    max_plausible_rate: float = 1.0

    def __post_init__(self) -> None:
        check_int(self.recent_posts, "recent_posts", "EngagementModel")
        check_int(self.min_group_size, "min_group_size", "EngagementModel")
        # A negative weight gives an infinite prior, a bound <= 0 flags every post.
        check_number(self.prior_strength, "prior_strength", "EngagementModel", minimum=0)
        check_number(self.max_plausible_rate, "max_plausible_rate", "EngagementModel", above=0)


def post_rates(posts: pd.DataFrame, followers: pd.Series, *, max_plausible_rate: float = 1.0) -> pd.DataFrame:
    """Per-post engagement rates and plausibility flags.

    Parameters
    ----------
    posts : DataFrame
        Catalog posts (``creator_id``, ``likes``, ``comments``, ``views``).
    followers : Series
        Followers indexed by creator_id.

    Returns
    -------
    DataFrame
        ``posts`` with ``engagement_rate``, ``view_rate`` (NaN without views) and
        ``flag`` (``''`` when plausible, otherwise the reason).

    Examples
    --------
    >>> posts = pd.DataFrame({"creator_id": ["a", "a", "b"], "likes": [90, 3000, 5], "comments": [10, 0, 0],
    ...                       "views": [None, None, 50]})
    >>> rated = post_rates(posts, pd.Series({"a": 1000, "b": 0}))
    >>> rated["engagement_rate"].tolist(), rated["flag"].tolist()
    ([0.1, nan, nan], ['', 'rate above 100% of followers', 'interactions with zero followers'])
    """
    interactions = posts["likes"].to_numpy(dtype=float) + posts["comments"].to_numpy(dtype=float)
    audience = posts["creator_id"].map(followers).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = interactions / audience
        views = pd.to_numeric(posts["views"], errors="coerce").to_numpy(dtype=float)
        view_rate = np.where(views > 0, interactions / views, np.nan)
    flag = np.full(len(posts), "", dtype=object)
    flag[(audience == 0) & (interactions > 0)] = "interactions with zero followers"
    flag[(audience > 0) & (rate > max_plausible_rate)] = f"rate above {max_plausible_rate:.0%} of followers"
    rate = np.where(flag == "", rate, np.nan)
    rate = np.where(audience == 0, np.nan, rate)
    return posts.assign(engagement_rate=rate, view_rate=view_rate, flag=flag)


def score_engagement(
    creators: pd.DataFrame,
    posts: pd.DataFrame,
    scheme: TierScheme,
    model: EngagementModel = EngagementModel(),
) -> pd.DataFrame:
    """Fair engagement per creator.

    Returns
    -------
    DataFrame indexed by creator_id with columns ``n_posts`` (posts used),
    ``engagement_rate`` (median of recent posts, NaN without usable posts),
    ``view_rate`` (median, NaN without views), ``engagement_rate_shrunk`` (the
    empirical-Bayes estimate, defined for every creator), ``engagement_score``
    (percentile in (0, 1) within the creator's group), ``tier_median_rate``
    (median shrunk rate of the group), ``engagement_group`` and ``engagement_flags``
    (number of implausible posts left out).
    """
    followers = creators.set_index("creator_id")["followers"]
    rated = post_rates(posts, followers, max_plausible_rate=model.max_plausible_rate)
    recent = _most_recent(rated, model.recent_posts)
    usable = recent[recent["engagement_rate"].notna()]
    log_rate = np.log(np.maximum(usable["engagement_rate"].to_numpy(dtype=float), _FLOOR))
    per = pd.DataFrame({"creator_id": usable["creator_id"].to_numpy(), "log_rate": log_rate})
    grouped = per.groupby("creator_id")["log_rate"]
    stats = pd.DataFrame({"n_posts": grouped.size(), "median_log": grouped.median(), "var_log": grouped.var(ddof=1)})

    out = creators[["creator_id", "platform", "tier"]].set_index("creator_id").join(stats)
    out["n_posts"] = out["n_posts"].fillna(0).astype(int)
    out["engagement_flags"] = rated[rated["flag"] != ""].groupby("creator_id").size().reindex(out.index).fillna(0).astype(int)
    out["view_rate"] = recent.groupby("creator_id")["view_rate"].median().reindex(out.index)
    out["engagement_group"] = _groups(out, model.min_group_size)
    out["engagement_rate_shrunk"] = np.exp(_shrink(out, scheme, model))
    out["engagement_rate"] = np.exp(out["median_log"])
    out["engagement_score"] = out.groupby("engagement_group")["engagement_rate_shrunk"].transform(_mid_rank_percentile)
    out["tier_median_rate"] = out.groupby("engagement_group")["engagement_rate_shrunk"].transform("median")
    flagged = int(out["engagement_flags"].sum())
    if flagged:
        logger.warning("%d posts have implausible engagement and were left out of engagement scores.", flagged)
    columns = ["n_posts", "engagement_rate", "view_rate", "engagement_rate_shrunk", "engagement_score",
               "tier_median_rate", "engagement_group", "engagement_flags"]
    return out[columns]


def _most_recent(posts: pd.DataFrame, n: int) -> pd.DataFrame:
    # Posts without a date keep file order, placed after dated ones (oldest first is
    # the usual export order, so file order is a fair stand-in for time).
    order = posts.assign(_pos=np.arange(len(posts)))
    order = order.sort_values(["creator_id", "posted_at", "_pos"], ascending=[True, False, False], na_position="last")
    return order.groupby("creator_id", sort=False).head(n).drop(columns="_pos")


def _groups(out: pd.DataFrame, min_size: int) -> pd.Series:
    platform = out["platform"].replace("", "unknown").astype(str)
    tier = out["tier"].astype(str)
    key = platform + "/" + tier
    size = key.map(key.value_counts())
    return key.where(size >= min_size, "all/" + tier)


def _shrink(out: pd.DataFrame, scheme: TierScheme, model: EngagementModel) -> np.ndarray:
    """Posterior mean of each creator's log-rate under a normal-normal model.

    Within-creator variance sigma2 is pooled over creators; between-creator
    variance tau2 per group is estimated by the method of moments. A creator with n
    posts keeps weight n / (n + sigma2 / tau2) on its own median.
    """
    has = out["n_posts"] > 0
    within = out.loc[out["n_posts"] > 1, "var_log"]
    sigma2 = float(np.nanmedian(within)) if within.notna().any() else 0.25
    sigma2 = max(sigma2, 1e-4)
    rates = scheme.typical_rates()
    prior = pd.Series(np.nan, index=out.index)
    tau2 = pd.Series(np.nan, index=out.index)
    global_mean = float(out.loc[has, "median_log"].median()) if has.any() else np.log(0.03)
    for group, idx in out.groupby("engagement_group").groups.items():
        medians = out.loc[idx, "median_log"].dropna()
        tier = group.split("/", 1)[1]
        anchor = np.log(rates[tier]) if tier in rates else global_mean
        k = model.prior_strength
        centre = (medians.sum() + k * anchor) / (len(medians) + k) if len(medians) else anchor
        spread = float(medians.var(ddof=1)) if len(medians) > 2 else np.nan
        mean_noise = float((sigma2 / out.loc[medians.index, "n_posts"]).mean()) if len(medians) else sigma2
        t2 = spread - mean_noise if np.isfinite(spread) else np.nan
        prior[idx] = centre
        tau2[idx] = t2 if np.isfinite(t2) and t2 > 0.01 else max(sigma2, 0.01)
    n = out["n_posts"].to_numpy(dtype=float)
    weight = n / (n + sigma2 / tau2.to_numpy())
    own = out["median_log"].fillna(0.0).to_numpy()
    return np.where(has, weight * own + (1 - weight) * prior.to_numpy(), prior.to_numpy())


def _mid_rank_percentile(values: pd.Series) -> pd.Series:
    ranks = values.rank(method="average")
    return (ranks - 0.5) / len(values)
