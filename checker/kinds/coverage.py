"""*coverage*: for each X matching a filter there is a Y related to it.

Subjects are any table's records, optionally expanded (``expand: {level: [county, township,
village]}`` gives "each reach × each level"); evidence is matched on equal columns, where a
subject column may be a path such as ``jurisdiction@level`` (the reach's jurisdiction at the
level of that expansion). With ``due``, Y must be dated on or before it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from ..rulefile import ParamRef, RuleBase, Strict
from .base import Context, Evidence, Plan, Select, column_values, select_subjects
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
        keep = levels_kept(subjects, ctx.ds.table("jurisdictions"), LEVEL_ORDER[ctx.submitter["level"]])
        subjects = subjects[keep].reset_index(drop=True)
    return simple_plan(ctx, subjects, spec.evidence, ctx.day(spec.due) if spec.due is not None else None)


def levels_kept(subjects: pd.DataFrame, jurisdictions: pd.DataFrame, top: int) -> np.ndarray:
    """Subjects whose ``level`` lies from the submitter's (``top``) down to that of the subject's
    own jurisdiction; an unknown level or jurisdiction keeps nothing. Plain lookups: two pandas
    maps and comparisons cost more than these few hundred."""
    from ..model import LEVEL_ORDER
    codes = column_values(jurisdictions, "code")
    if not all(type(c) is str for c in codes):  # a missing code, which pandas' map matches to a missing one
        own = subjects["jurisdiction"].map(dict(zip(jurisdictions["code"], jurisdictions["level"]))).map(LEVEL_ORDER)
        lv = subjects["level"].map(LEVEL_ORDER)
        return ((lv >= top) & (lv <= own)).to_numpy(dtype=bool)
    level_of: dict[Any, Any] = dict(zip(codes, column_values(jurisdictions, "level")))
    keep = []
    for code, level in zip(column_values(subjects, "jurisdiction"), column_values(subjects, "level")):
        lv, own = LEVEL_ORDER.get(level), LEVEL_ORDER.get(level_of.get(code, ""))
        keep.append(lv is not None and own is not None and top <= lv <= own)
    return np.array(keep, dtype=bool)
