"""Quarter on quarter through ``ducha batch``: two periods of one county, and ``--compare``.

GG-14 (work plans of the county and its two townships): in Q3 the county's and 贵城街道's
plans are missing; in Q4 the county's and 港城镇's are. So, for Q3 → Q4: the county's lapse
persists, 贵城街道's is resolved (now passed), 港城镇's is new.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from checker.report.base import read_results

from .helpers import ducha, variant, write_json, write_yaml

EXPECTED = {("persisting", "450802"), ("resolved", "450802001"), ("new", "450802101")}
TEXT = {"新增": "new", "持续": "persisting", "已消除": "resolved"}


def _inputs(root: Path) -> tuple[Path, Path]:
    q3 = write_yaml(variant(period="2018Q3", as_of="2018-09-30", remove_docs=("D-WP-C", "D-WP-T1")), root / "q3" / "gangbei.yaml")
    q4 = write_json(variant(period="2018Q4", as_of="2018-12-31", remove_docs=("D-WP-C", "D-WP-T2")), root / "q4" / "gangbei.json")
    return q3, q4


def _trend_rows(xlsx: Path) -> list[tuple[str, ...]]:
    ws = openpyxl.load_workbook(xlsx)["趋势"]
    return [tuple("" if v is None else str(v) for v in row) for row in ws.iter_rows(min_row=2, values_only=True)]


def _lapses(results: Path) -> dict[str, set[str]]:
    return {r.period or "": {f.subject_id for f in r.findings if f.outcome == "violated"}
            for r in read_results(results).results}


def test_two_periods_in_one_batch_show_new_persisting_and_resolved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _inputs(tmp_path)
    code, out, err = ducha(capsys, "batch", tmp_path / "q4", tmp_path / "q3", "--out", tmp_path / "out",
                           "--select", "GG-14")
    assert code == 1  # violations of error severity, every input usable
    lapses = _lapses(tmp_path / "out" / "results.json")
    assert lapses == {"2018Q3": {"450802", "450802001"}, "2018Q4": {"450802", "450802101"}}  # the premise
    rows = _trend_rows(tmp_path / "out" / "scorecard.xlsx")
    assert {(TEXT[r[4]], r[8]) for r in rows} == EXPECTED
    assert {(r[2], r[3]) for r in rows} == {("2018Q3", "2018Q4")}  # period order, not input order
    resolved = next(r for r in rows if TEXT[r[4]] == "resolved")
    assert resolved[5] == "已符合"
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "港北区 450802：2018Q3 → 2018Q4" in page
    assert "新增 1，持续 1，已消除 1" in page


def test_compare_with_an_earlier_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q3, q4 = _inputs(tmp_path)
    code, _, _ = ducha(capsys, "batch", q3, "--out", tmp_path / "run1", "--select", "GG-14", "--fail-on", "never")
    assert code == 0  # --fail-on never: violations do not fail the run
    code, out, _ = ducha(capsys, "batch", q4, "--out", tmp_path / "run2", "--select", "GG-14", "--lang", "en",
                         "--compare", tmp_path / "run1" / "results.json")
    assert code == 1
    rows = _trend_rows_en(tmp_path / "run2" / "scorecard.xlsx")
    assert {(r[4], r[8]) for r in rows} == EXPECTED
    assert {r[2] for r in rows} == {"previous run 2018Q3"}
    assert "previous run 2018Q3 → 2018Q4" in (tmp_path / "run2" / "report.html").read_text(encoding="utf-8")


def _trend_rows_en(xlsx: Path) -> list[tuple[str, ...]]:
    ws = openpyxl.load_workbook(xlsx)["Trend"]
    return [tuple("" if v is None else str(v) for v in row) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_compare_with_a_file_that_is_not_a_results_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q3, _ = _inputs(tmp_path)
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"format": "something else"}', encoding="utf-8")
    code, _, err = ducha(capsys, "batch", q3, "--out", tmp_path / "o", "--compare", bogus)
    assert code == 2 and "E-RESULTS" in err
    assert not (tmp_path / "o").exists()


def test_waivers_reach_the_workers_and_waived_is_not_a_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, q4 = _inputs(tmp_path)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("- {obligation: GG-14, subject: '450802101', reason: 乡镇撤并, approver: 港北区河长办, "
                       "expires: 2019-06-30}\n- {obligation: GG-14, subject: '999', reason: r, approver: a, "
                       "expires: 2019-06-30}\n", encoding="utf-8")
    code, out, err = ducha(capsys, "batch", q4, "--out", tmp_path / "out", "--select", "GG-14", "--workers", "2",
                           "--waivers", waivers)
    assert code == 1  # the county's own lapse is not waived
    (r,) = read_results(tmp_path / "out" / "results.json").results
    outcome = {f.subject_id: f.outcome for f in r.findings}
    assert outcome == {"450802": "violated", "450802001": "passed", "450802101": "waived"}
    assert "W-WAIVER-UNUSED" in err  # the notice is judged on all results together, in the parent
    assert "豁免：乡镇撤并（港北区河长办，至 2019-06-30）" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    card = openpyxl.load_workbook(tmp_path / "out" / "scorecard.xlsx")["按行政区"]
    cells = {row[0]: row for row in card.iter_rows(min_row=2, values_only=True)}
    assert cells["450802101"][2:5] == (0, 0, "—")  # waived: neither passed nor violated
    assert cells["450802101"][7] == 1
