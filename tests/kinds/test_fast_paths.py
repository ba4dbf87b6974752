"""The plan stage's cheaper steps give exactly what the steps they replaced gave, on awkward data.

Each replaced step is kept here as the reference (what the code did before), and every rule of
both packs is planned twice on submissions with missing values, unknown and missing codes,
duplicate keys, non-ASCII text and empty tables: once as it runs, once with the references
swapped in. Subjects, expectations and evidence must be equal in values, dtypes and index.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest

from checker.dataset import Dataset, load_dataset
from checker.evaluate import Evaluator
from checker.kinds import attribute, base, build_plan, cardinality, coverage, match
from checker.kinds.base import Context, key_list, keys, on_or_before, resolve
from checker.rulefile import RULES_DIR, load_pack

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [ROOT / "samples" / "guigang" / "450802-2018Q4.json", ROOT / "samples" / "guigang" / "450800-2020Q4.json",
           ROOT / "samples" / "changning" / "310105-2025Q4.json"]


# --------------------------------------------------------------------------- the references

def old_on_or_before(col: pd.Series, day: int) -> np.ndarray:
    return base._truth_np(col <= day)


def old_is_list_column(col: pd.Series) -> bool:
    return bool(col.dtype == object and any(isinstance(v, list) for v in col.to_numpy()))


def old_at_level(ctx: Context, codes: pd.Series, level: str) -> pd.Series:
    return codes.map(ctx.ds.ancestors_by_code()[f"at_{level}"]).astype(object)


def old_attribute_frame(cols: dict[str, Any], exp_of: str | None, n: int) -> pd.DataFrame:
    """The expectation frame as it was built: three columns, then one assignment per column."""
    names = list(cols)
    x = pd.DataFrame({k: cols[k] for k in names[:3]})
    for k in names[3:]:
        x[k] = x[exp_of] if k == "exp" and exp_of is not None else cols[k]
    return x


def old_per_period_keys(ctx: Context, table: str, frame: pd.DataFrame, columns: list[str], normalise: Any) -> Any:
    return keys(ctx, table, frame, columns, normalise).tolist()


# --------------------------------------------------------------------------- awkward submissions

def _awkward(path: Path) -> Dataset:
    """A sample made awkward: missing and unknown codes, missing dates, duplicate records,
    non-ASCII text, an empty table."""
    ds = load_dataset(path)
    t = ds.tables

    def edit(name: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
        t[name] = change(t[name].copy()).reset_index(drop=True)

    def chiefs(f: pd.DataFrame) -> pd.DataFrame:
        if len(f) < 4:
            return f
        f.loc[0, "jurisdiction"] = None
        f.loc[1, "jurisdiction"] = "999999"  # a code no jurisdiction has
        f.loc[2, "name"] = "Ｚｈāng　三（副）"
        f.loc[3, "appointed"] = pd.NA
        dup = f.iloc[[1, 2]].assign(_row=f["_row"].max() + 1 + np.arange(2))
        return pd.concat([f, dup])  # the same ids twice: duplicate keys on both sides of a join
    edit("chiefs", chiefs)
    for name, date in (("documents", "reported"), ("documents", "issued"), ("patrols", "date"), ("meetings", "established")):
        if len(t[name]) > 2:
            t[name] = t[name].assign(**{date: t[name][date].mask(t[name].index % 3 == 0)})  # every third missing
    if len(t["patrols"]):
        edit("patrols", lambda f: pd.concat([f, f.iloc[: len(f) // 4]]))
    edit("notice_boards", lambda f: f.iloc[0:0])
    if len(t["jurisdictions"]) > 2:
        edit("jurisdictions", lambda f: f.assign(name=f["name"].where(f.index % 2 == 0, f["name"] + "（ü）")))
    return ds


def _plans(ds: Dataset, ev: Evaluator, as_of: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for rule in ev.pack.rules:
        ctx = Context(ds=ds, as_of=as_of, rule=rule, params=ev.params_for(rule))
        try:
            out[rule.id] = build_plan(ctx)
        except Exception as e:  # the same error either way is part of the comparison
            out[rule.id] = f"{type(e).__name__}: {e}"
    return out


def _same(a: pd.DataFrame, b: pd.DataFrame, where: str) -> None:
    if "key" in a.columns and "key" in b.columns and len(a) and len(b):  # a key that can match nothing: unique per call
        a, b = (f.assign(key=f["key"].astype(object).map(
            lambda k: "\x00missing" if isinstance(k, str) and k.startswith("\x00missing") else k)) for f in (a, b))
    assert list(a.columns) == list(b.columns), where
    assert list(a.dtypes.astype(str)) == list(b.dtypes.astype(str)), where
    assert type(a.index) is type(b.index) and a.index.equals(b.index), where
    for c in a.columns:
        va, vb = a[c].to_numpy(dtype=object).tolist(), b[c].to_numpy(dtype=object).tolist()
        assert [(type(v), repr(v)) for v in va] == [(type(v), repr(v)) for v in vb], f"{where}: {c}"


def old_levels_kept(subjects: pd.DataFrame, j: pd.DataFrame, top: int) -> np.ndarray:
    own = subjects["jurisdiction"].map(dict(zip(j["code"], j["level"]))).map(base.LEVEL_ORDER)
    lv = subjects["level"].map(base.LEVEL_ORDER)
    return ((lv >= top) & (lv <= own)).to_numpy(dtype=bool)


def old_spec_key(ctx: Context, obj: Any) -> Any:
    if isinstance(obj, base.ParamRef):
        return ("$param", repr(ctx.value(obj)))
    if isinstance(obj, base.BaseModel):
        return (type(obj).__name__, tuple((k, old_spec_key(ctx, getattr(obj, k))) for k in type(obj).model_fields))
    if isinstance(obj, dict):
        return ("$dict", tuple((repr(k), old_spec_key(ctx, v)) for k, v in obj.items()))
    if isinstance(obj, (list, tuple)):
        return ("$list", tuple(old_spec_key(ctx, v) for v in obj))
    return (type(obj).__name__, repr(obj))


def old_days(table: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    return table[column].take(rows).astype("int64").to_numpy()


def old_ancestor_dicts(ctx: Context) -> dict[str, dict[Any, Any]]:
    """The per-level dicts as they were read from :meth:`Dataset.ancestors_by_code`."""
    anc = ctx.ds.ancestors_by_code()
    return {lv: dict(zip(anc.index, anc[f"at_{lv}"].to_numpy(dtype=object).tolist())) for lv in base.LEVEL_ORDER}


def _old_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_decorated_selection", lambda *a: None)
    monkeypatch.setattr(base, "on_or_before", old_on_or_before)
    monkeypatch.setattr(base, "_is_list_column", old_is_list_column)
    monkeypatch.setattr(base, "ancestor_dicts", old_ancestor_dicts)
    monkeypatch.setattr(match, "_days", old_days)
    monkeypatch.setattr(attribute, "_frame", old_attribute_frame)
    monkeypatch.setattr(cardinality, "key_list", old_per_period_keys)
    monkeypatch.setattr(coverage, "levels_kept", old_levels_kept)
    monkeypatch.setattr(base, "spec_key", old_spec_key)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("awkward", [False, True], ids=["sample", "awkward"])
def test_every_plan_is_what_the_replaced_steps_gave(path: Path, awkward: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    make = _awkward if awkward else load_dataset
    ds = make(path)
    ev = Evaluator(load_pack(ds.header.pack, RULES_DIR))
    as_ofs = (ds.header.as_of, dt.date(2018, 3, 1))
    new = {as_of: _plans(ds, ev, as_of) for as_of in as_ofs}
    with monkeypatch.context() as m:
        _old_ways(m)
        old_ds = make(path)
        old = {as_of: _plans(old_ds, ev, as_of) for as_of in as_ofs}
    for as_of in as_ofs:
        for rid, plan in new[as_of].items():
            ref = old[as_of][rid]
            if isinstance(ref, str) or isinstance(plan, str):
                assert plan == ref, rid
                continue
            for part in ("subjects", "x", "y"):
                _same(getattr(plan, part), getattr(ref, part), f"{as_of} {rid} {part}")
            assert (plan.template, plan.idle, plan.idle_reason, plan.test_fields, plan.other_reason) == \
                (ref.template, ref.idle, ref.idle_reason, ref.test_fields, ref.other_reason), rid
            assert [(c.tag, c.terms) for c in plan.checks] == [(c.tag, c.terms) for c in ref.checks], rid


@pytest.mark.parametrize("codeless", [False, True], ids=["codes", "a-missing-code"])
def test_ancestors_at_a_level_are_what_mapping_through_the_frame_gave(codeless: bool) -> None:
    ds = _awkward(SAMPLES[0])
    if codeless:
        j = ds.tables["jurisdictions"] = ds.tables["jurisdictions"].copy()
        j.loc[len(j) - 1, "code"] = np.nan  # its parent is still known: the walk finds ancestors
    ev = Evaluator(load_pack(ds.header.pack, RULES_DIR))
    rule = ev.pack.rules[0]
    ctx = Context(ds=ds, as_of=ds.header.as_of, rule=rule, params=ev.params_for(rule))
    chiefs = ds.table("chiefs")
    assert chiefs["jurisdiction"].isna().any() and (chiefs["jurisdiction"] == "999999").any()
    for level in base.LEVEL_ORDER:
        new = resolve(ctx, "chiefs", chiefs, f"jurisdiction@{level}")
        old = old_at_level(ctx, chiefs["jurisdiction"], level)
        _same(new.to_frame(), old.to_frame(), level)
        assert new.name == old.name


@pytest.mark.parametrize("values", [
    pd.array([1, None, 3, 5], dtype="Int64"), pd.array([], dtype="Int64"), pd.array([None, None], dtype="Int64"),
    np.array([1.0, np.nan, 7.0]), np.array([3, 9], dtype=np.int64), np.array([1, None, "x"], dtype=object)[:2],
])
def test_on_time_mask_is_the_nullable_comparison(values: Any) -> None:
    col = pd.Series(values)
    for day in (0, 3, 5, -(1 << 62)):
        assert on_or_before(col, day).tolist() == old_on_or_before(col, day).tolist()
        assert on_or_before(col, day).dtype == bool


@pytest.mark.parametrize("values", [
    [["a"], None, "b"], ["a", "b"], [], [None, np.nan], [("a",), "b"], [type("L", (list,), {})(["x"]), "y"],
])
def test_list_column_test_is_the_per_value_one(values: list[Any]) -> None:
    col = pd.Series(values, dtype=object)
    assert base._is_list_column(col) == old_is_list_column(col)
    assert base._is_list_column(pd.Series(["a", "b"])) is False


def test_key_list_is_what_keys_gave() -> None:
    ds = _awkward(SAMPLES[0])
    ev = Evaluator(load_pack(ds.header.pack, RULES_DIR))
    rule = ev.pack.rules[0]
    ctx = Context(ds=ds, as_of=ds.header.as_of, rule=rule, params=ev.params_for(rule))
    for table, cols in (("chiefs", ["jurisdiction"]), ("chiefs", ["water_body", "jurisdiction", "level"]),
                        ("chiefs", ["name"]), ("notice_boards", ["reach"]), ("chiefs", [])):
        frame = ds.table(table)
        got, want = key_list(ctx, table, frame, cols, "name"), keys(ctx, table, frame, cols, "name").tolist()
        assert [re.sub(r"^\x00missing\d+:", "", k) for k in got] == [re.sub(r"^\x00missing\d+:", "", k) for k in want]
        assert len(got) == len(frame)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_attribute_frame_is_the_column_by_column_one(n: int) -> None:
    idx = pd.RangeIndex(n)
    cols: dict[str, Any] = {"sub": idx, "due": 17000, "part": "",
                            "str": (["a", None, "ü"] * n)[:n], "actual": ([None] * n),
                            "w_level": (["county", "town", "县"] * n)[:n],
                            "e1": ([None, "x", "x"] * n)[:n]}
    cols["exp"] = cols["e1"]
    cols["c2"] = 3.5
    _same(attribute._frame(cols, "e1", n), old_attribute_frame(cols, "e1", n), f"n={n}")
    nums = {"sub": idx, "due": 1, "part": "", "num": ([1.5, None, 2.0] * n)[:n]}
    _same(attribute._frame(nums, None, n), old_attribute_frame(nums, None, n), f"num n={n}")


def test_a_test_plans_default_evidence_is_its_own_empty_frame() -> None:
    a = base.Plan("test", pd.DataFrame(), pd.DataFrame())
    b = base.Plan("test", pd.DataFrame(), pd.DataFrame())
    _same(a.y, pd.DataFrame(columns=["key", "day", "ok", "ev"]), "default y")
    assert a.y is not b.y
    a.y["extra"] = []
    assert "extra" not in b.y.columns and "extra" not in base._NO_Y.columns


def test_a_spec_fragments_key_is_what_the_uncached_one_gave() -> None:
    ds = load_dataset(SAMPLES[0])
    ev = Evaluator(load_pack(ds.header.pack, RULES_DIR))
    for rule in ev.pack.rules:
        for params in (ev.params_for(rule), {**ev.params_for(rule), **{k: ["x", 2] for k in ev.params_for(rule)}}):
            ctx = Context(ds=ds, as_of=ds.header.as_of, rule=rule, params=params)
            for _ in range(2):  # the second time from the cache
                assert base.spec_key(ctx, rule.spec.spec) == old_spec_key(ctx, rule.spec.spec), rule.id


def test_levels_kept_are_what_the_pandas_maps_gave() -> None:
    j = pd.DataFrame({"code": ["45", "4501", "450101", "45010101", None], "level": ["city", "county", "township", "village", "county"]},
                     dtype=object)
    subjects = pd.DataFrame({"jurisdiction": ["4501", "450101", "45010101", "999", None, np.nan, "4501", "450101"],
                             "level": ["county", "village", "township", "county", "county", "county", "县", None]},
                            dtype=object)
    for jur in (j, j.dropna()):
        for top in range(5):
            assert coverage.levels_kept(subjects, jur, top).tolist() == old_levels_kept(subjects, jur, top).tolist()
