"""``html``: one self-contained page for a batch — opens offline, from a USB stick or an email.

No scripts, no external assets (a Content-Security-Policy of ``default-src 'none'`` makes
sure), charts as inline SVG: compliance per jurisdiction (the latest submission of each) and
per jurisdiction and quarter. Then the four scorecards, the trend (new / persisting /
resolved lapses), the violations of each submission, the unusable inputs and the run's
notices. Every string — most come from submissions — goes through :func:`html.escape`. The
page carries no timestamp, so the same results give the same bytes.
"""
from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from ..finding import Finding, reason_text
from ..run import SubmissionResult
from .base import SEVERITY_TEXT, RenderOptions, Report, outcome_text, summary_line, tr
from .scorecard import (COLUMNS, DIMENSIONS, HEADINGS, ORDER, TITLES, Row, Scorecard, Tally, accounting_line, basis_line,
                        note_line, pct)
from .trend import NOW_TEXT, STATUS_TEXT, Step

if TYPE_CHECKING:
    from .view import BatchView

NAME = "html"
BINARY = False
SHOWN = ("violated", "error", "waived")

CSS = """
:root{--ok:#2e7d32;--mid:#f9a825;--bad:#c62828;--none:#bdbdbd;--ink:#212121;--dim:#616161;--line:#e0e0e0}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 "Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei",sans-serif;color:var(--ink);background:#fafafa}
header{background:#263238;color:#fff;padding:20px 32px}
header h1{margin:0 0 6px;font-size:22px}
header p{margin:2px 0;color:#cfd8dc}
nav{padding:8px 32px;background:#eceff1;border-bottom:1px solid var(--line)}
nav a{margin-right:16px;color:#37474f;text-decoration:none}
main{padding:8px 32px 32px;max-width:1280px}
section{margin-top:24px}
h2{font-size:18px;border-bottom:2px solid #37474f;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:22px}
.card span{color:var(--dim);font-size:12px}
table{border-collapse:collapse;background:#fff;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eceff1}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;background:#f5f5f5}
.ok{color:var(--ok)}.mid{color:#9a6700}.bad{color:var(--bad);font-weight:bold}
.tag{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;color:#fff;white-space:nowrap}
.tag.violated,.tag.new{background:var(--bad)}.tag.error{background:#6a1b9a}.tag.waived{background:#00838f}
.tag.persisting{background:#ef6c00}.tag.resolved{background:var(--ok)}
details{background:#fff;border:1px solid var(--line);border-radius:4px;margin:6px 0;padding:4px 10px}
summary{cursor:pointer;font-weight:bold}
.note{color:var(--dim);font-size:12px}
.nowrap{white-space:nowrap}
svg text{font-family:inherit}
footer{padding:16px 32px;color:var(--dim);font-size:12px;border-top:1px solid var(--line)}
"""


def e(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def _cls(c: float | None) -> str:
    return "" if c is None else "ok" if c >= 0.9 else "mid" if c >= 0.6 else "bad"


def _colour(c: float | None) -> str:
    return "#bdbdbd" if c is None else "#2e7d32" if c >= 0.9 else "#f9a825" if c >= 0.6 else "#c62828"


def _short(text: str, n: int = 14) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------- charts (inline SVG)


def bar_chart(rows: Sequence[Row], lang: str) -> str:
    """Horizontal bars: compliance of each jurisdiction; '—' where nothing was decided."""
    return "".join(bar_chart_parts(rows, lang))


def bar_chart_parts(rows: Sequence[Row], lang: str) -> Iterator[str]:
    """:func:`bar_chart` in pieces (a nation has hundreds of thousands of jurisdictions)."""
    if not rows:
        yield f"<p class=\"note\">{e(tr(lang, '没有可统计的结果。', 'Nothing to chart.'))}</p>"
        return
    label_w, bar_w, row_h, top = 200, 480, 24, 24
    height = top + row_h * len(rows) + 8
    width = label_w + bar_w + 70
    title = tr(lang, "各行政区合规率（最新一期）", "Compliance per jurisdiction (latest submission)")
    yield (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{e(title)}">')
    for frac in (0, 0.5, 0.9, 1):
        x = label_w + bar_w * frac
        dash = ' stroke-dasharray="4 3"' if frac == 0.9 else ""
        yield (f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 4}" stroke="#e0e0e0"{dash}/>')
        yield (f'<text x="{x:.1f}" y="{top - 10}" font-size="11" text-anchor="middle" fill="#616161">{int(frac * 100)}%</text>')
    for i, r in enumerate(rows):
        y = top + i * row_h
        c = r.tally.compliance
        label = f"{r.label(lang)} {r.key}" if r.key and r.key != r.label(lang) else r.label(lang)
        yield (f'<text x="{label_w - 8}" y="{y + 16}" font-size="12" text-anchor="end">{e(_short(label, 22))}</text>')
        tip = (f"{r.label(lang)}: {pct(c)} ({tr(lang, '符合', 'passed')} {r.tally.passed}, "
               f"{tr(lang, '不符合', 'violated')} {r.tally.violated})")
        w = 0.0 if c is None else bar_w * c
        yield (f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{_colour(c)}">'
                   f'<title>{e(tip)}</title></rect>')
        yield (f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" font-size="12" fill="#212121">{e(pct(c))}</text>')
    yield ("</svg>")


def heatmap(periods: Sequence[str], rows: Sequence[Row], cells: dict[tuple[str, str], Tally], lang: str) -> str:
    """A grid: one row per jurisdiction, one column per quarter, coloured by compliance."""
    return "".join(heatmap_parts(periods, rows, cells, lang))


def heatmap_parts(periods: Sequence[str], rows: Sequence[Row], cells: dict[tuple[str, str], Tally],
                  lang: str) -> Iterator[str]:
    """:func:`heatmap` in pieces."""
    if not rows or not periods:
        yield f"<p class=\"note\">{e(tr(lang, '没有可统计的结果。', 'Nothing to chart.'))}</p>"
        return
    label_w, cell_w, row_h, top = 200, 72, 24, 28
    width = label_w + cell_w * len(periods) + 8
    height = top + row_h * len(rows) + 8
    title = tr(lang, "各行政区各季度合规率", "Compliance per jurisdiction and quarter")
    yield (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{e(title)}">')
    for j, p in enumerate(periods):
        x = label_w + j * cell_w + cell_w / 2
        yield (f'<text x="{x:.1f}" y="{top - 10}" font-size="12" text-anchor="middle" font-weight="bold">{e(p)}</text>')
    for i, r in enumerate(rows):
        y = top + i * row_h
        label = f"{r.label(lang)} {r.key}" if r.key and r.key != r.label(lang) else r.label(lang)
        yield (f'<text x="{label_w - 8}" y="{y + 16}" font-size="12" text-anchor="end">{e(_short(label, 22))}</text>')
        for j, p in enumerate(periods):
            x = label_w + j * cell_w
            t = cells.get((r.key, p))
            if t is None:
                yield (f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{row_h - 2}" fill="#f5f5f5"/>')
                continue
            c = t.compliance
            tip = f"{r.label(lang)} {p}: {pct(c)}"
            yield (f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{row_h - 2}" fill="{_colour(c)}">'
                       f'<title>{e(tip)}</title></rect>')
            ink = "#212121" if c is None or 0.6 <= c < 0.9 else "#ffffff"
            yield (f'<text x="{x + cell_w / 2:.1f}" y="{y + 16}" font-size="11" text-anchor="middle" fill="{ink}">{e(pct(c))}</text>')
    yield ("</svg>")


# ---------------------------------------------------------------- tables


def _num_cells(t: Tally) -> str:
    out = []
    for c in ORDER:
        if c == "compliance":
            out.append(f'<td class="n {_cls(t.compliance)}">{e(pct(t.compliance))}</td>')
        else:
            v = getattr(t, c)
            cls = " bad" if c in ("violated", "error") and v else ""
            out.append(f'<td class="n{cls}">{v}</td>')
    return "".join(out)


def score_table(card: Scorecard, lang: str) -> str:
    return "".join(score_table_parts(card, lang))


def score_table_parts(card: Scorecard, lang: str) -> Iterator[str]:
    """:func:`score_table` in pieces."""
    (kz, lz), (ke, le) = HEADINGS[card.by]
    key_head = ke if lang == "en" else kz
    heads = ([key_head] if key_head else []) + [le if lang == "en" else lz] + [tr(lang, *COLUMNS[c]) for c in ORDER]
    yield (f"<h3>{e(tr(lang, *TITLES[card.by]))}</h3><table><thead><tr>"
           + "".join(f"<th>{e(h)}</th>" for h in heads) + "</tr></thead><tbody>")
    for r in card.rows:
        key = f"<td>{e(r.key)}</td>" if key_head else ""
        yield (f"<tr>{key}<td>{e(r.label(lang))}</td>{_num_cells(r.tally)}</tr>")
    key = "<td></td>" if key_head else ""
    yield (f'<tr class="total">{key}<td>{e(tr(lang, "合计", "total"))}</td>{_num_cells(card.total)}</tr>')
    yield ("</tbody></table>")


def _table(heads: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """``rows`` hold HTML already escaped by the caller (cells may carry markup)."""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return "<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in heads) + f"</tr></thead><tbody>{body}</tbody></table>"


def _tag(kind: str, text: str) -> str:
    return f'<span class="tag {e(kind)}">{e(text)}</span>'


def trend_section(steps: Sequence[Step], lang: str) -> str:
    out = []
    heads = [tr(lang, "变化", "change"), tr(lang, "规则", "rule"), tr(lang, "对象", "subject"),
             tr(lang, "原因", "reason"), tr(lang, "逾期天数", "days overdue"), tr(lang, "说明", "message")]
    for st in steps:
        before = tr(lang, f"上次运行 {st.before}", f"previous run {st.before}") if st.previous_run else st.before
        counts = "，".join(f"{tr(lang, *STATUS_TEXT[s])} {st.count(s)}" for s in STATUS_TEXT) if lang != "en" else \
            ", ".join(f"{st.count(s)} {STATUS_TEXT[s][1]}" for s in STATUS_TEXT)
        colon = ": " if lang == "en" else "："
        out.append(f"<h3>{e(st.jurisdiction_name)} {e(st.jurisdiction)}{colon}{e(before)} → {e(st.after)}</h3>"
                   f"<p>{e(counts)}</p>")
        rows = []
        for ch in st.changes:
            f = ch.finding
            label = tr(lang, *STATUS_TEXT[ch.status])
            if ch.status == "resolved":
                label += f"（{tr(lang, *NOW_TEXT.get(ch.now, (ch.now, ch.now)))}）" if lang != "en" else \
                    f" ({NOW_TEXT.get(ch.now, (ch.now, ch.now))[1]})"
            rows.append([_tag(ch.status, label), f"<span class=\"nowrap\">{e(f.rule)}</span>", f"{e(f.subject_name)} <span class=\"note\">{e(f.subject_id)}</span>",
                         e(reason_text(f.reason, lang)), e("" if f.days_overdue is None else f.days_overdue),
                         e(f.message(lang))])
        if rows:
            out.append(_table(heads, rows))
    return "".join(out)


def _finding_row(f: Finding, lang: str) -> list[str]:
    sev = SEVERITY_TEXT.get(f.severity, (f.severity, f.severity))
    what = outcome_text(f.outcome, lang) + (f"：{reason_text(f.reason, lang)}" if f.reason and lang != "en" else
                                            f": {reason_text(f.reason, lang)}" if f.reason else "")
    due = "" if not f.due else tr(lang, f"期限 {f.due}", f"due {f.due}")
    overdue = "" if f.days_overdue is None else tr(lang, f"，逾期 {f.days_overdue} 天", f", {f.days_overdue} days overdue")
    waiver = ""
    if f.waiver:
        waiver = "<br>" + e(tr(lang, f"豁免：{f.waiver.get('reason', '')}（{f.waiver.get('approver', '')}，至 {f.waiver.get('expires', '')}）",
                               f"waiver: {f.waiver.get('reason', '')} ({f.waiver.get('approver', '')}, until {f.waiver.get('expires', '')})"))
    obligations = "" if list(f.obligations) == [f.rule] else f"<br><span class=\"note\">{e(', '.join(f.obligations))}</span>"
    return [f"<span class=\"nowrap\">{e(f.rule)}</span>{obligations}",
            _tag(f.outcome, what) + f"<br><span class=\"note\">{e(tr(lang, *sev))}</span>",
            f"{e(f.subject_name)}<br><span class=\"note\">{e(f.jurisdiction_name)} {e(f.subject_id)}</span>",
            e(f.message(lang)) + waiver,
            e(f"{due}{overdue}"),
            e("、".join(f.lead_units) if lang != "en" else ", ".join(f.lead_units)),
            f"<span title=\"{e(f.quote)}\">{e(f.clause)}</span>",
            "<br>".join(e(x) for x in f.evidence)]


def findings_block(r: SubmissionResult, lang: str) -> str:
    """One checked submission's collapsible block of violations ("" for other results)."""
    if r.status != "checked":
        return ""
    heads = [tr(lang, "规则", "rule"), tr(lang, "结果", "outcome"), tr(lang, "对象", "subject"),
             tr(lang, "说明", "message"), tr(lang, "期限", "due"), tr(lang, "牵头单位", "lead units"),
             tr(lang, "条款", "clause"), tr(lang, "证据位置", "evidence")]
    out = []
    shown = [f for f in r.findings if f.outcome in SHOWN]
    n_bad = sum(1 for f in r.findings if f.outcome in ("violated", "error"))
    title = f"{r.jurisdiction_name or ''} {r.period or ''} — {r.path}"
    count = tr(lang, f"违反/错误 {n_bad}，共 {len(r.findings)} 项", f"{n_bad} violated/error of {len(r.findings)}")
    out.append(f"<details{' open' if n_bad else ''}><summary>{e(title)} <span class=\"note\">{e(count)}</span></summary>")
    if shown:
        out.append(_table(heads, [_finding_row(f, lang) for f in shown]))
    else:
        out.append(f"<p class=\"ok\">{e(tr(lang, '没有违反项。', 'No violations.'))}</p>")
    out.append("</details>")
    return "".join(out)


def no_findings(lang: str) -> str:
    """The findings section when no submission was checked."""
    return f"<p class=\"note\">{e(tr(lang, '没有已检查的报送。', 'No submission was checked.'))}</p>"


def findings_section(results: Sequence[SubmissionResult], lang: str) -> str:
    return "".join(findings_block(r, lang) for r in results) or no_findings(lang)


def unusable_section(results: Sequence[SubmissionResult], lang: str) -> str:
    rows = []
    for r in results:
        if r.status == "invalid":
            for p in r.problems:
                rows.append([e(r.path), e(p.code), e(str(p.location)), e(p.message(lang))])
        elif r.status == "failed":
            kind = tr(lang, "规则无法应用", "rules unusable") if r.failure == "rules" else tr(lang, "内部错误", "internal error")
            rows.append([e(r.path), e(kind), "", e(r.reason or "")])
    if not rows:
        return f"<p class=\"ok\">{e(tr(lang, '全部输入均可使用。', 'Every input was usable.'))}</p>"
    return _table([tr(lang, "输入文件", "input"), tr(lang, "代码", "code"), tr(lang, "位置", "where"),
                   tr(lang, "问题", "problem")], rows)


# ---------------------------------------------------------------- the page


def render(report: Report, options: RenderOptions, *, previous: Report | None = None) -> str:
    from .view import BatchView
    return "".join(render_view(BatchView.of(report, previous), options.lang))


def render_view(view: "BatchView", lang: str) -> Iterator[str]:
    """The page in chunks (the violations of a large batch are streamed, not joined)."""
    report = view.report
    c = report.counts()
    cards = view.cards
    jur = cards["jurisdiction"]
    periods, prow, cells = view.quarters
    steps = view.steps
    title = tr(lang, "督查 ducha 批量检查报告", "ducha batch check report")
    accounting = accounting_line(report, lang)
    as_of = report.info.as_of or tr(lang, "各报送自身的数据截止日期", "each submission's own as_of")
    card_items = [
        (c.files, tr(lang, "输入", "inputs")), (c.checked, tr(lang, "已检查", "checked")),
        (c.invalid, tr(lang, "无法使用", "unusable")), (c.failed, tr(lang, "未能检查", "not checked")),
        (c.outcomes.get("violated", 0), tr(lang, "违反项（全部报送）", "violations (all submissions)")),
        (pct(jur.total.compliance), tr(lang, "总体合规率（最新一期）", "overall compliance (latest)")),
    ]
    nav = [("charts", tr(lang, "图表", "charts")), ("scorecards", tr(lang, "合规统计", "scorecards")),
           ("trend", tr(lang, "趋势", "trend")), ("findings", tr(lang, "违反项", "violations")),
           ("unusable", tr(lang, "无法使用的报送", "unusable inputs")), ("notices", tr(lang, "提示", "notices"))]
    head: list[str | Iterable[str]] = [
        "<!DOCTYPE html>",
        f'<html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        '<link rel="icon" href="data:,">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{e(title)}</h1><p>{e(accounting)}</p><p>{e(summary_line(report, lang))}</p>"
        f"<p>{e(tr(lang, '检查日期：', 'as of: '))}{e(as_of)} · ducha {e(report.info.ducha_version)}</p></header>",
        "<nav>" + "".join(f'<a href="#{k}">{e(v)}</a>' for k, v in nav) + "</nav><main>",
        '<section id="overview"><div class="cards">'
        + "".join(f"<div class=\"card\"><b>{e(v)}</b><span>{e(k)}</span></div>" for v, k in card_items)
        + f"</div><p class=\"note\">{e(basis_line(jur, lang))} {e(note_line(lang))}</p></section>",
        f'<section id="charts"><h2>{e(tr(lang, "图表", "Charts"))}</h2>',
        f"<h3>{e(tr(lang, '各行政区合规率（最新一期）', 'Compliance per jurisdiction (latest submission)'))}</h3>",
        bar_chart_parts(jur.rows, lang),
        f"<h3>{e(tr(lang, '各行政区各季度合规率', 'Compliance per jurisdiction and quarter'))}</h3>",
        heatmap_parts(periods, prow, cells, lang),
        f"<p class=\"note\">{e(tr(lang, '绿色 ≥ 90%，黄色 ≥ 60%，红色 < 60%，灰色：无可判定项。', 'Green ≥ 90%, amber ≥ 60%, red < 60%, grey: nothing decided.'))}</p></section>",
        f'<section id="scorecards"><h2>{e(tr(lang, "合规统计", "Scorecards"))}</h2>',
        (part for by in DIMENSIONS for part in score_table_parts(cards[by], lang)), "</section>",
        f'<section id="trend"><h2>{e(tr(lang, "趋势：新增、持续、已消除的违反项", "Trend: new, persisting and resolved lapses"))}</h2>',
        trend_section(steps, lang) if steps else
        f"<p class=\"note\">{e(tr(lang, '没有同一报送单位的多期报送，也未指定 --compare，无趋势可比。', 'No jurisdiction sent several periods and no --compare was given: no trend to show.'))}</p>",
        "</section>",
        f'<section id="findings"><h2>{e(tr(lang, "各报送的违反项", "Violations per submission"))}</h2>',
    ]
    tail = [
        "</section>",
        f'<section id="unusable"><h2>{e(tr(lang, "无法使用的报送", "Unusable inputs"))}</h2>',
        unusable_section(view.unusable, lang), "</section>",
        f'<section id="notices"><h2>{e(tr(lang, "提示", "Notices"))}</h2>',
        ("<ul>" + "".join(f"<li>{e(n.code)} {e(n.where or '')} {e(n.message(lang))}</li>" for n in report.notices) + "</ul>")
        if report.notices else f"<p class=\"note\">{e(tr(lang, '无。', 'None.'))}</p>",
        "</section></main>",
        f"<footer>{e(tr(lang, '由 ducha 生成；本页不含脚本与外部资源，可离线打开。', 'Generated by ducha; this page has no scripts or external assets and works offline.'))}</footer>",
        "</body></html>",
    ]
    yield from _lines(head)
    yield "\n"
    yield from view.findings_html(lang)
    yield "\n"
    yield from _lines(tail)
    yield "\n"


def _lines(items: Iterable[str | Iterable[str]]) -> Iterator[str]:
    """``"\\n".join(items)`` where an item may itself come in pieces."""
    for k, item in enumerate(items):
        if k:
            yield "\n"
        if isinstance(item, str):
            yield item
        else:
            yield from item
