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
import re
from typing import Any, Iterable, Iterator

from ..finding import Finding, reason_text
from ..run import SubmissionResult
from .base import SEVERITY_TEXT, RenderOptions, Report, outcome_text, tr
from .safe import FORMULA_PREFIXES, protect

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


def rows_chunk(r: SubmissionResult, lang: str, fingerprints: list[str] | None = None) -> str:
    """The rows of ``r``'s findings, exactly as ``csv.writer`` writes ``[protect(v) for v in
    row(r, f, lang)]``; ``fingerprints``, the findings' fingerprints when the caller has them.

    A nation batch writes millions of rows. Most cells repeat from row to row (a rule's
    title, clause, lead units): those are written once per distinct value and reused; the
    others are joined with a separator and checked once for anything that needs more than
    commas. Whatever is unusual (not text, a NUL) is left to the csv module, row by row."""
    en = lang == "en"
    words: dict[tuple[str, Any], str] = {}

    def word(kind: str, value: Any) -> str:
        got = words.get((kind, value))
        if got is None:
            if kind == "severity":
                got = tr(lang, *SEVERITY_TEXT.get(value, (value, value)))
            elif kind == "outcome":
                got = outcome_text(value, lang)
            else:
                got = reason_text(value, lang)
            words[(kind, value)] = got
        return got

    path, code, name = r.path, r.jurisdiction or "", r.jurisdiction_name or ""
    heads: dict[tuple[Any, ...], str | None] = {}
    tails: dict[tuple[Any, ...], str | None] = {}
    out: list[str] = []
    for k, f in enumerate(r.findings):
        try:
            hkey = (f.submission, f.pack, f.period, f.as_of, f.rule, f.obligations, f.title_zh, f.title_en,
                    f.severity, f.outcome, f.reason, f.subject_type)
            head = heads.get(hkey, _UNSET)
            if head is _UNSET:
                head = heads[hkey] = _text([
                    path, f.submission, f.pack, code, name, f.period, f.as_of, f.rule, "; ".join(f.obligations),
                    f.title_en if en else f.title_zh, word("severity", f.severity), word("outcome", f.outcome),
                    word("reason", f.reason), f.subject_type])
            tkey = (f.lead_units, f.section, f.clause)
            tail = tails.get(tkey, _UNSET)
            if tail is _UNSET:
                tail = tails[tkey] = _text(["; ".join(f.lead_units), f.section or "", f.clause])
            days = f.days_overdue
            waiver = ""
            if f.waiver:
                w = f.waiver
                waiver = tr(lang, f"{w.get('approver', '')}：{w.get('reason', '')}（至 {w.get('expires', '')}）",
                            f"{w.get('approver', '')}: {w.get('reason', '')} (until {w.get('expires', '')})")
            mid = _text([f.subject_id, f.subject_name, f.jurisdiction, f.jurisdiction_name, f.expected or "",
                         f.actual or "", f.due or "", "" if days is None else str(days) if type(days) is int else days,
                         "; ".join(f.parts)])
            end = _text([f.message_en if en else f.message_zh, "; ".join(f.evidence), waiver,
                         f.fingerprint if fingerprints is None else fingerprints[k]])
        except TypeError:  # an unhashable or non-text value: the csv module decides
            head = mid = tail = end = None
        if head is None or mid is None or tail is None or end is None:
            out.append(_by_module(row(r, f, lang)))
        else:
            out.append(f"{head},{mid},{tail},{end}\r\n")
    return "".join(out)


_UNSET: Any = object()
_US = "\x1f"  # joins cells for one check; a cell holding it is written cell by cell
_FORMULA_AFTER = re.compile("\x1f[=+\\-@\t\r]")  # a cell after the first that safe.protect would mark


def _text(cells: list[Any]) -> str | None:
    """Cells as the csv module writes them (QUOTE_MINIMAL, after :func:`protect`), joined by
    commas; ``None`` when one is not text or holds a NUL (the module decides those)."""
    try:
        joined = _US.join(cells)
    except TypeError:
        return None
    if (joined.count(_US) == len(cells) - 1 and '"' not in joined and "," not in joined and "\r" not in joined
            and "\n" not in joined and "\x00" not in joined and not joined.startswith(FORMULA_PREFIXES)
            and not _FORMULA_AFTER.search(joined)):
        return joined.replace(_US, ",")
    parts = []
    for v in cells:
        v = protect(v)
        if type(v) is not str or "\x00" in v:
            return None
        if '"' in v:
            v = '"' + v.replace('"', '""') + '"'
        elif "," in v or "\r" in v or "\n" in v:
            v = '"' + v + '"'
        parts.append(v)
    return ",".join(parts)


def _by_module(cells: list[Any]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([protect(v) for v in cells])
    return buf.getvalue()
