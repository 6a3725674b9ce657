"""What the commands read: a brief from flags, briefs and catalogs from files or standard input (``-``)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import BrandBrief

__all__ = ["BRIEF_FLAGS", "brief_from_args", "describe_filters", "is_stdio", "parse_filters", "read_briefs",
           "readable"]

BRIEF_FLAGS: dict[str, str] = {
    "name": "--name",
    "description": "--brief",
    "keywords": "--keyword",
    "exclude_keywords": "--exclude-keyword",
    "tiers": "--tier",
    "min_followers": "--min-followers",
    "max_followers": "--max-followers",
    "min_engagement_rate": "--min-engagement-rate",
    "platforms": "--platform",
    "countries": "--country",
    "languages": "--language",
    "filters": "--filter",
    "brief_id": "--brief-id",
    "avoid_topics": "--avoid",
    "avoid_mode": "--avoid-mode",
    "values": "--value",
    "competitors": "--competitor",
    "conflict_days": "--conflict-days",
    "conflict_mode": "--conflict-mode",
    "max_authenticity_flags": "--max-authenticity-flags",
}
"""The ``recommend`` flag of every :class:`~recommender.catalog.BrandBrief` field (the dest of a flag is its
name without the dashes, with ``_`` for ``-``)."""


def is_stdio(path: Path | None) -> bool:
    """Whether a path argument is ``-``: standard input or output."""
    return path is not None and str(path) == "-"


def brief_from_args(args: argparse.Namespace) -> "BrandBrief":
    """The brief of ``recommend``'s flags: one per :data:`BRIEF_FLAGS` entry."""
    from ..catalog import BrandBrief

    values = {field: getattr(args, flag.lstrip("-").replace("-", "_")) for field, flag in BRIEF_FLAGS.items()}
    values["filters"] = parse_filters(values["filters"])
    return BrandBrief(**values)


def parse_filters(items: list[str]) -> dict[str, Any]:
    """``--filter`` values as a brief's ``filters``: ``COLUMN=VALUE`` (repeated for any of several values),
    ``COLUMN>=NUMBER`` and ``COLUMN<=NUMBER``.

    >>> parse_filters(["niche=food", "niche=travel", "city=Austin", "age>=18", "age<=30"])
    {'niche': ['food', 'travel'], 'city': 'Austin', 'age': {'min': 18.0, 'max': 30.0}}
    """
    out: dict[str, Any] = {}
    for item in items:
        for operator, bound in ((">=", "min"), ("<=", "max"), ("=", None)):
            column, found, value = item.partition(operator)
            if found:
                break
        column, value = column.strip(), value.strip()
        if not found or not column or not value:
            raise ValueError(f"--filter: expected COLUMN=VALUE, COLUMN>=NUMBER or COLUMN<=NUMBER, got {item!r}.")
        if bound is None:
            known = out.get(column)
            if isinstance(known, dict):
                raise ValueError(f"--filter: column {column!r} has both a range and values; give one kind.")
            out[column] = value if known is None else [*([known] if isinstance(known, str) else known), value]
            continue
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"--filter {item!r}: expected a number after {operator}, got {value!r}.") from None
        known = out.setdefault(column, {})
        if not isinstance(known, dict):
            raise ValueError(f"--filter: column {column!r} has both a range and values; give one kind.")
        known[bound] = number
    return out


def describe_filters(brief: "BrandBrief", names: Mapping[str, str] = BRIEF_FLAGS) -> list[str]:
    """The brief's hard filters and brand-fit exclusions, each field named by ``names`` (default: its flag),
    e.g. ``['--tier nano', '--country XX']``."""
    parts = []
    for field, flag in names.items():
        if field in ("name", "description", "keywords", "brief_id", "values", "conflict_days", "avoid_mode",
                     "conflict_mode"):
            continue  # not filters: they rank, name or qualify another flag
        value = getattr(brief, field)
        if field == "filters":
            parts += [f"{flag} {column}{_condition(condition)}" for column, condition in value.items()]
        elif field == "avoid_topics" and value and brief.avoid_mode == "exclude":
            parts.append(f"{flag} " + ", ".join(v if isinstance(v, str) else getattr(v, "name", str(v)) for v in value))
        elif field == "competitors" and value and brief.conflict_mode == "exclude":
            parts.append(f"{flag} " + ", ".join(value) + f" (last {brief.conflict_days} days)")
        elif isinstance(value, tuple) and value and field not in ("avoid_topics", "competitors"):
            parts.append(f"{flag} " + ", ".join(value))
        elif value is not None and not isinstance(value, tuple):
            parts.append(f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}")
    return parts


def _condition(condition: Any) -> str:
    if isinstance(condition, dict):
        return " and ".join(f"{op}{condition[bound]:g}" for op, bound in ((">=", "min"), ("<=", "max"))
                            if bound in condition)
    return "=" + (" or ".join(map(str, condition)) if isinstance(condition, (list, tuple)) else str(condition))


def read_briefs(path: Path) -> tuple[list["BrandBrief"], bytes]:
    """Briefs of ``--briefs`` (JSON Lines or YAML; ``-`` reads JSON Lines from standard input) and the bytes read,
    which key the shortlists ``plan`` keeps."""
    from ..catalog import load_briefs

    with readable(path, default_suffix=".jsonl") as local:
        return load_briefs(local), local.read_bytes()


@contextmanager
def readable(path: Path, *, default_suffix: str) -> Iterator[Path]:
    """``path`` itself, or for ``-`` a temporary file holding standard input, named ``stdin`` with a suffix
    for its format (JSON Lines when it starts with ``{``, else ``default_suffix``), so messages and readers that
    go by the file name work as for a file."""
    if not is_stdio(path):
        yield path
        return
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    suffix = ".jsonl" if data.lstrip()[:1] == b"{" else default_suffix
    with tempfile.TemporaryDirectory(prefix="recommender-stdin-") as folder:
        local = Path(folder) / f"stdin{suffix}"
        local.write_bytes(data)
        yield local
