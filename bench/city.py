"""A city's own quarterly submission, built from its plan and extracts of its counties.

The city answers for what the plan asks of the city (GG-01, GG-03, GG-04, GG-05, GG-07 …
GG-13, GG-16 … GG-21, GG-23, GG-27 for city chiefs): its chiefs of the main rivers, its
general chiefs, office, member units and their designees, joint meetings for the waters
that cross county lines (convened by the county with the longest reach, or for a medium
reservoir where its flood-control commander sits), its systems, platforms and task ledger,
its acceptance of every county, and its chiefs' quarterly patrols.

The counties' detail (every reach, every chief) belongs to the county submissions; a city
submission carries only what its own rules read: the city-level waters with their reaches
and county chiefs (:func:`extract_for_city`), and the jurisdictions those reaches lie in.
City submissions are generated fully compliant (no planted lapses).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import yaml

from checker.dates import day_number, from_day, parse_quarter, periods_between
from checker.units import unit_key

from .county import PACK, SubmissionData, _d, _iso
from .geo import GUIGANG, REFERENCE, CityPlan
from .names import person_names

CITY_SYSTEMS = ("meeting_system", "info_reporting_system", "info_sharing_system", "supervision_system",
                "acceptance_system", "incentive_mechanism", "assessment_measures")
SYSTEM_TITLES = {"meeting_system": "河长会议制度", "info_reporting_system": "河长制信息报送制度",
                 "info_sharing_system": "河长制信息共享制度", "supervision_system": "河长制工作督察制度",
                 "acceptance_system": "河长制工作验收制度", "incentive_mechanism": "河长制工作激励机制",
                 "assessment_measures": "河长制工作考核办法"}
PLATFORMS = {"platform_monitoring": "水资源监控信息管理平台", "platform_release": "河长制信息发布平台",
             "platform_sharing": "河长制信息共享平台"}


def extract_for_city(data: SubmissionData, shared: set[str]) -> dict[str, pd.DataFrame]:
    """What a county passes up for its city's submission: the city-level waters' reaches,
    the places they lie in, and their county chiefs."""
    reaches = data.tables["reaches"]
    reaches = reaches[reaches["water_body"].isin(shared)]
    j = data.tables["jurisdictions"]
    villages = j[j["code"].isin(set(reaches["jurisdiction"]))]
    towns = j[j["code"].isin(set(villages["parent"]))]
    chiefs = data.tables["chiefs"]
    chiefs = chiefs[(chiefs["level"] == "county") & chiefs["water_body"].isin(shared)]
    return {"reaches": reaches.reset_index(drop=True), "places": pd.concat([towns, villages], ignore_index=True),
            "chiefs": chiefs.reset_index(drop=True)}


@lru_cache(maxsize=1)
def _member_units() -> tuple[tuple[str, str, str], ...]:
    doc = yaml.safe_load((REFERENCE / "member_units.yaml").read_text(encoding="utf-8"))
    return tuple((item["name"], item["member_rank"], item["liaison_rank"]) for item in doc["items"])


@lru_cache(maxsize=1)
def _tasks() -> tuple[tuple[str, tuple[str, ...]], ...]:
    doc = yaml.safe_load((REFERENCE / "tasks.yaml").read_text(encoding="utf-8"))
    return tuple((row["ref"], tuple(row["lead_units"])) for row in doc["rows"])


class _CityBuilder:
    def __init__(self, city: CityPlan, period: str, seed: int, extracts: list[dict[str, pd.DataFrame]]) -> None:
        self.city = city
        self.q = parse_quarter(period)
        self.q0, self.as_of = day_number(self.q.start), day_number(self.q.end)
        self.rng = np.random.default_rng([seed, 6, int(city.code)])
        self.extracts = extracts
        self.guigang = city.code == f"{GUIGANG}00"

    def day(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))

    def unit(self, name: str) -> str:
        """A unit of the plan's list as this city names it: Guigang's carry its name
        (贵港市水利局, 贵港海事局), a synthetic city's only 市 (市海事局), which the pack's unit
        comparison strips as it strips 贵港市."""
        if self.guigang:
            return "贵港" + name if name.startswith("市") else name
        return "市" + unit_key(name)

    def build(self) -> SubmissionData:
        c, rng = self.city, self.rng
        code = c.code
        reaches = pd.concat([e["reaches"] for e in self.extracts], ignore_index=True)
        county_chiefs = pd.concat([e["chiefs"] for e in self.extracts], ignore_index=True)
        places = pd.concat([e["places"] for e in self.extracts], ignore_index=True).drop_duplicates("code")
        jurisdictions = pd.concat([pd.DataFrame({
            "code": [code, *[k.code for k in c.counties]], "name": [c.name, *[k.name for k in c.counties]],
            "level": ["city"] + ["county"] * len(c.counties), "parent": [None] + [code] * len(c.counties)}),
            places], ignore_index=True)
        waters = pd.DataFrame({"id": [w.id for w in c.shared], "name": [w.name for w in c.shared],
                               "kind": [w.kind for w in c.shared], "main_river": [w.main_river for w in c.shared],
                               "size": [w.size for w in c.shared],
                               "flood_control_jurisdiction": [w.flood_control for w in c.shared]})
        mains = [w for w in c.shared if w.main_river]
        leaders = person_names(rng, 12)  # 0 secretary, 1 mayor, 2 vice-mayor in charge, then others
        city_chiefs = pd.DataFrame({
            "id": [f"C{code}-{i + 1:03d}" for i in range(len(mains))],
            "name": [leaders[3 + i % 9] for i in range(len(mains))], "level": "city", "post": "leader",
            "jurisdiction": code, "water_body": [w.id for w in mains], "reach": None,
            "appointed": [self.day(_d(2017, 5, 1), _d(2017, 11, 30)) for _ in mains]})
        city_chiefs["left"] = pd.array([pd.NA] * len(city_chiefs), dtype="Int64")
        chiefs = pd.concat([city_chiefs, county_chiefs], ignore_index=True)
        tables: dict[str, pd.DataFrame] = {
            "jurisdictions": jurisdictions, "water_bodies": waters, "reaches": reaches, "chiefs": chiefs,
            "general_chiefs": pd.DataFrame({
                "id": [f"G{code}-1", f"G{code}-2"], "name": leaders[:2], "jurisdiction": code,
                "post": ["party_principal", "government_principal"],
                "appointed": [self.day(_d(2017, 4, 1), _d(2017, 9, 30)) for _ in range(2)]}),
        }
        tables["offices"] = pd.DataFrame({
            "id": [f"O{code}-1"], "jurisdiction": [code], "host_unit": [self.unit("市水利局")], "director": [leaders[2]],
            "director_post": ["government_leader_in_charge"], "established": [self.day(_d(2017, 6, 1), _d(2017, 9, 20))]})
        tables["office_deputies"] = pd.DataFrame({
            "id": [f"OD{code}-1", f"OD{code}-2"], "office": f"O{code}-1", "name": person_names(rng, 2),
            "unit": [self.unit("市水利局"), self.unit("市环境保护局")], "principal": True})
        units = _member_units()
        mu_ids = [f"MU{code}-{i + 1:02d}" for i in range(len(units))]
        tables["member_units"] = pd.DataFrame({"id": mu_ids, "jurisdiction": code,
                                               "unit": [self.unit(u) for u, _, _ in units]})
        tables["designees"] = pd.DataFrame({
            "id": [f"DS{code}-{i + 1:03d}" for i in range(2 * len(units))],
            "member_unit": np.repeat(np.array(mu_ids, dtype=object), 2), "role": ["member", "liaison"] * len(units),
            "name": person_names(rng, 2 * len(units)), "rank": [r for _, m, lia in units for r in (m, lia)]})
        tables["documents"] = self.documents(mains)
        tables["meetings"] = self.meetings(reaches, county_chiefs, jurisdictions)
        tables["acceptances"] = pd.DataFrame({
            "id": [f"A{code}-{i + 1:03d}" for i in range(len(c.counties))], "inspector": code,
            "subject": [k.code for k in c.counties],
            "date": [self.day(_d(2018, 7, 2), _d(2018, 9, 28)) for _ in c.counties], "result": "passed"})
        tables["acceptances"] = tables["acceptances"][tables["acceptances"]["date"] <= self.as_of]
        years = range(2018, from_day(self.as_of).year + 1)
        budgets = [(y, self.day(_d(y, 1, 3), _d(y, 1, 28))) for y in years]
        budgets = [(y, d) for y, d in budgets if d <= self.as_of]
        tables["budgets"] = pd.DataFrame({
            "id": [f"B{code}-{i + 1:03d}" for i in range(len(budgets))], "jurisdiction": code,
            "year": [y for y, _ in budgets], "amount": [round(float(rng.uniform(800, 3000)), 1) for _ in budgets],
            "recorded": [d for _, d in budgets]})
        tables["patrols"] = self.patrols(city_chiefs, reaches)
        tables["tasks"], tables["progress"] = self.ledger()
        header = {"schema_version": "1.0", "submission_id": f"GG-{code}-{self.q.label}", "pack": PACK,
                  "jurisdiction": code, "period": self.q.label, "as_of": _iso(self.as_of)}
        return SubmissionData(header, tables, [])

    def documents(self, mains: list[Any]) -> pd.DataFrame:
        c = self.city
        rows: list[dict[str, Any]] = []

        def add(kind: str, title: str, lo: int, hi: int, **extra: Any) -> None:
            rows.append({"kind": kind, "title": title, "issuer": c.code, "issued": self.day(lo, hi), **extra})

        add("work_plan", f"{c.name}全面推行河长制工作方案", _d(2017, 5, 1), _d(2017, 7, 31),
            reported_to="自治区党委、自治区人民政府")
        add("supporting_systems", f"{c.name}河长制相关配套制度", _d(2017, 10, 1), _d(2018, 3, 20))
        for kind in CITY_SYSTEMS:
            add(kind, f"{c.name}{SYSTEM_TITLES[kind]}", _d(2017, 10, 1), _d(2018, 3, 25))
        add("register", f"{c.name}江河湖库名录", _d(2017, 7, 1), _d(2017, 9, 20), deliverable="江河湖库名录")
        add("distribution_map", f"{c.name}江河湖库分布示意图", _d(2017, 7, 1), _d(2017, 9, 25), deliverable="分布示意图")
        for w in mains:
            add("one_policy", f"{c.name}{w.name}一河一策实施方案", _d(2018, 1, 5), _d(2018, 3, 25), water_body=w.id)
        add("third_party_evaluation", f"{c.name}河长制工作第三方评估委托书", _d(2018, 3, 1), _d(2018, 6, 20))
        add("chief_list_publication", f"{c.name}河长名单公告", _d(2018, 2, 1), _d(2018, 6, 20))
        for kind, title in PLATFORMS.items():
            add(kind, f"{c.name}{title}建设方案", _d(2017, 11, 1), _d(2018, 6, 25))
        docs = pd.DataFrame(rows)
        for col in ("reported_to", "reported", "water_body", "year", "deliverable"):
            if col not in docs:
                docs[col] = None
        docs["reported"] = docs["reported"].astype("Int64")
        docs["year"] = docs["year"].astype("Int64")
        docs.insert(0, "id", [f"D{c.code}-{i + 1:03d}" for i in range(len(docs))])
        return docs[["id", "kind", "title", "issuer", "issued", "reported_to", "reported", "water_body", "year",
                     "deliverable"]]

    def meetings(self, reaches: pd.DataFrame, county_chiefs: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
        """The city meeting, and a joint meeting per cross-county water (GG-10)."""
        c = self.city
        county_of = _county_of(places)
        rows = [{"kind": "river_chief_meeting", "jurisdiction": c.code, "water_body": None, "convener": None,
                 "established": self.day(_d(2017, 9, 1), _d(2018, 3, 20))}]
        in_post = county_chiefs[county_chiefs["left"].isna()]
        for w in c.shared:
            if w.main_river or len(w.reaches) < 2:
                continue
            if w.size == "medium" and w.flood_control:
                county = w.flood_control
            else:
                mine = reaches[reaches["water_body"] == w.id]
                km = mine.groupby(mine["jurisdiction"].map(county_of))["length_km"].sum()
                # The longest reach by total length; an exact tie goes to the smaller code.
                county = sorted(km.items(), key=lambda kv: (-round(kv[1], 6), kv[0]))[0][0]
            convener = in_post[(in_post["water_body"] == w.id) & (in_post["jurisdiction"] == county)]["id"].iloc[0]
            rows.append({"kind": "joint_meeting", "jurisdiction": c.code, "water_body": w.id, "convener": convener,
                         "established": self.day(_d(2017, 12, 1), _d(2018, 3, 25))})
        frame = pd.DataFrame(rows)
        frame.insert(0, "id", [f"M{c.code}-{i + 1:03d}" for i in range(len(frame))])
        return frame

    def patrols(self, chiefs: pd.DataFrame, reaches: pd.DataFrame) -> pd.DataFrame:
        """City chiefs patrol each quarter (GG-27), somewhere on their river in the city."""
        rows = []
        quarters = periods_between("quarter", self.q.start, from_day(self.as_of))
        for cid, wid, appointed in chiefs[["id", "water_body", "appointed"]].itertuples(index=False):
            own = reaches[reaches["water_body"] == wid]["id"].to_numpy()
            for q in quarters:
                lo, hi = max(day_number(q.start), int(appointed)), min(day_number(q.end), self.as_of)
                for _ in range(1 + int(self.rng.random() < 0.3)):
                    rows.append({"chief": cid, "reach": own[self.rng.integers(0, len(own))] if len(own) else None,
                                 "date": self.day(lo, hi), "duration_min": float(self.rng.integers(60, 241))})
        frame = pd.DataFrame(rows, columns=["chief", "reach", "date", "duration_min"])
        frame = frame.sort_values(["date", "chief"], kind="stable").reset_index(drop=True)
        frame.insert(0, "id", [f"P{self.city.code}-{i + 1:05d}" for i in range(len(frame))])
        return frame

    def ledger(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The plan's task items (GG-12) with the plan's lead units, and this quarter's progress."""
        c = self.city
        tasks = _tasks()
        ids = [f"T{c.code}-{i + 1:03d}" for i in range(len(tasks))]
        task_frame = pd.DataFrame({"id": ids, "task_ref": [ref for ref, _ in tasks], "status": "in_progress",
                                   "lead_units": [list(leads) for _, leads in tasks]})
        task_frame["completed"] = pd.array([pd.NA] * len(tasks), dtype="Int64")
        progress = pd.DataFrame({
            "id": [f"PR{c.code}-{i + 1:03d}" for i in range(len(tasks))], "task": ids,
            "date": [self.day(self.q0, self.as_of - 5) for _ in tasks], "unit": [leads[0] for _, leads in tasks],
            "note": "按计划推进"})
        return task_frame, progress


def _county_of(places: pd.DataFrame) -> dict[str, str]:
    """Village or township code → its county code, through the parent links."""
    parent = dict(zip(places["code"], places["parent"]))
    level = dict(zip(places["code"], places["level"]))
    out = {}
    for code in places["code"]:
        cur = code
        while cur is not None and level.get(cur) != "county":
            cur = parent.get(cur)
        out[code] = cur
    return out


def build_city(city: CityPlan, period: str, seed: int, extracts: list[dict[str, pd.DataFrame]]) -> SubmissionData:
    """The city's submission for quarter ``period``, from its counties' :func:`extract_for_city`."""
    return _CityBuilder(city, period, seed, extracts).build()
