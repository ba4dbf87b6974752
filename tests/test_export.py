"""checker.export: every format round-trips losslessly (JSON → model → xlsx / CSV folder →
model), output is byte-identical run to run, and what cannot round-trip is refused."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.dataset import dataset_from_document, load_dataset
from checker.errors import InputError
from checker.export import (ExportError, document, export, submission_of, tabulate, write_csv_folder,
                            write_json, write_xlsx, write_xlsx_sheets, write_yaml)
from checker.model import TABLES, Submission

REPO = Path(__file__).resolve().parents[1]
BASES = sorted((REPO / "tests" / "rules").glob("*/base-*.yaml"))

# Every table, every column type, and the values that break naive writers.
FULL: dict[str, Any] = {
    "schema_version": "1.0", "submission_id": "X-0450-2018Q4", "pack": "guigang-river-chief",
    "jurisdiction": "0450", "period": "2018Q4", "as_of": "2018-12-31",
    "jurisdictions": [{"code": "0450", "name": "测试市", "level": "city"},
                      {"code": "045001", "name": "𠮷野区", "level": "county", "parent": "0450"}],
    "water_bodies": [{"id": "W1", "name": "郁江, \"西江\"", "kind": "river", "main_river": True},
                     {"id": "W2", "name": "达开水库", "kind": "reservoir", "size": "large",
                      "flood_control_jurisdiction": "045001"}],
    "reaches": [{"id": "R1", "water_body": "W1", "jurisdiction": "045001", "length_km": 0.1 + 0.2}],
    "chiefs": [{"id": "C1", "name": "张三", "level": "county", "post": "party_principal", "jurisdiction": "045001",
                "water_body": "W1", "reach": "R1", "appointed": "1950-01-01", "left": "2099-12-31"}],
    "general_chiefs": [{"id": "G1", "name": "李四", "jurisdiction": "0450", "post": "party_principal",
                        "appointed": "2017-06-01"}],
    "offices": [{"id": "O1", "jurisdiction": "0450", "host_unit": "市水利局", "director": "王五",
                 "director_post": "government_leader_in_charge", "established": "2017-07-01"}],
    "office_deputies": [{"id": "OD1", "office": "O1", "name": "赵六", "unit": "市环保局", "principal": False}],
    "member_units": [{"id": "M1", "jurisdiction": "0450", "unit": "市投促办(金融办、发改委)"}],
    "designees": [{"id": "DS1", "member_unit": "M1", "role": "liaison", "name": "钱七", "rank": "section"}],
    "documents": [{"id": "D1", "kind": "one_policy", "title": "=SUM(A1:A2) 一河一策\n第二行", "issuer": "0450",
                   "issued": "2018-03-01", "reported_to": "省河长办", "reported": "2018-03-05", "water_body": "W1",
                   "year": 2018, "covers": ["水资源保护", "水污染防治(含黑臭水体、工业)"], "deliverable": "'方案'"}],
    "meetings": [{"id": "MT1", "kind": "joint_meeting", "jurisdiction": "0450", "water_body": "W1",
                  "convener": "C1", "established": "2018-01-01"}],
    "acceptances": [{"id": "A1", "inspector": "0450", "subject": "045001", "date": "2018-06-30", "result": "failed"}],
    "rectifications": [{"id": "RC1", "acceptance": "A1", "date": "2018-08-01"}],
    "budgets": [{"id": "B1", "jurisdiction": "0450", "year": 2018, "amount": 12345678.9, "recorded": "2018-01-15"}],
    "notice_boards": [{"id": "NB1", "reach": "R1", "installed": "2018-05-20"}],
    "patrols": [{"id": "P1", "chief": "C1", "reach": "R1", "date": "2018-10-12", "duration_min": 1e-7},
                {"id": "P2", "chief": "C1", "date": "2018-10-13"}],
    "indicators": [{"id": "I1", "name": "water_area_km2", "jurisdiction": "0450", "year": 2018, "value": -3.25,
                    "unit": "km2", "baseline": 0}],
    "tasks": [{"id": "T1", "task_ref": "GG-T-1-1", "status": "completed", "lead_units": ["市水利局", "市环保局"],
               "completed": "2018-12-01", "deliverable": "报告"}],
    "progress": [{"id": "PR1", "task": "T1", "date": "2018-11-01", "unit": "市水利局", "note": "  有进展  ".strip()}],
    "activities": [{"id": "AC1", "date": "2018-05-22", "occasion": "国际生物多样性日", "organiser": "市环保局",
                    "title": "宣传活动"}],
}


def _samples() -> list[Path]:
    found: list[Path] = []
    for pack_dir in ("guigang", "changning"):
        d = REPO / "samples" / pack_dir
        if d.is_dir():
            found += sorted(p for p in d.iterdir() if p.suffix in (".json", ".yaml", ".yml", ".xlsx")
                            or (p.is_dir() and any(p.glob("*.csv"))))
    return found


def _base_submission(path: Path) -> Submission:
    return submission_of(yaml.safe_load(path.read_text(encoding="utf-8")))


def _loaded(path: Path) -> Submission:
    try:
        return load_dataset(path).to_submission()
    except InputError as e:
        raise AssertionError("\n".join(f"{p.code} {p.location} {p.message_en}" for p in e.problems)) from None


def test_the_full_document_uses_every_table() -> None:
    assert all(FULL[t] for t in TABLES)
    dataset_from_document(FULL)  # and is valid


CASES = [("full", None), *[(f"{p.parent.name}/{p.stem}", p) for p in BASES]]


@pytest.mark.parametrize("name,base", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("fmt,suffix,kw", [
    ("xlsx", ".xlsx", {}), ("xlsx-en", ".xlsx", {"labels": "en"}),
    ("csv", "", {}), ("csv-en-parquet", "", {"labels": "en", "parquet": frozenset({"patrols", "documents"})}),
    ("json", ".json", {}), ("yaml", ".yaml", {}),
], ids=lambda v: v if isinstance(v, str) else "")
def test_round_trip_is_lossless(tmp_path: Path, name: str, base: Path | None, fmt: str, suffix: str,
                                kw: dict[str, Any]) -> None:
    # JSON → model: the source document as the JSON loader would read it.
    src = tmp_path / "src.json"
    src.write_text(json.dumps(FULL if base is None else yaml.safe_load(base.read_text(encoding="utf-8")),
                              ensure_ascii=False, default=str), encoding="utf-8")
    model = _loaded(src)
    out = tmp_path / f"out{suffix}"
    writer = {"xlsx": write_xlsx, "csv": write_csv_folder, "json": write_json, "yaml": write_yaml}[fmt.split("-")[0]]
    writer(model, out, **kw)
    assert _loaded(out) == model


@pytest.mark.parametrize("path", _samples(), ids=lambda p: p.name)
def test_bundled_samples_round_trip(tmp_path: Path, path: Path) -> None:
    try:
        model = load_dataset(path).to_submission()
    except InputError as e:
        pytest.skip(f"{path} is not a valid submission ({len(e.problems)} problems); nothing to round-trip")
    assert _loaded(write_xlsx(model, tmp_path / "s.xlsx")) == model
    assert _loaded(write_csv_folder(model, tmp_path / "pkg")) == model


def test_samples_are_picked_up_when_present() -> None:
    for pack_dir in ("guigang", "changning"):
        d = REPO / "samples" / pack_dir
        if d.is_dir() and any(d.glob("*.json")):
            assert any(p.parent == d for p in _samples())


@pytest.mark.parametrize("fmt,suffix", [("json", ".json"), ("yaml", ".yaml"), ("xlsx", ".xlsx"), ("csv-folder", "")])
def test_output_is_byte_identical_run_to_run(tmp_path: Path, fmt: str, suffix: str) -> None:
    a = export(FULL, tmp_path / f"a{suffix}", fmt)
    b = export(copy.deepcopy(FULL), tmp_path / f"b{suffix}", fmt)
    if a.is_dir():
        assert {p.name: p.read_bytes() for p in a.iterdir()} == {p.name: p.read_bytes() for p in b.iterdir()}
    else:
        assert a.read_bytes() == b.read_bytes()


def test_workbook_layout(tmp_path: Path) -> None:
    import openpyxl
    path = write_xlsx(FULL, tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["报送信息", *[zh for _, zh in TABLES.values()]]
    head = [[c.value for c in row] for row in wb["报送信息"].iter_rows()]
    assert head[0] == ["字段", "值"] and head[1] == ["数据规范版本", "1.0"] and head[4] == ["报送单位代码", "0450"]
    chiefs = wb["河长"]
    assert [c.value for c in chiefs[1]] == ["编号", "姓名", "河长层级", "职务", "所在行政区", "负责水体", "负责河段",
                                            "任命日期", "离任日期"]
    assert chiefs["H2"].is_date and chiefs["H2"].number_format == "yyyy-mm-dd"
    assert wb["江河湖库"]["D2"].value == "是"
    doc_title = wb["文件"]["C2"]
    assert doc_title.data_type == "s" and doc_title.value.startswith("=SUM")  # text, not a formula
    assert wb["行政区"]["A2"].data_type == "s"  # codes keep their leading zero


def test_csv_package_layout(tmp_path: Path) -> None:
    folder = write_csv_folder(FULL, tmp_path / "pkg")
    assert sorted(p.name for p in folder.iterdir()) == sorted(["报送信息.csv", *[f"{zh}.csv" for _, zh in TABLES.values()]])
    text = (folder / "任务台账.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel shows the Chinese
    assert text.decode("utf-8-sig").splitlines()[1] == "T1,GG-T-1-1,completed,市水利局、市环保局,2018-12-01,报告"


def test_a_rewritten_package_drops_tables_that_left(tmp_path: Path) -> None:
    folder = write_csv_folder(FULL, tmp_path / "pkg")
    smaller = {k: v for k, v in FULL.items() if k != "activities"}
    write_csv_folder(smaller, folder)
    assert not (folder / "宣传活动.csv").exists()


def test_document_leaves_out_what_the_model_restores() -> None:
    doc = document(FULL)
    assert "reach" not in doc["patrols"][1] and "duration_min" not in doc["patrols"][1]
    assert submission_of(doc) == submission_of(FULL)
    assert list(doc)[:6] == ["schema_version", "submission_id", "pack", "jurisdiction", "period", "as_of"]
    empty = {k: v for k, v in FULL.items() if k not in ("activities", "progress")}
    assert "activities" not in document(empty)


def test_lists_that_cannot_survive_one_cell_are_refused(tmp_path: Path) -> None:
    doc = copy.deepcopy(FULL)
    doc["tasks"][0]["lead_units"] = ["市水利局、市环保局"]
    with pytest.raises(ExportError):
        write_xlsx(doc, tmp_path / "s.xlsx")
    write_json(doc, tmp_path / "s.json")  # JSON keeps lists as lists


def test_control_characters_are_refused_by_xlsx(tmp_path: Path) -> None:
    doc = copy.deepcopy(FULL)
    doc["activities"][0]["title"] = "bell\x07"
    with pytest.raises(ExportError):
        write_xlsx(doc, tmp_path / "s.xlsx")


def test_unknown_fields_and_formats_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError):
        tabulate({"patrols": [{"id": "P1", "colour": "red"}]})
    with pytest.raises(ExportError):
        export(FULL, tmp_path / "s.txt")


def test_tabulate_writes_invalid_values_as_given(tmp_path: Path) -> None:
    doc = copy.deepcopy(FULL)
    doc["patrols"][0]["date"] = "2018年10月"
    path = write_xlsx_sheets(tabulate(doc), tmp_path / "s.xlsx")
    with pytest.raises(InputError) as e:
        load_dataset(path)
    assert [(p.code, p.location.row, p.location.column) for p in e.value.problems] == [("E-DATE", 2, "巡河日期")]
