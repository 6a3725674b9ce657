"""The ``plan`` command: book creators for many briefs under a budget, into one folder written atomically.

The folder is assembled beside ``--out`` and renamed onto it at the end, so a failed or interrupted run leaves
``--out`` as it was (or absent). The shortlists and the briefs' vectors, the only steps that need the model, are
kept in the folder (``candidates.parquet``, ``brief_vectors.npy`` and ``candidates.key``, a hash of the index
manifest, the briefs and ``-k``) and reused while those are unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .commands import load
from .inputs import is_stdio, read_briefs
from .output import money

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = ["PLAN_FILES", "plan", "tier_mix"]

PLAN_FILES = ("plan.csv", "plan.parquet", "summary.json", "report.html", "candidates.parquet", "brief_vectors.npy",
              "candidates.key")
"""What ``plan`` writes into ``--out``; a folder holding anything else is refused rather than replaced."""


def plan(args: argparse.Namespace) -> int:
    import numpy as np

    from ..planning import CostModel, Planner, plan_campaign, render_report, write_plan
    from ..util import atomic_path

    _check_folder(args.out)
    mix = tier_mix(args.tier_mix)
    briefs, raw = read_briefs(args.briefs)
    rec = load(args)
    min_fit = rec.floor.threshold if args.min_fit is None else args.min_fit
    if not 0 <= min_fit <= 1:
        raise ValueError(f"--min-fit: expected a fit between 0 and 1, got {min_fit}.")
    planner = Planner(budget=args.budget, brief_budget=args.brief_budget, tier_mix=mix, max_creators=args.max_creators,
                      max_per_brief=args.max_per_brief, min_per_brief=args.min_per_brief, solver=args.solver,
                      min_fit=min_fit or None)
    key = hashlib.sha256((args.index / "manifest.json").read_bytes() + raw + str(args.k).encode()).hexdigest()
    started = time.perf_counter()
    reused = _shortlists(args.out, key)
    if reused is not None:
        candidates, brief_vectors = reused
        args.console.note(f"Reused the shortlists in {args.out / 'candidates.parquet'} (same index, briefs and -k).")
    else:
        progress = False if args.console.quiet else sys.stderr.isatty()
        candidates = rec.recommend_batch(briefs, k=args.k, progress=progress)
        brief_vectors = rec.encode_briefs(briefs)
    result = plan_campaign(rec, briefs, planner, candidates=candidates, cost_model=CostModel(scale=args.cost_scale))
    page = render_report(result, creator_ids=rec.creators["creator_id"].to_numpy(),
                         creator_vectors=rec.creator_vectors(),
                         brief_vectors=dict(zip([b.brief_id for b in briefs], brief_vectors)),
                         title=f"Campaign plan: {'standard input' if is_stdio(args.briefs) else args.briefs.name}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(args.out, directory=True) as folder:
        candidates.to_parquet(folder / "candidates.parquet", index=False)
        np.save(folder / "brief_vectors.npy", brief_vectors, allow_pickle=False)
        (folder / "candidates.key").write_text(key + "\n", encoding="utf-8")
        write_plan(result, folder, page)
    _report(args, result.summary, min_fit, time.perf_counter() - started)
    return 0


def _report(args: argparse.Namespace, s: dict[str, Any], min_fit: float, seconds: float) -> None:
    """The plan's summary line (money rounded, in ``--currency``), the briefs left unbooked, what was written."""
    args.console.result(
        f"Planned {s['creators']} creators for {s['briefs']} briefs in {seconds:.1f}s: value {s['value']:,.0f}, "
        f"spend {money(s['budget_used'], args.currency)} of {money(s['budget'], args.currency)} (in the currency "
        "of the costs), tiers " + ", ".join(f"{t} {n}" for t, n in s["tier_mix"].items())
        + f" ({s['solver']}, gap {s['gap']:.2%}; {s['estimated_costs']} estimated costs).")
    for brief_id, best in s["below_min_fit"].items():
        args.console.result(f"Left brief {brief_id} unbooked: its best candidate has fit {best:.2f}, below --min-fit "
                            f"{min_fit:.2f} (no creator in the catalog fits it well).")
    args.console.note(f"Wrote plan.csv, plan.parquet, summary.json and report.html to {args.out}.")


def tier_mix(text: str) -> dict[str, float]:
    """``--tier-mix`` as shares by tier.

    >>> tier_mix("micro=0.6, nano=0.2")
    {'micro': 0.6, 'nano': 0.2}
    """
    mix = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        tier, _, share = item.partition("=")
        try:
            mix[tier.strip()] = float(share)
        except ValueError:
            raise ValueError(f"--tier-mix: expected tier=share pairs like micro=0.6,nano=0.2, got {item!r}.") from None
    return mix


def _check_folder(out: Path) -> None:
    """``--out`` must be new or a folder holding only what ``plan`` writes, since the whole folder is replaced."""
    if is_stdio(out):
        raise ValueError("--out -: plan writes a folder of files; give a folder name.")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: is a file; plan writes a folder (plan.csv, report.html, ...).")
    if out.is_dir():
        other = sorted(p.name for p in out.iterdir() if p.name not in PLAN_FILES)
        if other:
            raise ValueError(f"--out {out}: holds files plan did not write ({', '.join(other[:5])}"
                             f"{', ...' if len(other) > 5 else ''}); plan replaces the whole folder, so give a new "
                             "folder or one an earlier plan wrote.")


def _shortlists(out: Path, key: str) -> "tuple[pd.DataFrame, np.ndarray] | None":
    """The shortlists and brief vectors an earlier run kept in ``out`` for the same ``key``, if any."""
    import numpy as np
    import pandas as pd

    cached, queries, stamp = out / "candidates.parquet", out / "brief_vectors.npy", out / "candidates.key"
    try:
        if not all(p.is_file() for p in (cached, queries, stamp)) or stamp.read_text().strip() != key:
            return None
        return pd.read_parquet(cached), np.load(queries, allow_pickle=False)
    except (OSError, ValueError):  # damaged: computed again and rewritten
        return None
