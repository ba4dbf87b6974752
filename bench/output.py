"""Write a generated submission in the real submission formats.

* a CSV package (the folder loader of :mod:`checker.load.tabular`): ``报送信息.csv`` with the
  header rows, one ``<中文表名>.csv`` per non-empty table with the data dictionary's Chinese
  column labels (UTF-8 with BOM, as Excel writes it), and the patrols as ``patrols.parquet``
  (English field names, dates as Parquet ``date32``, zstd);
* one JSON document (the contract of ``schemas/submission.schema.json``).

Both are byte-identical for the same frames: no timestamps, fixed column order, and Parquet
written from Arrow arrays without pandas metadata.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from checker.model import HEADER_SHEET, TABLES
from checker.schema import ColumnSpec, column_specs

from .county import SubmissionData

PARQUET_TABLES = frozenset({"patrols"})
LIST_SEPARATOR = "、"


def _iso(days: pd.Series) -> pd.Series:
    """Day numbers (``Int64`` or int, may be empty) → ISO date strings (``None`` if empty)."""
    s = pd.Series(days).astype("Int64")
    out = pd.Series([None] * len(s), index=s.index, dtype=object)
    present = s.notna().to_numpy()
    if present.any():
        values = s[present].to_numpy(dtype=np.int64).astype("datetime64[D]")
        out[present] = np.datetime_as_string(values, unit="D")
    return out


def _column(spec: ColumnSpec, s: pd.Series, *, csv: bool) -> pd.Series:
    if spec.type == "date":
        return _iso(s)
    if spec.type == "boolean":
        b = s.astype(bool)
        return b.map({True: "是", False: "否"}) if csv else b
    if spec.type == "list":
        return s.map(lambda v: LIST_SEPARATOR.join(v) if csv else list(v))
    if spec.type == "integer":
        return s.astype("Int64")
    return s


def _fields(table: str, frame: pd.DataFrame) -> list[ColumnSpec]:
    return [spec for spec in column_specs(table) if spec.name in frame.columns]


def write_folder(data: SubmissionData, folder: Path) -> dict[str, int]:
    """Write ``data`` as a CSV package in ``folder`` (created); returns rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = {s.name: s.label_zh for s in column_specs("header")}
    header = pd.DataFrame({"字段": [labels[k] for k in data.header], "值": list(data.header.values())})
    header.to_csv(folder / f"{HEADER_SHEET}.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    rows: dict[str, int] = {}
    for table, frame in data.tables.items():
        rows[table] = len(frame)
        if frame.empty:
            continue
        specs = _fields(table, frame)
        if table in PARQUET_TABLES:
            _write_parquet(table, frame, specs, folder / f"{table}.parquet")
            continue
        out = pd.DataFrame({s.label_zh: _column(s, frame[s.name], csv=True) for s in specs})
        out.to_csv(folder / f"{TABLES[table][1]}.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    return rows


def _write_parquet(table: str, frame: pd.DataFrame, specs: list[ColumnSpec], path: Path) -> None:
    arrays: dict[str, pa.Array] = {}
    for s in specs:
        col = frame[s.name]
        if s.type == "date":
            days = col.astype("Int64")
            arrays[s.name] = pa.array(days.to_numpy(dtype=np.int64, na_value=0), type=pa.int32(),
                                      mask=days.isna().to_numpy()).cast(pa.date32())
        elif s.type == "number":
            arrays[s.name] = pa.array(col.to_numpy(dtype="float64"), type=pa.float64())
        else:
            arrays[s.name] = pa.array(col.tolist(), type=pa.string())
    pq.write_table(pa.table(arrays), path, compression="zstd")


def to_document(data: SubmissionData) -> dict[str, Any]:
    """The submission as one JSON-ready document, tables in data-dictionary order."""
    doc: dict[str, Any] = dict(data.header)
    for table in TABLES:
        frame = data.tables.get(table)
        if frame is None or frame.empty:
            continue
        specs = _fields(table, frame)
        cols = {s.name: _column(s, frame[s.name], csv=False).tolist() for s in specs}
        records = []
        for i in range(len(frame)):
            rec = {}
            for name, values in cols.items():
                v = values[i]
                if v is None or v is pd.NA or (isinstance(v, float) and v != v):
                    continue
                rec[name] = v.item() if isinstance(v, np.generic) else v
            records.append(rec)
        doc[table] = records
    return doc


def write_json(data: SubmissionData, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_document(data), ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
