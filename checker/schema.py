"""The published JSON Schemas and the column specs derived from them.

The submission schema is generated from :mod:`checker.model`
(:func:`generate_submission_schema`) and committed as ``schemas/submission.schema.json``;
checks read it from there (:func:`submission_schema`). The tabular loaders check columns
against :func:`column_specs`, which is read off that same schema, so there is one contract
for JSON, YAML, XLSX and CSV alike.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .model import SCHEMA_VERSION, TABLES, Header, Submission

SCHEMA_ID = "https://ducha.example/schemas/submission-{v}.schema.json"
# The committed schemas, beside the rules/ shipped with ducha (see checker.rulefile.RULES_DIR).
SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"
SUBMISSION_SCHEMA_FILE = SCHEMAS_DIR / "submission.schema.json"


def generate_submission_schema() -> dict[str, Any]:
    """The submission schema, generated from :mod:`checker.model` (builds every row model)."""
    schema = Submission.model_json_schema(mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": SCHEMA_ID.format(v=SCHEMA_VERSION), **schema}
    return schema


@lru_cache(maxsize=1)
def submission_schema() -> dict[str, Any]:
    """The published submission schema, as checks use it: read from the committed
    ``schemas/submission.schema.json`` (generating it costs a cold ``ducha check`` about
    0.03 s of building pydantic models it never validates with), generated when the file is
    missing or unreadable. tests/test_schema.py fails when the file is not exactly what the
    models generate (``ducha schema --write schemas`` regenerates it)."""
    try:
        schema = json.loads(SUBMISSION_SCHEMA_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return generate_submission_schema()
    return schema if isinstance(schema, dict) else generate_submission_schema()


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
    return specs_of(submission_schema(), table)


def specs_of(schema: dict[str, Any], table: str) -> tuple[ColumnSpec, ...]:
    """Column specs of ``table`` (or ``"header"``) as ``schema`` describes them."""
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
    for name, doc in (("submission.schema.json", generate_submission_schema()), ("rule.schema.json", rule_schema())):
        path = out_dir / name
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


# --------------------------------------------------------------------------- data dictionary

DATA_DICTIONARY = Path("docs") / "data-dictionary.md"
_TYPES_ZH = {"string": "文本", "number": "数字", "integer": "整数", "boolean": "是/否", "date": "日期",
             "list": "列表（用、分隔）"}


def split_description(text: str) -> tuple[str, str]:
    """``"中文 / English"`` → (zh, en); the models write every description that way."""
    zh, sep, en = text.partition(" / ")
    return (zh.strip(), en.strip()) if sep else (text.strip(), "")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _type_cell(spec: ColumnSpec) -> str:
    parts = [f"{_TYPES_ZH[spec.type]} {spec.type}"]
    if spec.enum is not None:
        parts.append("取值 one of: " + ", ".join(f"`{e}`" for e in spec.enum))
    if spec.ref is not None:
        parts.append(f"→ {TABLES[spec.ref][1]} `{spec.ref}`")
    if spec.pattern is not None and spec.ref is None and spec.enum is None:
        parts.append(f"格式 pattern `{spec.pattern}`")
    bounds = [f"≥ {spec.minimum:g}" if spec.minimum is not None else "",
              f"≤ {spec.maximum:g}" if spec.maximum is not None else ""]
    if any(bounds):
        parts.append(" ".join(b for b in bounds if b))
    return "<br>".join(_md(p) for p in parts)


def _table_md(specs: tuple[ColumnSpec, ...]) -> list[str]:
    lines = ["| 列名 label | 字段 field | 类型 type | 必填 required | 说明 | description |",
             "|---|---|---|---|---|---|"]
    for s in specs:
        zh, en = split_description(s.description)
        lines.append(f"| {_md(s.label_zh)} | `{s.name}` | {_type_cell(s)} | {'是 yes' if s.required else '否 no'} "
                     f"| {_md(zh)} | {_md(en)} |")
    return lines


def data_dictionary() -> str:
    """The data dictionary (Markdown), generated from the models like the schema is."""
    schema = generate_submission_schema()
    out = [
        "# 数据字典 / Data dictionary",
        "",
        f"<!-- Generated from checker/model.py (schema version {SCHEMA_VERSION}). Do not edit: run "
        "`python -m checker.schema` (or `make schemas`). -->",
        "",
        f"数据规范版本 schema version **{SCHEMA_VERSION}** · JSON Schema: `schemas/submission.schema.json`",
        "",
        "一次报送 = 报送信息（表头）+ 下列各表。可用 JSON、YAML、xlsx 工作簿或 CSV 文件夹报送，四种格式内容相同。",
        "A submission is a header plus the tables below, sent as JSON, YAML, an .xlsx workbook or a CSV folder; "
        "all four carry the same content.",
        "",
        "- **xlsx**：工作表“报送信息”（A 列字段名、B 列值），每张表一个工作表，以中文表名（或英文表名）命名，第 1 行为列名。"
        " / a header sheet `报送信息` (field in column A, value in B) and one sheet per table named by its "
        "Chinese or English table name, column names in row 1.",
        "- **CSV 文件夹 / CSV folder**：`报送信息.csv`（或 `header.csv`）和每张表一个 `<表名>.csv`（大表也可用 "
        "`<表名>.parquet`）。编码自动识别：UTF-8（可带 BOM）、GB18030/GBK、带 BOM 的 UTF-16。"
        " / `报送信息.csv` (or `header.csv`) and one `<table>.csv` per table (large tables may be "
        "`<table>.parquet`); UTF-8 (with or without BOM), GB18030/GBK and UTF-16 with BOM are detected.",
        "- **列名 / column names**：中文列名或英文字段名均可。/ the Chinese label or the English field name.",
        "- **日期 / dates**：`2017-12-31`、`2017/12/31`、`2017年12月31日`，xlsx 中也可为日期单元格或 Excel 日期序号；"
        "有歧义的写法（`12/31/17`、`2017年12月`）按错误处理，不猜测。/ ISO, slashes or 年月日; in xlsx also date "
        "cells and Excel serial numbers. Ambiguous forms are errors, never guessed.",
        "- **是/否 / booleans**：`是`/`否`、`true`/`false`、`1`/`0`。",
        "- **列表 / lists**：一个单元格内用 `、`（或 `，` `,` `;` `；` `/`）分隔。/ one cell, items separated by 、.",
        "- **编号 / ids**：字母、数字及 `_ . : -`，以字母或数字开头，最长 64 个字符；同一表内不得重复；"
        "引用（→）必须指向本次报送中存在的记录。/ letters, digits and `_ . : -`; unique per table; "
        "references (→) must name a record of this submission.",
        "",
        "## 报送信息 `header`",
        "",
        *_table_md(specs_of(schema, "header")),
    ]
    for name, (model, zh) in TABLES.items():
        out += ["", f"## {zh} `{name}`", "", *_table_md(specs_of(schema, name))]
    return "\n".join(out) + "\n"


def write_data_dictionary(path: Path = DATA_DICTIONARY) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_dictionary(), encoding="utf-8", newline="\n")
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m checker.schema [ROOT]``: regenerate ``schemas/`` and the data dictionary."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(".")
    for p in [*write_schemas(root / "schemas"), write_data_dictionary(root / DATA_DICTIONARY)]:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
