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
from datetime import date
from functools import lru_cache
from typing import Any, Callable

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .dates import DateParseError, day_number, from_day, parse_date
from .errors import Location, ProblemSink
from .load.base import RawSubmission
from .load.tabular import arrow_text, blank_of_trimmed, is_text_dtype
from .load.tabular import blank as blank_cells
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
# *distinct* value is handled once and the result spread back with numpy. Columns are worked
# on as numpy and Arrow arrays rather than pandas Series: a county is ~90 columns of a few
# thousand cells, where pandas' overhead per operation, not the cells, was the cost. Text is
# trimmed and matched with the Arrow kernels pandas itself uses for its text columns, so the
# results are those of the pandas formulation this replaced (tests/load/test_validate_columns.py).

_BOOL = {"true": True, "false": False, "1": True, "0": False, "是": True, "否": False,
         "y": True, "n": False, "yes": True, "no": False}

def _kind(s: pd.Series) -> str:
    """What an object column holds (``string``, ``integer``, ``mixed`` …), skipping missing."""
    if is_text_dtype(s):
        return "string"
    try:
        return str(pd.api.types.infer_dtype(s, skipna=True))
    except TypeError:
        return "mixed"


def _np_bool(a: Any) -> np.ndarray:
    """An Arrow boolean result as numpy (missing → False)."""
    return pc.fill_null(a, False).to_numpy(zero_copy_only=False)


def _factorize(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values); missing cells get code -1."""
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        return np.asarray(codes), np.asarray(uniques, dtype=object)
    except TypeError:  # unhashable cells (a list where a scalar belongs): each is its own value
        values = s.to_numpy(dtype=object)
        codes = np.array([-1 if _isna(v) else i for i, v in enumerate(values)], dtype=np.int64)
        return codes, values


def _per_value(s: pd.Series, fn: Callable[[Any], Any]) -> np.ndarray:
    """``s.map(fn)`` evaluated once per distinct value (objects; missing → None)."""
    codes, uniques = _factorize(s)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        mapped[i] = fn(u)
    mapped[-1] = None
    return mapped[codes]


def _isna(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def _cell_text(v: Any) -> str:
    # A code typed as a number in Excel arrives as 450802 or 450802.0: its text is "450802".
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _text(s: pd.Series) -> tuple[np.ndarray, pa.Array | None]:
    """Stripped text of each cell as objects (missing: None or NaN), and, for text columns,
    the same as an Arrow array."""
    kind = _kind(s)
    if kind == "string":
        t = pc.utf8_trim_whitespace(arrow_text(s))
        return t.to_numpy(zero_copy_only=False), t
    if kind in ("integer", "empty") or pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("string").astype("str").to_numpy(dtype=object), None
    return _per_value(s, _cell_text), None


# What the pandas formulation did: ``.str.fullmatch`` on Arrow text, which runs RE2 on
# ``^((pattern)$)``, except for patterns with escapes such as \d (Unicode-aware in Python) or
# anchors, for which pandas decides per column between RE2 and Python's re. On the other
# patterns (literals, explicit classes, quantifiers: the ids and codes of the schema) RE2 and
# Python's re.fullmatch agree; RE2 compiles the pattern on every call (~0.2 ms), so columns
# with fewer distinct texts are matched with Python's re, once per distinct text.
_RE2_UNSAFE = re.compile(r"\\[A-Za-z0-9]|\(\?|\$|\[:")
_RE2_MIN_DISTINCT = 4096


def _re2(pattern: str) -> str:
    return f"^(({pattern})$)"


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> "re.Pattern[str]":
    return re.compile(pattern)


def _fullmatch(pattern: str, text: np.ndarray, arrow: pa.Array | None, present: np.ndarray) -> np.ndarray:
    """Which present cells of ``text`` (stripped text, also as ``arrow`` when it is Arrow
    text) match ``pattern`` in full, as ``.str.fullmatch`` on pandas' Arrow text decides."""
    if _RE2_UNSAFE.search(pattern):
        series = pd.Series(np.where(present, text, ""), dtype=object).astype("str")
        return series.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    if arrow is not None:  # distinct values and membership by Arrow's hashing: no Python str per cell
        distinct = pc.unique(arrow)
        if len(distinct) >= _RE2_MIN_DISTINCT:
            return _np_bool(pc.match_substring_regex(arrow, _re2(pattern)))
        rx = _compiled(pattern)
        matching = [v for v in distinct.to_pylist() if v is not None and rx.fullmatch(v)]
        return _np_bool(pc.is_in(arrow, value_set=pa.array(matching, type=arrow.type)))
    cells = text[present]
    distinct = set(cells)
    if len(distinct) >= _RE2_MIN_DISTINCT:
        texts = pa.array(np.where(present, text, ""), type=pa.large_string(), from_pandas=True)
        return _np_bool(pc.match_substring_regex(texts, _re2(pattern)))
    rx = _compiled(pattern)
    good = {v for v in distinct if rx.fullmatch(v)}
    ok = np.zeros(len(text), dtype=bool)
    ok[present] = np.fromiter(map(good.__contains__, cells), dtype=bool, count=len(cells))
    return ok


def _objects(text: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The contract's representation: objects, ``None`` where nothing was given."""
    out = text.astype(object, copy=True)
    out[~present] = None
    return out


def _coerce(spec: ColumnSpec, s: pd.Series, report: Callable[..., None], excel: bool) -> pd.Series:
    """Typed column as a Series; ``report(mask, code, zh, en)`` is told about every bad cell."""
    values = _typed(spec, s, report, excel)
    return pd.Series(values, index=s.index, dtype=values.dtype, copy=False)


def _typed(spec: ColumnSpec, s: pd.Series, report: Callable[..., None], excel: bool) -> Any:
    """Typed cells of one column (a numpy or pandas array); every bad cell is reported as
    ``report(mask, code, zh, en)`` with a numpy mask."""
    t = spec.type
    text, arrow = _text(s) if t == "string" else (None, None)
    # Blank: missing or only whitespace (for text, read off the stripped text: one pass less).
    if text is None:
        blank = blank_cells(s)
    elif arrow is not None:
        blank = blank_of_trimmed(arrow)
    else:
        blank = pd.isna(text) | (text == "")
    if spec.required:
        report(blank, "E-REQUIRED", f"“{spec.label_zh}”不能为空", f"{spec.name} must not be empty")
    present = ~blank
    if text is not None:
        if spec.enum is not None:
            if arrow is not None:
                inside = _np_bool(pc.is_in(arrow, value_set=pa.array(spec.enum, type=arrow.type)))
            else:
                allowed = set(spec.enum)
                inside = np.fromiter((v in allowed for v in text), dtype=bool, count=len(text))
            report(present & ~inside, "E-ENUM",
                   f"“{spec.label_zh}”取值不在允许范围内（{'、'.join(spec.enum)}）",
                   f"{spec.name} must be one of: {', '.join(spec.enum)}")
        if spec.pattern is not None:
            pattern = spec.pattern.strip("^$")
            ok = _fullmatch(pattern, text, arrow, present)
            report(present & ~ok, "E-PATTERN", f"“{spec.label_zh}”格式不符", f"{spec.name} does not match {spec.pattern}")
        return _objects(text, present)
    if t in ("number", "integer"):
        return _numbers(spec, s, present, report)
    if t == "boolean":
        if pd.api.types.is_bool_dtype(s.dtype):
            return s.fillna(False).astype(bool).to_numpy()
        out = _per_value(s, _to_bool)
        report(present & pd.isna(out), "E-BOOL", f"“{spec.label_zh}”应为 是/否",
               f"{spec.name} must be yes/no (true/false)")
        return present & (out == True)  # noqa: E712 - elementwise on objects
    if t == "date":
        return _coerce_dates(spec, s, present, report, excel)
    if t == "list":
        cells = s.to_numpy(dtype=object)
        out = np.empty(len(cells), dtype=object)
        for i in range(len(cells)):
            v = cells[i]
            out[i] = ([str(x).strip() for x in v] if isinstance(v, (list, tuple, np.ndarray))
                      else split_units(str(v))) if present[i] else []
        if spec.min_length:
            short = np.fromiter((len(v) < spec.min_length for v in out), dtype=bool, count=len(out))
            report(present & short, "E-EMPTY-VALUE", f"“{spec.label_zh}”不能为空", f"{spec.name} must not be empty")
        return out
    raise AssertionError(f"unhandled column type {t}")


def _numbers(spec: ColumnSpec, s: pd.Series, present: np.ndarray, report: Callable[..., None]) -> Any:
    t = spec.type
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        if isinstance(s.dtype, np.dtype):
            num = s.to_numpy().astype(float)
        else:
            num = pd.to_numeric(s, errors="coerce").astype(float).to_numpy()
    else:
        text = _text(s)[0].astype(object, copy=True)
        text[~present] = np.nan
        num = np.asarray(pd.to_numeric(text, errors="coerce"), dtype=float)
        retry = present & np.isnan(num)
        if retry.any():  # full-width digits (１２３) and the like: normalise just those cells
            again = pd.Series(_per_value(s[retry], _nfkc), dtype=object)
            num[retry] = pd.to_numeric(again, errors="coerce").astype(float).to_numpy()
    bad = present & ~np.isfinite(num)  # missing, "inf" and "nan" are not numbers
    report(bad, "E-NUMBER", f"“{spec.label_zh}”应为数字（不带千分位逗号）",
           f"{spec.name} must be a number (no thousands separators)")
    ok = present & ~bad
    with np.errstate(invalid="ignore"):
        frac = ok & (np.where(np.isnan(num), 0.0, num) % 1 != 0)
    if t == "integer":
        report(frac, "E-NUMBER", f"“{spec.label_zh}”应为整数", f"{spec.name} must be a whole number")
        # Beyond 2**53 a float is no longer exact and Int64 may overflow: refuse, never crash.
        with np.errstate(invalid="ignore"):
            huge = ok & ~frac & (np.abs(num) > 2**53)
        report(huge, "E-RANGE", f"“{spec.label_zh}”数值过大", f"{spec.name} is too large (at most 2^53)")
        ok = ok & ~huge
    with np.errstate(invalid="ignore"):
        if spec.minimum is not None:
            report(ok & (num < spec.minimum), "E-RANGE", f"“{spec.label_zh}”不能小于 {spec.minimum:g}",
                   f"{spec.name} must be at least {spec.minimum:g}")
        if spec.maximum is not None:
            report(ok & (num > spec.maximum), "E-RANGE", f"“{spec.label_zh}”不能大于 {spec.maximum:g}",
                   f"{spec.name} must be at most {spec.maximum:g}")
    num = np.where(ok, num, np.nan)
    if t == "integer" and not frac.any():
        return pd.arrays.IntegerArray(np.where(ok, num, 0).astype(np.int64), ~ok)
    return num


def _nfkc(v: Any) -> Any:
    return unicodedata.normalize("NFKC", v).strip() if isinstance(v, str) else v


def _to_bool(v: Any) -> bool | None:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    return _BOOL.get(str(_nfkc(v)).lower())


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(v: str) -> int | None:
    """Day number of a plain ``YYYY-MM-DD`` (the common spelling), else None."""
    if len(v) == 10 and _ISO_DAY.fullmatch(v):
        try:
            return day_number(date.fromisoformat(v))
        except ValueError:
            return None
    return None


def _coerce_dates(spec: ColumnSpec, s: pd.Series, present: np.ndarray, report: Callable[..., None],
                  excel: bool) -> Any:
    n = len(s)
    days = np.zeros(n, dtype=np.int64)
    missing = np.ones(n, dtype=bool)
    if not present.any():
        return pd.arrays.IntegerArray(days, missing)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):  # Parquet dates and timestamps
        stamps = s.dt.tz_localize(None).to_numpy() if getattr(s.dt, "tz", None) is not None else s.to_numpy()
        days[present] = stamps[present].astype("datetime64[D]").astype(np.int64)
        missing[present] = False
        return pd.arrays.IntegerArray(days, missing)
    # Each distinct value once: ISO dates as pandas' to_datetime(format="%Y-%m-%d") reads them,
    # the rest by parse_date (errors grouped by reason, in order of first appearance).
    where = np.flatnonzero(present)
    if is_text_dtype(s):  # Arrow text: distinct values by Arrow's dictionary encoding
        encoded = pc.dictionary_encode(arrow_text(s).take(pa.array(where)))
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        uniques = np.array(encoded.dictionary.to_pylist() + [None], dtype=object)[:-1]
    else:
        codes, uniques = _factorize(s.iloc[where].astype(object))
    day_of = np.zeros(len(uniques), dtype=np.int64)
    ok = np.zeros(len(uniques), dtype=bool)
    other: list[int] = []
    for i, u in enumerate(uniques):
        d = _iso_day(u) if type(u) is str else None
        if d is None:
            other.append(i)
        else:
            day_of[i], ok[i] = d, True
    texts = [i for i in other if isinstance(uniques[i], str)]
    if texts:
        fast = pd.to_datetime(pd.Series([uniques[i] for i in texts], dtype=object), format="%Y-%m-%d",
                              errors="coerce")
        for i, stamp in zip(texts, fast):
            if stamp is not pd.NaT:
                day_of[i], ok[i] = day_number(stamp.date()), True
    why: dict[tuple[str, str], list[int]] = {}
    for i in other:
        if ok[i]:
            continue
        try:
            day_of[i], ok[i] = day_number(parse_date(uniques[i], allow_excel_serial=excel)), True
        except DateParseError as e:
            why.setdefault((e.why_zh, e.why_en), []).append(i)
    good = codes >= 0
    good[good] = ok[codes[good]]
    days[where[good]] = day_of[codes[good]]
    missing[where[good]] = False
    for (zh, en), ids in why.items():
        mask = np.zeros(n, dtype=bool)
        mask[where[np.isin(codes, ids)]] = True
        report(mask, "E-DATE", f"“{spec.label_zh}”日期无效：{zh}", f"{spec.name} is not a valid date: {en}")
    return pd.arrays.IntegerArray(days, missing)


def coerce_table(raw: RawSubmission, table: str, frame: pd.DataFrame, sink: ProblemSink) -> pd.DataFrame:
    """Typed frame for one table (same row order, plus ``_row``: the record's position)."""
    excel = raw.format == "xlsx"
    if len(frame) == 0 and frame.empty:  # most tables of a submission are empty: skip the column work
        return _empty_typed(table)
    n = len(frame)
    index = pd.RangeIndex(n)
    if not frame.index.equals(index):
        frame = frame.reset_index(drop=True)
    names = set(frame.columns)
    out: dict[str, pd.Series] = {}
    for spec in column_specs(table):
        absent = spec.name not in names
        col = pd.Series([None] * n, dtype=object) if absent else frame[spec.name]

        def report(mask: np.ndarray, code: str, zh: str, en: str, _spec: ColumnSpec = spec,
                   _col: pd.Series = col, _absent: bool = absent) -> None:
            if _absent and code == "E-REQUIRED" and raw.doc is None:
                return  # the loader reported the missing column once; not once per row
            mask = _mask(mask)
            if not mask.any():
                return
            for idx in np.flatnonzero(mask):
                if len(sink.problems) > sink.limit:
                    return
                sink.add(raw.location(table, int(idx), _spec.name), code, zh, en, _col.iloc[idx])
        values = _typed(spec, col, report, excel)
        # Explicit dtype keeps objects objects; one shared index spares the frame a reindex per column.
        out[spec.name] = pd.Series(values, index=index, dtype=values.dtype, copy=False)
    out["_row"] = pd.Series(np.arange(n, dtype=np.int64), index=index, copy=False)
    return pd.DataFrame(out, index=index, copy=False)


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

        def report(mask: np.ndarray, code: str, zh: str, en: str, _name: str = spec.name) -> None:
            if bool(mask[0]):
                sink.add(raw.header_location(_name), code, zh, en, value)
        v = _typed(spec, frame, report, raw.format == "xlsx")[0]
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
    # Typed ids and references are text or None: Python sets answer "any duplicate?" and "any
    # dangling?" at C speed; pandas finds the rows only when the answer is yes.
    keys: dict[str, set[Any]] = {}
    referenced = {s.ref for t in tables for s in column_specs(t) if s.ref is not None} | {"jurisdictions"}
    for table, frame in tables.items():
        key = table_key(table)
        ids = frame[key]
        distinct = set(ids.to_numpy())
        if len(distinct) < len(ids):  # a repeated value (possibly only blanks)
            present = ids.notna()
            dup = (present & ids.duplicated(keep="first")).to_numpy(dtype=bool)
        else:
            dup = np.zeros(0, dtype=bool)
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
            keys[table] = {v for v in distinct if not _isna(v)}
    for table, frame in tables.items():
        if frame.empty:
            continue  # no records, no references (most tables of a submission)
        for spec in column_specs(table):
            if spec.ref is None or spec.name not in frame.columns:
                continue
            col = frame[spec.name]
            target = keys.get(spec.ref, set())
            if all(_isna(v) for v in set(col.to_numpy()) - target):
                continue
            dangling = (col.notna() & ~col.isin(list(target))).to_numpy(dtype=bool)
            for idx in np.flatnonzero(dangling):
                if len(sink.problems) > sink.limit:
                    return
                sink.add(raw.location(table, int(idx), spec.name), "E-DANGLING-REF",
                         f"“{spec.label_zh}”引用了不存在的{TABLES[spec.ref][1]}“{col.iloc[idx]}”",
                         f"{spec.name} refers to {col.iloc[idx]!r}, which is not in the {spec.ref} table", col.iloc[idx])
    code = header.get("jurisdiction")
    if code is not None and code not in keys.get("jurisdictions", set()):
        sink.add(raw.header_location("jurisdiction"), "E-DANGLING-REF",
                 f"报送单位代码“{code}”不在行政区表中", f"submitting jurisdiction {code!r} is not in the jurisdiction table", code)
