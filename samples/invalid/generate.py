"""Write the invalid submissions of ``samples/invalid/``, one mistake (or a few) each.

    .venv/bin/python samples/invalid/generate.py        # rewrite samples/invalid/

Every case starts from the small valid submission :data:`VALID` below (kept here, not
taken from the rule fixtures, so that row numbers in ``expected.yaml`` never move) and
breaks it the way submitting offices really do. ``expected.yaml`` lists, by hand, the exact
problems (code, location, message) each case must produce; ``tests/load/test_invalid_samples.py``
checks them and that the committed files are what this script writes.
"""
from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path
from typing import Any, Callable

import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from checker.export import Sheets, csv_bytes, tabulate, write_csv_sheets, write_xlsx_sheets  # noqa: E402

OUT = Path(__file__).resolve().parent

VALID: dict[str, Any] = {
    "schema_version": "1.0", "submission_id": "GG-450802-2018Q4", "pack": "guigang-river-chief",
    "jurisdiction": "450802", "period": "2018Q4", "as_of": "2018-12-31",
    "jurisdictions": [
        {"code": "450800", "name": "贵港市", "level": "city"},
        {"code": "450802", "name": "港北区", "level": "county", "parent": "450800"},
        {"code": "450802001", "name": "贵城街道", "level": "township", "parent": "450802"},
    ],
    "water_bodies": [{"id": "W-YJ", "name": "郁江", "kind": "river", "main_river": True}],
    "reaches": [{"id": "R-YJ-1", "water_body": "W-YJ", "jurisdiction": "450802", "length_km": 12.5}],
    "chiefs": [
        {"id": "C-1", "name": "张三", "level": "county", "post": "party_principal", "jurisdiction": "450802",
         "water_body": "W-YJ", "reach": "R-YJ-1", "appointed": "2017-06-01"},
        {"id": "C-2", "name": "李四", "level": "township", "post": "leader", "jurisdiction": "450802001",
         "water_body": "W-YJ", "appointed": "2017-07-01"},
    ],
    "documents": [
        {"id": "D-1", "kind": "work_plan", "title": "港北区全面推行河长制工作方案", "issuer": "450802",
         "issued": "2017-11-20", "reported_to": "市委市政府", "reported": "2017-11-25"},
    ],
    "patrols": [
        {"id": "P-1", "chief": "C-1", "reach": "R-YJ-1", "date": "2018-10-12", "duration_min": 45},
        {"id": "P-2", "chief": "C-2", "date": "2018-11-03", "duration_min": 30},
        {"id": "P-3", "chief": "C-1", "date": "2018-12-01"},
        {"id": "P-4", "chief": "C-2", "date": "2018-12-20", "duration_min": 60},
    ],
}


def valid() -> dict[str, Any]:
    return copy.deepcopy(VALID)


def sheets(doc: dict[str, Any] | None = None) -> Sheets:
    return tabulate(valid() if doc is None else doc)


def set_cell(sh: Sheets, table: str, row: int, column: str, value: Any) -> None:
    """Set a cell by spreadsheet row (2 = first record) and column label."""
    sheet = sh.tables[table]
    sheet.rows[row - 2][sheet.columns.index(column)] = value


def _json(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------- the cases

def bad_dates_csv(path: Path) -> None:
    """Dates that must not be guessed, in a CSV package (no Excel serials outside xlsx)."""
    sh = sheets()
    set_cell(sh, "巡河记录", 2, "巡河日期", "10/12/18")
    set_cell(sh, "巡河记录", 3, "巡河日期", "2018年11月")
    set_cell(sh, "巡河记录", 4, "巡河日期", "2018-02-30")
    set_cell(sh, "巡河记录", 5, "巡河日期", "43454")
    write_csv_sheets(sh, path)


def bad_dates_xlsx(path: Path) -> None:
    """In a workbook an Excel serial in a date column is a date (row 3); text still is not."""
    sh = sheets()
    set_cell(sh, "巡河记录", 2, "巡河日期", "2018年10月")
    set_cell(sh, "巡河记录", 3, "巡河日期", 43407)  # 2018-11-03: valid
    set_cell(sh, "巡河记录", 4, "巡河日期", "12/01/2018")
    set_cell(sh, "河长", 3, "任命日期", "2017年7月1号")
    write_xlsx_sheets(sh, path)


def unknown_enum_json(path: Path) -> None:
    doc = valid()
    doc["jurisdictions"][1]["level"] = "district"
    doc["chiefs"][1]["post"] = "deputy"
    _json(path, doc)


def unknown_enum_csv(path: Path) -> None:
    sh = sheets()
    set_cell(sh, "行政区", 3, "层级", "district")
    set_cell(sh, "江河湖库", 2, "类型", "canal")
    write_csv_sheets(sh, path)


def dangling_reference_yaml(path: Path) -> None:
    doc = valid()
    doc["chiefs"][1]["water_body"] = "W-XJ"
    doc["patrols"][2]["chief"] = "C-9"
    doc["jurisdiction"] = "450803"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8", newline="\n")


def duplicate_id_csv(path: Path) -> None:
    sh = sheets()
    set_cell(sh, "巡河记录", 4, "编号", "P-1")
    set_cell(sh, "巡河记录", 5, "编号", "P-1")
    chiefs = sh.tables["河长"]
    chiefs.rows.append(list(chiefs.rows[0]))  # the same chief entered twice
    write_csv_sheets(sh, path)


def missing_required_json(path: Path) -> None:
    doc = valid()
    del doc["as_of"]
    del doc["chiefs"][0]["appointed"]
    doc["documents"][0]["title"] = ""
    _json(path, doc)


def missing_required_xlsx(path: Path) -> None:
    """Empty required cells, and a required column left out of a sheet."""
    sh = sheets()
    set_cell(sh, "河长", 2, "姓名", None)
    set_cell(sh, "巡河记录", 4, "河长", "  ")
    docs = sh.tables["文件"]
    drop = docs.columns.index("印发日期")
    docs.columns.pop(drop)
    for row in docs.rows:
        row.pop(drop)
    write_xlsx_sheets(sh, path)


def wrong_encoding_csv(path: Path) -> None:
    """A table saved in a Western code page (neither UTF-8 nor GB18030)."""
    write_csv_sheets(sheets(), path)
    rows = [["id", "name", "level", "post", "jurisdiction", "water_body", "appointed"],
            ["C-1", "José", "county", "party_principal", "450802", "W-YJ", "2017-06-01"]]
    (path / "河长.csv").unlink()
    (path / "chiefs.csv").write_bytes(csv_bytes(rows, encoding="cp1252"))


def utf16_without_bom_csv(path: Path) -> None:
    sh = sheets()
    write_csv_sheets(sh, path)
    data = (path / "行政区.csv").read_bytes().decode("utf-8-sig")
    (path / "行政区.csv").write_bytes(data.encode("utf-16-le"))


def bad_sheet_name_xlsx(path: Path) -> None:
    sh = sheets()
    sh.tables["河长名单"] = sh.tables.pop("河长")
    write_xlsx_sheets(sh, path)


def ragged_row_csv(path: Path) -> None:
    """Rows with more cells than the header (a comma in an unquoted note, a stray value)."""
    sh = sheets()
    sh.tables["巡河记录"].rows[0].append("补充说明")
    sh.tables["巡河记录"].rows[2].extend([None, "x"])
    write_csv_sheets(sh, path)


def unknown_columns_xlsx(path: Path) -> None:
    sh = sheets()
    chiefs = sh.tables["河长"]
    chiefs.columns.append("联系电话")
    for row in chiefs.rows:
        row.append("0775-1234567")
    docs = sh.tables["文件"]  # the same field twice: Chinese label and English name
    docs.columns.append("issuer")
    for row in docs.rows:
        row.append(row[docs.columns.index("印发单位")])
    write_xlsx_sheets(sh, path)


def bad_header_xlsx(path: Path) -> None:
    sh = sheets()
    sh.header = [row for row in sh.header if row[0] != "报送季度"]
    for row in sh.header:
        if row[0] == "数据截止日期":
            row[1] = "2018年12月"
    sh.header.append(["联系人", "王五"])
    write_xlsx_sheets(sh, path)


def header_missing_csv(path: Path) -> None:
    write_csv_sheets(sheets(), path)
    (path / "报送信息.csv").rename(path / "报送信息.txt")


def json_syntax(path: Path) -> None:
    text = json.dumps(valid(), ensure_ascii=False, indent=2)
    text = text.replace('"as_of": "2018-12-31",', '"as_of": "2018-12-31",,', 1)
    path.write_text(text + "\n", encoding="utf-8", newline="\n")


def duplicate_key_json(path: Path) -> None:
    text = json.dumps(valid(), ensure_ascii=False, indent=2)
    text = text.replace('"name": "张三",', '"name": "张三",\n      "name": "张山",', 1)
    path.write_text(text + "\n", encoding="utf-8", newline="\n")


def wrong_types_json(path: Path) -> None:
    doc = valid()
    doc["jurisdictions"][2]["code"] = 450802001
    doc["reaches"][0]["length_km"] = "12,5"
    doc["water_bodies"][0]["main_river"] = "是"
    _json(path, doc)


def not_a_workbook_xlsx(path: Path) -> None:
    path.write_bytes("编号,姓名\nC-1,张三\n".encode("utf-8"))


CASES: dict[str, Callable[[Path], None]] = {
    "bad-dates-csv": bad_dates_csv,
    "bad-dates.xlsx": bad_dates_xlsx,
    "bad-header.xlsx": bad_header_xlsx,
    "bad-sheet-name.xlsx": bad_sheet_name_xlsx,
    "dangling-reference.yaml": dangling_reference_yaml,
    "duplicate-id-csv": duplicate_id_csv,
    "duplicate-key.json": duplicate_key_json,
    "header-missing-csv": header_missing_csv,
    "json-syntax.json": json_syntax,
    "missing-required.json": missing_required_json,
    "missing-required.xlsx": missing_required_xlsx,
    "not-a-workbook.xlsx": not_a_workbook_xlsx,
    "ragged-row-csv": ragged_row_csv,
    "unknown-columns.xlsx": unknown_columns_xlsx,
    "unknown-enum-csv": unknown_enum_csv,
    "unknown-enum.json": unknown_enum_json,
    "utf16-without-bom-csv": utf16_without_bom_csv,
    "wrong-encoding-csv": wrong_encoding_csv,
    "wrong-types.json": wrong_types_json,
}


def generate(out: Path = OUT) -> list[Path]:
    """Write every case under ``out`` (replacing what is there); returns the paths."""
    written = []
    for name, make in CASES.items():
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        if name.endswith("-csv"):
            path.mkdir(parents=True)
        make(path)
        written.append(path)
    return written


def main() -> int:
    for p in generate(OUT):
        print(p.relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
