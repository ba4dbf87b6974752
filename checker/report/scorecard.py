"""Compliance scorecards: findings counted by jurisdiction, lead unit, obligation or section.

Contract:

* compliance = passed / (passed + violated). Pending, not applicable, waived and error are
  counted in their own columns and are never passes (an unexamined or waived obligation is
  not a kept one); a group with nothing passed or violated has no compliance (``None``).
* A scorecard describes the *current* state: of several submissions from the same
  jurisdiction for the same pack, only the latest (period, then as_of) is counted — later
  snapshots already re-examine the earlier periods' obligations, so adding them up would
  count one obligation several times. The earlier ones feed the trend (:mod:`.trend`) and
  the per-quarter view (:func:`by_period`).
* A finding with several lead units (or obligations) counts once for each of them; the
  total row counts every finding once.
* Rows come out in a fixed order (codes, natural rule order, names), so tables are stable.
"""
from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..finding import Finding
from ..run import SubmissionResult
from ..rulefile import _natural
from .safe import protect

if TYPE_CHECKING:
    from .base import Report

DIMENSIONS = ("jurisdiction", "department", "obligation", "section")
COUNTED = ("passed", "violated", "pending", "not_applicable", "waived", "error")


def group_key(r: SubmissionResult) -> tuple[str, str]:
    """Submissions with the same key describe the same jurisdiction under the same pack."""
    return (r.pack or "", r.jurisdiction or "")


def recency(r: SubmissionResult) -> tuple[str, str, str, str]:
    """Later period first, then later as_of; id and path only make ties deterministic."""
    return (r.period or "", r.as_of or "", r.submission or "", r.path)


@dataclass
class Tally:
    passed: int = 0
    violated: int = 0
    pending: int = 0
    not_applicable: int = 0
    waived: int = 0
    error: int = 0

    def add(self, outcome: str, n: int = 1) -> None:
        if outcome in COUNTED:
            setattr(self, outcome, getattr(self, outcome) + n)

    def counts(self) -> list[int]:
        return [getattr(self, k) for k in COUNTED]

    def add_counts(self, counts: list[int]) -> None:
        """Add what :meth:`counts` gave for another tally."""
        for k, n in zip(COUNTED, counts):
            setattr(self, k, getattr(self, k) + n)

    @property
    def total(self) -> int:
        return sum(getattr(self, k) for k in COUNTED)

    @property
    def compliance(self) -> float | None:
        denominator = self.passed + self.violated
        return None if denominator == 0 else self.passed / denominator

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {k: getattr(self, k) for k in COUNTED}
        c = self.compliance
        d["compliance"] = None if c is None else round(c, 6)
        return d


@dataclass
class Row:
    key: str
    label_zh: str
    label_en: str
    tally: Tally = field(default_factory=Tally)
    order: Any = None

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh


@dataclass
class Scorecard:
    by: str
    rows: list[Row]
    total: Tally
    counted: list[SubmissionResult]
    superseded: list[SubmissionResult]

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"by": self.by,
                "basis": {"submissions": [c.path for c in self.counted],
                          "superseded": [c.path for c in self.superseded]},
                "rows": [{"key": r.key, "label": r.label(lang), **r.tally.to_dict()} for r in self.rows],
                "total": self.total.to_dict()}


def checked_only(results: Iterable[SubmissionResult]) -> list[SubmissionResult]:
    return [r for r in results if r.status == "checked"]


def current(results: Iterable[SubmissionResult]) -> tuple[list[SubmissionResult], list[SubmissionResult]]:
    """(latest checked submission per (pack, jurisdiction), the earlier ones), both in input order."""
    items = checked_only(results)
    best: dict[tuple[str, str], SubmissionResult] = {}
    for c in items:
        k = group_key(c)
        if k not in best or recency(c) > recency(best[k]):
            best[k] = c
    latest = {id(c) for c in best.values()}
    return [c for c in items if id(c) in latest], [c for c in items if id(c) not in latest]


_NONE = {"department": ("（未指定牵头单位）", "(no lead unit)"), "section": ("（未分节）", "(no section)")}


# What a finding's groups in each dimension depend on, after its outcome (see ``_groups``).
_FIELDS = {"jurisdiction": ("outcome", "jurisdiction", "jurisdiction_name"), "department": ("outcome", "lead_units"),
           "obligation": ("outcome", "obligations", "rule", "title_zh", "title_en"),
           "section": ("outcome", "section", "rule")}
_KEY = {by: attrgetter(*names) for by, names in _FIELDS.items()}


def _groups(by: str, f: Finding) -> list[tuple[str, str, str, Any]]:
    """(key, label zh, label en, sort order) of each group ``f`` counts in."""
    if by not in _KEY:
        raise ValueError(f"unknown scorecard dimension {by!r}")
    return _groups_of(by, _KEY[by](f))


def _groups_of(by: str, k: tuple[Any, ...]) -> list[tuple[str, str, str, Any]]:
    """:func:`_groups` of a finding whose ``_KEY[by]`` is ``k``."""
    if by == "jurisdiction":
        _, code, name = k
        return [(code, name or code, name or code, code)]  # codes nest (450802 ⊂ 450802001): code order is tree order
    if by == "department":
        lead_units = k[1]
        if not lead_units:
            zh, en = _NONE["department"]
            return [("", zh, en, (1, ""))]
        return [(u, u, u, (0, u)) for u in dict.fromkeys(lead_units)]
    if by == "obligation":
        # Rows sort by obligation id; the title shown is that of the rule named like the
        # obligation, else of the first rule implementing it (see ``tally``).
        _, obligations, rule, title_zh, title_en = k
        return [(o, title_zh, title_en, (_natural(o), 0 if rule == o else 1, _natural(rule)))
                for o in dict.fromkeys(obligations)]
    _, section, rule = k
    if not section:
        zh, en = _NONE["section"]
        return [("", zh, en, (1, []))]
    return [(section, section, section, (0, _natural(rule)))]


class Tallier:
    """:func:`tally` fed one finding at a time (a batch streams its results from disk): after
    the same findings in the same order, :meth:`rows` and :attr:`total` are what ``tally`` gives."""

    def __init__(self, by: str) -> None:
        self.by = by
        self._rows: dict[str, Row] = {}
        self.total = Tally()

    def add(self, f: Finding) -> None:
        self.total.add(f.outcome)
        for key, zh, en, order in _groups(self.by, f):
            self._merge(key, zh, en, order).tally.add(f.outcome)

    def _merge(self, key: str, zh: str, en: str, order: Any) -> Row:
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = Row(key, zh, en, order=order)
        elif order < row.order:  # the earliest rule gives a section its place, an obligation its title
            row.order = order
            row.label_zh, row.label_en = zh, en
        return row

    def add_all(self, findings: Iterable[Finding]) -> None:
        """``add`` each finding. Findings alike in what this dimension reads (outcome and
        groups) are counted together first, in the order first seen, which gives the same rows,
        labels and tallies: a label changes only for a strictly earlier order."""
        try:
            alike = Counter(map(_KEY[self.by], findings))
        except TypeError:  # an unhashable value (lists where tuples belong): one at a time
            for f in findings:
                self.add(f)
            return
        for k, n in alike.items():
            self.total.add(k[0], n)
            for key, zh, en, order in _groups_of(self.by, k):
                self._merge(key, zh, en, order).tally.add(k[0], n)

    def export(self) -> list[list[Any]]:
        """The rows so far as plain data, in the order first seen: ``[key, zh, en, order, counts]``
        (orders are lists, as JSON gives them back; compare only orders exported alike)."""
        return [[r.key, r.label_zh, r.label_en, _plain(r.order), r.tally.counts()] for r in self._rows.values()]

    def merge(self, rows: list[list[Any]], total: list[int]) -> None:
        """Add another Tallier's :meth:`export` and ``total.counts()``: the same as adding its
        findings here (the first of the rows with the lowest order names a row, as in ``add``)."""
        self.total.add_counts(total)
        for key, zh, en, order, counts in rows:
            self._merge(key, zh, en, order).tally.add_counts(counts)

    def rows(self) -> list[Row]:
        return sorted(self._rows.values(), key=lambda r: (r.order, r.key))


def _plain(order: Any) -> Any:
    """An order with its tuples as lists (what a JSON round trip gives)."""
    if isinstance(order, (tuple, list)):
        return [_plain(x) for x in order]
    return order


def tally(by: str, findings: Iterable[Finding]) -> tuple[list[Row], Tally]:
    t = Tallier(by)
    for f in findings:
        t.add(f)
    return t.rows(), t.total


def scorecard(results: Iterable[SubmissionResult], by: str = "jurisdiction") -> Scorecard:
    counted, superseded = current(results)
    rows, total = tally(by, (f for c in counted for f in c.findings))
    return Scorecard(by, rows, total, counted, superseded)


def period_best(results: Iterable[SubmissionResult]) -> list[SubmissionResult]:
    """The latest checked submission of each (pack, jurisdiction, period), in the order the
    keys were first seen (the order :func:`by_period` counts them in)."""
    best: dict[tuple[str, str, str], SubmissionResult] = {}
    for c in checked_only(results):
        k = (*group_key(c), c.period or "")
        if k not in best or recency(c) > recency(best[k]):
            best[k] = c
    return list(best.values())


class PeriodCells:
    """:func:`by_period` fed one submission at a time, in any order: ``add(result, rank)``
    where ``rank`` is the submission's place in :func:`period_best`; a row's label comes from
    the lowest-ranked submission naming that jurisdiction, as if they were added in rank order."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str], Tally] = {}
        self._rows: dict[str, tuple[int, Row]] = {}

    def add(self, c: SubmissionResult, rank: int) -> None:
        period = c.period or ""
        for f in c.findings:
            key, zh, en, order = _groups("jurisdiction", f)[0]
            got = self._rows.get(key)
            if got is None:
                got = self._rows[key] = (rank, Row(key, zh, en, order=order))
            elif got[0] > rank:  # an earlier submission names it: its label wins, counts stay
                got[1].label_zh, got[1].label_en, got[1].order = zh, en, order
                got = self._rows[key] = (rank, got[1])
            got[1].tally.add(f.outcome)
            self.cells.setdefault((key, period), Tally()).add(f.outcome)

    def merge(self, rows: list[list[Any]], period: str, rank: int) -> None:
        """:meth:`add` of a submission of ``period`` and ``rank`` whose findings' jurisdiction
        :meth:`Tallier.export` gave ``rows``: within one submission the first finding naming a
        jurisdiction labels it, as the Tallier's rows are labelled (their order is the code)."""
        for key, zh, en, order, counts in rows:
            got = self._rows.get(key)
            if got is None:
                got = self._rows[key] = (rank, Row(key, zh, en, order=order))
            elif got[0] > rank:
                got[1].label_zh, got[1].label_en, got[1].order = zh, en, order
                got = self._rows[key] = (rank, got[1])
            got[1].tally.add_counts(counts)
            self.cells.setdefault((key, period), Tally()).add_counts(counts)

    def result(self) -> tuple[list[str], list[Row], dict[tuple[str, str], Tally]]:
        periods = sorted({p for _, p in self.cells})
        rows = [row for _, row in self._rows.values()]
        return periods, sorted(rows, key=lambda r: (r.order, r.key)), self.cells


def by_period(results: Iterable[SubmissionResult]) -> tuple[list[str], list[Row], dict[tuple[str, str], Tally]]:
    """Compliance per (finding jurisdiction, period) over every checked submission (the latest
    of each (pack, jurisdiction, period)): the periods, the jurisdictions and the cells."""
    acc = PeriodCells()
    for rank, c in enumerate(period_best(results)):
        acc.add(c, rank)
    return acc.result()


# ---------------------------------------------------------------- terminal formats

HEADINGS = {
    "jurisdiction": (("代码", "行政区"), ("code", "jurisdiction")),
    "department": ((None, "牵头单位"), (None, "lead unit")),
    "obligation": (("义务编号", "义务"), ("obligation", "title")),
    "section": ((None, "方案章节"), (None, "document section")),
}
TITLES = {
    "jurisdiction": ("按行政区统计合规情况", "Compliance by jurisdiction"),
    "department": ("按牵头单位统计合规情况", "Compliance by lead unit"),
    "obligation": ("按义务统计合规情况", "Compliance by obligation"),
    "section": ("按方案章节统计合规情况", "Compliance by document section"),
}
COLUMNS = {
    "passed": ("符合", "passed"), "violated": ("不符合", "violated"), "compliance": ("合规率", "compliance"),
    "pending": ("未到期", "pending"), "not_applicable": ("不适用", "not applicable"),
    "waived": ("已豁免", "waived"), "error": ("错误", "error"),
}
ORDER = ("passed", "violated", "compliance", "pending", "not_applicable", "waived", "error")


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _t(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _table(card: Scorecard, lang: str) -> tuple[list[str], list[list[str]], list[str]]:
    (kz, lz), (ke, le) = HEADINGS[card.by]
    key_head = ke if lang == "en" else kz
    head = ([key_head] if key_head else []) + [le if lang == "en" else lz] + [_t(COLUMNS[c], lang) for c in ORDER]
    body = []
    for r in card.rows:
        cells = ([r.key] if key_head else []) + [r.label(lang)]
        body.append(cells + _numbers(r.tally))
    total = ([""] if key_head else []) + [_t(("合计", "total"), lang)] + _numbers(card.total)
    return head, body, total


def _numbers(t: Tally) -> list[str]:
    return [pct(t.compliance) if c == "compliance" else str(getattr(t, c)) for c in ORDER]


def accounting_line(report: "Report", lang: str) -> str:
    """Inputs in = inputs accounted for (checked + unusable + not checked); skipped files come
    from the run's ``W-SKIPPED`` notices."""
    c = report.counts()
    accounted = c.checked + c.invalid + c.failed
    skipped = sum(1 for n in report.notices if n.code == "W-SKIPPED")
    if lang == "en":
        s = (f"{c.files} input{'s' if c.files != 1 else ''}: {c.checked} checked, {c.invalid} unusable, "
             f"{c.failed} not checked ({accounted} accounted for)")
        return s + (f"; {skipped} other file{'s' if skipped != 1 else ''} skipped" if skipped else "")
    s = f"输入 {c.files} 份：已检查 {c.checked}，无法使用 {c.invalid}，未能检查 {c.failed}（合计 {accounted}）"
    return s + (f"；另跳过非报送文件 {skipped} 个" if skipped else "")


def basis_line(card: Scorecard, lang: str) -> str:
    n, m = len(card.counted), len(card.superseded)
    if lang == "en":
        s = f"Basis: the latest submission of each jurisdiction ({n} submission{'s' if n != 1 else ''})"
        return s + (f"; {m} earlier submission{'s' if m != 1 else ''} shown in the trend only." if m else ".")
    return f"统计口径：各报送单位最新一期报送（{n} 份）" + (f"；另有 {m} 份早期报送仅计入趋势。" if m else "。")


def note_line(lang: str) -> str:
    return ("Compliance = passed / (passed + violated); pending, not applicable, waived and error are not counted as passes."
            if lang == "en" else "合规率 = 符合 /（符合 + 不符合）；未到期、不适用、已豁免、错误均不计为符合。")


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, w: int, right: bool) -> str:
    fill = " " * (w - width(text))
    return fill + text if right else text + fill


GREEN, YELLOW, RED, BOLD, RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[1m", "\x1b[0m"


def _colour_for(head_index: int, n_label: int, row: list[str], tally_: Tally) -> str:
    col = head_index - n_label
    if col < 0:
        return ""
    name = ORDER[col]
    if name == "compliance":
        c = tally_.compliance
        return "" if c is None else GREEN if c >= 0.9 else YELLOW if c >= 0.6 else RED
    if name in ("violated", "error") and row[head_index] != "0":
        return RED
    return ""


def format_table(card: Scorecard, lang: str = "zh", colour: bool = False) -> str:
    """Aligned plain-text table (East Asian wide characters count double); ANSI colour optional."""
    head, body, total = _table(card, lang)
    widths = [max(width(r[i]) for r in [head, *body, total]) for i in range(len(head))]
    n_label = len(head) - len(ORDER)
    tallies = [r.tally for r in card.rows] + [card.total]

    def line(cells: list[str], t: Tally | None, bold: bool = False) -> str:
        out = []
        for i, cell in enumerate(cells):
            text = _pad(cell, widths[i], right=i >= n_label)
            code = _colour_for(i, n_label, cells, t) if (colour and t is not None) else ""
            if colour and bold and i < n_label:
                code = BOLD
            out.append(f"{code}{text}{RESET}" if code else text)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines = [_t(TITLES[card.by], lang), line(head, None, bold=True), rule]
    lines += [line(cells, tallies[i]) for i, cells in enumerate(body)]
    lines += [rule, line(total, card.total, bold=True), "", basis_line(card, lang), note_line(lang)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def format_markdown(card: Scorecard, lang: str = "zh") -> str:
    head, body, total = _table(card, lang)
    n_label = len(head) - len(ORDER)
    lines = [f"### {_t(TITLES[card.by], lang)}", "",
             "| " + " | ".join(_md(h) for h in head) + " |",
             "|" + "|".join(":---" if i < n_label else "---:" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(_md(c) for c in cells) + " |" for cells in body]
    lines += ["| " + " | ".join(f"**{_md(c)}**" if c else "" for c in total) + " |", "",
              basis_line(card, lang), "", note_line(lang)]
    return "\n".join(lines) + "\n"


def format_csv(card: Scorecard, lang: str = "zh") -> str:
    head, body, total = _table(card, lang)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(head)
    for cells in [*body, total]:
        w.writerow([protect(c) for c in cells])
    return buf.getvalue()


def format_json(card: Scorecard, lang: str = "zh") -> str:
    return json.dumps(card.to_dict(lang), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


FORMATS: dict[str, Callable[..., str]] = {
    "table": format_table, "markdown": format_markdown, "csv": format_csv, "json": format_json,
}
