"""The published JSON Schemas and the column specs derived from them.

``submission_schema()`` is generated from :mod:`checker.model`; the tabular loaders check
columns against :func:`column_specs`, which is read off that same schema, so there is one
contract for JSON, YAML, XLSX and CSV alike.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .model import SCHEMA_VERSION, TABLES, Header, Submission

SCHEMA_ID = "https://ducha.example/schemas/submission-{v}.schema.json"


@lru_cache(maxsize=1)
def submission_schema() -> dict[str, Any]:
    schema = Submission.model_json_schema(mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": SCHEMA_ID.format(v=SCHEMA_VERSION), **schema}
    return schema


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table, as the schema describes it."""

    name: str
    label_zh: str
    type: str  # string | number | integer | boolean | date | list
    required: bool
    nullable: bool
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    ref: str | None = None  # table this column refers to
    description: str = ""


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return {**schema["$defs"][name], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _spec(schema: dict[str, Any], name: str, prop: dict[str, Any], required: bool) -> ColumnSpec:
    nullable = False
    node = prop
    if "anyOf" in prop:
        alts = [a for a in prop["anyOf"] if a.get("type") != "null"]
        nullable = len(alts) < len(prop["anyOf"])
        node = {**_resolve(schema, alts[0]), **{k: v for k, v in prop.items() if k != "anyOf"}}
    node = _resolve(schema, node)
    typ = node.get("type", "string")
    if node.get("format") == "date":
        typ = "date"
    elif typ == "array":
        typ = "list"
    elif "enum" in node:
        typ = "string"
    return ColumnSpec(
        name=name, label_zh=prop.get("x-label-zh", name), type=typ, required=required,
        nullable=nullable or not required,
        enum=tuple(str(e) for e in node["enum"]) if "enum" in node else (
            (str(node["const"]),) if "const" in node else None),
        pattern=node.get("pattern"), minimum=node.get("minimum"), maximum=node.get("maximum"),
        min_length=node.get("minLength"), ref=prop.get("x-ref"),
        description=prop.get("description", ""),
    )


@lru_cache(maxsize=None)
def column_specs(table: str) -> tuple[ColumnSpec, ...]:
    """Column specs of ``table`` (or ``"header"``), in model order."""
    schema = submission_schema()
    if table == "header":
        model_name = Header.__name__
        props = {k: v for k, v in schema["properties"].items() if k in Header.model_fields}
        required = set(schema["required"])
    else:
        model_name = TABLES[table][0].__name__
        d = schema["$defs"][model_name]
        props, required = d["properties"], set(d.get("required", []))
    del model_name
    return tuple(_spec(schema, k, v, k in required) for k, v in props.items())


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every published schema into ``out_dir``; returns the paths written."""
    from .rulefile import rule_schema  # the rule format's schema lives with the rule loader

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, doc in (("submission.schema.json", submission_schema()), ("rule.schema.json", rule_schema())):
        path = out_dir / name
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
