"""An ``.xlsx`` workbook: a header sheet (``报送信息`` or ``header``) of field/value rows and
one sheet per table, named by its Chinese or English table name, with a header row.

Dates may be real Excel dates, Excel serial numbers in a date column (read with the
workbook's own epoch, 1900 or 1904) or text; anything else is left to validation.
"""
from __future__ import annotations

import datetime as dt
import math
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Location, Problem, ProblemSink
from ..model import HEADER_SHEET
from ..schema import column_specs
from .base import RawSubmission, check_size
from .tabular import body_frame, build_frame, finish, header_from_rows, is_header_name, is_note_name, table_for

# Uncompressed size of all parts together beyond which a workbook is treated as a zip bomb.
MAX_UNZIPPED_BYTES = 2 * 1024**3


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


def load_xlsx(path: Path, *, max_bytes: int) -> RawSubmission:
    import openpyxl  # lazy: the CI path for JSON never pays for it

    check_size(path, max_bytes)
    file = str(path)
    if not zipfile.is_zipfile(path):
        raise _refuse(file, "E-XLSX", "不是有效的 xlsx 文件（不是 zip 压缩包；旧版 .xls 请另存为 .xlsx）",
                      "not a valid .xlsx file (not a zip archive; save old .xls files as .xlsx)")
    with zipfile.ZipFile(path) as z:
        unzipped = sum(i.file_size for i in z.infolist())
    if unzipped > MAX_UNZIPPED_BYTES:
        raise _refuse(file, "E-TOO-LARGE", f"xlsx 解压后过大（{unzipped:,} 字节）",
                      f"the workbook unpacks to too many bytes ({unzipped:,})")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for broken workbooks
        raise _refuse(file, "E-XLSX", f"无法打开 xlsx：{type(e).__name__}",
                      f"cannot open .xlsx: {type(e).__name__}: {e}") from None
    sink = ProblemSink()
    raw = RawSubmission(file=file, format="xlsx", header={}, tables={})
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # some writers store a wrong size; read what is there
            rows = [[_cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
            loc = Location(file, sheet=ws.title)
            table = table_for(ws.title)
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
    if raw.header_sheet is None:
        sink.add(Location(file), "E-HEADER-MISSING", f"缺少“{HEADER_SHEET}”工作表",
                 f"the {HEADER_SHEET!r} (header) sheet is missing")
    return finish(raw, sink)
