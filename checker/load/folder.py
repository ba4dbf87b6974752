"""A CSV package: a folder with ``报送信息.csv`` (or ``header.csv``) and one
``<table>.csv`` or ``<table>.parquet`` per table (Chinese or English table name).

CSV encodings are detected (:mod:`.encoding`). A table CSV is read column-wise by pandas'
C parser as text; only when the parser meets a row longer than the header does the loader
fall back to Python's csv module, to report every such row at once. Parquet keeps its types
(validation accepts typed columns as well as text).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Location, Problem, ProblemSink
from ..model import HEADER_SHEET
from .base import RawSubmission, check_size
from .encoding import EncodingProblem, decode_text
from .tabular import body_frame, build_frame, finish, header_from_rows, is_header_name, table_for

IGNORED_FILES = frozenset({"readme.md", "readme.txt", "说明.txt", "说明.md"})


def _text(p: Path, loc: Location, sink: ProblemSink) -> str | None:
    try:
        return decode_text(p.read_bytes())[0]
    except EncodingProblem as e:
        sink.add(loc, "E-ENCODING", e.zh, e.en)
        return None


def _rows(text: str, loc: Location, sink: ProblemSink) -> list[list[str]] | None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    start = 1  # the line the record being read starts on: where an unclosed quote opened
    try:
        for row in reader:
            rows.append(row)
            start = reader.line_num + 1
    except csv.Error as e:  # e.g. a quote that is never closed
        sink.add(Location(loc.file, sheet=loc.sheet, row=start), "E-CSV",
                 f"CSV 无法解析：第 {start} 行起（{e}；多为引号未闭合）",
                 f"the CSV cannot be parsed from line {start} ({e}; usually a quote that is never closed)")
        return None
    return rows


def _read_table_csv(text: str, table: str, loc: Location, sink: ProblemSink) -> tuple[pd.DataFrame, dict[str, str]]:
    try:
        cells = pd.read_csv(io.StringIO(text), header=None, dtype=str, na_filter=False, skip_blank_lines=False,
                            engine="c", sep=",", quotechar='"', doublequote=True)
    except pd.errors.EmptyDataError:
        return pd.DataFrame(), {}
    except pd.errors.ParserError:
        # A row longer than the header (or broken quoting): read row by row to report all of them.
        rows = _rows(text, loc, sink)
        if not rows:
            return pd.DataFrame(), {}
        body = body_frame(rows[1:])
        return build_frame(table, rows[0], body, file=loc.file, sheet=str(loc.sheet), sink=sink)
    if cells.empty:
        return pd.DataFrame(), {}
    header = list(cells.iloc[0])
    body = cells.iloc[1:].reset_index(drop=True)
    return build_frame(table, header, body, file=loc.file, sheet=str(loc.sheet), sink=sink)


def _valid_text(arrow: Any, loc: Location, sink: ProblemSink) -> Any:
    """``arrow`` with every text cell valid UTF-8 (Parquet does not guarantee it, and pandas
    would fail on the first bad one): an E-ENCODING problem at each bad cell, whose text is
    then read with its bad bytes escaped (``\\xed``) so validation goes on."""
    import pyarrow as pa

    try:
        arrow.validate(full=True)  # C speed, about 0.05 ms for a county's patrols
        return arrow
    except pa.ArrowInvalid:
        pass
    for i, name in enumerate(arrow.column_names):
        col = arrow.column(i)
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue
        try:
            col.validate(full=True)
            continue
        except pa.ArrowInvalid:
            pass
        texts: list[str | None] = []
        for row, value in enumerate(col.cast(pa.large_binary()).to_pylist()):
            if value is None:
                texts.append(None)
                continue
            try:
                texts.append(value.decode("utf-8"))
            except UnicodeDecodeError as e:
                shown = value.decode("utf-8", "backslashreplace")
                texts.append(shown)
                sink.add(Location(loc.file, sheet=loc.sheet, row=row + 1, column=str(name)), "E-ENCODING",
                         f"第 {e.start + 1} 字节起不是有效的 UTF-8 文本；请改正该单元格",
                         f"not valid UTF-8 text from byte {e.start + 1}; correct the cell", shown)
        arrow = arrow.set_column(i, arrow.field(i), pa.array(texts, type=col.type))
    arrow.validate(full=True)  # anything still invalid is not text: the caller's E-PARQUET
    return arrow


def _read_parquet(p: Path, table: str, loc: Location, sink: ProblemSink) -> tuple[pd.DataFrame, dict[str, str]]:
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(p)
        arrow = _valid_text(arrow, loc, sink)
        frame = arrow.to_pandas(date_as_object=False)
    except Exception as e:  # pyarrow raises several types for damaged files
        why = str(e).replace(str(p), p.name)  # the message, without where the file happened to be
        sink.add(loc, "E-PARQUET", f"无法读取 Parquet 文件（{type(e).__name__}）：文件可能已损坏",
                 f"cannot read the Parquet file ({type(e).__name__}: {why}): it may be damaged")
        return pd.DataFrame(), {}
    header: list[Any] = [str(c) for c in frame.columns]
    frame.columns = range(len(header))
    return build_frame(table, header, frame, file=loc.file, sheet=str(loc.sheet), sink=sink, first_row=1)


def load_csv_folder(folder: Path, *, max_bytes: int) -> RawSubmission:
    sink = ProblemSink()
    file = str(folder)
    raw = RawSubmission(file=file, format="csv-folder", header={}, tables={})
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    if not files:
        raise InputError([Problem(Location(file), "E-EMPTY", "文件夹为空", "the folder is empty")])
    for p in files:
        stem, suffix = p.stem, p.suffix.lower()
        loc = Location(file, sheet=p.name)
        if suffix not in {".csv", ".parquet"}:
            if p.name.lower() not in IGNORED_FILES:
                sink.add(loc, "E-SHEET", f"无法识别的文件“{p.name}”（只读取 .csv 和 .parquet）",
                         f"unrecognised file {p.name!r} (only .csv and .parquet are read)", p.name)
            continue
        # An empty table file is a table without records; an empty header file is a mistake.
        empty_table = p.stat().st_size == 0 and not is_header_name(stem)
        try:
            if not empty_table:
                check_size(p, max_bytes, hint_zh="请拆分该表（或以 Parquet 报送）",
                           hint_en="split the table (or send it as Parquet)")
        except InputError as e:
            if is_header_name(stem) and suffix == ".csv":
                raw.header_sheet = p.name  # it is there, only unusable
            sink.problems.extend(Problem(loc, pr.code, pr.message_zh, pr.message_en) for pr in e.problems)
            continue
        if is_header_name(stem) and suffix == ".csv":
            if raw.header_sheet is not None:
                sink.add(loc, "E-SHEET-DUP", f"“{p.name}”与“{raw.header_sheet}”重复",
                         f"{p.name!r} repeats {raw.header_sheet!r}")
                continue
            raw.header_sheet = p.name
            text = _text(p, loc, sink)
            rows = _rows(text, loc, sink) if text is not None else None
            if rows is not None:
                raw.header, raw.header_rows = header_from_rows(rows, file=file, sheet=p.name, sink=sink)
            continue
        table = table_for(stem)
        if table is None:
            sink.add(loc, "E-SHEET", f"无法识别的表文件“{p.name}”（文件名见数据字典）",
                     f"unrecognised table file {p.name!r} (see the data dictionary for table names)", p.name)
            continue
        if table in raw.tables:
            sink.add(loc, "E-SHEET-DUP", f"“{p.name}”与“{raw.sheets[table]}”是同一张表",
                     f"{p.name!r} is the same table as {raw.sheets[table]!r}")
            continue
        raw.sheets[table] = p.name
        if empty_table:
            raw.tables[table] = pd.DataFrame()
            continue
        if suffix == ".parquet":
            raw.first_rows[table] = 1
            raw.tables[table], raw.columns[table] = _read_parquet(p, table, loc, sink)
            continue
        raw.first_rows[table] = 2
        text = _text(p, loc, sink)
        if text is None:
            raw.tables[table] = pd.DataFrame()
            continue
        raw.tables[table], raw.columns[table] = _read_table_csv(text, table, loc, sink)
    if raw.header_sheet is None:
        sink.add(Location(file), "E-HEADER-MISSING", f"缺少 {HEADER_SHEET}.csv（或 header.csv）",
                 f"{HEADER_SHEET}.csv (or header.csv) is missing")
    return finish(raw, sink)
