"""What the tabular loaders (:mod:`.xlsx`, :mod:`.folder`) share: names and column mapping.

A tabular package is a header (field/value rows: field name in column A, value in B) plus
one sheet or file per table. Sheet names, file names and column headers may be the Chinese
names of the data dictionary or the English ones; both are matched after NFKC normalisation
(full-width brackets and spaces are common in hand-typed headers), English case-insensitively.

Tables are built column-wise: a loader hands over the header cells and the body as a frame
with positional columns, and :func:`build_frame` names the columns, reports unknown,
duplicate, missing and unnamed columns and cells beyond the header, and drops trailing blank
rows (layout, not records). Blank rows in the middle stay, so validation reports them:
nothing is dropped silently. Values stay raw; :mod:`checker.validate` types them.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import Location, ProblemSink
from .base import RawSubmission
from ..model import HEADER_SHEET, TABLES
from ..schema import column_specs

# Sheets a person may add to a workbook for themselves; never read.
NOTE_SHEETS = frozenset({"说明", "填表说明", "notes", "readme"})
# Problems after which the data can still be validated: reported with validation's problems
# (all at once). Any other problem (an unreadable file, an unknown sheet, a missing header)
# stops the load, since validating without that table would only add consequential errors.
DEFERRABLE = frozenset({"E-COLUMN", "E-COLUMN-DUP", "E-COLUMN-MISSING", "E-COLUMN-UNNAMED",
                        "E-HEADER-FIELD", "E-HEADER-DUP", "E-RAGGED"})
# First-row captions of a header sheet (field | value), skipped when present.
HEADER_CAPTIONS = frozenset({"字段", "field", "项目", "字段名", "名称"})


def norm(text: object) -> str:
    """Comparison key of a sheet, file or column name."""
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


_TABLE_NAMES = {norm(zh): name for name, (_, zh) in TABLES.items()} | {norm(name): name for name in TABLES}


def table_for(name: str) -> str | None:
    """The table a sheet or file stem names (Chinese or English), or None."""
    return _TABLE_NAMES.get(norm(name))


def is_header_name(name: str) -> bool:
    return norm(name) in {norm(HEADER_SHEET), "header"}


def is_note_name(name: str) -> bool:
    return norm(name) in NOTE_SHEETS


@lru_cache(maxsize=None)
def column_map(table: str) -> dict[str, str]:
    """Normalised header text (Chinese label or field name) → field name."""
    out: dict[str, str] = {}
    for s in column_specs(table):
        out[norm(s.name)] = s.name
        out[norm(s.label_zh)] = s.name
    return out


def excel_column(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``: the column letter a spreadsheet shows."""
    letters = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def is_text_dtype(s: pd.Series) -> bool:
    """pandas' own string dtype (CSV and Parquet text), as opposed to object columns."""
    dtype = s.dtype
    if isinstance(dtype, np.dtype):  # object, numbers, dates: never (and asking pandas is slow)
        return dtype.kind in "SU"
    return isinstance(dtype, pd.StringDtype) or pd.api.types.is_string_dtype(dtype)


def arrow_text(s: pd.Series) -> pa.Array:
    """A text column (pandas string dtype, or objects that are all text) as one Arrow array:
    what ``s.astype("str")`` holds, without a pandas round trip."""
    if is_text_dtype(s):
        a = s.array.__arrow_array__()
    else:
        try:
            a = pa.array(s.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # an unusual missing marker: let pandas convert
            a = s.astype("str").array.__arrow_array__()
    if isinstance(a, pa.ChunkedArray):
        return a.chunk(0) if a.num_chunks == 1 else a.combine_chunks()
    return a


def blank_of_trimmed(t: pa.Array) -> np.ndarray:
    """Cells of trimmed Arrow text that are missing or empty."""
    if t.null_count == 0 and t.type in _OFFSETS:  # empty = equal offsets: numpy, not three kernels
        offsets = np.frombuffer(t.buffers()[1], dtype=_OFFSETS[t.type])[t.offset:t.offset + len(t) + 1]
        return offsets[1:] == offsets[:-1]
    return pc.fill_null(pc.equal(t, ""), True).to_numpy(zero_copy_only=False)


_OFFSETS = {pa.large_string(): np.int64, pa.string(): np.int32}


def blank(s: pd.Series) -> np.ndarray:
    """Cells that hold nothing: missing, or text that is only whitespace.

    Whitespace is what pandas' ``.str.strip()`` removes: Arrow's trim for text columns,
    Python's ``str.strip`` for object columns (the two differ on a few characters). Done on
    Arrow and numpy arrays, each distinct object once: pandas operations cost more than
    the cells of a county's columns."""
    if s.dtype != object:
        if is_text_dtype(s):
            return blank_of_trimmed(pc.utf8_trim_whitespace(arrow_text(s)))
        return s.isna().to_numpy(dtype=bool)
    values = s.to_numpy()
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): one by one
        return pd.isna(values) | np.array([isinstance(v, str) and not v.strip() for v in values], dtype=bool)
    white = np.array([isinstance(u, str) and not u.strip() for u in uniques] + [False], dtype=bool)
    return pd.isna(values) | white[codes]


def body_frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Rows of cells (of any lengths) as a frame with positional columns, short rows padded."""
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], columns=range(width), dtype=object)


def build_frame(table: str, header: Sequence[Any], body: pd.DataFrame, *, file: str, sheet: str,
                sink: ProblemSink, first_row: int = 2) -> tuple[pd.DataFrame, dict[str, str]]:
    """Name the columns of one table; returns (frame with field names, field → header text).

    ``body`` has positional columns (``0..n-1``, possibly wider than ``header``); its rows are
    the records, the first of which is file row ``first_row``."""
    mapping = column_map(table)
    width = len(header)
    header_row = first_row - 1 or None  # Parquet has no header row to point at
    if body.shape[1] < width:  # rows shorter than the header: the missing cells are empty
        body = body.reindex(columns=range(width))
    nonblank = {i: ~blank(col) for i, col in body.items()} if len(body) else {}
    # Trailing blank rows are layout; everything before the last non-blank row is a record.
    any_cell = np.zeros(len(body), dtype=bool)
    for mask in nonblank.values():
        any_cell |= mask
    filled = np.flatnonzero(any_cell)
    n = int(filled[-1]) + 1 if len(filled) else 0
    if n < len(body):
        body = body.iloc[:n]
        nonblank = {i: m[:n] for i, m in nonblank.items()}

    fields: dict[int, str] = {}
    shown: dict[str, str] = {}
    position: dict[str, int] = {}
    for i, cell in enumerate(header):
        text = "" if cell is None or (isinstance(cell, float) and np.isnan(cell)) else str(cell).strip()
        if not text:
            if i in nonblank and nonblank[i].any():
                sink.add(Location(file, sheet=sheet, row=header_row, column=excel_column(i)), "E-COLUMN-UNNAMED",
                         f"第 {excel_column(i)} 列有数据但没有表头", f"column {excel_column(i)} has data but no header")
            continue
        name = mapping.get(norm(text))
        where = Location(file, sheet=sheet, row=header_row, column=text)
        if name is None:
            sink.add(where, "E-COLUMN", f"未知的列“{text}”（列名见数据字典）",
                     f"unknown column {text!r} (see the data dictionary for column names)", text)
        elif name in shown:
            first = excel_column(position[name])
            sink.add(where, "E-COLUMN-DUP",
                     f"第 {excel_column(i)} 列“{text}”与第 {first} 列“{shown[name]}”是同一字段（{name}），只读取第 {first} 列",
                     f"column {excel_column(i)} ({text!r}) is the same field ({name}) as column {first} "
                     f"({shown[name]!r}); only column {first} is read", text)
        else:
            fields[i] = name
            shown[name] = text
            position[name] = i
    for spec in column_specs(table):
        if spec.required and spec.name not in shown:
            sink.add(Location(file, sheet=sheet, row=header_row, column=spec.label_zh), "E-COLUMN-MISSING",
                     f"缺少必填列“{spec.label_zh}”（{spec.name}）",
                     f"required column {spec.name!r} ({spec.label_zh}) is missing")
    extra = [i for i in body.columns if i >= width]
    if extra:
        beyond = np.column_stack([nonblank[i] for i in extra])
        for r in np.flatnonzero(beyond.any(axis=1)):
            count = int(beyond[r].sum())
            col = excel_column(int(extra[int(np.argmax(beyond[r]))]))
            sink.add(Location(file, sheet=sheet, row=int(r) + first_row, column=col), "E-RAGGED",
                     f"该行在表头最后一列之外还有 {count} 个非空单元格",
                     f"the row has {count} non-empty cell(s) beyond the header's last column")
    if fields:
        frame = body.iloc[:, list(fields)].reset_index(drop=True)  # one selection, not a Series per column
        frame.columns = list(fields.values())
    else:
        frame = pd.DataFrame(index=pd.RangeIndex(n))
    return frame, shown


def header_from_rows(rows: Sequence[Sequence[Any]], *, file: str, sheet: str,
                     sink: ProblemSink) -> tuple[dict[str, Any], dict[str, int]]:
    """Header fields from field/value rows (row numbers 1-based); returns (values, field → row)."""
    mapping = column_map("header")
    header: dict[str, Any] = {}
    rownums: dict[str, int] = {}
    for r, row in enumerate(rows, start=1):
        if not row or row[0] is None or not str(row[0]).strip():
            continue
        key = str(row[0]).strip()
        if r == 1 and norm(key) in HEADER_CAPTIONS:
            continue
        name = mapping.get(norm(key))
        if name is None:
            sink.add(Location(file, sheet=sheet, row=r, column="A"), "E-HEADER-FIELD",
                     f"未知的报送信息字段“{key}”", f"unknown header field {key!r}", key)
            continue
        if name in rownums:
            sink.add(Location(file, sheet=sheet, row=r, column="A"), "E-HEADER-DUP",
                     f"报送信息字段“{key}”重复（首次出现在第 {rownums[name]} 行）",
                     f"header field {key!r} repeats row {rownums[name]}", key)
            continue
        header[name] = row[1] if len(row) > 1 else None
        rownums[name] = r
    return header, rownums


def finish(raw: RawSubmission, sink: ProblemSink) -> RawSubmission:
    """Raise every problem if any of them stops the load; else hand them on in ``raw``."""
    if any(p.code not in DEFERRABLE for p in sink.problems):
        sink.raise_if_any()
    raw.problems = list(sink.problems)
    return raw
