"""The same properties through the spreadsheet routes: mutated samples written as an xlsx
workbook or a CSV package (:mod:`checker.export`, which writes unvalidated documents as they
are), then loaded, validated and evaluated. In a spreadsheet every cell is text, so only the
mutations that stay broken as text carry an expected location (sheet and row)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from checker.dataset import load_dataset
from checker.export import ExportError, tabulate, write_csv_sheets, write_xlsx_sheets
from checker.model import TABLES

from .mutations import Case, cases
from .tally import record
from .test_pipeline import budget, runner

# Broken as text too (a type change or a trailing blank is not: "123" is text, blanks are trimmed).
TEXT_BREAKING = ("delete_required", "null_required", "bad_date", "duplicate_id", "dangling_ref", "below_minimum")
KINDS = TEXT_BREAKING + ("inject_text", "huge_number", "delete_optional", "drop_row", "empty_table", "sample")


def _rows(pointers: tuple[str, ...]) -> set[tuple[str, int]]:
    out = set()
    for p in pointers:
        parts = p.split("/")
        if len(parts) == 3 and parts[2].isdigit():
            out.add((parts[1], int(parts[2])))
    return out


@settings(max_examples=budget(30))
@given(case=cases(kinds=KINDS), as_csv=st.booleans())
def test_spreadsheet_inputs_are_checked_or_refused_at_the_row(tmp_path_factory: pytest.TempPathFactory, case: Case,
                                                              as_csv: bool) -> None:
    doc: dict[str, Any] = case.doc if case.doc is not None else json.loads(case.data)
    try:
        sheets = tabulate(doc)
        folder = tmp_path_factory.mktemp("tab")
        path = write_csv_sheets(sheets, folder / "pkg") if as_csv else write_xlsx_sheets(sheets, folder / "s.xlsx")
    except (ExportError, UnicodeEncodeError):  # a lone surrogate, text xlsx cannot hold: nobody can send it
        assume(False)
        return
    result = runner().run(path)
    record("inputs.tabular")
    record(result.status)
    assert result.status in ("checked", "invalid"), (case.kind, result.reason)
    if result.status == "invalid":
        assert result.problems
    if case.kind in TEXT_BREAKING:
        assert result.status == "invalid", case
        want = _rows(case.breaks)
        labels = {t: (zh, t) for t, (_, zh) in TABLES.items()}
        got = {(p.location.sheet or "", p.location.row) for p in result.problems}
        assert any(row is not None and row - 2 == i and any(lbl in sheet for lbl in labels[t])
                   for t, i in want for sheet, row in got), (want, sorted(got, key=str)[:10])
        record("breaks.verified")
    if result.status == "checked":
        try:
            _assert_rows_intact(doc, Path(path))
        except AssertionError:
            record("findings.lost")  # counted before failing (see tally.py)
            raise
        record("rows.verified", sum(len(doc.get(t) or []) for t in TABLES))


def _assert_rows_intact(doc: dict[str, Any], path: Path) -> None:
    """Every record of every table arrived, in order, under its own id."""
    ds = load_dataset(path)
    for t in TABLES:
        src = doc.get(t) or []
        assert len(ds.tables[t]) == len(src), f"{t}: {len(src)} records sent, {len(ds.tables[t])} loaded"
        assert list(ds.tables[t]["_row"]) == list(range(len(src)))
        key = "id" if "id" in ds.tables[t].columns else "code" if "code" in ds.tables[t].columns else None
        if key and src:
            assert list(ds.tables[t][key]) == [str(r.get(key)).strip() for r in src]
