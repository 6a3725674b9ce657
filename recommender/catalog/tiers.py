"""Follower tiers: named bands of audience size, configurable.

Definitions in the industry disagree ("micro" is 1k-100k in some guides, 10k-100k
in others, 10k-50k in yet others), so a :class:`TierScheme` is explicit data:
a preset by name, or your own boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["Tier", "TierScheme", "TIER_PRESETS"]


@dataclass(frozen=True)
class Tier:
    """One band of follower counts, ``min_followers <= followers < max_followers``.

    Attributes
    ----------
    name : str
        Tier name used in filters and outputs, e.g. ``'micro'``.
    min_followers : int
        Inclusive lower bound.
    max_followers : float
        Exclusive upper bound (``inf`` for the top tier).
    typical_rate : float or None
        A published typical engagement rate, (likes + comments) / followers, used
        as the prior of engagement shrinkage when a tier has few creators.
    """

    name: str
    min_followers: int
    max_followers: float
    typical_rate: float | None = None


@dataclass(frozen=True)
class TierScheme:
    """An ordered, gap-free partition of follower counts into tiers.

    Build one with :meth:`preset` or :meth:`from_boundaries`.

    Examples
    --------
    >>> scheme = TierScheme.preset("default")
    >>> scheme.assign([500, 5_000, 50_000]).tolist()
    ['emerging', 'nano', 'micro']
    >>> TierScheme.from_boundaries({"small": 0, "large": 50_000}).names
    ('small', 'large')
    """

    tiers: tuple[Tier, ...]

    def __post_init__(self) -> None:
        if not self.tiers:
            raise ValueError("A TierScheme needs at least one tier. Got none.")
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError(f"Tier names must be unique. Got {names}.")
        if self.tiers[0].min_followers != 0:
            raise ValueError(
                f"The first tier must start at 0 followers so that every creator has a tier. "
                f"Got {self.tiers[0].name!r} starting at {self.tiers[0].min_followers}."
            )
        for lower, upper in zip(self.tiers, self.tiers[1:]):
            if lower.max_followers != upper.min_followers or upper.min_followers <= lower.min_followers:
                raise ValueError(
                    f"Tiers must be contiguous and increasing. Got {lower.name!r} ending at "
                    f"{lower.max_followers} and {upper.name!r} starting at {upper.min_followers}."
                )
        if self.tiers[-1].max_followers != float("inf"):
            raise ValueError(f"The last tier must be open-ended. Got {self.tiers[-1].name!r} ending at "
                             f"{self.tiers[-1].max_followers}.")

    @property
    def names(self) -> tuple[str, ...]:
        """Tier names from smallest to largest audience."""
        return tuple(t.name for t in self.tiers)

    @classmethod
    def preset(cls, name: str) -> "TierScheme":
        """A named scheme from :data:`TIER_PRESETS`."""
        if name not in TIER_PRESETS:
            raise ValueError(f"Unknown tier preset {name!r}. Valid presets: {sorted(TIER_PRESETS)}.")
        return TIER_PRESETS[name]

    @classmethod
    def from_boundaries(
        cls, lower_bounds: Mapping[str, int], *, typical_rates: Mapping[str, float] | None = None
    ) -> "TierScheme":
        """Build a scheme from each tier's inclusive lower bound.

        Parameters
        ----------
        lower_bounds : mapping of str to int
            ``{"nano": 0, "micro": 10_000, "macro": 100_000}``; the smallest must be 0.
        typical_rates : mapping of str to float, optional
            Typical engagement rate per tier name (prior for shrinkage).
        """
        items = sorted(lower_bounds.items(), key=lambda kv: kv[1])
        rates = dict(typical_rates or {})
        unknown = set(rates) - set(lower_bounds)
        if unknown:
            raise ValueError(f"typical_rates names tiers that do not exist: {sorted(unknown)}. "
                             f"Tiers: {[k for k, _ in items]}.")
        uppers = [b for _, b in items[1:]] + [float("inf")]
        return cls(tuple(Tier(n, int(b), u, rates.get(n)) for (n, b), u in zip(items, uppers)))

    def assign(self, followers: Sequence[int] | np.ndarray | pd.Series) -> pd.Categorical:
        """Tier name of each follower count, as an ordered categorical."""
        counts = np.asarray(followers, dtype=float)
        edges = np.array([t.min_followers for t in self.tiers[1:]], dtype=float)
        codes = np.searchsorted(edges, counts, side="right")
        codes = np.where(np.isnan(counts), -1, codes)
        return pd.Categorical.from_codes(codes, categories=list(self.names), ordered=True)

    def check_names(self, names: Sequence[str], *, parameter: str = "tiers") -> list[str]:
        """Return ``names`` as a list, raising if any is not a tier of this scheme."""
        names = [names] if isinstance(names, str) else list(names)
        unknown = [n for n in names if n not in self.names]
        if unknown:
            raise ValueError(f"The '{parameter}' parameter names unknown tiers {unknown}. "
                             f"Valid tiers: {list(self.names)}.")
        return names

    def typical_rates(self) -> dict[str, float]:
        """Published typical engagement rate per tier, where the scheme has one."""
        return {t.name: t.typical_rate for t in self.tiers if t.typical_rate is not None}

    def describe(self) -> pd.DataFrame:
        """The scheme as a table: tier, min_followers, max_followers, typical_rate."""
        return pd.DataFrame(
            [(t.name, t.min_followers, t.max_followers, t.typical_rate) for t in self.tiers],
            columns=["tier", "min_followers", "max_followers", "typical_rate"],
        )


# Typical Instagram engagement by tier as published in industry reports (about 4%
# nano, 3% micro, 2.5% macro); the in-between values are interpolated. They only
# seed shrinkage for small groups: a catalog's own data dominates when it is large.
_RATES = {"emerging": 0.05, "nano": 0.04, "micro": 0.03, "mid": 0.027, "macro": 0.025, "mega": 0.018}

TIER_PRESETS: dict[str, TierScheme] = {
    # nano 1k-10k, micro 10k-100k, mid 100k-500k, macro 500k-1M, mega >= 1M.
    "default": TierScheme.from_boundaries(
        {"emerging": 0, "nano": 1_000, "micro": 10_000, "mid": 100_000, "macro": 500_000, "mega": 1_000_000},
        typical_rates=_RATES,
    ),
    # The narrow reading: micro 10k-50k, mid-tier 50k-500k.
    "micro-10k-50k": TierScheme.from_boundaries(
        {"emerging": 0, "nano": 1_000, "micro": 10_000, "mid": 50_000, "macro": 500_000, "mega": 1_000_000},
        typical_rates=_RATES,
    ),
    # The broad reading: everyone from 1k to 100k is "micro".
    "micro-1k-100k": TierScheme.from_boundaries(
        {"emerging": 0, "micro": 1_000, "mid": 100_000, "macro": 500_000, "mega": 1_000_000},
        typical_rates={k: v for k, v in _RATES.items() if k != "nano"},
    ),
}
