"""Tabular packages, the way this data really travels between government offices.

* an ``.xlsx`` workbook with a header sheet (``报送信息``) of field/value rows and one sheet
  per table (named by its Chinese name or its English table name);
* a folder with ``报送信息.csv`` (or ``header.csv``) and one ``<table>.csv`` (Chinese or
  English name) or ``<table>.parquet`` per table.

Column headers may be the Chinese labels of the data dictionary or the English field names.
CSV encodings (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK) are detected
without the user saying so. Values stay raw here; :mod:`checker.validate` checks them.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from ..errors import InputError, Location, Problem, ProblemSink
from ..model import HEADER_SHEET, TABLES
from ..schema import column_specs
from .base import RawSubmission, check_size

NOTE_SHEETS = {"说明", "notes", "readme", "README"}
_SHEET_TO_TABLE = {zh: name for name, (_, zh) in TABLES.items()} | {name: name for name in TABLES}
_HEADER_NAMES = {HEADER_SHEET, "header"}


def _column_map(table: str) -> dict[str, str]:
    """Header text (Chinese label or field name) → field name."""
    specs = column_specs(table)
    out = {s.name: s.name for s in specs}
    out.update({s.label_zh: s.name for s in specs})
    return out


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes; returns (text, encoding). UTF-16 needs its BOM; GBK is read as GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("gb18030", data, 0, 1, "neither UTF-8 nor GB18030")


def _frame(table: str, header: list[Any], rows: Iterable[list[Any]], loc: Location,
           sink: ProblemSink) -> pd.DataFrame | None:
    mapping = _column_map(table)
    names: list[str | None] = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        text = "" if h is None else str(h).strip()
        col_loc = Location(loc.file, sheet=loc.sheet, row=1, column=text or f"#{i + 1}")
        if not text:
            names.append(None)
            continue
        field = mapping.get(text)
        if field is None:
            sink.add(col_loc, "E-COLUMN", f"未知的列“{text}”", f"unknown column {text!r}", text)
        elif field in seen:
            sink.add(col_loc, "E-COLUMN-DUP", f"列“{text}”重复", f"column {text!r} appears twice", text)
            field = None
        else:
            seen.add(field)
        names.append(field)
    for spec in column_specs(table):
        if spec.required and spec.name not in seen:
            sink.add(Location(loc.file, sheet=loc.sheet, row=1, column=spec.label_zh), "E-COLUMN-MISSING",
                     f"缺少必填列“{spec.label_zh}”（{spec.name}）",
                     f"required column {spec.name!r} ({spec.label_zh}) is missing")
    keep = [i for i, n in enumerate(names) if n]
    records: list[list[Any]] = []
    for r, row in enumerate(rows):
        row = list(row)
        extra = [v for v in row[len(names):] if v not in (None, "")]
        if extra:
            sink.add(Location(loc.file, sheet=loc.sheet, row=r + 2), "E-RAGGED",
                     f"该行比表头多 {len(row) - len(names)} 个单元格", f"row has {len(row) - len(names)} more cells than the header")
        row = (row + [None] * len(names))[: len(names)]
        records.append([row[i] for i in keep])
    # Blank trailing rows are layout, not records; blank rows in the middle are kept so that
    # validation reports them (nothing is dropped silently).
    while records and all(v in (None, "") for v in records[-1]):
        records.pop()
    return pd.DataFrame(records, columns=[names[i] for i in keep], dtype=object)


def _header_from_rows(rows: list[list[Any]], loc: Location, sink: ProblemSink) -> tuple[dict[str, Any], dict[str, int]]:
    mapping = _column_map("header")
    header: dict[str, Any] = {}
    rownums: dict[str, int] = {}
    for r, row in enumerate(rows, start=1):
        if not row or row[0] in (None, ""):
            continue
        key = str(row[0]).strip()
        if r == 1 and key in {"字段", "field", "项目"}:
            continue
        field = mapping.get(key)
        if field is None:
            sink.add(Location(loc.file, sheet=loc.sheet, row=r, column="A"), "E-HEADER-FIELD",
                     f"未知的报送信息字段“{key}”", f"unknown header field {key!r}", key)
            continue
        header[field] = row[1] if len(row) > 1 else None
        rownums[field] = r
    return header, rownums


def _cell(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def load_xlsx(path: Path, *, max_bytes: int) -> RawSubmission:
    import openpyxl  # lazy: the CI path for JSON never pays for it

    check_size(path, max_bytes)
    file = str(path)
    if not zipfile.is_zipfile(path):
        raise InputError([Problem(Location(file), "E-XLSX", "不是有效的 xlsx 文件（不是 zip 压缩包）",
                                  "not a valid .xlsx file (not a zip archive)")])
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for broken workbooks
        raise InputError([Problem(Location(file), "E-XLSX", f"无法打开 xlsx：{type(e).__name__}",
                                  f"cannot open .xlsx: {type(e).__name__}: {e}")]) from None
    sink = ProblemSink()
    header: dict[str, Any] = {}
    header_rows: dict[str, int] = {}
    header_sheet = None
    tables: dict[str, pd.DataFrame] = {}
    sheets: dict[str, str] = {}
    try:
        for ws in wb.worksheets:
            rows = [[_cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
            loc = Location(file, sheet=ws.title)
            if ws.title in _HEADER_NAMES:
                header_sheet = ws.title
                header, header_rows = _header_from_rows(rows, loc, sink)
            elif ws.title in _SHEET_TO_TABLE:
                table = _SHEET_TO_TABLE[ws.title]
                if table in tables:
                    sink.add(loc, "E-SHEET-DUP", f"表“{ws.title}”重复", f"table sheet {ws.title!r} appears twice")
                    continue
                if not rows:
                    tables[table] = pd.DataFrame(columns=[], dtype=object)
                else:
                    frame = _frame(table, rows[0], rows[1:], loc, sink)
                    if frame is not None:
                        tables[table] = frame
                sheets[table] = ws.title
            elif ws.title not in NOTE_SHEETS:
                sink.add(loc, "E-SHEET", f"未知的工作表“{ws.title}”（表名见数据字典）",
                         f"unknown sheet {ws.title!r} (see the data dictionary for table names)", ws.title)
    finally:
        wb.close()
    if header_sheet is None:
        sink.add(Location(file), "E-HEADER-MISSING", f"缺少“{HEADER_SHEET}”工作表", f"the {HEADER_SHEET!r} (header) sheet is missing")
    sink.raise_if_any()
    return RawSubmission(file=file, format="xlsx", header=header, tables=tables, sheets=sheets,
                         header_sheet=header_sheet, header_rows=header_rows)


def _read_csv(path: Path, sink: ProblemSink) -> list[list[str]] | None:
    data = path.read_bytes()
    try:
        text, _ = decode_csv_bytes(data)
    except UnicodeDecodeError:
        sink.add(Location(str(path)), "E-ENCODING", "无法识别编码（支持 UTF-8、UTF-16、GB18030/GBK）",
                 "unrecognised encoding (UTF-8, UTF-16 or GB18030/GBK expected)")
        return None
    if "\x00" in text:
        sink.add(Location(str(path)), "E-ENCODING", "文件含有空字符（NUL），可能已损坏", "the file contains NUL bytes (damaged?)")
        return None
    return list(csv.reader(io.StringIO(text, newline="")))


def load_csv_folder(folder: Path, *, max_bytes: int) -> RawSubmission:
    sink = ProblemSink()
    header: dict[str, Any] = {}
    header_rows: dict[str, int] = {}
    header_sheet = None
    tables: dict[str, pd.DataFrame] = {}
    sheets: dict[str, str] = {}
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise InputError([Problem(Location(str(folder)), "E-EMPTY", "文件夹为空", "the folder is empty")])
    for p in files:
        stem, suffix = p.stem, p.suffix.lower()
        loc = Location(str(folder), sheet=p.name)
        if suffix not in {".csv", ".parquet"}:
            if p.name.lower() not in {"readme.md", "readme.txt", "说明.txt"}:
                sink.add(loc, "E-SHEET", f"无法识别的文件“{p.name}”", f"unrecognised file {p.name!r}")
            continue
        try:
            check_size(p, max_bytes)
        except InputError as e:
            sink.problems.extend(Problem(loc, pr.code, pr.message_zh, pr.message_en) for pr in e.problems)
            continue
        if stem in _HEADER_NAMES:
            rows = _read_csv(p, sink)
            if rows is not None:
                header_sheet = p.name
                header, header_rows = _header_from_rows(rows, loc, sink)
            continue
        table = _SHEET_TO_TABLE.get(stem)
        if table is None:
            sink.add(loc, "E-SHEET", f"无法识别的表文件“{p.name}”", f"unrecognised table file {p.name!r}")
            continue
        if table in tables:
            sink.add(loc, "E-SHEET-DUP", f"表“{stem}”重复", f"table {stem!r} appears twice")
            continue
        sheets[table] = p.name
        if suffix == ".parquet":
            tables[table] = _read_parquet(p, table, loc, sink)
            continue
        rows = _read_csv(p, sink)
        if rows is None:
            continue
        if not rows:
            tables[table] = pd.DataFrame(dtype=object)
            continue
        frame = _frame(table, rows[0], rows[1:], loc, sink)
        if frame is not None:
            tables[table] = frame
    if header_sheet is None:
        sink.add(Location(str(folder)), "E-HEADER-MISSING", f"缺少 {HEADER_SHEET}.csv（或 header.csv）",
                 f"{HEADER_SHEET}.csv (or header.csv) is missing")
    sink.raise_if_any()
    return RawSubmission(file=str(folder), format="csv-folder", header=header, tables=tables, sheets=sheets,
                         header_sheet=header_sheet, header_rows=header_rows)


def _read_parquet(p: Path, table: str, loc: Location, sink: ProblemSink) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(p)
    except Exception as e:  # pyarrow raises several types for damaged files
        sink.add(loc, "E-PARQUET", f"无法读取 Parquet 文件：{type(e).__name__}", f"cannot read Parquet: {e}")
        return pd.DataFrame(dtype=object)
    mapping = _column_map(table)
    unknown = [c for c in frame.columns if c not in mapping]
    for c in unknown:
        sink.add(Location(loc.file, sheet=loc.sheet, column=str(c)), "E-COLUMN", f"未知的列“{c}”", f"unknown column {c!r}")
    return frame.rename(columns=mapping)
