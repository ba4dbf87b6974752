"""*deadline*: evidence of a kind exists for each subject, dated on or before a due date.

Subjects default to the submitting jurisdiction. ``each_of`` asks for one piece of evidence
per listed value (the seven systems of GG-16: one expectation per system).
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from ..rulefile import ParamRef, RuleBase, Strict
from .base import Context, Evidence, Plan, Select, select_subjects
from .match import simple_plan


class EachOf(Strict):
    field: str = Field(description="evidence column that must take each value")
    values: list[str] | ParamRef


class DeadlineSpec(Strict):
    subjects: Select = Field(default_factory=lambda: Select(table="submitter"))
    evidence: Evidence
    each_of: EachOf | None = None
    due: dt.date | ParamRef


class DeadlineRule(RuleBase):
    kind: Literal["deadline"]
    spec: DeadlineSpec


def plan(ctx: Context, spec: DeadlineSpec) -> Plan:
    subjects = select_subjects(ctx, spec.subjects)
    each = (spec.each_of.field, list(ctx.value(spec.each_of.values))) if spec.each_of else None
    return simple_plan(ctx, subjects, spec.evidence, ctx.day(spec.due), each)
