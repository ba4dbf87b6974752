"""Import a responsibility table (责任分工表) from CSV or XLSX into a task table.

A responsibility table has one row per task with the columns
``序号, 专项, 重点项目, 具体内容, 时间节点, 牵头部门, 配合部门`` (or the English
``no, section, item, text, time_node, lead_units, cooperating_units``). Offices export
such tables from Word/Excel with merged cells, so 专项 and 重点项目 appear only on the
first row of their span; the importer fills them down.

The importer never drops a bad row silently: every row it cannot use becomes an
:class:`ImportProblem` naming the file row (1-based, header = row 1, as Excel shows it)
and the column, in Chinese and English. Only completely empty rows are skipped.
"""
from __future__ import annotations

import calendar
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from checker.units import split_units

FORMAT = "ducha-task-table/1"

#: Canonical field -> accepted header spellings (compared after NFKC, strip, lower-case).
_HEADERS: dict[str, tuple[str, ...]] = {
    "no": ("序号", "no"),
    "section": ("专项", "section"),
    "item": ("重点项目", "item"),
    "text": ("具体内容", "text"),
    "time_node": ("时间节点", "time_node"),
    "lead_units": ("牵头部门", "lead_units"),
    "cooperating_units": ("配合部门", "cooperating_units"),
}
#: Columns without which no row can be a task.
_REQUIRED = ("text", "time_node", "lead_units")
#: Column names used in problems when the file lacks the column (so it has no own header).
_ZH_NAME = {field: names[0] for field, names in _HEADERS.items()}

_ONGOING = frozenset({"持续推进", "长期", "持续"})
_YEAR = re.compile(r"^(\d{4})年?(?:底|末)?$")
_MONTH = re.compile(r"^(\d{4})(?:年(\d{1,2})月(?:底|末)?|[-/.](\d{1,2}))$")


@dataclass(frozen=True)
class ImportProblem:
    """One problem in the source file. ``row`` is the 1-based file row (header = 1);
    ``column`` is the column's header as written in the file (or its Chinese name if
    the column is missing)."""

    row: int
    column: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class ImportResult:
    """Rows that imported cleanly, in file order, and every problem found."""

    rows: list[dict[str, Any]]
    problems: list[ImportProblem]


def parse_time_node(raw: str) -> tuple[str, str | None] | None:
    """Classify a 时间节点 cell: ``("ongoing", None)``, ``("dated", "YYYY-MM-DD")`` or
    ``None`` when unrecognised.

    A bare year (``2025``, ``2025年``, ``2025年底``) is due on 12-31 of that year; a month
    (``2025年6月``, ``2025-06``) on that month's last day, following the catalogue's
    convention that a due date is the last day on which the task can be met on time.
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
    if text in _ONGOING:
        return ("ongoing", None)
    m = _YEAR.match(text)
    if m:
        return ("dated", date(int(m.group(1)), 12, 31).isoformat())
    m = _MONTH.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2) or m.group(3))
        if 1 <= month <= 12:
            last = calendar.monthrange(year, month)[1]
            return ("dated", date(year, month, last).isoformat())
    return None


def _cell_text(value: object) -> str:
    """Render one cell as trimmed text; Excel numbers such as 2025.0 become ``2025``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, the encoding Chinese Excel uses
    for "CSV"; GB18030 accepts almost any bytes, so it must come last."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_records(path: Path) -> list[list[str]]:
    """All records of the file (header first) as lists of trimmed strings."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook  # only XLSX imports pay for openpyxl

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = wb.worksheets[0]
            return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            wb.close()  # read-only workbooks keep the file open until closed
    text = _decode(path.read_bytes())
    return [[_cell_text(v) for v in rec] for rec in csv.reader(io.StringIO(text, newline=""))]


def _map_header(header: list[str]) -> dict[str, int]:
    """Canonical field -> column index, for the recognised headers present."""
    index: dict[str, int] = {}
    for col, name in enumerate(header):
        key = unicodedata.normalize("NFKC", name).strip().lower()
        for field, spellings in _HEADERS.items():
            if key in spellings and field not in index:
                index[field] = col
    return index


def import_table(path: Path, *, ref_prefix: str, document: str) -> ImportResult:
    """Read a responsibility table from ``path`` (``.csv`` or ``.xlsx``).

    Contract:
    - row 1 is the header (Chinese or English names, any order; 具体内容, 时间节点 and
      牵头部门 are required, the others optional);
    - empty 专项/重点项目 cells repeat the value above; a row that starts a new 专项
      starts a new 重点项目 too (an empty item there stays empty);
    - each row's ``ref`` is ``f"{ref_prefix}{n:02d}"`` where ``n`` is its 序号 (or its
      position among non-empty data rows when the file has no 序号 column or the cell
      is empty);
    - a row missing 具体内容, 时间节点 or 牵头部门, with an unrecognised time node or with
      a bad or repeated 序号 is reported and left out of ``rows``; fully blank rows are
      skipped silently.
    ``document`` names the task table being built; it appears in problem messages only.
    """
    records = _read_records(path)
    problems: list[ImportProblem] = []
    if not records:
        problems.append(ImportProblem(1, "", f"{document}：文件为空", f"{document}: the file is empty"))
        return ImportResult([], problems)
    header = records[0]
    cols = _map_header(header)
    missing = [f for f in _REQUIRED if f not in cols]
    if missing:
        for field in missing:
            problems.append(ImportProblem(
                1, _ZH_NAME[field],
                f"{document}：表头缺少“{_ZH_NAME[field]}”列",
                f"{document}: the header lacks the column {_ZH_NAME[field]} ({field})"))
        return ImportResult([], problems)

    def column_name(field: str) -> str:
        return header[cols[field]] if field in cols else _ZH_NAME[field]

    rows: list[dict[str, Any]] = []
    seen_no: set[int] = set()
    section = item = ""
    ordinal = 0
    for file_row, record in enumerate(records[1:], start=2):
        if not any(record):
            continue
        ordinal += 1

        def get(field: str) -> str:
            col = cols.get(field)
            return record[col] if col is not None and col < len(record) else ""

        # Fill down row-spanned cells (merged cells export as empty).
        if get("section") and get("section") != section:
            section, item = get("section"), ""
        if get("item"):
            item = get("item")

        row_problems: list[ImportProblem] = []

        def problem(field: str, zh: str, en: str) -> None:
            row_problems.append(ImportProblem(file_row, column_name(field), zh, en))

        n = ordinal
        if get("no"):
            try:
                n = int(get("no"))
            except ValueError:
                problem("no", f"序号“{get('no')}”不是整数", f"no {get('no')!r} is not an integer")
        if n in seen_no:  # a repeated 序号 would give two tasks the same ref
            problem("no", f"序号 {n} 重复", f"no {n} appears twice")
        seen_no.add(n)
        for field in _REQUIRED:
            if not get(field):
                problem(field, f"“{column_name(field)}”为空", f"{field} is empty")
        parsed = parse_time_node(get("time_node")) if get("time_node") else None
        if get("time_node") and parsed is None:
            problem("time_node",
                    f"无法识别的时间节点“{get('time_node')}”（应为“持续推进”或如“2025年”“2025年6月”）",
                    f"unrecognised time node {get('time_node')!r} "
                    "(expected 持续推进 or a year/month such as 2025年, 2025年6月)")
        if row_problems or parsed is None:
            problems.extend(row_problems)
            continue
        kind, due = parsed
        rows.append({
            "ref": f"{ref_prefix}{n:02d}",
            "row": n,
            "section": section,
            "item": item,
            "text": get("text"),
            "time_node": get("time_node"),
            "kind": kind,
            "due": due,
            "lead_units": split_units(get("lead_units")),
            "cooperating_units": split_units(get("cooperating_units")),
            "source_row": file_row,
        })
    return ImportResult(rows, problems)


def write_task_table(result: ImportResult, out: Path, *, document: str, source: str) -> None:
    """Write ``result`` as a ``ducha-task-table/1`` YAML file at ``out``.

    Contract: refuses (``ValueError``) to write a result that has problems, so a partial
    table can never replace a complete one. Output is deterministic (fixed key order,
    UTF-8, ``\\n`` line ends, long text kept on one line) so it can be committed and
    compared byte for byte with a fresh import. ``source`` is recorded as given (a path
    relative to the pack directory).
    """
    if result.problems:
        raise ValueError(f"{len(result.problems)} problem(s) in the source table; not writing {out}")
    doc = {"format": FORMAT, "document": document, "source": source, "rows": result.rows}
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1_000_000,
                          default_flow_style=False)
    out.write_text(text, encoding="utf-8", newline="\n")
