"""Model stage: a validated submission as typed tables.

A :class:`Dataset` is what every later stage reads: the header (a pydantic :class:`Header`)
and one pandas frame per table. Dates are day numbers (``Int64``), lists are Python lists,
and every frame keeps ``_row``, the record's position in its source, so a finding can say
where its evidence is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from .dates import from_day
from .errors import Location, ProblemSink
from .load import load_path
from .load.base import MAX_FILE_BYTES, RawSubmission
from .model import LEVEL_ORDER, TABLES, Header, Submission
from .schema import column_specs
from .validate import check_document, check_integrity, coerce_header, coerce_table


@dataclass
class Dataset:
    header: Header
    tables: dict[str, pd.DataFrame]
    raw: RawSubmission = field(repr=False)
    _location_texts: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def file(self) -> str:
        return self.raw.file

    @property
    def as_of(self) -> date:
        return self.header.as_of

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def location(self, table: str, row: int) -> Location:
        return self.raw.location(table, row)

    def location_text(self, ref: str) -> str:
        """``str(location)`` of an evidence reference ``table:row`` (cached: every rule that
        cites a record names it the same way)."""
        text = self._location_texts.get(ref)
        if text is None:
            table, _, row = ref.partition(":")
            text = self._location_texts[ref] = self._record_text(table, int(row))
        return text

    def _record_text(self, table: str, row: int) -> str:
        """``str(self.raw.location(table, row))`` without building the frozen Location (a
        few thousand per county; tests/load/test_samples.py pins the equality for every format)."""
        raw = self.raw
        if raw.doc is not None:
            return f"{raw.file}#/{table}/{row}"
        sheet = raw.sheets.get(table, table)
        where = f"[{sheet}]" if sheet else ""
        return f"{raw.file}{where} 行/row {row + raw.first_rows.get(table, 2)}"

    @cached_property
    def jurisdiction(self) -> dict[str, Any]:
        j = self.tables["jurisdictions"]
        row = j[j["code"] == self.header.jurisdiction].iloc[0]
        return {"code": row["code"], "name": row["name"], "level": row["level"], "parent": row["parent"]}

    def ancestors_by_code(self) -> pd.DataFrame:
        """:meth:`ancestor_codes` indexed by code, built once per dataset (every rule that
        follows ``jurisdiction@level`` reads it; callers must not modify it)."""
        anc = self._memo.get("ancestors")
        if anc is None:
            anc = self._memo["ancestors"] = self.ancestor_codes().set_index("code")
        return anc

    def jurisdiction_names(self) -> dict[Any, Any]:
        """Jurisdiction code → name, built once per dataset (callers must not modify it)."""
        names = self._memo.get("names")
        if names is None:
            j = self.tables["jurisdictions"]
            names = self._memo["names"] = dict(zip(j["code"], j["name"]))
        return names

    def ancestor_codes(self) -> pd.DataFrame:
        """For every jurisdiction code: its ancestor code at each level (``at_<level>`` columns)."""
        j = self.tables["jurisdictions"][["code", "level", "parent"]]
        parent = dict(zip(j["code"], j["parent"]))
        level = dict(zip(j["code"], j["level"]))
        rows = []
        for code in j["code"]:
            row: dict[str, Any] = {"code": code}
            cur: Any = code
            seen = set()
            while cur is not None and cur in level and cur not in seen:
                seen.add(cur)
                row[f"at_{level[cur]}"] = cur
                cur = parent.get(cur)
            rows.append(row)
        cols = ["code"] + [f"at_{lv}" for lv in LEVEL_ORDER]
        return pd.DataFrame(rows).reindex(columns=cols)

    def to_submission(self) -> Submission:
        """The pydantic model of this dataset (for round trips and small inputs)."""
        return Submission.model_validate(to_document(self))


def to_document(ds: Dataset) -> dict[str, Any]:
    """Plain JSON-ready document (ISO dates), tables in data-dictionary order."""
    doc: dict[str, Any] = ds.header.model_dump(mode="json")
    for name in TABLES:
        frame = ds.tables[name]
        specs = column_specs(name)
        records = []
        for rec in frame.to_dict("records"):
            out: dict[str, Any] = {}
            for spec in specs:
                v = rec.get(spec.name)
                if v is None or v is pd.NA or (isinstance(v, float) and v != v):
                    if spec.type == "list":
                        out[spec.name] = []
                    continue
                if spec.type == "date":
                    v = from_day(int(v)).isoformat()
                elif spec.type == "integer":
                    v = int(v)
                elif spec.type == "number":
                    v = float(v)
                    v = int(v) if v.is_integer() else v
                elif spec.type == "boolean":
                    v = bool(v)
                out[spec.name] = v
            records.append(out)
        doc[name] = records
    return doc


_NO_RECORDS = pd.DataFrame(dtype=object)  # read only: coerce_table returns a fresh typed frame for it


def build_dataset(raw: RawSubmission) -> Dataset:
    """Validate ``raw`` and type it; raises :class:`InputError` with every problem found
    (including those the loader found but could read past: ``raw.problems``)."""
    sink = ProblemSink(list(raw.problems))
    typing_sink = sink
    if raw.doc is not None:
        check_document(raw, sink)
        if sink.problems:
            # Report duplicate ids and dangling references in the same run as the schema
            # errors (all problems at once) when the tables are at least lists of records;
            # the typing pass would only repeat what jsonschema said, so it reports nowhere.
            if not all(isinstance(raw.doc.get(n, []), list) and all(isinstance(r, dict) for r in raw.doc.get(n, []))
                       for n in TABLES):
                sink.raise_if_any()
            typing_sink = ProblemSink()
        header_src = {k: v for k, v in raw.doc.items() if k not in TABLES}
        raw.header = header_src
        frames = {name: pd.DataFrame.from_records(raw.doc[name], columns=[s.name for s in column_specs(name)])
                  if raw.doc.get(name) else _NO_RECORDS for name in TABLES}  # (coerce_table types an empty one)
    else:
        frames = {name: raw.tables.get(name, _NO_RECORDS) for name in TABLES}
    header_values = coerce_header(raw, typing_sink)
    tables = {name: coerce_table(raw, name, frame, typing_sink) for name, frame in frames.items()}
    check_integrity(raw, header_values, tables, sink)
    sink.raise_if_any()
    header = Header.model_validate(header_values)
    return Dataset(header=header, tables=tables, raw=raw)


def dataset_from_document(doc: dict[str, Any], file: str = "<memory>") -> Dataset:
    """Validate and type an in-memory document (as JSON would give it)."""
    import copy

    from .load.jsonyaml import _dates_to_iso, clean_texts
    plain = _dates_to_iso(copy.deepcopy(doc))
    raw = RawSubmission(file=file, format="json", header={}, tables={}, doc=plain, problems=clean_texts(file, plain))
    return build_dataset(raw)


def load_dataset(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Dataset:
    """load → validate → model, for one input path."""
    return build_dataset(load_path(path, max_bytes=max_bytes))
