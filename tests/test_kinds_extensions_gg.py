"""Unit tests of the selection extensions added for the Guigang pack (checker/kinds/selection.py),
the attribute kind's ``equals``/``normalise`` and the county prefixes of ``unit_key``.

Each test builds a tiny dataset and calls the aggregate stage directly, so a failure points at
the extension, not at a rule file.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from checker.dataset import dataset_from_document
from checker.errors import RuleError
from checker.evaluate import Evaluator
from checker.kinds.base import Context, Evidence, Select, apply_where, keys, select_subjects
from checker.rulefile import LoadedRule, Pack, rule_model
from checker.units import unit_key

AS_OF = dt.date(2018, 12, 31)


def _doc(**tables: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": "1.0", "submission_id": "T-1", "pack": "guigang-river-chief", "jurisdiction": "450800",
        "period": "2018Q4", "as_of": "2018-12-31",
        "jurisdictions": [
            {"code": "450800", "name": "贵港市", "level": "city"},
            {"code": "450802", "name": "港北区", "level": "county", "parent": "450800"},
            {"code": "450804", "name": "覃塘区", "level": "county", "parent": "450800"},
            {"code": "450802101", "name": "港城镇", "level": "township", "parent": "450802"},
            {"code": "450802101001", "name": "东龙村", "level": "village", "parent": "450802101"},
            {"code": "450802101002", "name": "西江村", "level": "village", "parent": "450802101"},
        ],
    }
    doc.update(tables)
    return doc


def _rule(pack_dir: Path, **overrides: Any) -> LoadedRule:
    doc: dict[str, Any] = {
        "format": "ducha-rule/1", "id": "GG-T", "obligations": ["GG-T"], "title": {"zh": "测试", "en": "test"},
        "source": {"document": "guigang-river-chief", "clause": "一", "quote": "测试"}, "severity": "error",
        "applies_to": {"submitter_levels": ["city", "county", "township", "village"]},
        "message": {"zh": "{subject}", "en": "{subject}"}, "kind": "attribute",
        "spec": {"subjects": {"table": "chiefs"}, "field": "post", "cases": [{"allowed": ["leader"]}]},
    }
    doc.update(overrides)
    spec = TypeAdapter(rule_model()).validate_python(doc)
    return LoadedRule(spec=spec, path=pack_dir / "GG-T.yaml", pack="guigang-river-chief", pack_dir=pack_dir)


def _ctx(doc: dict[str, Any], pack_dir: Path, submitter: str = "450800", **rule: Any) -> Context:
    doc = {**doc, "jurisdiction": submitter}
    return Context(ds=dataset_from_document(doc), as_of=AS_OF, rule=_rule(pack_dir, **rule), params={"n": 2})


WATER = [{"id": "WB-A", "name": "龙山河", "kind": "river"},
         {"id": "WB-B", "name": "大岭水库", "kind": "reservoir", "size": "medium"},
         {"id": "WB-C", "name": "东湖", "kind": "lake"}]
REACHES = [{"id": "R1", "water_body": "WB-A", "jurisdiction": "450802", "length_km": 10.0},
           {"id": "R2", "water_body": "WB-A", "jurisdiction": "450804", "length_km": 6.0},
           {"id": "R3", "water_body": "WB-A", "jurisdiction": "450804", "length_km": 5.0},
           {"id": "R4", "water_body": "WB-B", "jurisdiction": "450802", "length_km": 3.0},
           {"id": "R5", "water_body": "WB-B", "jurisdiction": "450804", "length_km": 3.0}]


# --------------------------------------------------------------------------- comparisons in where

def test_where_compares_numbers_and_is_null_safe_for_ne(tmp_path: Path) -> None:
    ctx = _ctx(_doc(water_bodies=WATER, reaches=REACHES), tmp_path)
    reaches = ctx.ds.table("reaches")
    from checker.kinds.selection import Cmp
    assert list(apply_where(ctx, "reaches", reaches, {"length_km": Cmp(gte=5.0)})["id"]) == ["R1", "R2", "R3"]
    assert list(apply_where(ctx, "reaches", reaches, {"length_km": Cmp(gt=5.0, lt=10.0)})["id"]) == ["R2"]
    wb = ctx.ds.table("water_bodies")
    # A river has no size: "not medium" includes it.
    assert list(apply_where(ctx, "water_bodies", wb, {"size": Cmp(ne="medium")})["id"]) == ["WB-A", "WB-C"]
    assert list(apply_where(ctx, "water_bodies", wb, {"kind": Cmp(not_in=["lake", "reservoir"])})["id"]) == ["WB-A"]


def test_a_comparison_may_take_a_parameter(tmp_path: Path) -> None:
    ctx = _ctx(_doc(water_bodies=WATER, reaches=REACHES), tmp_path)
    sel = Select.model_validate({"table": "reaches", "where": {"length_km": {"lt": {"param": "n"}}}})
    assert list(select_subjects(ctx, sel)["sid"]) == []
    ctx.params["n"] = 5.5
    assert list(select_subjects(ctx, sel)["sid"]) == ["R3", "R4", "R5"]


def test_a_comparison_needs_a_bound() -> None:
    with pytest.raises(ValidationError):
        Select.model_validate({"table": "reaches", "where": {"length_km": {"gte": None}}})


# --------------------------------------------------------------------------- derived columns

def test_derive_counts_distinct_values_and_sums(tmp_path: Path) -> None:
    ctx = _ctx(_doc(water_bodies=WATER, reaches=REACHES), tmp_path)
    sel = Select.model_validate({"table": "water_bodies", "derive": {
        "n": {"table": "reaches", "match": {"water_body": "id"}},
        "counties": {"table": "reaches", "match": {"water_body": "id"}, "agg": "nunique", "of": "jurisdiction@county"},
        "km": {"table": "reaches", "match": {"water_body": "id"}, "agg": "sum", "of": "length_km"},
        "longest": {"table": "reaches", "match": {"water_body": "id"}, "agg": "max", "of": "length_km"}}})
    s = select_subjects(ctx, sel).set_index("sid")
    assert s["n"].to_dict() == {"WB-A": 3, "WB-B": 2, "WB-C": 0}
    assert s["counties"].to_dict() == {"WB-A": 2, "WB-B": 2, "WB-C": 0}
    assert s.at["WB-A", "km"] == pytest.approx(21.0) and pd.isna(s.at["WB-C", "km"])
    assert s.at["WB-A", "longest"] == pytest.approx(10.0)


def test_derived_columns_can_be_filtered(tmp_path: Path) -> None:
    ctx = _ctx(_doc(water_bodies=WATER, reaches=REACHES), tmp_path)
    sel = Select.model_validate({"table": "water_bodies", "derive": {
        "counties": {"table": "reaches", "match": {"water_body": "id"}, "agg": "nunique", "of": "jurisdiction@county"}},
        "where": {"counties": {"gte": 2}, "size": {"ne": "medium"}}})
    assert list(select_subjects(ctx, sel)["sid"]) == ["WB-A"]


def test_argmax_sums_the_weight_per_value_and_breaks_ties_by_the_smaller_value(tmp_path: Path) -> None:
    ctx = _ctx(_doc(water_bodies=WATER, reaches=REACHES), tmp_path)
    sel = Select.model_validate({"table": "water_bodies", "derive": {"top": {
        "table": "reaches", "match": {"water_body": "id"}, "agg": "argmax", "of": "jurisdiction@county",
        "weight": "length_km"}}})
    s = select_subjects(ctx, sel).set_index("sid")
    # WB-A: 港北 10 km in one reach, 覃塘 6 + 5 = 11 km in two: 覃塘 has the longer reach in total.
    assert s.at["WB-A", "top"] == "450804"
    # WB-B: 3 km each: the tie goes to the smaller code, whatever the row order.
    assert s.at["WB-B", "top"] == "450802"
    ctx2 = _ctx(_doc(water_bodies=WATER, reaches=list(reversed(REACHES))), tmp_path)
    assert select_subjects(ctx2, sel).set_index("sid").at["WB-B", "top"] == "450802"
    assert pd.isna(s.at["WB-C", "top"])


def test_derive_needs_of_except_for_count() -> None:
    with pytest.raises(ValidationError):
        Select.model_validate({"table": "water_bodies", "derive": {
            "x": {"table": "reaches", "match": {"water_body": "id"}, "agg": "sum"}}})


# --------------------------------------------------------------------------- scope by submitter level

def test_where_by_level_applies_only_the_submitters_level(tmp_path: Path) -> None:
    sel = Select.model_validate({"table": "jurisdictions", "where_by_level": {
        "city": {"level": "city"}, "county": {"level": ["county", "township"]}}})
    assert list(select_subjects(_ctx(_doc(), tmp_path, "450800"), sel)["sid"]) == ["450800"]
    assert list(select_subjects(_ctx(_doc(), tmp_path, "450802"), sel)["sid"]) == ["450802", "450802101"]
    # No entry for the township level: no extra filter.
    assert list(select_subjects(_ctx(_doc(), tmp_path, "450802101"), sel)["sid"]) == [
        "450802101", "450802101001", "450802101002"]


# --------------------------------------------------------------------------- reference subjects, aliases, lookups

def _reference(tmp_path: Path) -> None:
    (tmp_path / "reference").mkdir(exist_ok=True)
    (tmp_path / "reference" / "rivers.yaml").write_text(yaml.safe_dump({"items": [
        {"id": "R1", "name": "西江干流(黔江、浔江)", "aliases": ["西江干流", "浔江"], "counties": ["450881", "450802"]},
        {"id": "R2", "name": "郁江干流", "aliases": ["郁江"], "counties": ["450802"]},
        {"id": "R3", "name": "马来河", "counties": []}]}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "reference" / "units.yaml").write_text(yaml.safe_dump({"items": [
        {"name": "市水利局", "rank": "division"}, {"name": "市水文水资源局", "rank": "leader"}]},
        allow_unicode=True), encoding="utf-8")


def test_reference_subjects_explode_a_list_field(tmp_path: Path) -> None:
    _reference(tmp_path)
    ctx = _ctx(_doc(), tmp_path, "450802")
    sel = Select.model_validate({"table": "reference", "file": "reference/rivers.yaml",
                                 "explode": {"counties": "county"}, "where": {"county": "$submitter"}})
    s = select_subjects(ctx, sel)
    assert list(s["sid"]) == ["R1", "R2"]
    assert list(s["sname"]) == ["西江干流(黔江、浔江)", "郁江干流"]
    assert set(s["jurisdiction"]) == {"450802"}
    everything = select_subjects(ctx, Select.model_validate({"table": "reference", "file": "reference/rivers.yaml"}))
    assert list(everything["sid"]) == ["R1", "R2", "R3"]


def test_a_missing_reference_file_is_a_rule_error(tmp_path: Path) -> None:
    ctx = _ctx(_doc(), tmp_path)
    with pytest.raises(RuleError):
        select_subjects(ctx, Select.model_validate({"table": "reference", "file": "reference/none.yaml"}))
    with pytest.raises(RuleError):
        select_subjects(ctx, Select.model_validate({"table": "reference"}))


def test_aliases_map_register_names_to_the_plans_name(tmp_path: Path) -> None:
    _reference(tmp_path)
    water = [{"id": "W1", "name": "浔江", "kind": "river"}, {"id": "W2", "name": "郁 江", "kind": "river"},
             {"id": "W3", "name": "西江干流（黔江、浔江）", "kind": "river"}, {"id": "W4", "name": "郁水", "kind": "river"}]
    ctx = _ctx(_doc(water_bodies=water), tmp_path)
    ev = Evidence.model_validate({"table": "water_bodies", "match": {"name": "name"},
                                  "normalise": {"file": "reference/rivers.yaml"}})
    got = keys(ctx, "water_bodies", ctx.ds.table("water_bodies"), ["name"], ev.normalise)
    # Full-width brackets and spaces are ignored; an unknown name stays itself.
    assert list(got) == ["西江干流(黔江、浔江)", "郁江干流", "西江干流(黔江、浔江)", "郁水"]


def test_lookup_joins_reference_fields_by_unit_name_with_a_default(tmp_path: Path) -> None:
    _reference(tmp_path)
    units = [{"id": "U1", "jurisdiction": "450800", "unit": "贵港市水文水资源局"},
             {"id": "U2", "jurisdiction": "450800", "unit": "水利局"},
             {"id": "U3", "jurisdiction": "450800", "unit": "市气象局"}]
    ctx = _ctx(_doc(member_units=units), tmp_path)
    sel = Select.model_validate({"table": "member_units", "lookup": {
        "file": "reference/units.yaml", "match": {"unit": "name"}, "normalise": "unit", "fields": ["rank"],
        "default": {"rank": "division"}}})
    assert dict(zip(*[select_subjects(ctx, sel)[c] for c in ("sid", "rank")])) == {
        "U1": "leader", "U2": "division", "U3": "division"}


# --------------------------------------------------------------------------- one subject per distinct combination

def test_distinct_keeps_one_subject_per_combination_and_names_it(tmp_path: Path) -> None:
    ctx = _ctx(_doc(water_bodies=WATER, reaches=REACHES), tmp_path, "450800")
    sel = Select.model_validate({"table": "reaches", "expand": {"level": ["county"]},
                                 "jurisdiction": "jurisdiction@level", "name": "water_body.name",
                                 "distinct": ["water_body", "jurisdiction", "level"]})
    s = select_subjects(ctx, sel)
    assert list(s["sid"]) == ["WB-A@450802@county", "WB-A@450804@county", "WB-B@450802@county",
                              "WB-B@450804@county"]
    assert list(s["sname"]) == ["龙山河", "龙山河", "大岭水库", "大岭水库"]
    assert list(s["jurisdiction"]) == ["450802", "450804", "450802", "450804"]


# --------------------------------------------------------------------------- attribute: equals and normalise

def _evaluate(doc: dict[str, Any], tmp_path: Path, **rule: Any) -> list[Any]:
    loaded = _rule(tmp_path, **rule)
    ev = Evaluator(Pack("guigang-river-chief", tmp_path, [loaded]))
    return [f for f in ev.evaluate(dataset_from_document(doc), AS_OF)]


CHIEFS = [{"id": "C1", "name": "甲", "level": "county", "post": "leader", "jurisdiction": "450802",
           "water_body": "WB-A", "appointed": "2017-11-01"},
          {"id": "C2", "name": "乙", "level": "county", "post": "leader", "jurisdiction": "450804",
           "water_body": "WB-A", "appointed": "2017-11-01"}]


def test_equals_compares_a_field_with_another_column_of_the_subject(tmp_path: Path) -> None:
    meetings = [{"id": "M1", "kind": "joint_meeting", "jurisdiction": "450800", "water_body": "WB-A",
                 "convener": "C1", "established": "2018-03-01"},
                {"id": "M2", "kind": "joint_meeting", "jurisdiction": "450800", "water_body": "WB-B",
                 "convener": "C2", "established": "2018-03-01"},
                {"id": "M3", "kind": "joint_meeting", "jurisdiction": "450800", "water_body": "WB-C",
                 "convener": "C2", "established": "2018-03-01"}]
    doc = _doc(water_bodies=WATER, reaches=REACHES, chiefs=CHIEFS, meetings=meetings)
    spec = {"subjects": {"table": "meetings", "derive": {"top": {
        "table": "reaches", "match": {"water_body": "water_body"}, "agg": "argmax", "of": "jurisdiction@county",
        "weight": "length_km"}}}, "field": "convener.jurisdiction", "cases": [{"equals": "top"}]}
    got = {f.subject_id: (f.outcome, f.reason, f.expected, f.actual) for f in _evaluate(doc, tmp_path, spec=spec)}
    assert got == {"M1": ("violated", "wrong_value", "= 450804", "450802"),   # 覃塘 is longer in total
                   "M2": ("violated", "wrong_value", "= 450802", "450804"),   # tie: the smaller code
                   "M3": ("not_applicable", "no_baseline", None, "450804")}   # no reaches: nothing to compare


def test_normalise_unit_compares_unit_names_but_shows_them_as_written(tmp_path: Path) -> None:
    offices = [{"id": "O1", "jurisdiction": "450800", "host_unit": "贵港市水利局", "director": "甲",
                "director_post": "other", "established": "2017-07-01"},
               {"id": "O2", "jurisdiction": "450802", "host_unit": "港北区环境保护局", "director": "乙",
                "director_post": "other", "established": "2017-07-01"}]
    spec = {"subjects": {"table": "offices"}, "field": "host_unit", "normalise": "unit",
            "cases": [{"allowed": ["市水利局"]}]}
    got = {f.subject_id: (f.outcome, f.actual) for f in _evaluate(_doc(offices=offices), tmp_path, spec=spec)}
    assert got == {"O1": ("passed", "贵港市水利局"), "O2": ("violated", "港北区环境保护局")}


# --------------------------------------------------------------------------- threshold before its first year

def test_a_threshold_before_its_first_year_has_no_period_to_check(tmp_path: Path) -> None:
    spec = {"indicators": ["water_area_km2"], "first_year": 2020, "op": ">=", "against": "baseline", "unit": "km2"}
    (f,) = _evaluate(_doc(), tmp_path, kind="threshold", spec=spec)
    assert (f.outcome, f.reason) == ("not_applicable", "no_periods")


# --------------------------------------------------------------------------- unit names of the five counties

@pytest.mark.parametrize("name", ["港北区水利局", "港南区水利局", "覃塘区水利局", "平南县水利局", "桂平市水利局",
                                  "贵港市水利局", "市水利局", "区水利局", "县水利局"])
def test_a_county_department_compares_equal_to_the_city_unit(name: str) -> None:
    assert unit_key(name) == unit_key("市水利局") == "水利局"


def test_county_prefixes_keep_protected_names() -> None:
    assert unit_key("桂平市市政局") == unit_key("市市政局") == "市政局"
    assert unit_key("平南县市场监管局") == "市场监管局"


def test_order_comparisons_on_text_skip_missing_values(tmp_path: Path) -> None:
    ctx = _ctx(_doc(water_bodies=WATER, reaches=REACHES), tmp_path)
    from checker.kinds.selection import Cmp
    wb = ctx.ds.table("water_bodies")
    # size is missing for the river and the lake: neither is "at least medium", and nothing raises.
    assert list(apply_where(ctx, "water_bodies", wb, {"size": Cmp(gte="medium")})["id"]) == ["WB-B"]
