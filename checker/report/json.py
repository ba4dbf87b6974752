"""``json``: the machine contract (``ducha-results/1``).

Every result with every outcome (passes included), problems for unusable inputs, the run's
options (as_of, params, selection), the ducha and data-contract versions, notices and the
summary. Findings a baseline suppresses stay in, flagged ``suppressed_by_baseline``, so this
file can be the next run's baseline. Re-read with :func:`checker.report.base.read_results`.
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any, Callable

from .base import RenderOptions, Report

NAME = "json"
BINARY = False


def render(report: Report, options: RenderOptions) -> str:
    # Both languages are in the data (message_zh/message_en); options.lang does not apply.
    return dumps_indented(report.to_dict()) + "\n"


def dumps_indented(obj: Any, indent: int = 2) -> str:
    """Exactly ``json.dumps(obj, ensure_ascii=False, indent=indent)``, several times faster.

    With ``indent`` the standard library falls back to its pure-Python encoder, which yields
    every token through nested generators; a county report has ~400,000 of them. This builds
    the same text with one list of pieces. Anything beyond plain JSON values (a key that is
    not a string, a type the standard encoder would reject or convert) is handed to
    ``json.dumps`` itself, so the output never differs.
    """
    try:
        parts: list[str] = []
        _encode(obj, "\n", " " * indent, parts.append, {})
        return "".join(parts)
    except _Unusual:
        return json.dumps(obj, ensure_ascii=False, indent=indent)


class _Unusual(Exception):
    """A value the fast path does not handle; the standard library decides."""


def _float(v: float) -> str:
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    return float.__repr__(v)


def _scalar(v: Any) -> str | None:
    """The JSON text of a scalar, or None for a container."""
    t = type(v)
    if t is str:
        return encode_basestring(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int:
        return int.__repr__(v)
    if t is float:
        return _float(v)
    if t in (list, tuple, dict):
        return None
    raise _Unusual


def _encode(o: Any, nl: str, step: str, put: Callable[[str], Any], seen: dict[int, None]) -> None:
    text = _scalar(o)
    if text is not None:
        put(text)
        return
    if not o:
        put("{}" if type(o) is dict else "[]")
        return
    marker = id(o)
    if marker in seen:
        raise _Unusual  # a circular reference: let the standard library raise its error
    seen[marker] = None
    inner = nl + step
    sep = "," + inner
    if type(o) is dict:
        put("{" + inner)
        first = True
        for k, v in o.items():
            if type(k) is not str:
                raise _Unusual
            if not first:
                put(sep)
            first = False
            text = _scalar(v)
            if text is not None:
                put(encode_basestring(k) + ": " + text)
            else:
                put(encode_basestring(k) + ": ")
                _encode(v, inner, step, put, seen)
        put(nl + "}")
    else:
        put("[" + inner)
        first = True
        for v in o:
            if not first:
                put(sep)
            first = False
            text = _scalar(v)
            if text is not None:
                put(text)
            else:
                _encode(v, inner, step, put, seen)
        put(nl + "]")
    del seen[marker]
