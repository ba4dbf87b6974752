"""A submission as plain Python: every table a list of dicts, typed by the data contract.

The reference evaluator reads the submission *document* (the dict a JSON or YAML file
gives), not ducha's pandas frames. The only typing it applies is what the published
contract says (:mod:`checker.model`): dates become :class:`datetime.date`, numbers are
``float``/``int`` as declared, absent optional fields take their declared default,
surrounding whitespace of text is not significant, and a blank text is no value.
"""
from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import PydanticUndefined

from checker.dates import parse_date
from checker.model import LEVEL_ORDER, TABLES

LEVELS = list(LEVEL_ORDER)  # province, city, county, township, village (top to bottom)


def _base_types(annotation: Any) -> set[Any]:
    """The non-None types an annotation admits (``date | None`` → {date})."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return {t for a in typing.get_args(annotation) for t in _base_types(a)}
    if annotation is type(None):
        return set()
    origin = typing.get_origin(annotation)
    return {origin or annotation}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # date | float | int | bool | list | text
    default: Any
    ref: str | None


def _columns(table: str) -> dict[str, Column]:
    model = TABLES[table][0]
    out = {}
    for name, f in model.model_fields.items():
        kinds = _base_types(f.annotation)
        if dt.date in kinds:
            kind = "date"
        elif float in kinds:
            kind = "float"
        elif bool in kinds:
            kind = "bool"
        elif int in kinds:
            kind = "int"
        elif list in kinds:
            kind = "list"
        else:
            kind = "text"
        if f.default_factory is not None:
            default = f.default_factory()  # type: ignore[call-arg]
        else:
            default = None if f.default is PydanticUndefined else f.default
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        out[name] = Column(name, kind, default, extra.get("x-ref"))  # type: ignore[arg-type]
    return out


COLUMNS: dict[str, dict[str, Column]] = {t: _columns(t) for t in TABLES}
KEY = {t: ("code" if t == "jurisdictions" else "id") for t in TABLES}


def _value(col: Column, v: Any) -> Any:
    if v is None:
        return col.default
    if isinstance(v, str) and col.kind != "list":
        v = v.strip()
        if not v:
            return col.default
    if col.kind == "date":
        return parse_date(v)
    if col.kind == "float":
        return float(v)
    if col.kind == "int":
        return int(v)
    if col.kind == "list":
        return [str(x).strip() for x in v]
    if hasattr(v, "value"):  # an enum member
        v = v.value
    return v


@dataclass
class Submission:
    header: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    _by_key: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict)

    @property
    def as_of(self) -> dt.date:
        return parse_date(self.header["as_of"])

    @property
    def period(self) -> str:
        return str(self.header["period"])

    @property
    def submitter(self) -> dict[str, Any]:
        return self.row("jurisdictions", self.header["jurisdiction"])

    def row(self, table: str, key: Any) -> dict[str, Any] | None:
        if table not in self._by_key:
            self._by_key[table] = {r[KEY[table]]: r for r in self.tables[table]}
        return self._by_key[table].get(key)

    def ancestor(self, code: Any, level: str) -> Any:
        """The jurisdiction at ``level`` that contains ``code`` (itself included), or None."""
        seen = set()
        while code is not None and code not in seen:
            seen.add(code)
            j = self.row("jurisdictions", code)
            if j is None:
                return None
            if j["level"] == level:
                return code
            code = j["parent"]
        return None


def load(doc: dict[str, Any]) -> Submission:
    """The document's tables, typed by the contract; each row knows its position (``_row``)."""
    tables = {}
    for table, cols in COLUMNS.items():
        rows = []
        for i, raw in enumerate(doc.get(table) or []):
            row = {name: _value(col, raw.get(name)) for name, col in cols.items()}
            row["_row"] = i
            rows.append(row)
        tables[table] = rows
    header = {k: v for k, v in doc.items() if k not in COLUMNS}
    return Submission(header, tables)
