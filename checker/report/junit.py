"""``junit``: JUnit XML for CI test dashboards.

One ``testsuite`` per input; one ``testcase`` per finding, that is per (rule, subject), named
``"<rule> <subject id> <subject name>"`` with ``classname`` ``"<pack>.<rule>"`` so the same
lapse keeps the same test name from quarter to quarter. violated → ``failure``; error (not
decided) → ``error``; pending, not applicable, waived and baseline-known → ``skipped`` with
the reason; passed → an empty testcase. An unusable input is a suite with one ``error``
testcase listing its problems. No timestamps or durations: the output is deterministic.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from ..finding import Finding
from ..run import SubmissionResult
from .base import RenderOptions, Report, outcome_text, tr

NAME = "junit"
BINARY = False


def case_name(f: Finding) -> str:
    """Stable and unique within a suite: rule, subject id (plus its jurisdiction when the
    subject is not itself a jurisdiction, as in the fingerprint), then the subject's name."""
    at = "" if f.subject_type == "jurisdiction" else f"@{f.jurisdiction}"
    return f"{f.rule} {f.subject_id}{at} {f.subject_name}"


def _details(f: Finding, lang: str) -> str:
    rows = [
        (tr(lang, "义务", "obligation"), f"{f.rule} ({', '.join(f.obligations)}) {f.title(lang)}"),
        (tr(lang, "依据", "source"), f"{f.document} {f.clause}：“{f.quote}”"),
        (tr(lang, "对象", "subject"), f"{f.subject_type} {f.subject_id} {f.subject_name}"),
        (tr(lang, "应为", "expected"), f.expected or ""),
        (tr(lang, "实际", "actual"), f.actual or ""),
        (tr(lang, "到期日", "due"), f.due or ""),
        (tr(lang, "逾期天数", "days overdue"), "" if f.days_overdue is None else str(f.days_overdue)),
        (tr(lang, "牵头单位", "lead units"), "、".join(f.lead_units)),
        (tr(lang, "证据", "evidence"), "; ".join(f.evidence)),
        (tr(lang, "指纹", "fingerprint"), f.fingerprint),
    ]
    return "\n".join(f"{k}: {v}" for k, v in rows if v) + "\n"


def _case(suite: ET.Element, f: Finding, report: Report, lang: str) -> dict[str, int]:
    tc = ET.SubElement(suite, "testcase", {"classname": f"{f.pack}.{f.rule}", "name": case_name(f), "file": f.file})
    if report.is_suppressed(f):
        ET.SubElement(tc, "skipped", {"message": tr(lang, "基线中已有的违反项", "known from the baseline")})
        return {"skipped": 1}
    if f.outcome == "violated":
        el = ET.SubElement(tc, "failure", {"message": f.message(lang), "type": f.reason or f.outcome})
        el.text = _details(f, lang)
        return {"failures": 1}
    if f.outcome == "error":
        el = ET.SubElement(tc, "error", {"message": f.message(lang), "type": f.reason or f.outcome})
        el.text = _details(f, lang)
        return {"errors": 1}
    if f.outcome in ("pending", "not_applicable", "waived"):
        msg = f"{outcome_text(f.outcome, lang)}{tr(lang, '：', ': ')}{f.message(lang)}"
        if f.waiver:
            w = f.waiver
            msg += tr(lang, f"（豁免：{w.get('reason')}，批准：{w.get('approver')}，有效至 {w.get('expires')}）",
                      f" (waiver: {w.get('reason')}, approved by {w.get('approver')}, until {w.get('expires')})")
        ET.SubElement(tc, "skipped", {"message": msg})
        return {"skipped": 1}
    return {}


def _suite(root: ET.Element, r: SubmissionResult, report: Report, lang: str) -> dict[str, int]:
    suite = ET.SubElement(root, "testsuite", {"name": r.label, "file": r.path})
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    props = ET.SubElement(suite, "properties")
    for k, v in (("path", r.path), ("pack", r.pack), ("jurisdiction", r.jurisdiction), ("period", r.period),
                 ("as_of", r.as_of), ("status", r.status)):
        if v:
            ET.SubElement(props, "property", {"name": k, "value": v})
    if r.status != "checked":
        tc = ET.SubElement(suite, "testcase", {"classname": "ducha.input", "name": f"load {r.path}", "file": r.path})
        if r.status == "invalid":
            el = ET.SubElement(tc, "error", {"type": "invalid", "message": tr(
                lang, f"无法使用：{len(r.problems)} 个问题", f"unusable: {len(r.problems)} problem(s)")})
            el.text = "".join(f"{p.code} {p.location}: {p.message(lang)}\n" for p in r.problems)
        else:
            el = ET.SubElement(tc, "error", {"type": r.failure or "internal", "message": str(r.reason)})
            el.text = "".join(f"{line}\n" for line in r.detail) or None
        counts["tests"], counts["errors"] = 1, 1
    else:
        for f in r.findings:
            counts["tests"] += 1
            for k, n in _case(suite, f, report, lang).items():
                counts[k] += n
    for k in ("tests", "failures", "errors", "skipped"):
        suite.set(k, str(counts[k]))
    return counts


def render(report: Report, options: RenderOptions) -> str:
    root = ET.Element("testsuites", {"name": "ducha"})
    total: dict[str, Any] = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in report.results:
        for k, v in _suite(root, r, report, options.lang).items():
            total[k] += v
    for k in ("tests", "failures", "errors", "skipped"):
        root.set(k, str(total[k]))
    ET.indent(root, space="  ")  # ElementTree keeps attribute insertion order: stable bytes
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
