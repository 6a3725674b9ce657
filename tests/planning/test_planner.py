"""The campaign planner against brute force, its constraints, its errors, costs and the ``plan`` command."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from recommender import BrandBrief, Recommender
from recommender.planning.costs import DEFAULT_RATES, CostModel, RateBand, creator_costs
from recommender.planning.planner import InfeasiblePlanError, Planner, expected_value, plan_campaign

from ..conftest import NICHES

TIERS = ["nano", "micro", "mid"]


def candidates(rng: np.random.Generator, n_creators: int = 7, briefs: int = 2, per_brief: int = 5) -> pd.DataFrame:
    """``briefs`` x ``per_brief`` random candidate rows over ``n_creators`` creators (so some are shared)."""
    followers = rng.integers(2_000, 300_000, size=n_creators)
    tier = rng.choice(TIERS, size=n_creators)
    cost = np.round(followers * rng.uniform(0.005, 0.03, size=n_creators))
    rows = []
    for b in range(briefs):
        for c in rng.choice(n_creators, size=per_brief, replace=False):
            rows.append({"brief_id": f"b{b}", "brief_name": f"Brand {b}", "creator_id": f"c{c}", "tier": tier[c],
                         "followers": followers[c], "semantic": rng.uniform(0.05, 0.7),
                         "engagement_rate": rng.uniform(0.01, 0.06), "cost": cost[c]})
    return pd.DataFrame(rows)


def violations(table: pd.DataFrame, planner: Planner, briefs: list[str]) -> list[str]:
    """Every constraint of ``planner`` that the plan ``table`` breaks (empty when none)."""
    out = []
    counts = table["brief_id"].value_counts().reindex(briefs, fill_value=0)
    if table["cost"].sum() > planner.budget + 1e-6:
        out.append("budget")
    if planner.brief_budget is not None and (table.groupby("brief_id")["cost"].sum() > planner.brief_budget + 1e-6).any():
        out.append("per-brief budget")
    if table["creator_id"].duplicated().any():
        out.append("one brief per creator")
    if (counts < planner.min_per_brief).any() or (planner.max_per_brief and (counts > planner.max_per_brief).any()):
        out.append("creators per brief")
    if planner.max_creators is not None and len(table) > planner.max_creators:
        out.append("max creators")
    for tier, share in planner.tier_mix.items():
        if (table["tier"] == tier).sum() < share * len(table) - 1e-9:
            out.append("tier mix")
    return out


def brute_force(frame: pd.DataFrame, planner: Planner) -> float:
    """The best plan value over every subset of candidate rows (-1 when none is feasible), all subsets at once."""
    n = len(frame)
    x = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(float)  # one row per subset
    value = expected_value(frame["semantic"], frame["followers"], frame["engagement_rate"])
    cost = frame["cost"].to_numpy(float)
    brief = pd.get_dummies(frame["brief_id"]).to_numpy(float)
    creator = pd.get_dummies(frame["creator_id"]).to_numpy(float)
    size = x.sum(axis=1)
    ok = (x @ cost <= planner.budget + 1e-6) & ((x @ creator) <= 1).all(axis=1)
    ok &= ((x @ brief) >= planner.min_per_brief).all(axis=1)
    if planner.max_per_brief is not None:
        ok &= ((x @ brief) <= planner.max_per_brief).all(axis=1)
    if planner.brief_budget is not None:
        ok &= ((x @ (brief * cost[:, None])) <= planner.brief_budget + 1e-6).all(axis=1)
    if planner.max_creators is not None:
        ok &= size <= planner.max_creators
    for tier, share in planner.tier_mix.items():
        ok &= x @ (frame["tier"] == tier).to_numpy(float) >= share * size - 1e-9
    return float((x @ value)[ok].max()) if ok.any() else -1.0


def random_planner(rng: np.random.Generator, frame: pd.DataFrame, **extra) -> Planner:
    total = frame.drop_duplicates("creator_id")["cost"].sum()
    settings = {"budget": float(total * rng.uniform(0.25, 0.6)), "max_per_brief": int(rng.integers(2, 5))}
    if rng.random() < 0.5:
        settings["brief_budget"] = settings["budget"] * 0.6
    if rng.random() < 0.6:
        settings["tier_mix"] = {"micro": float(rng.choice([0.3, 0.5]))}
    if rng.random() < 0.3:
        settings["max_creators"] = int(rng.integers(1, 3) * frame["brief_id"].nunique())
    return Planner(**settings, **extra)


# 24 seeded cases (23 feasible): greedy reaches the optimum in 21, the worst gap is 2.1% and the mean 0.15%.
# The bound asserted, 10%, leaves room for platform rounding while still catching a broken heuristic; on
# adversarial tiny knapsacks (one dear creator worth more than several cheap ones) gaps can reach ~30%
# (docs/planning.md), which is why the exact solver is the default.
BRUTE_FORCE_SEEDS = range(24)


def test_exact_finds_the_brute_force_optimum_and_greedy_gap_is_measured():
    gaps = []
    for seed in BRUTE_FORCE_SEEDS:
        rng = np.random.default_rng(seed)
        frame = candidates(rng, n_creators=int(rng.integers(6, 9)), per_brief=int(rng.integers(4, 7)))
        planner = random_planner(rng, frame)
        best = brute_force(frame, planner)
        if best < 0:
            with pytest.raises(InfeasiblePlanError, match="Cannot plan: "):
                planner.plan(frame)
            continue
        exact = planner.plan(frame)
        assert exact.summary["value"] == pytest.approx(best, rel=1e-4), seed  # HiGHS stops within 0.01%
        assert exact.summary["solver"] == "exact" and exact.summary["gap"] <= 1e-4
        greedy = replace(planner, solver="greedy").plan(frame)
        assert not violations(greedy.table, planner, ["b0", "b1"]), seed
        gap = (best - greedy.summary["value"]) / best
        assert gap >= -1e-9, seed
        assert greedy.summary["gap"] >= gap - 1e-9  # the reported gap bounds the true one (LP relaxation)
        gaps.append(gap)
    assert len(gaps) >= 20
    assert max(gaps) <= 0.10 and np.median(gaps) < 1e-9


@pytest.mark.parametrize("solver", ["exact", "greedy"])
def test_constraints_are_never_violated_on_random_cases(rng, solver):
    planned = 0
    for _ in range(10):
        frame = candidates(rng, n_creators=40, briefs=4, per_brief=15)
        planner = random_planner(rng, frame, solver=solver)
        try:
            plan = planner.plan(frame)
        except InfeasiblePlanError:
            continue
        planned += 1
        assert not violations(plan.table, planner, ["b0", "b1", "b2", "b3"])
        assert plan.summary["budget_used"] == pytest.approx(plan.table["cost"].sum())
        assert plan.summary["creators"] == len(plan.table) == int(plan.candidates["chosen"].sum())
    assert planned >= 7


def test_plan_table_and_summary(rng):
    frame = candidates(rng, n_creators=10, per_brief=8)
    plan = Planner(budget=frame["cost"].sum() / 3, tier_mix={"micro": 0.3}).plan(frame)
    assert list(plan.table.columns[:5]) == ["brief_id", "brief_name", "creator_id", "handle", "platform"]
    assert {"cost", "cost_estimated", "expected_value", "reasons"} <= set(plan.table.columns)
    for rows in plan.table.groupby("brief_id")["expected_value"]:
        assert (np.diff(rows[1].to_numpy()) <= 0).all()
    summary = plan.summary
    assert summary["value"] == pytest.approx(plan.table["expected_value"].sum())
    assert sum(summary["tier_mix"].values()) == summary["creators"]
    assert sum(v["creators"] for v in summary["per_brief"].values()) == summary["creators"]
    json.dumps(summary)


def test_expected_value_is_fit_times_expected_engagements():
    assert expected_value(np.array([0.5]), np.array([20_000]), np.array([0.03])).tolist() == [300.0]
    assert expected_value(np.array([-0.2, np.nan]), np.array([1, 1]), np.array([0.1, 0.1])).tolist() == [0.0, 0.0]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["brief_id", "creator_id", "tier", "followers", "semantic", "engagement_rate",
                                       "cost"])


SMALL = _frame([("b1", "a", "micro", 20_000, 0.5, 0.03, 300), ("b1", "b", "nano", 5_000, 0.6, 0.05, 80),
                ("b2", "c", "mid", 200_000, 0.4, 0.02, 3_000), ("b2", "a", "micro", 20_000, 0.3, 0.03, 300),
                ("b2", "d", "nano", 3_000, 0.5, 0.04, 60)])


@pytest.mark.parametrize("settings, match", [
    (dict(budget=10_000, tier_mix={"micro": 0.6}, min_per_brief=2),
     r"tier mix: at least 60% micro needs 3 micro creator\(s\) but only 1 micro candidate\(s\) fit the budget"),
    (dict(budget=10_000, brief_budget=50),
     r"per-brief budget: brief 'b1' needs at least 1 creator\(s\) but its 1 cheapest candidate\(s\) cost \$80, "
     r"over the per-brief budget of \$50"),
    (dict(budget=100), r"budget: 2 briefs with at least 1 creator\(s\) each cost at least \$140, over the budget of \$100"),
    (dict(budget=10_000, max_creators=3, min_per_brief=2), r"max creators: 2 briefs with at least 2 creator\(s\) each"),
    (dict(budget=10_000, min_per_brief=3), r"creators per brief: brief 'b1' needs at least 3 creator\(s\) but has 2"),
    (dict(budget=10_000, tier_mix={"mega": 0.1}), r"only 0 mega candidate\(s\)"),
])
@pytest.mark.parametrize("solver", ["exact", "greedy"])
def test_infeasible_constraints_are_explained(settings, match, solver):
    with pytest.raises(InfeasiblePlanError, match=match):
        Planner(**settings, solver=solver).plan(SMALL)


def test_one_brief_per_creator_is_explained():
    shared = _frame([("b1", "a", "micro", 20_000, 0.5, 0.03, 300), ("b2", "a", "micro", 20_000, 0.5, 0.03, 300)])
    with pytest.raises(InfeasiblePlanError, match=r"one brief per creator: 2 briefs need 2 different creators"):
        Planner(budget=10_000).plan(shared)


def test_a_brief_without_candidates_is_named():
    with pytest.raises(InfeasiblePlanError, match=r"brief 'b9' needs at least 1 creator\(s\) but has 0"):
        Planner(budget=10_000).plan(SMALL, briefs=["b1", "b2", "b9"])
    assert Planner(budget=10_000, min_per_brief=0).plan(SMALL, briefs=["b9"]).summary["per_brief"]["b9"]["creators"] == 0


@pytest.mark.parametrize("settings, match", [
    (dict(budget=-5), r"The 'budget' parameter of Planner must be a number > 0\. Got -5 instead\."),
    (dict(budget=10, brief_budget=0), r"The 'brief_budget' parameter of Planner must be a number > 0"),
    (dict(budget=10, tier_mix={"micro": 1.5}), r"shares in \(0, 1\]\. Got 1.5 for 'micro'"),
    (dict(budget=10, tier_mix={"micro": 0.7, "nano": 0.5}), r"shares summing to at most 1"),
    (dict(budget=10, max_per_brief=1, min_per_brief=2), r"'min_per_brief' parameter of Planner must be <= max_per_brief"),
    (dict(budget=10, solver="magic"), r"'solver' parameter of Planner must be 'exact' or 'greedy'"),
    (dict(budget=10, max_creators=0), r"'max_creators' parameter of Planner must be an int >= 1"),
])
def test_bad_settings_are_rejected(settings, match):
    with pytest.raises(ValueError, match=match):
        Planner(**settings)


def test_costs_use_the_catalog_and_mark_estimates():
    creators = pd.DataFrame({"creator_id": ["a", "b", "c", "d"], "followers": [30_000, 3_000, 5_000_000, 10_000],
                             "tier": ["micro", "nano", "mega", "micro"], "cost": [420.0, None, None, None]})
    costs = creator_costs(creators)
    assert costs["cost_estimated"].tolist() == [False, True, True, True]
    assert costs["cost"].tolist()[:3] == [420.0, 50.0, pytest.approx(50_000.0)]
    assert costs["cost"].iloc[3] == pytest.approx(500 / 3)
    assert creator_costs(creators, CostModel(use_catalog=False))["cost_estimated"].all()
    doubled = creator_costs(creators, CostModel(scale=2.0))["cost"]
    assert doubled.iloc[1] == 100.0 and doubled.iloc[0] == 420.0
    tiny = creators.assign(followers=[30_000, 1, 5_000_000, 10_000])
    assert creator_costs(tiny)["cost"].iloc[1] == DEFAULT_RATES["nano"].low  # clipped to the band


def test_cost_model_errors():
    with pytest.raises(ValueError, match=r"no rate band for tier\(s\) \['huge'\]"):
        CostModel().estimate([10], ["huge"])
    with pytest.raises(ValueError, match=r"must satisfy low <= typical <= high"):
        RateBand(low=10, typical=5, high=20, reference_followers=100)
    with pytest.raises(ValueError, match=r"The 'scale' parameter of CostModel must be a number > 0\. Got 0"):
        CostModel(scale=0)


def test_estimated_costs_are_marked_in_the_plan(planted, fake_encoder):
    creators, posts = planted
    creators = creators.assign(cost=[150.0 if i % 2 else None for i in range(len(creators))])
    rec = Recommender.build(creators, posts, encoder=fake_encoder)
    briefs = [BrandBrief(name=n, description=" ".join(p[:2]), brief_id=n) for n, p in NICHES.items()]
    plan = plan_campaign(rec, briefs, Planner(budget=20_000, max_per_brief=4), k=20)
    given = creators.set_index("creator_id")["cost"]
    assert (plan.table["cost_estimated"] == given.loc[plan.table["creator_id"]].isna().to_numpy()).all()
    assert plan.summary["estimated_costs"] == int(plan.table["cost_estimated"].sum())
    assert plan.table["brief_id"].nunique() == 4
    with pytest.raises(ValueError, match=r"names unknown tier\(s\) \['mikro'\]; the recommender's tiers are"):
        plan_campaign(rec, briefs, Planner(budget=20_000, tier_mix={"mikro": 0.5}))


def test_cli_plan_writes_the_plan_and_reuses_shortlists(tmp_path, planted, fake_encoder, cli, capsys):
    Recommender.build(*planted, encoder=fake_encoder).save(tmp_path / "index")
    briefs = [BrandBrief(name=n, description=" ".join(p[:2]), brief_id=n) for n, p in NICHES.items()]
    (tmp_path / "briefs.jsonl").write_text("\n".join(json.dumps(b.to_dict()) for b in briefs))
    args = ["plan", "--index", str(tmp_path / "index"), "--briefs", str(tmp_path / "briefs.jsonl"), "--budget", "30000",
            "--tier-mix", "micro=0.3", "--max-per-brief", "3", "-k", "15", "--out", str(tmp_path / "out")]
    assert cli(args) == 0, capsys.readouterr().err
    assert "Planned" in capsys.readouterr().out
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"plan.csv", "plan.parquet", "summary.json", "report.html"} <= files
    plan = pd.read_csv(tmp_path / "out" / "plan.csv")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert len(plan) == summary["creators"] and plan["cost"].sum() <= 30_000
    assert (plan["tier"] == "micro").sum() >= 0.3 * len(plan)
    assert cli(args[:-2] + ["--budget", "20000", "--out", str(tmp_path / "out")]) == 0
    assert "Reused the shortlists" in capsys.readouterr().out
    assert cli(args[:-8] + ["--tier-mix", "mikro=0.5", "--out", str(tmp_path / "out")]) == 2
    assert "unknown tier(s) ['mikro']" in capsys.readouterr().err
