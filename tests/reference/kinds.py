"""Each obligation kind, stated as directly as Python allows.

Every function takes the context and the kind's spec (the rule model ducha reads from the
rule file) and returns the subjects with their expectations' verdicts. Nothing here is fast
and nothing is shared with ducha's pandas plans, facts, engine or outcomes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from checker.dates import Period, month_day_in, parse_quarter, period_of, periods_between
from checker.units import unit_key

from .select import (Ctx, evidence, evidence_key, is_month_day, resolve, subject_key, subjects)
from .submission import LEVELS
from .verdicts import Verdict, evidence_verdict, checks_verdict


@dataclass
class Subject:
    stype: str
    sid: str
    jur: str
    verdicts: list[Verdict] = field(default_factory=list)
    idle_reason: str = "not_configured"  # why, when there are no verdicts


def _subject(s: dict[str, Any]) -> Subject:
    return Subject(s["_stype"], s["_sid"], s["_jur"])


def _date(row: dict[str, Any], column: str | None) -> dt.date | None:
    return row[column] if column else None


# --------------------------------------------------------------------------- deadline, coverage

def _each_value(row: dict[str, Any], column: str, value: str) -> bool:
    return row[column] is not None and str(row[column]) == value


def deadline(ctx: Ctx, rule: Any, spec: Any) -> list[Subject]:
    """Each subject (× each ``each_of`` value) has matching evidence dated by ``due``."""
    due = ctx.date(spec.due)
    return _one_each(ctx, spec, due)


def coverage(ctx: Ctx, rule: Any, spec: Any) -> list[Subject]:
    """Each subject has matching evidence (by ``due``, or by ``as_of`` when none is set).

    With ``expand: {level: [...]}`` a subject is only expected at the levels from the
    submitter's own down to the level of the subject's own jurisdiction.
    """
    due = ctx.date(spec.due) if spec.due is not None else ctx.as_of
    return _one_each(ctx, spec, due, levels="level" in spec.subjects.expand and spec.require_levels_below_submitter)


def by_key(ctx: Ctx, ev: Any, rows: list[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """Evidence rows grouped by their join key (rows with a missing key part are left out)."""
    out: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        k = evidence_key(ctx, ev, r)
        if k is not None:
            out.setdefault(k, []).append(r)
    return out


def _one_each(ctx: Ctx, spec: Any, due: dt.date, levels: bool = False) -> list[Subject]:
    ev = spec.evidence
    rows = by_key(ctx, ev, evidence(ctx, ev))
    each = getattr(spec, "each_of", None)
    values: list[str | None] = [str(v) for v in ctx.value(each.values)] if each else [None]
    top = LEVELS.index(ctx.submitter["level"])
    out = []
    for s in subjects(ctx, spec.subjects):
        if levels:
            own = ctx.sub.row("jurisdictions", s["_jur"])
            if own is None or s["level"] not in LEVELS:
                continue
            if not top <= LEVELS.index(s["level"]) <= LEVELS.index(own["level"]):
                continue
        subj = _subject(s)
        key = subject_key(ctx, ev, s)
        for v in values:
            mine = rows.get(key, []) if key is not None else []
            dates = [_date(r, ev.date) for r in mine if v is None or _each_value(r, each.field, v)]
            subj.verdicts.append(evidence_verdict(v or "", due, ctx.as_of, dates))
        out.append(subj)
    return out


# --------------------------------------------------------------------------- membership

def required_values(ctx: Ctx, rule: Any, req: Any) -> list[str]:
    if hasattr(req, "file"):
        items = yaml.safe_load((Path(rule.pack_dir) / req.file).read_text(encoding="utf-8"))["items"]
        return [str(item[req.field]) for item in items]
    return [str(v) for v in ctx.value(req)]


def membership(ctx: Ctx, rule: Any, spec: Any) -> list[Subject]:
    """Each required value is among the evidence's ``field`` values (list cells count each
    item), compared as unit names with ``normalise: unit``."""
    norm: Callable[[str], str] = unit_key if spec.normalise == "unit" else (lambda v: v)
    due = ctx.date(spec.due) if spec.due is not None else ctx.as_of
    items = []
    for r in evidence(ctx, spec.evidence):
        cell = r[spec.field]
        for v in (cell if isinstance(cell, list) else [cell]):
            if v is not None:
                items.append((norm(str(v)), _date(r, spec.evidence.date)))
    code = ctx.submitter["code"]
    out = []
    for value in required_values(ctx, rule, spec.required):
        subj = Subject(spec.subject_type, value, code)
        dates = [d for v, d in items if v == norm(value)]
        subj.verdicts.append(evidence_verdict("", due, ctx.as_of, dates))
        out.append(subj)
    return out


# --------------------------------------------------------------------------- recurring

def expected_periods(ctx: Ctx, p: Any) -> list[Period]:
    """From the first period to the one containing ``as_of`` (or the submission's quarter end)."""
    anchor = int(p.first) if p.every == "years" else None
    if p.every == "quarter":
        first = parse_quarter(p.first)
    else:
        first = period_of(p.every, dt.date(int(p.first), 12, 31), n=p.n, anchor=anchor)
    last = ctx.as_of
    if p.until == "submission":
        last = min(last, parse_quarter(ctx.sub.period).end)
    return periods_between(p.every, first.start, last, n=p.n, anchor=anchor)


def recurring(ctx: Ctx, rule: Any, spec: Any) -> list[Subject]:
    """One expectation per period. Evidence belongs to the period containing its
    ``period_field`` year (Dec 31 of it) or its date; due at the period's end or on MM-DD in
    the period's last year; a ``window`` replaces that by [anchor − before, anchor + after]."""
    p = spec.period
    ev = spec.evidence
    anchor_year = int(p.first) if p.every == "years" else None

    def label(r: dict[str, Any]) -> str | None:
        if spec.period_field:
            y = r[spec.period_field]
            return None if y is None else period_of(p.every, dt.date(int(y), 12, 31), n=p.n, anchor=anchor_year).label
        d = _date(r, ev.date)
        return None if d is None else period_of(p.every, d, n=p.n, anchor=anchor_year).label

    rows = [(r, label(r)) for r in evidence(ctx, ev)]
    periods = expected_periods(ctx, p)
    due_spec = ctx.value(p.due)
    out = []
    for s in subjects(ctx, spec.subjects):
        subj = _subject(s)
        subj.idle_reason = "not_configured" if periods else "no_periods"
        key = subject_key(ctx, ev, s)
        for per in periods:
            lo = None
            due = per.end if due_spec == "end" else month_day_in(per.end.year, due_spec)
            if p.window is not None and p.window.month is not None:
                month = ctx.value(p.window.month)
                if month is None:
                    continue  # the month is a parameter left unset: not checked
                lo = dt.date(per.end.year, month, 1)
                due = month_day_in(per.end.year, f"{month:02d}-31")
            elif p.window is not None:
                anchor = p.window.around if is_month_day(p.window.around) else s.get(p.window.around or "")
                if not is_month_day(anchor):
                    continue  # no anchor day for this subject: nothing to examine
                mid = month_day_in(per.end.year, anchor)
                lo = mid - dt.timedelta(days=int(ctx.value(p.window.before)))
                due = mid + dt.timedelta(days=int(ctx.value(p.window.after)))
            dates = [_date(r, ev.date) for r, lab in rows
                     if key is not None and lab == per.label and evidence_key(ctx, ev, r) == key]
            subj.verdicts.append(evidence_verdict(per.label, due, ctx.as_of, dates, lo=lo))
        out.append(subj)
    return out


# --------------------------------------------------------------------------- cardinality

def _count_failures(n: int, lo: int | None, hi: int | None) -> list[str]:
    out = []
    if lo is not None and n < lo:
        out.append("too_few")
    if hi is not None and n > hi:
        out.append("too_many")
    return out


def cardinality(ctx: Ctx, rule: Any, spec: Any) -> list[Subject]:
    """The number of matching evidence records per subject lies in [min, max]; with
    ``per_period``, in every whole period of the window that has ended by ``as_of`` and that
    the subject held throughout (tenure)."""
    ev = spec.count
    rows = by_key(ctx, ev, evidence(ctx, ev))
    lo = None if ctx.value(spec.min) is None else int(ctx.value(spec.min))
    hi = None if ctx.value(spec.max) is None else int(ctx.value(spec.max))
    out = []
    for s in subjects(ctx, spec.subjects):
        subj = _subject(s)
        key = subject_key(ctx, ev, s)
        mine = rows.get(key, []) if key is not None else []
        if spec.per_period is None:
            due = ctx.date(spec.due) if spec.due is not None else ctx.as_of
            subj.verdicts.append(checks_verdict("", due, ctx.as_of, _count_failures(len(mine), lo, hi)))
        else:
            _per_period(ctx, spec, s, subj, mine, lo, hi)
        out.append(subj)
    return out


def _window(ctx: Ctx, within: str) -> tuple[dt.date, dt.date]:
    if within == "submission":
        q = parse_quarter(ctx.sub.period)
        return q.start, min(q.end, ctx.as_of)
    return dt.date(ctx.as_of.year, 1, 1), ctx.as_of


def _per_period(ctx: Ctx, spec: Any, s: dict[str, Any], subj: Subject, mine: list[dict[str, Any]],
                lo: int | None, hi: int | None) -> None:
    pp = spec.per_period
    every = ctx.value(pp.every)
    kind = every.get(s[pp.by]) if isinstance(every, dict) else every
    if kind is None:
        subj.idle_reason = "not_configured"
        return
    subj.idle_reason = "no_periods"
    start, end = _window(ctx, pp.within)
    began = s[pp.tenure[0]] if pp.tenure else None
    left = s[pp.tenure[1]] if pp.tenure else None
    for per in periods_between(kind, start, end):
        if per.start < start or per.end > end:
            continue  # not wholly inside the window (or not over by as_of)
        if began is not None and began > per.start:
            continue  # took the post during the period
        if left is not None and left < per.end:
            continue  # left the post during the period
        n = sum(1 for r in mine if per.contains(r[spec.count.date]))
        subj.verdicts.append(checks_verdict(per.label, per.end, ctx.as_of, _count_failures(n, lo, hi)))


# --------------------------------------------------------------------------- attribute

def _text(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def attribute(ctx: Ctx, rule: Any, spec: Any) -> list[Subject]:
    """Each subject that some case applies to (its ``when`` columns equal, as text) has a
    value for ``field`` (else ``missing``) that every applying case accepts (else
    ``wrong_value``): one of ``allowed``, or ``value op case.value``. A subject no case
    applies to is not applicable."""
    numeric = any(c.op is not None for c in spec.cases)
    due = ctx.date(spec.due) if spec.due is not None else ctx.as_of
    out = []
    for s in subjects(ctx, spec.subjects):
        subj = _subject(s)
        subj.idle_reason = "no_case"
        table = s["_table"]
        applying = [c for c in spec.cases
                    if all((w := resolve(ctx, table, s, k)) is not None and _text(w) == _text(v)
                           for k, v in c.when.items())]
        if applying:
            raw = resolve(ctx, table, s, spec.field)
            value = None if raw is None else (float(raw) if numeric else _text(raw))
            failures = []
            if value is None:
                failures.append("missing")
            elif any(not _accepts(ctx, c, value) for c in applying):
                failures.append("wrong_value")
            subj.verdicts.append(checks_verdict("", due, ctx.as_of, failures))
        out.append(subj)
    return out


def _accepts(ctx: Ctx, case: Any, value: Any) -> bool:
    if case.allowed is not None:
        return value in [str(a) for a in ctx.value(case.allowed)]
    if case.op is not None:
        return OPS[case.op](value, float(ctx.value(case.value)))
    return True


# --------------------------------------------------------------------------- threshold

def threshold(ctx: Ctx, rule: Any, spec: Any) -> list[Subject]:
    """Each indicator, each year from ``first_year`` to the year of ``as_of``: a value in the
    right unit (due on Y-``due``) that is not below (``>=``) / above (``<=``) the bound:
    ``value``, ``baseline × ratio`` or ``previous year's value × ratio`` (in the same unit).
    No bound → not applicable. Of several rows for one year, the last one counts."""
    code = ctx.submitter["code"]
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for r in ctx.sub.tables["indicators"]:
        if r["jurisdiction"] == code:
            rows[(r["name"], r["year"])] = r
    ratio = float(ctx.value(spec.ratio))
    last = min(spec.last_year or ctx.as_of.year, ctx.as_of.year)
    out = []
    for name in spec.indicators:
        subj = Subject("indicator", name, code, idle_reason="no_periods")
        for year in range(spec.first_year, last + 1):
            due = month_day_in(year, spec.due)
            rec = rows.get((name, year))
            failures = []
            if rec is None:
                failures.append("missing")
            else:
                bound = None
                if spec.against == "constant":
                    bound = float(ctx.value(spec.value))
                elif spec.against == "baseline":
                    bound = None if rec["baseline"] is None else rec["baseline"] * ratio
                else:
                    prev = rows.get((name, year - 1))
                    if prev is not None and prev["unit"] == rec["unit"]:
                        bound = prev["value"] * ratio
                if rec["unit"] != spec.unit:
                    failures.append("wrong_unit")
                elif bound is None:
                    failures.append("no_baseline")
                elif spec.op == ">=" and rec["value"] < bound:
                    failures.append("below_threshold")
                elif spec.op == "<=" and rec["value"] > bound:
                    failures.append("above_threshold")
            subj.verdicts.append(checks_verdict(str(year), due, ctx.as_of, failures))
        out.append(subj)
    return out


# --------------------------------------------------------------------------- ledger

def task_rows(rule: Any, spec: Any) -> list[dict[str, Any]]:
    doc = yaml.safe_load((Path(rule.pack_dir) / spec.table).read_text(encoding="utf-8"))
    only, exclude = getattr(spec, "only", None), getattr(spec, "exclude", [])
    return [r for r in doc["rows"] if (spec.rows == "all" or r["kind"] == spec.rows)
            and (only is None or r["ref"] in only) and r["ref"] not in exclude]


def _leads(units: list[str]) -> str:
    return "|".join(sorted({unit_key(u) for u in units}))


def ledger(ctx: Ctx, rule: Any, spec: Any) -> list[Subject]:
    """A reference task table checked against the submission's task ledger (see each check)."""
    rows = task_rows(rule, spec)
    tasks = ctx.sub.tables["tasks"]
    code = ctx.submitter["code"]
    out = []
    for r in rows:
        subj = Subject("task", str(r["ref"]), code)
        entries = [t for t in tasks if t["task_ref"] == r["ref"]]
        if spec.check == "start" and not _in_warning_window(ctx, spec, r):
            continue  # only rows due within the warning window are examined at all
        LEDGER_CHECKS[spec.check](ctx, spec, r, entries, subj)
        out.append(subj)
    return out


def _presence(ctx: Ctx, spec: Any, r: dict[str, Any], entries: list[dict[str, Any]], subj: Subject) -> None:
    """The row has a ledger entry (due on ``due``, or now)."""
    due = ctx.date(spec.due) if spec.due is not None else ctx.as_of
    subj.verdicts.append(evidence_verdict("", due, ctx.as_of, [None for _ in entries]))


def _lead_check(ctx: Ctx, spec: Any, r: dict[str, Any], entries: list[dict[str, Any]], subj: Subject) -> None:
    """The entries' lead units (together) are the row's, compared as unit names; no entry: n/a."""
    if not entries:
        failures = ["no_entry"]
    else:
        have = _leads([u for t in entries for u in t["lead_units"]])
        failures = [] if have == _leads(r["lead_units"]) else ["mismatch"]
    subj.verdicts.append(checks_verdict("", ctx.as_of, ctx.as_of, failures))


def _completion(ctx: Ctx, spec: Any, r: dict[str, Any], entries: list[dict[str, Any]], subj: Subject) -> None:
    """A dated row is completed (status, completion date and deliverable) by its due date."""
    due = dt.date.fromisoformat(str(r["due"]))
    dates = [t["completed"] for t in entries
             if t["status"] == "completed" and t["completed"] is not None and t["deliverable"] is not None
             and t["completed"] <= ctx.as_of]
    subj.verdicts.append(evidence_verdict("", due, ctx.as_of, dates))


def _progress(ctx: Ctx, spec: Any, r: dict[str, Any], entries: list[dict[str, Any]], subj: Subject) -> None:
    """An ongoing row has, for every quarter from ``first_quarter`` to the submission's (or
    as_of's), a progress entry dated in it and filed by one of the row's lead units."""
    first = parse_quarter(spec.first_quarter or "2000Q1")
    last = min(ctx.as_of, parse_quarter(ctx.sub.period).end)
    ids = {t["id"] for t in entries}
    leads = {unit_key(u) for u in r["lead_units"]}
    mine = [p for p in ctx.sub.tables["progress"] if p["task"] in ids and p["date"] <= ctx.as_of]
    subj.idle_reason = "no_periods"
    for q in periods_between("quarter", first.start, last):
        inside = [p for p in mine if q.contains(p["date"])]
        ok = [p["date"] for p in inside if unit_key(p["unit"]) in leads]
        others = len(inside) - len(ok)
        subj.verdicts.append(evidence_verdict(q.label, q.end, ctx.as_of, ok, others=others,
                                              other_reason="filed_by_non_lead"))


def _start(ctx: Ctx, spec: Any, r: dict[str, Any], entries: list[dict[str, Any]], subj: Subject) -> None:
    """A dated row due within ``warn_days`` from ``as_of`` (not yet past) has an entry that is
    not ``not_started`` (the last entry counts)."""
    if not entries:
        failures = ["missing"]
    else:
        failures = ["not_started"] if entries[-1]["status"] == "not_started" else []
    subj.verdicts.append(checks_verdict("", ctx.as_of, ctx.as_of, failures))


def _in_warning_window(ctx: Ctx, spec: Any, r: dict[str, Any]) -> bool:
    due = dt.date.fromisoformat(str(r["due"]))
    return 0 <= (due - ctx.as_of).days <= int(ctx.value(spec.warn_days))


LEDGER_CHECKS = {"presence": _presence, "leads": _lead_check, "completion": _completion,
                 "progress": _progress, "start": _start}

KINDS: dict[str, Callable[[Ctx, Any, Any], list[Subject]]] = {
    "deadline": deadline, "coverage": coverage, "membership": membership, "recurring": recurring,
    "cardinality": cardinality, "attribute": attribute, "threshold": threshold, "ledger": ledger}
