"""An ``.xlsx`` workbook: a header sheet (``报送信息`` or ``header``) of field/value rows and
one sheet per table, named by its Chinese or English table name, with a header row.

Dates may be real Excel dates, Excel serial numbers in a date column (read with the
workbook's own epoch, 1900 or 1904) or text; anything else is left to validation.

Hostile or careless workbooks (see docs/reliability.md, the corpus section):

* the zip is checked before openpyxl opens it: member count, total unpacked size and each
  large member's compression ratio (a zip bomb is refused, E-ZIP-BOMB);
* formulas are never evaluated: a formula cell counts with the value Excel saved with it;
  a formula without a saved value (written by a script, never opened in Excel) is E-FORMULA
  at its cell, and an error value Excel saved (``#REF!``, ``#DIV/0!``) is E-CELL-ERROR: it
  would otherwise pass as the text "#REF!";
* merged cells in a header or table sheet are refused (E-MERGED): only the first cell of a
  merged range holds the value, the others would silently read as empty;
* hidden rows, hidden columns and hidden sheets are data: they are read and checked like
  any other, and each is named in a warning (W-HIDDEN-ROWS, W-HIDDEN-COLUMNS,
  W-HIDDEN-SHEET) so that a reviewer knows the workbook shows less than it holds.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Location, Problem, ProblemSink
from ..model import HEADER_SHEET
from ..schema import column_specs
from .base import RawSubmission, check_size
from .tabular import (body_frame, build_frame, excel_column, finish, header_from_rows, is_header_name, is_note_name,
                      table_for)

# Zip-bomb guard, checked on the zip directory before openpyxl reads a byte of the parts.
# (Python's zipfile never inflates a member beyond its declared size, so the directory's
# sizes bound what openpyxl can be made to read.)
MAX_UNZIPPED_BYTES = 2 * 1024**3  # all parts together, unpacked
MAX_MEMBERS = 10_000  # a workbook has a few dozen parts
MAX_RATIO = 200.0  # unpacked / packed, for parts larger than RATIO_FLOOR (sheet XML: ~10-40)
RATIO_FLOOR = 16 * 1024**2


def _cell(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _serial_to_iso(v: Any, epoch: dt.datetime) -> Any:
    """An Excel serial number in a date column → ISO date (time of day dropped); else ``v``."""
    from openpyxl.utils.datetime import from_excel

    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return v
    if not 1 <= v < 2958466:  # 1900-01-01 … 9999-12-31
        return v
    return _cell(from_excel(math.floor(v), epoch))


def _refuse(file: str, code: str, zh: str, en: str) -> InputError:
    return InputError([Problem(Location(file), code, zh, en)])


def _guard_zip(path: Path) -> None:
    file = str(path)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise _refuse(file, "E-XLSX", f"xlsx 文件已损坏（{type(e).__name__}）",
                      f"the .xlsx file is damaged ({type(e).__name__}: {e})") from None
    if len(infos) > MAX_MEMBERS:
        raise _refuse(file, "E-ZIP-BOMB", f"xlsx 内部文件过多（{len(infos):,} 个，上限 {MAX_MEMBERS:,}），疑为压缩炸弹，已拒绝",
                      f"the workbook holds too many parts ({len(infos):,}, limit {MAX_MEMBERS:,}): "
                      "refused as a possible zip bomb")
    unzipped = sum(i.file_size for i in infos)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise _refuse(file, "E-ZIP-BOMB", f"xlsx 解压后过大（{unzipped:,} 字节，上限 {MAX_UNZIPPED_BYTES:,}），疑为压缩炸弹，已拒绝",
                      f"the workbook unpacks to {unzipped:,} bytes (limit {MAX_UNZIPPED_BYTES:,}): "
                      "refused as a possible zip bomb")
    for i in infos:
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise _refuse(file, "E-ZIP-BOMB",
                          f"xlsx 内部文件“{i.filename}”压缩比异常（{ratio:,.0f}:1，上限 {MAX_RATIO:g}:1），疑为压缩炸弹，已拒绝",
                          f"workbook part {i.filename!r} has a compression ratio of {ratio:,.0f}:1 "
                          f"(limit {MAX_RATIO:g}:1): refused as a possible zip bomb")


# Anything that makes a worksheet's XML worth a second look (a formula element <f>, with or
# without a namespace prefix, a hidden attribute, a merged range, an error cell); a plain sheet is only
# inflated once more and searched, never parsed twice.
_MARKERS = (b"<f>", b"<f ", b":f>", b":f ", b"hidden=", b"mergeCell", b't="e"')
_CELL_REF = re.compile(r"([A-Z]+)([0-9]+)")


@dataclass
class _SheetScan:
    """What the values alone do not show: 1-based rows, 0-based columns."""

    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[int] = field(default_factory=list)
    merged: list[tuple[str, int, int]] = field(default_factory=list)  # (range, top row, left column)
    uncached: list[tuple[int, int]] = field(default_factory=list)  # formula cells without a saved value
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # cells holding #REF!, #DIV/0! …


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _scan_sheet(z: zipfile.ZipFile, part: str) -> _SheetScan:
    out = _SheetScan()
    with z.open(part) as f:
        tail = b""
        while chunk := f.read(1 << 20):
            window = tail + chunk
            if any(m in window for m in _MARKERS):
                break
            tail = chunk[-64:]
        else:
            return out
    import xml.etree.ElementTree as ET  # only workbooks with hidden rows or merged cells get here

    with z.open(part) as f:
        row_no = 0
        for event, el in ET.iterparse(f, events=("start", "end")):
            tag = el.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    row_no = int(el.get("r") or row_no + 1)
                    if el.get("hidden") in ("1", "true"):
                        out.hidden_rows.append(row_no)
                elif tag == "col" and el.get("hidden") in ("1", "true"):
                    lo, hi = int(el.get("min", "1")), int(el.get("max", el.get("min", "1")))
                    out.hidden_columns.extend(range(lo - 1, min(hi, lo + 16383)))
                elif tag == "mergeCell":
                    ref = el.get("ref", "")
                    m = _CELL_REF.match(ref)
                    if m:
                        out.merged.append((ref, int(m.group(2)), _column_index(m.group(1))))
                continue
            if tag == "c":
                names = {child.tag.rsplit("}", 1)[-1]: child for child in el}
                m = _CELL_REF.match(el.get("r", ""))
                if m and "f" in names and "v" not in names:
                    out.uncached.append((int(m.group(2)), _column_index(m.group(1))))
                elif m and el.get("t") == "e":
                    value = names["v"].text if "v" in names else None
                    out.errors.append((int(m.group(2)), _column_index(m.group(1)), value or "#N/A"))
                el.clear()
            elif tag == "row":
                el.clear()
    return out


def _spans(numbers: list[int]) -> str:
    """``[3, 5, 6, 7]`` → ``3, 5-7``."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def _filled(row: list[Any] | tuple[Any, ...]) -> bool:
    return any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row)


def _check_scan(scan: _SheetScan, rows: list[list[Any]], *, file: str, sheet: str, header_sheet: bool,
                sink: ProblemSink, warnings: list[Problem]) -> None:
    """Report what :func:`_scan_sheet` found in one sheet (``rows`` as read, row 1 first)."""
    header = rows[0] if rows and not header_sheet else []

    def column(r: int, c: int) -> str:
        text = header[c] if r > 1 and c < len(header) else None
        return str(text).strip() if text is not None and str(text).strip() else excel_column(c)

    for r, c in scan.uncached:
        sink.add(Location(file, sheet=sheet, row=r, column=column(r, c)), "E-FORMULA",
                 f"单元格 {excel_column(c)}{r} 是公式但没有保存计算结果（ducha 不计算公式）；请在 Excel 中打开并保存，或改为数值",
                 f"cell {excel_column(c)}{r} holds a formula without a saved value (ducha never evaluates "
                 "formulas); open and save the workbook in Excel, or enter the value")
    for r, c, value in scan.errors:
        sink.add(Location(file, sheet=sheet, row=r, column=column(r, c)), "E-CELL-ERROR",
                 f"单元格 {excel_column(c)}{r} 是 Excel 错误值 {value}（公式引用失效或计算出错）；请改正后重新保存",
                 f"cell {excel_column(c)}{r} holds the Excel error {value} (a broken reference or a failed "
                 "calculation); correct it and save again", value)
    for ref, r, c in scan.merged:
        sink.add(Location(file, sheet=sheet, row=r, column=column(r, c)), "E-MERGED",
                 f"合并单元格 {ref}：合并区域中只有第一个单元格有值；请取消合并并在每个单元格中填写",
                 f"merged cells {ref}: only the first cell of a merged range holds a value; unmerge them and "
                 "fill in every cell", ref)
    hidden = [r for r in scan.hidden_rows if r <= len(rows) and _filled(rows[r - 1])]
    if hidden:
        shown = _spans(hidden)
        warnings.append(Problem(Location(file, sheet=sheet), "W-HIDDEN-ROWS",
                                f"第 {shown} 行被隐藏：隐藏行照常读取和检查，请审核时取消隐藏",
                                f"hidden rows {shown}: hidden rows are read and checked like any other; "
                                "unhide them to review the sheet", shown))
    cols = sorted({c for c in scan.hidden_columns if any(c < len(row) and _filled([row[c]]) for row in rows)})
    if cols:
        shown = ", ".join(excel_column(c) for c in cols)
        warnings.append(Problem(Location(file, sheet=sheet), "W-HIDDEN-COLUMNS",
                                f"第 {shown} 列被隐藏：隐藏列照常读取和检查，请审核时取消隐藏",
                                f"hidden columns {shown}: hidden columns are read and checked like any other; "
                                "unhide them to review the sheet", shown))


def load_xlsx(path: Path, *, max_bytes: int) -> RawSubmission:
    import openpyxl  # lazy: the CI path for JSON never pays for it

    check_size(path, max_bytes)
    file = str(path)
    if not zipfile.is_zipfile(path):
        with path.open("rb") as f:
            if f.read(4) == b"PK\x03\x04":  # a zip that lost its end: cut off in transfer
                raise _refuse(file, "E-XLSX", "xlsx 文件不完整或已损坏（缺少 zip 目录，可能传输中断）；请重新导出",
                              "the .xlsx file is incomplete or damaged (the zip directory is missing: "
                              "probably cut off in transfer); export it again")
        raise _refuse(file, "E-XLSX", "不是有效的 xlsx 文件（不是 zip 压缩包；旧版 .xls 请另存为 .xlsx）",
                      "not a valid .xlsx file (not a zip archive; save old .xls files as .xlsx)")
    _guard_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for broken workbooks
        raise _refuse(file, "E-XLSX", f"无法打开 xlsx：{type(e).__name__}",
                      f"cannot open .xlsx: {type(e).__name__}: {e}") from None
    sink = ProblemSink()
    raw = RawSubmission(file=file, format="xlsx", header={}, tables={})
    zf: zipfile.ZipFile | None = None
    try:
        zf = zipfile.ZipFile(path)  # the same archive, for _scan_sheet (checked by _guard_zip)
        for ws in wb.worksheets:
            loc = Location(file, sheet=ws.title)
            table = table_for(ws.title)
            try:
                ws.reset_dimensions()  # some writers store a wrong size; read what is there
                rows = [[_cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
                # openpyxl's read-only sheets know their part; a new openpyxl without it fails
                # loudly here (every corpus workbook goes through it), never skips the scan.
                scan = _scan_sheet(zf, ws._worksheet_path) if table is not None or is_header_name(ws.title) else None
            except MemoryError:
                raise
            except Exception as e:  # a damaged part: openpyxl and the XML parser raise many types
                sink.add(loc, "E-XLSX", f"工作表“{ws.title}”已损坏，无法读取（{type(e).__name__}）",
                         f"sheet {ws.title!r} is damaged and cannot be read ({type(e).__name__}: {e})")
                continue
            if scan is not None:
                _check_scan(scan, rows, file=file, sheet=ws.title, header_sheet=table is None, sink=sink,
                            warnings=raw.warnings)
                if ws.sheet_state != "visible" and any(_filled(r) for r in rows):
                    raw.warnings.append(Problem(loc, "W-HIDDEN-SHEET",
                                                f"工作表“{ws.title}”被隐藏：照常读取和检查，请审核时取消隐藏",
                                                f"sheet {ws.title!r} is hidden: it is read and checked like any "
                                                "other; unhide it to review the workbook", ws.title))
            if is_header_name(ws.title):
                if raw.header_sheet is not None:
                    sink.add(loc, "E-SHEET-DUP", f"工作表“{ws.title}”与“{raw.header_sheet}”重复",
                             f"sheet {ws.title!r} repeats sheet {raw.header_sheet!r}")
                    continue
                raw.header_sheet = ws.title
                raw.header, raw.header_rows = header_from_rows(rows, file=file, sheet=ws.title, sink=sink)
                if "as_of" in raw.header:
                    raw.header["as_of"] = _serial_to_iso(raw.header["as_of"], wb.epoch)
            elif table is not None:
                if table in raw.tables:
                    sink.add(loc, "E-SHEET-DUP", f"工作表“{ws.title}”与“{raw.sheets[table]}”是同一张表",
                             f"sheet {ws.title!r} is the same table as sheet {raw.sheets[table]!r}")
                    continue
                raw.sheets[table] = ws.title
                raw.first_rows[table] = 2
                if not any(any(v is not None and v != "" for v in r) for r in rows):
                    raw.tables[table] = pd.DataFrame()  # an empty sheet is an empty table
                    continue
                body = body_frame(rows[1:])
                frame, shown = build_frame(table, rows[0], body, file=file, sheet=ws.title, sink=sink)
                for spec in column_specs(table):
                    if spec.type == "date" and spec.name in frame.columns:
                        frame[spec.name] = frame[spec.name].map(lambda v: _serial_to_iso(v, wb.epoch))
                raw.tables[table], raw.columns[table] = frame, shown
            elif not is_note_name(ws.title):
                sink.add(loc, "E-SHEET", f"未知的工作表“{ws.title}”（表名见数据字典）",
                         f"unknown sheet {ws.title!r} (see the data dictionary for table names)", ws.title)
    finally:
        wb.close()
        if zf is not None:
            zf.close()
    raw.warnings.sort(key=lambda w: (w.location.sheet or "", w.code))
    if raw.header_sheet is None:
        sink.add(Location(file), "E-HEADER-MISSING", f"缺少“{HEADER_SHEET}”工作表",
                 f"the {HEADER_SHEET!r} (header) sheet is missing")
    return finish(raw, sink)
