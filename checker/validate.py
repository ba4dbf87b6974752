"""Validate stage: check a :class:`RawSubmission` against the published schema.

JSON/YAML documents are validated by jsonschema (draft 2020-12) against
``schemas/submission.schema.json``; tabular packages column-wise, with pandas, against the
column specs read off the same schema. Either way every problem is collected with its
location and a bilingual message, and the result is one set of typed tables. Referential
integrity (duplicate ids, dangling references) is checked last, on the typed tables.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .dates import DateParseError, day_number, from_day, parse_date
from .errors import Location, ProblemSink
from .load.base import RawSubmission
from .model import TABLES, table_key
from .schema import ColumnSpec, column_specs, submission_schema
from .units import split_units

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date", raises=DateParseError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        parse_date(value)
    return True


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(submission_schema(), format_checker=_FORMATS)


def _pointer(path: Any) -> str:
    return "".join(f"/{p}" for p in path)


def _translate(e: ValidationError) -> tuple[str, str, str]:
    """(code, zh, en) for one jsonschema error."""
    kw = e.validator
    if kw == "required":
        missing = e.message.split("'")[1] if "'" in e.message else e.message
        return "E-REQUIRED", f"缺少必填字段“{missing}”", f"required field {missing!r} is missing"
    if kw == "additionalProperties":
        names = re.findall(r"'([^']+)'", e.message.split("(", 1)[-1])
        shown = "、".join(names) or e.message
        return "E-UNKNOWN-FIELD", f"未知字段：{shown}", f"unknown field(s): {', '.join(names) or e.message}"
    if kw in ("enum", "const"):
        allowed = e.validator_value if kw == "enum" else [e.validator_value]
        shown = "、".join(map(str, allowed))
        return "E-ENUM", f"取值“{e.instance}”不在允许范围内（{shown}）", f"{e.instance!r} is not one of: {', '.join(map(str, allowed))}"
    if kw == "type":
        return "E-TYPE", f"类型错误：应为 {e.validator_value}", f"wrong type: expected {e.validator_value}"
    if kw == "format" and isinstance(e.cause, DateParseError):
        return "E-DATE", f"日期“{e.instance}”无效：{e.cause.why_zh}", f"invalid date {e.instance!r}: {e.cause.why_en}"
    if kw == "pattern":
        return "E-PATTERN", f"“{e.instance}”格式不符（{e.validator_value}）", f"{e.instance!r} does not match {e.validator_value}"
    if kw in ("minimum", "exclusiveMinimum"):
        return "E-RANGE", f"数值 {e.instance} 小于下限 {e.validator_value}", f"{e.instance} is below the minimum {e.validator_value}"
    if kw in ("maximum", "exclusiveMaximum"):
        return "E-RANGE", f"数值 {e.instance} 大于上限 {e.validator_value}", f"{e.instance} is above the maximum {e.validator_value}"
    if kw in ("minLength", "minItems"):
        return "E-EMPTY-VALUE", "不能为空", "must not be empty"
    return "E-SCHEMA", e.message, e.message


def check_document(raw: RawSubmission, sink: ProblemSink) -> None:
    assert raw.doc is not None
    errors = sorted(_validator().iter_errors(raw.doc), key=lambda e: [str(p) for p in e.absolute_path])
    for e in errors:
        # anyOf (nullable fields) wraps the useful error; report the most specific one.
        if e.context:
            e = min(e.context, key=lambda c: (c.validator == "type", len(c.absolute_path)))
        code, zh, en = _translate(e)
        sink.add(Location(raw.file, pointer=_pointer(e.absolute_path)), code, zh, en,
                 None if isinstance(e.instance, (dict, list)) else e.instance)


# --------------------------------------------------------------------------- column coercion

_BOOL = {"true": True, "false": False, "1": True, "0": False, "是": True, "否": False,
         "y": True, "n": False, "yes": True, "no": False}


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | s.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)


def _nfkc(v: Any) -> Any:
    return unicodedata.normalize("NFKC", v).strip() if isinstance(v, str) else v


def _coerce(spec: ColumnSpec, s: pd.Series, report: Any, excel: bool) -> pd.Series:
    """Typed column; ``report(mask, code, zh, en)`` is told about every bad cell."""
    blank = _blank(s)
    if spec.required:
        report(blank, "E-REQUIRED", f"“{spec.label_zh}”不能为空", f"{spec.name} must not be empty")
    present = ~blank
    t = spec.type
    if t == "string":
        out = s.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else (
            str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()), na_action="ignore")
        out = out.where(present, None).astype(object)
        if spec.enum is not None:
            report(present & ~out.isin(spec.enum), "E-ENUM", f"“{spec.label_zh}”取值不在允许范围内（{'、'.join(spec.enum)}）",
                   f"{spec.name} must be one of: {', '.join(spec.enum)}")
        if spec.pattern is not None:
            ok = out.where(present, "").astype(str).str.fullmatch(spec.pattern.strip("^$"))
            report(present & ~ok.astype(bool), "E-PATTERN", f"“{spec.label_zh}”格式不符", f"{spec.name} does not match {spec.pattern}")
        return out
    if t in ("number", "integer"):
        text = s.map(_nfkc, na_action="ignore")
        num = pd.to_numeric(text.where(present), errors="coerce")
        bad = present & num.isna()
        report(bad, "E-NUMBER", f"“{spec.label_zh}”应为数字（不带千分位逗号）", f"{spec.name} must be a number (no thousands separators)")
        ok = present & ~bad
        if t == "integer":
            frac = ok & (num.fillna(0) % 1 != 0)
            report(frac, "E-NUMBER", f"“{spec.label_zh}”应为整数", f"{spec.name} must be a whole number")
        if spec.minimum is not None:
            report(ok & (num < spec.minimum), "E-RANGE", f"“{spec.label_zh}”不能小于 {spec.minimum:g}",
                   f"{spec.name} must be at least {spec.minimum:g}")
        if spec.maximum is not None:
            report(ok & (num > spec.maximum), "E-RANGE", f"“{spec.label_zh}”不能大于 {spec.maximum:g}",
                   f"{spec.name} must be at most {spec.maximum:g}")
        return num.astype("Int64") if t == "integer" and not (ok & (num.fillna(0) % 1 != 0)).any() else num.astype(float)
    if t == "boolean":
        def to_bool(v: Any) -> Any:
            if isinstance(v, (bool, np.bool_)):
                return bool(v)
            return _BOOL.get(str(_nfkc(v)).lower())
        out = s.map(to_bool, na_action="ignore")
        report(present & out.isna(), "E-BOOL", f"“{spec.label_zh}”应为 是/否", f"{spec.name} must be yes/no (true/false)")
        return out.where(present, False).astype(bool)
    if t == "date":
        return _coerce_dates(spec, s, present, report, excel)
    if t == "list":
        out = s.map(lambda v: [str(x).strip() for x in v] if isinstance(v, (list, tuple, np.ndarray))
                    else split_units(str(v)), na_action="ignore")
        out = out.where(present, None)
        out = out.map(lambda v: v if isinstance(v, list) else [])
        if spec.min_length:
            report(present & (out.map(len) < spec.min_length), "E-EMPTY-VALUE", f"“{spec.label_zh}”不能为空", f"{spec.name} must not be empty")
        return out.astype(object)
    raise AssertionError(f"unhandled column type {t}")


def _coerce_dates(spec: ColumnSpec, s: pd.Series, present: pd.Series, report: Any, excel: bool) -> pd.Series:
    out = pd.Series(pd.NA, index=s.index, dtype="Int64")
    vals = s[present]
    if vals.empty:
        return out
    fast = pd.to_datetime(vals.where(vals.map(lambda v: isinstance(v, str))), format="%Y-%m-%d", errors="coerce")
    done = fast.notna()
    out[fast[done].index] = (fast[done].values.astype("datetime64[D]").astype(np.int64))
    slow = vals[~done]
    cache: dict[Any, int | tuple[str, str]] = {}
    bad_mask = pd.Series(False, index=s.index)
    reasons: dict[tuple[str, str], pd.Series] = {}
    for idx, v in slow.items():
        key = (type(v).__name__, v)
        if key not in cache:
            try:
                cache[key] = day_number(parse_date(v, allow_excel_serial=excel))
            except DateParseError as e:
                cache[key] = (e.why_zh, e.why_en)
        got = cache[key]
        if isinstance(got, tuple):
            bad_mask[idx] = True
            reasons.setdefault(got, pd.Series(False, index=s.index))[idx] = True
        else:
            out[idx] = got
    for (zh, en), mask in reasons.items():
        report(mask, "E-DATE", f"“{spec.label_zh}”日期无效：{zh}", f"invalid date in {spec.name}: {en}")
    return out


def coerce_table(raw: RawSubmission, table: str, frame: pd.DataFrame, sink: ProblemSink) -> pd.DataFrame:
    """Typed frame for one table (same row order, plus ``_row``: the record's position)."""
    excel = raw.format == "xlsx"
    out: dict[str, pd.Series] = {}
    for spec in column_specs(table):
        col = frame[spec.name] if spec.name in frame.columns else pd.Series([None] * len(frame), index=frame.index, dtype=object)

        def report(mask: pd.Series, code: str, zh: str, en: str, _spec: ColumnSpec = spec, _col: pd.Series = col) -> None:
            for idx in np.flatnonzero(mask.to_numpy(dtype=bool)):
                sink.add(raw.location(table, int(idx), _spec.name if raw.doc is not None else _spec.label_zh),
                         code, zh, en, _col.iloc[idx])
        out[spec.name] = _coerce(spec, col.reset_index(drop=True), report, excel)
    typed = pd.DataFrame(out)
    typed["_row"] = np.arange(len(frame), dtype=np.int64)
    return typed


def coerce_header(raw: RawSubmission, sink: ProblemSink) -> dict[str, Any]:
    header: dict[str, Any] = {}
    for spec in column_specs("header"):
        value = raw.header.get(spec.name)
        frame = pd.Series([value], dtype=object)

        def report(mask: pd.Series, code: str, zh: str, en: str, _name: str = spec.name) -> None:
            if bool(mask.iloc[0]):
                sink.add(raw.header_location(_name), code, zh, en, value)
        typed = _coerce(spec, frame, report, raw.format == "xlsx")
        v = typed.iloc[0]
        if v is None or v is pd.NA:
            header[spec.name] = None
        else:
            header[spec.name] = from_day(int(v)) if spec.type == "date" else v
    return header


# --------------------------------------------------------------------------- integrity

def check_integrity(raw: RawSubmission, header: dict[str, Any], tables: dict[str, pd.DataFrame],
                    sink: ProblemSink) -> None:
    keys: dict[str, set[str]] = {}
    for table, frame in tables.items():
        key = table_key(table)
        ids = frame[key]
        dup = ids.notna() & ids.duplicated(keep="first")
        for idx in np.flatnonzero(dup.to_numpy()):
            first = int(np.flatnonzero((ids == ids.iloc[idx]).to_numpy())[0])
            sink.add(raw.location(table, idx, key if raw.doc is not None else None), "E-DUPLICATE-ID",
                     f"编号“{ids.iloc[idx]}”重复（首次出现于 {raw.location(table, first)}）",
                     f"duplicate id {ids.iloc[idx]!r} (first at {raw.location(table, first)})", ids.iloc[idx])
        keys[table] = set(ids.dropna())
    for table, frame in tables.items():
        for spec in column_specs(table):
            if spec.ref is None or spec.name not in frame.columns:
                continue
            col = frame[spec.name]
            dangling = col.notna() & ~col.isin(keys.get(spec.ref, set()))
            for idx in np.flatnonzero(dangling.to_numpy()):
                where = raw.location(table, int(idx), spec.name if raw.doc is not None else spec.label_zh)
                sink.add(where, "E-DANGLING-REF",
                         f"“{spec.label_zh}”引用了不存在的{TABLES[spec.ref][1]}“{col.iloc[idx]}”",
                         f"{spec.name} refers to an unknown {spec.ref} record {col.iloc[idx]!r}", col.iloc[idx])
    code = header.get("jurisdiction")
    if code is not None and code not in keys.get("jurisdictions", set()):
        sink.add(raw.header_location("jurisdiction"), "E-DANGLING-REF",
                 f"报送单位代码“{code}”不在行政区表中", f"submitting jurisdiction {code!r} is not in the jurisdiction table", code)

