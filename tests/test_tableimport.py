"""Responsibility-table import (checker.tableimport) and the committed Changning data.

The committed CSV/XLSX/tasks.yaml are checked against the obligation catalogue's row
index (shared/obligations.md), so the pack's data cannot drift from the catalogue or
from its own source file.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from checker.tableimport import (
    ImportProblem,
    ImportResult,
    import_table,
    parse_time_node,
    write_task_table,
)

REPO = Path(__file__).resolve().parents[1]
PACK = REPO / "rules" / "changning-biodiversity"
CSV = PACK / "source" / "responsibility_table.csv"
XLSX = PACK / "source" / "responsibility_table.xlsx"
TASKS = PACK / "tasks.yaml"
CATALOGUE = REPO.parent / "shared" / "obligations.md"
DOC = "changning-biodiversity"
HEADER_ZH = "序号,专项,重点项目,具体内容,时间节点,牵头部门,配合部门"
HEADER_EN = "no,section,item,text,time_node,lead_units,cooperating_units"

DATED = {"T01": "2023-12-31", "T19": "2024-12-31", "T18": "2035-12-31",
         **{t: "2025-12-31" for t in
            ("T02", "T10", "T13", "T14", "T15", "T17", "T21", "T22", "T28", "T29", "T30")}}


def _import(path: Path) -> ImportResult:
    return import_table(path, ref_prefix="CN-T", document=DOC)


@pytest.fixture(scope="module")
def csv_rows() -> list[dict[str, Any]]:
    result = _import(CSV)
    assert result.problems == []
    return result.rows


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, str]]:
    """The catalogue's CN-T row index: T01 -> {section, time_node, lead, opening}."""
    if not CATALOGUE.is_file():
        pytest.skip(f"obligation catalogue not found at {CATALOGUE}")
    index: dict[str, dict[str, str]] = {}
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*(T\d\d)\s*\|(.*)\|\s*$", line)
        if m:
            section, time_node, lead, opening = (c.strip() for c in m.group(2).split("|"))
            index[m.group(1)] = {"section": section, "time_node": time_node,
                                 "lead": lead, "opening": opening.rstrip("…")}
    assert len(index) == 46, "catalogue row index should list T01..T46"
    return index


def _section_code(row: dict[str, Any]) -> str:
    """The catalogue's section code, e.g. 一(一); 七— for an item without a number."""
    sec = row["section"].split("、")[0]
    m = re.match(r"^[(（]([一二三四五六七八九十]+)[)）]", row["item"])
    return f"{sec}({m.group(1)})" if m else f"{sec}—"


def test_committed_csv_shape(csv_rows: list[dict[str, Any]]) -> None:
    raw = CSV.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "CSV must be UTF-8 without BOM"
    assert raw.decode("utf-8").splitlines()[0] == HEADER_ZH
    assert len(csv_rows) == 46
    assert [r["ref"] for r in csv_rows] == [f"CN-T{i:02d}" for i in range(1, 47)]
    assert [r["row"] for r in csv_rows] == list(range(1, 47))
    assert [r["source_row"] for r in csv_rows] == list(range(2, 48))
    assert all(r["section"] and r["item"] and r["text"] for r in csv_rows)


def test_rows_match_catalogue(csv_rows: list[dict[str, Any]],
                              catalogue: dict[str, dict[str, str]]) -> None:
    for row in csv_rows:
        t = row["ref"].removeprefix("CN-")
        entry = catalogue[t]
        assert row["time_node"] == entry["time_node"], t
        assert row["lead_units"] == entry["lead"].split("、"), t
        assert row["text"].startswith(entry["opening"]), t
        assert _section_code(row) == entry["section"], t
        if t in DATED:
            assert (row["kind"], row["due"]) == ("dated", DATED[t]), t
        else:
            assert (row["kind"], row["due"]) == ("ongoing", None), t


def test_dated_and_ongoing_counts(csv_rows: list[dict[str, Any]]) -> None:
    dated = {r["ref"].removeprefix("CN-"): r["due"] for r in csv_rows if r["kind"] == "dated"}
    assert dated == DATED
    assert sum(r["kind"] == "ongoing" for r in csv_rows) == 32


def test_xlsx_imports_identically(csv_rows: list[dict[str, Any]]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(XLSX, read_only=True)
    try:
        assert wb.sheetnames == ["责任分工表"]
    finally:
        wb.close()
    result = _import(XLSX)
    assert result.problems == []
    assert result.rows == csv_rows


def test_committed_tasks_yaml_is_fresh(tmp_path: Path) -> None:
    out = tmp_path / "tasks.yaml"
    write_task_table(_import(CSV), out, document=DOC, source="source/responsibility_table.csv")
    assert TASKS.read_bytes() == out.read_bytes(), "tasks.yaml is stale: regenerate it from the CSV"


def test_write_refuses_results_with_problems(tmp_path: Path) -> None:
    bad = ImportResult([], [ImportProblem(2, "时间节点", "x", "x")])
    with pytest.raises(ValueError):
        write_task_table(bad, tmp_path / "t.yaml", document=DOC, source="x.csv")
    assert not (tmp_path / "t.yaml").exists()


def test_problem_rows_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER_ZH + "\n"
        "1,一、专项,(一)项目,内容甲,2025年,区生态环境局,\n"
        ",,,,,,\n"                                   # row 3: blank, skipped silently
        "2,,,内容乙,明年,区生态环境局,\n"             # row 4: bad time node
        "3,,,内容丙,持续推进,,区建管委\n"             # row 5: no lead unit
        "4,,(二)项目,内容丁,2025年6月,区建管委、区科委,各街镇\n",
        encoding="utf-8")
    result = _import(path)
    assert [(p.row, p.column) for p in result.problems] == [(4, "时间节点"), (5, "牵头部门")]
    assert all(p.message_zh and p.message_en for p in result.problems)
    assert "明年" in result.problems[0].message_zh
    assert [(r["ref"], r["source_row"]) for r in result.rows] == [("CN-T01", 2), ("CN-T04", 6)]
    last = result.rows[-1]
    assert (last["section"], last["item"]) == ("一、专项", "(二)项目")  # filled down
    assert (last["kind"], last["due"]) == ("dated", "2025-06-30")
    assert last["lead_units"] == ["区建管委", "区科委"]


def test_gb18030_csv_imports_identically(tmp_path: Path,
                                         csv_rows: list[dict[str, Any]]) -> None:
    path = tmp_path / "gb.csv"
    path.write_bytes(CSV.read_text(encoding="utf-8").encode("gb18030"))
    result = _import(path)
    assert result.problems == []
    assert result.rows == csv_rows


def test_utf8_bom_csv_imports_identically(tmp_path: Path,
                                          csv_rows: list[dict[str, Any]]) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CSV.read_bytes())
    assert _import(path).rows == csv_rows


def test_english_header(tmp_path: Path, csv_rows: list[dict[str, Any]]) -> None:
    lines = CSV.read_text(encoding="utf-8").split("\n")
    path = tmp_path / "en.csv"
    path.write_text("\n".join([HEADER_EN, *lines[1:]]), encoding="utf-8")
    result = _import(path)
    assert result.problems == []
    assert result.rows == csv_rows


def test_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "nolead.csv"
    path.write_text("序号,具体内容,时间节点\n1,内容,2025年\n", encoding="utf-8")
    result = _import(path)
    assert result.rows == []
    assert [(p.row, p.column) for p in result.problems] == [(1, "牵头部门")]


@pytest.mark.parametrize("raw, expected", [
    ("持续推进", ("ongoing", None)),
    ("长期", ("ongoing", None)),
    ("持续", ("ongoing", None)),
    ("2025年", ("dated", "2025-12-31")),
    ("2025", ("dated", "2025-12-31")),
    ("２０２５年", ("dated", "2025-12-31")),
    ("2025年底", ("dated", "2025-12-31")),
    ("2025年12月", ("dated", "2025-12-31")),
    ("2025年6月", ("dated", "2025-06-30")),
    ("2024年2月", ("dated", "2024-02-29")),
    ("明年", None),
    ("2025年13月", None),
    ("2025年6", None),
    ("", None),
])
def test_parse_time_node(raw: str, expected: tuple[str, str | None] | None) -> None:
    assert parse_time_node(raw) == expected
