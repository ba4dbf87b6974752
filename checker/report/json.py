"""``json``: the machine contract (``ducha-results/1``).

Every result with every outcome (passes included), problems for unusable inputs, the run's
options (as_of, params, selection), the ducha and data-contract versions, notices and the
summary. Findings a baseline suppresses stay in, flagged ``suppressed_by_baseline``, so this
file can be the next run's baseline. Re-read with :func:`checker.report.base.read_results`.
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any, Callable, Mapping

from ..finding import Finding
from ..run import SubmissionResult
from .base import RenderOptions, Report

NAME = "json"
BINARY = False
RESULT_PAD = "    "  # a result's depth in results.json: inside the top object's "results" list
_HOLE = "@@ducha-results-here@@"


def render(report: Report, options: RenderOptions) -> str:
    # Both languages are in the data (message_zh/message_en); options.lang does not apply.
    if any(report.is_suppressed(f) for r in report.results for f in r.findings):
        return dumps_indented(report.to_dict()) + "\n"  # findings flagged suppressed_by_baseline
    # The same text, each result written by the batch's fast encoder inside the same frame.
    from ..model import SCHEMA_VERSION
    from .base import RESULTS_FORMAT
    head = {"format": RESULTS_FORMAT, "submission_schema_version": SCHEMA_VERSION, **report.info.to_dict(),
            "summary": report.counts().to_dict(), "notices": [n.to_dict() for n in report.notices]}
    before, between, after, empty = results_json_frame(head)
    if not report.results:
        return empty
    return "".join((before, between.join([result_json(r, RESULT_PAD) for r in report.results]), after))


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
    """A value a fast path does not handle; the general encoder (in the end the standard library) decides."""


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


def results_json_frame(head: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """What surrounds the results in the document: (before the first, between two, after the
    last, the whole document when there is none). Each result goes in as
    ``result_json(r, RESULT_PAD)`` writes it (four spaces: its depth in the list)."""
    whole = json.dumps({**head, "results": [_HOLE]}, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    at = whole.index(json.dumps(_HOLE))
    before, after = whole[:at], whole[at + len(json.dumps(_HOLE)):]
    # before ends with '[\n    ', after starts with '\n  ]': the frame of a non-empty list.
    return before, ",\n    ", after, before.rstrip() + after.lstrip()  # '[]', as json.dumps writes an empty list


def _opt(v: Any) -> str:
    if v is None:
        return "null"
    if type(v) is str:
        return encode_basestring(v)
    raise _Unusual


def _list(items: Any, nl: str) -> str:
    if type(items) is not tuple:
        raise _Unusual
    if not items:
        return "[]"
    inner = nl + "  "
    for x in items:
        if type(x) is not str:
            raise _Unusual
    return "[" + inner + ("," + inner).join(map(encode_basestring, items)) + nl + "]"


# A finding's fields in to_dict order, in four runs: the first and third repeat from finding
# to finding (a rule's, an outcome's), so each distinct run is written once per result.
_RUNS = (("submission", "file", "pack", "rule", "obligations", "severity", "outcome", "reason", "subject_type"),
         ("subject_id", "subject_name", "jurisdiction", "jurisdiction_name", "period", "as_of", "expected", "actual",
          "due", "days_overdue", "parts"),
         ("document", "clause", "quote", "title_zh", "title_en", "section", "lead_units"),
         ("message_zh", "message_en", "evidence", "waiver", "fingerprint"))
assert [n for run in _RUNS for n in run] == [*Finding.__dataclass_fields__, "fingerprint"]
_head_key = attrgetter(*_RUNS[0])
_rule_key = attrgetter(*_RUNS[2])


def _templates(nl: str) -> tuple[str, str, str]:
    """``%`` templates of a finding whose ``{`` follows ``nl``: the first run, the third run,
    and the whole finding taking those two as text plus the other fields encoded."""
    k = nl + "  "

    def slots(run: tuple[str, ...]) -> str:
        return ",".join(k + json.dumps(name) + (': "%s"' if name == "fingerprint" else ": %s") for name in run)
    return slots(_RUNS[0]), slots(_RUNS[2]), "{%s," + slots(_RUNS[1]) + ",%s," + slots(_RUNS[3]) + nl + "}"


_TEMPLATES: dict[str, tuple[str, str, str]] = {}


def finding_json(f: Finding, nl: str, runs: dict[Any, str] | None = None, fingerprint: str | None = None) -> str:
    """``json.dumps(f.to_dict(), ensure_ascii=False, indent=2)`` with every newline written as
    ``nl`` (the finding nested in a larger document), several times faster than the pure-Python
    indenting encoder: fields escaped by the C escaper into templates, the runs of fields that
    repeat remembered in ``runs`` (one dict per ``nl``; the text depends only on the values);
    ``fingerprint``, ``f.fingerprint`` when the caller has it (a hash: worth computing once)."""
    tpl = _TEMPLATES.get(nl)
    if tpl is None:
        tpl = _TEMPLATES[nl] = _templates(nl)
    head_tpl, rule_tpl, whole = tpl
    if runs is None:
        runs = {}
    k = nl + "  "
    enc = encode_basestring  # TypeError for a value that is not text
    try:
        d = f.days_overdue
        days = "null" if d is None else int.__repr__(d) if type(d) is int else None
        if days is None or f.waiver is not None:
            raise _Unusual
        key = (0, _head_key(f))  # TypeError for an unhashable value
        head = runs.get(key)
        if head is None:
            head = runs[key] = head_tpl % (enc(f.submission), enc(f.file), enc(f.pack), enc(f.rule),
                                           _list(f.obligations, k), enc(f.severity), enc(f.outcome),
                                           _opt(f.reason), enc(f.subject_type))
        key = (1, _rule_key(f))
        rule = runs.get(key)
        if rule is None:
            rule = runs[key] = rule_tpl % (enc(f.document), enc(f.clause), enc(f.quote), enc(f.title_zh),
                                           enc(f.title_en), _opt(f.section), _list(f.lead_units, k))
        return whole % (head, enc(f.subject_id), enc(f.subject_name), enc(f.jurisdiction), enc(f.jurisdiction_name),
                        enc(f.period), enc(f.as_of), _opt(f.expected), _opt(f.actual), _opt(f.due), days,
                        _list(f.parts, k), rule, enc(f.message_zh), enc(f.message_en), _list(f.evidence, k), "null",
                        f.fingerprint if fingerprint is None else fingerprint)
    except (_Unusual, TypeError):  # a waiver, or a value of another type: exactly what json.dumps writes
        return dumps_indented(f.to_dict()).replace("\n", nl)


def result_json(r: SubmissionResult, pad: str = "", fingerprints: list[str] | None = None) -> str:
    """``json.dumps(r.to_dict(), ensure_ascii=False, indent=2)`` with ``pad`` after every
    newline: the result as it sits in ``results.json`` (``pad`` four spaces) or alone;
    ``fingerprints``, the findings' fingerprints when the caller has them."""
    from dataclasses import replace
    head = dumps_indented(replace(r, findings=()).to_dict())
    if pad:
        head = head.replace("\n", "\n" + pad)
    if not r.findings:
        return head
    # The top-level key is the only line "\n<pad>  \"findings\": " (keys are unique; nested
    # lines are indented deeper, and JSON text holds no raw newline inside a string).
    empty = "\n" + pad + '  "findings": []'
    at = head.index(empty)
    nl = "\n" + pad + "    "
    runs: dict[Any, str] = {}
    if fingerprints is None:
        body = ("," + nl).join([finding_json(f, nl, runs) for f in r.findings])
    else:
        body = ("," + nl).join([finding_json(f, nl, runs, fp) for f, fp in zip(r.findings, fingerprints, strict=True)])
    # One join: a county's findings are megabytes of text, each "+" would copy them again.
    return "".join((head[:at], "\n", pad, '  "findings": [', nl, body, "\n", pad, "  ]", head[at + len(empty):]))
