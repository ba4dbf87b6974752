"""JSON and YAML submissions: one document, header fields at the top, one array per table.

Both are decoded like CSV (:mod:`.encoding`), parsed strictly (no NaN/Infinity, no YAML
aliases, a depth limit, no duplicate keys: a repeated key would silently drop data) and
handed on as a plain document with ISO date strings. Problems carry a JSON pointer.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Location, Problem
from .base import RawSubmission, check_size
from .encoding import EncodingProblem, decode_text

MAX_DEPTH = 20  # a submission is 3 levels deep; deeper nesting is an attack or an accident


def _problem(path: Path, code: str, zh: str, en: str, pointer: str | None = None) -> InputError:
    return InputError([Problem(Location(str(path), pointer=pointer), code, zh, en)])


def _decode(path: Path) -> str:
    try:
        return decode_text(path.read_bytes())[0]
    except EncodingProblem as e:
        raise _problem(path, "E-ENCODING", e.zh, e.en) from None


def _depth(node: Any, limit: int) -> int:
    stack = [(node, 1)]
    deepest = 0
    while stack:
        cur, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        if isinstance(cur, dict):
            stack.extend((v, d + 1) for v in cur.values())
        elif isinstance(cur, list):
            stack.extend((v, d + 1) for v in cur)
    return deepest


class _Mapping(dict[str, Any]):
    """A parsed object that remembers the keys it saw twice (for a located problem)."""

    dups: list[tuple[str, str]]  # (key, where in the text, if known)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _duplicates(node: Any, pointer: str = "") -> list[tuple[str, str, str]]:
    """(pointer of the object, key, where) for every repeated key, in document order."""
    out: list[tuple[str, str, str]] = []
    if isinstance(node, _Mapping):
        out.extend((pointer, k, where) for k, where in node.dups)
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_duplicates(v, f"{pointer}/{_escape(str(k))}"))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_duplicates(v, f"{pointer}/{i}"))
    return out


def _finish(path: Path, fmt: str, doc: Any) -> RawSubmission:
    if not isinstance(doc, dict):
        raise _problem(path, "E-STRUCTURE", "顶层必须是对象（键值映射）", "the top level must be an object (a mapping)")
    if _depth(doc, MAX_DEPTH) > MAX_DEPTH:
        raise _problem(path, "E-DEPTH", f"嵌套层数超过 {MAX_DEPTH}", f"nested deeper than {MAX_DEPTH} levels")
    dups = _duplicates(doc)
    if dups:
        raise InputError([Problem(Location(str(path), pointer=f"{ptr}/{_escape(k)}"), "E-DUPLICATE-KEY",
                                  f"键“{k}”重复出现{where_zh(w)}，只能出现一次",
                                  f"key {k!r} appears more than once{where_en(w)}", k) for ptr, k, w in dups])
    return RawSubmission(file=str(path), format=fmt, header={k: v for k, v in doc.items() if not isinstance(v, list)},
                         tables={}, doc=doc)


def where_zh(line: str) -> str:
    return f"（第 {line} 行）" if line else ""


def where_en(line: str) -> str:
    return f" (line {line})" if line else ""


# --------------------------------------------------------------------------- JSON

def _json_object(pairs: list[tuple[str, Any]]) -> _Mapping:
    out = _Mapping()
    out.dups = []
    for k, v in pairs:
        if k in out:
            out.dups.append((k, ""))
        out[k] = v
    return out


class _Constant(ValueError):
    """NaN, Infinity or -Infinity: valid Python, not JSON."""


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


def load_json(path: Path, *, max_bytes: int) -> RawSubmission:
    check_size(path, max_bytes)
    text = _decode(path)
    try:
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_json_object)
    except json.JSONDecodeError as e:
        raise _problem(path, "E-JSON", f"JSON 语法错误：第 {e.lineno} 行第 {e.colno} 列（{e.msg}）",
                       f"JSON syntax error at line {e.lineno}, column {e.colno} ({e.msg})") from None
    except RecursionError:
        raise _problem(path, "E-DEPTH", f"嵌套层数超过 {MAX_DEPTH}", f"nested deeper than {MAX_DEPTH} levels") from None
    except _Constant as e:
        raise _problem(path, "E-JSON", f"JSON 中不允许 {e}", f"{e} is not allowed in JSON") from None
    except ValueError as e:  # e.g. an integer with thousands of digits
        raise _problem(path, "E-JSON", f"JSON 无法解析（{e}）", f"JSON cannot be parsed ({e})") from None
    return _finish(path, "json", doc)


# --------------------------------------------------------------------------- YAML

class _StrictLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases (no alias bombs), with a depth limit, and with
    repeated keys remembered instead of silently overwritten."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not allowed in submissions", event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.constructor.ConstructorError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                                        self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # type: ignore[override]
        out = _Mapping()
        out.dups = []
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool, dt.date)) or key is None:
                raise yaml.constructor.ConstructorError(None, None, "a key must be plain text",
                                                        key_node.start_mark)
            if key in seen:
                out.dups.append((str(key), str(key_node.start_mark.line + 1)))
            seen.add(key)
        out.update(super().construct_mapping(node, deep=deep))
        return out


# Build mappings with our construct_mapping (SafeLoader's own constructor calls it too).
_StrictLoader.add_constructor(
    "tag:yaml.org,2002:map",
    lambda loader, node: loader.construct_mapping(node, deep=True))


class _NotFinite(ValueError):
    def __init__(self, pointer: str) -> None:
        super().__init__(pointer)
        self.pointer = pointer


def _plain(node: Any, pointer: str = "", strict: bool = True) -> Any:
    """YAML turns 2017-12-31 into a date object and accepts .nan; the schema speaks of
    strings and finite numbers. Keys become strings; repeated-key notes are kept."""
    if isinstance(node, dict):
        out = _Mapping()
        out.dups = list(getattr(node, "dups", []))
        for k, v in node.items():
            key = _plain(k) if isinstance(k, (dt.date, dt.datetime)) else str(k)
            out[key] = _plain(v, f"{pointer}/{_escape(key)}", strict)
        return out
    if isinstance(node, list):
        return [_plain(v, f"{pointer}/{i}", strict) for i, v in enumerate(node)]
    if isinstance(node, dt.datetime):
        return node.date().isoformat()
    if isinstance(node, dt.date):
        return node.isoformat()
    if strict and isinstance(node, float) and not math.isfinite(node):
        raise _NotFinite(pointer)
    return node


def load_yaml(path: Path, *, max_bytes: int) -> RawSubmission:
    check_size(path, max_bytes)
    text = _decode(path)
    try:
        doc = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where_zh_ = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        where_en_ = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = e.problem or e.context or "syntax error"
        raise _problem(path, "E-YAML", f"YAML 无法解析：{where_zh_}（{what}）",
                       f"YAML cannot be parsed{where_en_} ({what})") from None
    except yaml.YAMLError as e:
        raise _problem(path, "E-YAML", f"YAML 无法解析（{e}）", f"YAML cannot be parsed ({e})") from None
    except RecursionError:
        raise _problem(path, "E-DEPTH", f"嵌套层数超过 {MAX_DEPTH}", f"nested deeper than {MAX_DEPTH} levels") from None
    try:
        doc = _plain(doc)
    except _NotFinite as e:
        raise _problem(path, "E-YAML", "不允许 NaN 或无穷大", "NaN and infinity are not allowed",
                       e.pointer) from None
    return _finish(path, "yaml", doc)


def _dates_to_iso(doc: Any) -> Any:
    """An in-memory document (as YAML or Python code gives it) in the shape the JSON loader
    gives: ISO date strings, string keys (used by ``dataset_from_document``)."""
    return _plain(doc, strict=False)
