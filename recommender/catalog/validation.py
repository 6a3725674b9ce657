"""Row-level checks of catalog tables against the public schema.

Each check is vectorised over a whole column and yields *problems*: one row per
bad cell, naming the source, the row a user sees, the column, what was expected
and what was found. :mod:`recommender.catalog.loader` decides what to do with them
(raise in strict mode, reject rows in lenient mode).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Literal

import numpy as np
import pandas as pd

from .tables import Table

ColumnKind = Literal["id", "count", "amount", "text", "timestamp", "flag"]

PROBLEM_COLUMNS = ["source", "row", "column", "expected", "found", "message"]

_EXPECTED = {
    "id": "a non-empty identifier",
    "count": "an integer >= 0",
    "amount": "a number >= 0",
    "text": "text",
    "timestamp": "an ISO 8601 date-time or epoch seconds",
    "flag": "true or false",
}
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", ""}


@dataclass(frozen=True)
class Column:
    """One column of the public schema.

    Attributes
    ----------
    name : str
        Column name (lower case).
    kind : {'id', 'count', 'amount', 'text', 'timestamp', 'flag'}
        How values are parsed and checked.
    required : bool
        The column must be present in the table.
    allow_empty : bool
        A cell may be empty (``''``, NaN or None).
    """

    name: str
    kind: ColumnKind
    required: bool = False
    allow_empty: bool = True


CREATOR_COLUMNS = (
    Column("creator_id", "id", required=True, allow_empty=False),
    Column("followers", "count", required=True, allow_empty=False),
    Column("handle", "text"),
    Column("platform", "text"),
    Column("bio", "text"),
    Column("country", "text"),
    Column("language", "text"),
    Column("cost", "amount"),
    Column("following", "count"),
)

POST_COLUMNS = (
    Column("creator_id", "id", required=True, allow_empty=False),
    Column("caption", "text", required=True),
    Column("likes", "count", required=True, allow_empty=False),
    Column("comments", "count", required=True, allow_empty=False),
    Column("post_id", "id"),
    Column("views", "count"),
    Column("posted_at", "timestamp"),
    Column("is_sponsored", "flag"),
)


def missing_columns(table: Table, schema: tuple[Column, ...]) -> list[str]:
    """Names of required columns absent from ``table``."""
    return [c.name for c in schema if c.required and c.name not in table.frame.columns]


def parse_columns(table: Table, schema: tuple[Column, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse every schema column present in ``table`` to its type.

    Returns
    -------
    parsed : DataFrame
        The table with schema columns converted (counts to nullable Int64, amounts
        to float, timestamps to UTC datetimes, flags to bool, text to str); other
        columns are kept unchanged as metadata. Bad cells become missing values.
    problems : DataFrame
        One row per bad cell, columns :data:`PROBLEM_COLUMNS`; a metadata cell is bad when it is bytes or text
        that is not valid Unicode, which no saved catalog could store.
    """
    parsed = table.frame.copy()
    problems = []
    known = {c.name for c in schema}
    for name in parsed.columns:
        if name not in known and parsed[name].dtype == object:
            unreadable = _strings(parsed[name])[1]
            if unreadable.any():
                problems.append(_problems(table, name, _EXPECTED["text"], parsed[name], unreadable.to_numpy()))
    for column in schema:
        if column.name not in parsed.columns:
            continue
        raw = parsed[column.name]
        values, bad = _PARSERS[column.kind](raw)
        empty = _is_empty(raw)
        if not column.allow_empty:
            bad = bad | empty
        else:
            bad = bad & ~empty
        parsed[column.name] = values
        if bad.any():
            problems.append(_problems(table, column.name, _EXPECTED[column.kind], raw, bad.to_numpy()))
    return parsed, concat_problems(problems)


def duplicate_problems(table: Table, values: pd.Series, column: str, *, expected: str | None = None,
                       shown: Callable[[object], str] | None = None) -> pd.DataFrame:
    """Problems for the second and later occurrences of each non-empty value.

    ``expected`` defaults to ``"a unique <column>"`` and ``shown``, which quotes a
    value in the messages, to :func:`describe`.
    """
    shown = shown or describe
    present = values.notna() & (values.astype(str) != "")
    dup = values.duplicated(keep="first") & present
    if not dup.any():
        return concat_problems([])
    first = values[present].drop_duplicates(keep="first")
    first_row = {v: table.row_number(i) for i, v in first.items()}
    positions = np.flatnonzero(dup.to_numpy())
    rows = table.row_numbers[positions]
    found = values.to_numpy()[positions]
    expected = expected or f"a unique {column}"
    messages = [
        f"{table.name} row {r}, column '{column}': expected {expected}, got {shown(v)} again "
        f"(first seen at row {first_row[v]})"
        for r, v in zip(rows, found)
    ]
    return problem_frame(table.name, rows, column, expected, [shown(v) for v in found], messages)


def unknown_reference_problems(table: Table, values: pd.Series, known: pd.Index, other: str) -> pd.DataFrame:
    """Problems for values of ``creator_id`` that do not exist in the creators table."""
    bad = values.notna() & ~values.isin(known)
    positions = np.flatnonzero(bad.to_numpy())
    if positions.size == 0:
        return concat_problems([])
    expected = f"a creator_id present in {other}"
    found = [describe(v) for v in values.to_numpy()[positions]]
    return problem_frame(
        table.name,
        table.row_numbers[positions],
        "creator_id",
        expected,
        found,
        [_message(table.name, r, "creator_id", expected, f) for r, f in zip(table.row_numbers[positions], found)],
    )


def concat_problems(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate problem tables, sorted by row within each source in order of appearance.

    An empty list gives an empty, typed table.
    """
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else object) for c in PROBLEM_COLUMNS})
    merged = pd.concat(parts, ignore_index=True)
    source_order = merged["source"].map({s: i for i, s in enumerate(dict.fromkeys(merged["source"]))})
    return merged.assign(_s=source_order).sort_values(["_s", "row"], kind="stable").drop(columns="_s").reset_index(drop=True)


def problems_message(problems: pd.DataFrame, *, limit: int) -> str:
    """The count and sources of ``problems`` over the messages of the first ``limit``: a ValidationError's text."""
    lines = problems["message"].head(limit).tolist()
    more = len(problems) - len(lines)
    tail = f"\n  ... and {more} more (all are in the error's .problems table)" if more > 0 else ""
    sources = ", ".join(dict.fromkeys(problems["source"]))
    return f"{len(problems)} problem(s) in {sources}:\n  " + "\n  ".join(lines) + tail


def describe(value: object) -> str:
    """How a found value is quoted in messages."""
    if _is_empty(pd.Series([value], dtype=object)).iloc[0]:
        return "an empty value"
    return repr(str(value))


def _message(source: str, row: int, column: str, expected: str, found: str) -> str:
    return f"{source} row {row}, column '{column}': expected {expected}, got {found}"


def _problems(table: Table, column: str, expected: str, raw: pd.Series, bad: np.ndarray) -> pd.DataFrame:
    positions = np.flatnonzero(bad)
    rows = table.row_numbers[positions]
    found = [describe(v) for v in raw.to_numpy()[positions]]
    messages = [_message(table.name, r, column, expected, f) for r, f in zip(rows, found)]
    return problem_frame(table.name, rows, column, expected, found, messages)


def problem_frame(source, rows, column, expected, found, messages) -> pd.DataFrame:  # noqa: ANN001
    n = len(messages)
    return pd.DataFrame(
        {
            "source": [source] * n,
            "row": np.asarray(rows, dtype=np.int64),
            "column": [column] * n,
            "expected": [expected] * n,
            "found": list(found),
            "message": messages,
        }
    )


def _is_empty(raw: pd.Series) -> pd.Series:
    text, unreadable = _strings(raw)
    as_text = text.str.strip()
    return raw.isna() | ((as_text.eq("") | as_text.str.lower().isin({"nan", "none", "null", "<na>"})) & ~unreadable)


def _as_text(raw: pd.Series) -> pd.Series:
    return _strings(raw)[0].str.strip()


def _strings(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each cell as text (missing ones as ``''``), and which cells hold no text: bytes that are not UTF-8, or
    strings with unpaired surrogates (from a DataFrame or a JSON ``\\ud800`` escape), which no file can store."""
    raw = raw.astype(object).where(~raw.isna(), "")
    try:
        return raw.astype(str), pd.Series(False, index=raw.index)
    except UnicodeError:  # the fast conversion fails as a whole; find the cells one by one
        cells = [_string(value) for value in raw.to_numpy()]
        return (pd.Series([c or "" for c in cells], index=raw.index, dtype=str),
                pd.Series([c is None for c in cells], index=raw.index))


def _string(value: object) -> str | None:
    """``value`` as text, or None when it is bytes or a string that is not valid Unicode."""
    try:
        text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
        text.encode("utf-8")
    except UnicodeError:
        return None
    return text


def _parse_id(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    values, bad = _strings(raw)
    # A float-typed id column from Parquet or a DataFrame ("12.0") reads back as "12".
    values = values.str.strip().str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    return values, bad


def _parse_number(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _as_text(raw).str.replace(r"^\+", "", regex=True)
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)
    bad = numbers.isna() | ~np.isfinite(numbers.fillna(0.0)) | (numbers < 0)
    return numbers.where(~bad), bad


def _parse_count(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    numbers, bad = _parse_number(raw)
    bad = bad | (numbers.fillna(0.0) % 1 != 0) | (numbers.fillna(0.0) > 2**53)
    return numbers.where(~bad).round().astype("Int64"), bad


def _parse_amount(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _parse_number(raw)


def _parse_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _strings(raw)


_EPOCH = re.compile(r"^\d{9,11}(\.\d+)?$")


def _parse_timestamp(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    if pd.api.types.is_datetime64_any_dtype(raw):
        _set_times(values, pd.to_datetime(raw, utc=True))
        return values, values.isna() & raw.notna()
    text = _as_text(raw)
    epoch = text.str.match(_EPOCH)
    seconds = text[epoch].astype(float)
    seconds = seconds[seconds < pd.Timestamp.max.timestamp()]
    if len(seconds):
        values[seconds.index] = pd.to_datetime(seconds, unit="s", utc=True)
    iso = ~epoch & (text != "")
    if iso.any():
        _set_times(values, pd.to_datetime(text[iso], utc=True, format="ISO8601", errors="coerce"))
    return values, values.isna()


def _set_times(values: pd.Series, times: pd.Series) -> None:
    """Copy ``times`` into ``values`` (nanosecond UTC) where they fit: a time before 1677 or after 2262 does
    not (pandas' nanosecond range) and stays missing, a bad cell rather than a crash."""
    fits = times.notna() & (times >= pd.Timestamp.min.tz_localize("UTC")) & (times <= pd.Timestamp.max.tz_localize("UTC"))
    if fits.any():
        values[fits.index[fits]] = times[fits].dt.as_unit("ns")


def _parse_flag(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _as_text(raw).str.lower()
    true, false = text.isin(_TRUE), text.isin(_FALSE)
    return true, ~(true | false)


_PARSERS = {
    "id": _parse_id,
    "count": _parse_count,
    "amount": _parse_amount,
    "text": _parse_text,
    "timestamp": _parse_timestamp,
    "flag": _parse_flag,
}
