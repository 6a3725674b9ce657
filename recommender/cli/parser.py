"""The argument parser: subcommands, the options they share, and the flag of each Python name.

``-v``/``-q`` are accepted before or after the subcommand (a parent parser every subparser shares). Each
subparser records ``flags``: the command-line option of each Python parameter or brief field it sets, so that
:func:`~recommender.cli.messages.in_cli_terms` can name ``--min-followers`` where the library names
``'min_followers'``.
"""

from __future__ import annotations

import argparse
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import commands, plan, recommend, serve
from .inputs import BRIEF_FLAGS

__all__ = ["build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``recommender``; each subcommand sets ``func`` (what runs) and ``flags``."""
    parser = argparse.ArgumentParser(prog="recommender", description="Match brands with creators by niche.",
                                     parents=[_verbosity()])
    parser.add_argument("--version", action="version", version=f"recommender {_version()}")
    parser.set_defaults(verbosity=0)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add = {"parents": [_verbosity()]}

    p = sub.add_parser("summary", help="validate a catalog and print creators, posts and engagement per tier and niche",
                       **add)
    _catalog_args(p)
    p.add_argument("--rejected", type=Path, help="write the rejected-rows report to this .csv or .parquet")
    _done(p, commands.summary)

    p = sub.add_parser("build", help="embed a catalog and save a recommender directory", **add)
    _catalog_args(p)
    p.add_argument("--out", required=True, type=Path, help="directory to write (replaced atomically)")
    p.add_argument("--model", default="default",
                   help="sentence-transformers model name or path (default: bundled all-MiniLM-L6-v2)")
    p.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto",
                   help="encoder precision (default auto: bf16 on CPUs with native bfloat16, else fp32)")
    p.add_argument("--backend", choices=["auto", "openvino", "torch"], default="auto",
                   help="what runs the encoder (default auto: OpenVINO when installed, else torch)")
    p.add_argument("--cache-dir", type=Path, default=_default_cache(),
                   help="embedding cache folder, so rebuilds embed only new text (default: $RECOMMENDER_CACHE_DIR "
                        "or ~/.cache/recommender/embeddings)")
    p.add_argument("--no-cache", action="store_true", help="embed everything and keep no cache")
    _ray_arg(p, "embed on this Ray cluster")
    _done(p, commands.build, address="--ray")

    p = sub.add_parser("recommend", help="print the best creators for one free-text brief", **add)
    _index_arg(p)
    _brief_args(p)
    p.add_argument("-k", type=int, default=10, help="number of creators (default 10)")
    _format_arg(p, "table of the top columns and reasons, or every column as JSON (an array) or CSV")
    p.add_argument("--out", type=Path,
                   help="also write every column (.csv, .parquet, .json, .jsonl); - writes CSV (JSON with "
                        "--format json) to standard output instead of the table")
    p.add_argument("--flags-out", type=Path,
                   help="also write every brand-fit flag of the shown creators, with the quoted posts (.csv or .parquet)")
    _done(p, recommend.recommend, **BRIEF_FLAGS)

    p = sub.add_parser("batch", help="recommend for many briefs (JSON Lines or YAML) into one table file", **add)
    _index_arg(p)
    _briefs_arg(p)
    p.add_argument("--out", required=True, type=Path,
                   help="output .csv, .parquet, .json or .jsonl; - writes --format to standard output")
    p.add_argument("-k", type=int, default=100, help="creators per brief (default 100)")
    _format_arg(p, "what --out - writes: CSV (default), JSON Lines (one row per line) or a text table",
                default="csv")
    p.add_argument("--flags-out", type=Path,
                   help="also write every brand-fit flag of the results, with the quoted posts (.csv or .parquet)")
    _ray_arg(p, "search on this Ray cluster, the creators split in --ray-shards shards")
    p.add_argument("--ray-shards", type=int, default=2, metavar="N", help="shards of the creators with --ray (default 2)")
    _done(p, recommend.batch, address="--ray", shards="--ray-shards")

    p = sub.add_parser("evaluate", help="score a saved recommender against judged briefs (nDCG, P, R, MRR, MAP)", **add)
    _index_arg(p)
    _briefs_arg(p)
    p.add_argument("--qrels", required=True, type=Path, help="judgments: CSV with brief_id, creator_id[, grade]")
    p.add_argument("-k", type=int, nargs="+", default=[5, 10, 20], help="cut-offs (default 5 10 20)")
    p.add_argument("--n-bootstrap", type=int, default=1000, help="bootstrap resamples of briefs (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--out", type=Path, help="also write the per-brief metrics (.csv, .parquet, .json, .jsonl)")
    _done(p, commands.evaluate)

    p = sub.add_parser("plan", help="book creators for many briefs under a budget and tier mix; writes a plan and an "
                                    "HTML report", **add)
    _index_arg(p)
    _briefs_arg(p)
    p.add_argument("--budget", required=True, type=float, help="total budget, in the currency of the costs")
    p.add_argument("--brief-budget", type=float, help="budget per brief")
    p.add_argument("--currency", default="$",
                   help="symbol (before amounts) or code (after them) of the costs' currency in messages (default $)")
    p.add_argument("--tier-mix", default="", help="minimum share of chosen creators per tier, e.g. micro=0.6,nano=0.2")
    p.add_argument("--max-creators", type=int, help="most creators in the plan")
    p.add_argument("--max-per-brief", type=int, help="most creators per brief")
    p.add_argument("--min-per-brief", type=int, default=1, help="fewest creators per brief (default 1)")
    p.add_argument("-k", type=int, default=20, help="candidates per brief (default 20)")
    p.add_argument("--solver", choices=["exact", "greedy"], default="exact", help="integer programming or greedy")
    p.add_argument("--cost-scale", type=float, default=1.0,
                   help="multiply estimated costs (e.g. 2 for video with usage rights)")
    p.add_argument("--min-fit", type=float,
                   help="book no creator whose fit is below this (default: the relevance floor of the index, "
                        "0.41 unless rebuilt otherwise; 0 books any fit)")
    p.add_argument("--out", required=True, type=Path,
                   help="folder for plan.csv, plan.parquet, summary.json, report.html (replaced atomically)")
    _done(p, plan.plan, scale="--cost-scale")

    p = sub.add_parser("similar", help="print creators like the given ones (lookalikes), optionally within a brief",
                       **add)
    _index_arg(p)
    p.add_argument("--creator", action="append", required=True, metavar="ID",
                   help="creator_id of a liked creator (repeatable)")
    p.add_argument("--not", dest="negative", action="append", default=[], metavar="ID",
                   help="creator_id of a turned-down creator: never shown, results pushed away from it (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="ID",
                   help="creator_id never to show, e.g. already booked (repeatable)")
    p.add_argument("--brief", metavar="TEXT", help="free-text brief, which keeps most of the weight")
    p.add_argument("-k", type=int, default=10, help="number of creators (default 10)")
    _format_arg(p, "table of the top columns and reasons, or every column as JSON (an array) or CSV")
    p.add_argument("--out", type=Path,
                   help="also write every column (.csv, .parquet, .json, .jsonl); - writes CSV (JSON with "
                        "--format json) to standard output instead of the table")
    _done(p, commands.similar, creator_ids="--creator")

    p = sub.add_parser("serve", help="load an index and the model once, then answer one brief per line of standard "
                                     "input (JSON object or text) with one line of results", **add)
    _index_arg(p)
    p.add_argument("-k", type=int, default=10, help="creators per brief unless its line gives \"k\" (default 10)")
    p.add_argument("--format", choices=["json", "table"], default="json",
                   help="one JSON object per brief (default) or the table recommend prints")
    _done(p, serve.serve_command)
    return parser


def _verbosity() -> argparse.ArgumentParser:
    """``-v`` and ``-q``; their default is left unset so that a subparser does not reset what came before it."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=1, default=argparse.SUPPRESS,
                       help="log progress at INFO level, and the model libraries' own messages")
    group.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=-1, default=argparse.SUPPRESS,
                       help="print only results and errors")
    return parent


def _done(p: argparse.ArgumentParser, func: object, **names: str) -> None:
    """Set what the subcommand runs and its ``flags``: each option by its dest, plus ``names`` (a Python name the
    library uses for what an option sets, e.g. a brief field)."""
    flags = {a.dest: max(a.option_strings, key=len) for a in p._actions if a.option_strings and a.dest != "help"}
    p.set_defaults(func=func, flags={**flags, **names})


def _version() -> str:
    try:
        return version("recommender")
    except PackageNotFoundError:
        return "(not installed)"


def _default_cache() -> Path:
    if os.environ.get("RECOMMENDER_CACHE_DIR"):
        return Path(os.environ["RECOMMENDER_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "recommender" / "embeddings"


def _index_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", required=True, type=Path, help="directory written by 'recommender build'")


def _briefs_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--briefs", required=True, type=Path,
                   help="briefs, one JSON object per line (or a YAML list); - reads JSON Lines from standard input")


def _format_arg(p: argparse.ArgumentParser, what: str, *, default: str = "table") -> None:
    p.add_argument("--format", choices=["table", "json", "csv"], default=default, help=f"{what} (default {default})")


def _ray_arg(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--ray", metavar="ADDRESS", help=f"{what}: auto (the cluster of 'ray start'), local (a cluster in "
                                                    "this process) or host:port (needs 'recommender[ray]')")


def _catalog_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--creators", required=True, type=Path,
                   help="creators file (.csv, .parquet, .jsonl); - reads CSV or JSON Lines from standard input")
    p.add_argument("--posts", type=Path, help="posts file (.csv, .parquet, .jsonl); - reads standard input")
    p.add_argument("--strict", action="store_true",
                   help="fail on any bad row (default: keep valid rows and report every rejected one)")
    p.add_argument("--tiers", default="default", help="tier preset (default, micro-10k-50k, micro-1k-100k)")


def _brief_args(p: argparse.ArgumentParser) -> None:
    """One flag per field of a brief (:data:`~recommender.cli.inputs.BRIEF_FLAGS`)."""
    p.add_argument("--brief", required=True, help="the brand, its values and audience, in free text")
    p.add_argument("--name", default="brief", help="brand name shown in the output")
    p.add_argument("--brief-id", help="id of the brief in the output's brief_id column (default 1)")
    p.add_argument("--keyword", action="append", default=[], help="keyword to match (repeatable)")
    p.add_argument("--exclude-keyword", action="append", default=[],
                   help="leave out creators mentioning this (repeatable)")
    p.add_argument("--tier", action="append", default=[], help="allowed tier (repeatable)")
    p.add_argument("--platform", action="append", default=[], help="allowed platform (repeatable)")
    p.add_argument("--country", action="append", default=[], help="allowed country (repeatable)")
    p.add_argument("--language", action="append", default=[], help="allowed language, e.g. en (repeatable)")
    p.add_argument("--min-followers", type=int)
    p.add_argument("--max-followers", type=int)
    p.add_argument("--min-engagement-rate", type=float, help="fair engagement rate, e.g. 0.02 for 2%%")
    p.add_argument("--filter", action="append", default=[], metavar="COLUMN=VALUE",
                   help="filter on any creator column: COLUMN=VALUE (repeat a column for any of several values), "
                        "COLUMN>=NUMBER or COLUMN<=NUMBER (repeatable)")
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
