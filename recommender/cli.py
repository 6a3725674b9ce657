"""Command line: ``recommender summary|build|recommend|batch|evaluate``.

Each command is a thin shell over the Python API; errors a user can fix are
printed as one clear line (exit code 2), not a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from .embedding import Encoder
    from .recommender import Recommender

__all__ = ["main"]

logger = logging.getLogger("recommender.cli")


def main(argv: Sequence[str] | None = None, *, encoder: "Encoder | None" = None) -> int:
    """Entry point of the ``recommender`` console script; ``argv`` defaults to ``sys.argv[1:]``.

    ``encoder`` embeds instead of one made from ``--model`` or an index's manifest (it must be the
    index's model), e.g. one already loaded in a notebook."""
    parser = _parser()
    args = parser.parse_args(argv)
    args.encoder = encoder
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from .util import RecommenderError, WeakMatchWarning

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _plain_warnings(warnings.showwarning, WeakMatchWarning)
            return args.func(args)
    except (RecommenderError, ValueError, FileNotFoundError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _plain_warnings(default, plain: type[Warning]):  # noqa: ANN001, ANN202 - the signature of warnings.showwarning
    """A ``warnings.showwarning`` that prints ``plain`` warnings (the package's own, meant for the user) as one
    ``warning: ...`` line without a source location, and others as ``default`` does."""

    def show(message, category, *args, **kwargs) -> None:  # noqa: ANN001
        if issubclass(category, plain):
            print(f"warning: {message}", file=sys.stderr)
        else:
            default(message, category, *args, **kwargs)

    return show


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recommender", description="Match brands with creators by niche.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("summary", help="validate a catalog and print creators, posts and engagement per tier and niche")
    _catalog_args(p)
    p.add_argument("--tiers", default="default", help="tier preset (default, micro-10k-50k, micro-1k-100k)")
    p.add_argument("--rejected", type=Path, help="write the rejected-rows report to this CSV")
    p.set_defaults(func=_summary)

    p = sub.add_parser("build", help="embed a catalog and save a recommender directory")
    _catalog_args(p)
    p.add_argument("--out", required=True, type=Path, help="directory to write (replaced atomically)")
    p.add_argument("--model", default="default", help="sentence-transformers model name or path (default: bundled all-MiniLM-L6-v2)")
    p.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto",
                   help="encoder precision (default auto: bf16 on CPUs with native bfloat16, else fp32)")
    p.add_argument("--backend", choices=["auto", "openvino", "torch"], default="auto",
                   help="what runs the encoder (default auto: OpenVINO when installed, else torch)")
    p.add_argument("--tiers", default="default", help="tier preset (default, micro-10k-50k, micro-1k-100k)")
    p.add_argument("--cache-dir", type=Path, default=_default_cache(),
                   help="embedding cache folder, so rebuilds embed only new text (default: $RECOMMENDER_CACHE_DIR "
                        "or ~/.cache/recommender/embeddings)")
    p.add_argument("--no-cache", action="store_true", help="embed everything and keep no cache")
    p.set_defaults(func=_build)

    p = sub.add_parser("recommend", help="print the best creators for one free-text brief")
    _saved_args(p, briefs=False)
    p.add_argument("--brief", required=True, help="the brand, its values and audience, in free text")
    p.add_argument("--name", default="brief", help="brand name shown in the output")
    p.add_argument("--keyword", action="append", default=[], help="keyword to match (repeatable)")
    p.add_argument("--exclude-keyword", action="append", default=[], help="leave out creators mentioning this (repeatable)")
    p.add_argument("--tier", action="append", default=[], help="allowed tier (repeatable)")
    p.add_argument("--platform", action="append", default=[], help="allowed platform (repeatable)")
    p.add_argument("--country", action="append", default=[], help="allowed country (repeatable)")
    p.add_argument("--min-followers", type=int)
    p.add_argument("--max-followers", type=int)
    p.add_argument("--min-engagement-rate", type=float, help="e.g. 0.02 for 2%%")
    p.add_argument("--avoid", action="append", default=[],
                   help="brand-safety risk category to keep away from: alcohol, gambling, adult, politics, profanity, "
                        "violence, drugs, tobacco, weapons, hate, ... (repeatable)")
    p.add_argument("--avoid-mode", choices=["exclude", "penalize"], default="exclude",
                   help="leave creators flagged by --avoid out (default) or rank them lower")
    p.add_argument("--value", action="append", default=[], help="brand value, e.g. sustainability (repeatable)")
    p.add_argument("--competitor", action="append", default=[],
                   help="competing brand: creators who promoted it recently are left out (repeatable)")
    p.add_argument("--conflict-days", type=int, default=90, help="how recent a competitor promotion counts (default 90)")
    p.add_argument("--conflict-mode", choices=["exclude", "flag"], default="exclude",
                   help="leave creators with a competitor conflict out (default) or only flag them")
    p.add_argument("--max-authenticity-flags", type=int, help="leave out creators with more authenticity flags")
    p.add_argument("-k", type=int, default=10, help="number of creators (default 10)")
    p.add_argument("--out", type=Path, help="also write the full table (.csv or .parquet)")
    p.add_argument("--flags-out", type=Path,
                   help="also write every brand-fit flag of the shown creators, with the quoted posts (.csv or .parquet)")
    p.set_defaults(func=_recommend)

    p = sub.add_parser("batch", help="recommend for many briefs (JSON Lines or YAML) into one CSV or Parquet file")
    _saved_args(p, briefs=True)
    p.add_argument("--out", required=True, type=Path, help="output .csv or .parquet")
    p.add_argument("-k", type=int, default=100, help="creators per brief (default 100)")
    p.add_argument("--flags-out", type=Path,
                   help="also write every brand-fit flag of the results, with the quoted posts (.csv or .parquet)")
    p.set_defaults(func=_batch)

    p = sub.add_parser("evaluate", help="score a saved recommender against judged briefs (nDCG, P, R, MRR, MAP)")
    _saved_args(p, briefs=True)
    p.add_argument("--qrels", required=True, type=Path, help="judgments: CSV with brief_id, creator_id[, grade]")
    p.add_argument("-k", type=int, nargs="+", default=[5, 10, 20], help="cut-offs (default 5 10 20)")
    p.add_argument("--n-bootstrap", type=int, default=1000, help="bootstrap resamples of briefs (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--out", type=Path, help="also write the per-brief metrics (.csv or .parquet)")
    p.set_defaults(func=_evaluate)

    p = sub.add_parser("plan", help="book creators for many briefs under a budget and tier mix; writes a plan and an HTML report")
    _saved_args(p, briefs=True)
    p.add_argument("--budget", required=True, type=float, help="total budget, in the currency of the costs")
    p.add_argument("--brief-budget", type=float, help="budget per brief")
    p.add_argument("--tier-mix", default="", help="minimum share of chosen creators per tier, e.g. micro=0.6,nano=0.2")
    p.add_argument("--max-creators", type=int, help="most creators in the plan")
    p.add_argument("--max-per-brief", type=int, help="most creators per brief")
    p.add_argument("--min-per-brief", type=int, default=1, help="fewest creators per brief (default 1)")
    p.add_argument("-k", type=int, default=20, help="candidates per brief (default 20)")
    p.add_argument("--solver", choices=["exact", "greedy"], default="exact", help="integer programming or greedy")
    p.add_argument("--cost-scale", type=float, default=1.0, help="multiply estimated costs (e.g. 2 for video with usage rights)")
    p.add_argument("--min-fit", type=float,
                   help="book no creator whose fit is below this (default: the relevance floor of the index, "
                        "0.41 unless rebuilt otherwise; 0 books any fit)")
    p.add_argument("--out", required=True, type=Path, help="folder for plan.csv, plan.parquet, summary.json, report.html")
    p.set_defaults(func=_plan)

    p = sub.add_parser("similar", help="print creators like the given ones (lookalikes), optionally within a brief")
    _saved_args(p, briefs=False)
    p.add_argument("--creator", action="append", required=True, metavar="ID",
                   help="creator_id of a liked creator (repeatable)")
    p.add_argument("--not", dest="negative", action="append", default=[], metavar="ID",
                   help="creator_id of a turned-down creator: never shown, results pushed away from it (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="ID",
                   help="creator_id never to show, e.g. already booked (repeatable)")
    p.add_argument("--brief", metavar="TEXT", help="free-text brief, which keeps most of the weight")
    p.add_argument("-k", type=int, default=10, help="number of creators (default 10)")
    p.add_argument("--out", type=Path, help="also write the full table (.csv or .parquet)")
    p.set_defaults(func=_similar)
    return parser


def _default_cache() -> Path:
    import os

    if os.environ.get("RECOMMENDER_CACHE_DIR"):
        return Path(os.environ["RECOMMENDER_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "recommender" / "embeddings"


def _saved_args(p: argparse.ArgumentParser, *, briefs: bool) -> None:
    """``--index`` (a saved recommender) and, with ``briefs``, ``--briefs`` (a briefs file)."""
    p.add_argument("--index", required=True, type=Path, help="directory written by 'recommender build'")
    if briefs:
        p.add_argument("--briefs", required=True, type=Path, help="briefs, one JSON object per line (or a YAML list)")


def _catalog_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--creators", required=True, type=Path, help="creators file (.csv, .parquet, .jsonl)")
    p.add_argument("--posts", type=Path, help="posts file (.csv, .parquet, .jsonl)")
    p.add_argument("--strict", action="store_true",
                   help="fail on any bad row (default: keep valid rows and report every rejected one)")


def _summary(args: argparse.Namespace) -> int:
    from .catalog import load_catalog
    from .catalog import format_summary

    catalog = load_catalog(args.creators, args.posts, mode="strict" if args.strict else "lenient", tiers=args.tiers)
    print(format_summary(catalog.summary()))
    _report_rejected(catalog.rejected, args.rejected)
    return 0


def _report_rejected(rejected, path: Path | None) -> None:  # noqa: ANN001 - DataFrame
    """Print the rejected rows (first ten problems) and write the full report when asked."""
    if not len(rejected):
        return
    rows = rejected[["source", "row"]].drop_duplicates().shape[0]
    print(f"\n{rows} row(s) rejected with {len(rejected)} problem(s), e.g.:\n  " + "\n  ".join(rejected["message"].head(10)))
    if path is not None:
        _write(rejected, path)
        print(f"Full report of rejected rows: {path}")


def _build(args: argparse.Namespace) -> int:
    from .embedding import Encoder
    from .recommender import Recommender

    started = time.perf_counter()
    encoder = args.encoder or Encoder(args.model, precision=args.precision, backend=args.backend,
                                      cache_dir=None if args.no_cache else args.cache_dir)
    rec = Recommender.build(args.creators, args.posts, mode="strict" if args.strict else "lenient",
                            encoder=encoder, tiers=args.tiers)
    rec.save(args.out)
    print(f"Built {rec!r} in {time.perf_counter() - started:.1f}s -> {args.out}")
    _report_rejected(rec.rejected, args.out.with_name(args.out.name + ".rejected.csv") if len(rec.rejected) else None)
    return 0


def _recommend(args: argparse.Namespace) -> int:
    from .catalog import BrandBrief

    rec = _load(args)
    brief = BrandBrief(
        name=args.name, description=args.brief, keywords=args.keyword, exclude_keywords=args.exclude_keyword,
        tiers=args.tier, platforms=args.platform, countries=args.country, min_followers=args.min_followers,
        max_followers=args.max_followers, min_engagement_rate=args.min_engagement_rate, avoid_topics=args.avoid,
        avoid_mode=args.avoid_mode, values=args.value, competitors=args.competitor, conflict_days=args.conflict_days,
        conflict_mode=args.conflict_mode, max_authenticity_flags=args.max_authenticity_flags,
    )
    for path in filter(None, (args.out, args.flags_out)):
        _check_output(path)
    results = rec.recommend(brief, k=args.k)
    if args.out:
        _write(results, args.out)
    if args.flags_out:
        _write_flags(rec, [brief], results, args.flags_out)
    _print_results(results, ["rank", "creator_id", "handle", "tier", "followers", "score", "fit", "semantic",
                             "engagement_score"])
    return 0


def _print_results(results, columns: list[str]) -> None:  # noqa: ANN001 - DataFrame
    """A table of ``columns`` of the results, then each result's reasons."""
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(results[columns].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print("\nWhy:")
    for row in results.itertuples():
        print(f"{row.rank:>3}. {row.handle or row.creator_id}: {row.reasons}")


def _batch(args: argparse.Namespace) -> int:
    from .catalog import load_briefs

    for path in filter(None, (args.out, args.flags_out)):
        _check_output(path)
    briefs = load_briefs(args.briefs)
    rec = _load(args)
    started = time.perf_counter()
    results = rec.recommend_batch(briefs, k=args.k, progress=True if sys.stderr.isatty() else None)
    _write(results, args.out)
    if args.flags_out:
        _write_flags(rec, briefs, results, args.flags_out)
    print(f"Wrote {len(results)} rows for {len(briefs)} briefs to {args.out} in {time.perf_counter() - started:.1f}s.")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from .catalog import load_briefs
    from .evaluation import evaluate_recommender, format_report, load_qrels

    if args.out:
        _check_output(args.out)
    briefs = load_briefs(args.briefs)
    qrels = load_qrels(args.qrels)
    rec = _load(args)
    report = evaluate_recommender(rec, briefs, qrels, k=args.k, n_bootstrap=args.n_bootstrap, seed=args.seed)
    print(format_report(report, per_brief=True))
    if args.out:
        _write(report.per_brief, args.out)
        print(f"\nWrote per-brief metrics for {len(report.per_brief)} briefs to {args.out}.")
    return 0


def _plan(args: argparse.Namespace) -> int:
    import hashlib

    import numpy as np
    import pandas as pd

    from .catalog import load_briefs
    from .planning import CostModel, Planner, plan_campaign, render_report, write_plan

    mix = {}
    for item in filter(None, (part.strip() for part in args.tier_mix.split(","))):
        tier, _, share = item.partition("=")
        try:
            mix[tier.strip()] = float(share)
        except ValueError:
            raise ValueError(f"--tier-mix: expected tier=share pairs like micro=0.6,nano=0.2, got {item!r}.") from None
    briefs = load_briefs(args.briefs)
    rec = _load(args)
    min_fit = rec.floor.threshold if args.min_fit is None else args.min_fit
    if not 0 <= min_fit <= 1:
        raise ValueError(f"--min-fit: expected a fit between 0 and 1, got {min_fit}.")
    planner = Planner(budget=args.budget, brief_budget=args.brief_budget, tier_mix=mix, max_creators=args.max_creators,
                      max_per_brief=args.max_per_brief, min_per_brief=args.min_per_brief, solver=args.solver,
                      min_fit=min_fit or None)
    # The shortlists and the briefs' vectors need the model; they are kept in --out and reused while the index,
    # briefs and -k are the same, so replanning with another budget or mix (or after an interruption) skips both.
    manifest = (args.index / "manifest.json").read_bytes()
    key = hashlib.sha256(manifest + args.briefs.read_bytes() + str(args.k).encode()).hexdigest()
    cached, queries, stamp = args.out / "candidates.parquet", args.out / "brief_vectors.npy", args.out / "candidates.key"
    started = time.perf_counter()
    if all(p.is_file() for p in (cached, queries, stamp)) and stamp.read_text().strip() == key:
        candidates, brief_vectors = pd.read_parquet(cached), np.load(queries, allow_pickle=False)
        print(f"Reused the shortlists in {cached} (same index, briefs and -k).")
    else:
        candidates = rec.recommend_batch(briefs, k=args.k, progress=sys.stderr.isatty())
        brief_vectors = rec.encode_briefs(briefs)
        args.out.mkdir(parents=True, exist_ok=True)
        candidates.to_parquet(cached, index=False)
        np.save(queries, brief_vectors, allow_pickle=False)
        stamp.write_text(key + "\n")
    plan = plan_campaign(rec, briefs, planner, candidates=candidates, cost_model=CostModel(scale=args.cost_scale))
    page = render_report(plan, creator_ids=rec.creators["creator_id"].to_numpy(), creator_vectors=rec.creator_vectors(),
                         brief_vectors=dict(zip([b.brief_id for b in briefs], brief_vectors)),
                         title=f"Campaign plan: {args.briefs.name}")
    write_plan(plan, args.out, page)
    s = plan.summary
    print(f"Planned {s['creators']} creators for {s['briefs']} briefs in {time.perf_counter() - started:.1f}s: "
          f"value {s['value']:,.0f}, spend ${s['budget_used']:,.0f} of ${s['budget']:,.0f}, tiers "
          + ", ".join(f"{t} {n}" for t, n in s["tier_mix"].items())
          + f" ({s['solver']}, gap {s['gap']:.2%}; {s['estimated_costs']} estimated costs).")
    for brief_id, best in s["below_min_fit"].items():
        print(f"Left brief {brief_id} unbooked: its best candidate has fit {best:.2f}, below --min-fit {min_fit:.2f} "
              "(no creator in the catalog fits it well).")
    print(f"Wrote plan.csv, plan.parquet, summary.json and report.html to {args.out}.")
    return 0


def _similar(args: argparse.Namespace) -> int:

    if args.out:
        _check_output(args.out)
    rec = _load(args)
    results = rec.similar(args.creator, negative=args.negative, exclude=args.exclude, brief=args.brief, k=args.k)
    if args.out:
        _write(results, args.out)
    _print_results(results, ["rank", "creator_id", "handle", "tier", "followers", "score", "similarity",
                             "nearest_seed", "engagement_score"])
    return 0


def _write_flags(rec, briefs, results, path: Path) -> None:  # noqa: ANN001 - Recommender, briefs, DataFrame
    """Every brand-fit flag of each brief's results, with the quoted posts, to ``path``."""
    import pandas as pd

    from .catalog import as_briefs

    tables = [rec.brand_flags(b, results.loc[results["brief_id"] == b.brief_id, "creator_id"]).assign(brief_id=b.brief_id)
              for b in as_briefs(briefs) if b.brand_fit]  # ids as recommend_batch gives them
    flags = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        columns=["creator_id", "kind", "flag", "excluded", "post_ids", "evidence", "brief_id"])
    _write(flags[["brief_id", *flags.columns.drop("brief_id")]], path)
    print(f"Wrote {len(flags)} brand-fit flags to {path}.")


def _load(args: argparse.Namespace) -> "Recommender":
    """The saved recommender of ``--index``, with the encoder given to :func:`main` if any."""
    from .recommender import Recommender

    return Recommender.load(args.index, encoder=args.encoder)


def _check_output(path: Path) -> None:
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise ValueError(f"--out {path}: expected a .csv or .parquet file name, got '{path.suffix or '(none)'}'.")


def _write(frame, path: Path) -> None:  # noqa: ANN001
    from .util import atomic_path

    _check_output(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
