"""*threshold*: an indicator compared with a constant, its baseline, or the previous period.

One expectation per (indicator, year) from ``first`` to the year of ``as_of``; the value for
year Y is due on Y-``due`` (12-31 by default), so before then it is pending. The bound is
``value`` (constant), ``baseline × ratio`` or ``previous year's value × ratio``; a missing
bound makes the year not applicable (nothing to compare with), a wrong unit is reported as
such, never compared.
"""
from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from pydantic import Field

from ..dates import day_number, month_day_in
from ..rulefile import ParamRef, RuleBase, Strict
from .base import Check, Context, Plan, evidence_refs


class ThresholdSpec(Strict):
    indicators: list[str] = Field(min_length=1)
    first_year: int
    last_year: int | None = None
    op: Literal[">=", "<="]
    against: Literal["constant", "baseline", "previous"]
    value: float | ParamRef | None = None
    ratio: float | ParamRef = 1.0
    unit: str
    due: str = Field(default="12-31", pattern=r"^\d{2}-\d{2}$")


class ThresholdRule(RuleBase):
    kind: Literal["threshold"]
    spec: ThresholdSpec


def plan(ctx: Context, spec: ThresholdSpec) -> Plan:
    code = ctx.submitter["code"]
    names = spec.indicators
    subjects = pd.DataFrame({"stype": "indicator", "sid": names, "sname": names, "jurisdiction": code,
                             "leads": [list(ctx.rule.spec.attribute_to)] * len(names), "src": None, "_table": "values"})
    ind = ctx.ds.table("indicators")
    ind = ind[(ind["jurisdiction"] == code).to_numpy(dtype=bool)]
    by = {(n, int(y)): r for n, y, r in zip(ind["name"], ind["year"], ind.index)}
    ratio = float(ctx.value(spec.ratio))
    last = min(spec.last_year or ctx.as_of.year, ctx.as_of.year)
    rows = []
    for i, name in enumerate(names):
        for year in range(spec.first_year, last + 1):
            row: dict[str, Any] = {"sub": i, "part": str(year), "due": day_number(month_day_in(year, spec.due)),
                                      "unit_ok": 1, "ev": []}
            r = by.get((name, year))
            if r is not None:
                rec = ind.loc[r]
                row["num"] = float(rec["value"])
                row["unit_ok"] = int(rec["unit"] == spec.unit)
                row["ev"] = evidence_refs("indicators", ind.loc[[r]])
                base = None
                if spec.against == "constant":
                    base = float(ctx.value(spec.value))
                elif spec.against == "baseline":
                    base = None if pd.isna(rec["baseline"]) else float(rec["baseline"]) * ratio
                else:
                    prev = by.get((name, year - 1))
                    if prev is not None and ind.at[prev, "unit"] == rec["unit"]:
                        base = float(ind.at[prev, "value"]) * ratio
                        row["ev"] = row["ev"] + evidence_refs("indicators", ind.loc[[prev]])
                if base is not None:
                    row["base"] = base
            rows.append(row)
    x = pd.DataFrame(rows, columns=["sub", "part", "due", "unit_ok", "ev", "num", "base"])
    cmp = "$lt" if spec.op == ">=" else "$gt"
    checks = [Check("missing", [{"$nex": {"num": 1}}]),
              Check("wrong_unit", [{"$ex": {"num": 1}}, {"unit_ok": 0}]),
              Check("no_baseline", [{"$ex": {"num": 1}}, {"unit_ok": 1}, {"$nex": {"base": 1}}]),
              Check("below_threshold" if spec.op == ">=" else "above_threshold",
                    [{"$ex": {"base": 1}}, {"unit_ok": 1}, {cmp: {"num": {"$m": "base"}}}])]
    return Plan("test", subjects, x, checks=checks, test_fields=("num", "base", "unit_ok"))
