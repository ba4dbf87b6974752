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
from typing import Any, Callable

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .dates import DateParseError, day_number, from_day, parse_date
from .errors import Location, ProblemSink
from .load.base import RawSubmission
from .model import TABLES, table_key
from .schema import ColumnSpec, column_specs, submission_schema
from .schemacheck import suspects
from .units import split_units

if TYPE_CHECKING:  # jsonschema is imported only when a document may be invalid
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


def _is_date(value: object) -> bool:
    if isinstance(value, str):
        parse_date(value)
    return True


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    """The submission schema, generated once per process."""
    return submission_schema()


@lru_cache(maxsize=1)
def _validator() -> "Draft202012Validator":
    """jsonschema for the top level only: each table's ``items`` is left out, because records
    are validated one by one (:func:`check_document`), and only those that may be invalid."""
    import copy

    from jsonschema import Draft202012Validator, FormatChecker
    formats = FormatChecker(formats=())
    formats.checks("date", raises=DateParseError)(_is_date)
    schema = copy.deepcopy(_schema())
    for sub in schema.get("properties", {}).values():
        if isinstance(sub, dict) and sub.get("type") == "array":
            sub.pop("items", None)
    return Draft202012Validator(schema, format_checker=formats)


def _table_items(table: str) -> Any:
    return _schema()["properties"][table]["items"]


def _pointer(path: Any) -> str:
    return "".join(f"/{_escape(str(p))}" for p in path)


def _translate(e: "ValidationError") -> tuple[str, str, str]:
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
        want = e.validator_value if isinstance(e.validator_value, str) else "/".join(e.validator_value)
        got = _json_type(e.instance)
        hint_zh = "（编号、代码等文本请加引号）" if want == "string" and got in ("integer", "number") else ""
        hint_en = " (quote ids and codes)" if hint_zh else ""
        return ("E-TYPE", f"类型错误：应为 {_TYPE_ZH.get(want, want)}，实为 {_TYPE_ZH.get(got, got)}{hint_zh}",
                f"wrong type: expected {want}, got {got}{hint_en}")
    if kw == "format" and isinstance(e.cause, DateParseError):
        return "E-DATE", f"日期“{e.instance}”无效：{e.cause.why_zh}", f"invalid date {e.instance!r}: {e.cause.why_en}"
    if kw == "pattern":
        return "E-PATTERN", f"“{e.instance}”格式不符（{e.validator_value}）", f"{e.instance!r} does not match {e.validator_value}"
    if kw in ("minimum", "exclusiveMinimum"):
        return "E-RANGE", f"数值 {e.instance} 小于下限 {e.validator_value}", f"{e.instance} is below the minimum {e.validator_value}"
    if kw in ("maximum", "exclusiveMaximum"):
        return "E-RANGE", f"数值 {e.instance} 大于上限 {e.validator_value}", f"{e.instance} is above the maximum {e.validator_value}"
    if kw in ("minLength", "minItems"):
        name = str(e.absolute_path[-1]) if e.absolute_path else ""
        return ("E-EMPTY-VALUE", f"“{name}”不能为空" if name else "不能为空",
                f"{name} must not be empty" if name else "must not be empty")
    return "E-SCHEMA", e.message, e.message


_TYPE_ZH = {"string": "文本 string", "integer": "整数 integer", "number": "数字 number", "boolean": "布尔 boolean",
            "array": "列表 array", "object": "对象 object", "null": "空 null"}


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def document_errors(doc: Any) -> list["ValidationError"]:
    """Every jsonschema error of ``doc``, in the order validating it whole would sort them.

    The column-wise pre-check (:mod:`checker.schemacheck`) says which parts may be invalid;
    jsonschema validates only those: the top level (header fields, tables being arrays)
    with the table ``items`` left out, and each suspect record with its table's ``items``
    schema, its path prefixed as validating the whole document would. Errors of different
    records never share a path, so the stable sort gives exactly the whole-document order.
    """
    top_ok, rows = suspects(doc, _schema())
    if top_ok and not rows:
        return []
    validator = _validator()
    errors = [] if top_ok else list(validator.iter_errors(doc))
    for table, positions in rows.items():
        items = _table_items(table)
        records = doc[table]
        for i in positions:
            for e in validator.descend(records[i], items, path=i):
                e.path.appendleft(table)
                errors.append(e)
    return sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])


def check_document(raw: RawSubmission, sink: ProblemSink) -> None:
    assert raw.doc is not None
    errors = document_errors(raw.doc)
    for e in errors:
        # anyOf (nullable fields) wraps the useful error; report the most specific one.
        if e.context:
            e = min(e.context, key=lambda c: (c.validator == "type", len(c.absolute_path)))
        pointer = _pointer(e.absolute_path)
        if e.validator == "additionalProperties" and isinstance(e.instance, dict):
            # One problem per unknown key, pointing at the key itself.
            allowed = set(e.schema.get("properties", {}))
            for key in sorted(k for k in e.instance if k not in allowed):
                sink.add(Location(raw.file, pointer=f"{pointer}/{_escape(key)}"), "E-UNKNOWN-FIELD",
                         f"未知字段“{key}”", f"unknown field {key!r}", key)
            continue
        code, zh, en = _translate(e)
        if e.validator == "required":  # point at where the missing field belongs
            missing = re.findall(r"'([^']+)'", e.message)
            if missing:
                pointer = f"{pointer}/{_escape(missing[0])}"
        sink.add(Location(raw.file, pointer=pointer), code, zh, en,
                 None if isinstance(e.instance, (dict, list)) else e.instance)


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


# --------------------------------------------------------------------------- column coercion
#
# Every check here works on whole columns: a million-row patrol table must not cost a Python
# call per cell. Where a value needs Python (an unusual date spelling, a yes/no word), each
# *distinct* value is handled once (``_per_value``) and the result spread back with numpy.

_BOOL = {"true": True, "false": False, "1": True, "0": False, "是": True, "否": False,
         "y": True, "n": False, "yes": True, "no": False}


def _is_text_dtype(s: pd.Series) -> bool:
    """pandas' own string dtype (CSV and Parquet text), as opposed to object columns."""
    return s.dtype != object and pd.api.types.is_string_dtype(s.dtype)


def _kind(s: pd.Series) -> str:
    """What an object column holds (``string``, ``integer``, ``mixed`` …), skipping missing."""
    if _is_text_dtype(s):
        return "string"
    try:
        return str(pd.api.types.infer_dtype(s, skipna=True))
    except TypeError:
        return "mixed"


def _blank(s: pd.Series) -> pd.Series:
    na = s.isna()
    if s.dtype != object and not _is_text_dtype(s):
        return na
    if _kind(s) == "string":
        return na | s.str.strip().eq("").fillna(False).astype(bool)
    return na | s.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)


def _factorize(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values); missing cells get code -1."""
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        return np.asarray(codes), np.asarray(uniques, dtype=object)
    except TypeError:  # unhashable cells (a list where a scalar belongs): each is its own value
        values = s.to_numpy(dtype=object)
        codes = np.array([-1 if _isna(v) else i for i, v in enumerate(values)], dtype=np.int64)
        return codes, values


def _per_value(s: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``s.map(fn)`` evaluated once per distinct value (object result; missing → None)."""
    codes, uniques = _factorize(s)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        mapped[i] = fn(u)
    mapped[-1] = None
    return pd.Series(mapped[codes], index=s.index, dtype=object)


def _isna(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def _cell_text(v: Any) -> str:
    # A code typed as a number in Excel arrives as 450802 or 450802.0: its text is "450802".
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _text(s: pd.Series) -> pd.Series:
    """Stripped text of each cell (missing stays missing), column-wise where possible."""
    if _is_text_dtype(s):
        return s.str.strip()
    kind = _kind(s)
    if kind == "string":
        return s.astype("str").str.strip()
    if kind in ("integer", "empty") or pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("string").astype("str")
    return _per_value(s, _cell_text)


def _objects(s: pd.Series, present: pd.Series) -> pd.Series:
    """The contract's representation: object dtype, ``None`` where nothing was given."""
    return s.astype(object).where(present.to_numpy(dtype=bool), None)


def _coerce(spec: ColumnSpec, s: pd.Series, report: Any, excel: bool) -> pd.Series:
    """Typed column; ``report(mask, code, zh, en)`` is told about every bad cell."""
    t = spec.type
    text = _text(s) if t == "string" else None
    # Blank: missing or only whitespace (for text, read off the stripped text: one pass less).
    blank = _blank(s) if text is None else (text.isna() | text.eq("").fillna(False)).astype(bool)
    if spec.required:
        report(blank, "E-REQUIRED", f"“{spec.label_zh}”不能为空", f"{spec.name} must not be empty")
    present = ~blank
    if text is not None:
        if spec.enum is not None:
            report(present & ~text.isin(spec.enum), "E-ENUM",
                   f"“{spec.label_zh}”取值不在允许范围内（{'、'.join(spec.enum)}）",
                   f"{spec.name} must be one of: {', '.join(spec.enum)}")
        if spec.pattern is not None:
            ok = text.where(present, "").astype("str").str.fullmatch(spec.pattern.strip("^$"))
            report(present & ~ok.fillna(False).astype(bool), "E-PATTERN", f"“{spec.label_zh}”格式不符",
                   f"{spec.name} does not match {spec.pattern}")
        return _objects(text, present)
    if t in ("number", "integer"):
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            num = pd.to_numeric(s, errors="coerce").astype(float)
        else:
            text = _text(s).where(present)
            num = pd.to_numeric(text, errors="coerce").astype(float)
            retry = present & num.isna()
            if retry.any():  # full-width digits (１２３) and the like: normalise just those cells
                num[retry] = pd.to_numeric(_per_value(s[retry], _nfkc), errors="coerce").astype(float)
        bad = present & ~np.isfinite(num.fillna(np.nan))  # missing, "inf" and "nan" are not numbers
        report(bad, "E-NUMBER", f"“{spec.label_zh}”应为数字（不带千分位逗号）",
               f"{spec.name} must be a number (no thousands separators)")
        ok = present & ~bad
        frac = ok & (num.fillna(0) % 1 != 0)
        if t == "integer":
            report(frac, "E-NUMBER", f"“{spec.label_zh}”应为整数", f"{spec.name} must be a whole number")
            # Beyond 2**53 a float is no longer exact and Int64 may overflow: refuse, never crash.
            huge = ok & ~frac & (num.abs() > 2**53)
            report(huge, "E-RANGE", f"“{spec.label_zh}”数值过大", f"{spec.name} is too large (at most 2^53)")
            ok = ok & ~huge
        if spec.minimum is not None:
            report(ok & (num < spec.minimum), "E-RANGE", f"“{spec.label_zh}”不能小于 {spec.minimum:g}",
                   f"{spec.name} must be at least {spec.minimum:g}")
        if spec.maximum is not None:
            report(ok & (num > spec.maximum), "E-RANGE", f"“{spec.label_zh}”不能大于 {spec.maximum:g}",
                   f"{spec.name} must be at most {spec.maximum:g}")
        num = num.where(ok)
        return num.astype("Int64") if t == "integer" and not frac.any() else num
    if t == "boolean":
        if pd.api.types.is_bool_dtype(s.dtype):
            return s.fillna(False).astype(bool)
        out = _per_value(s, _to_bool)
        report(present & out.isna(), "E-BOOL", f"“{spec.label_zh}”应为 是/否", f"{spec.name} must be yes/no (true/false)")
        return out.where(present, False).fillna(False).astype(bool)
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


def _nfkc(v: Any) -> Any:
    return unicodedata.normalize("NFKC", v).strip() if isinstance(v, str) else v


def _to_bool(v: Any) -> bool | None:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    return _BOOL.get(str(_nfkc(v)).lower())


def _coerce_dates(spec: ColumnSpec, s: pd.Series, present: pd.Series, report: Any, excel: bool) -> pd.Series:
    out = pd.Series(pd.NA, index=s.index, dtype="Int64")
    vals = s[present]
    if vals.empty:
        return out
    if pd.api.types.is_datetime64_any_dtype(vals.dtype):  # Parquet dates and timestamps
        if getattr(vals.dt, "tz", None) is not None:
            vals = vals.dt.tz_localize(None)
        out[vals.index] = vals.to_numpy().astype("datetime64[D]").astype(np.int64)
        return out
    # ISO dates, the common case, in one vectorised pass; the rest once per distinct value.
    text = vals if _kind(vals) == "string" else vals.where(vals.map(lambda v: isinstance(v, str)))
    fast = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    done = fast.notna().to_numpy(dtype=bool)
    out[vals.index[done]] = fast[done].to_numpy().astype("datetime64[D]").astype(np.int64)
    slow = vals[~done].astype(object)
    if slow.empty:
        return out
    codes, uniques = _factorize(slow)
    days = np.zeros(len(uniques), dtype=np.int64)
    why: dict[tuple[str, str], list[int]] = {}
    for i, v in enumerate(uniques):
        try:
            days[i] = day_number(parse_date(v, allow_excel_serial=excel))
        except DateParseError as e:
            why.setdefault((e.why_zh, e.why_en), []).append(i)
    bad = np.zeros(len(uniques), dtype=bool)
    for i in (i for ids in why.values() for i in ids):
        bad[i] = True
    good = codes >= 0
    good[good] = ~bad[codes[good]]
    out[slow.index[good]] = days[codes[good]]
    for (zh, en), ids in why.items():
        mask = pd.Series(False, index=s.index)
        mask[slow.index[np.isin(codes, ids)]] = True
        report(mask, "E-DATE", f"“{spec.label_zh}”日期无效：{zh}", f"{spec.name} is not a valid date: {en}")
    return out


def coerce_table(raw: RawSubmission, table: str, frame: pd.DataFrame, sink: ProblemSink) -> pd.DataFrame:
    """Typed frame for one table (same row order, plus ``_row``: the record's position)."""
    excel = raw.format == "xlsx"
    frame = frame.reset_index(drop=True)
    if frame.empty and len(frame) == 0:  # most tables of a submission are empty: skip the column work
        return _empty_typed(table)
    out: dict[str, pd.Series] = {}
    for spec in column_specs(table):
        absent = spec.name not in frame.columns
        col = pd.Series([None] * len(frame), dtype=object) if absent else frame[spec.name]

        def report(mask: pd.Series, code: str, zh: str, en: str, _spec: ColumnSpec = spec,
                   _col: pd.Series = col, _absent: bool = absent) -> None:
            if _absent and code == "E-REQUIRED" and raw.doc is None:
                return  # the loader reported the missing column once; not once per row
            for idx in np.flatnonzero(_mask(mask)):
                if len(sink.problems) > sink.limit:
                    return
                sink.add(raw.location(table, int(idx), _spec.name), code, zh, en, _col.iloc[idx])
        out[spec.name] = _coerce(spec, col, report, excel)
    typed = pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
    typed["_row"] = np.arange(len(frame), dtype=np.int64)
    return typed


_EMPTY_DTYPES = {"string": object, "list": object, "number": "float64", "integer": "Int64", "date": "Int64",
                 "boolean": "bool"}


def _empty_typed(table: str) -> pd.DataFrame:
    """What :func:`coerce_table` gives for a table without records (same columns and dtypes)."""
    return _empty_template(table).copy()


@lru_cache(maxsize=None)
def _empty_template(table: str) -> pd.DataFrame:
    cols = {s.name: pd.Series([], dtype=_EMPTY_DTYPES[s.type]) for s in column_specs(table)}
    typed = pd.DataFrame(cols, index=pd.RangeIndex(0))
    typed["_row"] = np.arange(0, dtype=np.int64)
    return typed


def _mask(mask: pd.Series) -> np.ndarray:
    if isinstance(mask, pd.Series):
        return mask.fillna(False).to_numpy(dtype=bool)
    return np.asarray(mask, dtype=bool)


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

def _short(loc: Location) -> tuple[str, str]:
    """How a message names another record of the same table: (zh, en)."""
    if loc.pointer is not None:
        return f" {loc.pointer}", loc.pointer
    return f"第 {loc.row} 行", f"row {loc.row}"


def check_integrity(raw: RawSubmission, header: dict[str, Any], tables: dict[str, pd.DataFrame],
                    sink: ProblemSink) -> None:
    """Duplicate ids and references to records that do not exist (column-wise)."""
    keys: dict[str, pd.Index] = {}
    referenced = {s.ref for t in tables for s in column_specs(t) if s.ref is not None} | {"jurisdictions"}
    for table, frame in tables.items():
        key = table_key(table)
        ids = frame[key]
        present = ids.notna()
        dup = (present & ids.duplicated(keep="first")).to_numpy(dtype=bool)
        if dup.any():
            repeated = ids[dup]
            firsts = ids[present.to_numpy(dtype=bool) & ~dup & ids.isin(repeated).to_numpy(dtype=bool)]
            first_at = dict(zip(firsts.tolist(), firsts.index.tolist()))
            for idx in np.flatnonzero(dup):
                value = ids.iloc[idx]
                zh, en = _short(raw.location(table, int(first_at[value])))
                sink.add(raw.location(table, int(idx), key), "E-DUPLICATE-ID",
                         f"编号“{value}”重复（首次出现于{zh}）", f"duplicate id {value!r} (first at {en})", value)
        if table in referenced:
            keys[table] = pd.Index(ids[present].unique())
    for table, frame in tables.items():
        if frame.empty:
            continue  # no records, no references (most tables of a submission)
        for spec in column_specs(table):
            if spec.ref is None or spec.name not in frame.columns:
                continue
            col = frame[spec.name]
            target = keys.get(spec.ref, pd.Index([]))
            dangling = (col.notna() & ~col.isin(target)).to_numpy(dtype=bool)
            for idx in np.flatnonzero(dangling):
                if len(sink.problems) > sink.limit:
                    return
                sink.add(raw.location(table, int(idx), spec.name), "E-DANGLING-REF",
                         f"“{spec.label_zh}”引用了不存在的{TABLES[spec.ref][1]}“{col.iloc[idx]}”",
                         f"{spec.name} refers to {col.iloc[idx]!r}, which is not in the {spec.ref} table", col.iloc[idx])
    code = header.get("jurisdiction")
    if code is not None and code not in set(keys.get("jurisdictions", pd.Index([]))):
        sink.add(raw.header_location("jurisdiction"), "E-DANGLING-REF",
                 f"报送单位代码“{code}”不在行政区表中", f"submitting jurisdiction {code!r} is not in the jurisdiction table", code)
