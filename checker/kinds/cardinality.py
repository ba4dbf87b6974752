"""*cardinality*: per subject (and optionally per calendar period), the count of matching
records lies within [min, max].

Counts are computed with pandas (durable_rules has no aggregates, §1) and compared inside
one fact. ``per_period`` checks a frequency: the period kind may depend on a subject column
(``by: level`` with a parameter table such as {village: week, township: xun, …}); only
periods inside the reporting window that have ended by ``as_of`` and that the subject held
for their whole length (``tenure``) are counted.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from ..dates import day_number, parse_quarter, periods_between
from ..rulefile import ParamRef, RuleBase, Strict
from .base import Check, Context, Evidence, Plan, Select, keys, select_evidence, select_subjects


class PerPeriod(Strict):
    every: Literal["week", "xun", "month", "quarter", "year"] | ParamRef
    by: str | None = Field(default=None, description="subject column whose value selects the period kind from `every`")
    within: Literal["submission", "as_of_year"] = "submission"
    tenure: tuple[str, str] | None = Field(default=None, description="subject columns: start and end of holding the post")


class CardinalitySpec(Strict):
    subjects: Select
    count: Evidence
    min: int | ParamRef | None = None
    max: int | ParamRef | None = None
    per_period: PerPeriod | None = None
    due: dt.date | ParamRef | None = None


class CardinalityRule(RuleBase):
    kind: Literal["cardinality"]
    spec: CardinalitySpec


CHECKS = [Check("too_few", [{"$ex": {"min": 1}}, {"$lt": {"num": {"$m": "min"}}}]),
          Check("too_many", [{"$ex": {"max": 1}}, {"$gt": {"num": {"$m": "max"}}}])]


def _bounds(ctx: Context, spec: CardinalitySpec) -> dict[str, Any]:
    out = {}
    for name in ("min", "max"):
        v = ctx.value(getattr(spec, name))
        if v is not None:
            out[name] = int(v)
    return out


def plan(ctx: Context, spec: CardinalitySpec) -> Plan:
    subjects = select_subjects(ctx, spec.subjects)
    ev = spec.count
    frame = select_evidence(ctx, ev)
    skey = keys(ctx, str(subjects["_table"].iloc[0]) if len(subjects) else "values", subjects, list(ev.match.values()), ev.normalise)
    ekey = keys(ctx, ev.table, frame, list(ev.match.keys()), ev.normalise)
    bounds = _bounds(ctx, spec)
    due = ctx.day(spec.due) if spec.due is not None else ctx.as_of_day
    if spec.per_period is None:
        counts = ekey.value_counts()
        refs = _refs_by_key(ev.table, frame, ekey)
        x = pd.DataFrame({"sub": subjects.index, "num": skey.map(counts).fillna(0).astype(int).to_numpy(),
                          "due": due, "part": "", "ev": skey.map(refs).to_numpy()})
        for k, v in bounds.items():
            x[k] = v
        return Plan("test", subjects, x, checks=CHECKS, test_fields=("num", *bounds))
    return _per_period(ctx, spec, subjects, skey, frame, ekey, bounds)


def _refs_by_key(table: str, frame: pd.DataFrame, ekey: pd.Series) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, r in zip(ekey, frame["_row"]):
        out.setdefault(k, []).append(f"{table}:{r}")
    return out


def _window(ctx: Context, pp: PerPeriod) -> tuple[dt.date, dt.date]:
    if pp.within == "submission":
        q = parse_quarter(ctx.ds.header.period)
        return q.start, min(q.end, ctx.as_of)
    return dt.date(ctx.as_of.year, 1, 1), ctx.as_of


def _period_start_days(kind: str, days: np.ndarray) -> np.ndarray:
    """Vectorised: day number of the start of the period containing each day."""
    if kind == "week":
        return days - ((days + 3) % 7)  # 1970-01-01 was a Thursday; weeks start on Monday
    d = days.astype("datetime64[D]")
    month_start = d.astype("datetime64[M]").astype("datetime64[D]")
    if kind == "month":
        return month_start.astype(np.int64)
    if kind == "xun":
        dom = (d - month_start).astype(np.int64)  # 0-based day of month
        offset = np.where(dom < 10, 0, np.where(dom < 20, 10, 20))
        return month_start.astype(np.int64) + offset
    if kind == "quarter":
        m = d.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
        return (m - m % 3).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    if kind == "year":
        return d.astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    raise ValueError(kind)


def _per_period(ctx: Context, spec: CardinalitySpec, subjects: pd.DataFrame, skey: pd.Series,
                frame: pd.DataFrame, ekey: pd.Series, bounds: dict[str, Any]) -> Plan:
    pp = spec.per_period
    assert pp is not None
    every = ctx.value(pp.every)
    start, end = _window(ctx, pp)
    # Subject columns as plain lists (per-row pandas access costs microseconds per cell).
    def column(name: str) -> list[Any]:
        return subjects[name].to_numpy(dtype=object).tolist()
    n_subjects = len(subjects)
    kinds: list[Any]
    if isinstance(every, dict):
        kinds = [every.get(v) for v in column(pp.by)] if n_subjects else []  # type: ignore[arg-type]
    else:
        kinds = [every] * n_subjects
    # Evidence counts per (key, period start), computed per period kind.
    date_col = spec.count.date
    assert date_col is not None, "per_period counting needs count.date"
    days = frame[date_col].astype("int64").to_numpy()
    kinds_needed: set[Any] = set(kinds) - {None}
    counts: dict[str, Counter[tuple[Any, int]]] = {}
    ekeys = ekey.tolist()
    for kind in kinds_needed:
        starts = _period_start_days(kind, days).tolist()
        counts[kind] = Counter(zip(ekeys, starts))
    # The whole periods of each kind inside the window, as (start day, end day, label).
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for kind in kinds_needed:
        spans[kind] = [(day_number(per.start), day_number(per.end), per.label)
                       for per in periods_between(kind, start, end)
                       # not wholly inside the window (which ends by as_of): a week that runs past
                       # the quarter's end belongs to neither quarter's count, never to both
                       if not (per.start < start or per.end > end)]
    t0s = column(pp.tenure[0]) if pp.tenure and n_subjects else [None] * n_subjects
    t1s = column(pp.tenure[1]) if pp.tenure and n_subjects else [None] * n_subjects
    rows = []
    idle: dict[int, str] = {}
    for i, k, kind, t0, t1 in zip(subjects.index.tolist(), skey.tolist(), kinds, t0s, t1s):
        if kind is None:
            idle[int(i)] = "not_configured"  # no period kind for this subject's level
            continue
        held_from = None if t0 is None or pd.isna(t0) else int(t0)
        held_to = None if t1 is None or pd.isna(t1) else int(t1)
        counted = counts[kind]
        for s, e, label in spans[kind]:
            if held_from is not None and held_from > s:
                continue  # appointed mid-period
            if held_to is not None and held_to < e:
                continue  # left mid-period
            n = counted.get((k, s), 0)
            rows.append({"sub": i, "num": n, "due": e, "part": label, **bounds})
    x = pd.DataFrame(rows, columns=["sub", "num", "due", "part", *bounds])
    return Plan("test", subjects, x, checks=CHECKS, test_fields=("num", *bounds), idle=idle, idle_reason="no_periods")
