"""bench/generate.py: deterministic synthetic submissions whose planted lapses are the only lapses.

The tiny scale (港北区, two townships) is generated twice and must be byte-identical; it must
load and validate as a CSV package and as JSON (the same dataset both ways); its manifest
must agree with the rows (checked here from the data, independently of the rules); and the
Guigang pack must report exactly the planted lapses and nothing else.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bench import geo
from bench.city import build_city, extract_for_city
from bench.county import PATROL_EVERY, build_county
from bench.generate import MANIFEST, generate, generate_json, main
from bench.output import write_folder
from checker.dataset import Dataset, load_dataset
from checker.dates import day_number, periods_between
from checker.evaluate import Evaluator
from checker.rulefile import load_pack

PERIOD = "2018Q4"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    generate("tiny", out, seed=7, period=PERIOD)
    return out


@pytest.fixture(scope="module")
def manifest(tiny: Path) -> dict:
    return json.loads((tiny / MANIFEST).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ds(tiny: Path) -> Dataset:
    return load_dataset(tiny / "450802")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tiny: Path, tmp_path: Path) -> None:
    generate("tiny", tmp_path, seed=7, period=PERIOD)
    again = _files(tmp_path)
    assert again == _files(tiny)
    assert {"450802/报送信息.csv", "450802/patrols.parquet", "450802/河长.csv", MANIFEST} <= set(again)


def test_a_batch_over_the_output_reads_the_submissions_only(tiny: Path, tmp_path: Path) -> None:
    from checker.collect import collect
    c = collect([tiny], tmp_path / "work")
    assert [i.name for i in c.inputs] == [f"{tiny.as_posix()}/450802"]
    assert [s[0] for s in c.skipped] == [f"{tiny.as_posix()}/{MANIFEST}"]  # listed, not dropped


def test_another_seed_gives_other_data(tiny: Path, tmp_path: Path) -> None:
    generate("tiny", tmp_path, seed=8, period=PERIOD)
    assert _files(tmp_path)["450802/河长.csv"] != _files(tiny)["450802/河长.csv"]


def test_tiny_loads_as_csv_package_and_json_alike(ds: Dataset, tmp_path: Path) -> None:
    assert ds.header.submission_id == "GG-450802-2018Q4" and ds.header.as_of == date(2018, 12, 31)
    assert ds.jurisdiction["level"] == "county"
    assert len(ds.tables["patrols"]) > 100 and len(ds.tables["reaches"]) == 12
    generate_json("tiny", tmp_path / "tiny.json", seed=7, period=PERIOD)
    js = load_dataset(tmp_path / "tiny.json")
    for name, frame in ds.tables.items():
        pd.testing.assert_frame_equal(frame.drop(columns="_row"), js.tables[name].drop(columns="_row"),
                                      check_dtype=False, obj=name)
    side = json.loads((tmp_path / "tiny.lapses.json").read_text(encoding="utf-8"))
    assert side["by_submission"]["tiny.json"]["lapses"]


def test_manifest_counts_rows_and_plants_every_kind(manifest: dict, ds: Dataset) -> None:
    entry = manifest["by_submission"]["450802"]
    assert entry["rows"] == {t: len(f) for t, f in ds.tables.items() if t in entry["rows"]}
    # The tiny scale plants at least one lapse of each kind.
    assert set(manifest["lapse_counts"]) == {"late_work_plan", "missing_notice_board", "reach_without_village_chief",
                                             "short_patrol_periods"}
    assert min(manifest["lapse_counts"].values()) >= 1
    assert sum(manifest["lapse_counts"].values()) == len(entry["lapses"])


def _lapses(manifest: dict, kind: str) -> list[dict]:
    return [lapse for lapse in manifest["by_submission"]["450802"]["lapses"] if lapse["kind"] == kind]


def test_reach_without_village_chief_is_the_only_one(manifest: dict, ds: Dataset) -> None:
    chiefs, reaches = ds.tables["chiefs"], ds.tables["reaches"]
    as_of = day_number(ds.as_of)
    in_post = chiefs[(chiefs["level"] == "village") & (chiefs["appointed"] <= as_of)
                     & (chiefs["left"].isna() | (chiefs["left"] > as_of))]
    without = set(reaches["id"]) - set(in_post["reach"])
    assert without == {lapse["reach"] for lapse in _lapses(manifest, "reach_without_village_chief")}


def test_missing_notice_board_is_the_only_one(manifest: dict, ds: Dataset) -> None:
    without = set(ds.tables["reaches"]["id"]) - set(ds.tables["notice_boards"]["reach"])
    assert without == {lapse["subject"] for lapse in _lapses(manifest, "missing_notice_board")}


def test_late_work_plan_is_the_only_one(manifest: dict, ds: Dataset) -> None:
    docs = ds.tables["documents"]
    plans = docs[docs["kind"] == "work_plan"]
    late = set(plans[plans["reported"] > day_number(date(2017, 12, 31))]["issuer"])
    assert late == {lapse["subject"] for lapse in _lapses(manifest, "late_work_plan")}
    j = ds.tables["jurisdictions"]
    assert set(plans["issuer"]) == set(j[j["level"].isin(["county", "township"])]["code"])


def test_short_patrol_periods_are_the_only_ones(manifest: dict, ds: Dataset) -> None:
    """Recount GG-27 from the rows: periods wholly in the quarter and in the chief's tenure."""
    chiefs, patrols = ds.tables["chiefs"], ds.tables["patrols"]
    start, end = date(2018, 10, 1), ds.as_of
    short: dict[str, list[str]] = {}
    by_chief = patrols.groupby("chief")["date"].apply(list).to_dict()
    for cid, level, appointed, left in chiefs[["id", "level", "appointed", "left"]].itertuples(index=False):
        days = by_chief.get(cid, [])
        for p in periods_between(PATROL_EVERY[level], start, end):
            lo, hi = day_number(p.start), day_number(p.end)
            held = appointed <= lo and (pd.isna(left) or left >= hi)
            if p.start >= start and p.end <= end and held and not any(lo <= d <= hi for d in days):
                short.setdefault(cid, []).append(p.label)
    assert short == {lapse["subject"]: lapse["periods"] for lapse in _lapses(manifest, "short_patrol_periods")}
    assert short, "a short patrol period was planted"


def test_pack_reports_exactly_the_planted_lapses(manifest: dict, ds: Dataset) -> None:
    findings = Evaluator(load_pack("guigang-river-chief")).evaluate(ds)
    got = sorted((f.rule, f.subject_id) for f in findings if f.outcome not in ("passed", "not_applicable"))
    want = sorted((lapse["rule"], lapse["subject"]) for lapse in manifest["by_submission"]["450802"]["lapses"])
    assert got == want
    parts = {f.subject_id: list(f.parts) for f in findings if f.rule == "GG-27" and f.outcome == "violated"}
    assert parts == {lapse["subject"]: lapse["periods"] for lapse in _lapses(manifest, "short_patrol_periods")}


def test_city_submission_is_compliant(tmp_path: Path) -> None:
    """Guigang with five tiny counties: the city's submission, built from their extracts."""
    city = geo.guigang(3, {c[0]: (2, 6, 6, 12) for c in geo.GUIGANG_COUNTIES})
    waters = {w.id for w in city.shared}
    extracts = [extract_for_city(build_county(c, PERIOD, 3), waters) for c in city.counties]
    write_folder(build_city(city, PERIOD, 3, extracts), tmp_path / "450800")
    ds = load_dataset(tmp_path / "450800")
    assert ds.jurisdiction["level"] == "city"
    assert len(ds.tables["meetings"][ds.tables["meetings"]["kind"] == "joint_meeting"]) >= 1
    findings = Evaluator(load_pack("guigang-river-chief")).evaluate(ds)
    bad = [(f.rule, f.subject_id, f.reason) for f in findings if f.outcome not in ("passed", "not_applicable")]
    assert bad == []
    assert {f.rule for f in findings if f.outcome == "passed"} >= {"GG-01", "GG-08", "GG-10", "GG-10-reservoir",
                                                                  "GG-12", "GG-12-leads", "GG-27"}


def test_nation_plan_has_the_national_totals() -> None:
    counties = [c for city in geo.nation(1) for c in city.counties]
    assert len(counties) == geo.NATION_COUNTIES == len({c.code for c in counties})
    assert sum(c.townships for c in counties) == geo.NATION_TOWNSHIPS
    assert sum(c.villages for c in counties) == geo.NATION_VILLAGES
    guangxi = [c for city in geo.guangxi(1) for c in city.counties]
    assert (len(guangxi), sum(c.townships for c in guangxi)) == (111, geo.GUANGXI_TOWNSHIPS)
    # Guangxi is the same whether planned alone or inside the nation.
    assert guangxi == [c for c in counties if c.code.startswith("45")]


def test_cli_refuses_bad_input_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--scale", "tiny", "--period", "2018Q5", "--out", str(tmp_path)]) == 2
    assert main(["--scale", "province", "--format", "json", "--out", str(tmp_path / "x.json"), "--lang", "en"]) == 2
    assert main(["--scale", "nation", "--provinces", "45,99", "--out", str(tmp_path), "--lang", "en"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "--period：季度格式应为 2018Q2",
        "--format json writes one county: use --scale tiny or county",
        "--provinces: no province 99 in scale nation",
    ]
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_json_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--scale", "tiny", "--format", "json", "--out", str(tmp_path / "t.json"), "--lang", "en"]) == 0
    assert load_dataset(tmp_path / "t.json").header.jurisdiction == "450802"
    assert capsys.readouterr().err.startswith("tiny: 1 submission(s), ")
