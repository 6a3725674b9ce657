"""CSV that is safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in
some, a tab or carriage return) as a formula, so a bio or caption such as
``=HYPERLINK("http://evil", "click")`` in a creator catalog would run when a
results file is opened. Following the OWASP rule for CSV injection, such text
cells are prefixed with a single quote, which spreadsheets show as text.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["FORMULA_STARTS", "formula_safe"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula."""


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells that start like a formula begin with ``'``.

    Only text columns change (object, string and categorical ones), so a negative
    number in a numeric column stays a number; other columns and cells are as they were.

    >>> formula_safe(pd.DataFrame({"bio": ["=1+1", "chef", "-ok"], "delta": [-1.5, 2.0, 0.0]})).to_dict("list")
    {'bio': ["'=1+1", 'chef', "'-ok"], 'delta': [-1.5, 2.0, 0.0]}
    """
    out = frame.copy()
    for position in range(out.shape[1]):  # by position: column names may repeat
        values = out.iloc[:, position]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        elif not (pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)):
            continue
        if values.map(_risky).any():
            out.isetitem(position, values.map(_quoted))
    return out


def _risky(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _quoted(value: Any) -> Any:
    return "'" + value if _risky(value) else value
