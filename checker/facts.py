"""Facts stage: a :class:`Plan`'s expectations and evidence as engine facts, in sessions.

Facts that can join (same key) go into the same session; a rule's facts are split by a
stable hash of the key into sessions of about :data:`MATCH_TARGET` (joins) or
:data:`SESSION_TARGET` facts (best measured throughput, negligible collision risk before
re-keying). Keys are strings, dates are day numbers, and nothing here depends on the engine.
"""
from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import pandas as pd

from .kinds.base import Plan, column_values

_PLAIN_TYPES, _STR, _INT = frozenset({str, int}), frozenset({str}), frozenset({int})

SESSION_TARGET = 2_000
# Join (match) sessions are kept smaller: the engine's cost to assert a fact grows with the
# session's size (~2 µs a fact at 250, ~7 µs at 2,000; measured: county JSON match sessions
# 0.15 s → 0.11 s CPU at 300), and a key's facts stay together anyway.
MATCH_TARGET = 300


@dataclass
class Session:
    facts: list[dict[str, Any]]
    evaluate: dict[str, Any]


def _bucket(keys: list[Any], n: int) -> list[int]:
    if n == 1:
        return [0] * len(keys)
    return [zlib.crc32((k if type(k) is str else str(k)).encode("utf-8")) % n for k in keys]


def _clean(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


def _x_facts(plan: Plan, x: pd.DataFrame) -> list[dict[str, Any]]:
    """One fact per row of ``x`` (``xi``: its position), in row order."""
    cols = ["key", "lo", "due"] if plan.template == "match" else list(plan.test_fields)
    # Whole columns as Python values (what to_dict("records") gives, without its per-row cost).
    values = [column_values(x, c) for c in cols]
    if cols and _PLAIN_TYPES.issuperset(map(type, itertools.chain.from_iterable(values))):
        # The common case (strings and ints only): nothing to clean or leave out.
        if len(cols) == 3:
            a, b, c = cols
            return [{"t": "x", "xi": xi, a: va, b: vb, c: vc} for xi, (va, vb, vc) in enumerate(zip(*values))]
        if len(cols) == 2:
            a, b = cols
            return [{"t": "x", "xi": xi, a: va, b: vb} for xi, (va, vb) in enumerate(zip(*values))]
        return [{"t": "x", "xi": xi, **dict(zip(cols, rec))} for xi, rec in enumerate(zip(*values))]
    out = []
    for xi, rec in enumerate(zip(*values) if cols else [()] * len(x)):
        fact: dict[str, Any] = {"t": "x", "xi": xi}
        for k, v in zip(cols, rec):
            if type(v) is str or type(v) is int:  # the common case: nothing to clean
                fact[k] = v
                continue
            if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                continue  # absent, so $nex / $ex see it as missing
            fact[k] = _clean(v)
        out.append(fact)
    return out


def _y_facts(y: pd.DataFrame) -> list[dict[str, Any]]:
    """One fact per row of ``y`` (``yi``: its position), in row order."""
    keys, days, oks = column_values(y, "key"), column_values(y, "day"), column_values(y, "ok")
    if not (_STR.issuperset(map(type, keys)) and _INT.issuperset(map(type, itertools.chain(days, oks)))):
        keys, days, oks = list(map(str, keys)), list(map(int, days)), list(map(int, oks))
    return [{"t": "y", "yi": i, "key": k, "day": d, "ok": o} for i, (k, d, o) in enumerate(zip(keys, days, oks))]


def sessions(rid: str, plan: Plan) -> Iterator[Session]:
    """Every session needed to evaluate ``plan`` (none when there is nothing to examine)."""
    x = plan.x
    y = plan.y if plan.template == "match" else plan.y.iloc[0:0]
    total = len(x) + len(y)
    if len(x) == 0:
        return
    n = max(1, -(-total // (MATCH_TARGET if plan.template == "match" else SESSION_TARGET)))
    # Facts are built once from whole columns and then dealt to their buckets in row order
    # (a boolean selection of the frame per bucket cost more than the facts themselves).
    xf = _x_facts(plan, x)
    yf = _y_facts(y) if plan.template == "match" else []
    if n == 1:
        yield Session(xf + yf, {"t": "e", "r": rid})
        return
    if plan.template != "match":
        # Dealt round-robin (row i to session i % n): each session is a slice of every n-th fact.
        for b in range(min(n, len(xf))):  # xf[b::n] is empty from b = len(xf) on
            yield Session(xf[b::n], {"t": "e", "r": rid})
        return
    xb, yb = _bucket(column_values(x, "key"), n), _bucket(column_values(y, "key"), n)
    xs: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    ys: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    for f, b in zip(xf, xb):
        xs[b].append(f)
    for f, b in zip(yf, yb):
        ys[b].append(f)
    for b in range(n):
        if not xs[b]:
            continue
        yield Session(xs[b] + ys[b], {"t": "e", "r": rid})
