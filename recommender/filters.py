"""Hard filters of a brief, as a boolean mask over the creator table."""

from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .brief import BrandBrief
from .tiers import TierScheme

__all__ = ["brief_mask", "keyword_mask"]


def keyword_mask(texts: pd.Series, keywords: tuple[str, ...]) -> np.ndarray:
    """True where a text mentions any keyword (case-insensitive, as a word or hashtag prefix).

    ``vegan`` matches "vegan", "#vegan" and "#veganfood"; it does not match "nonvegan".
    """
    words = [k.strip().lower().lstrip("#") for k in keywords if k.strip()]
    if not words:
        return np.zeros(len(texts), dtype=bool)
    pattern = r"(?<![\w])#?(?:" + "|".join(re.escape(w) for w in words) + r")"
    return texts.str.contains(pattern, case=False, regex=True).to_numpy()


def brief_mask(
    brief: BrandBrief,
    creators: pd.DataFrame,
    *,
    scheme: TierScheme,
    fair_rate: np.ndarray,
    all_text: pd.Series,
) -> np.ndarray:
    """Creators that pass every hard filter of ``brief``.

    Parameters
    ----------
    creators : DataFrame
        The recommender's creator table (positions = index positions).
    fair_rate : ndarray
        Each creator's fair (shrunk) engagement rate.
    all_text : Series
        Bio and captions of each creator joined, for ``exclude_keywords``.
    """
    mask = np.ones(len(creators), dtype=bool)
    if brief.tiers:
        mask &= creators["tier"].astype(str).isin(scheme.check_names(brief.tiers)).to_numpy()
    followers = creators["followers"].to_numpy()
    if brief.min_followers is not None:
        mask &= followers >= brief.min_followers
    if brief.max_followers is not None:
        mask &= followers <= brief.max_followers
    if brief.min_engagement_rate is not None:
        mask &= fair_rate >= brief.min_engagement_rate
    for column, allowed in (("platform", brief.platforms), ("country", brief.countries), ("language", brief.languages)):
        if allowed:
            wanted = {a.strip().lower() for a in allowed}
            mask &= creators[column].astype(str).str.strip().str.lower().isin(wanted).to_numpy()
    for column, condition in brief.filters.items():
        mask &= _column_filter(creators, column, condition, brief)
    if brief.exclude_keywords:
        mask &= ~keyword_mask(all_text, brief.exclude_keywords)
    return mask


def _column_filter(creators: pd.DataFrame, column: str, condition: Any, brief: BrandBrief) -> np.ndarray:
    if column not in creators.columns:
        raise ValueError(
            f"Brief {brief.name!r} filters on unknown column {column!r}. "
            f"Creator columns: {sorted(c for c in creators.columns)}."
        )
    values = creators[column]
    if isinstance(condition, Mapping):
        unknown = set(condition) - {"min", "max"}
        if unknown:
            raise ValueError(f"Brief {brief.name!r} filter on {column!r} has unknown keys {sorted(unknown)}; "
                             "expected 'min' and/or 'max', a value, or a list of values.")
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        out = np.ones(len(values), dtype=bool)
        if "min" in condition:
            out &= numbers >= float(condition["min"])
        if "max" in condition:
            out &= numbers <= float(condition["max"])
        return out
    if isinstance(condition, (list, tuple, set)):
        wanted = {str(c).lower() for c in condition}
    else:
        wanted = {str(condition).lower()}
    return values.astype(str).str.lower().isin(wanted).to_numpy()
