"""Expectations, their verdicts, and one finding per subject.

An *expectation* is one thing a subject owes (a document, one period's report, one
period's count). Its verdict is decided here, against ``as_of``:

* evidence-type (``evidence_verdict``): the acceptable window is ``[lo, due]`` (``lo``:
  no lower bound unless a window says so; ``due`` is the last on-time day). Evidence known by
  ``as_of`` and dated in the window → passed; only after ``due`` → violated ``late``,
  overdue by (first such date − due); none while ``due`` is still ahead (``due > as_of``)
  → pending ``not_due``; none once due → violated ``missing`` (or the kind's ``other``
  reason when only evidence from the wrong party exists), overdue by (as_of − due).
  Undated evidence is on time unless a window asks for a date.
* test-type (``checks_verdict``): the kind says which failures apply, in order of priority;
  the first one decides: a *not applicable* failure stays so whatever the date, any other is
  pending before ``due`` and violated (overdue as_of − due) from ``due`` on.

A subject's finding is its worst expectation (violated < pending < passed <
not applicable). Among the expectations with that outcome, the *headline* is the one most
overdue (the earliest on a tie); reason, due and days overdue are the headline's, and
``parts`` lists every expectation with that outcome. A passed finding names no parts and
the due date of its first passed expectation. A subject with no expectations is not applicable, for the
reason the kind gives.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

RANK = {"violated": 1, "pending": 2, "passed": 3, "not_applicable": 4}


@dataclass(frozen=True)
class Verdict:
    part: str
    due: dt.date
    outcome: str
    reason: str | None = None
    overdue: int | None = None


def evidence_verdict(part: str, due: dt.date, as_of: dt.date, dates: list[dt.date | None], *,
                     lo: dt.date | None = None, others: int = 0, other_reason: str = "other") -> Verdict:
    """``dates``: the dates of the acceptable evidence (None: undated); ``others``: how many
    pieces of evidence from the wrong party exist in the window (reported only when nothing
    acceptable does)."""
    if lo is None:
        usable = [d for d in dates]
    else:
        usable = [d for d in dates if d is not None and d >= lo]
    on_time = [d for d in usable if d is None or d <= due]
    if on_time:
        return Verdict(part, due, "passed")
    if usable:
        first = min(d for d in usable if d is not None)
        return Verdict(part, due, "violated", "late", (first - due).days)
    if due > as_of:
        return Verdict(part, due, "pending", "not_due")
    if others:
        return Verdict(part, due, "violated", other_reason, (as_of - due).days)
    return Verdict(part, due, "violated", "missing", (as_of - due).days)


NOT_APPLICABLE_FAILURES = {"no_entry", "no_baseline"}


def checks_verdict(part: str, due: dt.date, as_of: dt.date, failures: list[str]) -> Verdict:
    """``failures``: the failed checks, in priority order (empty: passed)."""
    if not failures:
        return Verdict(part, due, "passed")
    first = failures[0]
    if first in NOT_APPLICABLE_FAILURES:
        return Verdict(part, due, "not_applicable", first)
    if due > as_of:
        return Verdict(part, due, "pending", "not_due")
    return Verdict(part, due, "violated", first, (as_of - due).days)


class Finding(NamedTuple):
    """The fields on which ducha and the reference must agree exactly."""

    rule: str
    subject_type: str
    subject_id: str
    jurisdiction: str
    outcome: str
    reason: str | None
    parts: tuple[str, ...]
    days_overdue: int | None
    due: str | None


def subject_finding(rule: str, stype: str, sid: str, jur: str, verdicts: list[Verdict],
                    idle_reason: str) -> Finding:
    if not verdicts:
        return Finding(rule, stype, sid, jur, "not_applicable", idle_reason, (), None, None)
    worst = min(RANK[v.outcome] for v in verdicts)
    bad = [v for v in verdicts if RANK[v.outcome] == worst]
    outcome = bad[0].outcome
    if outcome == "passed":
        return Finding(rule, stype, sid, jur, "passed", None, (), None, bad[0].due.isoformat())
    headline = bad[0]
    for v in bad[1:]:
        if _overdue(v) > _overdue(headline):
            headline = v
    parts = tuple(v.part for v in bad if v.part)
    return Finding(rule, stype, sid, jur, outcome, headline.reason, parts,
                   headline.overdue if outcome == "violated" else None, headline.due.isoformat())


def _overdue(v: Verdict) -> int:
    return -1 if v.overdue is None else v.overdue


def rule_finding(rule: str, submitter: str, outcome: str, reason: str) -> Finding:
    """A finding about the rule as a whole (wrong level, not in force, nothing examined)."""
    return Finding(rule, "jurisdiction", submitter, submitter, outcome, reason, (), None, None)
