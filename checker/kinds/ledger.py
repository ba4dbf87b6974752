"""*ledger*: a reference table of tasks (time node, lead units) checked against the
submission's task ledger.

The reference table (``ducha-task-table/1``, produced by ``ducha rules import-table``) is
data, not 46 copies of a rule. One rule file per ``check``:

* ``presence``: every row has a ledger entry (from ``due`` on);
* ``leads``: the entry's lead units equal the row's (unit names normalised);
* ``completion``: a dated row is completed, with a deliverable, by its due date;
* ``progress``: an ongoing row has a progress entry dated in every quarter from
  ``first_quarter``, filed by one of its lead units (a cooperating unit's entry is reported
  as such, and does not count);
* ``start``: a dated row due within ``warn_days`` of ``as_of`` is no longer ``not_started``.

``only`` / ``exclude`` narrow the rows further (by ref), so a row that carries an obligation
checked by another rule file is not reported twice.

Findings are attributed to the row's lead units, so scorecards can be read per department.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import Field

from ..dates import day_number, from_day, parse_quarter, period_of, periods_between
from ..errors import RuleError
from ..rulefile import ParamRef, RuleBase, Strict, read_yaml
from ..units import unit_key
from .base import NEVER, Check, Context, Plan, empty_y, evidence_refs


class LedgerSpec(Strict):
    table: str = Field(description="task table file, relative to the pack (ducha-task-table/1)")
    rows: Literal["dated", "ongoing", "all"] = "all"
    check: Literal["presence", "leads", "completion", "progress", "start"]
    first_quarter: str | None = Field(default=None, pattern=r"^\d{4}Q[1-4]$")
    due: dt.date | ParamRef | None = None
    warn_days: int | ParamRef = 365
    only: list[str] | None = Field(default=None, description="check only these rows (refs), e.g. a row that "
                                                             "carries a catalogue obligation of its own")
    exclude: list[str] = Field(default_factory=list, description="rows (refs) left to another rule file")


class LedgerRule(RuleBase):
    kind: Literal["ledger"]
    spec: LedgerSpec


@lru_cache(maxsize=16)
def _read_table(path: str) -> tuple[dict[str, Any], ...]:
    doc = read_yaml(Path(path))
    if not isinstance(doc, dict) or doc.get("format") != "ducha-task-table/1":
        raise RuleError(path, "/format", "not a ducha-task-table/1 file")
    return tuple(doc["rows"])


def task_rows(ctx: Context, spec: LedgerSpec) -> list[dict[str, Any]]:
    path = Path(ctx.rule.pack_dir) / spec.table
    if not path.exists():
        raise RuleError(str(path), "/", "task table not found")
    rows = list(_read_table(str(path)))
    unknown = sorted(set(spec.only or []).union(spec.exclude) - {str(r["ref"]) for r in rows})
    if unknown:
        raise RuleError(str(ctx.rule.path), "/spec", f"rows not in the task table: {', '.join(unknown)}")
    return [r for r in rows if (spec.rows == "all" or r["kind"] == spec.rows)
            and (spec.only is None or r["ref"] in spec.only) and r["ref"] not in spec.exclude]


def _lead_keys(units: list[str]) -> str:
    return "|".join(sorted({unit_key(u) for u in units}))


def plan(ctx: Context, spec: LedgerSpec) -> Plan:
    rows = task_rows(ctx, spec)
    code = ctx.submitter["code"]
    subjects = pd.DataFrame({"stype": "task", "sid": [r["ref"] for r in rows],
                             "sname": [str(r["text"])[:40] for r in rows], "jurisdiction": code,
                             "leads": [list(r["lead_units"]) for r in rows], "src": None, "_table": "values",
                             "section": [r.get("section") for r in rows]})
    tasks = ctx.ds.table("tasks")
    return {"presence": _presence, "leads": _leads, "completion": _completion,
            "progress": _progress, "start": _start}[spec.check](ctx, spec, rows, subjects, tasks)


def _presence(ctx: Context, spec: LedgerSpec, rows: list[dict[str, Any]], subjects: pd.DataFrame,
              tasks: pd.DataFrame) -> Plan:
    due = ctx.day(spec.due) if spec.due is not None else ctx.as_of_day
    x = pd.DataFrame({"sub": subjects.index, "key": subjects["sid"], "lo": NEVER, "due": due, "part": ""})
    y = pd.DataFrame({"key": tasks["task_ref"].astype(str), "day": NEVER + 1, "ok": 1,
                      "ev": evidence_refs("tasks", tasks)}) if len(tasks) else empty_y()
    return Plan("match", subjects, x, y)


def _leads(ctx: Context, spec: LedgerSpec, rows: list[dict[str, Any]], subjects: pd.DataFrame,
           tasks: pd.DataFrame) -> Plan:
    by_ref: dict[str, list[int]] = {}
    for ref, idx in zip(tasks["task_ref"], tasks.index):
        by_ref.setdefault(str(ref), []).append(idx)
    out = []
    for i, r in enumerate(rows):
        rec: dict[str, Any] = {"sub": i, "part": "", "due": ctx.as_of_day, "exp": _lead_keys(r["lead_units"]), "ev": []}
        hits = by_ref.get(r["ref"], [])
        if hits:
            rec["str"] = _lead_keys([u for h in hits for u in tasks.at[h, "lead_units"]])
            rec["ev"] = evidence_refs("tasks", tasks.loc[hits])
            rec["actual"] = "、".join(u for h in hits for u in tasks.at[h, "lead_units"])
        out.append(rec)
    x = pd.DataFrame(out, columns=["sub", "part", "due", "exp", "str", "ev", "actual"])
    checks = [Check("no_entry", [{"$nex": {"str": 1}}]),
              Check("mismatch", [{"$ex": {"str": 1}}, {"$neq": {"str": {"$m": "exp"}}}])]
    return Plan("test", subjects, x, checks=checks, test_fields=("str", "exp"))


def _completion(ctx: Context, spec: LedgerSpec, rows: list[dict[str, Any]], subjects: pd.DataFrame,
                tasks: pd.DataFrame) -> Plan:
    x = pd.DataFrame({"sub": subjects.index, "key": subjects["sid"], "lo": NEVER,
                      "due": [day_number(dt.date.fromisoformat(str(r["due"]))) for r in rows], "part": ""})
    done = tasks[((tasks["status"] == "completed") & tasks["completed"].notna() & tasks["deliverable"].notna()
                  & (tasks["completed"].fillna(10**9) <= ctx.as_of_day)).to_numpy(dtype=bool)]
    y = pd.DataFrame({"key": done["task_ref"].astype(str), "day": done["completed"].astype("int64"), "ok": 1,
                      "ev": evidence_refs("tasks", done)}) if len(done) else empty_y()
    return Plan("match", subjects, x, y)


def _progress(ctx: Context, spec: LedgerSpec, rows: list[dict[str, Any]], subjects: pd.DataFrame,
              tasks: pd.DataFrame) -> Plan:
    first = parse_quarter(spec.first_quarter or "2000Q1")
    last = min(ctx.as_of, parse_quarter(ctx.ds.header.period).end)
    quarters = periods_between("quarter", first.start, last)
    x = pd.DataFrame([{"sub": i, "key": f"{r['ref']}|{q.label}", "lo": NEVER, "due": day_number(q.end), "part": q.label}
                      for i, r in enumerate(rows) for q in quarters], columns=["sub", "key", "lo", "due", "part"])
    prog = ctx.ds.table("progress")
    prog = prog[(prog["date"].fillna(10**9) <= ctx.as_of_day).to_numpy(dtype=bool)]
    idle = None if quarters else "no_periods"  # no quarter from first_quarter to the submission's yet
    if prog.empty:
        return Plan("match", subjects, x, empty_y(), other_reason="filed_by_non_lead", idle_reason=idle)
    ref_of = dict(zip(tasks["id"], tasks["task_ref"].astype(str)))
    leads_of = {r["ref"]: {unit_key(u) for u in r["lead_units"]} for r in rows}
    refs = prog["task"].map(ref_of)
    label = prog["date"].map(lambda d: period_of("quarter", from_day(int(d))).label)
    ok = [int(unit_key(str(u)) in leads_of.get(ref, set())) for u, ref in zip(prog["unit"], refs)]
    y = pd.DataFrame({"key": (refs.astype(str) + "|" + label).to_numpy(), "day": prog["date"].astype("int64").to_numpy(),
                      "ok": ok, "ev": evidence_refs("progress", prog)})
    return Plan("match", subjects, x, y, other_reason="filed_by_non_lead", idle_reason=idle)


def _start(ctx: Context, spec: LedgerSpec, rows: list[dict[str, Any]], subjects: pd.DataFrame,
           tasks: pd.DataFrame) -> Plan:
    warn = int(ctx.value(spec.warn_days))
    status = {str(ref): st for ref, st in zip(tasks["task_ref"], tasks["status"])}
    refs = dict(zip(tasks["task_ref"].astype(str), evidence_refs("tasks", tasks)))
    out = []
    keep: list[int] = []
    for i, r in enumerate(rows):
        due = day_number(dt.date.fromisoformat(str(r["due"])))
        if not (0 <= due - ctx.as_of_day <= warn):
            continue  # not yet within the warning window, or already due (completion decides)
        rec: dict[str, Any] = {"sub": len(keep), "part": "", "due": ctx.as_of_day,
                               "ev": [refs[r["ref"]]] if r["ref"] in refs else []}
        if r["ref"] in status:
            rec["str"] = status[r["ref"]]
        out.append(rec)
        keep.append(i)
    # Only rows inside the warning window are examined: a row outside it is neither passed
    # nor "not configured", so it is left out (none inside: the rule examined nothing).
    subjects = subjects.iloc[keep].reset_index(drop=True)
    x = pd.DataFrame(out, columns=["sub", "part", "due", "str", "ev"])
    checks = [Check("missing", [{"$nex": {"str": 1}}]), Check("not_started", [{"str": "not_started"}])]
    return Plan("test", subjects, x, checks=checks, test_fields=("str",))
