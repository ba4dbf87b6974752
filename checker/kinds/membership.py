"""*membership*: a set (e.g. the meeting's member units) includes every required value.

One expectation per required value, so a finding names the missing member. With
``normalise: unit`` names are compared by :func:`checker.units.unit_key` (市发展改革委 and
发展改革委 are one unit). A list-valued evidence column (a document's ``covers``) is
exploded first.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import Field

from ..errors import RuleError
from ..rulefile import ParamRef, RuleBase, Strict, read_yaml
from ..units import unit_key
from .base import NEVER, Context, Evidence, Plan, empty_y, evidence_refs, select_evidence


class Reference(Strict):
    file: str = Field(description="reference YAML file, relative to the pack")
    field: str = Field(description="field of each item that holds the required value")


class MembershipSpec(Strict):
    required: list[str] | ParamRef | Reference
    evidence: Evidence = Field(description="records whose `field` values form the set")
    field: str
    normalise: Literal["unit"] | None = None
    due: dt.date | ParamRef | None = None
    subject_type: str = "member"


class MembershipRule(RuleBase):
    kind: Literal["membership"]
    spec: MembershipSpec


def required_values(ctx: Context, req: list[str] | ParamRef | Reference) -> list[str]:
    if isinstance(req, Reference):
        path = Path(ctx.rule.pack_dir) / req.file
        try:
            items = read_yaml(path)["items"]
            return [str(item[req.field]) for item in items]
        except (OSError, KeyError, TypeError, yaml.YAMLError) as e:
            raise RuleError(str(path), req.field, f"cannot read required values: {e}") from None
    return [str(v) for v in ctx.value(req)]


def plan(ctx: Context, spec: MembershipSpec) -> Plan:
    norm = (lambda v: unit_key(v)) if spec.normalise == "unit" else (lambda v: v)
    values = required_values(ctx, spec.required)
    code = ctx.submitter["code"]
    subjects = pd.DataFrame({"stype": spec.subject_type, "sid": values, "sname": values, "jurisdiction": code,
                             "leads": [[v] if spec.subject_type == "member_unit" else list(ctx.rule.spec.attribute_to) for v in values],
                             "src": None, "_table": "values"})
    due = ctx.day(spec.due) if spec.due is not None else ctx.as_of_day
    x = pd.DataFrame({"sub": subjects.index, "key": [norm(v) for v in values], "lo": NEVER, "due": due, "part": ""})
    frame = select_evidence(ctx, spec.evidence)
    if frame.empty:
        return Plan("match", subjects, x, empty_y())
    col = frame[spec.field]
    refs = pd.Series(evidence_refs(spec.evidence.table, frame), index=frame.index)
    data = pd.DataFrame({"v": col, "ev": refs})
    data = data.explode("v") if col.map(lambda v: isinstance(v, list)).any() else data
    data = data[data["v"].notna()]
    day = frame[spec.evidence.date] if spec.evidence.date else pd.Series(NEVER + 1, index=frame.index)
    y = pd.DataFrame({"key": data["v"].astype(str).map(norm).to_numpy(), "day": day.loc[data.index].astype("int64").to_numpy(),
                      "ok": 1, "ev": data["ev"].to_numpy()})
    return Plan("match", subjects, x, y)
