"""Building blocks shared by the kinds that use the *match* template."""
from __future__ import annotations

from typing import Hashable

import numpy as np
import pandas as pd

from .base import NEVER, Context, Evidence, Plan, empty_y, evidence_rows, frame_of, key_list, memoised, spec_key, table_keys


def evidence_y(ctx: Context, ev: Evidence, extra_key: pd.Series | None = None, *, ok: pd.Series | None = None,
               extra_id: Hashable | None = None) -> pd.DataFrame:
    """Evidence facts: key from ``ev.match``'s evidence side (+ ``extra_key``), day from ``ev.date``.

    ``extra_id`` names what ``extra_key`` was computed from (with ``ok`` unset the result is
    then shared by every rule asking for the same evidence: callers must not modify it)."""
    if ok is not None or (extra_key is not None and extra_id is None):
        return _evidence_y(ctx, ev, extra_key, ok)
    return memoised(ctx, "evidence_y", lambda: (spec_key(ctx, ev), extra_id, ctx.as_of_day, ctx.submitter["code"],
                                                str(ctx.rule.pack_dir)),
                    lambda: _evidence_y(ctx, ev, extra_key, None))


def _evidence_y(ctx: Context, ev: Evidence, extra_key: pd.Series | None, ok: pd.Series | None) -> pd.DataFrame:
    # By row position in the whole table, without taking the evidence frame itself: keys are
    # computed once per table and match columns (a key is a function of its row only).
    rows = evidence_rows(ctx, ev)
    if len(rows) == 0:
        return empty_y()
    table = ctx.ds.table(ev.table)
    k = table_keys(ctx, ev.table, list(ev.match.keys()), ev.normalise)[rows]
    if extra_key is not None:
        extra = extra_key.astype(str).to_numpy(dtype=object)[rows]
        # str + "|" + a missing value is missing, as the pandas string concatenation gave it
        k = np.array([a + "|" + b if isinstance(b, str) else np.nan for a, b in zip(k.tolist(), extra.tolist())],
                     dtype=object)
    day = _days(table, ev.date, rows) if ev.date else np.full(len(rows), NEVER + 1, dtype=np.int64)
    return pd.DataFrame({"key": k, "day": day,
                         "ok": (ok.loc[table.index[rows]].astype(int).to_numpy() if ok is not None else 1),
                         "ev": [f"{ev.table}:{r}" for r in table["_row"].to_numpy()[rows].tolist()]})


def _days(table: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """``table[column].take(rows).astype("int64").to_numpy()`` by taking from the column's numpy
    values (a tenth of the cost): int64 only when the column has no missing value, else as it was."""
    days = table[column].to_numpy()
    return days[rows] if days.dtype == np.int64 else table[column].take(rows).astype("int64").to_numpy()


def subject_keys(ctx: Context, subjects: pd.DataFrame, ev: Evidence) -> list[str]:
    """The subject side of ``ev.match`` as join keys (subject columns, paths allowed), one per subject."""
    table = str(subjects["_table"].iloc[0]) if len(subjects) else "values"
    return key_list(ctx, table, subjects, list(ev.match.values()), ev.normalise)


def simple_plan(ctx: Context, subjects: pd.DataFrame, ev: Evidence, due: int | None,
                each_of: tuple[str, list[str]] | None = None) -> Plan:
    """One expectation per subject (× each required value), due on ``due`` (None: as of now)."""
    skey = subject_keys(ctx, subjects, ev)
    due_day = ctx.as_of_day if due is None else due
    values = each_of[1] if each_of else [None]
    pairs = [(i, k, v) for i, k in zip(subjects.index.tolist(), skey) for v in values]
    x = frame_of({"sub": [i for i, _, _ in pairs], "key": [k if v is None else f"{k}|{v}" for _, k, v in pairs],
                  "lo": [NEVER] * len(pairs), "due": [due_day] * len(pairs),
                  "part": ["" if v is None else str(v) for _, _, v in pairs]})
    extra = None
    if each_of:
        extra = ctx.ds.table(ev.table)[each_of[0]]  # evidence_y makes it strings
    y = evidence_y(ctx, ev, extra, extra_id=("each_of", each_of[0] if each_of else None))
    return Plan("match", subjects, x, y)
