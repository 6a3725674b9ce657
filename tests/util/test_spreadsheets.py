"""formula_safe: the OWASP rule against CSV injection, on text columns only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.util import formula_safe


def test_text_cells_that_start_like_a_formula_are_quoted_and_nothing_else_changes():
    frame = pd.DataFrame({
        "text": ["=SUM(A1)", "+1", "-2", "@handle", "\tx", "\rx", "plain", "a=b", ""],
        "number": [-1.0, -2.5, 3.0, np.nan, 0.0, 1.0, 2.0, 3.0, 4.0],
        "mixed": ["-x", 5, None, np.nan, -3, "ok", "+", "x", "y"],
    })
    frame["tier"] = pd.Categorical(["-nano"] + ["micro"] * 8)
    frame["string"] = pd.array(["=1"] + ["s"] * 8, dtype="string")
    safe = formula_safe(frame)
    assert safe["text"].tolist() == ["'=SUM(A1)", "'+1", "'-2", "'@handle", "'\tx", "'\rx", "plain", "a=b", ""]
    pd.testing.assert_series_equal(safe["number"], frame["number"])
    assert safe["mixed"].tolist()[:2] == ["'-x", 5] and safe["mixed"].tolist()[4:7] == [-3, "ok", "'+"]
    assert safe["tier"].tolist()[0] == "'-nano" and safe["string"].tolist()[0] == "'=1"
    assert frame["text"].tolist()[0] == "=SUM(A1)"  # a copy: the input is left as it was


def test_repeated_column_names_are_handled_by_position():
    frame = pd.DataFrame([["=a", "b"]], columns=["x", "x"])
    assert formula_safe(frame).values.tolist() == [["'=a", "b"]]
