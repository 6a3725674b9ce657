"""Cost per post: the catalog's own prices, or an estimate from per-tier rate bands.

Planning a campaign needs a price for every creator, and most catalogs only
know some. :func:`creator_costs` keeps every price the catalog gives (its
``cost`` column) and estimates the others from :class:`RateBand` s, one per
tier, marking each row with ``cost_estimated`` so that no output passes an
estimate off as a quote.

An estimate scales the tier's typical price with audience size, as agencies
quote (a cost per thousand followers), and clips it to the tier's band::

    cost = clip(scale * typical * followers / reference_followers, low, high)

The default bands (USD per sponsored post, :data:`DEFAULT_RATES`) follow the
ranges published in industry rate guides (Influencer Marketing Hub and
similar, 2023-2024): the band is what the same creator may charge across
campaigns (a story mention at ``low``, a produced video with usage rights at
``high``); ``typical`` is a single feed post, about $15-17 per thousand
followers for nano and micro creators, less per thousand for larger ones.
``scale`` moves every estimate for campaigns richer or leaner than that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from ..util import check_int, check_number

__all__ = ["RateBand", "CostModel", "DEFAULT_RATES", "creator_costs"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RateBand:
    """The price range of one tier, in currency units per post.

    Parameters
    ----------
    low, typical, high : float
        Cheapest, usual and dearest price per post; ``0 <= low <= typical <= high``.
    reference_followers : int
        Audience at which a creator of the tier charges ``typical``; the
        estimate grows in proportion to followers around it.
    """

    low: float
    typical: float
    high: float
    reference_followers: int

    def __post_init__(self) -> None:
        for name in ("low", "typical", "high"):
            check_number(getattr(self, name), name, "RateBand", minimum=0, finite=True)
        if not self.low <= self.typical <= self.high:
            raise ValueError("The parameters of RateBand must satisfy low <= typical <= high. "
                             f"Got low={self.low!r}, typical={self.typical!r}, high={self.high!r} instead.")
        check_int(self.reference_followers, "reference_followers", "RateBand")


#: Default bands per tier of the ``default`` tier preset (USD per post); see the module docstring.
DEFAULT_RATES: Mapping[str, RateBand] = {
    "emerging": RateBand(low=5, typical=10, high=100, reference_followers=500),
    "nano": RateBand(low=10, typical=50, high=500, reference_followers=3_000),
    "micro": RateBand(low=100, typical=500, high=10_000, reference_followers=30_000),
    "mid": RateBand(low=500, typical=2_500, high=20_000, reference_followers=200_000),
    "macro": RateBand(low=5_000, typical=8_000, high=50_000, reference_followers=700_000),
    "mega": RateBand(low=10_000, typical=30_000, high=250_000, reference_followers=3_000_000),
}


@dataclass(frozen=True, kw_only=True)
class CostModel:
    """How missing prices are estimated.

    Parameters
    ----------
    rates : mapping of str to RateBand
        One band per tier name; every tier of the creators to price needs one
        (custom tier schemes pass their own).
    scale : float
        Multiplies every estimate (before clipping to the band), e.g. 2.0 for
        video deliverables with usage rights, 0.5 for gifted-product campaigns.
    use_catalog : bool
        Use the catalog's ``cost`` column where it has a value (default); False
        estimates every price, e.g. to compare quotes with the bands.

    Examples
    --------
    >>> CostModel().estimate([30_000], ["micro"]).tolist()
    [500.0]
    """

    rates: Mapping[str, RateBand] = field(default_factory=lambda: dict(DEFAULT_RATES))
    scale: float = 1.0
    use_catalog: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.rates, Mapping) or not self.rates:
            raise ValueError("The 'rates' parameter of CostModel must be a non-empty mapping of tier name to RateBand. "
                             f"Got {self.rates!r} instead.")
        bad = [name for name, band in self.rates.items() if not isinstance(band, RateBand)]
        if bad:
            raise ValueError(f"The 'rates' parameter of CostModel must map tier names to RateBand. "
                             f"Got {type(self.rates[bad[0]]).__name__} for {bad[0]!r} instead.")
        object.__setattr__(self, "rates", dict(self.rates))
        check_number(self.scale, "scale", "CostModel", above=0, finite=True)

    def estimate(self, followers: np.ndarray | pd.Series | list, tiers: np.ndarray | pd.Series | list) -> np.ndarray:
        """Estimated price per post of each creator from its followers and tier.

        Raises
        ------
        ValueError
            If a tier has no rate band, naming the tiers that need one.
        """
        tiers = pd.Series(np.asarray(tiers, dtype=object)).astype(str)
        missing = sorted(set(tiers) - set(self.rates))
        if missing:
            raise ValueError(f"CostModel has no rate band for tier(s) {missing}; it knows {sorted(self.rates)}. "
                             "Pass CostModel(rates={...}) with a RateBand for every tier, or give a 'cost' column.")
        bands = [self.rates[t] for t in tiers]
        low = np.array([b.low for b in bands], dtype=float)
        high = np.array([b.high for b in bands], dtype=float)
        per_follower = np.array([b.typical / b.reference_followers for b in bands], dtype=float)
        raw = self.scale * per_follower * np.asarray(followers, dtype=float)
        return np.clip(raw, low, high)


def creator_costs(creators: pd.DataFrame, model: CostModel = CostModel()) -> pd.DataFrame:
    """Price per post of every creator, marked when estimated.

    Parameters
    ----------
    creators : DataFrame
        ``creator_id``, ``followers`` and ``tier``, and optionally ``cost``
        (e.g. ``Recommender.creators``).
    model : CostModel
        Rate bands for creators without a price.

    Returns
    -------
    DataFrame
        ``creator_id``, ``cost`` (float >= 0) and ``cost_estimated`` (True where
        the price comes from the rate bands rather than the catalog), in the
        order of ``creators``.

    Examples
    --------
    >>> table = pd.DataFrame({"creator_id": ["a", "b"], "followers": [30_000, 5_000],
    ...                       "tier": ["micro", "nano"], "cost": [450.0, None]})
    >>> creator_costs(table).to_dict("list")
    {'creator_id': ['a', 'b'], 'cost': [450.0, 83.33333333333333], 'cost_estimated': [False, True]}
    """
    missing = [c for c in ("creator_id", "followers", "tier") if c not in creators.columns]
    if missing:
        raise ValueError(f"The 'creators' table of creator_costs must have columns ['creator_id', 'followers', 'tier']. "
                         f"Missing {missing}; got {list(creators.columns)} instead.")
    given = np.full(len(creators), np.nan)
    if model.use_catalog and "cost" in creators.columns:
        given = pd.to_numeric(creators["cost"], errors="coerce").to_numpy(dtype=float)
    estimated = np.isnan(given)
    cost = given.copy()
    if estimated.any():
        cost[estimated] = model.estimate(creators["followers"].to_numpy()[estimated],
                                         creators["tier"].to_numpy()[estimated])
        logger.info("Estimated the cost of %d of %d creators from tier rate bands.", int(estimated.sum()), len(cost))
    return pd.DataFrame({"creator_id": creators["creator_id"].to_numpy(), "cost": cost, "cost_estimated": estimated})
