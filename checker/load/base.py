"""What every loader produces, and the guards every loader applies before reading."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Location, Problem

# A county's quarter is a few MB; a province's patrol table travels as CSV/Parquet. A single
# JSON/YAML/XLSX document beyond this is refused before it is read into memory.
MAX_FILE_BYTES = 512 * 1024 * 1024

# The column of the value in a header sheet / header.csv (field name in A, value in B).
HEADER_VALUE_COLUMN = "B"


@dataclass
class RawSubmission:
    """A loaded but not yet validated submission.

    ``doc`` is the parsed JSON/YAML document (validated by jsonschema); tabular inputs have
    ``doc=None`` and raw ``tables`` with field names as columns (validated column-wise).
    To name locations as a person sees them, tabular inputs also keep: ``sheets`` (table →
    sheet or file name), ``first_rows`` (table → file row of the first record: 2 under a
    header row, 1 in Parquet), ``columns`` (table → field → the column header as written in
    the file), and for the header ``header_sheet`` and ``header_rows`` (field → row).

    ``problems`` are problems the loader found that did not stop it (an unknown column is
    ignored, a ragged row read as far as the header goes): validation reports them together
    with its own, so the submitter sees every problem in one run. Anyone who loads without
    validating must report them too.

    ``warnings`` (codes ``W-…``) never make the input unusable: the data is read and checked,
    but a reviewer should know something about the file (hidden rows in a workbook). They
    are not part of :class:`InputError`; ``ducha validate`` prints them.
    """

    file: str
    format: str
    header: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    doc: dict[str, Any] | None = None
    sheets: dict[str, str] = field(default_factory=dict)
    first_rows: dict[str, int] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    header_sheet: str | None = None
    header_rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def location(self, table: str, row: int | None = None, column: str | None = None) -> Location:
        """Location of record ``row`` (0-based position) of ``table``; ``column`` is a field name.

        JSON/YAML: a JSON pointer. Tabular: sheet (or file), the row number a spreadsheet shows,
        and the column header as the submitter wrote it (the Chinese label when the column is
        absent from the file)."""
        if self.doc is not None:
            pointer = f"/{table}" if row is None else f"/{table}/{row}"
            return Location(self.file, pointer=pointer if column is None else f"{pointer}/{column}")
        shown = None
        if column is not None:
            shown = self.columns.get(table, {}).get(column) or _label(table, column)
        return Location(self.file, sheet=self.sheets.get(table, table),
                        row=None if row is None else row + self.first_rows.get(table, 2), column=shown)

    def header_location(self, field_name: str) -> Location:
        if self.doc is not None:
            return Location(self.file, pointer=f"/{field_name}")
        row = self.header_rows.get(field_name)
        if row is None:  # the field is absent: name it by its label
            return Location(self.file, sheet=self.header_sheet, column=_label("header", field_name))
        return Location(self.file, sheet=self.header_sheet, row=row, column=HEADER_VALUE_COLUMN)


def _label(table: str, column: str) -> str:
    from ..schema import column_specs  # schema imports the model only; keep load.base light
    for spec in column_specs(table):
        if spec.name == column:
            return spec.label_zh
    return column


def check_size(path: Path, max_bytes: int, *, hint_zh: str = "大表请以 CSV 或 Parquet 报送",
               hint_en: str = "send large tables as CSV or Parquet") -> None:
    """Refuse empty and oversized files by their size on disk (``stat``), before opening
    them: a 2 GB file costs one system call, not 2 GB of memory."""
    size = path.stat().st_size
    if size == 0:
        raise InputError([Problem(Location(str(path)), "E-EMPTY", "文件为空", "the file is empty")])
    if size > max_bytes:
        raise InputError([Problem(
            Location(str(path)), "E-TOO-LARGE",
            f"文件过大（{size:,} 字节，上限 {max_bytes:,} 字节）；{hint_zh}",
            f"file too large ({size:,} bytes, limit {max_bytes:,}); {hint_en}")])
