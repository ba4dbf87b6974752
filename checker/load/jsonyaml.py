"""JSON and YAML submissions: one document, header fields at the top, one array per table.

Both are decoded like CSV (:mod:`.encoding`), parsed strictly (no NaN/Infinity, no YAML
anchors, aliases or foreign tags, a depth limit, no duplicate keys: a repeated key would
silently drop data) and handed on as a plain document; dates stay text and are checked by
validation. Problems carry a JSON pointer, or line and column (``row``/``column`` of the
location) when the text cannot be parsed.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from itertools import chain
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


def _too_deep(node: Any, limit: int) -> str | None:
    """JSON pointer of the first value (in document order) nested deeper than ``limit`` (the
    top is level 1). Only containers are descended into and a pointer is built only for the
    answer: a 4 MB county is 200,000 values, nearly all scalars at level 3 or 4."""
    def first(cur: Any, d: int) -> list[str] | None:  # the path, innermost token first
        mapping = isinstance(cur, dict)
        items = cur.items() if mapping else enumerate(cur)
        for k, v in items:
            if d + 1 > limit:
                return [_escape(str(k)) if mapping else str(k)]
            if isinstance(v, (dict, list)):
                found = first(v, d + 1)
                if found is not None:
                    return [*found, _escape(str(k)) if mapping else str(k)]
        return None
    if limit < 1:
        return ""
    if not isinstance(node, (dict, list)):
        return None
    path = first(node, 1)
    return None if path is None else "".join(f"/{t}" for t in reversed(path))


_SCALARS = frozenset({str, int, float, bool, type(None)})
assert MAX_DEPTH >= 5


def _submission_shaped(doc: dict[str, Any]) -> bool:
    """Whether ``doc`` is at most as deep as a submission is (top → table → record → list →
    scalar: 5 levels, within MAX_DEPTH): a quick sufficient test, a table at a time with
    ``map`` in C, before the exact walk of :func:`_too_deep` (a Python call per object)."""
    for table in doc.values():
        kind = type(table)
        if kind in _SCALARS:
            continue
        if kind is not list:
            return False
        kinds = set(map(type, table))
        if kinds - _SCALARS - {dict}:
            return False
        records = table if kinds == {dict} else [r for r in table if type(r) is dict]
        inner = set(map(type, chain.from_iterable(map(dict.values, records)))) - _SCALARS
        if inner - {list}:
            return False
        if inner:
            lists = [v for v in chain.from_iterable(map(dict.values, records)) if type(v) is list]
            if set(map(type, chain.from_iterable(lists))) - _SCALARS:
                return False
    return True


class _Mapping(dict[Any, Any]):
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


# A lone UTF-16 surrogate ("\\ud800" in JSON) decodes to a str that cannot be encoded as
# UTF-8 (pandas, Arrow, every report writer would fail on it).
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD]")


def _shown(text: str) -> str:
    """``text`` with each surrogate written as its escape (``\\ud800``): printable UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def clean_texts(file: str, node: Any) -> list[Problem]:
    """An E-ENCODING problem at every text (value or key) of ``node`` that holds a lone
    surrogate; each such text is replaced in place by :func:`_shown` of it, so validation
    can go on and report every other problem in the same run."""
    problems: list[Problem] = []

    def bad(pointer: str, text: str) -> str:
        shown = _shown(text)
        chars = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in _SURROGATE.findall(text)))
        problems.append(Problem(Location(file, pointer=pointer), "E-ENCODING",
                                f"文本含有无效的 Unicode 字符（孤立的代理项 {chars}），无法按 UTF-8 保存；请删除或改正",
                                f"the text contains an invalid Unicode character (a lone surrogate, {chars}) "
                                "that cannot be stored as UTF-8; remove or correct it", shown[:200]))
        return shown

    def walk(cur: Any, pointer: str) -> Any:
        if isinstance(cur, str):
            return cur if _SURROGATE.search(cur) is None else bad(pointer, cur)
        if isinstance(cur, dict):
            items = list(cur.items())
            if any(isinstance(k, str) and _SURROGATE.search(k) for k, _ in items):
                cur.clear()  # rebuilt below in the same order with the keys made printable
                for k, v in items:
                    key = bad(f"{pointer}/{_escape(_shown(k))}", k) if _SURROGATE.search(k) else k
                    cur[key] = v
                items = list(cur.items())
            for k, v in items:
                if isinstance(v, (str, dict, list)):
                    cur[k] = walk(v, f"{pointer}/{_escape(str(k))}")
        elif isinstance(cur, list):
            for i, v in enumerate(cur):
                if isinstance(v, (str, dict, list)):
                    cur[i] = walk(v, f"{pointer}/{i}")
        return cur

    walk(node, "")
    return problems


def _finish(path: Path, fmt: str, doc: Any, repeated_keys: bool = True, surrogates: bool = True) -> RawSubmission:
    """``repeated_keys``: whether the parser may have seen a key twice; ``surrogates``:
    whether a text may hold a lone surrogate (False skips either walk)."""
    if not isinstance(doc, dict):
        raise _problem(path, "E-STRUCTURE", "顶层必须是对象（键值映射）", "the top level must be an object (a mapping)")
    deep = None if _submission_shaped(doc) else _too_deep(doc, MAX_DEPTH)
    if deep is not None:
        raise _problem(path, "E-DEPTH", f"嵌套层数超过 {MAX_DEPTH}", f"nested deeper than {MAX_DEPTH} levels", deep)
    dups = _duplicates(doc) if repeated_keys else []
    bad_text = clean_texts(str(path), doc) if surrogates else []
    if dups:
        dups = [(_shown(ptr), _shown(k), w) for ptr, k, w in dups]
        raise InputError([*bad_text, *(Problem(Location(str(path), pointer=f"{ptr}/{_escape(k)}"), "E-DUPLICATE-KEY",
                                               f"键“{k}”重复出现{where_zh(w)}，只能出现一次",
                                               f"key {k!r} appears more than once{where_en(w)}", k)
                                       for ptr, k, w in dups)])
    return RawSubmission(file=str(path), format=fmt, header={k: v for k, v in doc.items() if not isinstance(v, list)},
                         tables={}, doc=doc, problems=bad_text)


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


# The json module's messages, for the Chinese text (an unknown one is shown as it is).
_JSON_ZH = {
    "Expecting value": "此处缺少值",
    "Expecting property name enclosed in double quotes": "此处应为用双引号括起的键名，可能多了一个逗号",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Unterminated string starting at": "字符串没有结束的引号",
    "Invalid control character at": "字符串中有控制字符",
    "Invalid \\escape": "无效的反斜杠转义",
    "Extra data": "JSON 结束后还有多余内容",
}


class _Constant(ValueError):
    """NaN, Infinity or -Infinity: valid Python, not JSON."""


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


def load_json(path: Path, *, max_bytes: int) -> RawSubmission:
    check_size(path, max_bytes)
    text = _decode(path)
    try:
        repeated: list[_Mapping] = []

        def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            # A plain dict unless a key repeats (a county is 160,000 objects: keep this cheap).
            obj = dict(pairs)
            if len(obj) != len(pairs):
                obj = _json_object(pairs)
                repeated.append(obj)
            return obj
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=hook)
    except json.JSONDecodeError as e:
        raise InputError([Problem(Location(str(path), row=e.lineno, column=str(e.colno)), "E-JSON",
                                  f"JSON 语法错误：第 {e.lineno} 行第 {e.colno} 列（{_JSON_ZH.get(e.msg, e.msg)}）",
                                  f"JSON syntax error at line {e.lineno}, column {e.colno} ({e.msg})")]) from None
    except RecursionError:
        raise _problem(path, "E-DEPTH", f"嵌套层数超过 {MAX_DEPTH}", f"nested deeper than {MAX_DEPTH} levels") from None
    except _Constant as e:
        raise _problem(path, "E-JSON", f"JSON 中不允许 {e}", f"{e} is not allowed in JSON") from None
    except ValueError as e:  # e.g. an integer with thousands of digits
        raise _problem(path, "E-JSON", f"JSON 无法解析（{e}）", f"JSON cannot be parsed ({e})") from None
    # Surrogates come only from \\uD800-\\uDFFF escapes (decoding the bytes refuses them): a
    # search spares the walk for nearly every file (a one-character search first: ~0.3 ms
    # for a 4 MB county, ten times faster than searching for the escape).
    escapes = "\\" in text and _SURROGATE_ESCAPE.search(text) is not None
    return _finish(path, "json", doc, repeated_keys=bool(repeated), surrogates=escapes)


# --------------------------------------------------------------------------- YAML
#
# YAML is read in two passes over libyaml's event stream (C speed; the pure-Python parser
# manages ~0.2 MB/s). The first pass only looks: it refuses anchors/aliases (an alias bomb is
# refused at its first alias, before anything is expanded), nesting deeper than MAX_DEPTH
# (the C composer recurses on the C stack) and explicit tags other than the JSON-like core
# (``!!python/object`` and friends, ``!!timestamp``, ``!!binary``, ``!!set``). The second pass
# builds the document with a deliberately small set of implicit types:
#
# * no timestamps: ``issued: 2017-02-30`` stays the text "2017-02-30" and is checked by
#   checker/dates.py like every other date (a located E-DATE, never a loader crash);
# * integers and floats are plain decimals only. YAML 1.1's octal (``012`` = 10), hex,
#   binary, sexagesimal (``1:30`` = 90) and ``1_000`` would silently turn what an office
#   typed into another number; they stay text, so a code ``0123`` keeps its leading zero
#   and a number field says E-TYPE;
# * full-width digits (``１２３``, typed with a Chinese IME) in an unquoted value are the
#   number, as in a CSV or xlsx cell (NFKC); a quoted value is text in JSON and YAML alike;
# * no merge keys (``<<``) and no ``=`` value key: they are plain keys (E-UNKNOWN-FIELD).

# Documents beyond this are refused before reading: YAML is for hand-written and small
# exported submissions; loading costs about a second per MB (JSON is ~50x faster).
MAX_YAML_BYTES = 32 * 1024**2

_YAML_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset({*(f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq"))})
_DIGIT = "0-9\uff10-\uff19"  # ASCII and full-width digits
_SIGN = "-+\uff0b\uff0d"
_INT = re.compile(f"^[{_SIGN}]?(?:[0\uff10]|[1-9\uff11-\uff19][{_DIGIT}]*)$")
_FLOAT = re.compile(f"^[{_SIGN}]?(?:[{_DIGIT}]+[.\uff0e][{_DIGIT}]*|[.\uff0e][{_DIGIT}]+)"
                    f"(?:[eE\uff45\uff25][{_SIGN}]?[{_DIGIT}]+)?$"
                    f"|^[{_SIGN}]?[{_DIGIT}]+[eE\uff45\uff25][{_SIGN}]?[{_DIGIT}]+$"
                    "|^[-+]?\\.(?:inf|Inf|INF)$|^\\.(?:nan|NaN|NAN)$")


class _Refused(yaml.YAMLError):
    """A YAML construct a submission may not use; bilingual, with the place it starts."""

    def __init__(self, code: str, zh: str, en: str, mark: Any) -> None:
        super().__init__(en)
        self.code, self.zh, self.en, self.mark = code, zh, en, mark


class _StrictLoader(_YAML_BASE):  # type: ignore[misc,valid-type]
    """Safe YAML with the small implicit type set above and repeated keys remembered
    (instead of silently overwritten). Run :func:`_precheck` on the text first."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:  # type: ignore[override]
        if node.tag not in ALLOWED_TAGS:  # explicit tags were refused earlier; this is the backstop
            raise _Refused(*_tag_refusal(node.tag), node.start_mark)
        kind = {f"{_CORE}map": yaml.MappingNode, f"{_CORE}seq": yaml.SequenceNode}.get(node.tag, yaml.ScalarNode)
        if not isinstance(node, kind):  # an explicit tag that does not fit: !!map on a number
            shown = "!!" + node.tag[len(_CORE):]
            raise _Refused("E-YAML", f"标签“{shown}”与其内容不符", f"the tag {shown!r} does not fit its content",
                           node.start_mark)
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # type: ignore[override]
        out = _Mapping()
        out.dups = []
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise _Refused("E-YAML", "键必须是文本", "a key must be plain text", key_node.start_mark)
            if key in out:
                out.dups.append((str(key), str(key_node.start_mark.line + 1)))
            out[key] = self.construct_object(value_node, deep=deep)
        return out


def _number_text(loader: Any, node: Any) -> str:
    return unicodedata.normalize("NFKC", str(loader.construct_scalar(node))).strip()


def _construct_int(loader: Any, node: Any) -> int:
    text = _number_text(loader, node)
    if not re.fullmatch(r"[-+]?[0-9]+", text):  # an explicit !!int 0x1F or !!int 1_000
        raise _Refused("E-YAML", f"“{text}”不是十进制整数", f"{text!r} is not a decimal integer", node.start_mark)
    return int(text)


def _construct_float(loader: Any, node: Any) -> float:
    text = _number_text(loader, node)
    try:
        return float(text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf")
                     .replace(".nan", "nan").replace(".NaN", "nan").replace(".NAN", "nan"))
    except ValueError:
        raise _Refused("E-YAML", f"“{text}”不是十进制数字", f"{text!r} is not a decimal number",
                       node.start_mark) from None


def _construct_bool(loader: Any, node: Any) -> bool:
    text = str(loader.construct_scalar(node))
    value = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}.get(text.lower())
    if value is None:  # an explicit !!bool on something else
        raise _Refused("E-YAML", f"“{text}”不是是/否值", f"{text!r} is not a boolean", node.start_mark)
    return value


_StrictLoader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
        (f"{_CORE}bool", re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE"
                                    r"|on|On|ON|off|Off|OFF)$"), "yYnNtTfFoO"),
        (f"{_CORE}int", _INT, "-+0123456789\uff0b\uff0d" + "".join(chr(c) for c in range(0xFF10, 0xFF1A))),
        (f"{_CORE}float", _FLOAT, "-+.0123456789\uff0b\uff0d\uff0e" + "".join(chr(c) for c in range(0xFF10, 0xFF1A))),
        (f"{_CORE}null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])):
    _StrictLoader.add_implicit_resolver(_tag, _regexp, list(_first))
_StrictLoader.add_constructor(f"{_CORE}map", lambda loader, node: loader.construct_mapping(node, deep=True))
_StrictLoader.add_constructor(f"{_CORE}int", _construct_int)
_StrictLoader.add_constructor(f"{_CORE}float", _construct_float)
_StrictLoader.add_constructor(f"{_CORE}bool", _construct_bool)


def _tag_refusal(tag: str) -> tuple[str, str, str]:
    shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
    return ("E-YAML-TAG", f"不允许使用 YAML 标签“{shown}”（报送只能含文本、数字、是/否、列表和映射）",
            f"the YAML tag {shown!r} is not allowed (a submission holds only text, numbers, booleans, "
            "lists and mappings)")


def _precheck(text: str) -> None:
    """Look at the event stream without building anything; raise :class:`_Refused` or a
    ``yaml.MarkedYAMLError`` at the first anchor/alias, over-deep nesting or foreign tag."""
    depth = 0
    for event in yaml.parse(text, Loader=_YAML_BASE):
        name = getattr(event, "anchor", None)  # aliases and anchored nodes carry one
        if name is not None:
            raise _Refused("E-YAML-ALIAS", f"报送中不允许使用锚点和别名（&{name} / *{name}）：请把内容写完整",
                           f"anchors and aliases (&{name} / *{name}) are not allowed in a submission: "
                           "write the content out", event.start_mark)
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in ALLOWED_TAGS:
            raise _Refused(*_tag_refusal(tag), event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused("E-DEPTH", f"嵌套层数超过 {MAX_DEPTH}", f"nested deeper than {MAX_DEPTH} levels",
                               event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _NotFinite(ValueError):
    def __init__(self, pointer: str) -> None:
        super().__init__(pointer)
        self.pointer = pointer


def _plain(node: Any, pointer: str = "", strict: bool = True) -> Any:
    """The document as the schema speaks of it: dates (from an in-memory document) as ISO
    text, finite numbers only (YAML accepts .nan), string keys; repeated-key notes are kept."""
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


def _text_location(path: Path, mark: Any) -> Location:
    """A place in a text file: ``row`` is the line and ``column`` the character, 1-based."""
    if mark is None:
        return Location(str(path))
    return Location(str(path), row=mark.line + 1, column=str(mark.column + 1))


def load_yaml(path: Path, *, max_bytes: int) -> RawSubmission:
    check_size(path, min(max_bytes, MAX_YAML_BYTES), hint_zh="请改用 JSON", hint_en="send it as JSON")
    text = _decode(path)
    try:
        _precheck(text)
        doc = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except _Refused as e:
        raise InputError([Problem(_text_location(path, e.mark), e.code, e.zh, e.en)]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where_zh_ = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        where_en_ = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        # "while parsing a flow sequence; did not find expected ',' or ']'": what and where
        what = "; ".join(x for x in (e.context, e.problem) if x) or "syntax error"
        raise InputError([Problem(_text_location(path, mark), "E-YAML", f"YAML 语法错误：{where_zh_}（{what}）",
                                  f"YAML syntax error{where_en_} ({what})")]) from None
    except yaml.YAMLError as e:
        raise _problem(path, "E-YAML", f"YAML 无法解析（{e}）", f"YAML cannot be parsed ({e})") from None
    except RecursionError:
        raise _problem(path, "E-DEPTH", f"嵌套层数超过 {MAX_DEPTH}", f"nested deeper than {MAX_DEPTH} levels") from None
    try:
        doc = _plain(doc)
    except _NotFinite as e:
        raise _problem(path, "E-YAML", "不允许 NaN 或无穷大", "NaN and infinity are not allowed",
                       e.pointer) from None
    # libyaml refuses a surrogate escape (E-YAML); the walk is the backstop for other escapes.
    return _finish(path, "yaml", doc, surrogates="\\" in text)


def _dates_to_iso(doc: Any) -> Any:
    """An in-memory document (as YAML or Python code gives it) in the shape the JSON loader
    gives: ISO date strings, string keys (used by ``dataset_from_document``)."""
    return _plain(doc, strict=False)
