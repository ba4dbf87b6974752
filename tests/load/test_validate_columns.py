"""Column-wise validation (checker.validate) against a cell-by-cell reference.

The validator types whole columns with pandas (a million-row patrol table must not cost a
Python call per cell). These tests hold it to a plain per-cell definition of each column
type, for text columns as CSV gives them (pandas strings) and as a workbook gives them
(Python objects), so the fast path cannot drift from the contract.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.dates import DateParseError, day_number, parse_date
from checker.schema import ColumnSpec, column_specs
from checker.model import TABLES
from checker.validate import _coerce, _empty_typed

ERROR = "error"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_BOOL = {"true": True, "false": False, "1": True, "0": False, "是": True, "否": False,
         "y": True, "n": False, "yes": True, "no": False}


def spec(table: str, name: str) -> ColumnSpec:
    return next(s for s in column_specs(table) if s.name == name)


def reference(s: ColumnSpec, v: Any) -> Any:
    """What one cell must become: a value, None (blank) or ERROR."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return ERROR if s.required else None
    text = v.strip()
    if s.type == "string":
        if s.enum is not None and text not in s.enum:
            return ERROR
        if s.pattern is not None and not re.fullmatch(s.pattern.strip("^$"), text):
            return ERROR
        return text
    if s.type in ("number", "integer"):
        t = unicodedata.normalize("NFKC", text).strip()
        if not _NUMBER.fullmatch(t):
            return ERROR
        x = float(t)
        if not math.isfinite(x) or (s.type == "integer" and not x.is_integer()):
            return ERROR
        if (s.minimum is not None and x < s.minimum) or (s.maximum is not None and x > s.maximum):
            return ERROR
        return x
    if s.type == "boolean":
        b = _BOOL.get(unicodedata.normalize("NFKC", text).strip().lower())
        return ERROR if b is None else b
    if s.type == "date":
        try:
            return day_number(parse_date(v))
        except DateParseError:
            return ERROR
    raise AssertionError(s.type)


COLUMNS = [("reaches", "length_km"), ("budgets", "year"), ("water_bodies", "main_river"),
           ("chiefs", "appointed"), ("chiefs", "left"), ("jurisdictions", "level"), ("chiefs", "id"),
           ("patrols", "reach"), ("patrols", "duration_min")]
TOKENS = ["", " ", "12", " 12 ", "１２", "12.5", "-3", "1e3", "1,000", "inf", "nan", "NaN", "1_000", "+7",
          "2100", "2101", "1948", "是", "否", "TRUE", "yes", "Y", "0", "1", "2018-12-31", "2018-1-5",
          "2018/12/31", "2018年12月31日", "２０１８年１２月３１日", "2018-02-29", "12/31/18", "2018年12月",
          "2018-12-31T10:00", "county", "County", "district", "C-1", "C 1", "-C", "a" * 64, "a" * 65, "河长"]
cells = st.one_of(st.sampled_from(TOKENS), st.text(alphabet="0123456789-/.年月日 aeE+", max_size=10), st.none())


def run(s: ColumnSpec, values: list[Any], text_dtype: bool) -> tuple[list[Any], set[int]]:
    series = pd.Series(values, dtype="str" if text_dtype else object)
    bad: set[int] = set()

    def report(mask: np.ndarray, code: str, zh: str, en: str) -> None:
        bad.update(int(i) for i in np.flatnonzero(np.asarray(mask, dtype=bool)))
    out = _coerce(s, series, report, excel=False)
    got = [None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v for v in out.tolist()]
    return got, bad


@pytest.mark.parametrize("table,name", COLUMNS)
@pytest.mark.parametrize("text_dtype", [True, False], ids=["csv-strings", "workbook-objects"])
@settings(max_examples=60)
@given(values=st.lists(cells, max_size=12))
def test_column_typing_matches_the_cell_by_cell_reference(table: str, name: str, text_dtype: bool,
                                                          values: list[Any]) -> None:
    s = spec(table, name)
    got, bad = run(s, values, text_dtype)
    want = [reference(s, v) for v in values]
    assert {i for i, w in enumerate(want) if w is ERROR} == bad, list(zip(values, want))
    for i, w in enumerate(want):
        if w is ERROR:
            continue
        if s.type == "boolean":
            assert got[i] is (False if w is None else w), (values[i], got[i])
        else:
            assert got[i] == w, (values[i], got[i], w)


def test_integer_columns_are_nullable_integers() -> None:
    got = _coerce(spec("budgets", "year"), pd.Series(["2018", None, " 2019 "], dtype="str"),
                  lambda *a: None, excel=False)
    assert str(got.dtype) == "Int64" and got.tolist()[0] == 2018 and got.tolist()[2] == 2019


def test_text_columns_are_objects_with_none() -> None:
    got = _coerce(spec("chiefs", "reach"), pd.Series(["R-1", "", None, " R-2 "], dtype="str"),
                  lambda *a: None, excel=False)
    assert got.dtype == object and got.tolist() == ["R-1", None, None, "R-2"]


def test_a_code_typed_as_a_number_is_its_digits() -> None:
    got = _coerce(spec("jurisdictions", "code"), pd.Series([450802, 450802001.0, "450800"], dtype=object),
                  lambda *a: None, excel=True)
    assert got.tolist() == ["450802", "450802001", "450800"]


@pytest.mark.parametrize("table", list(TABLES))
def test_an_empty_table_has_the_columns_and_dtypes_of_a_typed_one(table: str) -> None:
    """Empty tables skip the column work; they must look exactly as if they had not."""
    one = {s.name: pd.Series([None], dtype=object) for s in column_specs(table)}
    typed = {s.name: _coerce(s, one[s.name], lambda *a: None, excel=False) for s in column_specs(table)}
    empty = _empty_typed(table)
    assert list(empty.columns) == [*typed, "_row"]
    assert {k: str(v.dtype) for k, v in typed.items()} == {k: str(empty[k].dtype) for k in typed}
