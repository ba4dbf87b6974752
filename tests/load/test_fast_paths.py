"""The fast paths of loading and validation give what the plain formulations give.

Validation works on Arrow and numpy arrays, matches short columns' patterns with Python's re
and long ones with Arrow's RE2, and the JSON pre-check searches many ids at once with RE2.
Each of these is held here to the formulation it replaced (pandas' ``.str`` methods,
jsonschema's ``re.search``), on text chosen to tell the engines apart: Unicode whitespace,
full-width digits, trailing newlines, non-ASCII letters.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from checker import validate
from checker.errors import ProblemSink
from checker.load.base import RawSubmission
from checker.load.jsonyaml import MAX_DEPTH, _submission_shaped, _too_deep
from checker.load.tabular import blank
from checker.model import ID_PATTERN
from checker.schema import column_specs
from checker.schemacheck import _BULK_TEXTS, _failing_texts

ODD = ["", " ", "\t", "\xa0", "\x85", "\u3000", "\u200b", "\u2028", "\x1c", "\ufeff", "a", " a ", "\xa0a\xa0",
       "a\n", "\na", "A-1", "A 1", "-A", "a" * 64, "a" * 65, "é", "Ａ1", "１２", "2018Q4", "２０１８Q4", "2018Q4\n",
       "450802", "4508", "4", "河长", "C-1.x:y_z", "a\x85"]
PATTERNS = sorted({s.pattern.strip("^$") for t in ("header", "chiefs", "jurisdictions") for s in column_specs(t)
                   if s.pattern})


def _pandas_blank(s: pd.Series) -> np.ndarray:
    """The formulation :func:`blank` replaced."""
    na = s.isna().to_numpy(dtype=bool)
    if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
        return na
    if pd.api.types.infer_dtype(s, skipna=True) == "string":
        return na | s.str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    return na | s.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)


@pytest.mark.parametrize("dtype", ["str", object])
def test_blank_cells_are_what_pandas_strip_calls_blank(dtype: Any) -> None:
    cells: list[Any] = [*ODD, None]
    if dtype is object:
        cells += [1, 2.5, float("nan"), True, ["x"]]
    s = pd.Series(cells, dtype=dtype)
    assert blank(s).tolist() == _pandas_blank(s).tolist()


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("many", [False, True], ids=["python-re", "arrow-re2"])
def test_pattern_matching_is_pandas_fullmatch(pattern: str, many: bool) -> None:
    filler = [f"X{i}" for i in range(validate._RE2_MIN_DISTINCT)] if many else []
    text = np.array([v.strip() for v in ODD * 3] + filler, dtype=object)
    present = text != ""
    want = pd.Series(np.where(present, text, ""), dtype="str").str.fullmatch(pattern).fillna(False)
    want = want.to_numpy(dtype=bool)
    for arrow in (None, pa.array(text.tolist(), type=pa.large_string())):
        got = validate._fullmatch(pattern, text, arrow, present)
        assert (got & present).tolist() == (want & present).tolist()


def test_a_long_id_column_reports_exactly_its_bad_cells() -> None:
    spec = next(s for s in column_specs("patrols") if s.name == "id")
    n = validate._RE2_MIN_DISTINCT + 10
    cells = [f"P-{i}" for i in range(n)]
    bad = {5: "P 5", 700: "é1", 4100: "-x", 4101: "a" * 65}
    for i, v in bad.items():
        cells[i] = v
    raw = RawSubmission(file="f", format="csv-folder", header={}, tables={})
    sink = ProblemSink(limit=10_000)
    frame = pd.DataFrame({"id": pd.Series(cells, dtype="str")})
    typed = validate.coerce_table(raw, "patrols", frame, sink)
    assert sorted(p.location.row - 2 for p in sink.problems if p.code == "E-PATTERN") == sorted(bad)
    assert typed["id"].tolist() == cells and typed["id"].dtype == object
    assert spec.pattern == ID_PATTERN


def test_bulk_id_search_fails_exactly_what_jsonschema_fails() -> None:
    rx = re.compile(ID_PATTERN)
    texts = {f"P110102-{i:07d}" for i in range(_BULK_TEXTS)} | set(ODD)
    assert _failing_texts(rx, texts) == {v for v in texts if rx.search(v) is None}
    assert "a\n" not in _failing_texts(rx, texts)  # Python's $ accepts a final newline; RE2's does not


def test_the_depth_shortcut_only_vouches_for_shallow_documents() -> None:
    doc: dict[str, Any] = {"period": "2018Q4", "documents": [{"id": "D-1", "covers": ["a", "b"]}], "patrols": []}
    assert _submission_shaped(doc) and _too_deep(doc, MAX_DEPTH) is None
    for deeper in ({"x": {"y": 1}}, [[1]], [{"z": [{}]}]):
        doc["documents"][0]["covers"] = deeper
        assert not _submission_shaped(doc)
    nested: Any = "leaf"
    for _ in range(MAX_DEPTH + 1):
        nested = [nested]
    doc["documents"][0]["covers"] = nested
    assert not _submission_shaped(doc) and _too_deep(doc, MAX_DEPTH) is not None
