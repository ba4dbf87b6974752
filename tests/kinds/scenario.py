"""A deterministic county submission of any size, and one rule of every kind to run on it.

Used by the scale and determinism tests. Everything comes from ``random.Random(seed)``, so
the same arguments always give the same document. Dates cluster around quarter ends and the
due dates of the rules, chiefs are appointed and leave mid-quarter, some patrols fall after
``as_of``, some reaches have no chief at some level: every outcome occurs.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from checker.rulefile import LoadedRule

from .harness import make_rule

AS_OF = dt.date(2018, 12, 31)
PERIOD = "2018Q4"
LEVELS = ("county", "township", "village")
POSTS = {"county": ["party_principal", "government_principal", "leader"],
         "township": ["party_principal", "government_principal", "leader"],
         "village": ["village_party_secretary", "village_committee_director", "village_cadre"]}
UNITS = ["区水利局", "生态环境局", "区住建局", "财政局", "市场监管局", "区农业农村局"]


def _d(rng: random.Random, start: dt.date, days: int) -> str:
    return (start + dt.timedelta(days=rng.randrange(days))).isoformat()


def county(chiefs: int = 40, patrols: int = 400, seed: int = 1) -> dict[str, Any]:
    """港北区 as of 2018-12-31: ``chiefs`` river chiefs, ``patrols`` patrol records, and the
    jurisdictions, water bodies, reaches and documents around them (townships ≈ chiefs/20)."""
    rng = random.Random(seed)
    townships = max(2, chiefs // 20)
    jur = [{"code": "450800", "name": "贵港市", "level": "city"},
           {"code": "450802", "name": "港北区", "level": "county", "parent": "450800"}]
    villages = []
    for t in range(townships):
        tc = f"450802{t:03d}"
        jur.append({"code": tc, "name": f"乡镇{t}", "level": "township", "parent": "450802"})
        for v in range(3):
            vc = f"{tc}{v:03d}"
            jur.append({"code": vc, "name": f"村{t}-{v}", "level": "village", "parent": tc})
            villages.append(vc)
    nw = max(3, chiefs // 10)
    wbs = [{"id": f"W{i}", "name": f"河流{i}", "kind": rng.choice(["river", "river", "lake", "reservoir"]),
            "main_river": i < 3} for i in range(nw)]
    reaches = [{"id": f"R{i}", "water_body": f"W{i % nw}", "jurisdiction": rng.choice(villages),
                "length_km": round(rng.uniform(0.5, 20), 2)} for i in range(max(4, chiefs // 2))]
    anc = {j["code"]: j.get("parent") for j in jur}
    rows = []
    for i in range(chiefs):
        r = reaches[i % len(reaches)]
        level = LEVELS[i % 3] if rng.random() < 0.9 else rng.choice(LEVELS)
        code = r["jurisdiction"]
        at = {"village": code, "township": anc[code], "county": "450802"}[level]
        appointed = _d(rng, dt.date(2018, 8, 1), 120) if rng.random() < 0.3 else _d(rng, dt.date(2017, 3, 1), 300)
        left = _d(rng, dt.date(2018, 10, 1), 120) if rng.random() < 0.1 else None
        post = rng.choice(POSTS[level]) if rng.random() < 0.9 else "other"
        rows.append({k: v for k, v in {
            "id": f"C{i}", "name": f"河长{i}", "level": level, "post": post, "jurisdiction": at,
            "water_body": r["water_body"], "reach": r["id"], "appointed": appointed, "left": left}.items() if v is not None})
    pts = [{"id": f"P{i}", "chief": f"C{rng.randrange(chiefs)}", "date": _d(rng, dt.date(2018, 9, 20), 110)}
           for i in range(patrols)]
    docs = []
    for i, j in enumerate(x for x in jur if x["level"] in ("county", "township")):
        if rng.random() < 0.9:
            reported = _d(rng, dt.date(2017, 12, 20), 20)
            docs.append({"id": f"D{i}", "kind": "work_plan", "title": f"工作方案{i}", "issuer": j["code"],
                         "issued": "2017-12-01", "reported": reported})
    for y in (2017, 2018):
        if rng.random() < 0.8:
            docs.append({"id": f"AR{y}", "kind": "annual_report", "title": f"{y}年报", "issuer": "450802",
                         "issued": _d(rng, dt.date(y, 12, 20), 20), "year": y})
    members = [{"id": f"M{i}", "jurisdiction": "450802", "unit": u} for i, u in enumerate(UNITS) if rng.random() < 0.8]
    indicators = [{"id": f"I{y}", "name": "surface_water_good_share", "jurisdiction": "450802", "year": y,
                   "value": round(rng.uniform(0.6, 0.95), 3), "unit": "ratio", "baseline": 0.8} for y in (2017, 2018)]
    return {"schema_version": "1.0", "submission_id": f"GB-{seed}", "pack": "guigang-river-chief",
            "jurisdiction": "450802", "period": PERIOD, "as_of": AS_OF.isoformat(), "jurisdictions": jur,
            "water_bodies": wbs, "reaches": reaches, "chiefs": rows, "patrols": pts, "documents": docs,
            "member_units": members, "indicators": indicators}


FREQUENCY = {"village": "week", "township": "xun", "county": "month"}


def coverage_rule() -> LoadedRule:
    """Every reach has a chief at each level from the county down to its own."""
    return make_rule("coverage", {
        "subjects": {"table": "reaches", "expand": {"level": ["county", "township", "village"]}},
        "evidence": {"table": "chiefs", "where": {"left": "$null"}, "date": "appointed",
                     "match": {"water_body": "water_body", "jurisdiction": "jurisdiction@level", "level": "level"}},
        "due": "2018-06-30"}, rid="SC-COVERAGE")


def deadline_rule() -> LoadedRule:
    return make_rule("deadline", {
        "subjects": {"table": "jurisdictions", "where": {"level": ["county", "township"]}},
        "evidence": {"table": "documents", "where": {"kind": "work_plan"}, "match": {"issuer": "code"}, "date": "reported"},
        "due": "2017-12-31"}, rid="SC-DEADLINE")


def patrol_rule() -> LoadedRule:
    """Each chief patrols at least once per week (village), 旬 (township) or month (county)."""
    return make_rule("cardinality", {
        "subjects": {"table": "chiefs"}, "count": {"table": "patrols", "match": {"chief": "id"}, "date": "date"},
        "min": 1, "per_period": {"every": {"param": "frequency"}, "by": "level", "tenure": ["appointed", "left"]}},
        rid="SC-PATROLS", params={"frequency": FREQUENCY})


def all_rules() -> list[LoadedRule]:
    """One rule of every kind (ledger: see the static task table in ``rules/``)."""
    return [
        coverage_rule(), deadline_rule(), patrol_rule(),
        make_rule("cardinality", {"subjects": {"table": "water_bodies", "where": {"kind": "river"}},
                                  "count": {"table": "chiefs", "match": {"water_body": "id"}, "where": {"level": "county"}},
                                  "min": 1, "max": 2}, rid="SC-COUNT"),
        make_rule("attribute", {"subjects": {"table": "chiefs"}, "field": "post", "cases": [
            {"when": {"level": "village"}, "allowed": ["village_party_secretary"]},
            {"when": {"level": "county"}, "allowed": ["party_principal", "government_principal"]}]}, rid="SC-POSTS"),
        make_rule("attribute", {"subjects": {"table": "reaches"}, "field": "length_km",
                                "cases": [{"op": "<=", "value": 15.0}]}, rid="SC-LENGTH"),
        make_rule("recurring", {"evidence": {"table": "documents", "where": {"kind": "annual_report"},
                                             "match": {"issuer": "code"}, "date": "issued"},
                                "period": {"every": "year", "first": "2017"}, "period_field": "year"}, rid="SC-ANNUAL"),
        make_rule("membership", {"required": UNITS, "field": "unit", "normalise": "unit",
                                 "evidence": {"table": "member_units", "where": {"jurisdiction": "$submitter"}}},
                  rid="SC-MEMBERS"),
        make_rule("threshold", {"indicators": ["surface_water_good_share"], "first_year": 2017, "op": ">=",
                                "against": "baseline", "ratio": 1.0, "unit": "ratio"}, rid="SC-QUALITY"),
        make_rule("ledger", {"table": "scenario-tasks.yaml", "check": "presence"}, rid="SC-LEDGER"),
    ]
