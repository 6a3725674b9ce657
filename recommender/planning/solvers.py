"""Solvers of the campaign planning problem (see :mod:`recommender.planning.planner`).

The problem is a 0/1 choice per (brief, creator) pair. :func:`solve_exact` states
it as a mixed-integer program for ``scipy.optimize.milp``; :func:`solve_greedy`
books by value per cost (and by value), repairs the tier mix, then improves by
banning one booking at a time and rebuilding. Pure array code: no I/O.
"""

from __future__ import annotations

import math
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd

__all__ = ["Limits", "Problem", "constraint_groups", "solve_exact", "solve_greedy", "relative_gap", "TOL"]

TOL = 1e-7


@dataclass(frozen=True, kw_only=True)
class Limits:
    """The constraints of a plan and the solvers' time limit.

    :class:`~recommender.planning.planner.Planner` checks its settings and fills
    these from them; the solvers read nothing else of it.
    """

    budget: float
    brief_budget: float | None
    tier_mix: Mapping[str, float]
    max_creators: int | None
    max_per_brief: int | None
    min_per_brief: int
    time_limit: float


class Problem:
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


def constraint_groups(p: Problem, s: Limits) -> dict[str, Any]:
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


def solve_exact(p: Problem, s: Limits, *, relax: bool = False,
                drop: str | None = None) -> tuple[np.ndarray | None, float]:
    """``(chosen, gap)``; ``chosen`` is None when infeasible (gap 0) or out of time (gap NaN).

    With ``relax`` the integrality is dropped and the second value is the LP bound on the value.
    """
    from scipy.optimize import Bounds, milp

    n = len(p.value)
    scale = max(float(p.value.max(initial=0.0)), 1e-12)  # keeps HiGHS's tolerances meaningful
    constraints = [c for name, c in constraint_groups(p, s).items() if name != drop]
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


def relative_gap(value: float, bound: float) -> float:
    return max((bound - value) / bound, 0.0) if bound and bound == bound and bound > 0 else 0.0


def solve_greedy(p: Problem, s: Limits) -> np.ndarray | None:
    """The better of the greedy plans by value per cost and by value (as the classic knapsack heuristic)."""
    plans = [x for x in (_Greedy(p, s, by_ratio=True).run(), _Greedy(p, s, by_ratio=False).run()) if x is not None]
    return max(plans, key=lambda x: p.value[x].sum(), default=None)


class _Greedy:
    """Greedy booking in one order of preference, tier-mix repair, and destroy-and-rebuild improvement."""

    def __init__(self, p: Problem, s: Limits, *, by_ratio: bool) -> None:
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
                spare = fit & (p.cost <= s.budget - p.cost @ x - self.reserve(x, b) + TOL)
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
        ok &= p.cost @ x + p.cost <= s.budget + TOL
        if s.brief_budget is not None:
            spent = np.bincount(p.brief[x], weights=p.cost[x], minlength=p.n_briefs)
            ok &= spent[p.brief] + p.cost <= s.brief_budget + TOL
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
            ok &= have + mask >= share * (x.sum() + 1) - TOL
            short |= mask & (have < share * (x.sum() + 1) - TOL)
        return ok | short if lenient else ok

    def short(self, x: np.ndarray) -> np.ndarray:
        """Pairs of the tiers below their share in ``x``."""
        out = np.zeros(len(x), dtype=bool)
        for mask, share in self.mix:
            if (mask & x).sum() < share * x.sum() - TOL:
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
        return all((mask & x).sum() >= share * x.sum() - TOL for mask, share in self.mix)

    def valid(self, x: np.ndarray) -> bool:
        """Every constraint holds (the moves keep most by construction; this is the contract)."""
        p, s = self.p, self.s
        counts = np.bincount(p.brief[x], minlength=p.n_briefs)
        spent = np.bincount(p.brief[x], weights=p.cost[x], minlength=p.n_briefs)
        return bool(self.mix_met(x) and (counts >= s.min_per_brief).all() and p.cost @ x <= s.budget + TOL
                    and (s.max_per_brief is None or (counts <= s.max_per_brief).all())
                    and (s.brief_budget is None or (spent <= s.brief_budget + TOL).all())
                    and (s.max_creators is None or x.sum() <= s.max_creators)
                    and np.bincount(p.creator[x], minlength=p.n_creators).max(initial=0) <= 1)
