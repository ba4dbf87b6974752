"""Hypothesis strategies: small, valid submissions and rules of every kind, aimed at the
boundaries (the due day itself and the day after, exactly min and one below, empty tables,
duplicated evidence, evidence dated after ``as_of``, chiefs appointed mid-period, units
written with and without their jurisdiction, values equal to the bound)."""
from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from checker.dates import month_day_in, parse_quarter, periods_between, quarter_label
from checker.rulefile import LoadedRule

from .harness import make_rule

JURISDICTIONS = [
    {"code": "450800", "name": "贵港市", "level": "city"},
    {"code": "450802", "name": "港北区", "level": "county", "parent": "450800"},
    {"code": "450803", "name": "港南区", "level": "county", "parent": "450800"},
    {"code": "450802001", "name": "贵城街道", "level": "township", "parent": "450802"},
    {"code": "450802101", "name": "港城镇", "level": "township", "parent": "450802"},
    {"code": "450803001", "name": "江南街道", "level": "township", "parent": "450803"},
    {"code": "450802001001", "name": "江南社区", "level": "village", "parent": "450802001"},
    {"code": "450802101001", "name": "东龙村", "level": "village", "parent": "450802101"},
    {"code": "450803001001", "name": "新村", "level": "village", "parent": "450803001"},
]
CODES = [j["code"] for j in JURISDICTIONS]
ISSUERS = ["450802"] * 4 + ["450802001", "450802101"] * 2 + CODES  # mostly the usual submitter's own
LEVELS = ["city", "county", "township", "village"]
# Days the generated dates cluster around (a leap day and quarter ends among them).
BASES = [dt.date(2017, 12, 31), dt.date(2018, 6, 30), dt.date(2019, 3, 31), dt.date(2020, 2, 29),
         dt.date(2018, 10, 1), dt.date(2021, 1, 1)]
# Unit names: the same unit written with and without a jurisdiction, and lookalikes.
UNITS = ["区生态环境局", "生态环境局", "长宁区生态环境局", "区水利局", "水利局", "市场监管局", "市市场监管局",
         "区绿化市容局", "区建管委", "区建管委员会", "新泾镇", " 区发展改革委 ", "发展改革委（物价局）", "发展改革委(物价局)",
         '区"河长"办', "区河长办\\分办", "区水利局分局"]


@dataclass
class Case:
    doc: dict[str, Any]
    rule: LoadedRule
    as_of: dt.date | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    also: tuple[dt.date, ...] = ()  # more evaluation dates: the day before, of and after a due day


def around(day: dt.date) -> tuple[dt.date, ...]:
    return (day - dt.timedelta(days=1), day, day + dt.timedelta(days=1))


def near(base: dt.date) -> st.SearchStrategy[dt.date]:
    """Mostly within three days of ``base`` (the due day, the day after, ...), sometimes far."""
    close = st.integers(-3, 3)
    far = st.sampled_from([-400, -120, -45, -10, 10, 45, 120, 400])
    return st.one_of(close, close, far).map(lambda d: base + dt.timedelta(days=d))


def iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def header(submitter: str, as_of: dt.date, period: str) -> dict[str, Any]:
    return {"schema_version": "1.0", "submission_id": "S-1", "pack": "guigang-river-chief",
            "jurisdiction": submitter, "period": period, "as_of": as_of.isoformat(),
            "jurisdictions": [dict(j) for j in JURISDICTIONS]}


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


@st.composite
def envelope(draw: st.DrawFn, as_of: dt.date) -> dict[str, Any]:
    """Header fields: the submitter (usually a county), and the quarter reported on (the one
    containing as_of, or the one before it: data cut off after the quarter ended)."""
    submitter = draw(st.sampled_from(["450802", "450802", "450802", "450800", "450802001"]))
    back = draw(st.sampled_from([0, 0, 1]))
    q = parse_quarter(quarter_label(as_of))
    if back:
        q = parse_quarter(quarter_label(q.start - dt.timedelta(days=1)))
    return header(submitter, as_of, q.label)


def rule_envelope(draw: st.DrawFn) -> dict[str, Any]:
    """Applicability: usually every level; sometimes not the submitter's, or not yet in force."""
    levels = draw(st.sampled_from([("city", "county", "township"), ("city", "county", "township"), ("county",)]))
    on_empty = draw(st.sampled_from(["not_applicable", "violated"]))
    effective = draw(st.sampled_from([{}, {}, {}, {"from": "2018-07-01"}, {"until": "2018-12-31"}]))
    return {"levels": levels, "on_empty": on_empty, "effective": effective}


# --------------------------------------------------------------------------- tables

@st.composite
def documents(draw: st.DrawFn, around: dt.date, kinds: list[str], max_size: int = 9) -> list[dict[str, Any]]:
    n = draw(st.sampled_from([*range(3, max_size + 1), 2, 0]))
    out = []
    for i in range(n):
        issued = draw(near(around))
        reported = draw(st.one_of(st.none(), near(around), st.just(issued)))
        year = draw(st.one_of(st.none(), st.integers(around.year - 2, around.year + 1)))
        covers = draw(st.lists(st.sampled_from(UNITS[:6] + ["生物多样性", "城市生态服务质量"]), max_size=3))
        out.append(_clean({"id": f"D{i}", "kind": draw(st.sampled_from(kinds)), "title": f"文件{i}",
                           "issuer": draw(st.sampled_from(ISSUERS)), "issued": iso(issued), "reported": iso(reported),
                           "reported_to": draw(st.sampled_from([None, "市委市政府", "区委区政府"])),
                           "year": year, "covers": covers}))
    return out


@st.composite
def rivers(draw: st.DrawFn, around: dt.date, chiefs_max: int = 8) -> dict[str, list[dict[str, Any]]]:
    """Water bodies, reaches and chiefs (appointed and left near ``around``)."""
    nw = draw(st.sampled_from([2, 3, 1, 0]))
    wbs = [_clean({"id": f"W{i}", "name": f"河{i}", "kind": draw(st.sampled_from(["river", "lake", "reservoir"])),
                   "main_river": draw(st.sampled_from([True, False, None])),
                   "flood_control_jurisdiction": draw(st.one_of(st.none(), st.sampled_from(CODES)))}) for i in range(nw)]
    reaches, chiefs = [], []
    if wbs:
        for i in range(draw(st.sampled_from([3, 4, 5, 2, 1, 0]))):
            reaches.append({"id": f"R{i}", "water_body": draw(st.sampled_from(wbs))["id"],
                            "jurisdiction": draw(st.sampled_from(CODES)),
                            "length_km": draw(st.sampled_from([0.0, 0.5, 2.0, 3.0, 10.25]))})
        for i in range(draw(st.sampled_from([*range(chiefs_max // 2, chiefs_max + 1), *range(chiefs_max // 2)]))):
            appointed = draw(near(around))
            left = draw(st.one_of(st.none(), st.none(), near(around)))
            if left is not None and left < appointed:
                left = appointed
            chiefs.append(_clean({
                "id": f"C{i}", "name": f"河长{i}", "level": draw(st.sampled_from(LEVELS)),
                "post": draw(st.sampled_from(["party_principal", "government_principal", "leader",
                                              "village_party_secretary", "village_cadre"])),
                "jurisdiction": draw(st.sampled_from(CODES)), "water_body": draw(st.sampled_from(wbs))["id"],
                "reach": draw(st.one_of(st.none(), st.sampled_from([r["id"] for r in reaches]))) if reaches else None,
                "appointed": iso(appointed), "left": iso(left)}))
    return {"water_bodies": wbs, "reaches": reaches, "chiefs": chiefs}


def _param(draw: st.DrawFn, name: str, value: Any, params: dict[str, Any], overrides: dict[str, Any],
           alternative: Any = None) -> Any:
    """Write ``value`` into the spec directly, or as ``{param: name}`` (default, or overridden)."""
    how = draw(st.sampled_from(["inline", "param", "override"] if alternative is not None else ["inline", "param"]))
    if how == "inline":
        return value
    params[name] = alternative if how == "override" else value
    if how == "override":
        overrides[name] = value
    return {"param": name}


# --------------------------------------------------------------------------- deadline

@st.composite
def deadline_cases(draw: st.DrawFn) -> Case:
    due = draw(st.sampled_from(BASES))
    as_of = draw(near(due))
    doc = draw(envelope(as_of))
    doc["documents"] = draw(documents(due, ["work_plan", "work_plan", "supporting_systems", "assessment_measures"]))
    params: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    spec: dict[str, Any] = {
        "evidence": {"table": "documents", "match": {"issuer": "code"},
                     "where": draw(st.sampled_from([{}, {"kind": "work_plan"}, {"kind": ["work_plan", "assessment_measures"]},
                                                    {"kind": "work_plan", "reported": "$notnull"}, {"reported_to": "$null"},
                                                    {"issuer": "$submitter"}, {"covers": "生物多样性"},
                                                    {"covers": ["生物多样性", "水利局"]}, {"year": {"gte": 2017, "lt": 2019}},
                                                    {"kind": {"ne": "work_plan"}}, {"reported_to": {"not_in": ["市委市政府"]}},
                                                    {"title": {"gte": "文件3"}}])),
                     "date": draw(st.sampled_from(["reported", "issued", None]))},
        "due": _param(draw, "due", due.isoformat(), params, overrides, alternative="2000-01-01"),
    }
    subjects = draw(st.sampled_from([None, {"table": "jurisdictions", "where": {"level": ["county", "township"]}},
                                     {"table": "jurisdictions"}, {"table": "jurisdictions", "where": {"level": "village"}}]))
    if subjects:
        spec["subjects"] = subjects
    if draw(st.booleans()):
        spec["each_of"] = {"field": "kind", "values": ["work_plan", "supporting_systems"]}
    env = rule_envelope(draw)
    rule = make_rule("deadline", spec, rid="TK-DEADLINE", params=params, levels=env["levels"],
                     on_empty=env["on_empty"], effective=env["effective"])
    return Case(doc, rule, None, overrides, (due, due + dt.timedelta(days=1), due + dt.timedelta(days=30)))


# --------------------------------------------------------------------------- coverage

@st.composite
def coverage_cases(draw: st.DrawFn) -> Case:
    due = draw(st.sampled_from(BASES))
    as_of = draw(near(due))
    doc = draw(envelope(as_of))
    doc.update(draw(rivers(due)))
    variant = draw(st.sampled_from(["levels", "water_bodies", "villages"]))
    chief_where = draw(st.sampled_from([{}, {"left": "$null"}, {"post": ["party_principal", "government_principal"]}]))
    if variant == "levels":
        spec: dict[str, Any] = {
            "subjects": {"table": "reaches", "where": draw(st.sampled_from([{}, {"water_body.main_river": True},
                                                                             {"water_body.kind": "river"}])),
                         "expand": {"level": draw(st.sampled_from([["county", "township", "village"],
                                                                   ["city", "county", "township", "village"]]))}},
            "evidence": {"table": "chiefs", "where": chief_where,
                         "match": {"water_body": "water_body", "jurisdiction": "jurisdiction@level", "level": "level"},
                         "date": draw(st.sampled_from(["appointed", None]))},
            "require_levels_below_submitter": draw(st.booleans()),
        }
    elif variant == "water_bodies":
        spec = {"subjects": {"table": "water_bodies", "where": draw(st.sampled_from([{}, {"kind": "river"}, {"main_river": True}])),
                             "where_by_level": draw(st.sampled_from([{}, {"county": {"kind": {"ne": "lake"}}}, {"city": {"main_river": True}}]))},
                "evidence": {"table": "chiefs", "where": {**chief_where, "level": draw(st.sampled_from(["county", "township"]))},
                             "match": {"water_body": "id"}, "date": "appointed"}}
    else:
        spec = {"subjects": {"table": "jurisdictions", "where": {"level": "village"}},
                "evidence": {"table": "chiefs", "where": chief_where, "match": {"jurisdiction": "code"}, "date": "appointed"}}
    if draw(st.booleans()):
        spec["due"] = due.isoformat()
    env = rule_envelope(draw)
    rule = make_rule("coverage", spec, rid="TK-COVERAGE", levels=env["levels"], on_empty=env["on_empty"],
                     effective=env["effective"])
    return Case(doc, rule, None, {}, around(due))


# --------------------------------------------------------------------------- membership

@st.composite
def membership_cases(draw: st.DrawFn) -> Case:
    due = draw(st.sampled_from(BASES))
    as_of = draw(near(due))
    doc = draw(envelope(as_of))
    n = draw(st.integers(0, 6))
    doc["member_units"] = [{"id": f"M{i}", "jurisdiction": draw(st.sampled_from(CODES[:3])),
                            "unit": draw(st.sampled_from(UNITS))} for i in range(n)]
    doc["documents"] = draw(documents(due, ["index_system", "other"]))
    params: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    required_list = draw(st.lists(st.sampled_from(UNITS[:9] + ["生物多样性"]), max_size=4))
    required: Any = draw(st.sampled_from(["list", "param", "file"]))
    if required == "file":
        required = {"file": "members.yaml", "field": "name"}
    elif required == "param":
        required = _param(draw, "members", required_list, params, overrides, alternative=["水利局"])
    else:
        required = required_list
    if draw(st.booleans()):
        spec: dict[str, Any] = {"required": required, "field": "unit",
                                "evidence": {"table": "member_units",
                                             "where": draw(st.sampled_from([{"jurisdiction": "$submitter"}, {}]))}}
    else:
        spec = {"required": required, "field": "covers",
                "evidence": {"table": "documents", "where": {"kind": "index_system"}, "date": "issued"}}
        if draw(st.booleans()):
            spec["due"] = due.isoformat()
    if draw(st.booleans()):
        spec["normalise"] = "unit"
    if draw(st.booleans()):
        spec["subject_type"] = "member_unit"
    env = rule_envelope(draw)
    rule = make_rule("membership", spec, rid="TK-MEMBERSHIP", params=params, levels=env["levels"],
                     on_empty=env["on_empty"], effective=env["effective"])
    return Case(doc, rule, None, overrides, around(due))


# --------------------------------------------------------------------------- recurring

@st.composite
def reports(draw: st.DrawFn, as_of: dt.date, every: str, due: str = "end", n: int = 1,
            anchor: int | None = None) -> list[dict[str, Any]]:
    """Periodic reports of the submitter and its two townships, from 2014 to just after
    ``as_of``: most periods have one dated near the period's due day (a few days early or
    late), some none, some two; the ``year`` field is usually right, sometimes missing or off
    by one. (The first choice of each ``sampled_from`` is the one Hypothesis favours: the
    ordinary case.)"""
    out: list[dict[str, Any]] = []
    for per in periods_between(every, dt.date(2014, 1, 1), as_of + dt.timedelta(days=40), n=n, anchor=anchor):
        due_day = per.end if due == "end" else month_day_in(per.end.year, due)
        for issuer in ("450802", "450802001", "450802101"):
            for _ in range(draw(st.sampled_from([1, 1, 1, 1, 1, 1, 0, 2]))):
                issued = due_day + dt.timedelta(days=draw(st.sampled_from([0, -3, -1, -20, 0, 1, 2, 30, -200])))
                year = draw(st.sampled_from([per.end.year] * 6 + [None, per.end.year + 1]))
                out.append(_clean({"id": f"D{len(out)}", "kind": draw(st.sampled_from(["annual_report"] * 7 + ["other"])),
                                   "title": f"报告{len(out)}", "issuer": issuer, "issued": iso(issued),
                                   "reported": iso(draw(st.sampled_from([issued] * 5 + [None, per.end]))),
                                   "year": year}))
    return out


OCCASIONS = [{"id": "water-day", "name": "世界水日", "day": "03-22"},
             {"id": "bio-day", "name": "国际生物多样性日", "day": "05-22"},
             {"id": "leap", "name": "闰日", "day": "02-29"},
             {"id": "month", "name": "保护野生动物宣传月"}]


@st.composite
def recurring_cases(draw: st.DrawFn) -> Case:
    as_of = draw(st.sampled_from(BASES))
    as_of = draw(near(as_of))
    doc = draw(envelope(as_of))
    every = draw(st.sampled_from(["year", "quarter", "years", "window"]))
    params: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    if every == "window":
        n = draw(st.integers(0, 8))
        doc["activities"] = [_clean({"id": f"A{i}", "date": iso(draw(st.sampled_from([dt.date(y, m, d) for y in (2017, 2018, 2019, 2020)
                                                                                          for m, d in ((3, 22), (5, 22), (2, 28), (3, 1))]).flatmap(near))),
                                     "occasion": draw(st.sampled_from([o["name"] for o in OCCASIONS] + [None])),
                                     "organiser": "区生态环境局", "title": f"活动{i}"}) for i in range(n)]
        anchor_at = draw(st.sampled_from(["day", "05-22"]))
        period: dict[str, Any] = {"every": "year", "first": str(draw(st.integers(2016, 2019))),
                                  "window": {"around": anchor_at,
                                             "before": _param(draw, "before", draw(st.sampled_from([0, 1, 15])), params, overrides, 3),
                                             "after": draw(st.sampled_from([0, 2, 15]))}}
        spec: dict[str, Any] = {"subjects": {"table": "values", "values": draw(st.lists(st.sampled_from(OCCASIONS), max_size=3, unique_by=lambda o: o["id"]))},
                                "evidence": {"table": "activities", "match": {"occasion": "name"}, "date": "date"},
                                "period": period}
    else:
        if every == "year":
            period = {"every": "year", "first": str(draw(st.integers(as_of.year - 2, as_of.year + 1))),
                      "due": draw(st.sampled_from(["end", "01-31", "03-31", "02-29"]))}
        elif every == "quarter":
            back = draw(st.sampled_from([-95, 0, 95, 190, 370]))  # from next quarter to five quarters back
            period = {"every": "quarter", "first": quarter_label(as_of - dt.timedelta(days=back))}
        else:
            period = {"every": "years", "n": draw(st.integers(1, 3)), "first": str(draw(st.integers(2016, 2019))),
                      "due": draw(st.sampled_from(["end", "06-30"]))}
        period["until"] = draw(st.sampled_from(["as_of", "submission"]))
        doc["documents"] = draw(reports(as_of, period["every"], period.get("due", "end"), period.get("n", 1),
                                        int(period["first"]) if every == "years" else None))
        spec = {"subjects": draw(st.sampled_from([{"table": "submitter"}, {"table": "jurisdictions", "where": {"level": "township"}}])),
                "evidence": {"table": "documents", "where": {"kind": "annual_report"}, "match": {"issuer": "code"},
                             "date": draw(st.sampled_from(["issued", "reported"]))},
                "period": period}
        if every != "quarter" and draw(st.booleans()):
            spec["period_field"] = "year"
    env = rule_envelope(draw)
    rule = make_rule("recurring", spec, rid="TK-RECURRING", params=params, levels=env["levels"],
                     on_empty=env["on_empty"], effective=env["effective"])
    return Case(doc, rule, None, overrides, around(parse_quarter(doc["period"]).end))


# --------------------------------------------------------------------------- cardinality

@st.composite
def cardinality_cases(draw: st.DrawFn) -> Case:
    as_of = draw(near(draw(st.sampled_from(BASES))))
    doc = draw(envelope(as_of))
    q = parse_quarter(doc["period"])
    doc.update(draw(rivers(q.start, chiefs_max=6)))
    params: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    bounds = draw(st.sampled_from([(1, None), (2, None), (0, 1), (None, 2), (1, 3), (2, 2), (None, None)]))
    per_period = draw(st.booleans()) and bool(doc["chiefs"])
    if per_period:
        start = min(q.start, dt.date(as_of.year, 1, 1))
        days = (as_of - start).days + 20
        ids = [c["id"] for c in doc["chiefs"]]
        doc["patrols"] = [_clean({"id": f"P{i}", "chief": draw(st.sampled_from(ids)),
                                  "reach": draw(st.one_of(st.none(), st.sampled_from([r["id"] for r in doc["reaches"]]))) if doc["reaches"] else None,
                                  "date": iso(start + dt.timedelta(days=draw(st.integers(-10, days))))})
                          for i in range(draw(st.integers(0, 30)))]
        every: Any = draw(st.sampled_from(["week", "xun", "month", "quarter", "year", "by_level"]))
        pp: dict[str, Any] = {"within": draw(st.sampled_from(["submission", "as_of_year"]))}
        if every == "by_level":
            table = {"village": "week", "township": "xun", "county": "month"}
            # A table of period kinds is always a parameter (the spec field takes a name or a param).
            params["frequency"] = table if draw(st.booleans()) else {"city": "quarter"}
            if params["frequency"] != table:
                overrides["frequency"] = table
            pp["every"] = {"param": "frequency"}
            pp["by"] = "level"
        else:
            pp["every"] = every
        if draw(st.booleans()):
            pp["tenure"] = ["appointed", "left"]
        spec: dict[str, Any] = {"subjects": {"table": "chiefs", "where": draw(st.sampled_from([{}, {"left": "$null"}])),
                                             **draw(st.sampled_from([{}, {"jurisdiction": "jurisdiction@county"},
                                                                     {"jurisdiction": "water_body.flood_control_jurisdiction"}]))},
                                "count": {"table": "patrols", "match": {"chief": "id"}, "date": "date"},
                                "per_period": pp}
    else:
        variant = draw(st.sampled_from(["water_bodies", "reach_of_chief"]))
        if variant == "water_bodies":
            spec = {"subjects": {"table": "water_bodies", "where": draw(st.sampled_from([{}, {"kind": "river"}]))},
                    "count": {"table": "chiefs", "match": {"water_body": "id"},
                              "where": draw(st.sampled_from([{}, {"level": "county"}])),
                              "date": draw(st.sampled_from([None, "appointed"]))}}
        else:
            # Both sides of the join may be missing (a chief and a patrol without a reach):
            # a missing value never matches anything, not even another missing value.
            ids = [c["id"] for c in doc["chiefs"]]
            doc["patrols"] = [_clean({"id": f"P{i}", "chief": draw(st.sampled_from(ids)),
                                      "reach": draw(st.one_of(st.none(), st.sampled_from([r["id"] for r in doc["reaches"]]))) if doc["reaches"] else None,
                                      "date": iso(draw(near(as_of)))})
                              for i in range(draw(st.integers(0, 8)))] if ids else []
            spec = {"subjects": {"table": "chiefs"}, "count": {"table": "patrols", "match": {"reach": "reach"}, "date": "date"}}
        if draw(st.booleans()):
            spec["due"] = draw(near(as_of)).isoformat()
    lo, hi = bounds
    if lo is not None:
        spec["min"] = _param(draw, "min", lo, params, overrides, alternative=lo + 5)
    if hi is not None:
        spec["max"] = hi
    env = rule_envelope(draw)
    rule = make_rule("cardinality", spec, rid="TK-CARDINALITY", params=params, levels=env["levels"],
                     on_empty=env["on_empty"], effective=env["effective"])
    return Case(doc, rule, None, overrides, around(q.end))


# --------------------------------------------------------------------------- attribute

FLOATS = [0.0, 0.1, 0.2, 0.3, 0.1 + 0.2, 0.5, 2.0, 3.0, 10.25, 1e-05, 0.85, 0.85 * 0.9]


@st.composite
def attribute_cases(draw: st.DrawFn) -> Case:
    as_of = draw(near(draw(st.sampled_from(BASES))))
    doc = draw(envelope(as_of))
    doc.update(draw(rivers(as_of)))
    params: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    variant = draw(st.sampled_from(["post", "length", "duration", "main_river", "reported_to"]))
    if variant == "post":
        posts = ["party_principal", "government_principal", "leader", "village_party_secretary", "village_cadre"]
        cases = [{"when": {"level": lv}, "allowed": draw(st.lists(st.sampled_from(posts), max_size=3))}
                 for lv in draw(st.lists(st.sampled_from(LEVELS), min_size=1, max_size=3, unique=True))]
        if draw(st.booleans()):
            cases[0]["allowed"] = _param(draw, "posts", cases[0]["allowed"], params, overrides, alternative=["leader"])
        spec: dict[str, Any] = {"subjects": {"table": "chiefs"}, "field": "post", "cases": cases}
    elif variant == "length":
        ops = draw(st.lists(st.sampled_from([">=", ">", "<=", "<", "==", "!="]), min_size=1, max_size=2))
        cases = [{"op": op, "value": draw(st.sampled_from(FLOATS + [2, 3]))} for op in ops]
        if draw(st.booleans()):
            cases[0]["when"] = {"jurisdiction": draw(st.sampled_from(CODES))}
        spec = {"subjects": {"table": "reaches", "where": draw(st.sampled_from([{}, {"length_km": {"gt": 0.5}},
                                                                               {"length_km": {"gte": 2, "lte": 3.0}}]))},
                "field": "length_km", "cases": cases}
    elif variant == "duration":
        ids = [c["id"] for c in doc["chiefs"]]
        doc["patrols"] = [_clean({"id": f"P{i}", "chief": draw(st.sampled_from(ids)), "date": iso(as_of),
                                  "duration_min": draw(st.one_of(st.none(), st.sampled_from(FLOATS + [30.0, 29.999999999999996])))})
                          for i in range(draw(st.integers(0, 5)))] if ids else []
        value = draw(st.sampled_from(FLOATS + [30]))
        spec = {"subjects": {"table": "patrols"}, "field": "duration_min",
                "cases": [{"op": draw(st.sampled_from([">=", "<"])),
                           "value": _param(draw, "minutes", value, params, overrides, alternative=1000)}]}
    elif variant == "main_river":
        spec = {"subjects": {"table": "water_bodies"}, "field": "main_river",
                "cases": [{"when": {"kind": draw(st.sampled_from(["river", "lake"]))}, "allowed": ["true"]}]}
        if draw(st.booleans()):
            spec["cases"].append({"when": {"main_river": False}, "allowed": ["false"]})
    else:
        doc["documents"] = draw(documents(as_of, ["work_plan", "other"]))
        spec = {"subjects": {"table": "documents"}, "field": "reported_to",
                "cases": [{"when": {"kind": "work_plan"}, "allowed": draw(st.sampled_from([["市委市政府"], ["市委市政府", "区委区政府"], ["市委"]]))}]}
    if draw(st.booleans()):
        spec["due"] = draw(near(as_of)).isoformat()
    env = rule_envelope(draw)
    rule = make_rule("attribute", spec, rid="TK-ATTRIBUTE", params=params, levels=env["levels"],
                     on_empty=env["on_empty"], effective=env["effective"])
    return Case(doc, rule, None, overrides)


# --------------------------------------------------------------------------- threshold

INDICATORS = ["surface_water_good_share", "water_area_km2", "native_species_count"]
VALUES = [0.0, 0.3, 0.1 + 0.2, 0.765, 0.85, 0.85 * 0.9, 0.9, 1.0, 100.0, 1e-05, 1e16, 1e16 + 2, 1.5e-07, -1.5,
          123456789.123, 1e300, 2.2250738585072014e-308]


@st.composite
def threshold_cases(draw: st.DrawFn) -> Case:
    as_of = draw(near(draw(st.sampled_from(BASES))))
    doc = draw(envelope(as_of))
    submitter = doc["jurisdiction"]
    rows: list[dict[str, Any]] = []
    rising = draw(st.booleans())  # values that rise year on year (the "previous" bound passes)
    for name in INDICATORS:
        for k, year in enumerate(range(as_of.year - 3, as_of.year + 2)):
            for _ in range(draw(st.sampled_from([1, 1, 1, 1, 1, 0, 2]))):
                value = [0.3, 0.5, 0.765, 0.85, 0.9][k] if rising else draw(st.sampled_from(VALUES))
                rows.append(_clean({"id": f"I{len(rows)}", "name": name,
                                    "jurisdiction": draw(st.sampled_from([submitter] * 6 + ["450803"])),
                                    "year": year, "value": value, "unit": draw(st.sampled_from(["ratio"] * 8 + ["count"])),
                                    "baseline": draw(st.one_of(st.none(), st.sampled_from(VALUES)))}))
    doc["indicators"] = rows
    params: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    against = draw(st.sampled_from(["constant", "baseline", "previous"]))
    spec: dict[str, Any] = {"indicators": draw(st.lists(st.sampled_from(INDICATORS), min_size=1, max_size=3, unique=True)),
                            "first_year": draw(st.integers(as_of.year - 3, as_of.year + 1)),
                            "op": draw(st.sampled_from([">=", "<="])), "against": against, "unit": "ratio",
                            "due": draw(st.sampled_from(["12-31", "03-31"]))}
    if draw(st.booleans()):
        spec["last_year"] = draw(st.integers(as_of.year - 2, as_of.year + 1))
    if against == "constant":
        spec["value"] = _param(draw, "target", draw(st.sampled_from(VALUES)), params, overrides, alternative=0.5)
    else:
        spec["ratio"] = _param(draw, "ratio", draw(st.sampled_from([1.0, 0.9, 1.1, 0.85])), params, overrides, alternative=2.0)
    env = rule_envelope(draw)
    rule = make_rule("threshold", spec, rid="TK-THRESHOLD", params=params, levels=env["levels"],
                     on_empty=env["on_empty"], effective=env["effective"])
    return Case(doc, rule, None, overrides, around(dt.date(as_of.year - 1, 12, 31)))


# --------------------------------------------------------------------------- ledger

_TABLES = Path(tempfile.mkdtemp(prefix="ducha-ledger-"))


def task_table(rows: list[dict[str, Any]]) -> str:
    """Write a ``ducha-task-table/1`` file; the name is its content hash (ducha caches by path)."""
    text = yaml.safe_dump({"format": "ducha-task-table/1", "rows": rows}, allow_unicode=True, sort_keys=True)
    name = f"tasks-{hashlib.sha256(text.encode()).hexdigest()[:16]}.yaml"
    path = _TABLES / name
    if not path.exists():
        path.write_text(text, encoding="utf-8")
    return name


@st.composite
def ledger_cases(draw: st.DrawFn, check: str | None = None) -> Case:
    as_of = draw(near(draw(st.sampled_from(BASES))))
    doc = draw(envelope(as_of))
    check = check or draw(st.sampled_from(["presence", "leads", "completion", "progress", "start"]))
    rows = []
    for i in range(draw(st.sampled_from([3, 4, 2, 1, 0]))):
        kind = "dated" if check in ("completion", "start") else draw(st.sampled_from(["dated", "ongoing"]))
        row = {"ref": f"T{i}", "text": f"任务{i}", "kind": kind, "section": draw(st.sampled_from(["一", "二"])),
               "lead_units": draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=2))}
        if kind == "dated":
            row["due"] = draw(st.sampled_from([as_of, as_of + dt.timedelta(days=1), as_of - dt.timedelta(days=1),
                                               as_of + dt.timedelta(days=365), as_of + dt.timedelta(days=366),
                                               as_of + dt.timedelta(days=30), as_of - dt.timedelta(days=200)])).isoformat()
        rows.append(row)
    refs = [r["ref"] for r in rows] + ["T9"]
    tasks = []
    for i in range(draw(st.sampled_from([4, 5, 6, 3, 2, 1, 0]))):
        completed = draw(st.one_of(near(as_of), st.none()))
        tasks.append(_clean({"id": f"K{i}", "task_ref": draw(st.sampled_from(refs)),
                             "status": draw(st.sampled_from(["completed", "in_progress", "not_started"])),
                             "lead_units": draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=2)),
                             "completed": iso(completed), "deliverable": draw(st.sampled_from(["成果", None]))}))
    doc["tasks"] = tasks
    if tasks and check == "progress":
        start = parse_quarter(quarter_label(as_of)).start - dt.timedelta(days=200)
        doc["progress"] = [{"id": f"G{i}", "task": draw(st.sampled_from(tasks))["id"],
                            "date": (start + dt.timedelta(days=draw(st.integers(0, 220)))).isoformat(),
                            "unit": draw(st.sampled_from(UNITS))} for i in range(draw(st.integers(0, 8)))]
    spec: dict[str, Any] = {"table": task_table(rows), "check": check,
                            "rows": "dated" if check in ("completion", "start") else draw(st.sampled_from(["all", "ongoing", "dated"]))}
    params: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    if check == "progress":
        first = parse_quarter(quarter_label(as_of - dt.timedelta(days=draw(st.sampled_from([0, 100, 200])))))
        spec["first_quarter"] = first.label
    if check == "presence" and draw(st.booleans()):
        spec["due"] = draw(near(as_of)).isoformat()
    if check == "start":
        spec["warn_days"] = _param(draw, "warn", draw(st.sampled_from([0, 30, 365])), params, overrides, alternative=1)
    env = rule_envelope(draw)
    rule = make_rule("ledger", spec, rid="TK-LEDGER", params=params, levels=env["levels"],
                     on_empty=env["on_empty"], effective=env["effective"], pack_dir=_TABLES)
    return Case(doc, rule, None, overrides, (as_of - dt.timedelta(days=1), as_of + dt.timedelta(days=1)))
