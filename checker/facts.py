"""Facts stage: a :class:`Plan`'s expectations and evidence as engine facts, in sessions.

Facts that can join (same key) go into the same session; a rule's facts are split by a
stable hash of the key into sessions of about :data:`SESSION_TARGET` facts (best measured
throughput, negligible collision risk before re-keying). Keys are strings, dates are day
numbers, and nothing here depends on the engine.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import pandas as pd

from .kinds.base import Plan

SESSION_TARGET = 2_000


@dataclass
class Session:
    facts: list[dict[str, Any]]
    evaluate: dict[str, Any]


def _bucket(keys: pd.Series, n: int) -> np.ndarray:
    if n == 1:
        return np.zeros(len(keys), dtype=np.int64)
    return np.fromiter((zlib.crc32(k.encode("utf-8")) % n for k in keys.astype(str)), dtype=np.int64, count=len(keys))


def _clean(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


def _x_facts(rid: str, plan: Plan, x: pd.DataFrame) -> list[dict[str, Any]]:
    cols = ["key", "lo", "due"] if plan.template == "match" else list(plan.test_fields)
    # Whole columns as Python values (what to_dict("records") gives, without its per-row cost).
    values = [x[c].to_numpy(dtype=object).tolist() for c in cols]
    out = []
    for xi, rec in zip(x.index.tolist(), zip(*values) if cols else [()] * len(x)):
        fact: dict[str, Any] = {"t": "x", "r": rid, "xi": int(xi)}
        for k, v in zip(cols, rec):
            if type(v) is str or type(v) is int:  # the common case: nothing to clean
                fact[k] = v
                continue
            if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                continue  # absent, so $nex / $ex see it as missing
            fact[k] = _clean(v)
        out.append(fact)
    return out


def _y_facts(rid: str, y: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"t": "y", "r": rid, "yi": int(i), "key": str(k), "day": int(d), "ok": int(o)}
            for i, k, d, o in zip(y.index, y["key"], y["day"], y["ok"])]


def sessions(rid: str, plan: Plan) -> Iterator[Session]:
    """Every session needed to evaluate ``plan`` (none when there is nothing to examine)."""
    x = plan.x.reset_index(drop=True)
    y = plan.y.reset_index(drop=True) if plan.template == "match" else plan.y.iloc[0:0]
    total = len(x) + len(y)
    if len(x) == 0:
        return
    n = max(1, -(-total // SESSION_TARGET))
    if plan.template == "match":
        xb, yb = _bucket(x["key"], n), _bucket(y["key"], n)
    else:
        xb, yb = np.arange(len(x)) % n, np.zeros(0, dtype=np.int64)
    for b in range(n):
        xs = x[xb == b]
        if xs.empty:
            continue
        facts = _x_facts(rid, plan, xs)
        if plan.template == "match":
            facts += _y_facts(rid, y[yb == b])
        yield Session(facts, {"t": "e", "r": rid})
