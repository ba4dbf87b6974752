"""*attribute*: records matching a filter have a field in an allowed set, or satisfying a
comparison with a constant, or equal to another column of the same subject (``equals``: the
convener's county must be the county a derived column names). With ``normalise: unit`` values
are compared as unit names (贵港市水利局 = 市水利局).

``cases`` say which records must satisfy what: each case applies to the subjects that match
its ``when`` (tests on subject columns) and states ``allowed`` values or ``op``/``value``.
A record that some case applies to but has no value for the field is *missing*; a record
that no case applies to is not applicable (``no_case``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Union

import numpy as np
import pandas as pd
from pydantic import Field

from ..rulefile import ParamRef, RuleBase, Strict
from ..units import unit_key
from .base import Check, Context, Plan, Select, resolve, select_subjects

Scalar = Union[str, int, float, bool]
NEG = {">=": "$lt", ">": "$lte", "<=": "$gt", "<": "$gte", "==": "$neq", "!=": "$eq"}


class Case(Strict):
    when: dict[str, Scalar] = Field(default_factory=dict, description="subject column → value")
    allowed: list[str] | ParamRef | None = None
    op: Literal[">=", ">", "<=", "<", "==", "!="] | None = None
    value: float | int | ParamRef | None = None
    equals: str | None = Field(default=None, description="subject column (path) the field must equal; "
                                                         "a subject without that value is not applicable")


class AttributeSpec(Strict):
    subjects: Select
    field: str = Field(description="column (path allowed) that is checked")
    cases: list[Case] = Field(min_length=1)
    due: dt.date | ParamRef | None = None
    normalise: Literal["unit"] | None = Field(default=None, description="compare values as unit names")


class AttributeRule(RuleBase):
    kind: Literal["attribute"]
    spec: AttributeSpec


def _s(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def plan(ctx: Context, spec: AttributeSpec) -> Plan:
    subjects = select_subjects(ctx, spec.subjects)
    table = str(subjects["_table"].iloc[0]) if len(subjects) else "values"
    values = resolve(ctx, table, subjects, spec.field) if len(subjects) else pd.Series(dtype=object)
    numeric = any(c.op is not None for c in spec.cases)
    norm = unit_key if spec.normalise == "unit" else (lambda v: v)
    # The expectation columns in order, made into one frame at the end (each column assigned
    # to a frame cost ~0.1 ms: four such rules per county).
    cols: dict[str, Any] = {"sub": subjects.index, "due": ctx.day(spec.due) if spec.due is not None else ctx.as_of_day,
                            "part": ""}
    col = "num" if numeric else "str"
    cols[col] = [None if pd.isna(v) else (float(v) if numeric else norm(_s(v))) for v in values]
    if spec.normalise is not None:
        cols["actual"] = [None if pd.isna(v) else _s(v) for v in values]  # shown as written, compared normalised
    when_cols = sorted({k for c in spec.cases for k in c.when})
    for k in when_cols:
        cols[f"w_{k}"] = [_s(v) for v in resolve(ctx, table, subjects, k)] if len(subjects) else []
    checks = [Check("missing", [{"$nex": {col: 1}}])]
    exp_of: str | None = None  # the column "exp" shows (the first `equals`)
    for i, case in enumerate(spec.cases):
        terms: list[dict[str, Any]] = [{f"w_{k}": _s(v)} for k, v in case.when.items()] + [{"$ex": {col: 1}}]
        if case.allowed is not None:
            terms += [{"$neq": {col: norm(_s(a))}} for a in ctx.value(case.allowed)]
        elif case.equals is not None:
            want = resolve(ctx, table, subjects, case.equals) if len(subjects) else pd.Series(dtype=object)
            cols[f"e{i}"] = [None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else norm(_s(v))
                             for v in want]
            if exp_of is None:
                exp_of = f"e{i}"
                cols["exp"] = cols[exp_of]  # shown as the expected value
            checks.append(Check("no_baseline", [{f"w_{k}": _s(v)} for k, v in case.when.items()]
                                + [{"$ex": {col: 1}}, {"$nex": {f"e{i}": 1}}]))
            terms += [{"$ex": {f"e{i}": 1}}, {"$neq": {col: {"$m": f"e{i}"}}}]
        elif case.op is not None:
            cols[f"c{i}"] = float(ctx.value(case.value))
            terms.append({NEG[case.op]: {col: {"$m": f"c{i}"}}})
        checks.append(Check("wrong_value", terms))
    x = _frame(cols, exp_of, len(subjects))
    # A subject that no case applies to owes nothing here: not applicable, never "missing".
    applies = [any(all(cols[f"w_{k}"][r] == _s(v) for k, v in case.when.items()) for case in spec.cases)
               for r in range(len(subjects))]
    x = x[np.array(applies, dtype=bool)]
    return Plan("test", subjects, x, checks=checks, idle_reason="no_case",
                test_fields=(col, *[f"w_{k}" for k in when_cols],
                             *[c for c in x.columns if c[:1] in ("c", "e") and c[1:].isdigit()]))


def _frame(cols: dict[str, Any], exp_of: str | None, n: int) -> pd.DataFrame:
    """The expectation frame: one constructor call over the whole columns (the dtypes each
    column assignment gave); with no subjects, column by column as before, since empty
    columns take their dtypes from how they were made."""
    if n:
        return pd.DataFrame(cols)
    names = list(cols)
    x = pd.DataFrame({k: cols[k] for k in names[:3]})
    for k in names[3:]:
        x[k] = x[exp_of] if k == "exp" and exp_of is not None else cols[k]
    return x
