"""``csv``: one row per finding (every outcome), for people who filter in Excel or WPS.

UTF-8 with a byte-order mark, because Excel reads a BOM-less CSV in the system's ANSI code
page and garbles Chinese; CRLF line ends (RFC 4180). Every text cell passes through
:func:`~checker.report.safe.protect`, since names and values come from submissions and a
cell starting with ``=`` would be run as a formula. Headings and outcome words follow
``--lang``; codes (rule, obligation, fingerprint) stay as they are, for lookups.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Iterator

from ..finding import Finding, reason_text
from ..run import SubmissionResult
from .base import SEVERITY_TEXT, RenderOptions, Report, outcome_text, tr
from .safe import protect

NAME = "csv"
BINARY = False
BOM = "\ufeff"

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("input", "输入文件", "input"),
    ("submission", "报送编号", "submission"),
    ("pack", "规则包", "pack"),
    ("submitter", "报送单位代码", "submitter code"),
    ("submitter_name", "报送单位", "submitter"),
    ("period", "报送季度", "period"),
    ("as_of", "检查日期", "as of"),
    ("rule", "规则", "rule"),
    ("obligations", "义务编号", "obligations"),
    ("title", "义务", "obligation title"),
    ("severity", "严重程度", "severity"),
    ("outcome", "结果", "outcome"),
    ("reason", "原因", "reason"),
    ("subject_type", "对象类型", "subject type"),
    ("subject_id", "对象编号", "subject id"),
    ("subject_name", "对象", "subject"),
    ("jurisdiction", "行政区代码", "jurisdiction code"),
    ("jurisdiction_name", "行政区", "jurisdiction"),
    ("expected", "应为", "expected"),
    ("actual", "实际", "actual"),
    ("due", "期限", "due"),
    ("days_overdue", "逾期天数", "days overdue"),
    ("parts", "涉及", "parts"),
    ("lead_units", "牵头单位", "lead units"),
    ("section", "方案章节", "section"),
    ("clause", "条款", "clause"),
    ("message", "说明", "message"),
    ("evidence", "证据位置", "evidence"),
    ("waiver", "豁免", "waiver"),
    ("fingerprint", "指纹", "fingerprint"),
)


def _join(items: tuple[str, ...] | list[str]) -> str:
    return "; ".join(items)


def row(r: SubmissionResult, f: Finding, lang: str) -> list[Any]:
    """The cells of one finding, in :data:`COLUMNS` order (not yet protected)."""
    sev = SEVERITY_TEXT.get(f.severity, (f.severity, f.severity))
    waiver = ""
    if f.waiver:
        w = f.waiver
        waiver = tr(lang, f"{w.get('approver', '')}：{w.get('reason', '')}（至 {w.get('expires', '')}）",
                    f"{w.get('approver', '')}: {w.get('reason', '')} (until {w.get('expires', '')})")
    values: dict[str, Any] = {
        "input": r.path, "submission": f.submission, "pack": f.pack, "submitter": r.jurisdiction or "",
        "submitter_name": r.jurisdiction_name or "", "period": f.period, "as_of": f.as_of, "rule": f.rule,
        "obligations": _join(f.obligations), "title": f.title(lang), "severity": tr(lang, *sev),
        "outcome": outcome_text(f.outcome, lang), "reason": reason_text(f.reason, lang),
        "subject_type": f.subject_type, "subject_id": f.subject_id, "subject_name": f.subject_name,
        "jurisdiction": f.jurisdiction, "jurisdiction_name": f.jurisdiction_name,
        "expected": f.expected or "", "actual": f.actual or "", "due": f.due or "",
        "days_overdue": "" if f.days_overdue is None else f.days_overdue, "parts": _join(f.parts),
        "lead_units": _join(f.lead_units), "section": f.section or "", "clause": f.clause,
        "message": f.message(lang), "evidence": _join(f.evidence), "waiver": waiver, "fingerprint": f.fingerprint,
    }
    return [values[key] for key, _, _ in COLUMNS]


def headings(lang: str) -> list[str]:
    return [tr(lang, zh, en) for _, zh, en in COLUMNS]


def render(report: Report, options: RenderOptions) -> str:
    return "".join(render_chunks(report.results, options.lang))


def render_chunks(results: Iterable[SubmissionResult], lang: str) -> Iterator[str]:
    """The file in pieces, one per result (a batch streams its results from disk)."""
    yield head_chunk(lang)
    for r in results:
        yield rows_chunk(r, lang)


def head_chunk(lang: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(headings(lang))
    return BOM + buf.getvalue()


def rows_chunk(r: SubmissionResult, lang: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for f in r.findings:
        w.writerow([protect(v) for v in row(r, f, lang)])
    return buf.getvalue()
