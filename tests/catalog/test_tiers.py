"""Tests of recommender.catalog.tiers: presets, custom schemes and construction errors."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from recommender.catalog.loader import load_catalog
from recommender.catalog.tiers import TIER_PRESETS, Tier, TierScheme

INF = float("inf")


def tiers_of(scheme: TierScheme, counts: list[int]) -> list[str]:
    return list(scheme.assign(counts))


# --------------------------------------------------------------------------- presets


@pytest.mark.parametrize(
    ("followers", "tier"),
    [
        (0, "emerging"),
        (999, "emerging"),
        (1_000, "nano"),
        (9_999, "nano"),
        (10_000, "micro"),
        (99_999, "micro"),
        (100_000, "mid"),
        (499_999, "mid"),
        (500_000, "macro"),
        (999_999, "macro"),
        (1_000_000, "mega"),
        (250_000_000, "mega"),
    ],
)
def test_default_preset_bands_at_exact_boundaries(followers: int, tier: str) -> None:
    # Each band is min <= followers < max: the boundary value belongs to the upper tier.
    assert tiers_of(TierScheme.preset("default"), [followers]) == [tier]


def test_default_preset_is_the_documented_partition() -> None:
    scheme = TierScheme.preset("default")
    assert scheme.names == ("emerging", "nano", "micro", "mid", "macro", "mega")
    table = scheme.describe()
    assert table.columns.tolist() == ["tier", "min_followers", "max_followers", "typical_rate"]
    assert table["min_followers"].tolist() == [0, 1_000, 10_000, 100_000, 500_000, 1_000_000]
    # Every band ends where the next one starts, the last one is open-ended.
    assert table["max_followers"].tolist()[:-1] == table["min_followers"].tolist()[1:]
    assert math.isinf(table["max_followers"].iloc[-1])
    # Published rates fall as audiences grow, and every tier has one.
    rates = scheme.typical_rates()
    assert list(rates) == list(scheme.names)
    values = [rates[name] for name in scheme.names]
    assert values == sorted(values, reverse=True)
    assert all(0 < r < 0.1 for r in values)


@pytest.mark.parametrize(
    ("followers", "tier"),
    [
        (999, "emerging"),
        (1_000, "nano"),
        (9_999, "nano"),
        (10_000, "micro"),
        (49_999, "micro"),
        (50_000, "mid"),
        (499_999, "mid"),
        (500_000, "macro"),
        (999_999, "macro"),
        (1_000_000, "mega"),
    ],
)
def test_narrow_micro_preset(followers: int, tier: str) -> None:
    assert tiers_of(TierScheme.preset("micro-10k-50k"), [followers]) == [tier]


@pytest.mark.parametrize(
    ("followers", "tier"),
    [
        (999, "emerging"),
        (1_000, "micro"),
        (9_999, "micro"),
        (10_000, "micro"),
        (99_999, "micro"),
        (100_000, "mid"),
        (499_999, "mid"),
        (500_000, "macro"),
        (999_999, "macro"),
        (1_000_000, "mega"),
    ],
)
def test_broad_micro_preset(followers: int, tier: str) -> None:
    assert tiers_of(TierScheme.preset("micro-1k-100k"), [followers]) == [tier]


def test_broad_micro_preset_has_no_nano_tier() -> None:
    scheme = TierScheme.preset("micro-1k-100k")
    assert "nano" not in scheme.names
    assert "nano" not in scheme.typical_rates()
    with pytest.raises(ValueError, match=re.escape("names unknown tiers ['nano']")):
        scheme.check_names(["nano"])


def test_presets_are_listed_and_shared() -> None:
    assert sorted(TIER_PRESETS) == ["default", "micro-10k-50k", "micro-1k-100k"]
    assert TierScheme.preset("default") is TIER_PRESETS["default"]


def test_assign_returns_an_ordered_categorical_and_keeps_nan_missing() -> None:
    scheme = TierScheme.preset("default")
    tiers = scheme.assign(np.array([5_000, np.nan, 2_000_000]))
    assert isinstance(tiers, pd.Categorical)
    assert tiers.ordered
    assert list(tiers.categories) == list(scheme.names)
    assert tiers[0] == "nano" and tiers[2] == "mega"
    assert pd.isna(tiers[1])
    # Ordered by audience size, not the alphabet ('mega' < 'nano' alphabetically).
    assert tiers.min() == "nano" and tiers.max() == "mega"


def test_assign_accepts_a_series() -> None:
    scheme = TierScheme.preset("default")
    assert list(scheme.assign(pd.Series([0, 1_000, 1_000_000]))) == ["emerging", "nano", "mega"]


# --------------------------------------------------------------------------- custom schemes


def test_from_boundaries_sorts_bounds_and_builds_contiguous_bands() -> None:
    scheme = TierScheme.from_boundaries({"large": 50_000, "small": 0, "medium": 5_000},
                                        typical_rates={"small": 0.06, "large": 0.02})
    assert scheme.names == ("small", "medium", "large")
    assert scheme.tiers[0] == Tier("small", 0, 5_000, 0.06)
    assert scheme.tiers[1] == Tier("medium", 5_000, 50_000, None)
    assert scheme.tiers[2] == Tier("large", 50_000, INF, 0.02)
    assert tiers_of(scheme, [0, 4_999, 5_000, 49_999, 50_000]) == ["small", "small", "medium", "medium", "large"]
    # Only the tiers given a rate have one.
    assert scheme.typical_rates() == {"small": 0.06, "large": 0.02}


def test_single_tier_scheme_covers_everyone() -> None:
    scheme = TierScheme.from_boundaries({"everyone": 0})
    assert tiers_of(scheme, [0, 10, 10**9]) == ["everyone"] * 3


def test_check_names_returns_a_list_and_accepts_one_name() -> None:
    scheme = TierScheme.preset("default")
    assert scheme.check_names("nano") == ["nano"]
    assert scheme.check_names(("micro", "mega")) == ["micro", "mega"]


def test_catalog_uses_the_chosen_scheme_and_can_switch() -> None:
    creators = pd.DataFrame({"creator_id": ["a", "b", "c"], "followers": [5_000, 60_000, 150_000]})
    default = load_catalog(creators)
    assert default.creators["tier"].tolist() == ["nano", "micro", "mid"]
    narrow = load_catalog(creators, tiers="micro-10k-50k")
    assert narrow.creators["tier"].tolist() == ["nano", "mid", "mid"]
    broad = default.with_tiers("micro-1k-100k")
    assert broad.creators["tier"].tolist() == ["micro", "micro", "mid"]
    assert broad.tier_scheme is TIER_PRESETS["micro-1k-100k"]
    # The original catalog is unchanged.
    assert default.creators["tier"].tolist() == ["nano", "micro", "mid"]
    custom = default.with_tiers(TierScheme.from_boundaries({"small": 0, "big": 100_000}))
    assert custom.creators["tier"].tolist() == ["small", "small", "big"]


# --------------------------------------------------------------------------- construction errors


def test_gap_between_tiers_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape(
            "Tiers must be contiguous and increasing. Got 'small' ending at 1000 and 'big' starting at 2000.")):
        TierScheme((Tier("small", 0, 1_000), Tier("big", 2_000, INF)))


def test_overlapping_tiers_are_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("Got 'small' ending at 5000 and 'big' starting at 1000.")):
        TierScheme((Tier("small", 0, 5_000), Tier("big", 1_000, INF)))


def test_two_tiers_with_the_same_lower_bound_are_rejected() -> None:
    # An empty band (100 <= followers < 100) is a mistake, not a tier.
    with pytest.raises(ValueError, match=re.escape(
            "Tiers must be contiguous and increasing. Got 'b' ending at 100 and 'c' starting at 100.")):
        TierScheme.from_boundaries({"a": 0, "b": 100, "c": 100})


def test_scheme_not_starting_at_zero_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape(
            "The first tier must start at 0 followers so that every creator has a tier. "
            "Got 'nano' starting at 1000.")):
        TierScheme.from_boundaries({"nano": 1_000, "micro": 10_000})


def test_duplicate_tier_names_are_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("Tier names must be unique. Got ['a', 'b', 'a'].")):
        TierScheme((Tier("a", 0, 10), Tier("b", 10, 20), Tier("a", 20, INF)))


def test_empty_scheme_is_rejected() -> None:
    with pytest.raises(ValueError, match="A TierScheme needs at least one tier. Got none."):
        TierScheme(())


def test_closed_last_tier_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("The last tier must be open-ended. Got 'b' ending at 100.")):
        TierScheme((Tier("a", 0, 10), Tier("b", 10, 100)))


def test_unknown_preset_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=re.escape(
            "Unknown tier preset 'tiktok'. Valid presets: ['default', 'micro-10k-50k', 'micro-1k-100k'].")):
        TierScheme.preset("tiktok")


def test_unknown_preset_name_in_load_catalog() -> None:
    with pytest.raises(ValueError, match=re.escape("Unknown tier preset 'big-small'")):
        load_catalog(pd.DataFrame({"creator_id": ["a"], "followers": [1]}), tiers="big-small")


def test_typical_rate_for_an_unknown_tier_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape(
            "typical_rates names tiers that do not exist: ['huge']. Tiers: ['small', 'big'].")):
        TierScheme.from_boundaries({"small": 0, "big": 1_000}, typical_rates={"small": 0.05, "huge": 0.01})


def test_check_names_with_an_unknown_tier_lists_the_valid_ones() -> None:
    scheme = TierScheme.preset("default")
    with pytest.raises(ValueError, match=re.escape(
            "The 'tiers' parameter names unknown tiers ['giga', 'Nano']. Valid tiers: "
            "['emerging', 'nano', 'micro', 'mid', 'macro', 'mega'].")):
        scheme.check_names(["micro", "giga", "Nano"])
    with pytest.raises(ValueError, match=re.escape("The 'exclude_tiers' parameter names unknown tiers ['giga']")):
        scheme.check_names("giga", parameter="exclude_tiers")
