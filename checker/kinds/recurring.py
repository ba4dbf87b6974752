"""*recurring*: one expectation per period (quarter, year, N years) from a first period up to
``as_of``, each with its own due day.

Evidence belongs to a period by a field (a report's ``year``) or by its date. ``due`` is the
period's last day (``end``) or a month-day in the period's last year (``01-31``: a budget for
year Y recorded by Y-01-31). ``window`` narrows the acceptable dates around an anchor day
(±15 days around 05-22) or to a whole month (``month``, e.g. a publicity month): evidence
before the window does not count, after it is late.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Literal

import pandas as pd
from pydantic import Field, model_validator

from ..dates import Period, day_number, from_day, month_day_in, parse_quarter, period_of, periods_between
from ..errors import RuleError
from ..rulefile import ParamRef, RuleBase, Strict
from .base import NEVER, Context, Evidence, Plan, Select, empty_y, frame_of, select_subjects, spec_key
from .match import evidence_y, subject_keys


DUE_PATTERN = r"^(end|\d{2}-\d{2})$"


class Window(Strict):
    around: str | None = Field(default=None,
                               description="anchor day MM-DD, or a subject column holding one (unset: not checked)")
    before: int | ParamRef = 0
    after: int | ParamRef = 0
    month: int | ParamRef | None = Field(
        default=None, description="instead of `around`: a whole calendar month (1-12) of the period's last year, "
                                  "e.g. a publicity month; a parameter left unset (null) means: not checked")

    @model_validator(mode="after")
    def _one_anchor(self) -> "Window":
        if (self.around is None) == (self.month is None):
            raise ValueError("a window needs exactly one of `around` or `month`")
        return self


class PeriodSpec(Strict):
    every: Literal["quarter", "year", "years"]
    n: int = Field(default=1, ge=1, description="years per period (every: years)")
    first: str = Field(description="label of the first period: 2018, 2018Q1; for years, its last year (2025)")
    until: Literal["as_of", "submission"] = "as_of"
    due: Annotated[str, Field(pattern=DUE_PATTERN)] | ParamRef = Field(
        default="end", description="end, or MM-DD in the period's last year (a parameter may hold either)")
    window: Window | None = None


class RecurringSpec(Strict):
    subjects: Select = Field(default_factory=lambda: Select(table="submitter"))
    evidence: Evidence
    period: PeriodSpec
    period_field: str | None = Field(default=None, description="evidence column holding the period's year")


class RecurringRule(RuleBase):
    kind: Literal["recurring"]
    spec: RecurringSpec


def _first_period(p: PeriodSpec) -> Period:
    if p.every == "quarter":
        return parse_quarter(p.first)
    y = int(p.first)
    return period_of(p.every, date(y, 12, 31), n=p.n, anchor=y)


def expected_periods(ctx: Context, p: PeriodSpec) -> list[Period]:
    first = _first_period(p)
    last = ctx.as_of
    if p.until == "submission":
        last = min(last, parse_quarter(ctx.ds.header.period).end)
    anchor = int(p.first) if p.every == "years" else None
    return periods_between(p.every, first.start, last, n=p.n, anchor=anchor)


def due_of(p: PeriodSpec, period: Period, due: str | None = None) -> date:
    """The due day of ``period``; ``due`` is ``p.due`` with any parameter already resolved."""
    spec = due if due is not None else p.due
    assert isinstance(spec, str)
    return period.end if spec == "end" else month_day_in(period.end.year, spec)


def _due_spec(ctx: Context, p: PeriodSpec) -> str:
    value = ctx.value(p.due)
    if not isinstance(value, str) or not re.fullmatch(DUE_PATTERN, value) or (
            value != "end" and not (1 <= int(value[:2]) <= 12 and 1 <= int(value[3:]) <= 31)):
        raise RuleError(str(ctx.rule.path), "/spec/period/due", f"due is 'end' or MM-DD, not {value!r}")
    return value


def _window_span(ctx: Context, w: Window, subjects: pd.DataFrame, i: int, year: int) -> tuple[int, int] | None:
    """(first, last) acceptable day of a window in ``year``; None when it is not configured."""
    if w.month is not None:
        m = ctx.value(w.month)
        if m is None:
            return None
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 12:
            raise RuleError(str(ctx.rule.path), "/spec/period/window/month", f"a month is 1-12, not {m!r}")
        return day_number(date(year, m, 1)), day_number(month_day_in(year, f"{m:02d}-31"))
    anchor = w.around
    if not (isinstance(anchor, str) and re.fullmatch(r"\d{2}-\d{2}", anchor)):
        # A subject column; when no listed subject has it, the column is absent: not configured.
        anchor = subjects.at[i, anchor] if anchor in subjects.columns else None
    if not isinstance(anchor, str) or not re.fullmatch(r"\d{2}-\d{2}", anchor):
        return None
    try:
        mid = month_day_in(year, anchor)
    except ValueError:
        raise RuleError(str(ctx.rule.path), "/spec/period/window/around", f"no such day {anchor!r}") from None
    return (day_number(mid - timedelta(days=int(ctx.value(w.before)))),
            day_number(mid + timedelta(days=int(ctx.value(w.after)))))


def plan(ctx: Context, spec: RecurringSpec) -> Plan:
    p = spec.period
    subjects = select_subjects(ctx, spec.subjects)
    skey = subject_keys(ctx, subjects, spec.evidence)
    periods = expected_periods(ctx, p)
    due_spec = _due_spec(ctx, p)
    rows = []
    for i, k in zip(subjects.index.tolist(), skey):
        for per in periods:
            lo, due = NEVER, day_number(due_of(p, per, due_spec))
            if p.window is not None:
                span = _window_span(ctx, p.window, subjects, i, per.end.year)
                if span is None:
                    continue  # not configured for this subject: nothing to examine
                lo, due = span
            rows.append((i, f"{k}|{per.label}", lo, due, per.label))
    x = frame_of({name: [r[j] for r in rows] for j, name in enumerate(("sub", "key", "lo", "due", "part"))})
    frame = ctx.ds.table(spec.evidence.table)
    anchor = int(p.first) if p.every == "years" else None
    if spec.period_field:
        years = frame[spec.period_field]
        label = years.map(lambda y: None if pd.isna(y) else period_of(p.every, date(int(y), 12, 31), n=p.n, anchor=anchor).label)
    else:
        days = frame[spec.evidence.date] if spec.evidence.date else pd.Series(dtype="Int64")
        label = days.map(lambda d: None if pd.isna(d) else period_of(p.every, from_day(int(d)), n=p.n, anchor=anchor).label)
    y = evidence_y(ctx, spec.evidence, label.astype(object), extra_id=("period", spec_key(ctx, p), spec.period_field)) \
        if len(frame) else empty_y()
    # No period has begun yet: nothing is owed (not "parameter unset").
    return Plan("match", subjects, x, y, idle_reason=None if periods else "no_periods")
