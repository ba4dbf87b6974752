"""Generate the Changning District sample submissions (长宁区 biodiversity plan).

    python samples/changning/generate.py            # rewrite the JSON files next to this script
    python samples/changning/generate.py --check    # exit 1 if a committed file is stale

One story of the district from the plan's issue (2023-06-19) to 2026-Q3, and four quarterly
snapshots of it: 2023-Q4, 2024-Q4, 2025-Q4 and 2026-Q3 (``310105-<period>.json``). A snapshot
holds everything dated on or before its ``as_of`` (documents, activities, progress entries)
and each ledger entry's status on that day. The district is compliant except for the planted
lapses listed in :data:`LAPSES` (and in README.md, with the findings they must produce).

Output is deterministic: no clock, no randomness, fixed key order, UTF-8, ``\\n`` line ends.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
TASK_TABLE = HERE.parent.parent / "rules" / "changning-biodiversity" / "tasks.yaml"
DISTRICT = "310105"

SNAPSHOTS: tuple[tuple[str, date], ...] = (
    ("2023Q4", date(2023, 12, 31)),
    ("2024Q4", date(2024, 12, 31)),
    ("2025Q4", date(2025, 12, 31)),
    ("2026Q3", date(2026, 9, 30)),
)

#: The planted lapses (README.md lists the finding each must produce).
LAPSES = {
    "assessment_report_2025": "the 2021–2025 comprehensive assessment report is never published (CN-06 / T22)",
    "species_list_late": "the indicator species list (T19, due 2024-12-31) is issued on 2025-12-10",
    "t46_silent": "区人社局 files no progress on T46 in 2025Q2 and 2025Q3",
    "native_species_fall": "the native species count falls 10% in 2025 (420 → 378; baseline 420)",
    "no_biodiversity_day_2025": "no activity for 国际生物多样性日 in 2025",
}

JURISDICTIONS = [
    {"code": "310000", "name": "上海市", "level": "province"},
    {"code": DISTRICT, "name": "长宁区", "level": "county", "parent": "310000"},
    *({"code": code, "name": name, "level": "township", "parent": DISTRICT} for code, name in (
        ("310105001", "华阳路街道"), ("310105002", "江苏路街道"), ("310105004", "新华路街道"),
        ("310105005", "周家桥街道"), ("310105006", "天山路街道"), ("310105008", "仙霞新村街道"),
        ("310105009", "虹桥街道"), ("310105010", "程家桥街道"), ("310105011", "北新泾街道"),
        ("310105102", "新泾镇"))),
]

INDEX_DIMENSIONS = ["生物多样性适应性构成", "市民亲近自然满意度", "城市生态服务质量", "城市生境治理与管理"]


@dataclass(frozen=True)
class Dated:
    """A dated task's story: started on ``start``; completed on ``done`` (None: never)."""

    start: date
    done: date | None
    deliverable: str


# T19 is completed late (lapse); T22 starts but its report is never published (lapse).
DATED: dict[str, Dated] = {
    "CN-T01": Dated(date(2023, 7, 10), date(2023, 12, 20), "长宁区生态系统生物多样性保护提升规划"),
    "CN-T02": Dated(date(2023, 9, 1), date(2025, 3, 31), "长宁区城市生境和谐指数体系"),
    "CN-T10": Dated(date(2024, 1, 15), date(2025, 10, 31), "蓝绿空间“生境+”营造方案"),
    "CN-T13": Dated(date(2024, 2, 1), date(2025, 11, 20), "公园绿地复合型功能提升项目"),
    "CN-T14": Dated(date(2024, 3, 1), date(2025, 9, 30), "生态空间生境适应性评估报告"),
    "CN-T15": Dated(date(2024, 4, 1), date(2025, 12, 15), "新泾镇“生境街镇”试点总结"),
    "CN-T17": Dated(date(2024, 5, 6), date(2025, 6, 30), "社会力量参与野生动物收容救护工作办法"),
    "CN-T18": Dated(date(2025, 3, 1), None, "长宁区生物多样性多维监测网络"),
    "CN-T19": Dated(date(2024, 3, 1), date(2025, 12, 10), "长宁区生态环境质量指示物种清单"),
    "CN-T21": Dated(date(2024, 6, 3), date(2025, 8, 29), "生态空间生物多样性功能体检报告"),
    "CN-T22": Dated(date(2024, 3, 1), None, "长宁区生物多样性综合评估报告（2021—2025）"),
    "CN-T28": Dated(date(2024, 1, 8), date(2025, 10, 15), "校地合作研究成果（城市生境和谐指数）"),
    "CN-T29": Dated(date(2024, 2, 20), date(2025, 9, 30), "生物多样性信息化管理系统"),
    "CN-T30": Dated(date(2024, 9, 2), date(2025, 12, 10), "生物多样性信息化应用场景"),
}

#: Ongoing rows that are systems: established once (ledger 完成日期 + 成果), status stays in_progress.
SYSTEMS: dict[str, tuple[date, str]] = {
    "CN-T32": (date(2024, 3, 15), "区野生动物保护联席会议制度"),
    "CN-T43": (date(2023, 12, 28), "生物多样性保护工作机制"),
}

# document id, kind, title, issued, extra fields. Issued on or before as_of: in the snapshot.
DOCUMENTS: list[tuple[str, str, str, date, dict[str, Any]]] = [
    ("D-AWP-2024", "annual_work_plan", "长宁区2024年生态环境保护工作计划", date(2024, 2, 20),
     {"year": 2024, "covers": ["生物多样性保护宣传", "生境花园建设"]}),
    ("D-SYS-T32", "other", "长宁区野生动物保护联席会议制度", date(2024, 3, 15), {"deliverable": "区野生动物保护联席会议制度"}),
    ("D-AWP-2025", "annual_work_plan", "长宁区2025年生态环境保护工作计划", date(2025, 2, 18),
     {"year": 2025, "covers": ["生物多样性保护宣传", "生境花园建设"]}),
    ("D-INDEX", "index_system", "长宁区城市生境和谐指数指标体系", date(2025, 3, 31), {"covers": INDEX_DIMENSIONS}),
    ("D-BASELINE", "baseline_survey", "长宁区生物多样性本底调查和评估报告", date(2025, 6, 30), {}),
    ("D-INFOSYS", "info_system", "长宁区生物多样性信息化管理系统上线运行的通知", date(2025, 9, 30), {}),
    # Lapse species_list_late: due 2024-12-31.
    ("D-SPECIES", "indicator_species_list", "长宁区生态环境质量指示物种清单", date(2025, 12, 10), {}),
    # Lapse assessment_report_2025: no assessment_report document at all.
    ("D-AWP-2026", "annual_work_plan", "长宁区2026年生态环境保护工作计划", date(2026, 2, 16),
     {"year": 2026, "covers": ["生物多样性保护宣传", "生境花园建设", "外来入侵物种防控"]}),
]

# (occasion, month-day, organiser, title); one per year 2024–2026, dated on the day itself,
# except the lapse: no 国际生物多样性日 activity in 2025.
OCCASIONS = [
    ("世界水日", "03-22", "区建管委", "世界水日河湖生物多样性宣传"),
    ("保护野生动物宣传月", "04-16", "区绿化市容局", "保护野生动物宣传月进社区"),
    ("国际生物多样性日", "05-22", "区生态环境局", "国际生物多样性日自然观察活动"),
    ("六五环境日", "06-05", "区生态环境局", "六五环境日生境花园开放日"),
]

# Indicators: name → unit, {year: value}; a year's values are known from the end of that year,
# the index-based ones only once the index system exists (2025-03-31), 2024 computed back.
INDICATORS: dict[str, tuple[str, dict[int, float]]] = {
    "habitat_harmony_index": ("index", {2024: 71.2, 2025: 73.5}),
    "habitat_adaptation_green": ("ratio", {2024: 0.42, 2025: 0.45}),
    "habitat_adaptation_bank": ("ratio", {2024: 0.38, 2025: 0.40}),
    "habitat_adaptation_public": ("ratio", {2024: 0.21, 2025: 0.23}),
    "blue_green_ratio": ("ratio", {2024: 0.30, 2025: 0.31}),
    # Lapse native_species_fall: 2025 is 90% of 2024 and of the baseline.
    "native_species_count": ("count", {2023: 418, 2024: 420, 2025: 378}),
}
NATIVE_BASELINE = 420
INDEX_FROM = date(2025, 3, 31)
SHORT = {"habitat_harmony_index": "HHI", "habitat_adaptation_green": "HAG", "habitat_adaptation_bank": "HAB",
         "habitat_adaptation_public": "HAP", "blue_green_ratio": "BG", "native_species_count": "NS"}

#: Quarters in which a row files no progress (lapse t46_silent).
SILENT = {("CN-T46", "2025Q2"), ("CN-T46", "2025Q3")}
LEDGER_OPENED = date(2023, 7, 5)  # every row entered in the ledger in the first reporting quarter


def _quarters(until: date) -> list[tuple[int, int]]:
    out, y, q = [], 2023, 3
    while date(y, 3 * q - 2, 1) <= until:
        out.append((y, q))
        y, q = (y, q + 1) if q < 4 else (y + 1, 1)
    return out


def _tasks(rows: list[dict[str, Any]], as_of: date) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        n = r["ref"][-2:]
        entry: dict[str, Any] = {"id": f"K-T{n}", "task_ref": r["ref"], "status": "in_progress",
                                 "lead_units": list(r["lead_units"])}
        if r["ref"] in DATED:
            d = DATED[r["ref"]]
            if d.done is not None and d.done <= as_of:
                entry.update(status="completed", completed=d.done.isoformat(), deliverable=d.deliverable)
            elif d.start > as_of:
                entry["status"] = "not_started"
        elif r["ref"] in SYSTEMS and SYSTEMS[r["ref"]][0] <= as_of:
            established, name = SYSTEMS[r["ref"]]
            entry.update(completed=established.isoformat(), deliverable=name)
        out.append(entry)
    return out


def _progress(rows: list[dict[str, Any]], as_of: date) -> list[dict[str, Any]]:
    """One entry per ongoing row per quarter, from a lead unit (rotating among joint leads),
    dated in the quarter's middle month; a cooperating unit adds its own entry every fourth
    quarter, which is allowed alongside the lead's."""
    out = []
    for qi, (y, q) in enumerate(_quarters(as_of)):
        for r in rows:
            if r["kind"] != "ongoing" or (r["ref"], f"{y}Q{q}") in SILENT:
                continue
            n = int(r["ref"][-2:])
            day = date(y, 3 * q - 1, 5 + n % 20)
            if day > as_of:
                continue
            leads = r["lead_units"]
            out.append({"id": f"P-T{n:02d}-{y}Q{q}", "task": f"K-T{n:02d}", "date": day.isoformat(),
                        "unit": leads[qi % len(leads)], "note": f"{y}年第{q}季度工作进展"})
            coop = r["cooperating_units"]
            if coop and (qi + n) % 4 == 0:
                out.append({"id": f"P-T{n:02d}-{y}Q{q}-C", "task": f"K-T{n:02d}", "date": day.isoformat(),
                            "unit": coop[0], "note": "配合部门报送"})
    return out


def _documents(as_of: date) -> list[dict[str, Any]]:
    return [{"id": i, "kind": kind, "title": title, "issuer": DISTRICT, "issued": issued.isoformat(), **extra}
            for i, kind, title, issued, extra in DOCUMENTS if issued <= as_of]


def _activities(as_of: date) -> list[dict[str, Any]]:
    out = []
    for year in (2024, 2025, 2026):
        for occasion, md, organiser, title in OCCASIONS:
            if year == 2025 and occasion == "国际生物多样性日":
                continue  # lapse no_biodiversity_day_2025
            day = date.fromisoformat(f"{year}-{md}")
            if day <= as_of:
                out.append({"id": f"A-{year}-{md}", "date": day.isoformat(), "occasion": occasion,
                            "organiser": organiser, "title": f"{year}年{title}"})
    return out


def _indicators(as_of: date) -> list[dict[str, Any]]:
    out = []
    for name, (unit, values) in INDICATORS.items():
        for year, value in sorted(values.items()):
            known = date(year, 12, 31) <= as_of and (name == "native_species_count" or INDEX_FROM <= as_of)
            if not known:
                continue
            rec: dict[str, Any] = {"id": f"I-{SHORT[name]}-{year}", "name": name, "jurisdiction": DISTRICT,
                                   "year": year, "value": value, "unit": unit}
            if name == "native_species_count":
                rec["baseline"] = NATIVE_BASELINE
            out.append(rec)
    return out


def snapshot(period: str, as_of: date, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The district's submission for ``period``, describing ``as_of``."""
    return {
        "schema_version": "1.0", "submission_id": f"CN-{DISTRICT}-{period}", "pack": "changning-biodiversity",
        "jurisdiction": DISTRICT, "period": period, "as_of": as_of.isoformat(),
        "jurisdictions": JURISDICTIONS,
        "documents": _documents(as_of),
        "indicators": _indicators(as_of),
        "tasks": _tasks(rows, as_of) if as_of >= LEDGER_OPENED else [],
        "progress": _progress(rows, as_of),
        "activities": _activities(as_of),
    }


def render() -> dict[str, str]:
    """File name → file text, for every snapshot."""
    rows = yaml.safe_load(TASK_TABLE.read_text(encoding="utf-8"))["rows"]
    return {f"{DISTRICT}-{period}.json": json.dumps(snapshot(period, as_of, rows), ensure_ascii=False, indent=1) + "\n"
            for period, as_of in SNAPSHOTS}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: next to this script)")
    ap.add_argument("--check", action="store_true", help="only compare with the files in --out; exit 1 if stale")
    args = ap.parse_args(argv)
    stale = []
    for name, text in render().items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_bytes() != text.encode("utf-8"):
                stale.append(name)
        else:
            path.write_bytes(text.encode("utf-8"))
    if stale:
        print("stale: " + ", ".join(stale) + " (run samples/changning/generate.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
