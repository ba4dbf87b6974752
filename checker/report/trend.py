"""Quarter on quarter: which lapses are new, which were resolved, which persist.

A lapse is a *violated* finding; its identity across periods is :attr:`Finding.fingerprint`
(pack, rule, subject, jurisdiction — not the period). For each (pack, submitting
jurisdiction), submissions are put in period order (the latest of a period if it was sent
twice) and each is compared with the one before it:

* new — violated now, not violated before;
* persisting — violated in both;
* resolved — violated before, not now; ``now`` says what it is now (passed, waived, pending,
  not applicable, or ``absent`` when the subject is no longer examined — not the same as
  fixed, so reports show it).

:func:`compare` does the same between this run and an earlier run's results (the latest
submission of each jurisdiction present in both).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..finding import Finding, sort_key
from ..run import SubmissionResult
from .scorecard import checked_only, group_key, recency

STATUSES = ("new", "persisting", "resolved")
STATUS_TEXT = {"new": ("新增", "new"), "persisting": ("持续", "persisting"), "resolved": ("已消除", "resolved")}
NOW_TEXT = {"passed": ("已符合", "now passed"), "waived": ("已豁免", "now waived"),
            "pending": ("未到期", "now pending"), "not_applicable": ("不适用", "now not applicable"),
            "error": ("检查错误", "now an error"), "absent": ("本期未检查该对象", "no longer examined")}


@dataclass(frozen=True)
class Change:
    status: str
    finding: Finding  # the current finding (new, persisting) or the earlier one (resolved)
    now: str = "violated"


@dataclass
class Step:
    pack: str
    jurisdiction: str
    jurisdiction_name: str
    before: str  # period (or the earlier run's period)
    after: str
    before_input: str
    after_input: str
    changes: list[Change] = field(default_factory=list)
    previous_run: bool = False  # ``before`` comes from an earlier run's results (--compare)

    def count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.status == status)


def _lapses(findings: Iterable[Finding]) -> dict[str, Finding]:
    return {f.fingerprint: f for f in findings if f.outcome == "violated"}


def diff(before: SubmissionResult, after: SubmissionResult, *, previous_run: bool = False) -> Step:
    old, new = _lapses(before.findings), _lapses(after.findings)
    everything = {f.fingerprint: f for f in after.findings}
    changes = [Change("new", f) for fp, f in new.items() if fp not in old]
    changes += [Change("persisting", f) for fp, f in new.items() if fp in old]
    changes += [Change("resolved", f, everything[fp].outcome if fp in everything else "absent")
                for fp, f in old.items() if fp not in new]
    changes.sort(key=lambda c: (STATUSES.index(c.status), sort_key(c.finding.with_(submission=""))))
    return Step(pack=after.pack or "", jurisdiction=after.jurisdiction or "",
                jurisdiction_name=after.jurisdiction_name or after.jurisdiction or "",
                before=before.period or "", after=after.period or "",
                before_input=before.path, after_input=after.path, changes=changes, previous_run=previous_run)


def _by_key(results: Iterable[SubmissionResult]) -> dict[tuple[str, str], list[SubmissionResult]]:
    """Per (pack, jurisdiction): one checked submission per period (the latest), in period order."""
    groups: dict[tuple[str, str], dict[str, SubmissionResult]] = {}
    for c in checked_only(results):
        per = groups.setdefault(group_key(c), {})
        p = c.period or ""
        if p not in per or recency(c) > recency(per[p]):
            per[p] = c
    return {k: [per[p] for p in sorted(per)] for k, per in sorted(groups.items())}


def trend_pairs(results: Iterable[SubmissionResult]) -> list[tuple[SubmissionResult, SubmissionResult]]:
    """(before, after) of every consecutive pair of periods of every jurisdiction that sent
    more than one. Needs only the results' metadata, so a batch can choose the pairs first and
    read the two results of each from disk when it diffs them."""
    pairs: list[tuple[SubmissionResult, SubmissionResult]] = []
    for seq in _by_key(results).values():
        pairs.extend(zip(seq, seq[1:]))
    return pairs


def compare_pairs(now: Iterable[SubmissionResult],
                  before: Iterable[SubmissionResult]) -> list[tuple[SubmissionResult, SubmissionResult]]:
    """(earlier run's latest, this run's latest) of each jurisdiction present in both."""
    old = _by_key(before)
    return [(old[key][-1], seq[-1]) for key, seq in _by_key(now).items() if key in old]


def trend(results: Iterable[SubmissionResult]) -> list[Step]:
    """Every consecutive pair of periods of every jurisdiction that sent more than one."""
    return [diff(a, b) for a, b in trend_pairs(results)]


def compare(now: Iterable[SubmissionResult], before: Iterable[SubmissionResult]) -> list[Step]:
    """This run's latest submission of each jurisdiction against the earlier run's latest."""
    return [diff(a, b, previous_run=True) for a, b in compare_pairs(now, before)]
