"""A campaign plan as one self-contained HTML page, and the plan's output files.

:func:`render_report` returns the page as a string: inline CSS, plots as
base64 PNG drawn by matplotlib's Agg renderer (no display, no pyplot state),
no script and no external resource, so it opens offline and can be mailed.
It shows the totals, three plots (the creators on a 2-D niche map with the
briefs' positions, engagement against followers by tier, the budget by tier)
and, per brief, the booked creators with cost, expected value and the
recommender's reasons. Every text from the catalog or the briefs is escaped.

:func:`write_plan` writes ``plan.csv``, ``plan.parquet``, ``summary.json`` and
``report.html`` into a folder, each atomically.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..catalog import BriefLike, as_briefs
from ..ranking import FittedRecommender
from ..util import atomic_path, formula_safe

if TYPE_CHECKING:  # pragma: no cover
    from .planner import Plan

__all__ = ["render_report", "report_vectors", "write_plan"]

logger = logging.getLogger(__name__)

_MAP_POINTS = 5_000  # background creators drawn on the niche map; more only blur it
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif,'Noto Color Emoji','Apple Color Emoji',
'Segoe UI Emoji';color:#1f2933;margin:0;background:#f5f7fa}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px}h3{font-size:16px;margin:0 0 6px}
.muted{color:#616e7c}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08);flex:1 1 150px}
.card.wide{flex:2.5 1 320px}.card b{display:block;font-size:21px}
.plots{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.plots figure{background:#fff;margin:0;border-radius:8px;padding:8px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.plots figure.wide{grid-column:1/3}.plots img{width:100%;height:auto}
figcaption{font-size:12px;color:#616e7c;padding:4px 6px}
section.brief{background:#fff;border-radius:8px;padding:14px 16px;margin:14px 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.swatch{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;margin-top:8px;font-size:13px}
th,td{text-align:left;padding:5px 6px;border-bottom:1px solid #e4e7eb;vertical-align:top}
th{font-weight:600;color:#3e4c59;background:#f5f7fa}td.num,th.num{text-align:right;white-space:nowrap}
td.why{color:#3e4c59;font-size:12px;max-width:520px}.est{color:#b44d12;font-size:11px;margin-left:3px}
.bar{background:#e4e7eb;border-radius:4px;height:8px;width:220px;display:inline-block;vertical-align:middle}
.bar span{display:block;height:8px;border-radius:4px;background:#3b82f6}
"""


def report_vectors(recommender: FittedRecommender, briefs: Sequence["BriefLike"]) -> dict[str, Any]:
    """Creator and brief vectors for the niche map of :func:`render_report`, from a fitted recommender."""
    briefs = as_briefs(briefs)
    queries = recommender.encode_briefs(briefs)
    return {"creator_ids": recommender.creators["creator_id"].to_numpy(),
            "creator_vectors": recommender.creator_vectors(),
            "brief_vectors": {b.brief_id: q for b, q in zip(briefs, queries)}}


def render_report(plan: "Plan", *, creator_ids: Sequence[str] | None = None,
                  creator_vectors: np.ndarray | None = None, brief_vectors: Mapping[str, np.ndarray] | None = None,
                  title: str = "Campaign plan") -> str:
    """The plan as one HTML page.

    Parameters
    ----------
    plan : Plan
        From :meth:`~recommender.planning.planner.Planner.plan`.
    creator_ids, creator_vectors : sequence of str and ndarray (n, d), optional
        Every creator's vector, for the niche map (left out without them); see :func:`report_vectors`.
    brief_vectors : mapping of brief id to ndarray (d,), optional
        Query vectors, drawn as stars on the niche map.
    title : str
        Page heading.

    Returns
    -------
    str
        A complete HTML document.
    """
    summary, table = plan.summary, plan.table
    briefs = list(summary["per_brief"])
    names = plan.candidates.drop_duplicates("brief_id").set_index("brief_id")["brief_name"].astype(str)
    label = {b: (names.get(b) or b) for b in briefs}
    colors = _brief_colors(briefs)
    figures = []
    if creator_vectors is not None and creator_ids is not None:
        figures.append(("wide", _niche_map(plan, creator_ids, creator_vectors, brief_vectors or {}, label, colors),
                        "Creators on a 2-D niche map (first two principal components of the creator vectors): grey, "
                        "every creator; coloured, the booked ones; stars, the briefs."))
    figures.append(("", _engagement_plot(plan), "Fair engagement rate against followers (log scale) for every "
                    "candidate, by tier; booked creators are outlined."))
    figures.append(("", _budget_plot(plan, briefs, label, colors), "Spend per tier, split by brief."))
    used, budget = summary["budget_used"], summary["budget"]
    cards = [("Expected value", f"{summary['value']:,.0f}", "fit × expected engagements"),
             ("Budget used", f"${used:,.0f}", f"of ${budget:,.0f} ({used / budget:.0%})"),
             ("Creators", f"{summary['creators']}", f"for {summary['briefs']} briefs"),
             ("Tier mix", ", ".join(f"{t} {n}" for t, n in summary["tier_mix"].items()) or "-", _mix_note(summary)),
             ("Solver", summary["solver"], f"gap {summary['gap']:.2%}" if summary["gap"] == summary["gap"] else "")]
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>",
             f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{_CSS}</style></head>",
             f"<body><main><h1>{_e(title)}</h1><p class='muted'>{len(briefs)} briefs · "
             f"{summary['estimated_costs']} of {summary['creators']} costs are estimates from tier rate bands "
             "(marked <span class='est'>est.</span>) · value = max(fit, 0) × followers × fair engagement rate</p>",
             "<div class='cards'>" + "".join(f"<div class='card{' wide' if k == 'Tier mix' else ''}'><span "
                                             f"class='muted'>{_e(k)}</span><b>{_e(v)}</b><span class='muted'>"
                                             f"{_e(n)}</span></div>" for k, v, n in cards) + "</div>",
             "<div class='plots'>" + "".join(f"<figure class='{c}'><img alt='{_e(cap)}' src='data:image/png;base64,"
                                             f"{png}'><figcaption>{_e(cap)}</figcaption></figure>"
                                             for c, png, cap in figures) + "</div>",
             "<h2>Bookings by brief</h2>"]
    for brief in briefs:
        parts.append(_brief_section(brief, label[brief], colors[brief], table[table["brief_id"] == brief], summary))
    parts.append("</main></body></html>")
    return "".join(parts)


def write_plan(plan: "Plan", directory: str | Path, html_text: str | None = None) -> dict[str, Path]:
    """Write ``plan.csv``, ``plan.parquet``, ``summary.json`` (and ``report.html``) into ``directory``.

    Each file is written to a temporary name and renamed, so an interrupted run
    never leaves a half-written file. Returns the paths by kind.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    writers = {"csv": ("plan.csv", lambda p: formula_safe(plan.table).to_csv(p, index=False)),
               "parquet": ("plan.parquet", lambda p: plan.table.to_parquet(p, index=False)),
               "summary": ("summary.json", lambda p: p.write_text(json.dumps(plan.summary, indent=2, default=str)
                                                                   + "\n", encoding="utf-8"))}
    if html_text is not None:
        writers["report"] = ("report.html", lambda p: p.write_text(html_text, encoding="utf-8"))
    paths = {}
    for kind, (name, write) in writers.items():
        with atomic_path(directory / name) as tmp:
            write(tmp)
        paths[kind] = directory / name
    logger.info("Wrote %s to %s.", ", ".join(name for name, _ in writers.values()), directory)
    return paths


# ------------------------------------------------------------------- pieces
def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _mix_note(summary: Mapping[str, Any]) -> str:
    wanted = summary["constraints"]["tier_mix"]
    if not wanted:
        return "no tier mix required"
    total = max(summary["creators"], 1)
    return "; ".join(f"{t} {summary['tier_mix'].get(t, 0) / total:.0%} (≥ {s:.0%})" for t, s in wanted.items())


def _brief_colors(briefs: Sequence[str]) -> dict[str, str]:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["tab10" if len(briefs) <= 10 else "tab20"]
    return {b: to_hex(cmap(i % cmap.N)) for i, b in enumerate(briefs)}


def _brief_section(brief: str, name: str, color: str, rows: pd.DataFrame, summary: Mapping[str, Any]) -> str:
    stats = summary["per_brief"][brief]
    limit = summary["brief_budget"] or summary["budget"]
    share = min(stats["cost"] / limit, 1.0) if limit else 0.0
    mix = rows["tier"].value_counts()
    head = (f"<section class='brief'><h3><span class='swatch' style='background:{color}'></span>{_e(name)} "
            f"<span class='muted'>({_e(brief)})</span></h3><p class='muted'>{stats['creators']} creators · "
            f"value {stats['value']:,.0f} · spend ${stats['cost']:,.0f} of ${limit:,.0f} "
            f"{'per-brief budget' if summary['brief_budget'] else 'total budget'} "
            f"<span class='bar'><span style='width:{share:.0%}'></span></span> · tiers: "
            f"{_e(', '.join(f'{t} {n}' for t, n in mix.items()) or 'none')}</p>")
    if rows.empty:
        return head + "<p>No creator booked for this brief.</p></section>"
    cells = []
    for row in rows.itertuples(index=False):
        estimate = "<span class='est'>est.</span>" if row.cost_estimated else ""
        handle = row.handle if isinstance(row.handle, str) and row.handle else row.creator_id
        cells.append(f"<tr><td>{_e(handle)}<br><span class='muted'>{_e(row.creator_id)} · "
                     f"{_e(row.platform)}</span></td><td>{_e(row.tier)}</td><td class='num'>{row.followers:,.0f}</td>"
                     f"<td class='num'>${row.cost:,.0f}{estimate}</td><td class='num'>{row.semantic:.2f}</td>"
                     f"<td class='num'>{row.engagement_rate:.1%}</td><td class='num'>{row.expected_value:,.0f}</td>"
                     f"<td class='why'>{_e(row.reasons)}</td></tr>")
    return head + ("<table><tr><th>creator</th><th>tier</th><th class='num'>followers</th><th class='num'>cost</th>"
                   "<th class='num'>fit</th><th class='num'>engagement</th><th class='num'>value</th><th>why</th></tr>"
                   + "".join(cells) + "</table></section>")


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width: float, height: float) -> tuple[Any, Any]:
    # A bare Figure renders with Agg and leaves pyplot's global state (and any GUI backend) alone.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _niche_map(plan: "Plan", creator_ids: Sequence[str], vectors: np.ndarray, brief_vectors: Mapping[str, np.ndarray],
               label: Mapping[str, str], colors: Mapping[str, str]) -> str:
    vectors = np.asarray(vectors, dtype=float)
    ids = pd.Index(np.asarray(creator_ids).astype(str))
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(len(ids), size=_MAP_POINTS, replace=False)) if len(ids) > _MAP_POINTS else slice(None)
    mean = vectors[sample].mean(axis=0)
    components = np.linalg.svd(vectors[sample] - mean, full_matrices=False)[2][:2]
    project = lambda x: (np.atleast_2d(x) - mean) @ components.T  # noqa: E731
    fig, ax = _figure(11, 5.6)
    background = project(vectors[sample])
    ax.scatter(background[:, 0], background[:, 1], s=9, c="#c3c9d0", linewidths=0, label="other creators")
    for brief, color in colors.items():
        rows = ids.get_indexer(plan.table.loc[plan.table["brief_id"] == brief, "creator_id"].astype(str))
        points = project(vectors[rows[rows >= 0]]) if (rows >= 0).any() else np.empty((0, 2))
        ax.scatter(points[:, 0], points[:, 1], s=46, color=color, edgecolors="white", linewidths=0.6,
                   label=_short(label[brief]))
        if brief in brief_vectors:
            star = project(brief_vectors[brief])[0]
            ax.scatter([star[0]], [star[1]], marker="*", s=380, color=color, edgecolors="black", linewidths=0.9)
            ax.annotate(_short(label[brief]), star, xytext=(7, 7), textcoords="offset points", fontsize=9,
                        weight="bold")
    ax.set(xlabel="component 1", ylabel="component 2", title="Niche map: booked creators and briefs")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    return _png(fig)


def _engagement_plot(plan: "Plan") -> str:
    creators = plan.candidates.sort_values("chosen").drop_duplicates("creator_id", keep="last")
    creators = creators[creators["followers"] > 0]
    tiers = creators.groupby("tier")["followers"].median().sort_values().index
    from matplotlib import colormaps

    cmap = colormaps["Dark2"]  # qualitative: tiers are categories, and light ends of a ramp vanish on white
    fig, ax = _figure(5.6, 4.2)
    for i, tier in enumerate(tiers):
        rows = creators[creators["tier"] == tier]
        color = cmap(i % cmap.N)
        booked = rows["chosen"].to_numpy()
        ax.scatter(rows["followers"][~booked], 100 * rows["engagement_rate"][~booked], s=14, color=color, alpha=0.45,
                   linewidths=0, label=_short(tier))
        ax.scatter(rows["followers"][booked], 100 * rows["engagement_rate"][booked], s=34, color=color,
                   edgecolors="black", linewidths=0.9)
    ax.set_xscale("log")
    ax.set(xlabel="followers (log scale)", ylabel="fair engagement rate (%)", title="Engagement vs followers")
    ax.legend(fontsize=8, frameon=False, title="tier", title_fontsize=8)
    return _png(fig)


def _budget_plot(plan: "Plan", briefs: Sequence[str], label: Mapping[str, str], colors: Mapping[str, str]) -> str:
    spend = plan.table.pivot_table(index="tier", columns="brief_id", values="cost", aggfunc="sum", fill_value=0.0)
    order = plan.candidates.groupby("tier")["followers"].median().sort_values().index
    spend = spend.reindex([t for t in order if t in spend.index])
    fig, ax = _figure(5.6, 4.2)
    left = np.zeros(len(spend))
    for brief in briefs:
        if brief in spend.columns:
            ax.barh(np.arange(len(spend)), spend[brief], left=left, color=colors[brief], label=_short(label[brief]))
            left += spend[brief].to_numpy()
    for y, total in enumerate(left):
        ax.annotate(f"\\${total:,.0f}", (total, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    summary = plan.summary
    ax.set(xlabel="spend (\\$)",
           title=f"Budget by tier: \\${summary['budget_used']:,.0f} of \\${summary['budget']:,.0f}")
    # Tier names as tick labels by position: two long names that shorten alike stay two bars.
    ax.set_yticks(np.arange(len(spend)), labels=[_short(t) for t in spend.index])
    ax.set_xlim(0, max(left.max(initial=0.0) * 1.25, 1.0))
    ax.invert_yaxis()
    if len(spend):
        ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=3)
    return _png(fig)


def _short(text: str, limit: int = 28) -> str:
    """A plot label: shortened, '$' escaped (matplotlib reads $...$ as math), no leading '_' (hidden in legends)."""
    text = " ".join(str(text).split()).lstrip("_")
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("$", r"\$")
