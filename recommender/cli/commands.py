"""The commands over a catalog or a saved recommender: ``summary``, ``build``, ``evaluate`` and ``similar``.

Each is a thin shell over the Python API; ``args.console`` prints (see :class:`~recommender.cli.output.Console`).
"""

from __future__ import annotations

import argparse
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from .inputs import is_stdio, readable
from .output import Console, check_output, results_text, write_table

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..catalog import Catalog
    from ..recommender import Recommender

__all__ = ["build", "evaluate", "load", "ray_connect", "report_rejected", "show", "similar", "summary"]

SIMILAR_COLUMNS = ["rank", "creator_id", "handle", "tier", "followers", "score", "similarity", "nearest_seed",
                   "engagement_score"]


def summary(args: argparse.Namespace) -> int:
    from ..catalog import format_summary

    if args.rejected is not None:
        check_output(args.rejected, "--rejected", suffixes=(".csv", ".parquet"))
    catalog = _catalog(args)
    args.console.result(format_summary(catalog.summary()))
    report_rejected(args.console, catalog.rejected, args.rejected)
    return 0


def _catalog(args: argparse.Namespace) -> "Catalog":
    """The catalog of ``--creators`` and ``--posts`` (either may be ``-``: standard input, CSV or JSON Lines)."""
    from ..catalog import load_catalog

    if is_stdio(args.creators) and is_stdio(args.posts):
        raise ValueError("--creators - and --posts -: only one of them can read standard input.")
    with readable(args.creators, default_suffix=".csv") as creators:
        with readable(args.posts, default_suffix=".csv") if args.posts is not None else nullcontext() as posts:
            return load_catalog(creators, posts, mode="strict" if args.strict else "lenient", tiers=args.tiers)


def report_rejected(console: Console, rejected: "pd.DataFrame | None", path: Path | None) -> None:
    """Print the rejected rows (first ten problems) and write the full report when asked."""
    if rejected is None or not len(rejected):
        return
    rows = rejected[["source", "row"]].drop_duplicates().shape[0]
    console.note(f"\n{rows} row(s) rejected with {len(rejected)} problem(s), e.g.:\n  "
                 + "\n  ".join(rejected["message"].head(10)))
    if path is not None:
        write_table(rejected, path)
        console.note(f"Full report of rejected rows: {path}")


def build(args: argparse.Namespace) -> int:
    from ..embedding import Encoder
    from ..recommender import Recommender

    if args.out.exists() and not args.out.is_dir():
        raise ValueError(f"--out {args.out}: is a file; build writes a folder.")
    started = time.perf_counter()
    encoder = args.encoder or Encoder(args.model, precision=args.precision, backend=args.backend,
                                      cache_dir=None if args.no_cache else args.cache_dir)
    catalog = _catalog(args)
    if args.ray:
        from ..scale import encode_catalog_with_ray

        ray_connect(args.ray)
        bio_vectors, post_vectors = encode_catalog_with_ray(catalog, encoder)
        rec = Recommender(encoder=encoder, tiers=args.tiers).fit(catalog, bio_vectors=bio_vectors,
                                                                   post_vectors=post_vectors)
    else:
        rec = Recommender(encoder=encoder, tiers=args.tiers).fit(catalog)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rec.save(args.out)
    args.console.note(f"Built {rec!r} in {time.perf_counter() - started:.1f}s -> {args.out}")
    rejected = rec.rejected
    report_rejected(args.console, rejected,
                    args.out.with_name(args.out.name + ".rejected.csv") if rejected is not None and len(rejected)
                    else None)
    return 0


def ray_connect(address: str) -> None:
    """Join the Ray cluster of ``--ray`` (``auto``, ``local`` or an address); a missing ``ray`` package is an
    error that says what to install."""
    from ..scale import connect
    from ..util import RecommenderError

    try:
        connect(address)
    except ImportError as exc:
        raise RecommenderError(f"--ray {address}: {exc}") from exc


def evaluate(args: argparse.Namespace) -> int:
    from ..evaluation import evaluate_recommender, format_report, load_qrels
    from .inputs import read_briefs

    if args.out:
        check_output(args.out)
    briefs, _ = read_briefs(args.briefs)
    qrels = load_qrels(args.qrels)
    rec = load(args)
    report = evaluate_recommender(rec, briefs, qrels, k=args.k, n_bootstrap=args.n_bootstrap, seed=args.seed)
    args.console.result(format_report(report, per_brief=True))
    if args.out:
        write_table(report.per_brief, args.out)
        args.console.note(f"\nWrote per-brief metrics for {len(report.per_brief)} briefs to {args.out}.")
    return 0


def similar(args: argparse.Namespace) -> int:
    if args.out:
        check_output(args.out, stdout=True)
    rec = load(args)
    results = rec.similar(args.creator, negative=args.negative, exclude=args.exclude, brief=args.brief, k=args.k)
    show(args, results, SIMILAR_COLUMNS,
         empty="No creator is left to suggest: every one is a seed, a --not or an --exclude, or fails the --brief's "
               "filters.")
    return 0


def show(args: argparse.Namespace, results: "pd.DataFrame", columns: list[str], *, empty: str) -> None:
    """Results of ``recommend`` or ``similar``: to ``--out`` (a file, or ``-`` for standard output as CSV or
    JSON), and on standard output as ``--format`` says unless ``--out -`` took it; ``empty`` replaces an empty
    table."""
    to_stdout = is_stdio(args.out)
    if args.out is not None:
        write_table(results, args.out, fmt="json" if args.format == "json" else "csv")
    if to_stdout or args.format != "table":
        if not to_stdout:
            write_table(results, Path("-"), fmt=args.format)
        if not len(results):
            args.console.note(empty)
        return
    args.console.result(results_text(results, columns) if len(results) else empty)


def load(args: argparse.Namespace) -> "Recommender":
    """The saved recommender of ``--index``, with the encoder given to :func:`~recommender.cli.main` if any."""
    from ..recommender import Recommender

    return Recommender.load(args.index, encoder=args.encoder)
