"""``text``: for people at a terminal. Grouped by submission, then obligation (rule); only the
outcomes asked for (``--show``, default violated, error, waived); notices; the summary line.
Colour only when the caller says so (a TTY without ``NO_COLOR``); the words carry the
meaning, so plain output loses nothing.
"""
from __future__ import annotations

from .base import RenderOptions, Report, outcome_text, summary_line, tr
from .safe import terminal_text
from ..finding import Finding
from ..run import SubmissionResult

NAME = "text"
BINARY = False

_COLOURS = {"violated": "31;1", "error": "35;1", "waived": "36", "pending": "33", "passed": "32",
            "not_applicable": "2", "rule": "1", "dim": "2", "bad": "31;1", "notice": "33"}
_SGR = frozenset(_COLOURS.values()) | {"0"}
_SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}


class _Out:
    def __init__(self, options: RenderOptions) -> None:
        self.lang = options.lang
        self.color = options.color
        self.lines: list[str] = []

    def c(self, what: str, text: str) -> str:
        return f"\x1b[{_COLOURS[what]}m{text}\x1b[0m" if self.color else text

    def t(self, zh: str, en: str) -> str:
        return tr(self.lang, zh, en)

    def add(self, line: str = "") -> None:
        # Submission text must not drive the terminal: only our own colour codes survive.
        self.lines.append(terminal_text(line, _SGR))


def _head(o: _Out, r: SubmissionResult) -> str:
    if r.status != "checked":
        return o.c("rule", r.path)
    bits = [r.submission or "", f"{r.jurisdiction_name}（{r.jurisdiction}）" if o.lang != "en"
            else f"{r.jurisdiction_name} ({r.jurisdiction})", r.period or "", o.t(f"截至 {r.as_of}", f"as of {r.as_of}")]
    return f"{o.c('rule', r.path)}  " + " · ".join(b for b in bits if b)


def _finding(o: _Out, f: Finding) -> None:
    sev = tr(o.lang, *_SEVERITY.get(f.severity, (f.severity, f.severity)))
    tag = f"[{outcome_text(f.outcome, o.lang)}|{sev}]" if f.outcome in ("violated", "waived") else \
        f"[{outcome_text(f.outcome, o.lang)}]"
    o.add(f"    {o.c(f.outcome, tag)} {f.message(o.lang)}")
    facts = [o.t(f"对象 {f.subject_type} {f.subject_id} {f.subject_name}", f"subject {f.subject_type} {f.subject_id} {f.subject_name}")]
    if f.days_overdue:
        facts.append(o.t(f"逾期 {f.days_overdue} 天", f"{f.days_overdue} day{'s' if f.days_overdue != 1 else ''} overdue"))
    if f.lead_units:
        facts.append(o.t("牵头 " + "、".join(f.lead_units), "lead " + ", ".join(f.lead_units)))
    facts.append(o.t(f"指纹 {f.fingerprint}", f"fingerprint {f.fingerprint}"))
    o.add("        " + o.c("dim", " · ".join(facts)))
    if f.parts:
        o.add("        " + o.c("dim", o.t("涉及 ", "parts ") + ("、" if o.lang != "en" else ", ").join(f.parts)))
    if f.waiver:
        w = f.waiver
        o.add("        " + o.c("waived", o.t(f"豁免：{w.get('reason')}（批准：{w.get('approver')}，有效至 {w.get('expires')}）",
                                             f"waiver: {w.get('reason')} (approved by {w.get('approver')}, until {w.get('expires')})")))
    for ev in f.evidence:
        o.add("        " + o.c("dim", o.t(f"证据 {ev}", f"evidence {ev}")))


def render(report: Report, options: RenderOptions) -> str:
    o = _Out(options)
    for r in report.results:
        o.add(_head(o, r))
        if r.status == "invalid":
            n = len(r.problems)
            o.add("  " + o.c("bad", o.t(f"无法使用：{n} 个问题", f"unusable: {n} problem{'s' if n != 1 else ''}")))
            for p in r.problems:
                o.add(f"    {p.code} {p.location}：{p.message(o.lang)}" if o.lang != "en"
                      else f"    {p.code} {p.location}: {p.message(o.lang)}")
            continue
        for p in r.problems:  # a checked input's warnings (W-…): read and checked, but a reviewer should know
            o.add("  " + o.c("dim", f"{p.code} {p.location}{'：' if o.lang != 'en' else ': '}{p.message(o.lang)}"))
        if r.status == "failed":
            why = o.t("ducha 内部错误", "internal error in ducha") if r.failure == "internal" else o.t("规则无法使用", "rules unusable")
            o.add("  " + o.c("bad", o.t(f"未能检查（{why}）：{r.reason}", f"not checked ({why}): {r.reason}")))
            for entry in r.detail:
                o.add("\n".join(f"    {line}" for line in entry.splitlines()))
            continue
        visible = report.visible(r)
        shown = [f for f in visible if f.outcome in options.show]
        if not shown:
            c = {k: sum(1 for f in visible if f.outcome == k) for k in ("passed", "pending", "not_applicable")}
            o.add("  " + o.c("dim", o.t(f"（无需显示的结果：通过 {c['passed']}，未到期 {c['pending']}，不适用 {c['not_applicable']}）",
                                        f"(nothing to show: {c['passed']} passed, {c['pending']} pending, "
                                        f"{c['not_applicable']} not applicable)")))
        rule = None
        for f in shown:
            if f.rule != rule:
                rule = f.rule
                o.add(f"  {o.c('rule', f.rule)} {f.title(o.lang)} · {f.clause}")
            _finding(o, f)
    if report.notices:
        o.add(o.c("notice", o.t("注意：", "Notices:")))
        for notice in report.notices:
            where = f"（{notice.where}）" if o.lang != "en" else f" ({notice.where})"
            o.add(f"  {notice.code} {notice.message(o.lang)}{where if notice.where else ''}")
    o.add(summary_line(report, options.lang))
    return "\n".join(o.lines) + "\n"
