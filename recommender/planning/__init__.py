"""Campaign planning: costs, diversified shortlists, the budgeted planner and its solvers, the HTML report."""

from __future__ import annotations

from .costs import CostModel, creator_costs
from .planner import Plan, Planner, plan_campaign
from .report import render_report, report_vectors, write_plan

__all__ = [
    "CostModel",
    "Plan",
    "Planner",
    "plan_campaign",
    "creator_costs",
    "render_report",
    "report_vectors",
    "write_plan",
]
