"""Campaign planning: book creators for several briefs under a budget, a tier mix and count limits.

A *plan* picks (brief, creator) pairs from the candidates of
``Recommender.recommend_batch`` to maximise the total expected value::

    expected_value = fit * expected_engagements
                   = max(semantic, 0) * followers * engagement_rate

``semantic`` is the recommender's fit of the creator to the brief and
``engagement_rate`` the creator's fair (shrunk) rate, so ``followers *
engagement_rate`` is the interactions one post can expect, and the fit
discounts those of an audience that cares less about the brand. Constraints:

- total cost <= ``budget``, and per brief <= ``brief_budget`` (optional);
- each brief gets between ``min_per_brief`` and ``max_per_brief`` creators, the
  plan at most ``max_creators``;
- each creator is booked for at most one brief;
- for each ``tier: share`` of ``tier_mix``, at least that share of the chosen
  creators (over the whole plan) are of that tier;
- with ``min_fit``, no creator whose calibrated ``fit`` is below it is booked; a
  brief with no candidate that clears it is left unbooked and named in the summary
  (``below_min_fit``), rather than spending on creators who do not fit it.

``solver="exact"`` solves the binary program with ``scipy.optimize.milp``
(HiGHS, to a 0.01% relative gap). ``"greedy"`` books pairs by value per cost (and,
separately, by value; the better plan wins), repairs the tier mix, then improves
the plan by banning one booking at a time and rebuilding around the rest; its
gap is reported against the bound of the linear relaxation. When the
constraints cannot be met, :class:`InfeasiblePlanError` names the constraint
that fails and by how much.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from ..catalog import BriefLike, as_briefs
from ..ranking import FittedRecommender
from ..util import RecommenderError, check_int, check_number
from .costs import CostModel, creator_costs
from .solvers import Limits, Problem, TOL, constraint_groups, relative_gap, solve_exact, solve_greedy


__all__ = ["Planner", "Plan", "InfeasiblePlanError", "expected_value", "plan_campaign"]

logger = logging.getLogger(__name__)

_REQUIRED = ["brief_id", "creator_id", "tier", "followers", "semantic", "engagement_rate"]
PLAN_COLUMNS = ["brief_id", "brief_name", "creator_id", "handle", "platform", "tier", "followers", "cost",
                "cost_estimated", "fit", "semantic", "engagement_rate", "expected_engagements", "expected_value", "rank",
                "reasons"]


class InfeasiblePlanError(RecommenderError, ValueError):
    """The constraints of a plan cannot all be met; the message names the one that fails."""


def expected_value(semantic: np.ndarray, followers: np.ndarray, engagement_rate: np.ndarray) -> np.ndarray:
    """Fit times expected engagements per post: ``max(semantic, 0) * followers * engagement_rate``.

    >>> expected_value(np.array([0.5, -0.1]), np.array([10_000, 10_000]), np.array([0.04, 0.04])).tolist()
    [200.0, 0.0]
    """
    fit = np.clip(np.nan_to_num(np.asarray(semantic, dtype=float), nan=0.0), 0.0, None)
    rate = np.nan_to_num(np.asarray(engagement_rate, dtype=float), nan=0.0)
    return fit * np.asarray(followers, dtype=float) * rate


@dataclass(frozen=True, kw_only=True)
class Planner:
    """Settings of a campaign plan; :meth:`plan` chooses the creators.

    Parameters
    ----------
    budget : float
        Total spend allowed, in the currency of the costs.
    brief_budget : float, optional
        Spend allowed per brief.
    tier_mix : mapping of str to float
        Minimum share of the chosen creators per tier, e.g. ``{"micro": 0.6}``:
        at least 60% micro. Shares are in (0, 1] and sum to at most 1.
    max_creators : int, optional
        Most creators in the whole plan.
    max_per_brief : int, optional
        Most creators per brief.
    min_per_brief : int
        Fewest creators per brief (default 1: every brief is served); 0 lets a
        brief go without.
    solver : {"exact", "greedy"}
        Integer programming (optimal) or the greedy heuristic.
    min_fit : float, optional
        Book no creator whose calibrated ``fit`` (a column of ``recommend_batch``) is
        below this, in [0, 1]; e.g. ``RelevanceFloor().threshold``. None books any.
    time_limit : float
        Seconds the exact solver may take (past it the best plan found is kept
        with its gap, or the greedy plan when none was found), and that the
        greedy one may spend improving its plan.

    Examples
    --------
    >>> Planner(budget=20_000, tier_mix={"micro": 0.6}).tier_mix
    {'micro': 0.6}
    >>> Planner(budget=-5)
    Traceback (most recent call last):
    ...
    ValueError: The 'budget' parameter of Planner must be a number > 0. Got -5 instead.
    """

    budget: float
    brief_budget: float | None = None
    tier_mix: Mapping[str, float] = field(default_factory=dict)
    max_creators: int | None = None
    max_per_brief: int | None = None
    min_per_brief: int = 1
    solver: Literal["exact", "greedy"] = "exact"
    min_fit: float | None = None
    time_limit: float = 60.0

    def __post_init__(self) -> None:
        check_number(self.budget, "budget", "Planner", above=0, finite=True)
        check_number(self.brief_budget, "brief_budget", "Planner", above=0, finite=True, optional=True)
        check_number(self.time_limit, "time_limit", "Planner", above=0, finite=True)
        for name in ("max_creators", "max_per_brief"):
            if getattr(self, name) is not None:
                check_int(getattr(self, name), name, "Planner")
        check_int(self.min_per_brief, "min_per_brief", "Planner", minimum=0)
        if self.max_per_brief is not None and self.min_per_brief > self.max_per_brief:
            raise ValueError(f"The 'min_per_brief' parameter of Planner must be <= max_per_brief "
                             f"({self.max_per_brief}). Got {self.min_per_brief} instead.")
        if self.solver not in ("exact", "greedy"):
            raise ValueError(f"The 'solver' parameter of Planner must be 'exact' or 'greedy'. Got {self.solver!r} instead.")
        check_number(self.min_fit, "min_fit", "Planner", minimum=0, maximum=1, optional=True)
        if not isinstance(self.tier_mix, Mapping):
            raise ValueError(f"The 'tier_mix' parameter of Planner must be a mapping of tier name to share, e.g. "
                             f"{{'micro': 0.6}}. Got {self.tier_mix!r} instead.")
        for tier, share in self.tier_mix.items():
            if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
                raise ValueError(f"The 'tier_mix' parameter of Planner must map tiers to shares in (0, 1]. "
                                 f"Got {share!r} for {tier!r} instead.")
        if sum(self.tier_mix.values()) > 1 + 1e-9:
            raise ValueError(f"The 'tier_mix' parameter of Planner must have shares summing to at most 1. "
                             f"Got {dict(self.tier_mix)} (sum {sum(self.tier_mix.values()):.2f}) instead.")
        object.__setattr__(self, "tier_mix", {str(t): float(s) for t, s in self.tier_mix.items()})

    def plan(self, candidates: pd.DataFrame, costs: pd.DataFrame | None = None, *,
             briefs: Sequence[str] | None = None) -> "Plan":
        """Choose the creators of each brief.

        Parameters
        ----------
        candidates : DataFrame
            Rows of ``Recommender.recommend_batch``: at least ``brief_id``,
            ``creator_id``, ``tier``, ``followers``, ``semantic`` and
            ``engagement_rate`` (``brief_name``, ``handle``, ``rank``, ``reasons``
            are carried into the plan), plus ``cost`` unless ``costs`` is given.
        costs : DataFrame, optional
            ``creator_id``, ``cost`` and ``cost_estimated``, e.g. from
            :func:`~recommender.planning.costs.creator_costs`.
        briefs : sequence of str, optional
            Every brief id to plan for; a brief absent from ``candidates`` (its
            filters left none) then counts against ``min_per_brief``.

        Returns
        -------
        Plan

        Raises
        ------
        InfeasiblePlanError
            If no plan meets every constraint, naming the one that fails.
        """
        started = time.perf_counter()
        table = _prepare(candidates, costs)
        brief_ids = list(dict.fromkeys([*(briefs or []), *table["brief_id"]]))
        table, below = self._above_floor(table)
        if below:
            logger.warning("No candidate clears min_fit %.2f for brief(s) %s; they are left unbooked.",
                           self.min_fit, sorted(below))
            brief_ids = [b for b in brief_ids if b not in below]
        problem = Problem(table, brief_ids)
        limits = Limits(budget=self.budget, brief_budget=self.brief_budget, tier_mix=self.tier_mix,
                        max_creators=self.max_creators, max_per_brief=self.max_per_brief,
                        min_per_brief=self.min_per_brief, time_limit=self.time_limit)
        solver, chosen, gap = self.solver, None, math.nan
        if not len(table):
            chosen = np.zeros(0, dtype=bool) if self.min_per_brief == 0 or not brief_ids else None
        elif solver == "exact":
            chosen, gap = solve_exact(problem, limits)
            if chosen is None and math.isnan(gap):  # out of time before any plan was found
                logger.warning("The exact planner found no plan in %ss; using the greedy one.", self.time_limit)
                solver = "greedy"
        if solver == "greedy" and len(table):
            chosen = solve_greedy(problem, limits)
            if chosen is not None:
                gap = relative_gap(problem.value[chosen].sum(), solve_exact(problem, limits, relax=True)[1])
        if chosen is None:
            raise InfeasiblePlanError("Cannot plan: " + _diagnose(problem, limits, greedy=solver == "greedy"))
        plan = _build_plan(table, chosen, brief_ids, limits, solver, gap, time.perf_counter() - started)
        plan.summary.update(min_fit=self.min_fit, below_min_fit=below)
        return plan

    def _above_floor(self, table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float]]:
        """The candidates whose fit clears ``min_fit``, and the best fit of each brief none of whose do."""
        if self.min_fit is None:
            return table, {}
        if table["fit"].isna().all() and len(table):
            raise ValueError("Planner(min_fit=...) needs the 'fit' column of Recommender.recommend_batch in the "
                             "candidates; pass min_fit=None to plan without a relevance floor.")
        best = table.groupby("brief_id")["fit"].max()
        below = {str(b): round(float(f), 3) for b, f in best.items() if not f >= self.min_fit}
        return table[table["fit"] >= self.min_fit].reset_index(drop=True), below


@dataclass(frozen=True)
class Plan:
    """A chosen set of (brief, creator) pairs.

    Attributes
    ----------
    table : DataFrame
        One row per booking, by brief then expected value: ``brief_id``,
        ``brief_name``, ``creator_id``, ``handle``, ``platform``, ``tier``,
        ``followers``, ``cost``, ``cost_estimated``, ``semantic``,
        ``engagement_rate``, ``expected_engagements``, ``expected_value``,
        ``rank`` (in the brief's candidate list) and ``reasons``.
    candidates : DataFrame
        Every candidate considered, with ``cost``, ``cost_estimated``,
        ``expected_value`` and ``chosen``.
    summary : dict
        ``value``, ``budget``, ``budget_used``, ``brief_budget``, ``creators``,
        ``briefs``, ``min_fit`` and ``below_min_fit`` (best fit of each brief left
        unbooked because no candidate cleared ``min_fit``), ``tier_mix`` (creators per tier), ``tier_budget`` (spend per
        tier), ``per_brief`` (value, cost, creators per brief id),
        ``estimated_costs`` (bookings priced by estimate), ``solver``, ``gap``
        (relative; 0 is proven optimal, greedy: against the LP bound) and ``seconds``.
    """

    table: pd.DataFrame
    candidates: pd.DataFrame
    summary: dict[str, Any]


def plan_campaign(recommender: FittedRecommender, briefs: Iterable["BriefLike"], planner: Planner, *, k: int = 20,
                  cost_model: CostModel = CostModel(), progress: bool | None = None,
                  candidates: pd.DataFrame | None = None) -> Plan:
    """Shortlist ``k`` candidates per brief with the recommender, price them, and plan.

    ``candidates``, when given, is a shortlist ``recommend_batch`` made earlier for these
    briefs (e.g. kept on disk to replan with another budget): it is planned as it is.

    Examples
    --------
    >>> plan = plan_campaign(rec, briefs, Planner(budget=25_000, tier_mix={"micro": 0.6}))  # doctest: +SKIP
    >>> plan.summary["value"], plan.summary["budget_used"]  # doctest: +SKIP
    """

    unknown = sorted(set(planner.tier_mix) - set(recommender.tier_scheme.names))
    if unknown:
        raise ValueError(f"The 'tier_mix' of the planner names unknown tier(s) {unknown}; the recommender's tiers "
                         f"are {list(recommender.tier_scheme.names)}.")
    briefs = as_briefs(briefs)
    if candidates is None:
        candidates = recommender.recommend_batch(briefs, k=k, progress=progress)
    costs = creator_costs(recommender.creators, cost_model)
    return planner.plan(candidates, costs, briefs=[b.brief_id for b in briefs])


# ----------------------------------------------------------------- internals
def _prepare(candidates: pd.DataFrame, costs: pd.DataFrame | None) -> pd.DataFrame:
    missing = [c for c in _REQUIRED if c not in candidates.columns]
    if missing:
        raise ValueError(f"The 'candidates' table of Planner.plan must have columns {_REQUIRED} (recommend_batch "
                         f"output). Missing {missing}; got {list(candidates.columns)} instead.")
    table = candidates.drop_duplicates(["brief_id", "creator_id"]).reset_index(drop=True)
    table = table.assign(brief_id=table["brief_id"].astype(str), creator_id=table["creator_id"].astype(str),
                         tier=table["tier"].astype(str))
    if costs is not None:
        priced = costs.assign(creator_id=costs["creator_id"].astype(str)).drop_duplicates("creator_id")
        table = table.drop(columns=["cost", "cost_estimated"], errors="ignore")
        table = table.merge(priced[["creator_id", "cost", "cost_estimated"]], on="creator_id", how="left")
    elif "cost" not in table.columns:
        raise ValueError("Planner.plan needs a price per creator: pass costs=creator_costs(recommender.creators) "
                         "or give the candidates a 'cost' column.")
    cost = pd.to_numeric(table["cost"], errors="coerce")
    if cost.isna().any() or (cost < 0).any():
        bad = table.loc[cost.isna() | (cost < 0), "creator_id"].unique()[:10].tolist()
        raise ValueError(f"Every candidate needs a cost >= 0; creator(s) {bad} have none or a negative one.")
    for column, default in (("brief_name", ""), ("handle", ""), ("platform", ""), ("rank", 0), ("reasons", ""),
                            ("fit", np.nan)):
        if column not in table.columns:
            table[column] = default
    flags = table["cost_estimated"] if "cost_estimated" in table.columns else pd.Series(False, index=table.index)
    table["cost"], table["cost_estimated"] = cost.astype(float), flags.fillna(False).astype(bool)
    table["expected_engagements"] = table["followers"].astype(float) * table["engagement_rate"].fillna(0).astype(float)
    table["expected_value"] = expected_value(table["semantic"], table["followers"], table["engagement_rate"])
    return table


def _money(amount: float) -> str:
    return f"${amount:,.0f}"


def _diagnose(p: Problem, s: Limits, *, greedy: bool) -> str:
    """Which constraint makes the plan impossible, checked from the most specific to the least."""
    m, cap = s.min_per_brief, min(s.budget, s.brief_budget or math.inf)
    cap_name = "per-brief budget" if s.brief_budget is not None and s.brief_budget < s.budget else "budget"
    floor = 0.0
    for b in range(p.n_briefs):
        own = np.sort(p.cost[p.brief == b])
        if len(own) < m:
            return (f"creators per brief: brief {p.labels[b]} needs at least {m} creator(s) but has {len(own)} "
                    "candidate(s); fetch more candidates (-k) or loosen its filters")
        if own[:m].sum() > cap + TOL:
            return (f"{cap_name}: brief {p.labels[b]} needs at least {m} creator(s) but its {m} cheapest "
                    f"candidate(s) cost {_money(own[:m].sum())}, over the {cap_name} of {_money(cap)}")
        floor += own[:m].sum()
    need = m * p.n_briefs
    if s.max_creators is not None and s.max_creators < need:
        return (f"max creators: {p.n_briefs} briefs with at least {m} creator(s) each need {need} creators, "
                f"but max_creators is {s.max_creators}")
    if floor > s.budget + TOL:
        return (f"budget: {p.n_briefs} briefs with at least {m} creator(s) each cost at least {_money(floor)}, "
                f"over the budget of {_money(s.budget)}")
    affordable = p.cost <= cap + TOL
    cheapest = pd.Series(p.cost[affordable]).groupby(p.creator[affordable]).min()
    if len(cheapest) < need:
        return (f"one brief per creator: {p.n_briefs} briefs need {need} different creators but their "
                f"candidates within the {cap_name} hold only {len(cheapest)}")
    tiers = pd.Series(p.tier[affordable]).groupby(p.creator[affordable]).first()
    for tier, share in s.tier_mix.items():
        least = math.ceil(share * need - TOL)
        costs = np.sort(cheapest[tiers == tier].to_numpy())
        if len(costs) < least:
            return (f"tier mix: at least {share:.0%} {tier} needs {least} {tier} creator(s) but only "
                    f"{len(costs)} {tier} candidate(s) fit the {cap_name}")
        if costs[:least].sum() > s.budget + TOL:
            return (f"tier mix: at least {share:.0%} {tier} needs {least} {tier} creator(s), and the {least} "
                    f"cheapest cost {_money(costs[:least].sum())}, over the budget of {_money(s.budget)}")
    if greedy and solve_exact(p, s)[0] is not None:
        return "the greedy planner found no plan meeting every constraint, but one exists; use solver='exact'"
    loosen = [name for name in constraint_groups(p, s) if solve_exact(p, s, drop=name)[0] is not None]
    if loosen:
        return f"the constraints cannot all be met together; loosening {' or '.join(loosen)} alone would allow a plan"
    return "the constraints cannot all be met together; loosen the budget, the tier mix or the counts"


def _build_plan(table: pd.DataFrame, chosen: np.ndarray, brief_ids: list[str], s: Limits, solver: str,
                gap: float, seconds: float) -> Plan:
    candidates = table.assign(chosen=chosen)
    order = pd.Index(brief_ids).get_indexer(table["brief_id"])
    booked = candidates[chosen].assign(_order=order[chosen])
    booked = booked.sort_values(["_order", "expected_value", "creator_id"], ascending=[True, False, True])
    booked = booked[PLAN_COLUMNS].reset_index(drop=True)
    per_brief = booked.groupby("brief_id").agg(value=("expected_value", "sum"), cost=("cost", "sum"),
                                               creators=("creator_id", "size"))
    tiers = booked.groupby("tier").agg(n=("creator_id", "size"), cost=("cost", "sum"), size=("followers", "median"))
    tiers = tiers.sort_values("size")  # smallest audiences first, as tier schemes list them
    summary = {
        "value": float(booked["expected_value"].sum()), "budget": float(s.budget),
        "budget_used": float(booked["cost"].sum()), "brief_budget": s.brief_budget,
        "creators": len(booked), "briefs": len(brief_ids),
        "tier_mix": {t: int(n) for t, n in tiers["n"].items()},
        "tier_budget": {t: float(c) for t, c in tiers["cost"].items()},
        "per_brief": {b: {k: (int(v) if k == "creators" else float(v)) for k, v in per_brief.loc[b].items()}
                      if b in per_brief.index else {"value": 0.0, "cost": 0.0, "creators": 0} for b in brief_ids},
        "estimated_costs": int(booked["cost_estimated"].sum()),
        "constraints": {"tier_mix": dict(s.tier_mix), "max_creators": s.max_creators,
                        "max_per_brief": s.max_per_brief, "min_per_brief": s.min_per_brief},
        "solver": solver, "gap": float(gap), "seconds": round(seconds, 3),
    }
    logger.info("Planned %d creators for %d briefs: value %.0f, %s of %s (%s, gap %.2g).", len(booked),
                len(brief_ids), summary["value"], _money(summary["budget_used"]), _money(s.budget), solver, gap)
    return Plan(table=booked, candidates=candidates, summary=summary)
