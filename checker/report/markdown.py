"""``markdown``: a summary for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

A table of inputs with their counts, then one table per submission listing the outcomes
asked for (``--show``, default violated, error, waived), then notices and the summary line.
Cell text is escaped so a message can never break the table, and Markdown punctuation in it is
backslash-escaped so submission text cannot become a link, an image (a tracking pixel) or a
code span: ``[点此](https://…)`` is shown as written.
"""
from __future__ import annotations

import re
from collections import Counter

from ..finding import Finding
from .base import SEVERITY_TEXT, RenderOptions, Report, outcome_text, summary_line, tr

NAME = "markdown"
BINARY = False

COLUMNS = ("violated", "error", "pending", "waived", "passed", "not_applicable")


MARKUP = re.compile(r"([\\`\[\]!])")  # what makes links, images and code spans


def cell(s: object) -> str:
    text = MARKUP.sub(r"\\\1", "" if s is None else str(s))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def code(s: str) -> str:
    inner = s.replace("`", "\u02cb").replace("|", "\\|")  # no backtick may close the span early
    return f"`{inner}`" if s else ""


def _row(f: Finding, lang: str) -> str:
    sev = tr(lang, *SEVERITY_TEXT.get(f.severity, (f.severity, f.severity)))
    ev = "<br>".join(code(e) for e in f.evidence)
    return (f"| {cell(f.rule)} | {cell(outcome_text(f.outcome, lang))} | {cell(sev)} | "
            f"{cell(f.subject_id + ' ' + f.subject_name)} | {cell(f.message(lang))} | {ev} |")


def render(report: Report, options: RenderOptions) -> str:
    lang = options.lang
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731 - local shorthand
    out = [f"# {t('ducha 检查结果', 'ducha results')}", "", summary_line(report, lang), ""]
    heads = [t("文件", "file"), t("报送", "submission"), t("截至", "as of")] + [outcome_text(o, lang) for o in COLUMNS]
    out.append("| " + " | ".join(heads) + " |")
    out.append("|" + "---|" * 3 + "---:|" * len(COLUMNS))
    for r in report.results:
        if r.status != "checked":
            why = t(f"无法使用（{len(r.problems)} 个问题）", f"unusable ({len(r.problems)} problems)") \
                if r.status == "invalid" else t("未能检查", "not checked")
            out.append(f"| {code(r.path)} | {cell(r.submission or '')} | | {cell(why)} |" + " |" * (len(COLUMNS) - 1))
            continue
        c = Counter(f.outcome for f in report.visible(r))
        out.append(f"| {code(r.path)} | {cell(r.submission)} | {cell(r.as_of)} | " +
                   " | ".join(str(c.get(o, 0)) for o in COLUMNS) + " |")
    for r in report.results:
        if r.status == "invalid":
            out += ["", f"## {code(r.path)}", ""]
            out += [f"- {code(p.code)} {code(str(p.location))}: {cell(p.message(lang))}" for p in r.problems]
            continue
        if r.status == "failed":
            out += ["", f"## {code(r.path)}", "", f"- {cell(r.reason)}"]
            continue
        shown = [f for f in report.visible(r) if f.outcome in options.show]
        if not shown:
            continue
        out += ["", f"## {code(r.path)} — {cell(r.submission)} {cell(r.jurisdiction_name)} {cell(r.period)}", ""]
        out.append("| " + " | ".join([t("义务", "obligation"), t("结果", "outcome"), t("严重程度", "severity"),
                                       t("对象", "subject"), t("说明", "message"), t("证据", "evidence")]) + " |")
        out.append("|---|---|---|---|---|---|")
        out += [_row(f, lang) for f in shown]
    if report.notices:
        out += ["", f"## {t('注意', 'Notices')}", ""]
        out += [f"- {code(n.code)} {cell(n.message(lang))}" + (f" ({code(n.where)})" if n.where else "")
                for n in report.notices]
    return "\n".join(out) + "\n"
