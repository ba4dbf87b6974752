"""``ducha batch`` end to end: a supervision office's inbox of mixed formats, broken files and
hostile archives; every input accounted for; outputs that parse, are safe and are
byte-identical whatever the number of workers."""
from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker.report.base import read_results

from .conftest import INJECTED, Run
from .helpers import ducha, variant, write_json


def test_every_input_is_accounted_for_and_unusable_ones_make_exit_2(runs: tuple[Run, Run]) -> None:
    run = runs[0]
    assert run.code == 2, run.err
    assert run.out.splitlines()[-1] == "输入 9 份：已检查 6，无法使用 3，未能检查 0（合计 9）；另跳过非报送文件 1 个"
    assert "README.md: 已跳过：不是报送文件类型" in run.err
    plain = [line for line in run.err.splitlines() if line.startswith("[")]
    assert len(plain) == 9 and plain[-1].startswith("[9/9] ")  # not a terminal: one plain line per input


def test_results_json_holds_every_input_in_input_order(runs: tuple[Run, Run]) -> None:
    run = runs[0]
    report = read_results(run.dir / "results.json")
    inbox = str(run.dir.parent / "inbox")
    names = [r.path[len(inbox) + 1:] for r in report.results]
    assert names == ["a-ok.json", "b-q3.yaml", "c.xlsx", "d-csv", "e-broken.json", "f-evil.zip", "g-bomb.zip",
                     "h-good.zip!/county/q4.json", "i-inject.json"]
    status = {n: r.status for n, r in zip(names, report.results)}
    assert [n for n, s in status.items() if s == "invalid"] == ["e-broken.json", "f-evil.zip", "g-bomb.zip"]
    by = dict(zip(names, report.results))
    assert by["e-broken.json"].problems[0].code == "E-JSON"
    assert "../../evil.json" in by["f-evil.zip"].problems[0].message_en
    assert "zip bomb" in by["g-bomb.zip"].problems[0].message_en
    # the four formats of the same compliant data agree exactly
    def outcomes(r):  # type: ignore[no-untyped-def]
        return [(f.rule, f.subject_id, f.outcome, f.reason) for f in r.findings]
    assert outcomes(by["a-ok.json"]) == outcomes(by["c.xlsx"]) == outcomes(by["d-csv"]) \
        == outcomes(by["h-good.zip!/county/q4.json"])
    assert not any(f.outcome == "violated" for f in by["a-ok.json"].findings)
    assert any(f.outcome == "violated" for f in by["b-q3.yaml"].findings)
    # an archive member is named by the archive in findings and evidence, never by a temp path
    member = by["h-good.zip!/county/q4.json"]
    assert {f.file for f in member.findings} == {member.path}
    assert all(e.startswith(member.path) for f in member.findings for e in f.evidence)


def test_no_output_mentions_a_temporary_path(runs: tuple[Run, Run]) -> None:
    for name in ("results.json", "findings.csv", "report.html"):
        assert "ducha-batch-" not in (runs[0].dir / name).read_text(encoding="utf-8")


def test_outputs_are_identical_whatever_the_number_of_workers(runs: tuple[Run, Run]) -> None:
    two, one = runs
    assert one.code == two.code
    for name in ("results.json", "findings.csv", "scorecard.xlsx", "report.html"):
        assert (two.dir / name).read_bytes() == (one.dir / name).read_bytes(), name
    assert not list(two.dir.glob(".*.tmp"))  # atomic writes leave no temp files behind


def test_findings_csv_has_every_finding_with_a_bom_and_no_formula(runs: tuple[Run, Run]) -> None:
    run = runs[0]
    raw = (run.dir / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    report = read_results(run.dir / "results.json")
    assert len(rows) - 1 == sum(len(r.findings) for r in report.results)
    assert all(not c.startswith(("=", "+", "-", "@")) for row in rows for c in row)
    assert "'" + INJECTED["450802001"] in {c for row in rows for c in row}


def test_scorecard_xlsx_sheets_and_cells(runs: tuple[Run, Run]) -> None:
    import openpyxl
    wb = openpyxl.load_workbook(runs[0].dir / "scorecard.xlsx")
    assert wb.sheetnames == ["概况", "按行政区", "按牵头单位", "按义务", "按方案章节", "按季度", "趋势", "无法使用的报送"]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    juris = [[c.value for c in row] for row in wb["按行政区"].iter_rows()]
    assert juris[0][:3] == ["代码", "行政区", "符合"]
    names = {r[1] for r in juris[1:]}
    assert "'" + INJECTED["450802001"] in names
    unusable = [[c.value for c in row] for row in wb["无法使用的报送"].iter_rows(min_row=2)]
    assert [Path(r[0]).name for r in unusable] == ["e-broken.json", "f-evil.zip", "g-bomb.zip"]
    quarters = [[c.value for c in row] for row in wb["按季度"].iter_rows()]
    assert quarters[0] == ["代码", "行政区", "2018Q3", "2018Q4"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_report_html_is_self_contained_and_escapes_submission_text(runs: tuple[Run, Run]) -> None:
    page = (runs[0].dir / "report.html").read_text(encoding="utf-8")
    p = _Tags()
    p.feed(page)
    assert "script" not in p.tags and "img" not in p.tags and "iframe" not in p.tags
    assert p.tags.count("svg") == 2
    for name, value in p.attrs:
        if name in ("src", "href"):
            assert value is not None and (value.startswith("#") or value.startswith("data:")), (name, value)
    text = "".join(p.text)
    assert INJECTED["450802101"] in text  # shown as text …
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # … because it was escaped
    assert "输入 9 份：已检查 6，无法使用 3，未能检查 0（合计 9）" in text


def test_a_wrong_parameter_fails_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_json(variant(period="2018Q4", as_of="2018-12-31"), tmp_path / "in" / "a.json")
    code, out, err = ducha(capsys, "batch", tmp_path / "in", "--out", tmp_path / "out", "--param", "no_such_param=1")
    assert code == 2
    assert "--param no_such_param" in err
    assert not (tmp_path / "out").exists()


def test_an_inbox_without_submissions_is_exit_2_with_outputs_written(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    for i in range(12):
        (tmp_path / "in" / f"scan-{i:02}.pdf").write_bytes(b"%PDF")
    code, out, err = ducha(capsys, "batch", tmp_path / "in", "--out", tmp_path / "out", "--lang", "en")
    assert code == 2
    assert out.splitlines()[-1] == ("0 inputs: 0 checked, 0 unusable, 0 not checked (0 accounted for); "
                                    "12 other files skipped")
    assert "no submission was found" in err
    assert err.count("W-SKIPPED") == 11 and "W-SKIPPED … and 2 more (all listed in results.json)" in err
    doc = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert doc["results"] == [] and len(doc["notices"]) == 12


def test_an_input_ducha_fails_on_is_recorded_and_makes_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_json(variant(period="2018Q4", as_of="2018-12-31"), tmp_path / "in" / "a.json")
    (tmp_path / "in" / "b.json").write_text("{", encoding="utf-8")
    # A time limit no check can meet: the worker is stopped, as a hung engine would be.
    code, out, err = ducha(capsys, "batch", tmp_path / "in", "--out", tmp_path / "out", "--timeout", "0.001",
                           "--lang", "en", "--workers", "1")
    assert code == 3
    assert out.splitlines()[-1] == "2 inputs: 0 checked, 0 unusable, 2 not checked (2 accounted for)"
    report = read_results(tmp_path / "out" / "results.json")
    assert [(r.status, r.failure) for r in report.results] == [("failed", "internal")] * 2
    assert "timed out after 0.001 s" in (report.results[0].reason or "")
    assert "超过时限" in (report.results[0].reason or "")
    assert all((tmp_path / "out" / name).is_file() for name in ("findings.csv", "scorecard.xlsx", "report.html"))


def test_progress_is_a_bar_on_a_terminal() -> None:
    from checker.cli.batch import Progress
    from checker.run import SubmissionResult

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    bar = Progress(2, "zh", stream)
    bar.update(SubmissionResult(path="a.json", status="checked"))
    bar.update(SubmissionResult(path="b.json", status="invalid"))
    text = stream.getvalue()
    assert text.count("\r\x1b[K") == 2 and text.endswith("2/2 b.json\n")
    assert "[" + "█" * 14 + "░" * 14 + "] 1/2 a.json" in text
