"""Subjects and evidence, read from the plain submission (see :class:`checker.kinds.base.Select`)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from checker.units import unit_key

from .submission import COLUMNS, KEY, LEVELS, Submission

# What a subject is called in findings, per table (a fixed vocabulary, not derived text).
SUBJECT_TYPE = {
    "jurisdictions": "jurisdiction", "water_bodies": "water_body", "reaches": "reach", "chiefs": "chief",
    "general_chiefs": "general_chief", "offices": "office", "office_deputies": "office_deputy",
    "member_units": "member_unit", "designees": "designee", "documents": "document", "meetings": "meeting",
    "acceptances": "acceptance", "rectifications": "rectification", "budgets": "budget",
    "notice_boards": "notice_board", "patrols": "patrol", "indicators": "indicator", "tasks": "task",
    "progress": "progress", "activities": "activity", "values": "value",
}


class Ctx:
    """The submission, the evaluation date and the rule's parameter values."""

    def __init__(self, sub: Submission, as_of: dt.date, params: dict[str, Any]) -> None:
        self.sub = sub
        self.as_of = as_of
        self.params = params

    def value(self, v: Any) -> Any:
        """A spec value, with ``{param: NAME}`` replaced by the parameter's value."""
        if hasattr(v, "param") and type(v).__name__ == "ParamRef":
            return self.params[v.param]
        return v

    def date(self, v: Any) -> dt.date | None:
        v = self.value(v)
        if v is None:
            return None
        return dt.date.fromisoformat(v) if isinstance(v, str) else v

    @property
    def submitter(self) -> dict[str, Any]:
        s = self.sub.submitter
        assert s is not None
        return s


def resolve(ctx: Ctx, table: str, row: dict[str, Any], path: str) -> Any:
    """The value of ``path`` for ``row``: a column, ``col.rest`` through a reference, or
    ``col@level`` (the jurisdiction at ``level`` containing ``col``; ``level`` may itself be
    a column of the row holding a level name)."""
    if path in row:
        return row[path]
    if "@" in path:
        col, level = path.split("@", 1)
        code = resolve(ctx, table, row, col)
        if level not in LEVELS:
            level = resolve(ctx, table, row, level)
            if level not in LEVELS:
                return None
        return ctx.sub.ancestor(code, level)
    if "." in path:
        col, rest = path.split(".", 1)
        target_table = COLUMNS[table][col].ref
        assert target_table is not None, f"{table}.{col} is not a reference"
        target = ctx.sub.row(target_table, row.get(col))
        return None if target is None else resolve(ctx, target_table, target, rest)
    raise KeyError(f"{table} has no column {path!r}")


def _number(v: Any) -> float | None:
    """A value as a number for an order comparison (numeric text counts; anything else not)."""
    if v is None:
        return None
    if isinstance(v, (bool, int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


ORDER = {"gt": lambda a, b: a > b, "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b}


def _compare(ctx: Ctx, have: Any, cmp: Any) -> bool:
    """A ``Cmp``: every bound holds. A missing value is "not equal" (ne, not_in) and fails
    every order bound; text compares with text only."""
    if cmp.ne is not None and have is not None and have == ctx.value(cmp.ne):
        return False
    if cmp.not_in is not None and have is not None and have in list(ctx.value(cmp.not_in)):
        return False
    for name, op in ORDER.items():
        bound = getattr(cmp, name)
        if bound is None:
            continue
        want = ctx.value(bound)
        if isinstance(want, str):
            if not (isinstance(have, str) and op(have, want)):
                return False
        else:
            n = _number(have)
            if n is None or not op(n, want):
                return False
    return True


def matches_where(ctx: Ctx, table: str, row: dict[str, Any], where: dict[str, Any]) -> bool:
    """Every condition holds: equal to a value, one of a list, ``$null``/``$notnull``, a
    comparison; a list cell (a document's ``covers``) matches when it contains the value."""
    code = ctx.submitter["code"]
    for path, raw in where.items():
        want = ctx.value(raw)
        have = resolve(ctx, table, row, path)
        if type(want).__name__ == "Cmp":
            ok = _compare(ctx, have, want)
        elif want == "$notnull":
            ok = have is not None
        elif want == "$null":
            ok = have is None
        elif isinstance(want, list):
            wants = [code if w == "$submitter" else w for w in want]
            ok = any(w in have for w in wants) if isinstance(have, list) else (have is not None and have in wants)
        else:
            want = code if want == "$submitter" else want
            ok = (want in have) if isinstance(have, list) else (have is not None and have == want)
        if not ok:
            return False
    return True


def subjects(ctx: Ctx, sel: Any, stype: str | None = None) -> list[dict[str, Any]]:
    """Subject rows, each with ``_stype``, ``_sid``, ``_jur`` and ``_table`` added."""
    code = ctx.submitter["code"]
    if sel.table == "submitter":
        table, rows = "jurisdictions", [ctx.submitter]
    elif sel.table == "values":
        table, rows = "values", [dict(r) for r in (ctx.value(sel.values) or [])]
    else:
        table, rows = sel.table, ctx.sub.tables[sel.table]
        if table == "jurisdictions":
            rows = [r for r in rows if ctx.sub.ancestor(r["code"], ctx.submitter["level"]) == code]
    if table != "values":
        extra = getattr(sel, "where_by_level", {}).get(ctx.submitter["level"], {})
        rows = [r for r in rows if matches_where(ctx, table, r, sel.where) and matches_where(ctx, table, r, extra)]
    out = []
    for r in rows:
        s = dict(r)
        s["_table"] = table
        s["_stype"] = stype or getattr(sel, "subject_type", None) or SUBJECT_TYPE[table]
        s["_sid"] = str(r["id"] if table == "values" else r[KEY[table]])
        s["_jur"] = r["code"] if table == "jurisdictions" else (r.get("jurisdiction") or code)
        if table == "values":
            s["_jur"] = code
        out.append(s)
    for col, values in sel.expand.items():
        expanded = []
        for s in out:
            for v in ctx.value(values):
                e = dict(s)
                e[col] = v
                e["_sid"] = f"{s['_sid']}@{v}"
                expanded.append(e)
        out = expanded
    if getattr(sel, "jurisdiction", None):
        for s in out:  # the subject's jurisdiction named by a column (path)
            s["_jur"] = resolve(ctx, table, s, sel.jurisdiction) or code
    return out


def evidence(ctx: Ctx, ev: Any) -> list[dict[str, Any]]:
    """Evidence rows matching ``where``; with a date column, only those dated on or before
    ``as_of`` (later ones are not known yet)."""
    rows = [r for r in ctx.sub.tables[ev.table] if matches_where(ctx, ev.table, r, ev.where)]
    if ev.date is not None:
        rows = [r for r in rows if r[ev.date] is not None and r[ev.date] <= ctx.as_of]
    return rows


def text_key(values: list[Any], normalise: str | None) -> tuple[str, ...] | None:
    """Values compared as text (unit names by :func:`unit_key`); None if any is missing."""
    out = []
    for v in values:
        if v is None:
            return None
        t = str(v)
        out.append(unit_key(t) if normalise == "unit" and isinstance(v, str) else t)
    return tuple(out)


def evidence_key(ctx: Ctx, ev: Any, row: dict[str, Any]) -> tuple[str, ...] | None:
    return text_key([resolve(ctx, ev.table, row, c) for c in ev.match], ev.normalise)


def subject_key(ctx: Ctx, ev: Any, subj: dict[str, Any]) -> tuple[str, ...] | None:
    return text_key([resolve(ctx, subj["_table"], subj, c) for c in ev.match.values()], ev.normalise)


def is_month_day(text: Any) -> bool:
    return isinstance(text, str) and re.fullmatch(r"\d{2}-\d{2}", text) is not None
