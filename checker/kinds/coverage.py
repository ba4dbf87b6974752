"""*coverage*: for each X matching a filter there is a Y related to it.

Subjects are any table's records, optionally expanded (``expand: {level: [county, township,
village]}`` gives "each reach × each level"); evidence is matched on equal columns, where a
subject column may be a path such as ``jurisdiction@level`` (the reach's jurisdiction at the
level of that expansion). With ``due``, Y must be dated on or before it.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from ..rulefile import ParamRef, RuleBase, Strict
from .base import Context, Evidence, Plan, Select, select_subjects
from .match import simple_plan


class CoverageSpec(Strict):
    subjects: Select
    evidence: Evidence
    due: dt.date | ParamRef | None = None
    require_levels_below_submitter: bool = Field(
        default=True, description="with expand over level: only levels from the subject's own up to the submitter's")


class CoverageRule(RuleBase):
    kind: Literal["coverage"]
    spec: CoverageSpec


def plan(ctx: Context, spec: CoverageSpec) -> Plan:
    from ..model import LEVEL_ORDER
    subjects = select_subjects(ctx, spec.subjects)
    if "level" in spec.subjects.expand and spec.require_levels_below_submitter and len(subjects):
        # A reach in a village "runs through" the village, its township, county and city; the
        # levels above the submitter are the upper level's business, those below the reach's
        # own jurisdiction do not exist for it.
        top = LEVEL_ORDER[ctx.submitter["level"]]
        j = ctx.ds.table("jurisdictions")
        own = subjects["jurisdiction"].map(dict(zip(j["code"], j["level"]))).map(LEVEL_ORDER)
        lv = subjects["level"].map(LEVEL_ORDER)
        keep = (lv >= top) & (lv <= own)
        subjects = subjects[keep.to_numpy(dtype=bool)].reset_index(drop=True)
    return simple_plan(ctx, subjects, spec.evidence, ctx.day(spec.due) if spec.due is not None else None)

