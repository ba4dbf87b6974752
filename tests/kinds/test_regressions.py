"""One test per defect the equivalence proof found (each fails on the code before its fix).

The fixes, in ``checker/``:
* outcomes: a finding's reason, due date and days overdue describe one lapse (the most
  overdue), not the alphabetically first reason with another part's due date;
* kinds/base ``keys``: a missing value never joins another missing value (the sentinel was
  the row position, equal on both sides), and ``pd.NA`` counts as missing;
* kinds/base ``singular``: subject types water_body / reach / progress (not water_bodie ...);
* kinds/cardinality: a period is counted only when wholly inside the reporting window, so a
  week that runs past the quarter's end is not counted for that quarter (nor, being partly
  before the next one's window, for the next);
* kinds/attribute: a subject that no case applies to is not applicable (``no_case``), never
  ``missing``;
* outcomes/kinds: a subject with nothing to examine says why (``no_periods`` when no period
  has begun, ``not_configured`` when its level has no period kind);
* outcomes: a subject whose jurisdiction path resolves to nothing is the submitter's, not
  a jurisdiction called "nan".
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.dataset import dataset_from_document
from checker.dates import day_number, period_of
from checker.finding import Finding
from checker.kinds.cardinality import _period_start_days

from . import strategies as s
from .harness import check, ducha, make_rule

WB = [{"id": "W1", "name": "河一", "kind": "river"}]


def doc(as_of: str = "2018-12-31", period: str = "2018Q4", **tables: Any) -> dict[str, Any]:
    return s.header("450802", dt.date.fromisoformat(as_of), period) | tables


def chief(i: int, level: str = "village", **kw: Any) -> dict[str, Any]:
    return {"id": f"C{i}", "name": f"河长{i}", "level": level, "post": "village_cadre", "jurisdiction": "450802",
            "water_body": "W1", "appointed": "2017-01-01", **kw}


def only(findings: list[Finding], sid: str) -> Finding:
    (f,) = [f for f in findings if f.subject_id == sid]
    return f


def test_a_finding_describes_one_lapse() -> None:
    rule = make_rule("deadline", {"evidence": {"table": "documents", "match": {"issuer": "code"}, "date": "reported"},
                                  "each_of": {"field": "kind", "values": ["work_plan", "supporting_systems"]},
                                  "due": "2017-12-31"})
    d = doc(documents=[{"id": "D1", "kind": "work_plan", "title": "方案", "issuer": "450802",
                        "issued": "2017-12-01", "reported": "2018-01-02"}])
    f = only(ducha(d, rule), "450802")
    # work_plan was 2 days late; supporting_systems is missing, 365 days overdue: the headline.
    assert (f.outcome, f.reason, f.days_overdue, f.due) == ("violated", "missing", 365, "2017-12-31")
    assert f.parts == ("work_plan", "supporting_systems")
    check(d, rule)


def test_missing_values_never_join_each_other() -> None:
    rule = make_rule("cardinality", {"subjects": {"table": "chiefs"},
                                     "count": {"table": "patrols", "match": {"reach": "reach"}}, "min": 1})
    d = doc(water_bodies=WB, chiefs=[chief(0)], patrols=[{"id": "P0", "chief": "C0", "date": "2018-12-01"}])
    f = only(ducha(d, rule), "C0")
    assert (f.outcome, f.reason) == ("violated", "too_few")  # the patrol has no reach either: 0, not 1
    check(d, rule)


def test_an_integer_column_without_value_is_missing_in_a_key() -> None:
    """documents.year is an Int64 column: its missing values are pd.NA, once keyed as "<NA>"."""
    rule = make_rule("cardinality", {"subjects": {"table": "documents"},
                                     "count": {"table": "documents", "match": {"year": "year"}}, "max": 0})
    d = doc(documents=[{"id": f"D{i}", "kind": "other", "title": "t", "issuer": "450802", "issued": "2018-01-01"}
                       for i in (1, 2)])
    assert [f.outcome for f in ducha(d, rule)] == ["passed", "passed"]
    check(d, rule)


def test_subject_types_are_proper_singulars() -> None:
    reaches = [{"id": "R1", "water_body": "W1", "jurisdiction": "450802", "length_km": 1.0}]
    for table, want in (("water_bodies", "water_body"), ("reaches", "reach"), ("chiefs", "chief")):
        rule = make_rule("attribute", {"subjects": {"table": table}, "field": "id", "cases": [{"allowed": ["x"]}]})
        found = ducha(doc(water_bodies=WB, reaches=reaches, chiefs=[chief(0)]), rule)
        assert {f.subject_type for f in found} == {want}


def test_a_week_running_past_the_quarter_is_not_counted_for_it() -> None:
    # 2020Q4 ends on Thursday 2020-12-31; the week 12-28 .. 2021-01-03 ends after it.
    rule = make_rule("cardinality", {"subjects": {"table": "chiefs"}, "min": 1,
                                     "count": {"table": "patrols", "match": {"chief": "id"}, "date": "date"},
                                     "per_period": {"every": "week"}})
    patrols = [{"id": f"P{i}", "chief": "C0", "date": (dt.date(2020, 10, 5) + dt.timedelta(days=7 * i)).isoformat()}
               for i in range(12)]  # every whole week of the quarter has one; 12-28 .. 01-03 has none
    d = doc(as_of="2021-01-10", period="2020Q4", water_bodies=WB, chiefs=[chief(0)], patrols=patrols)
    f = only(ducha(d, rule), "C0")
    assert f.outcome == "passed", f
    check(d, rule)


def test_a_subject_no_case_applies_to_is_not_applicable() -> None:
    rule = make_rule("attribute", {"subjects": {"table": "patrols"}, "field": "duration_min",
                                   "cases": [{"when": {"chief": "C1"}, "op": ">=", "value": 30}]})
    d = doc(water_bodies=WB, chiefs=[chief(0), chief(1)],
            patrols=[{"id": "P0", "chief": "C0", "date": "2018-12-01"}, {"id": "P1", "chief": "C1", "date": "2018-12-01"}])
    found = ducha(d, rule)
    assert (only(found, "P0").outcome, only(found, "P0").reason) == ("not_applicable", "no_case")
    assert (only(found, "P1").outcome, only(found, "P1").reason) == ("violated", "missing")
    check(d, rule)


def test_nothing_to_examine_says_why() -> None:
    per_level = make_rule("cardinality", {"subjects": {"table": "chiefs"}, "min": 1,
                                          "count": {"table": "patrols", "match": {"chief": "id"}, "date": "date"},
                                          "per_period": {"every": {"param": "f"}, "by": "level",
                                                         "tenure": ["appointed", "left"]}},
                          params={"f": {"village": "week"}})
    d = doc(water_bodies=WB, chiefs=[chief(0, "county"), chief(1, "village", appointed="2018-12-30")])
    found = ducha(d, per_level, overrides={"f": {"village": "week"}})
    assert only(found, "C0").reason == "not_configured"  # no period kind for county chiefs
    assert only(found, "C1").reason == "no_periods"  # appointed too late for any whole week
    check(d, per_level)
    yearly = make_rule("recurring", {"evidence": {"table": "documents", "match": {"issuer": "code"}, "date": "issued"},
                                     "period": {"every": "year", "first": "2019"}})
    assert only(ducha(d, yearly), "450802").reason == "no_periods"  # the first period has not begun


def test_an_unknown_jurisdiction_is_the_submitters() -> None:
    rule = make_rule("attribute", {"subjects": {"table": "chiefs", "jurisdiction": "water_body.flood_control_jurisdiction"},
                                   "field": "post", "cases": [{"allowed": ["village_cadre"]}]})
    wbs = WB + [{"id": "W2", "name": "河二", "kind": "reservoir", "flood_control_jurisdiction": "450803"}]
    found = ducha(doc(water_bodies=wbs, chiefs=[chief(0), chief(2, water_body="W2")]), rule)
    assert [(f.jurisdiction, f.jurisdiction_name) for f in found] == [("450802", "港北区"), ("450803", "港南区")]


def test_empty_tables_are_fresh_each_time() -> None:
    a = dataset_from_document(doc())
    a.tables["patrols"]["extra"] = 1
    a.tables["patrols"].loc[0] = None
    b = dataset_from_document(doc())
    assert "extra" not in b.tables["patrols"].columns and len(b.tables["patrols"]) == 0


@settings(max_examples=300)
@given(st.sampled_from(["week", "xun", "month", "quarter", "year"]),
       st.lists(st.dates(dt.date(1995, 1, 1), dt.date(2045, 12, 31)), min_size=1, max_size=40))
def test_vectorised_period_starts_equal_the_calendar(kind: str, days: list[dt.date]) -> None:
    got = _period_start_days(kind, np.array([day_number(d) for d in days], dtype=np.int64))
    assert list(got) == [day_number(period_of(kind, d).start) for d in days]

