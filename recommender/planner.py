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
  creators (over the whole plan) are of that tier.

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
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from .costs import CostModel, creator_costs
from .errors import RecommenderError

if TYPE_CHECKING:  # pragma: no cover
    from .recommender import BriefLike, Recommender

__all__ = ["Planner", "Plan", "InfeasiblePlanError", "expected_value", "plan_campaign"]

logger = logging.getLogger(__name__)

_TOL = 1e-7
_REQUIRED = ["brief_id", "creator_id", "tier", "followers", "semantic", "engagement_rate"]
PLAN_COLUMNS = ["brief_id", "brief_name", "creator_id", "handle", "platform", "tier", "followers", "cost",
                "cost_estimated", "semantic", "engagement_rate", "expected_engagements", "expected_value", "rank",
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


def _number(value: Any, name: str, *, minimum: float = 0.0) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value) \
            or value <= minimum:
        raise ValueError(f"The '{name}' parameter of Planner must be a number > {minimum:g}. Got {value!r} instead.")


def _count(value: Any, name: str, minimum: int) -> None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"The '{name}' parameter of Planner must be an int >= {minimum}. Got {value!r} instead.")


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
    time_limit: float = 60.0

    def __post_init__(self) -> None:
        _number(self.budget, "budget")
        _number(self.time_limit, "time_limit")
        if self.brief_budget is not None:
            _number(self.brief_budget, "brief_budget")
        for name in ("max_creators", "max_per_brief"):
            if getattr(self, name) is not None:
                _count(getattr(self, name), name, 1)
        _count(self.min_per_brief, "min_per_brief", 0)
        if self.max_per_brief is not None and self.min_per_brief > self.max_per_brief:
            raise ValueError(f"The 'min_per_brief' parameter of Planner must be <= max_per_brief "
                             f"({self.max_per_brief}). Got {self.min_per_brief} instead.")
        if self.solver not in ("exact", "greedy"):
            raise ValueError(f"The 'solver' parameter of Planner must be 'exact' or 'greedy'. Got {self.solver!r} instead.")
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
            :func:`~recommender.costs.creator_costs`.
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
        problem = _Problem(table, brief_ids)
        solver, chosen, gap = self.solver, None, math.nan
        if not len(table):
            chosen = np.zeros(0, dtype=bool) if self.min_per_brief == 0 or not brief_ids else None
        elif solver == "exact":
            chosen, gap = _solve_exact(problem, self)
            if chosen is None and math.isnan(gap):  # out of time before any plan was found
                logger.warning("The exact planner found no plan in %ss; using the greedy one.", self.time_limit)
                solver = "greedy"
        if solver == "greedy" and len(table):
            chosen = _greedy(problem, self)
            if chosen is not None:
                gap = _relative_gap(problem.value[chosen].sum(), _solve_exact(problem, self, relax=True)[1])
        if chosen is None:
            raise InfeasiblePlanError("Cannot plan: " + _diagnose(problem, self, greedy=solver == "greedy"))
        return _build_plan(table, chosen, brief_ids, self, solver, gap, time.perf_counter() - started)


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
        ``briefs``, ``tier_mix`` (creators per tier), ``tier_budget`` (spend per
        tier), ``per_brief`` (value, cost, creators per brief id),
        ``estimated_costs`` (bookings priced by estimate), ``solver``, ``gap``
        (relative; 0 is proven optimal, greedy: against the LP bound) and ``seconds``.
    """

    table: pd.DataFrame
    candidates: pd.DataFrame
    summary: dict[str, Any]


def plan_campaign(recommender: "Recommender", briefs: Iterable["BriefLike"], planner: Planner, *, k: int = 20,
                  cost_model: CostModel = CostModel(), progress: bool | None = None) -> Plan:
    """Shortlist ``k`` candidates per brief with the recommender, price them, and plan.

    Examples
    --------
    >>> plan = plan_campaign(rec, briefs, Planner(budget=25_000, tier_mix={"micro": 0.6}))  # doctest: +SKIP
    >>> plan.summary["value"], plan.summary["budget_used"]  # doctest: +SKIP
    """
    from .recommender import _as_brief

    unknown = sorted(set(planner.tier_mix) - set(recommender.tier_scheme.names))
    if unknown:
        raise ValueError(f"The 'tier_mix' of the planner names unknown tier(s) {unknown}; the recommender's tiers "
                         f"are {list(recommender.tier_scheme.names)}.")
    briefs = [_as_brief(b, i) for i, b in enumerate(briefs, start=1)]
    candidates = recommender.recommend_batch(briefs, k=k, progress=progress)
    costs = creator_costs(recommender.creators_, cost_model)
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
        raise ValueError("Planner.plan needs a price per creator: pass costs=creator_costs(recommender.creators_) "
                         "or give the candidates a 'cost' column.")
    cost = pd.to_numeric(table["cost"], errors="coerce")
    if cost.isna().any() or (cost < 0).any():
        bad = table.loc[cost.isna() | (cost < 0), "creator_id"].unique()[:10].tolist()
        raise ValueError(f"Every candidate needs a cost >= 0; creator(s) {bad} have none or a negative one.")
    for column, default in (("brief_name", ""), ("handle", ""), ("platform", ""), ("rank", 0), ("reasons", "")):
        if column not in table.columns:
            table[column] = default
    flags = table["cost_estimated"] if "cost_estimated" in table.columns else pd.Series(False, index=table.index)
    table["cost"], table["cost_estimated"] = cost.astype(float), flags.fillna(False).astype(bool)
    table["expected_engagements"] = table["followers"].astype(float) * table["engagement_rate"].fillna(0).astype(float)
    table["expected_value"] = expected_value(table["semantic"], table["followers"], table["engagement_rate"])
    return table


class _Problem:
    """The arrays of a planning problem: one entry per (brief, creator) pair."""

    def __init__(self, table: pd.DataFrame, brief_ids: list[str]) -> None:
        self.value = table["expected_value"].to_numpy(dtype=float)
        self.cost = table["cost"].to_numpy(dtype=float)
        self.brief = pd.Index(brief_ids).get_indexer(table["brief_id"])
        self.creator, creators = pd.factorize(table["creator_id"])
        self.tier = table["tier"].to_numpy(dtype=object)
        self.n_briefs, self.n_creators = len(brief_ids), len(creators)
        names = table.drop_duplicates("brief_id").set_index("brief_id")["brief_name"].astype(str)
        self.labels = [f"'{b}'" + (f" ({names[b]})" if names.get(b, "") and names[b] != b else "") for b in brief_ids]


def _groups(p: _Problem, s: Planner) -> dict[str, Any]:
    """The constraints as named ``LinearConstraint`` groups (names appear in error messages)."""
    from scipy.optimize import LinearConstraint
    from scipy.sparse import csr_array

    n = len(p.value)
    cols = np.arange(n)
    by_brief = csr_array((np.ones(n), (p.brief, cols)), shape=(p.n_briefs, n))
    by_creator = csr_array((np.ones(n), (p.creator, cols)), shape=(p.n_creators, n))
    shared = np.bincount(p.creator, minlength=p.n_creators) > 1
    # Budget rows are divided by their bound so that every row has coefficients near 1 (HiGHS's tolerances).
    groups = {"budget": LinearConstraint(p.cost[None, :] / s.budget, -np.inf, 1.0),
              "creators per brief": LinearConstraint(by_brief, s.min_per_brief, s.max_per_brief or np.inf)}
    if s.brief_budget is not None:
        spend = csr_array((p.cost / s.brief_budget, (p.brief, cols)), shape=(p.n_briefs, n))
        groups["per-brief budget"] = LinearConstraint(spend, -np.inf, 1.0)
    if shared.any():
        groups["one brief per creator"] = LinearConstraint(by_creator[np.flatnonzero(shared)], -np.inf, 1)
    if s.max_creators is not None:
        groups["max creators"] = LinearConstraint(np.ones((1, n)), -np.inf, s.max_creators)
    if s.tier_mix:
        rows = np.array([(p.tier == t).astype(float) - share for t, share in s.tier_mix.items()])
        groups["tier mix"] = LinearConstraint(rows, 0, np.inf)
    return groups


def _solve_exact(p: _Problem, s: Planner, *, relax: bool = False,
                 drop: str | None = None) -> tuple[np.ndarray | None, float]:
    """``(chosen, gap)``; ``chosen`` is None when infeasible (gap 0) or out of time (gap NaN).

    With ``relax`` the integrality is dropped and the second value is the LP bound on the value.
    """
    from scipy.optimize import Bounds, milp

    n = len(p.value)
    scale = max(float(p.value.max(initial=0.0)), 1e-12)  # keeps HiGHS's tolerances meaningful
    constraints = [c for name, c in _groups(p, s).items() if name != drop]
    with _quiet_native_stdout():
        result = milp(-p.value / scale, integrality=np.zeros(n) if relax else np.ones(n), bounds=Bounds(0, 1),
                      constraints=constraints, options={"time_limit": s.time_limit, "mip_rel_gap": 1e-4})
    if relax:
        return None, (-result.fun * scale if result.x is not None else math.nan)
    if result.x is None:
        return None, (0.0 if result.status == 2 else math.nan)
    gap = getattr(result, "mip_gap", None)
    return result.x > 0.5, (0.0 if gap is None or not math.isfinite(gap) else max(float(gap), 0.0))


@contextmanager
def _quiet_native_stdout() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null while HiGHS solves.

    HiGHS 1.12 (bundled with SciPy 1.17) prints a stray debug line from C++ straight to the descriptor
    (ERGO-Code/HiGHS#2783), which Python's redirections cannot catch; it would litter the command's
    output and notebooks. Other threads' output to stdout is lost for the same fraction of a second.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no usable descriptor 1: nothing to protect
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _relative_gap(value: float, bound: float) -> float:
    return max((bound - value) / bound, 0.0) if bound and bound == bound and bound > 0 else 0.0


def _greedy(p: _Problem, s: Planner) -> np.ndarray | None:
    """The better of the greedy plans by value per cost and by value (as the classic knapsack heuristic)."""
    plans = [x for x in (_Greedy(p, s, by_ratio=True).run(), _Greedy(p, s, by_ratio=False).run()) if x is not None]
    return max(plans, key=lambda x: p.value[x].sum(), default=None)


class _Greedy:
    """Greedy booking in one order of preference, tier-mix repair, and destroy-and-rebuild improvement."""

    def __init__(self, p: _Problem, s: Planner, *, by_ratio: bool) -> None:
        self.p, self.s = p, s
        n = len(p.value)
        key = np.where(p.cost > 0, p.value / np.maximum(p.cost, 1e-12), np.inf) if by_ratio else p.value
        self.order = np.lexsort((np.arange(n), -p.value, -key))  # most preferred first
        self.mix = [(p.tier == t, share) for t, share in s.tier_mix.items()]
        self.banned = np.zeros(n, dtype=bool)

    def run(self) -> np.ndarray | None:
        """Build a plan, then while it pays: ban one booking and rebuild around the rest (or, while the plan
        breaks a constraint, from scratch)."""
        empty = np.zeros(len(self.p.value), dtype=bool)
        x = self.complete(empty.copy())
        score = self.p.value[x].sum() if self.valid(x) else -np.inf  # any valid plan beats an invalid start
        deadline = time.perf_counter() + self.s.time_limit
        while time.perf_counter() < deadline:
            best, best_score = None, (score + 1e-9 * abs(score) if np.isfinite(score) else score)
            for out in np.flatnonzero(x):
                self.banned[out] = True
                rest = x.copy()
                rest[out] = False
                rebuilt = [self.complete(rest)] + ([] if np.isfinite(score) else [self.complete(empty.copy())])
                for trial in rebuilt:
                    if self.p.value[trial].sum() > best_score and self.valid(trial):
                        best, best_score = trial, self.p.value[trial].sum()
                self.banned[out] = False
            if best is None:
                break
            x, score = best, best_score
        return x if np.isfinite(score) else None

    def complete(self, x: np.ndarray) -> np.ndarray:
        """Meet the per-brief minimums, fill by preference, repair the tier mix, fill what is left."""
        p, s = self.p, self.s
        for b in np.argsort(np.bincount(p.brief, minlength=p.n_briefs), kind="stable"):  # scarce briefs first
            while (x & (p.brief == b)).sum() < s.min_per_brief:
                fit = self.fits(x) & (p.brief == b)
                # Leave enough budget for the cheapest bookings the other briefs still need.
                spare = fit & (p.cost <= s.budget - p.cost @ x - self.reserve(x, b) + _TOL)
                mix = self.keeps_mix(x, lenient=True)
                if not any(self.add_best(x, allowed) for allowed in (spare & mix, spare, fit & mix, fit)):
                    break
        while self.add_best(x, self.fits(x) & self.keeps_mix(x, lenient=True)):
            pass
        self.repair(x)
        while self.add_best(x, self.fits(x) & self.keeps_mix(x, lenient=False)):
            pass
        return x

    def reserve(self, x: np.ndarray, brief: int) -> float:
        """Cost of the cheapest pairs that the briefs other than ``brief`` still need (shared creators ignored)."""
        p, fit, total = self.p, self.fits(x), 0.0
        for b in range(p.n_briefs):
            need = self.s.min_per_brief - (x & (p.brief == b)).sum()
            if b != brief and need > 0:
                total += np.sort(p.cost[fit & (p.brief == b)])[:need].sum()
        return total

    def fits(self, x: np.ndarray) -> np.ndarray:
        """Pairs that can be added to ``x`` within the budgets, counts and one-brief rule."""
        p, s = self.p, self.s
        ok = ~x & ~self.banned & ~(np.bincount(p.creator[x], minlength=p.n_creators) > 0)[p.creator]
        ok &= p.cost @ x + p.cost <= s.budget + _TOL
        if s.brief_budget is not None:
            spent = np.bincount(p.brief[x], weights=p.cost[x], minlength=p.n_briefs)
            ok &= spent[p.brief] + p.cost <= s.brief_budget + _TOL
        if s.max_per_brief is not None:
            ok &= np.bincount(p.brief[x], minlength=p.n_briefs)[p.brief] < s.max_per_brief
        if s.max_creators is not None and x.sum() >= s.max_creators:
            ok[:] = False
        return ok

    def keeps_mix(self, x: np.ndarray, *, lenient: bool) -> np.ndarray:
        """Pairs whose addition keeps the tier mix (``lenient``: or adds to a tier still short of it)."""
        ok, short = np.ones(len(x), dtype=bool), np.zeros(len(x), dtype=bool)
        for mask, share in self.mix:
            have = (mask & x).sum()
            ok &= have + mask >= share * (x.sum() + 1) - _TOL
            short |= mask & (have < share * (x.sum() + 1) - _TOL)
        return ok | short if lenient else ok

    def short(self, x: np.ndarray) -> np.ndarray:
        """Pairs of the tiers below their share in ``x``."""
        out = np.zeros(len(x), dtype=bool)
        for mask, share in self.mix:
            if (mask & x).sum() < share * x.sum() - _TOL:
                out |= mask
        return out

    def add_best(self, x: np.ndarray, allowed: np.ndarray) -> bool:
        best = self.order[allowed[self.order]]
        if len(best):
            x[best[0]] = True
        return bool(len(best))

    def repair(self, x: np.ndarray) -> None:
        """Until the mix holds: add a pair of a short tier, else swap one in for the least preferred
        booking of another tier, else drop that booking (never below a brief's minimum)."""
        p, s = self.p, self.s
        for _ in range(2 * len(x)):  # each step adds, swaps or drops one booking; the cap rules out cycles
            if self.mix_met(x):
                return
            short = self.short(x)
            if self.add_best(x, self.fits(x) & short):
                continue
            counts = np.bincount(p.brief[x], minlength=p.n_briefs)
            for out in self.order[(x & ~short)[self.order]][::-1]:
                x[out] = False
                allowed = self.fits(x) & short
                if counts[p.brief[out]] <= s.min_per_brief:
                    allowed &= p.brief == p.brief[out]
                if self.add_best(x, allowed) or counts[p.brief[out]] > s.min_per_brief:
                    break
                x[out] = True
            else:
                return

    def mix_met(self, x: np.ndarray) -> bool:
        return all((mask & x).sum() >= share * x.sum() - _TOL for mask, share in self.mix)

    def valid(self, x: np.ndarray) -> bool:
        """Every constraint holds (the moves keep most by construction; this is the contract)."""
        p, s = self.p, self.s
        counts = np.bincount(p.brief[x], minlength=p.n_briefs)
        spent = np.bincount(p.brief[x], weights=p.cost[x], minlength=p.n_briefs)
        return bool(self.mix_met(x) and (counts >= s.min_per_brief).all() and p.cost @ x <= s.budget + _TOL
                    and (s.max_per_brief is None or (counts <= s.max_per_brief).all())
                    and (s.brief_budget is None or (spent <= s.brief_budget + _TOL).all())
                    and (s.max_creators is None or x.sum() <= s.max_creators)
                    and np.bincount(p.creator[x], minlength=p.n_creators).max(initial=0) <= 1)


def _money(amount: float) -> str:
    return f"${amount:,.0f}"


def _diagnose(p: _Problem, s: Planner, *, greedy: bool) -> str:
    """Which constraint makes the plan impossible, checked from the most specific to the least."""
    m, cap = s.min_per_brief, min(s.budget, s.brief_budget or math.inf)
    cap_name = "per-brief budget" if s.brief_budget is not None and s.brief_budget < s.budget else "budget"
    floor = 0.0
    for b in range(p.n_briefs):
        own = np.sort(p.cost[p.brief == b])
        if len(own) < m:
            return (f"creators per brief: brief {p.labels[b]} needs at least {m} creator(s) but has {len(own)} "
                    "candidate(s); fetch more candidates (-k) or loosen its filters")
        if own[:m].sum() > cap + _TOL:
            return (f"{cap_name}: brief {p.labels[b]} needs at least {m} creator(s) but its {m} cheapest "
                    f"candidate(s) cost {_money(own[:m].sum())}, over the {cap_name} of {_money(cap)}")
        floor += own[:m].sum()
    need = m * p.n_briefs
    if s.max_creators is not None and s.max_creators < need:
        return (f"max creators: {p.n_briefs} briefs with at least {m} creator(s) each need {need} creators, "
                f"but max_creators is {s.max_creators}")
    if floor > s.budget + _TOL:
        return (f"budget: {p.n_briefs} briefs with at least {m} creator(s) each cost at least {_money(floor)}, "
                f"over the budget of {_money(s.budget)}")
    affordable = p.cost <= cap + _TOL
    cheapest = pd.Series(p.cost[affordable]).groupby(p.creator[affordable]).min()
    if len(cheapest) < need:
        return (f"one brief per creator: {p.n_briefs} briefs need {need} different creators but their "
                f"candidates within the {cap_name} hold only {len(cheapest)}")
    tiers = pd.Series(p.tier[affordable]).groupby(p.creator[affordable]).first()
    for tier, share in s.tier_mix.items():
        least = math.ceil(share * need - _TOL)
        costs = np.sort(cheapest[tiers == tier].to_numpy())
        if len(costs) < least:
            return (f"tier mix: at least {share:.0%} {tier} needs {least} {tier} creator(s) but only "
                    f"{len(costs)} {tier} candidate(s) fit the {cap_name}")
        if costs[:least].sum() > s.budget + _TOL:
            return (f"tier mix: at least {share:.0%} {tier} needs {least} {tier} creator(s), and the {least} "
                    f"cheapest cost {_money(costs[:least].sum())}, over the budget of {_money(s.budget)}")
    if greedy and _solve_exact(p, s)[0] is not None:
        return "the greedy planner found no plan meeting every constraint, but one exists; use solver='exact'"
    loosen = [name for name in _groups(p, s) if _solve_exact(p, s, drop=name)[0] is not None]
    if loosen:
        return f"the constraints cannot all be met together; loosening {' or '.join(loosen)} alone would allow a plan"
    return "the constraints cannot all be met together; loosen the budget, the tier mix or the counts"


def _build_plan(table: pd.DataFrame, chosen: np.ndarray, brief_ids: list[str], s: Planner, solver: str,
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
