"""What every obligation kind shares: selecting subjects and evidence, and the :class:`Plan`.

A kind turns (rule, dataset, as_of) into a :class:`Plan`: *subjects* (what the obligation is
about: a jurisdiction, a water body, a chief, a task row), *expectations* ``x`` (one or more
per subject: a period, a level, a required document) and, for the ``match`` template,
*evidence* ``y``. This is the aggregate stage: the relational work is done here with pandas,
so the engine receives compact facts. The engine then decides every expectation
(:mod:`checker.kinds.templates`), and :mod:`checker.outcomes` turns its matches into findings.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Union

import numpy as np
import pandas as pd
from pydantic import Field

from ..dataset import Dataset
from ..dates import day_number
from ..errors import RuleError
from ..model import LEVEL_ORDER, TABLES, table_key
from ..rulefile import LoadedRule, ParamRef, Strict
from ..schema import column_specs
from ..units import unit_key
from .selection import Aliases, Cmp, Derive, Lookup, add_derived, add_lookup, cmp_mask, distinct_rows, normaliser, reference_frame

Scalar = Union[str, int, float, bool, None]
FilterValue = Union[Scalar, list[Scalar], ParamRef, Cmp]
NEVER = -10**7  # a day number before any real date
TableName = Literal[tuple(TABLES)]  # type: ignore[valid-type]


class Select(Strict):
    """Records of a table (or the submitter, or listed values) matching ``where``.

    ``where`` maps a column to a value, a list of values (any of), ``$submitter`` (the
    submitting jurisdiction's code), ``$notnull`` or ``$null``. A column may be a path:
    ``water_body.main_river`` follows a reference; ``jurisdiction@county`` is the county
    that contains the record's jurisdiction. A list-valued column (a document's ``covers``)
    matches when it contains the value (for a list of values: any of them).
    """

    table: Union[TableName, Literal["submitter", "values", "reference"]]  # type: ignore[valid-type]
    where: dict[str, FilterValue] = Field(default_factory=dict)
    values: list[dict[str, Any]] | ParamRef | None = Field(default=None, description="rows, for table: values")
    expand: dict[str, list[str] | ParamRef] = Field(
        default_factory=dict, description="cross product: one subject per listed value of each key")
    subject_type: str | None = Field(default=None, description="subject type shown in findings (default: from the table)")
    # Optional extensions (checker/kinds/selection.py); the defaults keep the plain behaviour.
    file: str | None = Field(default=None, description="table: reference — the pack reference file (items:)")
    explode: dict[str, str] = Field(default_factory=dict, description="reference: list field → one row per element in this column")
    derive: dict[str, Derive] = Field(default_factory=dict, description="columns computed per subject before `where`")
    lookup: Lookup | None = Field(default=None, description="fields of a reference item joined onto each subject")
    where_by_level: dict[str, dict[str, FilterValue]] = Field(
        default_factory=dict, description="extra `where` for a submitter level (a city submission: the city only)")
    jurisdiction: str | None = Field(default=None, description="column (path) giving the subject's jurisdiction")
    name: str | None = Field(default=None, description="column (path) giving the subject's display name")
    distinct: list[str] | None = Field(default=None, description="one subject per distinct value of these paths")


class Evidence(Strict):
    table: TableName  # type: ignore[valid-type]
    where: dict[str, FilterValue] = Field(default_factory=dict)
    match: dict[str, str] = Field(default_factory=dict,
                                  description="evidence column → subject column (paths allowed); all must be equal")
    date: str | None = Field(default=None, description="the evidence's date column that must be on time")
    normalise: Literal["unit", "name"] | Aliases | None = Field(
        default=None, description="compare match values as unit names, as names (NFKC), or through an alias file")


@dataclass
class Check:
    """One way an expectation fails, as alpha tests on the expectation fact (test template)."""

    tag: str  # reason: missing, too_few, too_many, wrong_value, below_threshold, wrong_unit, mismatch, no_baseline
    terms: list[dict[str, Any]]


@dataclass
class Plan:
    template: Literal["match", "test"]
    subjects: pd.DataFrame  # stype sid sname jurisdiction leads
    x: pd.DataFrame  # sub part due [key lo] [test fields] expected
    y: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["key", "day", "ok", "ev"]))
    checks: list[Check] = field(default_factory=list)
    other_reason: str = "wrong_unit"
    test_fields: tuple[str, ...] = ()
    # Why a subject with no expectations is not applicable: per subject (index), else the
    # plan's default, else outcomes' fallback (no_periods / not_configured).
    idle: dict[int, str] = field(default_factory=dict)
    idle_reason: str | None = None


@dataclass
class Context:
    ds: Dataset
    as_of: date
    rule: LoadedRule
    params: dict[str, Any]
    _anc: pd.DataFrame | None = None
    _names: dict[str, str] | None = None

    @property
    def as_of_day(self) -> int:
        return day_number(self.as_of)

    @property
    def submitter(self) -> dict[str, Any]:
        return self.ds.jurisdiction

    def value(self, v: Any) -> Any:
        if isinstance(v, ParamRef):
            if v.param not in self.params:
                raise RuleError(str(self.rule.path), "/params", f"unknown parameter {v.param!r}")
            return self.params[v.param]
        return v

    def day(self, v: Any) -> int | None:
        v = self.value(v)
        if v is None:
            return None
        if isinstance(v, str):
            v = date.fromisoformat(v)
        return day_number(v)

    def jurisdiction_name(self, code: str) -> str:
        if self._names is None:
            self._names = self.ds.jurisdiction_names()
        return str(self._names.get(code, code))

    def ancestors(self) -> pd.DataFrame:
        if self._anc is None:
            self._anc = self.ds.ancestors_by_code()
        return self._anc


# --------------------------------------------------------------------------- columns and filters

def resolve(ctx: Context, table: str, frame: pd.DataFrame, path: str) -> pd.Series:
    """A column of ``frame`` by path (see :class:`Select`)."""
    if path in frame.columns:
        return frame[path]
    if "@" in path:
        col, level = path.split("@", 1)
        codes = resolve(ctx, table, frame, col)
        anc = ctx.ancestors()
        if level in LEVEL_ORDER:
            return codes.map(anc[f"at_{level}"]).astype(object)
        levels = resolve(ctx, table, frame, level)
        # One dict per level column, read once (``anc.at`` per row costs microseconds each).
        at = {lv: dict(zip(anc.index, anc[f"at_{lv}"].to_numpy(dtype=object).tolist())) for lv in LEVEL_ORDER}
        out = [at[lv][c] if (isinstance(lv, str) and lv in LEVEL_ORDER and c in at[lv]) else None
               for c, lv in zip(codes, levels)]
        return pd.Series(out, index=frame.index, dtype=object)
    if "." in path:
        col, rest = path.split(".", 1)
        spec = next((s for s in column_specs(table) if s.name == col), None) if table in TABLES else None
        if spec is None or spec.ref is None:
            raise RuleError(str(ctx.rule.path), "/spec", f"{table}.{col} is not a reference column")
        target = ctx.ds.table(spec.ref)
        key = table_key(spec.ref)
        values = resolve(ctx, spec.ref, target, rest)
        lookup = pd.Series(values.to_numpy(), index=target[key].to_numpy())
        return frame[col].map(lookup)
    raise RuleError(str(ctx.rule.path), "/spec", f"unknown column {path!r} in {table}")


def truth(mask: pd.Series) -> pd.Series:
    """A comparison result as plain bools; missing values (NA) are false."""
    if mask.dtype == bool:  # already plain bools (numpy comparisons): nothing can be missing
        return mask
    return mask.astype("boolean").fillna(False).astype(bool)


def apply_where(ctx: Context, table: str, frame: pd.DataFrame, where: dict[str, Any]) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for path, raw in where.items():
        want = ctx.value(raw)
        col = resolve(ctx, table, frame, path)
        if isinstance(want, Cmp):
            mask &= cmp_mask(ctx, col, want)
        elif want == "$notnull":
            mask &= col.notna()
        elif want == "$null":
            mask &= col.isna()
        elif isinstance(want, list):
            wants = [ctx.submitter["code"] if w == "$submitter" else w for w in want]
            if _is_list_column(col):  # any of the values contained
                mask &= col.map(lambda v, ws=wants: isinstance(v, list) and any(w in v for w in ws)).astype(bool)
            else:
                mask &= col.isin(wants)
        else:
            if want == "$submitter":
                want = ctx.submitter["code"]
            if _is_list_column(col):
                # A list-valued column (a document's `covers`) matches when it contains the value.
                mask &= col.map(lambda v, w=want: isinstance(v, list) and w in v).astype(bool)
            else:
                mask &= truth(col == want)
    return frame[mask.to_numpy(dtype=bool)]


def _is_list_column(col: pd.Series) -> bool:
    return col.dtype == object and bool(col.map(lambda v: isinstance(v, list)).any())


def _name_col(table: str, frame: pd.DataFrame) -> pd.Series:
    for c in ("name", "title", "unit"):
        if c in frame.columns:
            return frame[c].astype(object)
    return frame[table_key(table)].astype(object)


def singular(table: str) -> str:
    """One record of ``table`` as a subject type: water_bodies → water_body, reaches → reach,
    progress → progress (``rstrip("s")`` gave water_bodie, reache and progre)."""
    if table.endswith("ies"):
        return table[:-3] + "y"
    if table.endswith("ches"):
        return table[:-2]
    if table.endswith("s") and not table.endswith("ss"):
        return table[:-1]
    return table


def select_subjects(ctx: Context, sel: Select, stype: str | None = None) -> pd.DataFrame:
    """Subjects with the standard columns ``stype sid sname jurisdiction leads src`` plus the source's."""
    ds = ctx.ds
    if sel.table == "submitter":
        j = ds.table("jurisdictions")
        frame = j[j["code"] == ctx.submitter["code"]].copy()
        table = "jurisdictions"
    elif sel.table == "reference":
        if not sel.file:
            raise RuleError(str(ctx.rule.path), "/spec", "table: reference needs `file`")
        frame = reference_frame(ctx, sel.file, sel.explode)
        table = "reference"
        frame["jurisdiction"] = ctx.submitter["code"]
    elif sel.table == "values":
        rows = ctx.value(sel.values) or []
        frame = pd.DataFrame(rows).copy() if rows else pd.DataFrame(columns=["id", "name"])
        table = "values"
        frame["jurisdiction"] = ctx.submitter["code"]
    else:
        table = sel.table
        frame = ds.table(table).copy()
        if table == "jurisdictions":
            # Only the submitter's own jurisdiction and those below it.
            at = resolve(ctx, table, frame, f"code@{ctx.submitter['level']}")
            frame = frame[truth(at == ctx.submitter["code"]).to_numpy()]
    frame = add_derived(ctx, table, frame, sel.derive)
    if sel.lookup is not None:
        frame = add_lookup(ctx, table, frame, sel.lookup)
    if table != "values":
        frame = apply_where(ctx, table, frame, sel.where)
        extra = sel.where_by_level.get(str(ctx.submitter["level"]))
        if extra:
            frame = apply_where(ctx, table, frame, extra)
    out = frame.copy()
    out["stype"] = stype or sel.subject_type or ("jurisdiction" if table in ("jurisdictions",) else singular(table))
    out["sid"] = (out["id"] if "id" in out.columns else out[table_key(table)]).astype(str) if table != "values" else out["id"].astype(str)
    out["sname"] = _name_col(table, out) if table != "values" else out.get("name", out["id"]).astype(object)
    if table == "jurisdictions":
        out["jurisdiction"] = out["code"]
    elif "jurisdiction" not in out.columns:
        out["jurisdiction"] = ctx.submitter["code"]
    out["src"] = [f"{table}:{r}" for r in out["_row"]] if "_row" in out.columns else None
    out["leads"] = [list(ctx.rule.spec.attribute_to)] * len(out)
    out["_table"] = table
    for col, values in sel.expand.items():
        vals = ctx.value(values)
        out = out.merge(pd.DataFrame({col: vals}), how="cross")
        out["sid"] = out["sid"] + "@" + out[col].astype(str)
    if sel.jurisdiction is not None:
        out["jurisdiction"] = resolve(ctx, table, out, sel.jurisdiction).astype(object).to_numpy() if len(out) else []
    if sel.name is not None:
        out["sname"] = resolve(ctx, table, out, sel.name).astype(object).to_numpy() if len(out) else []
    if sel.distinct:
        out = distinct_rows(ctx, table, out, sel.distinct)
    return out.reset_index(drop=True)


def select_evidence(ctx: Context, ev: Evidence) -> pd.DataFrame:
    """Evidence records (``where`` applied; those dated after ``as_of`` are not known yet)."""
    frame = apply_where(ctx, ev.table, ctx.ds.table(ev.table), ev.where)
    if ev.date is not None:
        days = frame[ev.date]
        frame = frame[truth(days <= ctx.as_of_day).to_numpy()]
    return frame


_MISSING = itertools.count()


def keys(ctx: Context, table: str, frame: pd.DataFrame, columns: list[str], normalise: Any) -> pd.Series:
    """One string join key per row: the listed columns' values joined by ``|``."""
    if not columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    parts = []
    for c in columns:
        col = resolve(ctx, table, frame, c).astype(object)
        norm = normaliser(ctx, normalise)
        if norm is not None:
            col = col.map(lambda v, f=norm: f(v) if isinstance(v, str) else v)
        parts.append(col.map(lambda v: "\x00" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v)))
    key = parts[0]
    bad = parts[0] == "\x00"
    for p in parts[1:]:
        key = key + "|" + p
        bad |= p == "\x00"
    # A missing part can never match anything, not even a missing part on the other side of
    # the join: give the row a key that no other call (subject or evidence side) can produce.
    if bad.any():
        tag = f"\x00missing{next(_MISSING)}:"
        key = key.where(~bad, tag + pd.Series(range(len(frame)), index=frame.index).astype(str))
    return key


def evidence_refs(table: str, frame: pd.DataFrame) -> list[str]:
    return [f"{table}:{r}" for r in frame["_row"]]


def empty_y() -> pd.DataFrame:
    return pd.DataFrame({"key": pd.Series(dtype=object), "day": pd.Series(dtype=np.int64),
                         "ok": pd.Series(dtype=np.int64), "ev": pd.Series(dtype=object)})
