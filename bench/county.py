"""One county's quarterly submission for the Guigang river-chief pack, as typed frames.

:func:`build_county` turns a :class:`~bench.geo.CountyPlan` into the tables of a realistic,
mostly compliant submission: the county's townships and villages, its water bodies and their
reaches (a water body's course through one village), river chiefs at county, township and
village level for every water body and every level it runs through (GG-01, GG-02, GG-05,
GG-06), general chiefs (GG-04), the county office and member units (GG-08, GG-11), the
documents the plan asks counties and townships for (GG-03, GG-13 … GG-17, GG-20 … GG-22,
GG-26), meetings (GG-07), acceptances (GG-18), budgets (GG-19), notice boards (GG-21) and
the quarter's patrols at the default frequencies of GG-27 (county monthly, township per 旬,
village weekly).

A few lapses are then planted on purpose (:data:`RATES`), each recorded in
``SubmissionData.lapses`` with the subject a checker should name, so a benchmark can test that
they are found and nothing else is.

Frames use field names; dates are day numbers (days since 1970-01-01, ``Int64`` where a
date may be empty), the dataset's own representation. Row order and every value depend only
on the plan, the period and the seed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import yaml

from checker.dates import Period, day_number, from_day, parse_quarter, periods_between
from checker.units import unit_key

from .geo import REFERENCE, CountyPlan, SharedWater, split_total
from .names import person_names, place_names

PACK = "guigang-river-chief"
# Share of subjects given each kind of lapse. Expected counts are binomial draws, so a small
# county may have none of a kind; ``min_lapses`` forces at least that many of each.
RATES: dict[str, float] = {
    "reach_without_village_chief": 0.01,  # GG-02
    "late_work_plan": 0.03,  # GG-14 (townships)
    "short_patrol_periods": 0.02,  # GG-27
    "missing_notice_board": 0.01,  # GG-21
}
# GG-27 default frequencies (obligations.md): the period kind each chief level patrols in.
PATROL_EVERY = {"county": "month", "township": "xun", "village": "week"}
REPLACED_IN_QUARTER = 0.015  # chiefs handed over during the quarter (not a lapse)
REPLACED_BEFORE = 0.01  # chiefs replaced earlier in 2018 (the old row stays, with its end date)
EXTRA_PATROLS = 0.05  # patrols beyond the minimum, as real chiefs often do
FAILED_ACCEPTANCE = 0.05  # failed, rectified, then accepted (compliant)


@dataclass
class SubmissionData:
    """A generated submission (county or city): header fields, frames by table name, planted lapses."""

    header: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    lapses: list[dict[str, Any]] = field(default_factory=list)


def _d(y: int, m: int, d: int) -> int:
    return day_number(date(y, m, d))


def _iso(day: int) -> str:
    return from_day(day).isoformat()


@lru_cache(maxsize=1)
def member_unit_keys() -> tuple[str, ...]:
    """The 16 member units of the plan's list, without their jurisdiction prefix."""
    doc = yaml.safe_load((REFERENCE / "member_units.yaml").read_text(encoding="utf-8"))
    return tuple(unit_key(item["name"]) for item in doc["items"])


class _Builder:
    """Holds one county's random generator and the rows built so far."""

    def __init__(self, plan: CountyPlan, period: Period, seed: int, min_lapses: int) -> None:
        self.plan = plan
        self.q = period
        self.q0, self.q1 = day_number(period.start), day_number(period.end)
        self.as_of = self.q1
        self.rng = np.random.default_rng([seed, 5, int(plan.code)])
        self.min_lapses = min_lapses
        self.lapses: list[dict[str, Any]] = []
        self.prefix = plan.name[-1] if plan.name[-1] in "区县市" else "县"

    # -- helpers -------------------------------------------------------------------------

    def days(self, lo: int, hi: int, n: int) -> np.ndarray:
        """``n`` day numbers uniform in [lo, hi]."""
        return self.rng.integers(lo, hi + 1, size=n)

    def lapse(self, obligation: str, rule: str, kind: str, subject: str, **detail: Any) -> None:
        """Record a planted lapse: the rule file expected to report it and the finding's subject id."""
        self.lapses.append({"obligation": obligation, "rule": rule, "kind": kind, "subject": str(subject),
                            **{k: (v.item() if isinstance(v, np.generic) else v) for k, v in detail.items()}})

    def pick_lapses(self, kind: str, candidates: np.ndarray) -> np.ndarray:
        """A deterministic random subset of ``candidates`` (positions) for one lapse kind."""
        n = int(self.rng.binomial(len(candidates), RATES[kind])) if len(candidates) else 0
        n = min(len(candidates), max(n, self.min_lapses))
        return np.sort(self.rng.choice(candidates, size=n, replace=False)) if n else candidates[:0]

    # -- places and people -----------------------------------------------------------------

    def jurisdictions(self) -> pd.DataFrame:
        p = self.plan
        t = p.townships
        streets = p.streets
        t_codes = [f"{p.code}{i + 1:03d}" if i < streets else f"{p.code}{100 + i - streets + 1:03d}" for i in range(t)]
        t_names = place_names(self.rng, t, ["街道"] * streets + ["镇"] * (t - streets))
        per = np.ones(t, dtype=np.int64) + self.rng.multinomial(p.villages - t, self.rng.dirichlet(np.full(t, 3.0)))
        v_town = np.repeat(np.arange(t), per)
        v_index = np.concatenate([np.arange(k) for k in per])
        v_codes = [f"{t_codes[ti]}{j + 1:03d}" for ti, j in zip(v_town, v_index)]
        v_names = place_names(self.rng, len(v_codes), ["社区" if ti < streets else "村" for ti in v_town])
        self.townships = np.array(t_codes, dtype=object)
        self.villages = np.array(v_codes, dtype=object)
        self.village_town = v_town
        self.names = {p.city_code: p.city_name, p.code: p.name, **dict(zip(t_codes, t_names)),
                      **dict(zip(v_codes, v_names))}
        return pd.DataFrame({
            "code": [p.city_code, p.code, *t_codes, *v_codes],
            "name": [p.city_name, p.name, *t_names, *v_names],
            "level": ["city", "county"] + ["township"] * t + ["village"] * len(v_codes),
            "parent": [None, p.city_code, *([p.code] * t), *[t_codes[i] for i in v_town]],
        })

    def people(self) -> None:
        """Leaders of every jurisdiction: index 0 the party secretary, 1 the head, then others."""
        sizes = [15] + [8] * len(self.townships) + [4] * len(self.villages)
        names = person_names(self.rng, sum(sizes))
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.pool_county = names[:15]
        self.pool_start_t = starts[1:1 + len(self.townships)]
        self.pool_start_v = starts[1 + len(self.townships):]
        self.all_names = np.array(names, dtype=object)

    # -- waters ----------------------------------------------------------------------------

    def waters(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        p, rng = self.plan, self.rng
        shared: tuple[SharedWater, ...] = p.shared
        n_local = max(1, p.water_bodies - len(shared))
        local_reaches = max(n_local, p.reaches - sum(w.reaches_in(p.code) for w in shared))
        kind = rng.choice(np.array(["river", "lake", "reservoir"]), size=n_local, p=[0.72, 0.04, 0.24])
        # Rivers are long and skewed; lakes and reservoirs touch one to three villages.
        k = np.where(kind == "river", 0, rng.integers(1, 4, size=n_local)).astype(np.int64)
        rivers = kind == "river"
        budget = max(int(rivers.sum()), local_reaches - int(k.sum()))
        if rivers.any():
            k[rivers] = split_total(rng, budget, rng.lognormal(0, 0.9, int(rivers.sum())))
        k = np.minimum(k, len(self.villages))
        suffix = {"river": ["河", "江", "溪", "冲"], "lake": ["湖"], "reservoir": ["水库"]}
        names = place_names(rng, n_local, [suffix[x][i % len(suffix[x])] for i, x in enumerate(kind)])
        size = np.where(kind == "reservoir", np.where(rng.random(n_local) < 0.1, "medium", "small"), None)
        ids = [f"W{p.code}-{i + 1:04d}" for i in range(n_local)]
        wb = pd.DataFrame({
            "id": [w.id for w in shared] + ids,
            "name": [w.name for w in shared] + names,
            "kind": [w.kind for w in shared] + list(kind),
            "main_river": [w.main_river for w in shared] + [False] * n_local,
            "size": [w.size for w in shared] + list(size),
            "flood_control_jurisdiction": [w.flood_control for w in shared]
            + [p.code if s == "medium" else None for s in size],
        })
        # A shared reservoir's commander may sit in another county of the city; that county is
        # not in this submission (adding it would make it a subject of county rules), so the
        # optional field stays empty here and is filled in the city's submission.
        fc = wb["flood_control_jurisdiction"]
        wb.loc[fc.notna() & (fc != p.code), "flood_control_jurisdiction"] = None
        counts = np.concatenate([[w.reaches_in(p.code) for w in shared], k]).astype(np.int64)
        # Each water runs through consecutive villages (so through few townships).
        nv = len(self.villages)
        start = rng.integers(0, nv, size=len(counts))
        w_idx = np.repeat(np.arange(len(counts)), counts)
        offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        v_idx = (np.repeat(start, counts) + offset) % nv
        n = len(w_idx)
        length = np.round(np.where(wb["kind"].to_numpy()[w_idx] == "river", rng.uniform(0.5, 8.0, n),
                                   rng.uniform(0.3, 4.0, n)), 2)
        reaches = pd.DataFrame({
            "id": [f"R{p.code}-{i + 1:05d}" for i in range(n)],
            "water_body": wb["id"].to_numpy()[w_idx],
            "jurisdiction": self.villages[v_idx],
            "length_km": length,
        })
        self.reach_water = w_idx
        self.reach_village = v_idx
        self.water_main = wb["main_river"].to_numpy(dtype=bool)
        self.water_kind = wb["kind"].to_numpy()
        self.water_names = wb["name"].to_numpy()
        return wb, reaches

    # -- chiefs ----------------------------------------------------------------------------

    def chiefs(self, wb: pd.DataFrame, reaches: pd.DataFrame) -> pd.DataFrame:
        """County chief per water, township chief per (water, township), village chief per reach."""
        rng, p = self.rng, self.plan
        n_w = len(wb)
        main = self.water_main
        # county level
        principal = np.arange(n_w) % 2  # main rivers alternate between secretary and head
        c_post = np.where(main, np.where(principal == 0, "party_principal", "government_principal"), "leader")
        c_name = np.where(main, np.array(self.pool_county, dtype=object)[principal],
                          np.array(self.pool_county, dtype=object)[3 + rng.integers(0, 12, n_w)])
        # township level: distinct (water, township) pairs in reach order
        town_of_reach = self.village_town[self.reach_village]
        pairs = pd.DataFrame({"w": self.reach_water, "t": town_of_reach}).drop_duplicates().to_numpy()
        tw, tt = pairs[:, 0], pairs[:, 1]
        t_main = main[tw]
        t_post = np.where(t_main, np.where(tw % 2 == 0, "party_principal", "government_principal"), "leader")
        t_slot = np.where(t_main, tw % 2, 2 + rng.integers(0, 6, len(tw)))
        t_name = self.all_names[self.pool_start_t[tt] + t_slot]
        # village level: one per reach
        r_main = main[self.reach_water]
        v_choice = rng.choice(3, size=len(reaches), p=[0.4, 0.3, 0.3])
        v_post = np.where(r_main, "village_party_secretary",
                          np.array(["village_party_secretary", "village_committee_director", "village_cadre"])[v_choice])
        v_slot = np.where(r_main, 0, np.where(v_choice == 2, 2 + rng.integers(0, 2, len(reaches)), v_choice))
        v_name = self.all_names[self.pool_start_v[self.reach_village] + v_slot]
        n_t, n_v = len(tw), len(reaches)
        frame = pd.DataFrame({
            "name": np.concatenate([c_name, t_name, v_name]),
            "level": ["county"] * n_w + ["township"] * n_t + ["village"] * n_v,
            "post": np.concatenate([c_post, t_post, v_post]),
            "jurisdiction": np.concatenate([np.full(n_w, p.code, dtype=object), self.townships[tt],
                                            reaches["jurisdiction"].to_numpy()]),
            "water_body": np.concatenate([wb["id"].to_numpy(), wb["id"].to_numpy()[tw], reaches["water_body"].to_numpy()]),
            "reach": np.concatenate([np.full(n_w + n_t, None, dtype=object), reaches["id"].to_numpy()]),
            "appointed": np.concatenate([self.days(_d(2017, 6, 1), _d(2017, 11, 30), n_w),
                                         self.days(_d(2017, 7, 1), _d(2017, 12, 20), n_t),
                                         self.days(_d(2017, 10, 1), _d(2018, 5, 31), n_v)]),
        })
        frame["left"] = pd.array([pd.NA] * len(frame), dtype="Int64")
        # Handovers: the old row keeps its end date, the successor starts the next day.
        u = rng.random(len(frame))
        during = np.flatnonzero(u < REPLACED_IN_QUARTER)
        before = np.flatnonzero((u >= REPLACED_IN_QUARTER) & (u < REPLACED_IN_QUARTER + REPLACED_BEFORE))
        handover = np.concatenate([self.days(self.q0 + 5, self.q1 - 5, len(during)),
                                   self.days(_d(2018, 3, 1), _d(2018, 6, 1), len(before))])
        old = np.concatenate([during, before])
        order = np.argsort(old, kind="stable")
        old, handover = old[order], handover[order]
        frame.loc[old, "left"] = handover
        successors = frame.iloc[old].copy()
        successors["name"] = person_names(rng, len(old))
        successors["appointed"] = handover + 1
        successors["left"] = pd.array([pd.NA] * len(old), dtype="Int64")
        frame = pd.concat([frame, successors], ignore_index=True)
        frame.insert(0, "id", [f"C{p.code}-{i + 1:05d}" for i in range(len(frame))])
        self.replaced_reaches = set(frame["reach"].iloc[old].dropna())
        return frame[["id", "name", "level", "post", "jurisdiction", "water_body", "reach", "appointed", "left"]]

    # -- governance records ------------------------------------------------------------------

    def general_chiefs(self) -> pd.DataFrame:
        codes = [self.plan.code, *self.townships]
        names = [self.pool_county[0], self.pool_county[1]]
        for s in self.pool_start_t:
            names += [self.all_names[s], self.all_names[s + 1]]
        n = 2 * len(codes)
        return pd.DataFrame({
            "id": [f"G{self.plan.code}-{i + 1:03d}" for i in range(n)],
            "name": names,
            "jurisdiction": np.repeat(np.array(codes, dtype=object), 2),
            "post": ["party_principal", "government_principal"] * len(codes),
            "appointed": self.days(_d(2017, 5, 1), _d(2017, 11, 30), n),
        })

    def office(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        p = self.plan
        oid = f"O{p.code}-1"
        offices = pd.DataFrame({"id": [oid], "jurisdiction": [p.code], "host_unit": [f"{p.name}水利局"],
                                "director": [self.pool_county[2]], "director_post": ["government_leader_in_charge"],
                                "established": self.days(_d(2017, 7, 1), _d(2017, 11, 30), 1)})
        deputies = pd.DataFrame({"id": [f"OD{p.code}-1", f"OD{p.code}-2"], "office": [oid, oid],
                                 "name": person_names(self.rng, 2),
                                 "unit": [f"{p.name}水利局", f"{p.name}环境保护局"], "principal": [True, True]})
        return offices, deputies

    def member_units(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        p = self.plan
        keys = member_unit_keys()
        ids = [f"MU{p.code}-{i + 1:02d}" for i in range(len(keys))]
        units = pd.DataFrame({"id": ids, "jurisdiction": [p.code] * len(keys),
                              "unit": [self.prefix + k for k in keys]})
        n = 2 * len(keys)
        designees = pd.DataFrame({"id": [f"DS{p.code}-{i + 1:03d}" for i in range(n)],
                                  "member_unit": np.repeat(np.array(ids, dtype=object), 2),
                                  "role": ["member", "liaison"] * len(keys), "name": person_names(self.rng, n),
                                  "rank": ["leader", "section"] * len(keys)})
        return units, designees

    def documents(self, wb: pd.DataFrame) -> pd.DataFrame:
        p, city = self.plan, self.plan.city_name
        towns = list(self.townships)
        rows: list[dict[str, Any]] = []

        def add(kind: str, title: str, issuer: str, issued: int, reported_to: str | None = None,
                reported: int | None = None, **extra: Any) -> None:
            if (reported if reported is not None else issued) <= self.as_of:
                rows.append({"kind": kind, "title": title, "issuer": issuer, "issued": issued,
                             "reported_to": reported_to, "reported": reported, **extra})

        def dates(lo: int, hi: int, lag: tuple[int, int], cap: int) -> tuple[int, int]:
            issued = int(self.days(lo, hi, 1)[0])
            return issued, min(cap, issued + int(self.rng.integers(lag[0], lag[1] + 1)))

        upper_party = f"{city}委、{city}人民政府"
        county_party = f"{p.name}委、{p.name}人民政府"
        city_office = f"{city}河长制办公室"
        county_office = f"{p.name}河长制办公室"
        # county documents
        i, r = dates(_d(2017, 8, 1), _d(2017, 10, 31), (3, 20), _d(2017, 12, 31))
        add("work_plan", f"{p.name}全面推行河长制工作方案", p.code, i, upper_party, r)
        for kind, what in (("supporting_systems", "河长制相关配套制度"), ("assessment_measures", "河长制工作考核办法")):
            i, r = dates(_d(2018, 1, 5), _d(2018, 3, 10), (1, 15), _d(2018, 3, 31))
            add(kind, f"{p.name}{what}", p.code, i, city_office, r)
        add("register", f"{p.name}江河湖库名录", p.code, int(self.days(_d(2017, 8, 1), _d(2017, 9, 20), 1)[0]),
            deliverable="江河湖库名录")
        add("distribution_map", f"{p.name}江河湖库分布示意图", p.code,
            int(self.days(_d(2017, 8, 1), _d(2017, 9, 25), 1)[0]), deliverable="分布示意图")
        add("chief_list_publication", f"{p.name}河长名单公告", p.code, int(self.days(_d(2018, 3, 1), _d(2018, 6, 20), 1)[0]))
        add("social_supervision", f"{p.name}河长制社会监督员聘任通知", p.code,
            int(self.days(_d(2018, 4, 1), _d(2018, 6, 25), 1)[0]))
        for year in range(2017, from_day(self.as_of).year + 1):
            i, r = dates(_d(year, 12, 1), _d(year, 12, 20), (1, 8), _d(year, 12, 28))
            add("annual_report", f"{p.name}{year}年河长制工作情况报告", p.code, i, f"{city_office}（{city}水利局）", r,
                year=year)
            if year >= 2018:
                add("leadership_assessment", f"{p.name}{year}年度河长制工作考核（纳入领导班子实绩考核）", p.code,
                    int(self.days(_d(year, 12, 1), _d(year, 12, 25), 1)[0]), year=year)
        kinds = {"river": "一河一策", "lake": "一湖一策", "reservoir": "一库一策"}
        policy = self.days(_d(2018, 1, 5), _d(2018, 3, 25), len(wb))
        for (wid, name, kind), day in zip(wb[["id", "name", "kind"]].itertuples(index=False), policy):
            add("one_policy", f"{p.name}{name}{kinds[kind]}实施方案", p.code, int(day), water_body=wid)
        # township documents
        first_plan = len(rows)
        for t in towns:
            tn = self.names[t]
            i, r = dates(_d(2017, 10, 10), _d(2017, 12, 10), (1, 15), _d(2017, 12, 31))
            add("work_plan", f"{tn}河长制工作方案", t, i, county_party, r)
            for kind, what in (("supporting_systems", "河长制相关制度"), ("assessment_measures", "河长制考核办法")):
                i, r = dates(_d(2018, 1, 10), _d(2018, 3, 10), (1, 15), _d(2018, 3, 31))
                add(kind, f"{tn}{what}", t, i, county_office, r)
            add("chief_list_publication", f"{tn}河长名单公示", t, int(self.days(_d(2018, 3, 1), _d(2018, 6, 20), 1)[0]))
        docs = pd.DataFrame(rows).astype({"reported": "Int64"})
        for col in ("water_body", "year", "deliverable"):
            if col not in docs:
                docs[col] = None
        docs["year"] = docs["year"].astype("Int64")
        docs.insert(0, "id", [f"D{p.code}-{i + 1:05d}" for i in range(len(docs))])
        # Lapse: a township reports its work plan after the end of 2017 (GG-14).
        plans = np.flatnonzero((docs["kind"].to_numpy() == "work_plan") & (np.arange(len(docs)) >= first_plan))
        for pos in self.pick_lapses("late_work_plan", plans):
            late = int(self.days(_d(2018, 1, 2), _d(2018, 2, 28), 1)[0])
            docs.loc[pos, "reported"] = late
            docs.loc[pos, "issued"] = min(int(docs.loc[pos, "issued"]), late)
            self.lapse("GG-14", "GG-14", "late_work_plan", docs.loc[pos, "issuer"], document=docs.loc[pos, "id"],
                       reported=_iso(late), due="2017-12-31")
        return docs[["id", "kind", "title", "issuer", "issued", "reported_to", "reported", "water_body", "year",
                     "deliverable"]]

    def meetings(self) -> pd.DataFrame:
        codes = [self.plan.code, *self.townships]
        n = len(codes)
        established = np.concatenate([self.days(_d(2017, 11, 1), _d(2018, 3, 20), 1),
                                      self.days(_d(2017, 12, 1), _d(2018, 3, 25), n - 1)])
        return pd.DataFrame({"id": [f"M{self.plan.code}-{i + 1:03d}" for i in range(n)],
                             "kind": ["river_chief_meeting"] * n, "jurisdiction": codes, "established": established})

    def acceptances(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The county accepts every township; a failed one is rectified, then accepted (GG-18)."""
        p = self.plan
        acc: list[tuple[str, int, str]] = []
        rect: list[tuple[int, int]] = []
        for t in self.townships:
            day = int(self.days(_d(2018, 7, 2), _d(2018, 8, 31), 1)[0])
            if self.rng.random() < FAILED_ACCEPTANCE:
                acc.append((t, day, "failed"))
                fix = day + int(self.rng.integers(5, 16))
                rect.append((len(acc) - 1, fix))
                acc.append((t, fix + int(self.rng.integers(5, 16)), "passed"))
            else:
                acc.append((t, day, "passed"))
        keep = [i for i, a in enumerate(acc) if a[1] <= self.as_of]
        ids = {i: f"A{p.code}-{n + 1:03d}" for n, i in enumerate(keep)}
        acceptances = pd.DataFrame({"id": [ids[i] for i in keep], "inspector": [p.code] * len(keep),
                                    "subject": [acc[i][0] for i in keep], "date": [acc[i][1] for i in keep],
                                    "result": [acc[i][2] for i in keep]})
        rect = [(i, d) for i, d in rect if i in ids and d <= self.as_of]
        rectifications = pd.DataFrame({"id": [f"RC{p.code}-{n + 1:03d}" for n in range(len(rect))],
                                       "acceptance": [ids[i] for i, _ in rect], "date": [d for _, d in rect]})
        return acceptances, rectifications

    def budgets(self) -> pd.DataFrame:
        codes = [self.plan.code, *self.townships]
        rows = []
        for year in range(2018, from_day(self.as_of).year + 1):
            recorded = self.days(_d(year, 1, 3), _d(year, 1, 28), len(codes))
            amount = np.round(np.where(np.arange(len(codes)) == 0, self.rng.uniform(200, 800, len(codes)),
                                       self.rng.uniform(10, 60, len(codes))), 1)
            rows += [(c, year, float(a), int(r)) for c, a, r in zip(codes, amount, recorded) if r <= self.as_of]
        frame = pd.DataFrame(rows, columns=["jurisdiction", "year", "amount", "recorded"])
        frame.insert(0, "id", [f"B{self.plan.code}-{i + 1:03d}" for i in range(len(frame))])
        return frame

    # -- lapses on chiefs and boards, then patrols ------------------------------------------------

    def drop_village_chiefs(self, chiefs: pd.DataFrame, reaches: pd.DataFrame) -> pd.DataFrame:
        """Lapse GG-02: a reach left without any village chief."""
        ok = ~reaches["id"].isin(self.replaced_reaches).to_numpy()
        lapsed = reaches["id"].to_numpy()[self.pick_lapses("reach_without_village_chief", np.flatnonzero(ok))]
        for rid, wid, village in reaches.set_index("id").loc[lapsed, ["water_body", "jurisdiction"]].itertuples():
            self.lapse("GG-02", "GG-02", "reach_without_village_chief", f"{wid}@{village}@village",
                       water_body=wid, level="village", reach=rid, jurisdiction=village)
        self.chiefless = set(lapsed)
        return chiefs[~chiefs["reach"].isin(self.chiefless)].reset_index(drop=True)

    def notice_boards(self, reaches: pd.DataFrame) -> pd.DataFrame:
        """A board at every reach, less the GG-21 lapses.

        A reach left without a village chief (GG-02 lapse) keeps its board: its water body
        still has township and county chiefs, and the board names them.
        """
        candidates = np.flatnonzero(~reaches["id"].isin(self.chiefless).to_numpy())
        missing = self.pick_lapses("missing_notice_board", candidates)
        for pos in missing:
            self.lapse("GG-21", "GG-21-boards", "missing_notice_board", reaches["id"].iloc[pos],
                       water_body=reaches["water_body"].iloc[pos], jurisdiction=reaches["jurisdiction"].iloc[pos])
        keep = np.setdiff1d(np.arange(len(reaches)), missing)
        return pd.DataFrame({"id": [f"N{self.plan.code}-{i + 1:05d}" for i in range(len(keep))],
                             "reach": reaches["id"].to_numpy()[keep],
                             "installed": self.days(_d(2018, 2, 1), _d(2018, 6, 30), len(keep))})

    def patrols(self, chiefs: pd.DataFrame, reaches: pd.DataFrame) -> pd.DataFrame:
        """At least one patrol per period each chief held, inside the quarter and the tenure.

        Lapse GG-27: some chiefs in post all quarter skip one to three whole periods.
        """
        rng = self.rng
        left_all = chiefs["left"].fillna(np.iinfo(np.int32).max).to_numpy(dtype=np.int64)
        appointed_all = chiefs["appointed"].to_numpy(dtype=np.int64)
        # Reaches a chief may walk: a village chief its own; others any reach of the water in
        # their township (or county), found by grouping the reaches by key.
        r_town = self.townships[self.village_town[self.reach_village]]
        # GG-27 lapse: only chiefs holding the post for the whole quarter, only whole periods.
        short = self.pick_lapses("short_patrol_periods",
                                 np.flatnonzero((appointed_all < self.q0) & (left_all > self.as_of)))
        frames = []
        for level, kind in PATROL_EVERY.items():
            sel = np.flatnonzero((chiefs["level"] == level).to_numpy())
            if not len(sel):
                continue
            periods = periods_between(kind, self.q.start, from_day(self.as_of))
            p_lo = np.array([max(day_number(pp.start), self.q0) for pp in periods])
            p_hi = np.array([min(day_number(pp.end), self.as_of) for pp in periods])
            whole = np.array([day_number(pp.start) >= self.q0 and day_number(pp.end) <= self.as_of for pp in periods])
            a, lft = appointed_all[sel], left_all[sel]
            ci = np.repeat(np.arange(len(sel)), len(periods))
            pi = np.tile(np.arange(len(periods)), len(sel))
            lo = np.maximum(p_lo[pi], a[ci])
            hi = np.minimum(p_hi[pi], lft[ci])
            ok = lo <= hi
            for c in np.flatnonzero(np.isin(sel, short)):
                k = min(int(whole.sum()), 1 + int(rng.integers(0, 3 if kind != "month" else 1)))
                skipped = np.sort(rng.choice(np.flatnonzero(whole), size=k, replace=False))
                ok[c * len(periods) + skipped] = False
                self.lapse("GG-27", "GG-27", "short_patrol_periods", chiefs["id"].iloc[sel[c]], level=level,
                           every=kind, periods=[periods[j].label for j in skipped],
                           period_dates=[[periods[j].start.isoformat(), periods[j].end.isoformat()]
                                         for j in skipped])
            ci, lo, hi = ci[ok], lo[ok], hi[ok]
            extra = rng.random(len(ci)) < EXTRA_PATROLS
            ci = np.concatenate([ci, ci[extra]])
            lo = np.concatenate([lo, lo[extra]])
            hi = np.concatenate([hi, hi[extra]])
            day = lo + np.floor(rng.random(len(ci)) * (hi - lo + 1)).astype(np.int64)
            rows = chiefs.iloc[sel]
            if level == "village":
                reach = rows["reach"].to_numpy()[ci]
            else:
                key_r = reaches["water_body"].to_numpy() + ("|" + r_town if level == "township" else "")
                key_c = rows["water_body"].to_numpy() + ("|" + rows["jurisdiction"].to_numpy() if level == "township" else "")
                reach = _pick_in_group(rng, key_r, reaches["id"].to_numpy(), key_c[ci])
            frames.append(pd.DataFrame({"chief": rows["id"].to_numpy()[ci], "reach": reach, "date": day}))
        out = pd.concat(frames, ignore_index=True)
        out["duration_min"] = rng.integers(20, 181, size=len(out)).astype(float)
        out = out.sort_values(["date", "chief"], kind="stable").reset_index(drop=True)
        out.insert(0, "id", [f"P{self.plan.code}-{i + 1:07d}" for i in range(len(out))])
        return out

    # -- all of it -----------------------------------------------------------------------

    def build(self) -> SubmissionData:
        p = self.plan
        tables: dict[str, pd.DataFrame] = {"jurisdictions": self.jurisdictions()}
        self.people()
        wb, reaches = self.waters()
        tables["water_bodies"], tables["reaches"] = wb, reaches
        chiefs = self.drop_village_chiefs(self.chiefs(wb, reaches), reaches)
        tables["chiefs"] = chiefs
        tables["general_chiefs"] = self.general_chiefs()
        tables["offices"], tables["office_deputies"] = self.office()
        tables["member_units"], tables["designees"] = self.member_units()
        tables["documents"] = self.documents(wb)
        tables["meetings"] = self.meetings()
        tables["acceptances"], tables["rectifications"] = self.acceptances()
        tables["budgets"] = self.budgets()
        tables["notice_boards"] = self.notice_boards(reaches)
        tables["patrols"] = self.patrols(chiefs, reaches)
        header = {"schema_version": "1.0", "submission_id": f"GG-{p.code}-{self.q.label}", "pack": PACK,
                  "jurisdiction": p.code, "period": self.q.label, "as_of": _iso(self.as_of)}
        return SubmissionData(header, tables, self.lapses)


def _pick_in_group(rng: np.random.Generator, keys: np.ndarray, values: np.ndarray, want: np.ndarray) -> np.ndarray:
    """For each ``want`` key, a random value among those whose key matches (vectorised)."""
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    uniq, first, count = np.unique(sk, return_index=True, return_counts=True)
    g = np.searchsorted(uniq, want)
    pos = first[g] + np.floor(rng.random(len(want)) * count[g]).astype(np.int64)
    return values[order][pos]


def build_county(plan: CountyPlan, period: str, seed: int, *, min_lapses: int = 0) -> SubmissionData:
    """The submission of ``plan``'s county for quarter ``period`` (e.g. ``2018Q4``)."""
    return _Builder(plan, parse_quarter(period), seed, min_lapses).build()
