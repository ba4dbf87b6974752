"""CSV packages: encodings, names in either language, Parquet, ragged rows, located problems."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from checker.dates import day_number
from checker.export import csv_bytes, tabulate, write_csv_folder, write_csv_sheets

from .helpers import load, mini, problems


def _package(tmp_path: Path, **kw: object) -> Path:
    return write_csv_folder(mini(), tmp_path / "pkg", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_every_accepted_encoding_gives_the_same_dataset(tmp_path: Path, encoding: str) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    sheets = tabulate(mini())
    (folder / "报送信息.csv").write_bytes(csv_bytes(sheets.header, encoding=encoding))
    for name, sheet in sheets.tables.items():
        (folder / f"{name}.csv").write_bytes(csv_bytes([sheet.columns, *sheet.rows], encoding=encoding))
    assert load(folder).to_submission() == load(_package(tmp_path / "ref")).to_submission()


def test_english_names_and_header_csv(tmp_path: Path) -> None:
    folder = _package(tmp_path, labels="en")
    assert (folder / "header.csv").exists() and (folder / "chiefs.csv").exists()
    assert load(folder).to_submission() == load(_package(tmp_path / "zh")).to_submission()


def test_every_ragged_row_is_reported(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    path = folder / "巡河记录.csv"
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    lines[1] += ",extra"
    lines[3] += ",,more,more"
    lines[4] += ","  # an empty trailing cell is layout, not an error
    path.write_bytes("\r\n".join(lines).encode("utf-8-sig"))
    assert problems(folder) == [("E-RAGGED", "pkg[巡河记录.csv] 行/row 2 列/column F"),
                                ("E-RAGGED", "pkg[巡河记录.csv] 行/row 4 列/column G")]


def test_an_unclosed_quote_is_located(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    path = folder / "巡河记录.csv"
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    lines[2] = lines[2].replace("P-2", '"P-2', 1)
    path.write_bytes("\r\n".join(lines).encode("utf-8-sig"))
    assert [c for c, _ in problems(folder)] == ["E-CSV"]


def test_quoted_cells_with_commas_and_line_breaks(tmp_path: Path) -> None:
    doc = mini()
    doc["documents"][0]["title"] = "关于“河长制”的方案,第一版\n（修订）"
    doc["documents"][0]["reported_to"] = '市委"市政府"'
    got = load(write_csv_folder(doc, tmp_path / "pkg")).tables["documents"]
    assert got["title"].tolist() == ["关于“河长制”的方案,第一版\n（修订）"]
    assert got["reported_to"].tolist() == ['市委"市政府"']


def test_rows_count_records_not_lines(tmp_path: Path) -> None:
    doc = mini()
    doc["patrols"][0]["id"] = "P-1"
    doc["documents"][0]["title"] = "第一行\n第二行"
    doc["patrols"][3]["date"] = "2018-13-01"
    folder = write_csv_sheets(tabulate(doc), tmp_path / "pkg")
    assert problems(folder) == [("E-DATE", "pkg[巡河记录.csv] 行/row 5 列/column 巡河日期")]


def test_blank_lines_inside_are_reported_and_trailing_ones_ignored(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    path = folder / "巡河记录.csv"
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    lines.insert(2, "")
    path.write_bytes(("\r\n".join(lines) + "\r\n\r\n,,,,\r\n").encode("utf-8-sig"))
    assert sorted(problems(folder)) == sorted(
        [("E-REQUIRED", f"pkg[巡河记录.csv] 行/row 3 列/column {c}") for c in ("编号", "河长", "巡河日期")])


def test_file_problems(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    (folder / "chiefs.csv").write_bytes((folder / "河长.csv").read_bytes())
    (folder / "河长名单.csv").write_bytes(b"id\n")
    (folder / "notes.docx").write_bytes(b"x")
    (folder / "README.md").write_text("说明", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"x")
    # chiefs.csv is read first (files in name order), so 河长.csv is the repeat
    assert problems(folder) == [("E-SHEET", "pkg[notes.docx]"), ("E-SHEET-DUP", "pkg[河长.csv]"),
                                ("E-SHEET", "pkg[河长名单.csv]")]


def test_empty_folder_and_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert problems(empty) == [("E-EMPTY", "empty")]
    folder = _package(tmp_path)
    (folder / "宣传活动.csv").write_bytes(b"")  # an empty table file is a table without records
    assert problems(folder) == []
    (folder / "报送信息.csv").write_bytes(b"")
    assert problems(folder) == [("E-EMPTY", "pkg[报送信息.csv]")]


def test_encoding_problems_are_located(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    (folder / "河长.csv").write_bytes("id,name\nC-1,José\n".encode("cp1252"))
    assert problems(folder) == [("E-ENCODING", "pkg[河长.csv]")]


# --------------------------------------------------------------------------- Parquet

def test_parquet_tables_keep_their_types(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    (folder / "巡河记录.csv").unlink()
    pq.write_table(pa.table({
        "id": ["P-1", "P-2", "P-3"],
        "chief": ["C-1", "C-2", "C-1"],
        "reach": ["R-YJ-1", None, None],
        "date": pa.array([dt.date(2018, 10, 12), dt.date(2018, 11, 3), dt.date(2018, 12, 1)], pa.date32()),
        "时长(分钟)": pa.array([45, 30, None], pa.int64()),
    }), folder / "patrols.parquet")
    got = load(folder).tables["patrols"]
    assert got["date"].tolist() == [day_number(dt.date(2018, 10, 12)), day_number(dt.date(2018, 11, 3)),
                                    day_number(dt.date(2018, 12, 1))]
    assert got["duration_min"].tolist()[:2] == [45.0, 30.0] and pd.isna(got["duration_min"].iloc[2])
    assert got["reach"].tolist() == ["R-YJ-1", None, None]


def test_parquet_timestamps_strings_and_numbers_as_codes(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    (folder / "行政区.csv").unlink()
    pq.write_table(pa.table({"code": pa.array([450800, 450802, 450802001], pa.int64()),
                             "name": ["贵港市", "港北区", "贵城街道"], "level": ["city", "county", "township"],
                             "parent": pa.array([None, 450800, 450802], pa.int64())}), folder / "行政区.parquet")
    (folder / "巡河记录.csv").unlink()
    pq.write_table(pa.table({"id": ["P-1"], "chief": ["C-1"], "date": ["2018/10/12"]}), folder / "patrols.parquet")
    (folder / "文件.csv").unlink()
    pq.write_table(pa.table({"id": ["D-1"], "kind": ["work_plan"], "title": ["方案"], "issuer": ["450802"],
                             "issued": pa.array([dt.datetime(2017, 11, 20, 15, 0)], pa.timestamp("ms"))}),
                   folder / "文件.parquet")
    ds = load(folder)
    assert ds.tables["jurisdictions"]["parent"].tolist() == [None, "450800", "450802"]
    assert ds.tables["patrols"]["date"].tolist() == [day_number(dt.date(2018, 10, 12))]
    assert ds.tables["documents"]["issued"].tolist() == [day_number(dt.date(2017, 11, 20))]


def test_parquet_rows_are_record_numbers(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    (folder / "巡河记录.csv").unlink()
    pq.write_table(pa.table({"id": ["P-1", "P-2"], "chief": ["C-1", "C-404"], "date": ["2018-10-12", "x"],
                             "colour": ["red", "blue"]}), folder / "patrols.parquet")
    assert problems(folder) == [
        ("E-COLUMN", "pkg[patrols.parquet] 列/column colour"),
        ("E-DANGLING-REF", "pkg[patrols.parquet] 行/row 2 列/column chief"),
        ("E-DATE", "pkg[patrols.parquet] 行/row 2 列/column date")]


def test_damaged_parquet(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    (folder / "巡河记录.csv").unlink()
    (folder / "patrols.parquet").write_bytes(b"PAR1 this is not parquet PAR1")
    assert problems(folder) == [("E-PARQUET", "pkg[patrols.parquet]")]
