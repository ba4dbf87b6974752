"""Selection extensions: comparisons, derived columns, reference subjects, lookups and aliases.

These widen what a :class:`~checker.kinds.base.Select` or :class:`~checker.kinds.base.Evidence`
can say without any kind knowing about them; every field is optional and its default keeps
the old behaviour.

* :class:`Cmp` — a ``where`` value that compares instead of testing equality
  (``{gte: 2}``, ``{ne: medium}``). ``ne``/``not_in`` are null-safe: a missing value is
  "not equal".
* :class:`Derive` — a column computed per subject from another table before ``where`` runs:
  ``count``, ``nunique``, ``sum``, ``min``, ``max`` of matching records, or ``argmax``: the
  value of ``of`` whose summed ``weight`` is largest (the county with the longest reach).
* reference subjects — ``table: reference`` with ``file`` reads the ``items`` of a pack
  reference file (the plan's seven main rivers), optionally exploding a list field
  (``explode: {counties: county}``: one row per county).
* :class:`Lookup` — fields of a reference item joined onto each subject by a (normalised)
  key, with defaults for subjects the file does not list.
* :class:`Aliases` — ``normalise`` for evidence matching: values are compared by the
  canonical name of a reference item whose name or alias they equal (NFKC, no spaces), so a
  county register's 浔江 counts as the plan's 西江干流(黔江、浔江).

The functions here import :mod:`checker.kinds.base` lazily, because ``base`` refers to the
models defined here.
"""
from __future__ import annotations

import operator
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

import numpy as np
import pandas as pd
import yaml
from pydantic import Field, model_validator

from ..errors import RuleError
from ..model import TABLES
from ..rulefile import ParamRef, Strict, read_yaml
from ..units import unit_key

if TYPE_CHECKING:
    from .base import Context

CmpScalar = Union[str, int, float, bool, ParamRef]


class Cmp(Strict):
    """A comparison in ``where``: every given bound must hold (``{gte: 2, lt: 5}``)."""

    ne: CmpScalar | None = None
    not_in: list[str | int | float | bool] | ParamRef | None = None
    gt: CmpScalar | None = None
    gte: CmpScalar | None = None
    lt: CmpScalar | None = None
    lte: CmpScalar | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> "Cmp":
        if all(getattr(self, k) is None for k in ("ne", "not_in", "gt", "gte", "lt", "lte")):
            raise ValueError("a comparison needs at least one of ne, not_in, gt, gte, lt, lte")
        return self


class Derive(Strict):
    """A per-subject column aggregated from the records of ``table`` that match it."""

    table: Literal[tuple(TABLES)] = Field(description="table whose records are aggregated")  # type: ignore[valid-type]
    where: dict[str, Any] = Field(default_factory=dict, description="filter on that table (as in `where`)")
    match: dict[str, str] = Field(min_length=1, description="that table's column (path) → subject column (path)")
    agg: Literal["count", "nunique", "sum", "min", "max", "argmax"] = "count"
    of: str | None = Field(default=None, description="column (path) aggregated, or chosen by argmax")
    weight: str | None = Field(default=None, description="argmax: numeric column summed per `of` value (default: 1)")

    @model_validator(mode="after")
    def _needs_of(self) -> "Derive":
        if self.agg != "count" and self.of is None:
            raise ValueError(f"agg {self.agg!r} needs `of`")
        return self


class Lookup(Strict):
    """Fields of a pack reference file's items, joined onto subjects by a key."""

    file: str = Field(description="reference YAML (`items:` list), relative to the pack")
    match: dict[str, str] = Field(min_length=1, max_length=1,
                                  description="subject column (path) → item field holding the same key")
    normalise: Literal["unit", "name"] | None = Field(default=None, description="compare keys as unit names or names")
    fields: list[str] = Field(min_length=1, description="item fields copied onto the subject")
    default: dict[str, Any] = Field(default_factory=dict, description="values for subjects the file does not list")


class Aliases(Strict):
    """Normalise names through a reference file: name or any alias → the item's name."""

    file: str = Field(description="reference YAML (`items:` list), relative to the pack")
    name: str = "name"
    aliases: str = "aliases"


# --------------------------------------------------------------------------- reference files

@lru_cache(maxsize=32)
def _items(path: str) -> tuple[dict[str, Any], ...]:
    try:
        doc = read_yaml(Path(path))
        items = doc["items"]
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise TypeError("items is not a list of mappings")
    except (OSError, KeyError, TypeError, yaml.YAMLError) as e:
        raise RuleError(path, "/items", f"cannot read reference items: {e}") from None
    return tuple(items)


def reference_items(ctx: "Context", file: str) -> list[dict[str, Any]]:
    """The ``items`` of a pack reference file (cached; each call gets its own copies)."""
    return [dict(i) for i in _items(str(Path(ctx.rule.pack_dir) / file))]


def reference_frame(ctx: "Context", file: str, explode: dict[str, str]) -> pd.DataFrame:
    """Reference items as a frame; ``explode: {list_field: column}`` gives one row per element.
    The caller's own copy (built once per file, as the items are read once)."""
    key = (str(Path(ctx.rule.pack_dir) / file), tuple(explode.items()))
    frame = _REFERENCE_FRAMES.get(key)
    if frame is None:
        frame = _REFERENCE_FRAMES[key] = _reference_frame(ctx, file, explode)
    return frame.copy()


_REFERENCE_FRAMES: dict[tuple[str, tuple[tuple[str, str], ...]], pd.DataFrame] = {}


def _reference_frame(ctx: "Context", file: str, explode: dict[str, str]) -> pd.DataFrame:
    items = reference_items(ctx, file)
    frame = pd.DataFrame(items) if items else pd.DataFrame(columns=["id", "name"])
    for field, column in explode.items():
        if field not in frame.columns:
            raise RuleError(str(ctx.rule.path), "/spec", f"reference {file} has no field {field!r} to explode")
        frame[column] = frame[field].map(lambda v: list(v) if isinstance(v, (list, tuple)) else [])
        frame = frame.explode(column)
        frame = frame[frame[column].notna()]
    if "id" not in frame.columns:
        frame["id"] = frame["name"] if "name" in frame.columns else [str(i) for i in range(len(frame))]
    frame = frame.reset_index(drop=True)
    frame["id"] = frame["id"].astype(str)
    return frame


# --------------------------------------------------------------------------- names

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=65536)  # the same names recur in every rule and submission
def name_key(text: str) -> str:
    """A name for comparison only: NFKC (full-width brackets become ASCII), no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def alias_map(ctx: "Context", aliases: Aliases) -> dict[str, str]:
    """name_key(name or alias) → name_key(canonical name)."""
    out: dict[str, str] = {}
    for item in reference_items(ctx, aliases.file):
        canon = name_key(str(item.get(aliases.name, "")))
        for alt in [item.get(aliases.name), *(item.get(aliases.aliases) or [])]:
            if isinstance(alt, str) and alt:
                out.setdefault(name_key(alt), canon)
    return out


_alias_maps: dict[tuple[str, str, str], dict[str, str]] = {}  # read once per file, as its items are


def normaliser(ctx: "Context", normalise: Any) -> Any:
    """A function str → comparison key for a ``normalise`` setting (None: identity)."""
    if normalise is None:
        return None
    if normalise == "unit":
        return unit_key
    if normalise == "name":
        return name_key
    if isinstance(normalise, Aliases):
        amap = _alias_maps.get(key := (str(Path(ctx.rule.pack_dir) / normalise.file), normalise.name, normalise.aliases))
        if amap is None:
            amap = _alias_maps[key] = alias_map(ctx, normalise)
        return lambda v: amap.get(name_key(v), name_key(v))
    raise RuleError(str(ctx.rule.path), "/spec", f"unknown normalise {normalise!r}")


# --------------------------------------------------------------------------- comparisons

def cmp_mask(ctx: "Context", col: pd.Series, cmp: Cmp) -> pd.Series:
    """Rows of ``col`` meeting every bound of ``cmp``. Null fails an order bound, passes ne/not_in."""
    from .base import truth
    mask = pd.Series(True, index=col.index)
    if cmp.ne is not None:
        want = ctx.value(cmp.ne)
        mask &= ~truth(col == want)
    if cmp.not_in is not None:
        mask &= ~col.isin(list(ctx.value(cmp.not_in)))
    for name, op in (("gt", operator.gt), ("gte", operator.ge), ("lt", operator.lt), ("lte", operator.le)):
        bound = getattr(cmp, name)
        if bound is None:
            continue
        want = ctx.value(bound)
        if isinstance(want, str):
            # Strings compare with strings only (a missing or numeric value never matches).
            mask &= col.map(lambda v, w=want, f=op: isinstance(v, str) and bool(f(v, w))).astype(bool)
        else:
            mask &= truth(op(pd.to_numeric(col, errors="coerce"), want))
    return mask


# --------------------------------------------------------------------------- derived columns

def add_derived(ctx: "Context", table: str, frame: pd.DataFrame, derive: dict[str, Derive]) -> pd.DataFrame:
    """``frame`` with one new column per :class:`Derive` (computed on the whole table)."""
    from .base import apply_where, keys, table_keys, where_mask
    if not derive:
        return frame
    frame = frame.copy(deep=False)  # copy-on-write: the new columns never reach the caller's frame
    for name, d in derive.items():
        skey = keys(ctx, table, frame, list(d.match.values()), None)
        if d.agg == "count":
            # Counted from the whole table's keys (made once per dataset) under the where
            # mask, without taking a frame of that table: what value_counts gave, as ints.
            full = ctx.ds.table(d.table)
            mask = where_mask(ctx, d.table, full, d.where)
            dk = table_keys(ctx, d.table, list(d.match.keys()), None)
            counts = Counter((dk if mask is None else dk[mask]).tolist())
            frame[name] = np.array([counts.get(k, 0) for k in skey.tolist()], dtype=np.int64)
            continue
        other = apply_where(ctx, d.table, ctx.ds.table(d.table), d.where)
        dkey = keys(ctx, d.table, other, list(d.match.keys()), None)
        frame[name] = skey.map(_aggregate(ctx, d, other, dkey)).to_numpy()
        if d.agg in ("count", "nunique"):
            frame[name] = frame[name].fillna(0).astype("int64")
    return frame


def _aggregate(ctx: "Context", d: Derive, other: pd.DataFrame, dkey: pd.Series) -> dict[str, Any]:
    from .base import resolve
    if d.agg == "count":
        return {str(k): int(v) for k, v in dkey.value_counts().items()}
    of = resolve(ctx, d.table, other, str(d.of)).astype(object)
    data = pd.DataFrame({"k": dkey.to_numpy(), "v": of.to_numpy()}, index=other.index)
    data = data[data["v"].notna()]
    if data.empty:
        return {}
    if d.agg == "nunique":
        return {str(k): int(v) for k, v in data.groupby("k")["v"].nunique().items()}
    if d.agg in ("sum", "min", "max"):
        data["v"] = pd.to_numeric(data["v"], errors="coerce")
        return {str(k): float(v) for k, v in getattr(data.groupby("k")["v"], d.agg)().items() if not pd.isna(v)}
    # argmax: the `of` value with the largest summed weight; on a tie the smallest value, so
    # the result never depends on row order.
    w = resolve(ctx, d.table, other, d.weight) if d.weight else pd.Series(1.0, index=other.index)
    data["w"] = pd.to_numeric(w.loc[data.index], errors="coerce").fillna(0.0).to_numpy()
    data["v"] = data["v"].astype(str)
    sums = data.groupby(["k", "v"], sort=True)["w"].sum().reset_index()
    sums = sums.sort_values(["k", "w", "v"], ascending=[True, False, True], kind="mergesort")
    best = sums.drop_duplicates("k", keep="first")
    return dict(zip(best["k"].astype(str), best["v"]))


def add_lookup(ctx: "Context", table: str, frame: pd.DataFrame, lookup: Lookup) -> pd.DataFrame:
    """``frame`` with the lookup's fields (default where the key is not in the file)."""
    from .base import resolve
    norm = normaliser(ctx, lookup.normalise) or (lambda v: v)
    (column, item_key), = lookup.match.items()
    by_key: dict[str, dict[str, Any]] = {}
    for item in reference_items(ctx, lookup.file):
        k = item.get(item_key)
        if isinstance(k, str):
            by_key.setdefault(norm(k), item)
    frame = frame.copy()
    on = resolve(ctx, table, frame, column) if len(frame) else pd.Series(dtype=object)
    for field in lookup.fields:
        default = lookup.default.get(field)
        frame[field] = [by_key.get(norm(v), {}).get(field, default) if isinstance(v, str) else default for v in on]
    return frame


def distinct_rows(ctx: "Context", table: str, out: pd.DataFrame, paths: list[str]) -> pd.DataFrame:
    """The first row of each distinct combination of ``paths``; ``sid`` becomes those values joined by @."""
    from .base import resolve
    if out.empty:
        return out
    # Plain lists: a pandas map and concatenation per path cost more than the work here.
    cols = [["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v)
             for v in resolve(ctx, table, out, p).to_numpy(dtype=object).tolist()] for p in paths]
    sid = ["@".join(parts) for parts in zip(*cols)]
    first: dict[str, int] = {}
    for i, s in enumerate(sid):
        first.setdefault(s, i)
    out = out.copy()
    out["sid"] = np.array(sid, dtype=object)
    return out.take(list(first.values()))
