"""The rule compiler (checker.kinds → engine ruleset dicts), checked without running the engine.

Every compiled ruleset must follow the recipe of ``shared/durable_rules.md``: the evaluate
guard first and scoped to its rule, only ``all`` rules, no ``$or``, every correlated ``$and``
ending with the always-true ``_k`` term, no reference to ``id``/``sid``, no float constant
(numbers travel in facts), within the engine's limits. ``check_rules`` must refuse each
forbidden shape before any ruleset is created.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.dataset import dataset_from_document
from checker.engine import (MAX_CONSTANTS_PER_PROPERTY, MAX_PATTERNS_PER_RULE, MAX_RULES_PER_PATTERN, EngineError,
                            check_rules)
from checker.kinds import Plan, build_plan, engine_rules
from checker.kinds import templates
from checker.kinds.base import Context
from tests.kinds import strategies as s
from tests.kinds.harness import make_rule

K = {"_k": {"e": "_k"}}


def walk(node: Any) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) pair and every list item (key None) below ``node``."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield None, v
            yield from walk(v)


def correlated(expr: Any, aliases: set[str]) -> bool:
    """Does ``expr`` compare with a property of an earlier pattern (``{"x": "key"}``)?"""
    return any(isinstance(v, dict) and len(v) == 1 and next(iter(v)) in aliases and isinstance(next(iter(v.values())), str)
               for _, v in walk(expr))


def assert_recipe(rid: str, rules: dict[str, dict[str, Any]]) -> None:
    guard = {"e": {"t": "e", "r": rid}}
    assert rules, "a plan compiles to at least one rule"
    for name, rule in rules.items():
        assert name.startswith(f"{rid}|"), name
        assert set(rule) == {"all"}, f"{name}: only 'all' (no any, count, cap or run from the compiler)"
        patterns = rule["all"]
        assert 2 <= len(patterns) <= MAX_PATTERNS_PER_RULE
        assert patterns[0] == guard, f"{name}: the evaluate guard, scoped to the rule, comes first"
        assert all(p != guard for p in patterns[1:])
        aliases = {"e"}
        for pattern in patterns[1:]:
            (alias, expr), = pattern.items()
            for k, v in walk(expr):
                assert k != "$or", f"{name}: $or"
                assert k not in ("id", "sid") and v not in ("id", "sid"), f"{name}: references id/sid"
                assert not isinstance(v, float), f"{name}: float constant {v!r} in a rule"
                assert not isinstance(v, bool), f"{name}: boolean constant {v!r} in a rule"
            if correlated(expr, aliases):
                assert "$and" in expr and expr["$and"][-1] == K, f"{name}: correlated $and must end with the _k term"
                assert not any("$and" in t or "$or" in t for t in expr["$and"]), f"{name}: nested group"
            aliases.add(alias.split("$")[0])
    check_rules(rules)  # and the adapter's own check agrees


def plan_of(case: s.Case) -> Plan:
    ds = dataset_from_document(case.doc)
    params = {name: p.default for name, p in case.rule.spec.params.items()} | case.overrides
    return build_plan(Context(ds=ds, as_of=case.as_of or ds.header.as_of, rule=case.rule, params=params))


ANY_CASE = st.one_of(s.deadline_cases(), s.coverage_cases(), s.membership_cases(), s.recurring_cases(),
                     s.cardinality_cases(), s.attribute_cases(), s.threshold_cases(), s.ledger_cases())


@settings(max_examples=150)
@given(ANY_CASE)
def test_every_compiled_ruleset_follows_the_recipe(case: s.Case) -> None:
    plan = plan_of(case)
    assert_recipe(case.rule.id, engine_rules(case.rule.id, plan))


def test_match_template() -> None:
    rules = templates.match_rules("GG-1")
    assert set(rules) == {"GG-1|ok", "GG-1|late", "GG-1|other", "GG-1|none"}
    x = {"x": {"t": "x"}}  # no rule id beyond the guard's: a ruleset holds one rule's engine rules
    for name, rule in rules.items():
        assert rule["all"][:2] == [{"e": {"t": "e", "r": "GG-1"}}, x]
    join = [{"t": "y"}, {"key": {"x": "key"}}, {"$gte": {"day": {"x": "lo"}}}]
    assert rules["GG-1|ok"]["all"][2] == {"y": {"$and": join + [{"ok": 1}, {"$lte": {"day": {"x": "due"}}}, K]}}
    assert rules["GG-1|late"]["all"][2] == {"y": {"$and": join + [{"ok": 1}, {"$gt": {"day": {"x": "due"}}}, K]}}
    assert rules["GG-1|other"]["all"][2] == {"y": {"$and": join + [{"ok": 0}, K]}}
    # "none" is a negation: no acceptable evidence at all from lo on (late evidence included).
    assert rules["GG-1|none"]["all"][2] == {"y$not": {"$and": join + [{"ok": 1}, K]}}
    assert_recipe("GG-1", rules)


def _case(kind: str, spec: dict[str, Any], doc_tables: dict[str, Any] | None = None, **kw: Any) -> s.Case:
    doc = s.header("450802", dt.date(2018, 12, 31), "2018Q4") | (doc_tables or {})
    return s.Case(doc, make_rule(kind, spec, rid="TC-1", levels=("county",), **kw))


def _checks(rules: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rule name (after the id) → the tests on the expectation fact beyond its type."""
    out = {}
    for name, rule in rules.items():
        (alias, expr), = rule["all"][1].items()
        terms = expr["$and"] if "$and" in expr else [expr]
        assert alias == "x" and terms[0] == {"t": "x"}
        out[name.split("|", 1)[1]] = terms[1:]
    return out


def test_cardinality_checks_compare_counts_inside_one_fact() -> None:
    wb = {"water_bodies": [{"id": "W1", "name": "河", "kind": "river"}]}
    plan = plan_of(_case("cardinality", {"subjects": {"table": "water_bodies"},
                                         "count": {"table": "chiefs", "match": {"water_body": "id"}}, "min": 2, "max": 3}, wb))
    assert _checks(engine_rules("TC-1", plan)) == {
        "seen": [],
        "too_few#0": [{"$ex": {"min": 1}}, {"$lt": {"num": {"$m": "min"}}}],
        "too_many#1": [{"$ex": {"max": 1}}, {"$gt": {"num": {"$m": "max"}}}],
    }
    # The bounds and the count travel in the expectation fact, as integers.
    assert plan.x[["num", "min", "max"]].to_dict("records") == [{"num": 0, "min": 2, "max": 3}]


def test_attribute_cases_compile_to_alpha_tests() -> None:
    chiefs = {"water_bodies": [{"id": "W1", "name": "河", "kind": "river"}],
              "chiefs": [{"id": "C1", "name": "甲", "level": "village", "post": "village_cadre", "jurisdiction": "450802",
                          "water_body": "W1", "appointed": "2018-01-01"}]}
    plan = plan_of(_case("attribute", {"subjects": {"table": "chiefs"}, "field": "post", "cases": [
        {"when": {"level": "village"}, "allowed": ["village_party_secretary"]},
        {"when": {"level": "county"}, "allowed": ["party_principal", "government_principal"]}]}, chiefs))
    assert _checks(engine_rules("TC-1", plan)) == {
        "seen": [],
        "missing#0": [{"$nex": {"str": 1}}],
        "wrong_value#1": [{"w_level": "village"}, {"$ex": {"str": 1}}, {"$neq": {"str": "village_party_secretary"}}],
        "wrong_value#2": [{"w_level": "county"}, {"$ex": {"str": 1}}, {"$neq": {"str": "party_principal"}},
                          {"$neq": {"str": "government_principal"}}],
    }
    reaches = {"water_bodies": chiefs["water_bodies"],
               "reaches": [{"id": "R1", "water_body": "W1", "jurisdiction": "450802", "length_km": 2.5}]}
    plan = plan_of(_case("attribute", {"subjects": {"table": "reaches"}, "field": "length_km", "cases": [
        {"op": ">=", "value": 0.5}, {"op": "<", "value": 100}]}, reaches))
    assert _checks(engine_rules("TC-1", plan)) == {
        "seen": [], "missing#0": [{"$nex": {"num": 1}}],
        # the bound is a property of the fact ("$m"), never a float constant in the rule
        "wrong_value#1": [{"$ex": {"num": 1}}, {"$lt": {"num": {"$m": "c0"}}}],
        "wrong_value#2": [{"$ex": {"num": 1}}, {"$gte": {"num": {"$m": "c1"}}}],
    }
    assert plan.x[["num", "c0", "c1"]].to_dict("records") == [{"num": 2.5, "c0": 0.5, "c1": 100.0}]


def test_threshold_checks() -> None:
    plan = plan_of(_case("threshold", {"indicators": ["water_area_km2"], "first_year": 2018, "op": "<=",
                                       "against": "constant", "value": 0.5, "unit": "km2"}))
    assert _checks(engine_rules("TC-1", plan)) == {
        "seen": [],
        "missing#0": [{"$nex": {"num": 1}}],
        "wrong_unit#1": [{"$ex": {"num": 1}}, {"unit_ok": 0}],
        "no_baseline#2": [{"$ex": {"num": 1}}, {"unit_ok": 1}, {"$nex": {"base": 1}}],
        "above_threshold#3": [{"$ex": {"base": 1}}, {"unit_ok": 1}, {"$gt": {"num": {"$m": "base"}}}],
    }


def test_a_ruleset_never_holds_floats_even_for_float_parameters() -> None:
    plan = plan_of(_case("attribute", {"subjects": {"table": "reaches"}, "field": "length_km",
                                       "cases": [{"op": ">", "value": {"param": "v"}}]}, params={"v": 1e-05}))
    text = json.dumps(engine_rules("TC-1", plan))
    assert "e-05" not in text and "1e" not in text


# --------------------------------------------------------------------------- check_rules refuses

GUARD = {"e": {"t": "e", "r": "R"}}
X = {"x": {"$and": [{"t": "x"}, {"r": "R"}]}}


def _y(*terms: dict[str, Any]) -> dict[str, Any]:
    return {"y": {"$and": [{"t": "y"}, {"key": {"x": "key"}}, *terms]}}


GOOD = {"R|ok": {"all": [GUARD, X, _y({"$lte": {"day": {"x": "due"}}}, K)]}}


def test_the_good_shape_passes() -> None:
    check_rules(GOOD)
    check_rules({f"R|{i}": {"all": [GUARD, X]} for i in range(MAX_RULES_PER_PATTERN)})
    check_rules({"R|c": {"all": [GUARD, {"x": {"kind": f"k{i}"}}]} for i in range(1)} |
                {f"R|c{i}": {"all": [{"e": {"t": "e", "r": f"R{i // 200}"}}, {"x": {"kind": f"k{i}"}}]}
                 for i in range(MAX_CONSTANTS_PER_PROPERTY - 1)})


@pytest.mark.parametrize("rules, why", [
    ({"R|a": {"any": [GUARD, X]}}, "only 'all'"),
    ({"R|a": {"all": [GUARD, X], "any": [X]}}, "only 'all'"),
    ({"R|a": {"all": [X, GUARD]}}, "evaluate guard"),
    ({"R|a": {"all": [X]}}, "evaluate guard"),
    ({"R|a": {"all": [{"f": {"t": "e"}}, X]}}, "evaluate guard"),
    ({"R|a": {"all": []}}, "patterns"),
    ({"R|a": {"all": [GUARD] + [{f"p{i}": {"t": "x"}} for i in range(16)]}}, "17 patterns"),
    ({"R|a": {"all": [GUARD, X, _y({"$lte": {"day": {"x": "due"}}})]}}, "_k term"),
    ({"R|a": {"all": [GUARD, X, {"y$not": {"$and": [{"t": "y"}, {"key": {"x": "key"}}]}}]}}, "_k term"),
    ({"R|a": {"all": [GUARD, X, _y({"$and": [{"ok": 1}, {"day": {"x": "due"}}]}, K)]}}, "nested"),
    ({"R|a": {"all": [GUARD, X, _y({"$or": [{"ok": 1}, {"day": {"x": "due"}}]}, K)]}}, "$or"),
    ({"R|a": {"all": [GUARD, X, {"y": {"$or": [{"key": {"x": "key"}}, {"t": "z"}]}}]}}, "$or"),
    ({"R|a": {"all": [GUARD, X, _y({"ref": {"x": "id"}}, K)]}}, "id or sid"),
    ({"R|a": {"all": [GUARD, X, _y({"ref": {"x": "sid"}}, K)]}}, "id or sid"),
    ({"R|a": {"all": [GUARD, {"x": {"id": "f1"}}]}}, "id or sid"),
    ({"R|a": {"all": [GUARD, {"x": {"$and": [{"t": "x"}, {"sid": "s0"}]}}]}}, "id or sid"),
    ({f"R|{i}": {"all": [GUARD, X]} for i in range(MAX_RULES_PER_PATTERN + 1)}, "share the guard"),
    ({f"R|{i}": {"all": [{"e": {"t": "e", "r": f"R{i // 200}"}}, {"x": {"kind": f"k{i}"}}]}
      for i in range(MAX_CONSTANTS_PER_PROPERTY + 1)}, "513th"),
])
def test_check_rules_refuses(rules: dict[str, Any], why: str) -> None:
    with pytest.raises(EngineError, match=why.replace("$", r"\$")):
        check_rules(rules)


def test_a_ruleset_over_the_constant_limit_is_refused_before_it_is_created() -> None:
    """The 513th constant makes the engine's create_ruleset hang forever: the adapter must
    refuse it first. Run in a child process, so that a regression fails by timeout instead of
    hanging the suite."""
    code = ("from checker.engine import Ruleset, EngineError\n"
            "rules = {f'R|{i}': {'all': [{'e': {'t': 'e', 'r': f'R{i // 200}'}}, {'x': {'kind': f'k{i}'}}]} for i in range(513)}\n"
            "try:\n    Ruleset(rules)\nexcept EngineError as e:\n    print('refused', e)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.startswith("refused") and "513th" in p.stdout, p.stdout + p.stderr
