"""What the commands write: messages by verbosity, tables as text, CSV, JSON or files, and money.

Results go to standard output; notes (what was written, how long it took) go there too unless standard output
carries data (``--out -``, ``--format json|csv``), when they go to standard error so that the data stays
parseable. Every CSV is written through :func:`~recommender.util.formula_safe`.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .inputs import is_stdio

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Console", "check_output", "frame_text", "json_records", "money", "results_text", "write_table"]

TABLE_SUFFIXES = (".csv", ".parquet", ".json", ".jsonl")


class Console:
    """Prints by verbosity: ``-1`` (``-q``) results and errors only, ``0`` also notes and warnings, ``1`` (``-v``)
    the same plus INFO logs (configured by :func:`~recommender.cli.main`)."""

    def __init__(self, *, verbosity: int = 0, data_on_stdout: bool = False) -> None:
        self.verbosity = verbosity
        self.data_on_stdout = data_on_stdout

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    def result(self, text: str) -> None:
        """What the command is for: always printed, to standard output."""
        print(text, file=sys.stdout, flush=True)

    def note(self, text: str) -> None:
        """What happened on the way (written files, timings, reused work); not with ``-q``."""
        if not self.quiet:
            print(text, file=sys.stderr if self.data_on_stdout else sys.stdout, flush=True)

    def warn(self, text: str) -> None:
        """A ``warning: ...`` line on standard error; not with ``-q``."""
        if not self.quiet:
            print(f"warning: {text}", file=sys.stderr, flush=True)


def check_output(path: Path, option: str = "--out", *, stdout: bool = False,
                 suffixes: tuple[str, ...] = TABLE_SUFFIXES) -> None:
    """Refuse a table output path of another type before any work is done (``-`` only where ``stdout``)."""
    if is_stdio(path):
        if stdout:
            return
        raise ValueError(f"{option} -: this output cannot go to standard output; give a file name.")
    if path.suffix.lower() not in suffixes:
        kinds = ", ".join(suffixes) + (", or - for standard output" if stdout else "")
        raise ValueError(f"{option} {path}: expected a file name ending in {kinds}; got '{path.suffix or '(none)'}'.")
    if path.is_dir():
        raise ValueError(f"{option} {path}: is a folder; give a file name.")


def write_table(frame: "pd.DataFrame", path: Path, *, fmt: str = "csv", columns: list[str] | None = None) -> None:
    """Write ``frame`` to ``path`` by its suffix (atomically), or for ``-`` to standard output as ``fmt``:
    ``csv``, ``json`` (one array), ``jsonl`` (one object per line) or ``table`` (text, of ``columns``)."""
    from ..util import atomic_path

    if is_stdio(path):
        sys.stdout.write(_formatted(frame, fmt, columns))
        sys.stdout.flush()
        return
    check_output(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    try:
        with atomic_path(path) as tmp:
            if suffix == ".parquet":
                frame.to_parquet(tmp, index=False)
            else:
                tmp.write_text(_formatted(frame, suffix.lstrip("."), columns), encoding="utf-8")
    except OSError as exc:  # named by the target, not by the temporary file beside it
        raise type(exc)(exc.errno, exc.strerror, str(path)) from exc


def _formatted(frame: "pd.DataFrame", fmt: str, columns: list[str] | None) -> str:
    from ..util import formula_safe

    if fmt == "csv":
        return formula_safe(frame).to_csv(index=False)
    if fmt == "json":
        return json.dumps(json_records(frame), ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in json_records(frame))
    return frame_text(frame, columns) + "\n"


def json_records(frame: "pd.DataFrame") -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: NaN and missing values as None, arrays and tuples as lists, numpy scalars as
    Python ones, timestamps as ISO text, and ``matched_posts`` (post ids joined by ``;``) as a list.

    >>> import pandas as pd
    >>> json_records(pd.DataFrame({"fit": [0.5, float("nan")], "matched_posts": ["p1;p2", ""]}))
    [{'fit': 0.5, 'matched_posts': ['p1', 'p2']}, {'fit': None, 'matched_posts': []}]
    """
    rows = []
    for row in frame.to_dict("records"):
        clean = {str(key): _jsonable(value) for key, value in row.items()}
        if isinstance(clean.get("matched_posts"), str):
            clean["matched_posts"] = [p for p in clean["matched_posts"].split(";") if p]
        rows.append(clean)
    return rows


def _jsonable(value: Any) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def frame_text(frame: "pd.DataFrame", columns: Iterable[str] | None = None) -> str:
    """``frame`` (or its ``columns``) as an aligned text table with floats at 3 decimals, without the index."""
    import pandas as pd

    shown = frame if columns is None else frame[[c for c in columns if c in frame.columns]]
    with pd.option_context("display.width", 160, "display.max_columns", 30, "display.max_colwidth", 60):
        return shown.to_string(index=False, float_format=lambda x: f"{x:.3f}")


def results_text(results: "pd.DataFrame", columns: list[str]) -> str:
    """A table of ``columns`` of the results, then each result's reasons."""
    lines = [frame_text(results, columns), "", "Why:"]
    lines += [f"{row.rank:>3}. {row.handle or row.creator_id}: {row.reasons}" for row in results.itertuples()]
    return "\n".join(lines)


def money(amount: float, currency: str = "$") -> str:
    """``amount`` rounded to whole units with thousands separators: a symbol before it, a code after it.

    >>> money(12340.4), money(980.6, "€"), money(12340, "EUR")
    ('$12,340', '€981', '12,340 EUR')
    """
    number = f"{amount:,.0f}"
    return f"{number} {currency}" if currency.isalpha() and len(currency) > 1 else f"{currency}{number}"
