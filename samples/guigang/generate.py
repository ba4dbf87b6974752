"""Generate the Guigang sample submissions: 贵港市 and its five counties at four quarters.

Run ``python samples/guigang/generate.py`` (optionally ``--out DIR``). The output is
deterministic (no clock, no randomness: every name, date and length is computed from fixed
tables), so ``tests/test_samples_guigang.py`` regenerates it and compares bytes.

The story. In 2017 the city appoints the chiefs of the seven main rivers, sets up its
river-chief office in the water bureau and compiles its register; the counties appoint their
county chiefs, issue work plans and set up offices by the end of the year. Townships and
villages follow in early 2018: township chiefs by January, village chiefs by May, systems and
measures by March, notice boards and published chief lists by June. Acceptance runs from
October to December 2018; 桂平市 and 平南县's 大安镇 fail theirs and are put under supervised
rectification. Budgets, leadership assessments and annual reports recur every year; every
chief patrols (city each quarter, county each month, township each 旬, village each week).

Most of it is compliant. The lapses a supervisor should find are planted here, on purpose,
and listed, with the findings they must produce, in ``README.md``:

1. 平南县 大安镇: 武林村 has no village chief for the tributary 武林河 until March 2019.
2. 港南区 reports its county work plan on 2018-01-08 (due by the end of 2017).
3. 市林业局 names two liaisons to the city river-chief meeting until mid-2019.
4. 桂平市: the 浔江 reach at 江口村 has no notice board until April 2019.
5. 覃塘区: the village chief of 鲤鱼江 at 黄练村 stops patrolling after 2018-11-11 and is
   replaced on 2019-03-01.
6. The city's joint meeting for 龙山河 is convened by 覃塘区's chief, although 港北区 has the
   longer reach.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
D = dt.date

PERIODS: dict[str, D] = {"2017Q4": D(2017, 12, 31), "2018Q2": D(2018, 6, 30), "2018Q4": D(2018, 12, 31),
                         "2020Q4": D(2020, 12, 31)}
QUARTER_START = {"2017Q4": D(2017, 10, 1), "2018Q2": D(2018, 4, 1), "2018Q4": D(2018, 10, 1),
                 "2020Q4": D(2020, 10, 1)}
CITY = ("450800", "贵港市")

# --------------------------------------------------------------------------- the territory

# code → (name, townships: code suffix → (name, villages: suffix → name))
COUNTIES: dict[str, tuple[str, dict[str, tuple[str, dict[str, str]]]]] = {
    "450802": ("港北区", {"001": ("贵城街道", {"001": "江南社区", "002": "南江社区"}),
                          "101": ("港城镇", {"001": "东龙村", "002": "平江村"}),
                          "103": ("大圩镇", {"001": "大圩村", "002": "龙井村"})}),
    "450803": ("港南区", {"001": ("江南街道", {"001": "新塘村", "002": "罗村"}),
                          "101": ("桥圩镇", {"001": "桥圩社区", "002": "新村"}),
                          "102": ("木格镇", {"001": "木格村", "002": "云垌村"})}),
    "450804": ("覃塘区", {"001": ("覃塘街道", {"001": "覃塘社区", "002": "龙凤村"}),
                          "101": ("黄练镇", {"001": "黄练村", "002": "峙冲村"}),
                          "102": ("石卡镇", {"001": "石卡村", "002": "大岭村"})}),
    "450821": ("平南县", {"001": ("平南街道", {"001": "城东社区", "002": "朝东村"}),
                          "101": ("大安镇", {"001": "大安社区", "002": "武林村"}),
                          "102": ("丹竹镇", {"001": "丹竹村", "002": "江口村"})}),
    "450881": ("桂平市", {"101": ("西山镇", {"001": "城北村", "002": "石咀村"}),
                          "102": ("白沙镇", {"001": "白沙村", "002": "长安村"}),
                          "103": ("江口镇", {"001": "江口村", "002": "大湾村"})}),
}


@dataclass(frozen=True)
class Water:
    key: str  # short id inside a county (YJ, LS, …)
    name: str  # as the county register writes it (郁江, 浔江: aliases of the plan's names)
    kind: str
    villages: tuple[str, ...]  # township+village suffixes the water body runs through
    main: bool = False
    size: str | None = None
    plan_name: str | None = None  # the city register's name (the plan's name for main rivers)


WATERS: dict[str, tuple[Water, ...]] = {
    "450802": (Water("YJ", "郁江", "river", ("001001", "001002", "101001"), main=True, plan_name="郁江干流"),
               Water("LS", "龙山河", "river", ("103001", "103002", "101002")),
               Water("MC", "马草江", "river", ("101001", "101002"))),
    "450803": (Water("YJ", "郁江", "river", ("001001", "001002"), main=True, plan_name="郁江干流"),
               Water("WS", "武思江", "river", ("101001", "102001", "102002"), main=True, plan_name="武思江"),
               Water("DL", "大岭水库", "reservoir", ("102002",), size="medium")),
    "450804": (Water("YJ", "郁江", "river", ("001001", "101001"), main=True, plan_name="郁江干流"),
               Water("LY", "鲤鱼江", "river", ("001002", "101001", "102001"), main=True, plan_name="鲤鱼江"),
               Water("LS", "龙山河", "river", ("102002",))),
    "450821": (Water("XJ", "浔江", "river", ("001001", "102002"), main=True, plan_name="西江干流(黔江、浔江)"),
               Water("BS", "白沙江", "river", ("001002", "101001"), main=True, plan_name="白沙河"),
               Water("DT", "大同江", "river", ("102001", "102002"), main=True, plan_name="大同江"),
               Water("WL", "武林河", "river", ("101002", "102001"))),
    "450881": (Water("QJ", "黔江", "river", ("101001",), main=True, plan_name="西江干流(黔江、浔江)"),
               Water("XJ", "浔江", "river", ("101002", "103001"), main=True, plan_name="西江干流(黔江、浔江)"),
               Water("YJ", "郁江", "river", ("101001", "102001"), main=True, plan_name="郁江干流"),
               Water("WS", "武思江", "river", ("102002",), main=True, plan_name="武思江"),
               Water("ML", "马来河", "river", ("103002",), main=True, plan_name="马来河"),
               Water("DL", "大岭水库", "reservoir", ("102001", "102002"), size="medium")),
}
MAIN_RIVERS = ("西江干流(黔江、浔江)", "郁江干流", "鲤鱼江", "武思江", "白沙河", "马来河", "大同江")
CITY_CHIEF_POSTS = ("party_principal", "government_principal", "leader", "leader", "leader", "leader", "leader")
MEMBER_UNITS = ("发展改革委", "工业和信息化委", "公安局", "财政局", "国土资源局", "环境保护局", "住房城乡建设委", "市政局",
                "交通运输局", "水利局", "农业局", "林业局", "卫计委", "水产畜牧兽医局", "水文水资源局")

# The planted lapses (see the module docstring).
NO_VILLAGE_CHIEF = ("450821", "WL", "101002", D(2019, 3, 15))  # county, water, village, appointed late
LATE_WORK_PLAN = ("450803", D(2018, 1, 8))
TWO_LIAISONS_UNTIL = D(2019, 6, 1)
NO_BOARD = ("450881", "XJ", "103001", D(2019, 4, 10))
STOPPED_PATROLLING = ("450804", "LY", "101001", D(2018, 11, 11), D(2019, 2, 28))  # last patrol day, left
WRONG_CONVENER = "450804"  # 龙山河's joint meeting is convened by 覃塘区; 港北区 has the longer reach
FAILED_ACCEPTANCE = {"450881": (D(2018, 11, 28), D(2018, 12, 5)), "450821101": (D(2018, 11, 22), D(2018, 12, 12))}

# --------------------------------------------------------------------------- people

SURNAMES = "黄韦李陈梁覃莫蒙罗林刘周邓蓝陆甘潘谢廖卢农何杨吴钟"
GIVEN = ("志强", "建华", "海燕", "国荣", "丽萍", "永福", "秀英", "明辉", "春梅", "德明", "少华", "振宇", "文静", "伟东",
         "桂兰", "金凤", "家宝", "启明", "美玲", "玉珍", "立新", "红梅", "晓军", "光辉", "雪梅", "宏伟", "秋菊", "忠良",
         "彩霞", "福生", "胜利", "凤英", "小平", "正清", "月娥", "剑锋", "华山", "淑贞", "宝林", "翠兰", "兆龙")


def person(key: str) -> str:
    """A stable, realistic name for a role (the same role always gets the same name)."""
    h = zlib.crc32(key.encode("utf-8"))
    return SURNAMES[h % len(SURNAMES)] + GIVEN[(h // len(SURNAMES)) % len(GIVEN)]


def offset(key: str, n: int) -> int:
    """A stable small number in [0, n) for spreading dates."""
    return zlib.crc32(key.encode("utf-8")) % n


def days(d: D, n: int) -> D:
    return d + dt.timedelta(days=n)


# --------------------------------------------------------------------------- building a submission

@dataclass
class Builder:
    """Records of one submitter with the date each becomes known; ``render`` takes a snapshot."""

    code: str
    name: str
    level: str
    tables: dict[str, list[tuple[D, dict[str, Any]]]] = field(default_factory=dict)
    until: dict[str, D] = field(default_factory=dict)  # record id → first day it no longer exists

    def add(self, table: str, known: D, row: dict[str, Any], until: D | None = None) -> None:
        self.tables.setdefault(table, []).append((known, row))
        if until is not None:
            self.until[row["id"]] = until

    def render(self, period: str, jurisdictions: list[dict[str, Any]]) -> dict[str, Any]:
        as_of = PERIODS[period]
        doc: dict[str, Any] = {"schema_version": "1.0", "submission_id": f"GG-{self.code}-{period}",
                               "pack": "guigang-river-chief", "jurisdiction": self.code, "period": period,
                               "as_of": as_of.isoformat(), "jurisdictions": jurisdictions}
        for table in TABLE_ORDER:
            rows = []
            for known, row in self.tables.get(table, []):
                if known > as_of or self.until.get(row["id"], as_of + dt.timedelta(days=1)) <= as_of:
                    continue  # not yet known, or no longer there, at this snapshot
                if table == "patrols" and known < QUARTER_START[period]:
                    continue  # a submission records the patrols of its own quarter
                out = {}
                for k, v in row.items():
                    if isinstance(v, D):
                        if v > as_of:
                            continue  # a later date (left, reported) is not yet known
                        v = v.isoformat()
                    if v is not None:
                        out[k] = v
                if "reported_to" in out and "reported" not in out:
                    del out["reported_to"]  # drawn up, not yet sent
                rows.append(out)
            if rows:
                doc[table] = rows
        return doc


TABLE_ORDER = ("water_bodies", "reaches", "chiefs", "general_chiefs", "offices", "office_deputies", "member_units",
               "designees", "documents", "meetings", "acceptances", "rectifications", "budgets", "notice_boards",
               "patrols", "indicators", "tasks")
EVER = D(2000, 1, 1)  # known in every snapshot


def add_patrols(b: Builder, chief: dict[str, Any], every: str, stop_after: D | None = None) -> None:
    """Patrols of one chief in every sample quarter: once per period, on a stable day of it."""
    cid = chief["id"]
    start, left = chief["appointed"], chief.get("left")
    for period, q_end in PERIODS.items():
        q_start = QUARTER_START[period]
        d = q_start
        while d <= q_end:
            if every == "week":
                p_start = days(d, -d.weekday())
                when = days(p_start, offset(cid, 5))
                nxt = days(p_start, 7)
            elif every == "xun":
                day = 1 if d.day <= 10 else 11 if d.day <= 20 else 21
                p_start = d.replace(day=day)
                nxt = d.replace(day=11) if day == 1 else d.replace(day=21) if day == 11 else \
                    (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                when = days(p_start, offset(cid + str(day), (nxt - p_start).days))
            elif every == "month":
                p_start = d.replace(day=1)
                when = p_start.replace(day=5 + offset(cid, 20))
                nxt = (p_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            else:  # quarter
                when, nxt = days(q_start, 20 + offset(cid, 40)), days(q_end, 1)
            if q_start <= when <= q_end and start <= when and (left is None or when <= left) \
                    and (stop_after is None or when <= stop_after):
                b.add("patrols", when, {"id": f"P-{cid}-{when:%Y%m%d}", "chief": cid, "date": when})
            d = nxt


def county(code: str) -> tuple[Builder, list[dict[str, Any]]]:
    cname, townships = COUNTIES[code]
    b = Builder(code, cname, "county")
    juris = [{"code": CITY[0], "name": CITY[1], "level": "city"},
             {"code": code, "name": cname, "level": "county", "parent": CITY[0]}]
    for ts, (tname, villages) in townships.items():
        juris.append({"code": code + ts, "name": tname, "level": "township", "parent": code})
        for vs, vname in villages.items():
            juris.append({"code": code + ts + vs, "name": vname, "level": "village", "parent": code + ts})
    secretary, head, deputy = person(code + "书记"), person(code + "长"), person(code + "副")

    # Chiefs: county, township and village level for every water body.
    mains = 0
    for idx, w in enumerate(WATERS[code]):
        wid = f"WB-{code[-3:]}-{w.key}"
        b.add("water_bodies", EVER, {"id": wid, "name": w.name, "kind": w.kind, "main_river": w.main or None,
                                     "size": w.size})
        if w.main:
            post, who = (("party_principal", secretary), ("government_principal", head))[mains % 2]
            mains += 1
        else:
            post, who = "leader", deputy
        cx = {"id": f"C-{code[-3:]}-{w.key}", "name": who, "level": "county", "post": post, "jurisdiction": code,
              "water_body": wid, "appointed": days(D(2017, 6, 20), 12 * idx)}
        b.add("chiefs", cx["appointed"], cx)
        add_patrols(b, cx, "month")
        for ts in sorted({v[:3] for v in w.villages}):
            tcode = code + ts
            tpost, twho = ("party_principal", person(tcode + "书记")) if w.main else ("government_principal",
                                                                                      person(tcode + "长"))
            ct = {"id": f"C-{code[-3:]}-{w.key}-{ts}", "name": twho, "level": "township", "post": tpost,
                  "jurisdiction": tcode, "water_body": wid, "appointed": days(D(2017, 12, 4), offset(tcode + w.key, 40))}
            b.add("chiefs", ct["appointed"], ct)
            add_patrols(b, ct, "xun")
        for vs in w.villages:
            vcode = code + vs
            rid = f"R-{code[-3:]}-{w.key}-{vs}"
            b.add("reaches", EVER, {"id": rid, "water_body": wid, "jurisdiction": vcode,
                                    "length_km": round(2.5 + offset(rid, 90) / 10, 1)})
            board = NO_BOARD[3] if (code, w.key, vs) == NO_BOARD[:3] else days(D(2018, 4, 10), offset(rid, 70))
            b.add("notice_boards", board, {"id": f"NB-{rid[2:]}", "reach": rid, "installed": board})
            vpost, vwho = ("village_party_secretary", person(vcode + "书记")) if w.main else \
                ("village_committee_director", person(vcode + "主任"))
            cv = {"id": f"C-{code[-3:]}-{w.key}-{vs}", "name": vwho, "level": "village", "post": vpost,
                  "jurisdiction": vcode, "water_body": wid, "reach": rid,
                  "appointed": days(D(2018, 3, 1), offset(vcode + w.key, 80))}
            if (code, w.key, vs) == NO_VILLAGE_CHIEF[:3]:
                cv["appointed"] = NO_VILLAGE_CHIEF[3]
            stop = None
            if (code, w.key, vs) == STOPPED_PATROLLING[:3]:
                stop, cv["left"] = STOPPED_PATROLLING[3], STOPPED_PATROLLING[4]
                nv = {**cv, "id": cv["id"] + "-2", "name": person(vcode + "新书记"), "appointed": days(cv["left"], 1)}
                nv.pop("left")
                b.add("chiefs", nv["appointed"], nv)
                add_patrols(b, nv, "week")
            b.add("chiefs", cv["appointed"], cv)
            add_patrols(b, cv, "week", stop)

    # General chiefs, office, meeting systems, member units.
    levels = [(code, cname, secretary, head)] + [(code + ts, t[0], person(code + ts + "书记"), person(code + ts + "长"))
                                                 for ts, t in townships.items()]
    for i, (jc, jn, sec, hd) in enumerate(levels):
        appointed = days(D(2017, 6, 15), 20 * i)
        b.add("general_chiefs", appointed, {"id": f"GC-{jc}-P", "name": sec, "jurisdiction": jc,
                                            "post": "party_principal", "appointed": appointed})
        b.add("general_chiefs", appointed, {"id": f"GC-{jc}-G", "name": hd, "jurisdiction": jc,
                                            "post": "government_principal", "appointed": appointed})
        est = D(2017, 12, 12) if jc == code else days(D(2018, 1, 8), 15 * i)
        b.add("meetings", est, {"id": f"M-{jc}", "kind": "river_chief_meeting", "jurisdiction": jc, "established": est})
    office = days(D(2017, 10, 9), offset(code, 50))
    b.add("offices", office, {"id": f"OF-{code}", "jurisdiction": code, "host_unit": f"{cname}水利局",
                              "director": deputy, "director_post": "government_leader_in_charge",
                              "established": office})
    for i, unit in enumerate(MEMBER_UNITS, 1):
        b.add("member_units", EVER, {"id": f"MU-{code}-{i:02d}", "jurisdiction": code, "unit": cname + unit})
    b.add("member_units", EVER, {"id": f"MU-{code}-16", "jurisdiction": code, "unit": "贵港海事局"})

    # Documents.
    def doc(did: str, kind: str, title: str, issuer: str, issued: D, *, reported: D | None = None,
            reported_to: str | None = None, **extra: Any) -> None:
        b.add("documents", issued, {"id": did, "kind": kind, "title": title, "issuer": issuer, "issued": issued,
                                    "reported_to": reported_to if reported else None, "reported": reported, **extra})

    doc(f"D-{code}-REG", "register", f"{cname}江河湖库名录", code, days(D(2017, 8, 21), offset(code, 20)))
    doc(f"D-{code}-MAP", "distribution_map", f"{cname}江河湖库分布示意图", code, days(D(2017, 8, 25), offset(code, 20)))
    for i, (jc, jn, _, _) in enumerate(levels):
        upper = "市委、市人民政府" if jc == code else f"{cname}委、{cname}人民政府"
        office_up = "市河长制办公室" if jc == code else f"{cname}河长制办公室"
        issued = days(D(2017, 11, 13), 7 * i)
        reported = days(issued, 6)
        if jc == LATE_WORK_PLAN[0]:
            issued, reported = D(2017, 12, 28), LATE_WORK_PLAN[1]
        doc(f"D-{jc}-WP", "work_plan", f"{jn}全面推行河长制工作方案", jc, issued, reported=reported, reported_to=upper)
        sys_day = days(D(2018, 2, 26), 6 * i)
        doc(f"D-{jc}-SUP", "supporting_systems", f"{jn}河长制相关配套制度", jc, sys_day,
            reported=days(sys_day, 4), reported_to=office_up)
        doc(f"D-{jc}-ASM", "assessment_measures", f"{jn}河长制工作考核办法", jc, sys_day,
            reported=days(sys_day, 4), reported_to=office_up)
        pub = days(D(2018, 4, 16), 12 * i)
        doc(f"D-{jc}-PUB", "chief_list_publication", f"{jn}河长名单公告", jc, pub)
    for w in WATERS[code]:
        wid = f"WB-{code[-3:]}-{w.key}"
        doc(f"D-{code}-OP-{w.key}", "one_policy", f"{w.name}{cname}段“一河一策”实施方案", code,
            days(D(2018, 3, 12), offset(wid, 15)), water_body=wid)
    doc(f"D-{code}-SOC", "social_supervision", f"{cname}关于聘请河长制社会监督员的通知", code,
        days(D(2018, 5, 7), offset(code, 30)))
    for year in (2017, 2018, 2019, 2020):
        rep = D(year, 12, 18) + dt.timedelta(days=offset(code + str(year), 10))
        doc(f"D-{code}-AR-{year}", "annual_report", f"{cname}{year}年全面推行河长制工作情况报告", code,
            days(rep, -3), reported=rep, reported_to="市河长制办公室（市水利局）", year=year)
        if year >= 2018:
            doc(f"D-{code}-LA-{year}", "leadership_assessment", f"{cname}{year}年度党政领导班子政绩考核（含河长制工作）",
                code, D(year, 12, 10) + dt.timedelta(days=offset(code + "LA" + str(year), 10)), year=year)

    # Acceptance of the townships, budgets, the 2020 indicator.
    for i, (jc, jn, _, _) in enumerate(levels[1:]):
        when = days(D(2018, 10, 15), 9 * i + offset(jc, 6))
        failed = FAILED_ACCEPTANCE.get(jc)
        if failed:
            when = failed[0]
            b.add("rectifications", failed[1], {"id": f"RC-{jc}", "acceptance": f"A-{jc}", "date": failed[1]})
        b.add("acceptances", when, {"id": f"A-{jc}", "inspector": code, "subject": jc, "date": when,
                                    "result": "failed" if failed else "passed"})
    for year in (2018, 2019, 2020):
        for i, (jc, _, _, _) in enumerate(levels):
            rec = D(year, 1, 8) + dt.timedelta(days=offset(jc + str(year), 20))
            b.add("budgets", rec, {"id": f"B-{jc}-{year}", "jurisdiction": jc, "year": year,
                                   "amount": 20 if i else 150 + offset(code, 80), "recorded": rec})
    b.add("indicators", D(2020, 12, 20), {"id": f"I-{code}-BO-2020", "name": "black_odorous_eliminated_share",
                                          "jurisdiction": code, "year": 2020,
                                          "value": round(0.92 + offset(code, 8) / 100, 2), "unit": "ratio"})
    return b, juris


def city(counties: dict[str, Builder]) -> tuple[Builder, list[dict[str, Any]]]:
    code, cname = CITY
    b = Builder(code, cname, "city")
    juris = [{"code": code, "name": cname, "level": "city"}] + [
        {"code": c, "name": COUNTIES[c][0], "level": "county", "parent": code} for c in COUNTIES]
    # The city register: the seven main rivers and the two cross-county water bodies, with one
    # reach per county whose length is the sum of that county's village reaches.
    lengths: dict[tuple[str, str], float] = {}
    for c, cb in counties.items():
        names = {row["id"]: next(w for w in WATERS[c] if row["id"].endswith("-" + w.key)) for _, row in cb.tables["water_bodies"]}
        for _, r in cb.tables["reaches"]:
            w = names[r["water_body"]]
            key = (w.plan_name or w.name, c)
            lengths[key] = round(lengths.get(key, 0.0) + r["length_km"], 1)
    wids: dict[str, str] = {}
    for i, name in enumerate(MAIN_RIVERS, 1):
        wids[name] = f"WB-M{i}"
        b.add("water_bodies", EVER, {"id": f"WB-M{i}", "name": name, "kind": "river", "main_river": True})
    b.add("water_bodies", EVER, {"id": "WB-LS", "name": "龙山河", "kind": "river"})
    b.add("water_bodies", EVER, {"id": "WB-DL", "name": "大岭水库", "kind": "reservoir", "size": "medium",
                                 "flood_control_jurisdiction": "450803"})
    wids["龙山河"], wids["大岭水库"] = "WB-LS", "WB-DL"
    city_reaches = {k: v for k, v in lengths.items() if k[0] in wids}  # county-only tributaries stay with the county
    for (name, c), km in sorted(city_reaches.items(), key=lambda kv: (wids[kv[0][0]], kv[0][1])):
        b.add("reaches", EVER, {"id": f"R-{wids[name][3:]}-{c[-3:]}", "water_body": wids[name], "jurisdiction": c,
                                "length_km": km})
    for i, (name, post) in enumerate(zip(MAIN_RIVERS, CITY_CHIEF_POSTS), 1):
        chief = {"id": f"C-M{i}", "name": person(f"市河长{i}"), "level": "city", "post": post, "jurisdiction": code,
                 "water_body": f"WB-M{i}", "appointed": days(D(2017, 5, 8), 3 * i)}
        b.add("chiefs", chief["appointed"], chief)
        add_patrols(b, chief, "quarter")
    # The county chiefs of the cross-county water bodies, who convene their joint meetings.
    for c, wkey, wid in (("450802", "LS", "WB-LS"), ("450804", "LS", "WB-LS"), ("450803", "DL", "WB-DL"),
                         ("450881", "DL", "WB-DL")):
        _, row = next(x for x in counties[c].tables["chiefs"] if x[1]["id"] == f"C-{c[-3:]}-{wkey}")
        b.add("chiefs", row["appointed"], {**row, "water_body": wid})
    b.add("general_chiefs", D(2017, 5, 8), {"id": "GC-C-P", "name": person("市河长1"), "jurisdiction": code,
                                            "post": "party_principal", "appointed": D(2017, 5, 8)})
    b.add("general_chiefs", D(2017, 5, 8), {"id": "GC-C-G", "name": person("市河长2"), "jurisdiction": code,
                                            "post": "government_principal", "appointed": D(2017, 5, 8)})
    b.add("offices", D(2017, 7, 20), {"id": "OF-C", "jurisdiction": code, "host_unit": "市水利局",
                                      "director": person("市河长3"), "director_post": "government_leader_in_charge",
                                      "established": D(2017, 7, 20)})
    b.add("office_deputies", D(2017, 7, 20), {"id": "OD-1", "office": "OF-C", "name": person("市水利局局长"),
                                              "unit": "市水利局", "principal": True})
    b.add("office_deputies", D(2017, 7, 20), {"id": "OD-2", "office": "OF-C", "name": person("市环保局局长"),
                                              "unit": "市环境保护局", "principal": True})
    units = [("市" + u if u != "市政局" else "市市政局") for u in MEMBER_UNITS] + ["贵港海事局"]
    for i, unit in enumerate(units, 1):
        b.add("member_units", EVER, {"id": f"MU-{i:02d}", "jurisdiction": code, "unit": unit})
        b.add("designees", EVER, {"id": f"DS-{i:02d}-M", "member_unit": f"MU-{i:02d}", "role": "member",
                                  "name": person(unit + "成员"), "rank": "leader" if unit == "市水文水资源局" else "division"})
        b.add("designees", EVER, {"id": f"DS-{i:02d}-L", "member_unit": f"MU-{i:02d}", "role": "liaison",
                                  "name": person(unit + "联络员"), "rank": "section"})
    b.add("designees", EVER, {"id": "DS-12-L2", "member_unit": "MU-12", "role": "liaison",
                              "name": person("市林业局联络员2"), "rank": "section"}, until=TWO_LIAISONS_UNTIL)

    def doc(did: str, kind: str, title: str, issued: D, **extra: Any) -> None:
        b.add("documents", issued, {"id": did, "kind": kind, "title": title, "issuer": code, "issued": issued, **extra})

    doc("D-REG", "register", "贵港市江河湖库名录", D(2017, 9, 15))
    doc("D-MAP", "distribution_map", "贵港市江河湖库分布示意图", D(2017, 9, 22))
    for i, (kind, title, day) in enumerate((
            ("meeting_system", "贵港市河长会议制度", D(2018, 1, 12)),
            ("info_reporting_system", "贵港市河长制信息报送制度", D(2018, 1, 12)),
            ("info_sharing_system", "贵港市河长制信息共享制度", D(2018, 1, 12)),
            ("supervision_system", "贵港市河长制工作督察制度", D(2018, 2, 8)),
            ("acceptance_system", "贵港市全面推行河长制验收制度", D(2018, 2, 8)),
            ("incentive_mechanism", "贵港市河长制工作激励机制", D(2018, 3, 20)),
            ("assessment_measures", "贵港市河长制工作考核办法", D(2018, 3, 20)),
            ("supporting_systems", "贵港市全面推行河长制相关配套制度", D(2018, 3, 20)),
            ("chief_list_publication", "贵港市河长名单公告（贵港日报）", D(2018, 3, 28)),
            ("platform_release", "贵港市河长制信息发布平台上线运行", D(2018, 4, 16)),
            ("platform_monitoring", "贵港市江河湖库水资源监控信息管理平台上线运行", D(2018, 5, 28)),
            ("third_party_evaluation", "贵港市江河湖库管理保护效果第三方评估委托", D(2018, 6, 15)),
            ("platform_sharing", "贵港市河长制信息共享平台上线运行", D(2018, 6, 26))), 1):
        doc(f"D-S{i:02d}", kind, title, day)
    for i, name in enumerate(MAIN_RIVERS, 1):
        doc(f"D-OP-M{i}", "one_policy", f"{name}“一河一策”实施方案", days(D(2018, 3, 5), 2 * i), water_body=f"WB-M{i}")
    b.add("meetings", D(2018, 1, 12), {"id": "M-C", "kind": "river_chief_meeting", "jurisdiction": code,
                                       "established": D(2018, 1, 12)})
    b.add("meetings", D(2018, 3, 20), {"id": "M-LS", "kind": "joint_meeting", "jurisdiction": code,
                                       "water_body": "WB-LS", "convener": f"C-{WRONG_CONVENER[-3:]}-LS",
                                       "established": D(2018, 3, 20)})
    b.add("meetings", D(2018, 3, 26), {"id": "M-DL", "kind": "joint_meeting", "jurisdiction": code,
                                       "water_body": "WB-DL", "convener": "C-803-DL", "established": D(2018, 3, 26)})
    for i, c in enumerate(COUNTIES):
        failed = FAILED_ACCEPTANCE.get(c)
        when = failed[0] if failed else days(D(2018, 11, 19), 5 * i)
        b.add("acceptances", when, {"id": f"A-{c}", "inspector": code, "subject": c, "date": when,
                                    "result": "failed" if failed else "passed"})
        if failed:
            b.add("rectifications", failed[1], {"id": f"RC-{c}", "acceptance": f"A-{c}", "date": failed[1]})
    for year in (2018, 2019, 2020):
        rec = D(year, 1, 16)
        b.add("budgets", rec, {"id": f"B-C-{year}", "jurisdiction": code, "year": year, "amount": 800, "recorded": rec})
    for name, value, unit, baseline in (("black_odorous_eliminated_share", 0.96, "ratio", None),
                                        ("water_area_km2", 1432.6, "km2", 1440.2),
                                        ("surface_water_good_share", 0.957, "ratio", 0.94)):
        b.add("indicators", D(2020, 12, 20), {"id": f"I-C-{name}-2020", "name": name, "jurisdiction": code,
                                              "year": 2020, "value": value, "unit": unit, "baseline": baseline})
    tasks = _task_rows()
    for ref, leads in tasks:
        b.add("tasks", D(2018, 1, 15), {"id": f"TK-{ref[5:]}", "task_ref": ref, "status": "in_progress",
                                        "lead_units": leads})
    return b, juris


def _task_rows() -> list[tuple[str, list[str]]]:
    import yaml  # the task table of the pack: the ledger copies its refs and lead units
    path = HERE.parents[1] / "rules" / "guigang-river-chief" / "reference" / "tasks.yaml"
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["rows"]
    return [(r["ref"], list(r["lead_units"])) for r in rows]


def build() -> dict[str, str]:
    """File name → JSON text, for all 24 submissions."""
    builders = {c: county(c) for c in COUNTIES}
    city_b = city({c: b for c, (b, _) in builders.items()})
    out: dict[str, str] = {}
    for b, juris in [city_b, *builders.values()]:
        for period in PERIODS:
            doc = b.render(period, juris)
            out[f"{b.code}-{period}.json"] = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output directory (default: this one)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in build().items():
        (args.out / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
