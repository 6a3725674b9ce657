"""The commands that rank creators for briefs: ``recommend`` (one brief from flags) and ``batch`` (a briefs file)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from .commands import load, ray_connect, show
from .inputs import BRIEF_FLAGS, brief_from_args, describe_filters, is_stdio, read_briefs
from .output import Console, check_output, write_table

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..catalog import BrandBrief
    from ..recommender import Recommender

__all__ = ["batch", "empty_message", "recommend", "short_of_k"]

RECOMMEND_COLUMNS = ["rank", "creator_id", "handle", "tier", "followers", "score", "fit", "semantic",
                     "engagement_score"]
BATCH_COLUMNS = ["brief_id", *RECOMMEND_COLUMNS]


def recommend(args: argparse.Namespace) -> int:
    brief = brief_from_args(args)
    if args.out is not None:
        check_output(args.out, stdout=True)
    if args.flags_out is not None:
        check_output(args.flags_out, "--flags-out", suffixes=(".csv", ".parquet"))
    rec = load(args)
    results = rec.recommend(brief, k=args.k)
    if args.flags_out is not None:
        write_flags(args.console, rec, [brief], results, args.flags_out)
    show(args, results, RECOMMEND_COLUMNS, empty=empty_message(brief))
    return 0


def empty_message(brief: "BrandBrief", names: Mapping[str, str] = BRIEF_FLAGS) -> str:
    """What to print instead of an empty table: the filters that left nobody, named by ``names`` (default:
    their flags), and what to do.

    >>> from recommender.catalog import BrandBrief
    >>> empty_message(BrandBrief(name="b", description="snacks", tiers=["nano"], countries=["XX"]))
    'No creator passes these filters (--tier nano; --country XX). Loosen them: drop one, allow more values or widen a range.'
    """
    filters = describe_filters(brief, names)
    if not filters:
        return "No creator in the index matches this brief."
    return (f"No creator passes these filters ({'; '.join(filters)}). "
            "Loosen them: drop one, allow more values or widen a range.")


def batch(args: argparse.Namespace) -> int:
    check_output(args.out, stdout=True)
    if args.flags_out is not None:
        check_output(args.flags_out, "--flags-out", suffixes=(".csv", ".parquet"))
    briefs, _ = read_briefs(args.briefs)
    rec = load(args)
    started = time.perf_counter()
    results = _ranked(args, rec, briefs)
    write_table(results, args.out, fmt="jsonl" if args.format == "json" else args.format, columns=BATCH_COLUMNS)
    if args.flags_out is not None:
        write_flags(args.console, rec, briefs, results, args.flags_out)
    short_of_k(args.console, briefs, results, args.k)
    where = "standard output" if is_stdio(args.out) else args.out
    args.console.note(f"Wrote {len(results)} rows for {len(briefs)} briefs to {where} in "
                      f"{time.perf_counter() - started:.1f}s.")
    return 0


def _ranked(args: argparse.Namespace, rec: "Recommender", briefs: Sequence["BrandBrief"]) -> "pd.DataFrame":
    """``recommend_batch`` over the index, or with ``--ray`` over ``--ray-shards`` shards on the cluster."""
    progress = False if args.console.quiet else (True if sys.stderr.isatty() else None)
    if not args.ray:
        return rec.recommend_batch(briefs, k=args.k, progress=progress)
    from ..scale import RaySearch

    ray_connect(args.ray)
    search = RaySearch(rec.corpus, shards=args.ray_shards)
    try:
        return rec.recommend_batch(briefs, k=args.k, progress=progress, search=search)
    finally:
        search.close()


def short_of_k(console: Console, briefs: Sequence["BrandBrief"], results: "pd.DataFrame", k: int) -> None:
    """One warning per brief that fewer than ``k`` creators pass: its id, name and how many passed."""
    counts = results.groupby("brief_id").size() if len(results) else {}
    for brief in briefs:
        passed = int(counts.get(brief.brief_id, 0))
        if passed < k:
            console.warn(f"brief {brief.brief_id} ({brief.name!r}): only {passed} creator(s) pass its filters, "
                         f"fewer than -k {k}.")


def write_flags(console: Console, rec: "Recommender", briefs: Sequence["BrandBrief"], results: "pd.DataFrame",
                path: Path) -> None:
    """Every brand-fit flag of each brief's results, with the quoted posts, to ``path``."""
    import pandas as pd

    from ..catalog import as_briefs

    tables = [rec.brand_flags(b, results.loc[results["brief_id"] == b.brief_id, "creator_id"]).assign(brief_id=b.brief_id)
              for b in as_briefs(briefs) if b.brand_fit]  # ids as recommend_batch gives them
    flags = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        columns=["creator_id", "kind", "flag", "excluded", "post_ids", "evidence", "brief_id"])
    write_table(flags[["brief_id", *flags.columns.drop("brief_id")]], path)
    console.note(f"Wrote {len(flags)} brand-fit flags to {path}.")
