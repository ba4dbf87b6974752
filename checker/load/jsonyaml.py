"""JSON and YAML submissions: one document, header fields at the top, one array per table."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Location, Problem
from .base import RawSubmission, check_size

MAX_DEPTH = 20  # a submission is 3 levels deep; deeper nesting is an attack or an accident


def _problem(path: Path, code: str, zh: str, en: str, pointer: str = "") -> InputError:
    return InputError([Problem(Location(str(path), pointer=pointer), code, zh, en)])


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _problem(path, "E-ENCODING", f"不是 UTF-8 编码（第 {e.start} 字节）",
                       f"not UTF-8 encoded (byte {e.start})") from None


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


def _finish(path: Path, fmt: str, doc: Any) -> RawSubmission:
    if not isinstance(doc, dict):
        raise _problem(path, "E-STRUCTURE", "顶层必须是对象（键值映射）", "the top level must be an object (a mapping)")
    if _depth(doc, MAX_DEPTH) > MAX_DEPTH:
        raise _problem(path, "E-DEPTH", f"嵌套层数超过 {MAX_DEPTH}", f"nested deeper than {MAX_DEPTH} levels")
    header = {k: v for k, v in doc.items() if not isinstance(v, list)}
    return RawSubmission(file=str(path), format=fmt, header=header, tables={}, doc=doc)


def load_json(path: Path, *, max_bytes: int) -> RawSubmission:
    check_size(path, max_bytes)
    text = _decode(path, path.read_bytes())
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise _problem(path, "E-JSON", f"JSON 语法错误：第 {e.lineno} 行第 {e.colno} 列（{e.msg}）",
                       f"JSON syntax error at line {e.lineno}, column {e.colno} ({e.msg})") from None
    except RecursionError:
        raise _problem(path, "E-DEPTH", f"嵌套层数超过 {MAX_DEPTH}", f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as e:  # NaN / Infinity
        raise _problem(path, "E-JSON", f"JSON 中不允许 {e}", f"{e} is not allowed in JSON") from None
    return _finish(path, "json", doc)


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases (no alias bombs) and with a depth limit."""

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


def _dates_to_iso(node: Any) -> Any:
    """YAML turns 2017-12-31 into a date object; the schema speaks of strings."""
    if isinstance(node, dict):
        return {str(k): _dates_to_iso(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_dates_to_iso(v) for v in node]
    if isinstance(node, dt.datetime):
        return node.date().isoformat()
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


def load_yaml(path: Path, *, max_bytes: int) -> RawSubmission:
    check_size(path, max_bytes)
    text = _decode(path, path.read_bytes())
    try:
        doc = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where_zh = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        where_en = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = e.problem or e.context or "syntax error"
        raise _problem(path, "E-YAML", f"YAML 无法解析：{where_zh}（{what}）",
                       f"YAML cannot be parsed{where_en} ({what})") from None
    except yaml.YAMLError as e:
        raise _problem(path, "E-YAML", f"YAML 无法解析（{e}）", f"YAML cannot be parsed ({e})") from None
    return _finish(path, "yaml", _dates_to_iso(doc))
