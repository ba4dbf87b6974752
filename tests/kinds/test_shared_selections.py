"""The aggregate stage's speed devices give what the plain pandas steps gave.

Plans share work per dataset (:func:`checker.kinds.base.memoised`): selections, evidence,
resolved paths and where-masks. A shared result must never leak between rules that differ
(another ``as_of``, another parameter value), and a caller's change to its plan must never
reach another rule's. The cheaper constructions (a cross product by taking rows, frames from
whole columns) must give the frames the pandas calls they replace gave.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from checker.dataset import Dataset, load_dataset
from checker.evaluate import Evaluator
from checker.kinds import build_plan
from checker.kinds.base import Context, Evidence, Select, _cross, frame_of, select_evidence, select_subjects
from checker.rulefile import RULES_DIR, LoadedRule, load_pack

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "guigang" / "450802-2018Q4.json"


@pytest.fixture(scope="module")
def evaluator() -> Evaluator:
    return Evaluator(load_pack("guigang-river-chief", RULES_DIR))


def _rule(ev: Evaluator, rid: str) -> LoadedRule:
    return next(r for r in ev.pack.rules if r.id == rid)


def _plan(ev: Evaluator, ds: Dataset, rid: str, as_of: dt.date, **params: object) -> pd.DataFrame:
    rule = _rule(ev, rid)
    return build_plan(Context(ds=ds, as_of=as_of, rule=rule, params={**ev.params_for(rule), **params}))


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    if "key" in a.columns and "key" in b.columns:  # a key that can match nothing: unique per call
        a, b = (f.assign(key=f["key"].str.replace(r"^\x00missing\d+:\d+$", "\x00missing", regex=True)) for f in (a, b))
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes.astype(str)) == list(b.dtypes.astype(str))


@pytest.mark.parametrize("rid", ["GG-14", "GG-02", "GG-19", "GG-27", "GG-21-boards"])
def test_shared_dataset_gives_what_a_fresh_one_gives(evaluator: Evaluator, rid: str) -> None:
    # One dataset asked at two dates (memo warm from the first) against a fresh one per date.
    shared = load_dataset(SAMPLE)
    for as_of in (dt.date(2018, 12, 31), dt.date(2018, 3, 1)):
        for other in ("GG-04", "GG-15", rid):  # warm the memo with neighbouring rules first
            _plan(evaluator, shared, other, as_of)
        warm = _plan(evaluator, shared, rid, as_of)
        cold = _plan(evaluator, load_dataset(SAMPLE), rid, as_of)
        _same(warm.subjects, cold.subjects)
        _same(warm.x, cold.x)
        _same(warm.y, cold.y)
        assert (warm.idle, warm.idle_reason, warm.test_fields) == (cold.idle, cold.idle_reason, cold.test_fields)


def test_a_parameter_value_is_part_of_the_shared_key(evaluator: Evaluator) -> None:
    ds = load_dataset(SAMPLE)
    rule = _rule(evaluator, "GG-14")
    sel = Select.model_validate({"table": "jurisdictions", "where": {"level": {"param": "lv"}}})
    ev = Evidence.model_validate({"table": "documents", "where": {"kind": {"param": "kind"}}, "match": {"issuer": "code"}})

    def ctx(**params: object) -> Context:
        return Context(ds=ds, as_of=ds.header.as_of, rule=rule, params=params)
    county, township = ctx(lv="county", kind="work_plan"), ctx(lv="township", kind="register")
    assert set(select_subjects(county, sel)["level"]) == {"county"}
    assert set(select_subjects(township, sel)["level"]) == {"township"}
    assert set(select_evidence(county, ev)["kind"]) == {"work_plan"}
    assert set(select_evidence(township, ev)["kind"]) == {"register"}


def test_a_callers_change_does_not_reach_another_rule(evaluator: Evaluator) -> None:
    ds = load_dataset(SAMPLE)
    rule = _rule(evaluator, "GG-14")
    ctx = Context(ds=ds, as_of=ds.header.as_of, rule=rule, params=evaluator.params_for(rule))
    first = select_subjects(ctx, rule.spec.spec.subjects)
    first["sid"] = "changed"
    first.loc[0, "sname"] = "changed"
    again = select_subjects(ctx, rule.spec.spec.subjects)
    assert "changed" not in set(again["sid"]) and "changed" not in set(again["sname"])


@pytest.mark.parametrize("right", [pd.DataFrame({"level": ["county", "township", "village"]}),
                                   pd.DataFrame({"n": [1, 2]}), pd.DataFrame({"level": []}),
                                   pd.DataFrame({"a": ["clash"]})])
def test_cross_product_is_the_cross_merge(right: pd.DataFrame) -> None:
    left = pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64"), "b": pd.Series(["x", None, "z"], dtype=object),
                         "c": [1.5, np.nan, 2.0], "d": [True, False, True], "e": pd.array(["p", "q", None], dtype="str")},
                        index=[5, 7, 9])
    _same(_cross(left, right), left.merge(right, how="cross"))


def test_frame_from_columns_is_the_frame_from_records() -> None:
    records = [{"sub": 0, "key": "a|2018", "lo": -5, "due": 17000, "part": "2018"},
               {"sub": 2, "key": "b|2018", "lo": -5, "due": 17001, "part": ""}]
    names = list(records[0])
    _same(frame_of({n: [r[n] for r in records] for n in names}), pd.DataFrame(records, columns=names))
    _same(frame_of({n: [] for n in names}), pd.DataFrame([], columns=names))
