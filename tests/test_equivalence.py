"""ducha agrees exactly with the reference evaluator on generated submissions, for every kind.

Each property draws a small valid submission, a rule of one kind (parameters inline, as
``{param: ...}`` defaults or overridden), and sometimes an explicit ``as_of``; ducha
(pandas plan → engine facts → durable_rules → outcomes) and the plain-Python reference
(:mod:`tests.reference`) must return the same findings: rule, subject, jurisdiction,
outcome, reason, parts, days overdue and due date. ``hypothesis.event`` records which
outcomes and reasons were reached (``pytest --hypothesis-show-statistics``), so a generator
that stops reaching a boundary is visible.

Examples per property: 500 in the ``default`` profile, more with ``HYPOTHESIS_PROFILE=nightly``
(see ``tests/conftest.py``).
"""
from __future__ import annotations

from hypothesis import event, given

from tests.kinds import strategies as s
from tests.kinds.harness import check


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
