"""Workbooks: sheet and column names in either language, every date form, located problems."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from checker.dates import day_number
from checker.export import tabulate, write_xlsx_sheets

from .helpers import load, mini, problems, write_workbook

HEADER = [["字段", "值"], ["数据规范版本", "1.0"], ["报送编号", "GG-1"], ["规则包", "guigang-river-chief"],
          ["报送单位代码", "450802"], ["报送季度", "2018Q4"], ["数据截止日期", dt.date(2018, 12, 31)]]
JURIS = [["行政区划代码", "名称", "层级", "上级代码"], ["450802", "港北区", "county", None]]


def _book(tmp_path: Path, extra: dict[str, list[list[Any]]], *, epoch1904: bool = False,
          header: list[list[Any]] | None = None) -> Path:
    sheets = {"报送信息": HEADER if header is None else header, "行政区": JURIS, **extra}
    return write_workbook(tmp_path / "s.xlsx", sheets, epoch1904=epoch1904)


BUDGET_COLS = ["编号", "所在行政区", "预算年度", "金额(万元)", "列入预算日期"]


def test_every_date_form_in_a_workbook(tmp_path: Path) -> None:
    rows = [BUDGET_COLS,
            ["B1", "450802", 2018, 10, dt.date(2018, 1, 15)],          # a date cell
            ["B2", "450802", 2018, 10, 43115],                           # an Excel serial: 2018-01-15
            ["B3", "450802", 2018, 10, "2018-01-15"],
            ["B4", "450802", 2018, 10, "2018/1/15"],
            ["B5", "450802", 2018, 10, "2018年1月15日"],
            ["B6", "450802", 2018, 10, dt.datetime(2018, 1, 15, 9, 30)],  # time of day dropped
            ["B7", "450802", 2018, 10, 43115.75]]                        # serial with a time
    ds = load(_book(tmp_path, {"经费预算": rows}))
    assert ds.tables["budgets"]["recorded"].tolist() == [day_number(dt.date(2018, 1, 15))] * 7


def test_serials_follow_the_workbook_epoch(tmp_path: Path) -> None:
    rows = [BUDGET_COLS, ["B1", "450802", 2018, 10, 43115 - 1462], ["B2", "450802", 2018, 10, dt.date(2018, 1, 15)]]
    ds = load(_book(tmp_path, {"经费预算": rows}, epoch1904=True))
    assert ds.tables["budgets"]["recorded"].tolist() == [day_number(dt.date(2018, 1, 15))] * 2


def test_ambiguous_dates_are_errors_not_guesses(tmp_path: Path) -> None:
    rows = [BUDGET_COLS, ["B1", "450802", 2018, 10, "01/15/18"], ["B2", "450802", 2018, 10, "2018年1月"],
            ["B3", "450802", 2018, 10, 0], ["B4", "450802", 2018, 10, True]]
    assert problems(_book(tmp_path, {"经费预算": rows})) == [
        ("E-DATE", f"s.xlsx[经费预算] 行/row {r} 列/column 列入预算日期") for r in (2, 3, 4, 5)]


def test_english_sheet_and_column_names_and_numbers_typed_as_codes(tmp_path: Path) -> None:
    header = [["schema_version", "1.0"], ["submission_id", "GG-1"], ["pack", "guigang-river-chief"],
              ["jurisdiction", 450802], ["period", "2018Q4"], ["as_of", "2018-12-31"]]
    book = write_workbook(tmp_path / "s.xlsx", {
        "header": header,
        "jurisdictions": [["code", "Name", "LEVEL", "parent"], [450802, "港北区", "county", None],
                          [450802001.0, "贵城街道", "township", 450802]],
        "reaches": [["id", "water_body", "jurisdiction", "长度（公里）"], ["R1", "W1", 450802, 1.5]],  # full-width brackets
        "江河湖库": [["编号", "名称", "类型", "主要江河"], ["W1", "郁江", "river", "是"]],
    })
    ds = load(book)
    assert ds.header.jurisdiction == "450802"
    assert ds.tables["jurisdictions"]["code"].tolist() == ["450802", "450802001"]
    assert ds.tables["jurisdictions"]["parent"].tolist() == [None, "450802"]
    assert ds.tables["reaches"]["length_km"].tolist() == [1.5]
    assert ds.tables["water_bodies"]["main_river"].tolist() == [True]


def test_sheet_problems(tmp_path: Path) -> None:
    book = _book(tmp_path, {"河长名单": [["编号"]], "说明": [["随便写"]], "jurisdictions": JURIS})
    assert problems(book) == [("E-SHEET-DUP", "s.xlsx[jurisdictions]"), ("E-SHEET", "s.xlsx[河长名单]")]


def test_missing_header_sheet(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "s.xlsx", {"行政区": JURIS})
    assert problems(book) == [("E-HEADER-MISSING", "s.xlsx")]


def test_column_problems_come_with_the_validation_problems(tmp_path: Path) -> None:
    rows = [["编号", "所在行政区", "预算年度", "备注", "year", None, "列入预算日期"],
            ["B1", "450802", 2018, "x", 2018, "stray", "2018-01-15"],
            ["B2", "450899", 2018, None, None, None, "2018-01-15", "beyond"]]
    # Sorted by place: row, then column text (letters before Chinese), then code.
    assert problems(_book(tmp_path, {"经费预算": rows})) == [
        ("E-COLUMN-UNNAMED", "s.xlsx[经费预算] 行/row 1 列/column F"),
        ("E-COLUMN-DUP", "s.xlsx[经费预算] 行/row 1 列/column year"),
        ("E-COLUMN", "s.xlsx[经费预算] 行/row 1 列/column 备注"),
        ("E-COLUMN-MISSING", "s.xlsx[经费预算] 行/row 1 列/column 金额(万元)"),
        ("E-RAGGED", "s.xlsx[经费预算] 行/row 3 列/column H"),
        ("E-DANGLING-REF", "s.xlsx[经费预算] 行/row 3 列/column 所在行政区"),
    ]


def test_blank_rows_inside_are_records_and_trailing_ones_are_layout(tmp_path: Path) -> None:
    rows = [BUDGET_COLS, ["B1", "450802", 2018, 10, "2018-01-15"], [], ["B3", "450802", 2018, 10, "2018-01-15"],
            [None, None], ["  "]]
    assert [c for c, loc in problems(_book(tmp_path, {"经费预算": rows})) if "row 3" not in loc] == []
    assert sorted({loc for _, loc in problems(_book(tmp_path, {"经费预算": rows}))}) == sorted(
        {f"s.xlsx[经费预算] 行/row 3 列/column {c}" for c in ("编号", "所在行政区", "预算年度", "金额(万元)", "列入预算日期")})


def test_an_empty_sheet_is_an_empty_table(tmp_path: Path) -> None:
    ds = load(_book(tmp_path, {"经费预算": []}))
    assert len(ds.tables["budgets"]) == 0


def test_header_sheet_problems_point_at_the_cell(tmp_path: Path) -> None:
    header = [*HEADER[:6], ["数据截止日期", "2018年12月"], ["报送季度", "2018Q5"], ["联系人", "王五"]]
    assert problems(_book(tmp_path, {}, header=header)) == [
        ("E-DATE", "s.xlsx[报送信息] 行/row 7 列/column B"),
        ("E-HEADER-DUP", "s.xlsx[报送信息] 行/row 8 列/column A"),
        ("E-HEADER-FIELD", "s.xlsx[报送信息] 行/row 9 列/column A"),
    ]
    header = [row for row in HEADER if row[0] != "报送季度"]
    assert problems(_book(tmp_path, {}, header=header)) == [("E-REQUIRED", "s.xlsx[报送信息] 列/column 报送季度")]


def test_a_wrong_stored_sheet_size_does_not_hide_rows(tmp_path: Path) -> None:
    rows = [BUDGET_COLS] + [[f"B{i}", "450802", 2018, 10, "2018-01-15"] for i in range(5)]
    book = _book(tmp_path, {"经费预算": rows})
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            dst.writestr(info, data)
    assert len(load(broken).tables["budgets"]) == 5


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    doc = mini()
    doc["documents"][0]["title"] = "=HYPERLINK(\"http://x\")"
    path = write_xlsx_sheets(tabulate(doc), tmp_path / "s.xlsx")
    assert load(path).tables["documents"]["title"].tolist() == ["=HYPERLINK(\"http://x\")"]


@pytest.mark.parametrize("damage", ["truncate", "not-a-zip", "zip-without-workbook"])
def test_damaged_workbooks_are_problems_not_tracebacks(tmp_path: Path, damage: str) -> None:
    good = write_xlsx_sheets(tabulate(mini()), tmp_path / "good.xlsx").read_bytes()
    bad = tmp_path / "s.xlsx"
    if damage == "truncate":
        bad.write_bytes(good[: len(good) // 2])
    elif damage == "not-a-zip":
        bad.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    else:
        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("hello.txt", "hi")
    assert [c for c, _ in problems(bad)] == ["E-XLSX"]
