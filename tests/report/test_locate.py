"""Evidence locations: text back to data, and to the line a person opens."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.errors import Location
from checker.report.locate import artifact, parse_location, pointer_line

names = st.text(alphabet=st.characters(blacklist_characters="[]#\n", blacklist_categories=("Cs",)), min_size=1, max_size=20)


@given(file=names, table=st.sampled_from(["documents", "chiefs"]), row=st.integers(0, 10_000))
def test_pointer_locations_round_trip(file: str, table: str, row: int) -> None:
    loc = Location(file, pointer=f"/{table}/{row}")
    assert parse_location(str(loc)) == loc


@given(file=names, sheet=st.one_of(st.none(), names), row=st.one_of(st.none(), st.integers(1, 10**6)),
       column=st.one_of(st.none(), names))
def test_tabular_locations_round_trip(file: str, sheet: str | None, row: int | None, column: str | None) -> None:
    loc = Location(file.strip() or "f", sheet=sheet, row=row, column=column.strip() or None if column else None)
    assert parse_location(str(loc)) == loc


def test_pointer_line_in_yaml_and_json(tmp_path: Path) -> None:
    y = tmp_path / "s.yaml"
    y.write_text("a: 1\ndocuments:\n  - {id: D1}\n  - id: D2\n    title: x\n", encoding="utf-8")
    assert pointer_line(str(y), "/documents/1") == 4
    assert pointer_line(str(y), "/documents/1/title") == 5
    assert pointer_line(str(y), "/documents/7") is None
    j = tmp_path / "s.json"
    j.write_text(json.dumps({"a": 1, "documents": [{"id": "D1"}, {"id": "D2"}]}, indent=2), encoding="utf-8")
    assert j.read_text(encoding="utf-8").splitlines()[pointer_line(str(j), "/documents/1") - 1].strip() == "{"
    assert pointer_line(str(j), "/documents/1/id") == 8  # the line of "id": "D2"
    assert pointer_line(str(tmp_path / "missing.yaml"), "/a") is None


@pytest.mark.parametrize("sheet,line", [("documents.csv", 3), ("documents.parquet", None)])
def test_csv_folder_rows_are_lines_of_the_csv_file(tmp_path: Path, sheet: str, line: int | None) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    assert artifact(Location(str(folder), sheet=sheet, row=3)) == (f"{folder}/{sheet}", line)
    assert artifact(Location("book.xlsx", sheet="文件", row=3)) == ("book.xlsx", None)
