"""``sarif``: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

* one ``reportingDescriptor`` per rule that ran, its ``help`` citing the document, clause and
  quoted sentence, ``helpUri`` naming the rule;
* one ``result`` per violated, waived or undecided (``error``) finding; ``level`` from the
  finding's severity (error→error, warning→warning, info→note); a waiver becomes an
  accepted external ``suppression``; baseline-known lapses are left out and the rest are
  ``baselineState: new``;
* ``partialFingerprints["ducha/v1"]`` is the finding's fingerprint (stable across quarters);
* locations from the evidence: the file, the line where the record starts (JSON/YAML via
  its pointer, CSV folders via the row) and the pointer or sheet/row as a logical location;
* unusable inputs become ``toolExecutionNotifications`` and ``executionSuccessful: false``.
"""
from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..errors import Location
from ..finding import Finding
from .base import RenderOptions, Report, natural_key, outcome_text, tr
from .locate import artifact, parse_location

NAME = "sarif"
BINARY = False

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# The project's documentation root (the same host the published JSON Schemas name in $id).
DOCS_BASE = "https://ducha.example/rules/"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
RESULT_OUTCOMES = ("violated", "waived", "error")
FINGERPRINT_KEY = "ducha/v1"


def _uri(file: str) -> str:
    p = PurePath(file)
    if p.is_absolute():
        return "file://" + quote(p.as_posix(), safe="/")
    return quote(p.as_posix(), safe="/")


def _location(loc: Location) -> dict[str, Any]:
    file, line = artifact(loc)
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
    if line is not None:
        physical["region"] = {"startLine": line}
    out: dict[str, Any] = {"physicalLocation": physical}
    if loc.pointer is not None:
        out["logicalLocations"] = [{"fullyQualifiedName": loc.pointer or "/"}]
    elif loc.sheet or loc.row is not None:
        name = "/".join(x for x in (loc.sheet or "", f"row {loc.row}" if loc.row is not None else "") if x)
        out["logicalLocations"] = [{"fullyQualifiedName": name}]
    return out


def _help(f: Finding, lang: str) -> tuple[str, str]:
    ids = ", ".join(f.obligations)
    text = tr(lang, f"{f.title_zh}\n依据：{f.document} {f.clause}\n原文：“{f.quote}”\n义务编号：{ids}",
              f"{f.title_en}\nSource: {f.document} {f.clause}\nQuote: “{f.quote}”\nObligations: {ids}")
    md = tr(lang, f"**{f.title_zh}**\n\n依据：{f.document} {f.clause}\n\n> {f.quote}\n\n义务编号：{ids}",
            f"**{f.title_en}**\n\nSource: {f.document} {f.clause}\n\n> {f.quote}\n\nObligations: {ids}")
    return text, md


def _descriptor(f: Finding, lang: str) -> dict[str, Any]:
    text, md = _help(f, lang)
    return {
        "id": f.rule,
        "shortDescription": {"text": f.title(lang)},
        "fullDescription": {"text": f"{f.title(lang)} ({f.document} {f.clause})"},
        "helpUri": f"{DOCS_BASE}{quote(f.pack)}/{quote(f.rule)}",
        "help": {"text": text, "markdown": md},
        "defaultConfiguration": {"level": LEVEL.get(f.severity, "error")},
        "properties": {"pack": f.pack, "obligations": list(f.obligations), "document": f.document,
                       "clause": f.clause, "quote": f.quote, "tags": ["ducha", f.pack, *f.obligations]},
    }


def _result(f: Finding, index: int, report: Report, path: str, lang: str) -> dict[str, Any]:
    locs = [parse_location(e) for e in f.evidence] or [Location(path)]
    message = f.message(lang)
    if f.outcome == "error":
        message = f"[{outcome_text('error', lang)}] {message}"
    res: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "kind": "fail",
        "level": "error" if f.outcome == "error" else LEVEL.get(f.severity, "error"),
        "message": {"text": message},
        "locations": [_location(locs[0])],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "outcome": f.outcome, "reason": f.reason, "submission": f.submission, "period": f.period,
            "as_of": f.as_of, "subject": {"type": f.subject_type, "id": f.subject_id, "name": f.subject_name},
            "jurisdiction": {"code": f.jurisdiction, "name": f.jurisdiction_name},
            "expected": f.expected, "actual": f.actual, "due": f.due, "days_overdue": f.days_overdue,
            "parts": list(f.parts), "lead_units": list(f.lead_units), "obligations": list(f.obligations),
        },
    }
    if len(locs) > 1:
        res["relatedLocations"] = [{"id": i, **_location(loc)} for i, loc in enumerate(locs[1:], start=1)]
    if f.outcome == "waived" and f.waiver:
        w = f.waiver
        res["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": tr(lang, f"{w.get('reason')}（批准：{w.get('approver')}，有效至 {w.get('expires')}）",
                                                    f"{w.get('reason')} (approved by {w.get('approver')}, until {w.get('expires')})"),
                                "properties": {"approver": w.get("approver"), "expires": w.get("expires"),
                                               "source": w.get("source")}}]
    if report.info.baseline is not None:
        res["baselineState"] = "new"
    return res


def render(report: Report, options: RenderOptions) -> str:
    lang = options.lang
    descriptors: dict[str, Finding] = {}
    for r in report.results:
        for f in r.findings:
            descriptors.setdefault(f.rule, f)
    order = sorted(descriptors, key=natural_key)
    index = {rid: i for i, rid in enumerate(order)}
    results = [_result(f, index[f.rule], report, r.path, lang)
               for r in report.results for f in report.visible(r) if f.outcome in RESULT_OUTCOMES]
    notes: list[dict[str, Any]] = []
    for r in report.results:
        for p in r.problems:
            notes.append({"descriptor": {"id": p.code}, "level": "warning" if p.code.startswith("W-") else "error",
                          "message": {"text": f"{p.message(lang)}"}, "locations": [_location(p.location)]})
        if r.status == "failed":
            notes.append({"descriptor": {"id": f"E-{(r.failure or 'internal').upper()}"}, "level": "error",
                          "message": {"text": str(r.reason)}, "locations": [_location(Location(r.path))]})
    for n in report.notices:
        note: dict[str, Any] = {"descriptor": {"id": n.code}, "level": "warning", "message": {"text": n.message(lang)}}
        if n.where:
            note["locations"] = [_location(parse_location(n.where))]
        notes.append(note)
    invocation: dict[str, Any] = {"executionSuccessful": all(r.status == "checked" for r in report.results)}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "ducha", "fullName": "ducha 督查", "version": __version__,
                            "semanticVersion": __version__, "informationUri": DOCS_BASE.rsplit("/rules/", 1)[0] + "/",
                            "rules": [_descriptor(descriptors[rid], lang) for rid in order]}},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"as_of": report.info.as_of, "params": report.info.to_dict()["params"],
                       "summary": report.counts().to_dict()},
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, ensure_ascii=False, indent=2) + "\n"
