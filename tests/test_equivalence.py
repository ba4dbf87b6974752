"""ducha agrees exactly with the reference evaluator on generated submissions, for every kind.

Each property draws a small valid submission, a rule of one kind (parameters inline, as
``{param: ...}`` defaults or overridden), and sometimes an explicit ``as_of``; ducha
(pandas plan → engine facts → durable_rules → outcomes) and the plain-Python reference
(:mod:`tests.reference`) must return the same findings: rule, subject, jurisdiction,
outcome, reason, parts, days overdue and due date. ``hypothesis.event`` records which
outcomes and reasons were reached (``pytest --hypothesis-show-statistics``), so a generator
that stops reaching a boundary is visible.

Examples per property: 500 in the ``default`` profile, more with ``HYPOTHESIS_PROFILE=nightly``
(see ``tests/conftest.py``). Last, every fixture case of the real rule packs is run through
both, for every rule whose spec the reference covers (the others are skipped, with the reason).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import event, given

from tests.kinds import strategies as s
from tests.kinds.harness import check
from tests.reference import unsupported
from tests.rules.fixtures import all_cases, apply_case, base_doc
from tests.rules.fixtures import pack as fixture_pack


def _run(case: s.Case) -> None:
    findings = check(case.doc, case.rule, case.as_of, case.overrides, case.also)
    for f in findings:
        event(f"{f.outcome}/{f.reason}")


@given(s.deadline_cases())
def test_deadline(case: s.Case) -> None:
    _run(case)


@given(s.coverage_cases())
def test_coverage(case: s.Case) -> None:
    _run(case)


@given(s.membership_cases())
def test_membership(case: s.Case) -> None:
    _run(case)


@given(s.recurring_cases())
def test_recurring(case: s.Case) -> None:
    _run(case)


@given(s.cardinality_cases())
def test_cardinality(case: s.Case) -> None:
    _run(case)


@given(s.attribute_cases())
def test_attribute(case: s.Case) -> None:
    _run(case)


@given(s.threshold_cases())
def test_threshold(case: s.Case) -> None:
    _run(case)


@given(s.ledger_cases())
def test_ledger(case: s.Case) -> None:
    event(f"check: {case.rule.spec.spec.check}")
    _run(case)


# --------------------------------------------------------------------------- the real rule packs

def _pack_cases() -> list[Any]:
    out = []
    for pack_name, rule_id, case in all_cases():
        rule = next((r for r in fixture_pack(pack_name).rules if r.id == rule_id), None)
        if rule is None:
            continue
        why = unsupported(rule)
        marks = [pytest.mark.skip(reason=f"outside the reference: {why}")] if why else []
        out.append(pytest.param(pack_name, rule, case, id=f"{rule_id}::{case['name']}", marks=marks))
    return out


@pytest.mark.parametrize("pack_name, rule, case", _pack_cases())
def test_pack_rule_fixtures(pack_name: str, rule: Any, case: dict[str, Any]) -> None:
    """Every fixture case of every pack rule the reference covers: the real rules, on the
    hand-written submissions, agree with the reference too (not only the expected non-passed
    findings the fixture lists, but every finding)."""
    doc = apply_case(base_doc(pack_name, case.get("base", "default")), case)
    as_of = case.get("as_of")
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    check(doc, rule, as_of, dict(case.get("params") or {}))
