"""Descriptive tables of a catalog: what a user checks right after loading."""

from __future__ import annotations

import pandas as pd

from .engagement import score_engagement
from .tiers import TierScheme

__all__ = ["summarise", "format_summary"]


def summarise(creators: pd.DataFrame, posts: pd.DataFrame, tier_scheme: TierScheme, *, rejected_rows: int = 0,
              truncated_texts: int = 0, group_column: str | None = None) -> dict[str, pd.DataFrame]:
    """Counts and engagement of a catalog's tables (``Catalog.summary`` passes its own).

    Parameters
    ----------
    creators, posts : DataFrame
        The tables of a :class:`~recommender.catalog.loader.Catalog`.
    tier_scheme : TierScheme
        The scheme that assigned the creators' ``tier``.
    rejected_rows, truncated_texts : int
        Input rows rejected by a lenient load, and texts cut to the model's length, for the overview.
    group_column : str, optional
        A creator column to break counts down by (e.g. ``'niche'``); defaults to
        ``'niche'`` when the catalog has one.

    Returns
    -------
    dict of str to DataFrame
        ``'overview'`` (one row of totals), ``'by_tier'`` (creators, posts, median
        raw and fair engagement per tier), and ``'by_<group_column>'`` when grouped.
    """
    engagement = score_engagement(creators, posts, tier_scheme)
    posts_per = posts.groupby("creator_id").size()
    frame = creators.set_index("creator_id").join(engagement[["engagement_rate", "engagement_rate_shrunk"]])
    frame["posts"] = posts_per.reindex(frame.index).fillna(0).astype(int)
    overview = pd.DataFrame([{
        "creators": len(creators),
        "posts": len(posts),
        "creators_without_posts": int((frame["posts"] == 0).sum()),
        "rejected_rows": rejected_rows,
        "truncated_texts": truncated_texts,
        "platforms": ", ".join(sorted(p for p in creators["platform"].unique() if p)),
    }])
    by_tier = frame.groupby("tier", observed=False).agg(
        creators=("followers", "size"),
        posts=("posts", "sum"),
        median_followers=("followers", "median"),
        median_engagement_rate=("engagement_rate", "median"),
        median_fair_rate=("engagement_rate_shrunk", "median"),
    )
    tables = {"overview": overview, "by_tier": by_tier}
    group_column = group_column or ("niche" if "niche" in creators.columns else None)
    if group_column:
        counts = frame.groupby(group_column).agg(creators=("followers", "size"), posts=("posts", "sum"),
                                                 median_engagement_rate=("engagement_rate", "median"))
        tiers = pd.crosstab(frame[group_column], frame["tier"])
        tables[f"by_{group_column}"] = counts.join(tiers)
    return tables


def format_summary(tables: dict[str, pd.DataFrame]) -> str:
    """Render :func:`summarise` output as plain text for a terminal."""
    parts = []
    for name, table in tables.items():
        shown = table.copy()
        for column in shown.columns:
            if "rate" in str(column):
                shown[column] = shown[column].map(lambda x: "" if pd.isna(x) else f"{x:.2%}")
        parts.append(f"== {name.replace('_', ' ')} ==\n{shown.to_string()}")
    return "\n\n".join(parts)
