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
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from ..dates import day_number, parse_quarter, periods_between
from ..rulefile import ParamRef, RuleBase, Strict
from .base import Check, Context, Evidence, Plan, Select, column_values, frame_of, key_list, keys, select_evidence, select_subjects


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
    stable = str(subjects["_table"].iloc[0]) if len(subjects) else "values"
    scols, ecols = list(ev.match.values()), list(ev.match.keys())
    if spec.per_period is not None:
        # Counted on plain lists (a Series of 25k patrol keys cost ~5 ms).
        skeys = key_list(ctx, stable, subjects, scols, ev.normalise)
        ekeys = key_list(ctx, ev.table, frame, ecols, ev.normalise)
        bounds = _bounds(ctx, spec)
        ctx.day(spec.due)  # unused per period, but a bad value is still an error, as it always was
        return _per_period(ctx, spec, subjects, skeys, frame, ekeys, bounds)
    skey = keys(ctx, stable, subjects, scols, ev.normalise)
    ekey = keys(ctx, ev.table, frame, ecols, ev.normalise)
    bounds = _bounds(ctx, spec)
    due = ctx.day(spec.due) if spec.due is not None else ctx.as_of_day
    counts = ekey.value_counts()
    refs = _refs_by_key(ev.table, frame, ekey)
    x = pd.DataFrame({"sub": subjects.index, "num": skey.map(counts).fillna(0).astype(int).to_numpy(),
                      "due": due, "part": "", "ev": skey.map(refs).to_numpy()})
    for k, v in bounds.items():
        x[k] = v
    return Plan("test", subjects, x, checks=CHECKS, test_fields=("num", *bounds))


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


_PACK = 1 << 32  # period start days (shifted to be positive) stay far below this
_SHIFT = 1 << 30
_LONG_AGO, _FAR_AHEAD = -(1 << 40), 1 << 40  # tenure without a start or an end


def _per_period(ctx: Context, spec: CardinalitySpec, subjects: pd.DataFrame, skey: list[str],
                frame: pd.DataFrame, ekey: list[str], bounds: dict[str, Any]) -> Plan:
    pp = spec.per_period
    assert pp is not None
    every = ctx.value(pp.every)
    start, end = _window(ctx, pp)
    # Subject columns as plain lists (per-row pandas access costs microseconds per cell).
    def column(name: str) -> list[Any]:
        return column_values(subjects, name)
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
    # Counted with numpy: (key code, period start) packed into one int64 (a Counter over
    # tuples of 25k patrols per period kind cost tens of milliseconds).
    codes, uniques = pd.factorize(np.array(ekey, dtype=object))
    code_of = {k: i for i, k in enumerate(uniques.tolist())}
    counts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for kind in kinds_needed:
        packed = codes.astype(np.int64) * _PACK + (_period_start_days(kind, days).astype(np.int64) + _SHIFT)
        counts[kind] = np.unique(packed, return_counts=True)
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
    # Vectorised over subject × period (23,500 chief-periods on a large county): a period
    # counts when the subject held the post from its start (appointed on or before it) to
    # its end (left on or after it); rows come subject by subject, periods in order.
    held_from = np.array([_LONG_AGO if v is None or pd.isna(v) else int(v) for v in t0s], dtype=np.int64)
    held_to = np.array([_FAR_AHEAD if v is None or pd.isna(v) else int(v) for v in t1s], dtype=np.int64)
    scode = np.array([code_of.get(k, -1) for k in skey], dtype=np.int64)
    kind_arr = np.array(kinds, dtype=object)
    pos_parts, num_parts, due_parts, label_parts = [], [], [], []
    for kind in kinds_needed:
        sel = np.flatnonzero(kind_arr == kind)
        sp = spans[kind]
        if not len(sel) or not sp:
            continue
        starts = np.array([a for a, _, _ in sp], dtype=np.int64)
        ends = np.array([b for _, b, _ in sp], dtype=np.int64)
        valid = (held_from[sel][:, None] <= starts[None, :]) & (held_to[sel][:, None] >= ends[None, :])
        r, c = np.nonzero(valid)
        pos = sel[r]
        vals, cnt = counts[kind]
        packed = scode[pos] * _PACK + starts[c] + _SHIFT
        at = np.minimum(np.searchsorted(vals, packed), max(len(vals) - 1, 0))
        hit = (scode[pos] >= 0) & (vals[at] == packed) if len(vals) else np.zeros(len(pos), dtype=bool)
        pos_parts.append(pos)
        num_parts.append(np.where(hit, cnt[at] if len(vals) else 0, 0))
        due_parts.append(ends[c])
        label_parts.append(np.array([lb for _, _, lb in sp], dtype=object)[c])
    # Whole numpy columns (int64, and str labels in an object array): the frame pandas builds
    # from the equivalent Python lists, without inferring 23,500 values per column (~16 ms).
    cols: dict[str, Any]
    if pos_parts:
        pos_all = np.concatenate(pos_parts)
        order = np.argsort(pos_all, kind="stable")
        n_x = len(pos_all)
        cols = {"sub": subjects.index.to_numpy()[pos_all[order]], "num": np.concatenate(num_parts)[order],
                "due": np.concatenate(due_parts)[order], "part": np.concatenate(label_parts)[order],
                **{b: _filled(v, n_x) for b, v in bounds.items()}}
    else:
        cols = {"sub": [], "num": [], "due": [], "part": [], **{b: [] for b in bounds}}
    idle: dict[int, str] = {int(i): "not_configured"  # no period kind for this subject's level
                            for i, kind in zip(subjects.index.tolist(), kinds) if kind is None}
    x = frame_of(cols)
    return Plan("test", subjects, x, checks=CHECKS, test_fields=("num", *bounds), idle=idle, idle_reason="no_periods")


def _filled(v: Any, n: int) -> Any:
    """``[v] * n`` as a column: an int64 array for an int64 value (the dtype the list gives),
    else the list itself."""
    if type(v) is int and -(1 << 63) <= v < (1 << 63):
        return np.full(n, v, dtype=np.int64)
    return [v] * n
