"""Reference data of the Guigang river-chief pack (rules/guigang-river-chief/reference)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE = REPO_ROOT / "rules" / "guigang-river-chief" / "reference"
SEEDS = REPO_ROOT.parent / "shared" / "seeds"
SEED = SEEDS / "003_382c263a2871d734.txt"

COUNTIES = {
    "450802": "港北区",
    "450803": "港南区",
    "450804": "覃塘区",
    "450821": "平南县",
    "450881": "桂平市",
}
RIVERS = ["西江干流(黔江、浔江)", "郁江干流", "鲤鱼江", "武思江", "白沙河", "马来河", "大同江"]
MEMBER_UNITS = [
    "市发展改革委", "市工业和信息化委", "市公安局", "市财政局", "市国土资源局", "市环境保护局",
    "市住房城乡建设委", "市市政局", "市交通运输局", "市水利局", "市农业局", "市林业局",
    "市卫计委", "市水产畜牧兽医局", "市水文水资源局", "贵港海事局",
]
TASKS_PER_SECTION = {"一": 4, "二": 3, "三": 7, "四": 6, "五": 5, "六": 4}
ROW_KEYS = [
    "ref", "row", "section", "item", "clause", "text", "time_node", "kind", "due",
    "lead_units", "cooperating_units", "source_row",
]
COUNTY_GOVERNMENTS = "各县〈市、区〉人民政府"


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((REFERENCE / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("name", "fmt", "kind"),
    [
        ("jurisdictions.yaml", "ducha-reference/1", "jurisdictions"),
        ("main_rivers.yaml", "ducha-reference/1", "main_rivers"),
        ("member_units.yaml", "ducha-reference/1", "member_units"),
        ("tasks.yaml", "ducha-task-table/1", None),
    ],
)
def test_each_file_names_its_format_and_source(name: str, fmt: str, kind: str | None) -> None:
    data = load(name)
    assert data["format"] == fmt
    assert data.get("kind") == kind
    assert "seeds/003_382c263a2871d734.txt" in data["source"]


def test_jurisdictions_are_the_city_and_its_five_counties() -> None:
    items = load("jurisdictions.yaml")["items"]
    assert items[0] == {"code": "450800", "name": "贵港市", "level": "city", "parent": None}
    counties = {item["code"]: item for item in items[1:]}
    assert {code: item["name"] for code, item in counties.items()} == COUNTIES
    assert all(item["level"] == "county" and item["parent"] == "450800" for item in counties.values())
    assert len(items) == 6


def test_main_rivers_are_the_seven_of_the_plan_each_in_valid_counties() -> None:
    items = load("main_rivers.yaml")["items"]
    assert [item["name"] for item in items] == RIVERS
    assert [item["id"] for item in items] == [f"GG-R{n}" for n in range(1, 8)]
    for item in items:
        assert item["counties"], item["name"]
        assert set(item["counties"]) <= set(COUNTIES), item["name"]
        assert len(set(item["counties"])) == len(item["counties"]), item["name"]
        assert item["confidence"] in {"high", "medium", "low"}, item["name"]
        assert item["source"].strip(), item["name"]


def test_main_rivers_appear_in_the_seed_list_of_main_rivers() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed text not found at {SEED}")
    listed = "、".join(RIVERS) + "等7条主要江河"
    assert listed in SEED.read_text(encoding="utf-8")


def test_member_units_are_the_sixteen_with_one_leader_member() -> None:
    items = load("member_units.yaml")["items"]
    assert [item["name"] for item in items] == MEMBER_UNITS
    assert all(item["role"] == "member" and item["liaison_rank"] == "section" for item in items)
    leaders = [item["name"] for item in items if item["member_rank"] == "leader"]
    assert leaders == ["市水文水资源局"]
    assert {item["member_rank"] for item in items} == {"division", "leader"}


def test_task_table_has_every_task_item_of_part_three() -> None:
    rows = load("tasks.yaml")["rows"]
    counts = Counter(re.fullmatch(r"三\((.)\)\d+", row["clause"]).group(1) for row in rows)
    assert counts == TASKS_PER_SECTION
    assert len(rows) == 29
    assert [row["row"] for row in rows] == list(range(1, 30))


def test_task_rows_have_the_table_format_unique_refs_and_leads() -> None:
    document = load("tasks.yaml")
    assert document["document"] == "guigang-river-chief"
    known_parties = set(MEMBER_UNITS) | {COUNTY_GOVERNMENTS}
    refs = [row["ref"] for row in document["rows"]]
    assert len(set(refs)) == len(refs)
    numerals = "一二三四五六"
    for row in document["rows"]:
        assert list(row) == ROW_KEYS
        match = re.fullmatch(r"GG-T-([1-6])-(\d+)", row["ref"])
        assert match, row["ref"]
        assert row["clause"] == f"三({numerals[int(match.group(1)) - 1]}){match.group(2)}"
        assert row["item"] == match.group(2)
        assert row["lead_units"], row["ref"]
        assert set(row["lead_units"]) <= known_parties, row["ref"]
        assert (row["time_node"], row["kind"], row["due"], row["source_row"]) == ("持续推进", "ongoing", None, None)
        assert not row["text"].endswith(")"), row["ref"]


def test_lead_units_take_the_city_prefix_the_seed_writes_once() -> None:
    rows = {row["ref"]: row for row in load("tasks.yaml")["rows"]}
    assert rows["GG-T-1-2"]["lead_units"] == ["市水利局", "市环境保护局", "市发展改革委"]
    assert rows["GG-T-4-2"]["lead_units"] == ["市住房城乡建设委", "市市政局"]
    assert rows["GG-T-3-7"]["lead_units"] == ["贵港海事局", "市交通运输局"]
    assert rows["GG-T-1-1"]["cooperating_units"] == [COUNTY_GOVERNMENTS, "市相关部门"]
    assert rows["GG-T-6-1"]["lead_units"] == ["市公安局", COUNTY_GOVERNMENTS]
    assert rows["GG-T-6-2"]["lead_units"] == ["市环境保护局", "市水利局", "市公安局", COUNTY_GOVERNMENTS]
    assert rows["GG-T-6-2"]["cooperating_units"] == ["市相关部门"]
    assert (rows["GG-T-6-4"]["lead_units"], rows["GG-T-6-4"]["cooperating_units"]) == ([COUNTY_GOVERNMENTS], [])


def test_extract_tasks_reproduces_the_committed_table(tmp_path: Path) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seeds directory not found at {SEEDS}")
    out = tmp_path / "tasks.yaml"
    subprocess.run(
        [sys.executable, str(REFERENCE / "extract_tasks.py"), "--seed", str(SEED), "--out", str(out)],
        check=True,
    )
    assert out.read_bytes() == (REFERENCE / "tasks.yaml").read_bytes()
