"""No input produces a traceback: whatever the bytes, loading and validating either succeed
or raise InputError with located problems."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.dataset import load_dataset
from checker.errors import InputError
from checker.export import tabulate, write_csv_sheets, write_xlsx_sheets

from .helpers import mini


def _try(path: Path) -> None:
    try:
        load_dataset(path)
    except InputError as e:
        assert e.problems and all(p.location.file for p in e.problems)


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".xlsx"])
@settings(max_examples=40)
@given(data=st.binary(min_size=1, max_size=300))
def test_random_bytes_in_a_file(tmp_path_factory: pytest.TempPathFactory, suffix: str, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"s{suffix}"
    path.write_bytes(data)
    _try(path)


@settings(max_examples=40)
@given(header=st.binary(max_size=200), table=st.binary(max_size=300))
def test_random_bytes_in_a_csv_package(tmp_path_factory: pytest.TempPathFactory, header: bytes, table: bytes) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "header.csv").write_bytes(header)
    (folder / "patrols.csv").write_bytes(table)
    _try(folder)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10)
FIELDS = ["as_of", "jurisdiction", "chiefs", "patrols", "jurisdictions", "pack", "schema_version"]


@settings(max_examples=60)
@given(where=st.sampled_from(FIELDS), row=st.integers(0, 3), key=st.sampled_from(["id", "chief", "date", "level", "x"]),
       value=json_values)
def test_any_value_anywhere_in_a_document(tmp_path_factory: pytest.TempPathFactory, where: str, row: int, key: str,
                                          value: Any) -> None:
    doc = mini()
    target = doc.get(where)
    if isinstance(target, list) and target:
        target[row % len(target)][key] = value
    else:
        doc[where] = value
    path = tmp_path_factory.mktemp("fuzz") / "s.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    _try(path)


cell_values = st.none() | st.booleans() | st.integers(-10**6, 10**12) | st.floats(-1e9, 1e9) \
    | st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=10)


@settings(max_examples=25)
@given(sheet=st.sampled_from(["巡河记录", "河长", "行政区"]), row=st.integers(0, 5), col=st.integers(0, 8),
       value=cell_values, as_csv=st.booleans())
def test_any_cell_anywhere_in_a_package(tmp_path_factory: pytest.TempPathFactory, sheet: str, row: int, col: int,
                                        value: Any, as_csv: bool) -> None:
    sheets = tabulate(mini())
    rows = sheets.tables[sheet].rows
    cells = rows[row % len(rows)]
    cells.extend([None] * max(0, col + 1 - len(cells)))
    cells[col] = value
    base = tmp_path_factory.mktemp("fuzz")
    _try(write_csv_sheets(sheets, base / "pkg") if as_csv else write_xlsx_sheets(sheets, base / "s.xlsx"))
