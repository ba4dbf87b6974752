"""A fast, *sound* pre-check of a JSON/YAML document against the submission schema.

jsonschema walks a document one value at a time through Python generators: on a county's
26,000 patrol records that is seconds. Almost every document is valid, so
:func:`suspects` answers a cheaper question column-wise: which parts of the document might
be invalid? It compiles each property schema into a predicate that is *at least as strict*
as the schema (a value it accepts is certainly valid; a value it rejects may still be
valid), evaluates it once per distinct value of a column, and returns

* whether the document's top level (header fields, the tables being arrays, unknown or
  missing keys) is certainly valid, and
* for each table, the records that might be invalid.

:func:`checker.validate.check_document` then runs jsonschema only on what is suspect, so
the problems reported (codes, messages, JSON pointers, order) are exactly what validating
the whole document would give, and a valid document never imports jsonschema.

A keyword this module does not understand makes the whole schema part it occurs in
"suspect" (validated by jsonschema as before): new schema features cost speed, never
correctness.
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import repeat
from typing import Any, Callable

Pred = Callable[[Any], bool]

_ABSENT = object()  # a property the record does not have (required-ness is checked per row)
# Keywords that never make a value invalid.
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$comment", "x-label-zh", "x-ref"})
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "null": (type(None),), "array": (list,),
}


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any] | None:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    if len(schema) != 1 or not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return None
    target = root.get("$defs", {}).get(ref[len("#/$defs/"):])
    return target if isinstance(target, dict) else None


def compile_value(schema: Any, root: dict[str, Any]) -> Pred | None:
    """A predicate accepting only values that ``schema`` certainly accepts; None when the
    schema uses something this module does not model (callers then trust jsonschema)."""
    if not isinstance(schema, dict):
        return None
    tests: list[Pred] = []
    for kw, arg in schema.items():
        if kw in _ANNOTATIONS:
            continue
        test = _keyword(kw, arg, schema, root)
        if test is None:
            return None
        tests.append(test)
    if not tests:
        return lambda v: True
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:  # the common shapes, without a generator per value
        a, b = tests
        return lambda v: a(v) and b(v)
    if len(tests) == 3:
        a, b, c = tests
        return lambda v: a(v) and b(v) and c(v)
    return lambda v: all(t(v) for t in tests)


def _keyword(kw: str, arg: Any, schema: dict[str, Any], root: dict[str, Any]) -> Pred | None:
    # Every test checks the exact Python type (``type(v) is``), never isinstance: True is
    # not an integer here, 1.0 is not an integer either (stricter than jsonschema: sound).
    if kw == "$ref":  # 2020-12: a $ref applies alongside its sibling keywords
        target = _resolve({"$ref": arg}, root)
        return None if target is None else compile_value(target, root)
    if kw == "type":
        names = [arg] if isinstance(arg, str) else arg
        if not isinstance(names, list) or any(n not in _TYPES for n in names):
            return None
        allowed = frozenset(t for n in names for t in _TYPES[n])
        return lambda v: type(v) in allowed
    if kw in ("enum", "const"):
        values = arg if kw == "enum" else [arg]
        if not isinstance(values, list) or not all(type(x) is str for x in values):
            return None
        members = frozenset(values)
        return lambda v: type(v) is str and v in members
    if kw == "pattern":
        rx = re.compile(arg)
        return lambda v: type(v) is not str or rx.search(v) is not None
    if kw == "format":
        if arg != "date":
            return None
        return _is_date
    if kw in ("minimum", "maximum"):
        if type(arg) not in (int, float):
            return None
        if kw == "minimum":
            return lambda v: type(v) not in (int, float) or v >= arg
        return lambda v: type(v) not in (int, float) or v <= arg
    if kw == "minLength":
        return lambda v: type(v) is not str or len(v) >= arg
    if kw == "minItems":
        return lambda v: type(v) is not list or len(v) >= arg
    if kw == "items":
        inner = compile_value(arg, root)
        if inner is None:
            return None
        return lambda v: type(v) is not list or all(inner(x) for x in v)
    if kw == "anyOf":
        branches = [compile_value(b, root) for b in arg] if isinstance(arg, list) else [None]
        if any(b is None for b in branches):
            return None
        return lambda v: any(b(v) for b in branches)  # type: ignore[misc]
    return None


def _is_date(v: Any) -> bool:
    return type(v) is not str or _date_ok(v)  # the format ignores non-strings (``type`` judges them)


@lru_cache(maxsize=65536)
def _date_ok(text: str) -> bool:
    from .dates import DateParseError, parse_date
    try:
        parse_date(text)
    except DateParseError:
        return False
    except Exception:  # noqa: BLE001 - anything unexpected: let jsonschema decide
        return False
    return True


def _text_pattern(schema: Any, root: dict[str, Any]) -> "re.Pattern[str] | None":
    """The pattern that alone decides, for a text value, what :func:`compile_value` would
    (a string with a pattern, possibly nullable), or None. A column's distinct texts are
    then searched in bulk (:func:`_failing_texts`), not one predicate call each."""
    if not isinstance(schema, dict):
        return None
    keys = set(schema) - _ANNOTATIONS
    if keys == {"$ref"}:
        target = _resolve(schema, root)
        return None if target is None else _text_pattern(target, root)
    if keys == {"anyOf"} and isinstance(schema["anyOf"], list) and len(schema["anyOf"]) == 2:
        rest = [b for b in schema["anyOf"] if b != {"type": "null"}]
        return _text_pattern(rest[0], root) if len(rest) == 1 else None
    if keys == {"type", "pattern"} and schema["type"] == "string" and isinstance(schema["pattern"], str):
        return re.compile(schema["pattern"])
    return None


class _Record:
    """A compiled record (object) schema: allowed and required keys, one predicate per key."""

    def __init__(self, schema: dict[str, Any], root: dict[str, Any]) -> None:
        self.ok = True
        props = schema.get("properties")
        extra = set(schema) - _ANNOTATIONS - {"properties", "required", "additionalProperties", "type"}
        if (extra or schema.get("type") != "object" or schema.get("additionalProperties") is not False
                or not isinstance(props, dict)):
            self.ok = False
            props = {}
        self.allowed = frozenset(props)
        self.required = frozenset(schema.get("required") or ())
        self.preds: dict[str, Pred] = {}
        self.patterns: dict[str, re.Pattern[str]] = {}
        for name, sub in props.items():
            pred = compile_value(sub, root)
            if pred is None:
                self.ok = False
            else:
                self.preds[name] = pred
                rx = _text_pattern(sub, root)
                if rx is not None:
                    self.patterns[name] = rx


def _column_bad(pred: Pred, values: list[Any], rx: "re.Pattern[str] | None" = None) -> list[int]:
    """Positions whose value fails ``pred``, deciding once per distinct (type, value); with
    ``rx`` (see :func:`_text_pattern`) a column of texts is searched in bulk."""
    try:
        types = set(map(type, values))
        if len(types) == 1:  # one type: equal values are the same value (no 1 == 1.0 == True)
            distinct_values = set(values)
            if rx is not None and types == {str}:
                failing = _failing_texts(rx, distinct_values)
            else:
                failing = {v for v in distinct_values if v is not _ABSENT and not pred(v)}
            return [i for i, v in enumerate(values) if v in failing] if failing else []
        distinct = set(zip(map(type, values), values))
    except TypeError:  # unhashable values (lists): one by one
        return [i for i, v in enumerate(values) if v is not _ABSENT and not pred(v)]
    if rx is None:
        bad = {k for k in distinct if k[1] is not _ABSENT and not pred(k[1])}
    else:
        failing = _failing_texts(rx, {v for t, v in distinct if t is str})
        bad = {(str, v) for v in failing}
        bad |= {k for k in distinct if k[0] is not str and k[1] is not _ABSENT and not pred(k[1])}
    if not bad:
        return []
    return [i for i, k in enumerate(zip(map(type, values), values)) if k in bad]


# Patterns made of classes, plain characters and counted repeats between ``^`` and ``$`` mean
# the same to RE2 as to Python's re, except that RE2's ``$`` is stricter (not before a final
# newline): a text RE2 finds is one jsonschema (Python's re.search) accepts. Many distinct
# texts (a county's patrol ids) are searched by Arrow's RE2 at once; only the texts it does
# not find are searched again with Python's re, which decides.
_SIMPLE_PATTERN = re.compile(r"\^?(?:(?:\[(?:[^\\\[\]]|\\[^A-Za-z0-9])+\]|[A-Za-z0-9_:.-]|\\[^A-Za-z0-9])"
                             r"(?:\{[0-9]+(?:,[0-9]+)?\}|[?*+])?)+\$?")
_BULK_TEXTS = 4096


def _failing_texts(rx: "re.Pattern[str]", texts: set[str]) -> set[str]:
    """The texts ``rx.search`` does not find."""
    if len(texts) >= _BULK_TEXTS and _SIMPLE_PATTERN.fullmatch(rx.pattern):
        import pyarrow as pa
        import pyarrow.compute as pc
        ordered = list(texts)
        try:
            found = pc.match_substring_regex(pa.array(ordered, type=pa.large_string()), rx.pattern)
        except (pa.ArrowException, UnicodeError):  # e.g. a lone surrogate: not UTF-8
            pass
        else:
            if pc.all(found).as_py():
                return set()
            texts = {v for v, hit in zip(ordered, found.to_numpy(zero_copy_only=False)) if not hit}
    return {v for v in texts if rx.search(v) is None}


def suspect_rows(rows: list[Any], rec: _Record) -> list[int]:
    """Positions of the records of one table that might violate ``rec`` (ascending)."""
    if not rec.ok:
        return list(range(len(rows)))
    bad: set[int] = set()
    allowed, required = rec.allowed, rec.required
    columns: dict[str, list[Any]] = {}
    if set(map(type, rows)) <= {dict}:
        columns = {name: list(map(dict.get, rows, repeat(name), repeat(_ABSENT))) for name in rec.preds}
        held = sum(len(values) - values.count(_ABSENT) for values in columns.values())
        if allowed == columns.keys() and required <= allowed and sum(map(len, rows)) == held:
            # Every key of every record is an allowed one (the records' keys add up to the
            # allowed keys they hold): only a missing required key remains to be found.
            for name in required:
                values = columns[name]
                if _ABSENT in values:
                    bad.update(i for i, v in enumerate(values) if v is _ABSENT)
        else:
            # Records of a table share their keys, usually in one order: judge each key order once.
            orders = set(map(tuple, rows))
            wrong = {o for o in orders if not (allowed.issuperset(o) and required.issubset(o))}
            if wrong:
                bad.update(i for i, r in enumerate(rows) if tuple(r) in wrong)
        records = rows
        pos: list[int] | None = None
    else:
        dicts = []
        for i, r in enumerate(rows):
            if not isinstance(r, dict):
                bad.add(i)
                continue
            keys = r.keys()
            if not (keys <= allowed and required <= keys):
                bad.add(i)
            dicts.append(i)
        if len(dicts) == len(rows):
            records = rows
            pos = None
        else:
            records = [rows[i] for i in dicts]
            pos = dicts
    for name, pred in rec.preds.items():
        values = columns[name] if columns else list(map(dict.get, records, repeat(name), repeat(_ABSENT)))
        for j in _column_bad(pred, values, rec.patterns.get(name)):
            bad.add(j if pos is None else pos[j])
    return sorted(bad)


_Compiled = tuple[_Record, dict[str, "_Record | None"], dict[str, "Pred | None"]]
_CACHE: dict[int, tuple[dict[str, Any], _Compiled]] = {}


def _compiled(schema: dict[str, Any]) -> _Compiled:
    """The compiled schema, built once per process (per schema object)."""
    hit = _CACHE.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    try:
        out = _compile_root(schema)
    except RecursionError:  # a $ref cycle: pre-check nothing, jsonschema validates it all
        root = _Record({}, schema)
        tables: dict[str, _Record | None] = {k: None for k, v in (schema.get("properties") or {}).items()
                                            if isinstance(v, dict) and v.get("type") == "array"}
        out = (root, tables, {k: None for k in (schema.get("properties") or {}) if k not in tables})
    _CACHE[id(schema)] = (schema, out)
    return out


def _compile_root(schema: dict[str, Any]) -> _Compiled:
    root = _Record.__new__(_Record)
    props = schema.get("properties") or {}
    root.ok = (schema.get("type") == "object" and schema.get("additionalProperties") is False
               and not (set(schema) - _ANNOTATIONS - {"properties", "required", "additionalProperties", "type",
                                                     "$schema", "$id", "$defs", "x-schema-version"}))
    root.allowed = frozenset(props)
    root.required = frozenset(schema.get("required") or ())
    root.preds = {}
    root.patterns = {}
    tables: dict[str, _Record | None] = {}
    fields: dict[str, Pred | None] = {}
    for name, sub in props.items():
        if isinstance(sub, dict) and sub.get("type") == "array" and "items" in sub:
            items = _resolve(sub["items"], schema) if isinstance(sub["items"], dict) else None
            rest = set(sub) - _ANNOTATIONS - {"type", "items"}
            rec = _Record(items, schema) if items is not None and not rest else None
            tables[name] = rec if rec is not None and rec.ok else None
        else:
            fields[name] = compile_value(sub, schema)
    return root, tables, fields


def suspects(doc: Any, schema: dict[str, Any]) -> tuple[bool, dict[str, list[int]]]:
    """(top level certainly valid?, table → positions of records that might be invalid).

    Tables listed in the schema whose value is a list get an entry only when some record is
    suspect; a table whose rows cannot be pre-checked lists all of its records."""
    root, tables, fields = _compiled(schema)
    if not isinstance(doc, dict):
        return False, {}
    keys = doc.keys()
    top_ok = root.ok and keys <= root.allowed and root.required <= keys
    out: dict[str, list[int]] = {}
    for name, value in doc.items():
        if name in tables:
            if type(value) is not list:
                top_ok = False
                continue
            rec = tables[name]
            bad = list(range(len(value))) if rec is None else suspect_rows(value, rec)
            if bad:
                out[name] = bad
        elif name in fields:
            pred = fields[name]
            if pred is None or not pred(value):
                top_ok = False
    return top_ok, out
