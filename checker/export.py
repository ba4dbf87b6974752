"""Write a submission in every input format: JSON, YAML, an ``.xlsx`` workbook, a CSV folder.

The inverse of :mod:`checker.load`: for a valid submission, load(export(x)) == x (the
round-trip tests hold this for every format). The tabular layout is the one the loaders
read and the data dictionary describes:

* header: sheet / file ``报送信息`` with a caption row (``字段 | 值``) and one field/value row
  per header field (Chinese label in column A, value in B);
* one sheet / file per non-empty table, named by its Chinese table name, with the Chinese
  column labels in row 1 (``labels="en"`` writes English table and column names instead).

Cells: dates are real dates in xlsx and ISO text in CSV; booleans 是/否 (true/false in
English); lists joined with 、; codes and ids always text (a leading zero survives Excel);
CSV is UTF-8 with a BOM (so Excel shows the Chinese correctly). Output is byte-identical for
the same input: workbook timestamps are fixed, rows and columns follow the data dictionary.

:func:`tabulate` and the ``write_*_sheets`` functions work on plain values without
validating them, so test tools can write deliberately broken packages with the same layout.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

import yaml

from .model import HEADER_SHEET, TABLES, Submission
from .schema import ColumnSpec, column_specs
from .units import split_units

Labels = Literal["zh", "en"]
HEADER_CAPTION = {"zh": ("字段", "值"), "en": ("field", "value")}
LIST_SEPARATOR = "、"
FIXED_TIME = dt.datetime(2000, 1, 1)  # workbook creation/modification stamp (determinism)


class ExportError(ValueError):
    """The submission holds something the target format cannot represent."""


# --------------------------------------------------------------------------- documents

def submission_of(obj: Any) -> Submission:
    """A :class:`Submission` from a Submission, a :class:`~checker.dataset.Dataset` or a
    plain document (as JSON or YAML gives it). Raises pydantic's ValidationError if invalid."""
    if isinstance(obj, Submission):
        return obj
    to_submission = getattr(obj, "to_submission", None)
    if callable(to_submission):
        sub = to_submission()
        assert isinstance(sub, Submission)
        return sub
    return Submission.model_validate(obj)


def document(obj: Any) -> dict[str, Any]:
    """The canonical plain document: ISO dates, header fields first, tables in data-dictionary
    order; empty tables, ``None`` values and empty lists left out (the model restores them)."""
    full = submission_of(obj).model_dump(mode="json")
    doc: dict[str, Any] = {k: v for k, v in full.items() if k not in TABLES}
    for name in TABLES:
        rows = [{k: v for k, v in row.items() if v is not None and v != []} for row in full[name]]
        if rows:
            doc[name] = rows
    return doc


def write_json(obj: Any, path: Path) -> Path:
    text = json.dumps(document(obj), ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def write_yaml(obj: Any, path: Path) -> Path:
    text = yaml.safe_dump(document(obj), allow_unicode=True, sort_keys=False, width=120)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


# --------------------------------------------------------------------------- tabular form

@dataclass
class Sheet:
    """One table as rows of cells; ``columns`` are the header row."""

    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Sheets:
    """A submission laid out as a workbook: header rows and one :class:`Sheet` per table
    (keyed by sheet / file stem)."""

    header_name: str
    header: list[list[Any]]
    tables: dict[str, Sheet]


def _cell(spec: ColumnSpec, v: Any, labels: Labels) -> Any:
    """A model value as a spreadsheet cell (``dt.date`` for dates; the writers decide)."""
    if v is None or (isinstance(v, list) and not v):
        return None
    if spec.type == "date":
        try:  # a valid ISO date becomes a date cell; anything else (a test's bad date) stays as written
            return dt.date.fromisoformat(v) if isinstance(v, str) else v
        except ValueError:
            return v
    if spec.type == "boolean":
        if labels == "zh":
            return "是" if v else "否"
        return "true" if v else "false"
    if spec.type == "list":
        parts = [str(x) for x in v]
        text = LIST_SEPARATOR.join(parts)
        if split_units(text) != parts:  # an item with a separator outside brackets, or blank
            raise ExportError(f"list {parts!r} cannot be written as one cell and read back the same")
        return text
    if spec.type == "number" and isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def tabulate(doc: Mapping[str, Any], *, labels: Labels = "zh", all_tables: bool = False) -> Sheets:
    """Lay out a plain document (validated or not) as :class:`Sheets`. Columns follow the
    data dictionary; unknown keys are refused rather than dropped."""
    zh = labels == "zh"
    header = [list(HEADER_CAPTION[labels])]
    for spec in column_specs("header"):
        if spec.name in doc:
            header.append([spec.label_zh if zh else spec.name, _cell(spec, doc[spec.name], labels)])
    tables: dict[str, Sheet] = {}
    for name, (_, zh_name) in TABLES.items():
        rows = doc.get(name) or []
        if not rows and not all_tables:
            continue
        specs = column_specs(name)
        known = {s.name for s in specs}
        for i, row in enumerate(rows):
            unknown = set(row) - known
            if unknown:
                raise ExportError(f"{name}[{i}] has unknown fields {sorted(unknown)}")
        sheet = Sheet([s.label_zh if zh else s.name for s in specs])
        sheet.rows = [[_cell(s, row.get(s.name), labels) for s in specs] for row in rows]
        tables[zh_name if zh else name] = sheet
    return Sheets(HEADER_SHEET if zh else "header", header, tables)


# --------------------------------------------------------------------------- xlsx

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_value(v: Any) -> Any:
    if isinstance(v, str) and _ILLEGAL_XML.search(v):
        raise ExportError(f"text {v!r} holds a control character that an .xlsx file cannot store")
    if isinstance(v, float) and float("%.16g" % v) != v:
        # openpyxl stores 16 significant digits; the few doubles that need 17 go as exact text
        # (the loader reads numeric text), so the round trip stays lossless.
        return repr(v)
    return v


def write_xlsx_sheets(sheets: Sheets, path: Path) -> Path:
    """Write :class:`Sheets` as a workbook; byte-identical output for identical sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)

    def fill(ws: Any, rows: list[list[Any]]) -> None:
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c, value=_xlsx_value(v))
                if isinstance(v, str):
                    cell.data_type = "s"  # text that starts with = is text, not a formula
                elif isinstance(v, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        for c in range(1, (max((len(r) for r in rows), default=0)) + 1):
            ws.cell(row=1, column=c).font = bold
        ws.freeze_panes = "A2"
        for c, letter in enumerate(_letters(rows), start=1):
            width = max((_width(r[c - 1]) for r in rows if len(r) >= c), default=8)
            ws.column_dimensions[letter].width = min(max(width + 2, 8), 60)

    fill(wb.create_sheet(sheets.header_name), sheets.header)
    for name, sheet in sheets.tables.items():
        fill(wb.create_sheet(name), [sheet.columns, *sheet.rows])
    wb.properties.creator = "ducha"
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))
    return path


def _letters(rows: list[list[Any]]) -> list[str]:
    from openpyxl.utils import get_column_letter
    return [get_column_letter(i) for i in range(1, max((len(r) for r in rows), default=0) + 1)]


def _width(v: Any) -> int:
    if v is None:
        return 0
    text = v.isoformat() if isinstance(v, dt.date) else str(v)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK glyphs are two columns wide


def _fixed_zip(data: bytes) -> bytes:
    """Re-pack a workbook with fixed member timestamps and a fixed modification stamp."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, body)
    return out.getvalue()


def write_xlsx(obj: Any, path: Path, *, labels: Labels = "zh", all_tables: bool = False) -> Path:
    return write_xlsx_sheets(tabulate(document(obj), labels=labels, all_tables=all_tables), path)


# --------------------------------------------------------------------------- CSV folder

def _csv_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def csv_bytes(rows: list[list[Any]], *, encoding: str = "utf-8-sig") -> bytes:
    """Rows as CSV text (``\\r\\n`` line ends, minimal quoting) in ``encoding``."""
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows([[_csv_text(v) for v in row] for row in rows])
    return buf.getvalue().encode(encoding)


def write_csv_sheets(sheets: Sheets, folder: Path, *, parquet: frozenset[str] = frozenset()) -> Path:
    """Write :class:`Sheets` as a CSV package; tables named in ``parquet`` (by sheet name)
    are written as Parquet files instead. Existing CSV/Parquet files in ``folder`` are
    removed first, so a package never mixes two exports."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file() and old.suffix.lower() in {".csv", ".parquet"}:
            old.unlink()
    (folder / f"{sheets.header_name}.csv").write_bytes(csv_bytes(sheets.header))
    for name, sheet in sheets.tables.items():
        if name in parquet:
            _write_parquet(sheet, folder / f"{name}.parquet")
        else:
            (folder / f"{name}.csv").write_bytes(csv_bytes([sheet.columns, *sheet.rows]))
    return folder


def _write_parquet(sheet: Sheet, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {c: [row[i] for row in sheet.rows] for i, c in enumerate(sheet.columns)}
    table = pa.table({c: pa.array(v) for c, v in columns.items()})
    pq.write_table(table, path)


def write_csv_folder(obj: Any, folder: Path, *, labels: Labels = "zh", parquet: frozenset[str] = frozenset(),
                     all_tables: bool = False) -> Path:
    """``parquet`` names tables (English names, e.g. ``{"patrols"}``) to write as Parquet."""
    zh = labels == "zh"
    stems = frozenset(TABLES[t][1] if zh else t for t in parquet)
    return write_csv_sheets(tabulate(document(obj), labels=labels, all_tables=all_tables), folder, parquet=stems)


# --------------------------------------------------------------------------- registry

Writer = Callable[[Any, Path], Path]
WRITERS: dict[str, Writer] = {"json": write_json, "yaml": write_yaml, "xlsx": write_xlsx,
                              "csv-folder": write_csv_folder}
FORMATS = tuple(WRITERS)


def export(obj: Any, path: Path, fmt: str | None = None) -> Path:
    """Write ``obj`` to ``path`` in ``fmt`` (default: from the suffix; no suffix = CSV folder)."""
    if fmt is None:
        suffix = path.suffix.lower().lstrip(".")
        fmt = {"yml": "yaml", "": "csv-folder"}.get(suffix, suffix)
    writer = WRITERS.get(fmt)
    if writer is None:
        raise ExportError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    return writer(obj, path)


__all__ = ["ExportError", "FORMATS", "Sheet", "Sheets", "WRITERS", "csv_bytes", "document", "export",
           "submission_of", "tabulate", "write_csv_folder", "write_csv_sheets", "write_json", "write_xlsx",
           "write_xlsx_sheets", "write_yaml"]
