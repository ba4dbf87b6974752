"""Building blocks shared by the kinds that use the *match* template."""
from __future__ import annotations

import pandas as pd

from .base import NEVER, Context, Evidence, Plan, empty_y, evidence_refs, keys, select_evidence


def evidence_y(ctx: Context, ev: Evidence, extra_key: pd.Series | None = None, *, ok: pd.Series | None = None) -> pd.DataFrame:
    """Evidence facts: key from ``ev.match``'s evidence side (+ ``extra_key``), day from ``ev.date``."""
    frame = select_evidence(ctx, ev)
    if frame.empty:
        return empty_y()
    k = keys(ctx, ev.table, frame, list(ev.match.keys()), ev.normalise)
    if extra_key is not None:
        k = k + "|" + extra_key.loc[frame.index].astype(str)
    day = frame[ev.date].astype("int64") if ev.date else pd.Series(NEVER + 1, index=frame.index)
    return pd.DataFrame({"key": k.to_numpy(), "day": day.to_numpy(), "ok": (ok.loc[frame.index].astype(int).to_numpy() if ok is not None else 1),
                         "ev": evidence_refs(ev.table, frame)})


def subject_keys(ctx: Context, subjects: pd.DataFrame, ev: Evidence) -> pd.Series:
    """The subject side of ``ev.match`` as join keys (subject columns, paths allowed)."""
    table = str(subjects["_table"].iloc[0]) if len(subjects) else "values"
    cols = list(ev.match.values())
    if not cols:
        return pd.Series([""] * len(subjects), index=subjects.index, dtype=object)
    return keys(ctx, table, subjects, cols, ev.normalise)


def simple_plan(ctx: Context, subjects: pd.DataFrame, ev: Evidence, due: int | None,
                each_of: tuple[str, list[str]] | None = None) -> Plan:
    """One expectation per subject (× each required value), due on ``due`` (None: as of now)."""
    skey = subject_keys(ctx, subjects, ev)
    due_day = ctx.as_of_day if due is None else due
    rows = []
    values = each_of[1] if each_of else [None]
    for i, k in zip(subjects.index, skey):
        for v in values:
            rows.append({"sub": i, "key": k if v is None else f"{k}|{v}", "lo": NEVER, "due": due_day,
                         "part": "" if v is None else str(v)})
    x = pd.DataFrame(rows, columns=["sub", "key", "lo", "due", "part"])
    extra = None
    if each_of:
        frame = ctx.ds.table(ev.table)
        extra = frame[each_of[0]].astype(str)
    y = evidence_y(ctx, ev, extra)
    return Plan("match", subjects, x, y)
