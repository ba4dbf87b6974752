"""The shared input of the engine peers and the verdict record they all produce.

Three obligations of the Guigang pack, chosen because each is a different shape of rule:

* ``GG-02`` coverage — every (water body, jurisdiction, level) a reach runs through has a
  chief of that level appointed by the due date (a join with a negation);
* ``GG-14`` deadline — every county and township reported its work plan by the due date;
* ``GG-27`` patrol minimum — every chief patrolled at least ``min`` times in every calendar
  period (week, 旬, month by level) that lies in the quarter and that the chief held whole.

:class:`PeerInput` holds what every engine is given: the rows of five tables as plain pandas
frames (dates as day numbers), the rules' parameters as the pack states them (with any
overrides), and the calendar (the periods of each kind wholly inside the reporting window:
calendar arithmetic is not what a rule engine is for, so all three get it ready-made). Each
peer turns these frames into its own facts; building them is timed apart from evaluating.

A :class:`Verdict` is one (obligation, subject) with its outcome, as ducha's findings state
it: ``passed``; ``violated`` with ``late``/``missing``/``too_few``; ``pending``/``not_due``;
``not_applicable``/``no_periods``. For GG-27 ``parts`` are the short periods' labels.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple

import pandas as pd

from checker.dataset import Dataset
from checker.dates import day_number, parse_quarter, periods_between
from checker.evaluate import Evaluator
from checker.model import LEVEL_ORDER
from checker.rulefile import Pack

COVERAGE, DEADLINE, PATROLS = "GG-02", "GG-14", "GG-27"
RULES: tuple[str, ...] = (COVERAGE, DEADLINE, PATROLS)
COVERAGE_LEVELS = ("county", "township", "village")  # GG-02's expand over level
DEADLINE_LEVELS = ("county", "township")  # GG-14's subjects
PATROL_LEVELS = ("county", "township", "village")  # GG-27's subjects for a county submitter


class PeerUnsupported(ValueError):
    """The peers encode the three rules for a county submission only; say why not here."""


class Verdict(NamedTuple):
    rule: str
    subject: str
    outcome: str
    reason: str  # "" when passed
    parts: tuple[str, ...] = ()  # GG-27: the short periods, in calendar order


@dataclass(frozen=True)
class PeerInput:
    submitter: str
    submitter_level: str
    as_of: int  # day number
    coverage_due: int
    deadline_due: int
    patrol_min: int
    frequency: dict[str, str]  # chief level → period kind
    jurisdictions: pd.DataFrame  # code level parent
    reaches: pd.DataFrame  # id water_body jurisdiction
    chiefs: pd.DataFrame  # id water_body jurisdiction level appointed left (Int64, <NA> = open)
    documents: pd.DataFrame  # kind issuer reported (Int64)
    patrols: pd.DataFrame  # chief date
    periods: pd.DataFrame  # kind label start end (wholly inside the window), calendar order
    levels: dict[str, int] = field(default_factory=lambda: dict(LEVEL_ORDER))

    @property
    def rows(self) -> int:
        return sum(len(f) for f in (self.jurisdictions, self.reaches, self.chiefs, self.documents, self.patrols))


def _day(v: Any) -> int:
    if isinstance(v, str):
        v = dt.date.fromisoformat(v)
    if not isinstance(v, dt.date):
        raise PeerUnsupported(f"not a date: {v!r}")
    return day_number(v)


def selected_pack(pack: Pack) -> Pack:
    """The pack narrowed to the three rules (all must be there)."""
    sub = pack.select(list(RULES), None)
    missing = set(RULES) - {r.id for r in sub.rules}
    if missing:
        raise PeerUnsupported(f"pack {pack.name} lacks {', '.join(sorted(missing))}")
    return sub


def peer_input(ds: Dataset, pack: Pack, overrides: dict[str, Any] | None = None) -> PeerInput:
    """The frames and parameters every peer evaluates (see the module docstring)."""
    if ds.jurisdiction["level"] != "county":
        raise PeerUnsupported(f"the peers encode a county submission; this one is {ds.jurisdiction['level']}")
    ev = Evaluator(selected_pack(pack), dict(overrides or {}))
    rules = {r.id: r for r in ev.pack.rules}
    as_of = ds.header.as_of
    for r in rules.values():
        eff = r.spec.effective
        if (eff.from_ and as_of < eff.from_) or (eff.until and as_of > eff.until):
            raise PeerUnsupported(f"{r.id} is not in effect on {as_of}")
    p02, p14, p27 = (ev.params_for(rules[r]) for r in RULES)
    frequency = p27["patrol_frequency"]
    if not isinstance(frequency, dict):
        frequency = {lv: frequency for lv in PATROL_LEVELS}
    q = parse_quarter(ds.header.period)
    start, end = q.start, min(q.end, as_of)
    periods = []
    for kind in sorted({frequency[lv] for lv in PATROL_LEVELS if lv in frequency}):
        for per in periods_between(kind, start, end):
            if per.start >= start and per.end <= end:
                periods.append({"kind": kind, "label": per.label, "start": day_number(per.start),
                                "end": day_number(per.end)})
    t = ds.tables
    docs = t["documents"]
    return PeerInput(
        submitter=str(ds.jurisdiction["code"]), submitter_level=str(ds.jurisdiction["level"]), as_of=day_number(as_of),
        coverage_due=_day(p02["four_level_chiefs_due"]), deadline_due=_day(p14["work_plan_due"]),
        patrol_min=int(p27["patrol_min_per_period"]),
        frequency={str(k): str(v) for k, v in frequency.items()},
        jurisdictions=t["jurisdictions"][["code", "level", "parent"]].reset_index(drop=True),
        reaches=t["reaches"][["id", "water_body", "jurisdiction"]].reset_index(drop=True),
        chiefs=t["chiefs"][["id", "water_body", "jurisdiction", "level", "appointed", "left"]].reset_index(drop=True),
        documents=docs[["kind", "issuer", "reported"]].reset_index(drop=True),
        patrols=t["patrols"][["chief", "date"]].reset_index(drop=True),
        periods=pd.DataFrame(periods, columns=["kind", "label", "start", "end"]),
    )


def period_order(inp: PeerInput) -> dict[str, int]:
    """label → position in calendar order (labels of different kinds never collide)."""
    p = inp.periods.sort_values(["start", "end", "label"], kind="mergesort")
    return {str(lab): i for i, lab in enumerate(p["label"])}


def compare(expected: Iterable[Verdict], got: Iterable[Verdict]) -> tuple[list[Verdict], list[Verdict]]:
    """(missing from ``got``, extra in ``got``), each sorted."""
    a, b = set(expected), set(got)
    return sorted(a - b), sorted(b - a)
