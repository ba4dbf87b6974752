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
from typing import Any, Callable, Hashable, Literal, TypeVar, Union

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

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


def column_values(frame: pd.DataFrame, name: str) -> list[Any]:
    """A column as plain Python values, as a row of the frame (``frame.loc[i]``) holds them."""
    i = frame.columns.get_loc(name)
    if type(i) is not int or not hasattr(frame, "_get_column_array"):
        return frame[name].to_numpy(dtype=object).tolist()
    # What Series.to_numpy(dtype=object) does, without building the Series (~20 µs a column,
    # and a county's rules read thousands of columns).
    values = frame._get_column_array(i)
    if isinstance(values, np.ndarray):
        return np.asarray(values, dtype=object).tolist()
    return values.to_numpy(dtype=object).tolist()


@dataclass
class Check:
    """One way an expectation fails, as alpha tests on the expectation fact (test template)."""

    tag: str  # reason: missing, too_few, too_many, wrong_value, below_threshold, wrong_unit, mismatch, no_baseline
    terms: list[dict[str, Any]]


# The y of a plan without evidence (the test template): built once, each plan gets its own
# shallow copy (building the empty frame cost ~0.25 ms a plan).
_NO_Y: pd.DataFrame = pd.DataFrame(columns=["key", "day", "ok", "ev"])


@dataclass
class Plan:
    template: Literal["match", "test"]
    subjects: pd.DataFrame  # stype sid sname jurisdiction leads
    x: pd.DataFrame  # sub part due [key lo] [test fields] expected
    y: pd.DataFrame = field(default_factory=lambda: _NO_Y.copy(deep=False))
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


# --------------------------------------------------------------------------- per-dataset memo

T = TypeVar("T")


def spec_key(ctx: Context, obj: Any) -> Hashable:
    """A hashable key of a spec fragment with its parameters resolved (raises RuleError for an
    unknown parameter, like :meth:`Context.value`)."""
    if isinstance(obj, ParamRef):
        return ("$param", repr(ctx.value(obj)))
    if isinstance(obj, BaseModel):
        known = _FIXED_KEYS.get(id(obj))
        if known is not None and known[0] is obj and known[1] is not None:
            return known[1]
        key = (type(obj).__name__, tuple((k, spec_key(ctx, getattr(obj, k))) for k in type(obj).model_fields))
        if known is None or known[0] is not obj:
            if len(_FIXED_KEYS) >= 4096:
                _FIXED_KEYS.clear()
            _FIXED_KEYS[id(obj)] = (obj, None if _holds_param(obj) else key)
        return key
    if isinstance(obj, dict):
        return ("$dict", tuple((repr(k), spec_key(ctx, v)) for k, v in obj.items()))
    if isinstance(obj, (list, tuple)):
        return ("$list", tuple(spec_key(ctx, v) for v in obj))
    return (type(obj).__name__, repr(obj))


# The key of each spec fragment (a rule's model, frozen) that holds no parameter, by object:
# every rule asks for its fragments' keys for every submission, ~100 recursive calls each. A
# fragment holding a parameter is keyed afresh each time, since its key holds the value.
# The fragment is kept with its key, so its id is never another object's.
_FIXED_KEYS: dict[int, tuple[Any, Hashable | None]] = {}


def _holds_param(obj: Any) -> bool:
    if isinstance(obj, ParamRef):
        return True
    if isinstance(obj, BaseModel):
        return any(_holds_param(getattr(obj, k)) for k in type(obj).model_fields)
    if isinstance(obj, dict):
        return any(_holds_param(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(_holds_param(v) for v in obj)
    return False


def memoised(ctx: Context, name: str, key: Callable[[], Hashable], build: Callable[[], T]) -> T:
    """``build()``, computed once per dataset and ``key()``: the 42 rules of a pack select from
    the same few tables, many with the same selection. Results are shared, so callers must not
    modify them. A key that cannot be made (an unknown parameter) just builds, so the error
    comes from where it always came from."""
    try:
        k = (name, key())
    except RuleError:
        return build()
    memo = ctx.ds._memo.setdefault("kinds", {})
    if k not in memo:
        memo[k] = build()
    return memo[k]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- columns and filters

def resolve(ctx: Context, table: str, frame: pd.DataFrame, path: str) -> pd.Series:
    """A column of ``frame`` by path (see :class:`Select`)."""
    if path in frame.columns:
        return frame[path]
    if frame is ctx.ds.tables.get(table):  # a whole table: the same path is asked by several rules
        return memoised(ctx, "resolve", lambda: (table, path), lambda: _resolve_path(ctx, table, frame, path))
    return _resolve_path(ctx, table, frame, path)


def _resolve_path(ctx: Context, table: str, frame: pd.DataFrame, path: str) -> pd.Series:
    if "@" in path:
        col, level = path.split("@", 1)
        codes = resolve(ctx, table, frame, col)
        at = ancestor_dicts(ctx)
        if level in LEVEL_ORDER:
            if None in at:  # a jurisdiction without a code, which pandas' map matches to a missing one
                return codes.map(ctx.ancestors()[f"at_{level}"]).astype(object)
            # What ``codes.map(ancestors[f"at_{level}"]).astype(object)`` gave (NaN: no such ancestor).
            up = at[level]
            return pd.Series([up.get(c, np.nan) for c in codes.to_numpy(dtype=object).tolist()],
                             index=codes.index, dtype=object, name=codes.name)
        levels = resolve(ctx, table, frame, level)
        out = [at[lv][c] if (isinstance(lv, str) and lv in LEVEL_ORDER and c in at[lv]) else None
               for c, lv in zip(codes.to_numpy(dtype=object).tolist(), levels.to_numpy(dtype=object).tolist())]
        return pd.Series(out, index=frame.index, dtype=object)
    if "." in path:
        col, rest = path.split(".", 1)
        spec = next((s for s in column_specs(table) if s.name == col), None) if table in TABLES else None
        if spec is None or spec.ref is None:
            raise RuleError(str(ctx.rule.path), "/spec", f"{table}.{col} is not a reference column")
        ref = spec.ref

        def build() -> pd.Series:
            target = ctx.ds.table(ref)
            values = resolve(ctx, ref, target, rest)
            return pd.Series(values.to_numpy(), index=target[table_key(ref)].to_numpy())
        lookup = memoised(ctx, "lookup", lambda: (ref, rest), build)
        return frame[col].map(lookup)
    raise RuleError(str(ctx.rule.path), "/spec", f"unknown column {path!r} in {table}")


def ancestor_dicts(ctx: Context) -> dict[Any, dict[Any, Any]]:
    """Per level, jurisdiction code → its ancestor's code at that level (NaN: none): the columns
    of :meth:`Dataset.ancestor_codes` as dicts, built once per dataset by the same walk without
    the frame (building, indexing and mapping through it cost more than the walk)."""
    def build() -> dict[Any, dict[Any, Any]]:
        j = ctx.ds.table("jurisdictions")
        codes = column_values(j, "code")
        parent = dict(zip(codes, column_values(j, "parent")))
        level = dict(zip(codes, column_values(j, "level")))
        out: dict[Any, dict[Any, Any]] = {lv: {} for lv in LEVEL_ORDER}
        if not all(type(c) is str for c in codes):
            out[None] = {}  # marks a code that is not a string (see _resolve_path)
        for code in codes:
            found: dict[Any, Any] = {}
            cur: Any = code
            seen = set()
            while cur is not None and cur in level and cur not in seen:
                seen.add(cur)
                found[level[cur]] = cur
                cur = parent.get(cur)
            for lv in LEVEL_ORDER:
                out[lv][code] = found.get(lv, np.nan)
        return out
    return memoised(ctx, "ancestor_dicts", lambda: (), build)


def truth(mask: pd.Series) -> pd.Series:
    """A comparison result as plain bools; missing values (NA) are false."""
    if mask.dtype == bool:  # already plain bools (numpy comparisons): nothing can be missing
        return mask
    return mask.astype("boolean").fillna(False).astype(bool)


def _truth_np(mask: pd.Series) -> np.ndarray:
    """:func:`truth` as a numpy array (a nullable boolean result in one step, not three)."""
    if isinstance(mask.dtype, pd.BooleanDtype):
        return mask.to_numpy(dtype=bool, na_value=False)
    return truth(mask).to_numpy(dtype=bool)


def apply_where(ctx: Context, table: str, frame: pd.DataFrame, where: dict[str, Any]) -> pd.DataFrame:
    """The rows of ``frame`` matching every condition of ``where`` (``frame`` itself when there
    are none: callers never modify it)."""
    mask = where_mask(ctx, table, frame, where)
    return frame if mask is None else frame[mask]


def where_mask(ctx: Context, table: str, frame: pd.DataFrame, where: dict[str, Any]) -> np.ndarray | None:
    """``where`` as a numpy bool mask over ``frame``'s rows (None: no conditions)."""
    full = frame is ctx.ds.tables.get(table)
    mask: np.ndarray | None = None
    for path, raw in where.items():
        want = ctx.value(raw)
        if full:  # a whole table: rules share conditions (left: $null, level: county, ...)
            m = memoised(ctx, "where", lambda: (table, path, spec_key(ctx, want), ctx.submitter["code"]),
                         lambda: _condition(ctx, table, frame, path, want))
        else:
            m = _condition(ctx, table, frame, path, want)
        mask = m if mask is None else mask & m
    return mask


def _condition(ctx: Context, table: str, frame: pd.DataFrame, path: str, want: Any) -> np.ndarray:
    """One ``where`` condition as a numpy bool mask over ``frame``'s rows."""
    col = resolve(ctx, table, frame, path)
    if isinstance(want, Cmp):
        mask = cmp_mask(ctx, col, want)
    elif want == "$notnull":
        mask = col.notna()
    elif want == "$null":
        mask = col.isna()
    elif isinstance(want, list):
        wants = [ctx.submitter["code"] if w == "$submitter" else w for w in want]
        if _is_list_column(col):  # any of the values contained
            mask = col.map(lambda v, ws=wants: isinstance(v, list) and any(w in v for w in ws)).astype(bool)
        else:
            mask = col.isin(wants)
    else:
        if want == "$submitter":
            want = ctx.submitter["code"]
        if _is_list_column(col):
            # A list-valued column (a document's `covers`) matches when it contains the value.
            mask = col.map(lambda v, w=want: isinstance(v, list) and w in v).astype(bool)
        else:
            return _truth_np(col == want)
    return mask.to_numpy(dtype=bool)


def _is_list_column(col: pd.Series) -> bool:
    # The distinct types first (one pass in C), then isinstance's test on each type.
    return col.dtype == object and any(issubclass(t, list) for t in set(map(type, col.to_numpy())))


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
    out = memoised(ctx, "subjects", lambda: (spec_key(ctx, sel), stype, tuple(ctx.rule.spec.attribute_to),
                                             str(ctx.rule.pack_dir), ctx.submitter["code"]),
                   lambda: _select_subjects(ctx, sel, stype))
    return out.copy(deep=False)  # copy-on-write: a caller's change never reaches the shared frame


def _select_subjects(ctx: Context, sel: Select, stype: str | None) -> pd.DataFrame:
    ds = ctx.ds
    out: pd.DataFrame | None = None
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
        frame = ds.table(table)  # not copied: nothing below modifies it (add_derived copies)
        out = _decorated_selection(ctx, sel, stype, table, frame)
        if out is None and table == "jurisdictions":
            # Only the submitter's own jurisdiction and those below it.
            at = resolve(ctx, table, frame, f"code@{ctx.submitter['level']}")
            frame = frame[truth(at == ctx.submitter["code"]).to_numpy()]
    if out is None:
        frame = add_derived(ctx, table, frame, sel.derive)
        if sel.lookup is not None:
            frame = add_lookup(ctx, table, frame, sel.lookup)
        if table != "values":
            # Both masks over the same frame (a whole table's conditions are shared by rules).
            masks = [m for m in (where_mask(ctx, table, frame, sel.where),
                                 where_mask(ctx, table, frame, sel.where_by_level.get(str(ctx.submitter["level"])) or {}))
                     if m is not None]
            if masks:
                frame = frame[masks[0] & masks[1] if len(masks) == 2 else masks[0]]
        out = _decorate(ctx, sel, stype, table, frame)
    for col, values in sel.expand.items():
        vals = ctx.value(values)
        out = _cross(out, pd.DataFrame({col: vals}))
        out["sid"] = out["sid"] + "@" + out[col].astype(str)
    if sel.jurisdiction is not None:
        out["jurisdiction"] = resolve(ctx, table, out, sel.jurisdiction).astype(object).to_numpy() if len(out) else []
    if sel.name is not None:
        out["sname"] = resolve(ctx, table, out, sel.name).astype(object).to_numpy() if len(out) else []
    if sel.distinct:
        out = distinct_rows(ctx, table, out, sel.distinct)
    if any(out is t for t in ds.tables.values()):  # never so (decorating copies), but never modify the dataset
        return out.reset_index(drop=True)
    out.index = pd.RangeIndex(len(out))  # what reset_index(drop=True) gives, without copying a frame made here
    return out


def _decorated_selection(ctx: Context, sel: Select, stype: str | None, table: str,
                         frame: pd.DataFrame) -> pd.DataFrame | None:
    """The selected rows of a whole table taken from the table decorated once per dataset (per
    subject type, leads and submitter), instead of decorating each selection: what the plain
    path of :func:`_select_subjects` gives (decoration and conditions go row by row) at a
    quarter of its cost. None where the plain path must run: derived or looked-up columns,
    columns clashing with the standard ones, or no row selected (an empty selection is
    decorated by assignment, with other dtypes)."""
    if (sel.derive or sel.lookup is not None or not len(frame)
            or any(c in frame.columns for c in _STANDARD if c != "jurisdiction")
            or (table == "jurisdictions" and "jurisdiction" in frame.columns)):
        return None
    masks = []
    if table == "jurisdictions":  # only the submitter's own jurisdiction and those below it
        masks.append(_truth_np(resolve(ctx, table, frame, f"code@{ctx.submitter['level']}") == ctx.submitter["code"]))
    masks += [m for m in (where_mask(ctx, table, frame, sel.where),
                          where_mask(ctx, table, frame, sel.where_by_level.get(str(ctx.submitter["level"])) or {}))
              if m is not None]
    mask = np.logical_and.reduce(masks) if masks else None
    if mask is not None and not mask.any():
        return None
    name = stype or sel.subject_type or ("jurisdiction" if table == "jurisdictions" else singular(table))
    full = memoised(ctx, "decorated", lambda: (table, name, tuple(ctx.rule.spec.attribute_to), ctx.submitter["code"]),
                    lambda: _decorate(ctx, sel, stype, table, frame))
    return full.copy(deep=False) if mask is None else full.take(np.flatnonzero(mask))


def _cross(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """``left.merge(right, how="cross")`` (left-major, a new RangeIndex) by taking rows, which
    costs a fraction of the merge; the merge itself where names clash or a side is empty."""
    if not len(left) or not len(right) or any(c in left.columns for c in right.columns):
        return left.merge(right, how="cross")
    n, m = len(left), len(right)
    out = left.take(np.repeat(np.arange(n), m)).reset_index(drop=True)
    extra = right.take(np.tile(np.arange(m), n)).reset_index(drop=True)
    return pd.concat([out, extra], axis=1)


_STANDARD = ("stype", "sid", "sname", "jurisdiction", "src", "leads", "_table")


def _decorate(ctx: Context, sel: Select, stype: str | None, table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus the standard subject columns. One concat instead of a column assignment
    each (each assignment of a string column costs ~0.3 ms); the columns, their order, dtypes
    and values are those the assignments give (:func:`_decorate_by_assignment`)."""
    n = len(frame)
    if n == 0 or table == "values" or any(c in frame.columns for c in _STANDARD if c != "jurisdiction"):
        return _decorate_by_assignment(ctx, sel, stype, table, frame)
    idx = frame.index
    new: dict[str, Any] = {
        "stype": pd.array([stype or sel.subject_type or ("jurisdiction" if table == "jurisdictions" else singular(table))] * n,
                          dtype="str"),
        "sid": (frame["id"] if "id" in frame.columns else frame[table_key(table)]).astype(str),
        "sname": _name_col(table, frame),
    }
    if table == "jurisdictions":
        if "jurisdiction" in frame.columns:
            return _decorate_by_assignment(ctx, sel, stype, table, frame)
        new["jurisdiction"] = frame["code"]
    elif "jurisdiction" not in frame.columns:
        new["jurisdiction"] = pd.array([ctx.submitter["code"]] * n, dtype="str")
    if "_row" in frame.columns:
        new["src"] = pd.array([f"{table}:{r}" for r in frame["_row"].tolist()], dtype="str")
    else:
        new["src"] = pd.Series([None] * n, index=idx, dtype=object)
    new["leads"] = pd.Series([list(ctx.rule.spec.attribute_to)] * n, index=idx, dtype=object)
    new["_table"] = pd.array([table] * n, dtype="str")
    return pd.concat([frame, pd.DataFrame(new, index=idx, copy=False)], axis=1)


def _decorate_by_assignment(ctx: Context, sel: Select, stype: str | None, table: str, frame: pd.DataFrame) -> pd.DataFrame:
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
    return out


def select_evidence(ctx: Context, ev: Evidence) -> pd.DataFrame:
    """Evidence records (``where`` applied; those dated after ``as_of`` are not known yet).
    Shared by the rules asking for the same records: callers must not modify it."""
    def build() -> pd.DataFrame:
        table = ctx.ds.table(ev.table)
        rows = evidence_rows(ctx, ev)
        return table if len(rows) == len(table) else table.take(rows)
    return memoised(ctx, "evidence", lambda: _evidence_key(ctx, ev), build)


def _evidence_key(ctx: Context, ev: Evidence) -> Hashable:
    return (ev.table, spec_key(ctx, ev.where), ev.date, ctx.as_of_day, ctx.submitter["code"])


def evidence_rows(ctx: Context, ev: Evidence) -> np.ndarray:
    """Positions in ``ev.table`` of the records :func:`select_evidence` gives."""
    def build() -> np.ndarray:
        table = ctx.ds.table(ev.table)
        mask = where_mask(ctx, ev.table, table, ev.where)
        if ev.date is not None:
            on_time = memoised(ctx, "on_time", lambda: (ev.table, ev.date, ctx.as_of_day),
                               lambda: on_or_before(table[ev.date], ctx.as_of_day))
            mask = on_time if mask is None else mask & on_time
        return np.arange(len(table)) if mask is None else np.flatnonzero(mask)
    return memoised(ctx, "evidence_rows", lambda: _evidence_key(ctx, ev), build)


def on_or_before(col: pd.Series, day: int) -> np.ndarray:
    """``truth(col <= day)`` as a numpy mask (a missing date is never on time); an ``Int64``
    column is compared on its numpy values, a fifth of the cost of the nullable comparison."""
    if isinstance(col.dtype, pd.Int64Dtype) and day < np.iinfo(np.int64).max:
        return col.to_numpy(dtype=np.int64, na_value=np.iinfo(np.int64).max) <= day
    return _truth_np(col <= day)


def table_keys(ctx: Context, table: str, columns: list[str], normalise: Any) -> np.ndarray:
    """:func:`keys` of a whole table, once per dataset (object array, by row position).
    Shared, so only ever the evidence side of a join: a key that can match nothing must not
    meet its own copy on the subject side, which therefore always comes from :func:`keys`."""
    return memoised(ctx, "table_keys", lambda: (table, tuple(columns), spec_key(ctx, normalise), str(ctx.rule.pack_dir)),
                    lambda: np.array(key_list(ctx, table, ctx.ds.table(table), columns, normalise), dtype=object))


_MISSING = itertools.count()


def keys(ctx: Context, table: str, frame: pd.DataFrame, columns: list[str], normalise: Any) -> pd.Series:
    """One string join key per row: the listed columns' values joined by ``|``."""
    if not columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    key = key_list(ctx, table, frame, columns, normalise)
    # The dtype the pandas string operations gave (str; object when there are no rows).
    return pd.Series(key, index=frame.index, dtype="str" if len(key) else object)


def key_list(ctx: Context, table: str, frame: pd.DataFrame, columns: list[str], normalise: Any) -> list[str]:
    """:func:`keys` as a plain list (what its ``tolist()`` gives, without building the Series)."""
    if not columns:
        return [""] * len(frame)
    norm = normaliser(ctx, normalise)
    parts = []
    # Plain lists: a pandas map per step cost more than the work on these small frames.
    for c in columns:
        col = resolve(ctx, table, frame, c).to_numpy(dtype=object).tolist()
        if norm is not None:
            col = [norm(v) if isinstance(v, str) else v for v in col]
        parts.append([v if type(v) is str else
                      "\x00" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v) for v in col])
    key = parts[0] if len(parts) == 1 else ["|".join(p) for p in zip(*parts)]
    # A missing part can never match anything, not even a missing part on the other side of
    # the join: give the row a key that no other call (subject or evidence side) can produce.
    if any("\x00" in p for p in parts):
        bad = [any(v == "\x00" for v in p) for p in zip(*parts)]
        tag = f"\x00missing{next(_MISSING)}:"
        key = [tag + str(i) if b else k for i, (k, b) in enumerate(zip(key, bad))]
    return key


def evidence_refs(table: str, frame: pd.DataFrame) -> list[str]:
    return [f"{table}:{r}" for r in frame["_row"]]


def frame_of(columns: dict[str, Any]) -> pd.DataFrame:
    """A frame from whole columns: the columns and dtypes ``pd.DataFrame(records, columns=...)``
    gives for records holding these values, without its per-record cost. With no rows the
    columns are ``object``, as that gave them."""
    if not len(next(iter(columns.values()), [])):
        return pd.DataFrame([], columns=list(columns))
    return pd.DataFrame(columns)


def empty_y() -> pd.DataFrame:
    return pd.DataFrame({"key": pd.Series(dtype=object), "day": pd.Series(dtype=np.int64),
                         "ok": pd.Series(dtype=np.int64), "ev": pd.Series(dtype=object)})
