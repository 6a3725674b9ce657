"""Read a user's table (CSV, Parquet, JSON Lines or a DataFrame) into a DataFrame.

This module only answers "can this source be read at all?": file type,
encoding, emptiness, header. Row-level checks live in :mod:`recommender.catalog.validation`.
CSV and JSON Lines values are read as text so that validation can quote exactly
what the user wrote (``'12k'``) instead of what a parser guessed.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np
import pandas as pd

from ..util import CatalogError

logger = logging.getLogger(__name__)

TableSource = Union[str, Path, pd.DataFrame]

_READERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True)
class Table:
    """A table read from one source.

    Attributes
    ----------
    frame : pandas.DataFrame
        The rows, with a default RangeIndex. Column names are stripped and lower-cased.
    name : str
        How messages name the source: the file name, or ``'creators'`` for a DataFrame.
    row_numbers : numpy.ndarray
        The row number a user sees for each row: the spreadsheet row for CSV (the
        header is row 1, so data starts at row 2), the line number for JSON Lines,
        the 1-based position for Parquet and DataFrames.
    """

    frame: pd.DataFrame
    name: str
    row_numbers: np.ndarray

    def row_number(self, position: int) -> int:
        """Row number as the user sees it for a 0-based position."""
        return int(self.row_numbers[position])


def read_table(source: TableSource, *, default_name: str) -> Table:
    """Read ``source`` into a :class:`Table`.

    Parameters
    ----------
    source : str, Path or DataFrame
        A ``.csv``, ``.parquet`` or ``.jsonl`` file, or a DataFrame (copied).
    default_name : str
        Name used in messages when ``source`` is a DataFrame, e.g. ``'creators'``.

    Raises
    ------
    CatalogError
        If the file is missing, of an unsupported type, not UTF-8, empty or unparseable.
    """
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).copy()
        return _table(frame, default_name, start=1)
    if not isinstance(source, (str, Path)):
        raise CatalogError(
            f"{default_name}: expected a file path or a pandas DataFrame, got {type(source).__name__}."
        )
    path = Path(source)
    name = path.name
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        raise CatalogError(
            f"{name}: unsupported file type '{path.suffix or '(none)'}'; expected one of "
            ".csv, .parquet, .jsonl (JSON Lines). Convert the file, or pass a pandas DataFrame."
        )
    if not path.is_file():
        raise CatalogError(f"{name}: no such file at '{path}'.")
    if path.stat().st_size == 0:
        raise CatalogError(f"{name}: the file is empty; expected a header row and at least one data row.")
    if kind == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise CatalogError(f"{name}: not a readable Parquet file ({exc}).") from exc
        return _table(frame, name, start=1)
    text = _read_utf8(path)
    if not text.strip():
        raise CatalogError(f"{name}: the file is empty; expected a header row and at least one data row.")
    if kind == "csv":
        frame, rows = _parse_csv(text, name)
        return Table(_normalise_columns(frame, name), name, rows)
    frame, lines = _parse_jsonl(text, name)
    return Table(_normalise_columns(frame, name), name, np.asarray(lines, dtype=np.int64))


def _table(frame: pd.DataFrame, name: str, *, start: int) -> Table:
    return Table(_normalise_columns(frame, name), name, np.arange(start, start + len(frame), dtype=np.int64))


def _read_utf8(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogError(
            f"{path.name}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} on line {line}); "
            "save the file with UTF-8 encoding (in Excel: 'CSV UTF-8')."
        ) from exc


def _parse_csv(text: str, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    # A blank line is a row in a spreadsheet: parse blank lines as rows so that later
    # rows keep their spreadsheet numbers, then drop the rows that hold no value at all.
    body = text.lstrip()
    start = 2 + text[: len(text) - len(body)].count("\n")
    try:
        frame = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False, skipinitialspace=False,
                            skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        raise CatalogError(f"{name}: not a well-formed CSV file ({exc}).") from exc
    try:
        header = next(csv.reader(io.StringIO(body)), [])
    except csv.Error:  # a header pandas read but the csv module does not (a name over its field limit)
        header = []
    if len(header) == len(frame.columns):
        frame.columns = header  # the names as written: pandas renames a repeated one ('followers.1')
    rows = np.arange(start, start + len(frame), dtype=np.int64)
    blank = np.ones(len(frame), dtype=bool)
    for position in range(frame.shape[1]):
        blank &= frame.iloc[:, position].fillna("").astype(str).str.strip().eq("").to_numpy()
    return frame[~blank].reset_index(drop=True), rows[~blank]


def _parse_jsonl(text: str, name: str) -> tuple[pd.DataFrame, list[int]]:
    records, lines = [], []
    # Lines end at '\n' only: str.splitlines would also split at characters a JSON string may hold (U+2028).
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{name} line {number}: expected a JSON object, got invalid JSON ({exc.msg}).") from exc
        if not isinstance(record, dict):
            raise CatalogError(f"{name} line {number}: expected a JSON object, got {type(record).__name__}.")
        records.append(record)
        lines.append(number)
    try:
        frame = pd.DataFrame.from_records(records)
    except UnicodeError:  # a '\\ud800' escape: a string no text column can hold; validation reports the cell
        frame = pd.DataFrame(records, dtype=object)
    return frame.astype(object).where(frame.notna(), ""), lines


def _normalise_columns(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Column names stripped and lower-cased; two columns whose names then agree are an error (which one counts?)."""
    written = [str(c) for c in frame.columns]
    frame.columns = [c.strip().lower() for c in written]
    repeated = frame.columns[frame.columns.duplicated()].unique()
    if len(repeated):
        spelled = {c: [w for w, n in zip(written, frame.columns) if n == c] for c in repeated}
        raise CatalogError(
            f"{name}: expected each column once, got " + "; ".join(f"{c!r} {len(w)} times (as {w})"
                                                                   for c, w in spelled.items())
            + " (names are compared ignoring case and surrounding spaces); rename or drop the extra columns."
        )
    return frame
