"""``github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=…,line=…,title=…::message`` for error-severity violations and undecided
(``error``) findings, ``::warning`` for warning severity, ``::notice`` for info severity and
for waived findings (shown, never hidden). Unusable inputs annotate the place of each
problem. The summary line closes the output as plain log text.
"""
from __future__ import annotations

from ..errors import Location
from ..finding import Finding
from .base import RenderOptions, Report, outcome_text, summary_line, tr
from .locate import artifact, parse_location

NAME = "github"
BINARY = False

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(kind: str, loc: Location | None, title: str, message: str) -> str:
    props = []
    if loc is not None:
        file, line = artifact(loc)
        props.append(f"file={_prop(file)}")
        if line is not None:
            props.append(f"line={line}")
    props.append(f"title={_prop(title)}")
    return f"::{kind} {','.join(props)}::{_data(message)}"


def _finding(f: Finding, path: str, lang: str) -> str:
    loc = parse_location(f.evidence[0]) if f.evidence else Location(path)
    if f.outcome == "waived":
        kind = "notice"
        w = f.waiver or {}
        message = f"[{outcome_text('waived', lang)}] {f.message(lang)}" + tr(
            lang, f"（豁免：{w.get('reason')}，有效至 {w.get('expires')}）", f" (waiver: {w.get('reason')}, until {w.get('expires')})")
    elif f.outcome == "error":
        kind, message = "error", f"[{outcome_text('error', lang)}] {f.message(lang)}"
    else:
        kind, message = COMMAND.get(f.severity, "error"), f.message(lang)
    title = f"{f.rule} {f.title(lang)} ({f.clause})"
    return annotation(kind, loc, title, f"{message} [{f.fingerprint}]")


def render(report: Report, options: RenderOptions) -> str:
    lang = options.lang
    lines = []
    for r in report.results:
        for p in r.problems:
            level = "warning" if p.code.startswith("W-") else "error"
            lines.append(annotation(level, p.location, f"ducha {p.code}", p.message(lang)))
        if r.status == "failed":
            lines.append(annotation("error", Location(r.path), "ducha", tr(lang, f"未能检查：{r.reason}", f"not checked: {r.reason}")))
        for f in report.visible(r):
            if f.outcome in ("violated", "error", "waived"):
                lines.append(_finding(f, r.path, lang))
    for n in report.notices:
        lines.append(annotation("warning", parse_location(n.where) if n.where else None, f"ducha {n.code}", n.message(lang)))
    lines.append(summary_line(report, lang))
    return "\n".join(lines) + "\n"
