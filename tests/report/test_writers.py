"""Every output format: golden output, plus what each format promises its readers."""
from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from checker.finding import Finding
from checker.report import WRITERS, get_writer
from checker.report.base import RenderOptions, Report, read_results, summary_line

from .scenario import DATA, GOLDENS, REPO, RULES, assert_golden, build_report

SARIF_SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")


@pytest.fixture(scope="module")
def report() -> Iterator[Report]:
    old = os.getcwd()
    os.chdir(REPO)
    try:
        yield build_report()
    finally:
        os.chdir(old)


@pytest.fixture()
def at_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def build_report_for(args: list[str]) -> Report:
    from checker.cli.check import build_report as build, options_from
    from checker.cli.main import build_parser
    ns = build_parser().parse_args(["check", *args, "--rules", RULES])
    return build([Path(f) for f in ns.files], options_from(ns))


def render(report: Report, fmt: str, **opts: Any) -> str:
    out = get_writer(fmt).render(report, RenderOptions(**opts))
    assert isinstance(out, str)
    return out


@pytest.mark.parametrize("golden", sorted(GOLDENS))
def test_golden_output(report: Report, golden: str, at_repo: None) -> None:
    fmt, _, opts = GOLDENS[golden]
    assert_golden(golden, render(report, fmt, **opts))


def test_every_registered_writer_has_a_golden() -> None:
    assert {fmt for fmt, _, _ in GOLDENS.values()} >= {"text", "json", "junit", "sarif", "github", "markdown"}
    for name in WRITERS:
        mod = get_writer(name)
        assert mod.NAME == name and isinstance(mod.BINARY, bool) and callable(mod.render)


def test_rendering_is_deterministic(report: Report, at_repo: None) -> None:
    again = build_report()
    for fmt in ("text", "json", "junit", "sarif", "github", "markdown"):
        assert render(report, fmt) == render(again, fmt), fmt


# ---------------------------------------------------------------------------- the scenario itself

def test_the_scenario_has_the_outcomes_the_goldens_claim(report: Report) -> None:
    """The goldens are only as good as the run behind them: pin its facts independently."""
    ok, lapses, bad = report.results
    assert [r.status for r in report.results] == ["checked", "checked", "invalid"]
    assert {f.outcome for f in ok.findings} == {"passed"}
    got = sorted((f.rule, f.subject_id, f.outcome, f.severity) for f in lapses.findings if f.outcome != "passed")
    assert got == [("GG-14", "450802", "waived", "error"),
                   ("GG-15", "450802001", "violated", "warning"),
                   ("GG-15", "450802101", "violated", "warning"),
                   ("GG-27", "C1", "violated", "warning"),
                   ("GG-27", "C2", "violated", "warning")]
    waived = next(f for f in lapses.findings if f.outcome == "waived")
    assert waived.waiver and waived.waiver["approver"] == "贵港市河长办" and waived.reason == "late"
    assert {p.code for p in bad.problems} == {"E-DATE", "E-ENUM", "E-DANGLING-REF"}
    assert [n.code for n in report.notices] == ["W-WAIVER-EXPIRED", "W-WAIVER-UNUSED"]
    assert report.exit_code() == 2  # an unusable input outranks findings


# ---------------------------------------------------------------------------- json

def test_json_is_the_machine_contract_and_reads_back(report: Report, tmp_path: Path) -> None:
    text = render(report, "json")
    doc = json.loads(text)
    assert doc["format"] == "ducha-results/1" and doc["ducha_version"] and doc["submission_schema_version"] == "1.0"
    assert doc["summary"]["outcomes"]["passed"] == 10 and doc["summary"]["invalid"] == 1
    outcomes = Counter(f["outcome"] for r in doc["results"] for f in r["findings"])
    assert outcomes == Counter({"passed": 10, "violated": 4, "waived": 1})
    assert doc["results"][2]["problems"][0]["location"]["pointer"].startswith("/documents/")
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    back = read_results(path)
    assert back.results == report.results  # every finding, problem and header field survives
    assert back.notices == report.notices
    assert render(back, "json") == text


# ---------------------------------------------------------------------------- sarif

def test_sarif_validates_against_the_official_schema(report: Report, at_repo: None) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(json.loads(render(report, "sarif"))), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_sarif_rules_levels_fingerprints_and_locations(report: Report, at_repo: None) -> None:
    run = json.loads(render(report, "sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["GG-14", "GG-15", "GG-27"]  # one per rule that ran, natural order
    gg14 = rules[0]
    assert "五(一)" in gg14["help"]["text"] and "2017年12月底前" in gg14["help"]["text"]
    assert gg14["helpUri"].endswith("/guigang-river-chief/GG-14")
    lapses = report.results[1]
    by_fp = {f.fingerprint: f for f in lapses.findings}
    assert len(run["results"]) == 5  # four violations and one waived; passes are not results
    for res in run["results"]:
        f = by_fp[res["partialFingerprints"]["ducha/v1"]]
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == f.rule
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[f.severity]
        assert ("suppressions" in res) == (f.outcome == "waived")
        phys = res["locations"][0]["physicalLocation"]
        file = phys["artifactLocation"]["uri"]
        line = (REPO / file).read_text(encoding="utf-8").splitlines()[phys["region"]["startLine"] - 1]
        pointer = res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        table, index = pointer.strip("/").split("/")
        record = __import__("yaml").safe_load((REPO / file).read_text(encoding="utf-8"))[table][int(index)]
        assert str(record.get("id", record.get("code"))) in line, (line, record)
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert {n["descriptor"]["id"] for n in notes} == {"E-DATE", "E-ENUM", "E-DANGLING-REF", "W-WAIVER-EXPIRED",
                                                          "W-WAIVER-UNUSED"}


def test_sarif_maps_info_to_note_and_marks_new_against_a_baseline(report: Report, at_repo: None) -> None:
    r = report.results[1]
    info = tuple(f.with_(severity="info") if f.rule == "GG-27" else f for f in r.findings)
    base = next(f for f in r.findings if f.rule == "GG-15" and f.subject_id == "450802001")
    changed = Report(results=(r.__class__(**{**r.__dict__, "findings": info}),),
                     info=report.info.__class__(**{**report.info.__dict__, "baseline": "old.json"}),
                     suppressed=frozenset({base.fingerprint}))
    run = json.loads(render(changed, "sarif"))["runs"][0]
    levels = {(x["ruleId"], x["level"]) for x in run["results"]}
    assert ("GG-27", "note") in levels
    assert base.fingerprint not in {x["partialFingerprints"]["ducha/v1"] for x in run["results"]}
    assert {x["baselineState"] for x in run["results"]} == {"new"}


# ---------------------------------------------------------------------------- junit

def test_junit_parses_as_junit_xml_with_one_case_per_finding(report: Report) -> None:
    text = render(report, "junit")
    xml = JUnitXml.fromstring(text.encode("utf-8"))
    suites = list(xml)
    assert [s.name for s in suites] == ["GG-450802-2018Q4", "GG-450802-2018Q4", "GG-450802-2018Q4-BAD"]
    ok, lapses, bad = suites
    assert (ok.tests, ok.failures, ok.errors, ok.skipped) == (7, 0, 0, 0)
    assert (lapses.tests, lapses.failures, lapses.errors, lapses.skipped) == (8, 4, 0, 1)
    assert (bad.tests, bad.errors) == (1, 1)
    kinds = {}
    for case in lapses:
        kinds[case.name] = [type(x).__name__ for x in case.result]
    assert kinds["GG-14 450802 港北区"] == ["Skipped"]  # waived
    assert kinds["GG-27 C1@450802 李明"] == ["Failure"]
    assert kinds["GG-14 450802001 贵城街道"] == []  # passed
    for s in suites:  # unique within a suite ...
        assert len({c.name for c in s}) == len(list(s))
    assert {c.name for c in ok} <= {c.name for c in lapses}  # ... and the same subject keeps its name
    failure = next(x for c in lapses for x in c.result if isinstance(x, Failure))
    assert failure.type in ("late", "missing", "too_few") and "fingerprint" not in (failure.message or "")
    assert isinstance(next(x for c in bad for x in c.result), Error)
    assert isinstance(next(x for c in lapses if c.name.startswith("GG-14 450802 ") for x in c.result), Skipped)
    root = ET.fromstring(text)
    assert root.tag == "testsuites" and root.get("tests") == "16" and root.get("failures") == "4"


# ---------------------------------------------------------------------------- github, markdown, text

def test_github_annotations_escape_data_and_properties() -> None:
    from checker.errors import Location
    from checker.report.github import annotation
    line = annotation("error", Location("a,b:c.yaml"), "T: x, y", "50% done\nnext line")
    assert line == "::error file=a%2Cb%3Ac.yaml,title=T%3A x%2C y::50%25 done%0Anext line"


def test_github_annotations_point_at_records(report: Report, at_repo: None) -> None:
    lines = render(report, "github").splitlines()
    gg14 = next(x for x in lines if "title=GG-14" in x)
    assert gg14.startswith("::notice file=tests/cli/data/county-lapses.yaml,line=")  # waived: a notice
    assert sum(1 for x in lines if x.startswith("::warning ")) == 4 + 2  # four warnings, two waiver notices
    assert sum(1 for x in lines if x.startswith("::error ")) == 3  # the three unusable-input problems
    assert lines[-1] == summary_line(report, "zh")


def test_markdown_cells_cannot_break_the_table() -> None:
    from checker.report.markdown import cell
    assert cell("a|b\nc <x> & d") == "a\\|b<br>c &lt;x&gt; &amp; d"


def test_markdown_cells_show_links_and_images_as_text() -> None:
    """Submission text must not become a link that hides its target, or an image that loads."""
    from checker.report.markdown import cell
    got = cell("见[整改报告](https://evil.example) ![x](https://t.example/p.png) **粗** `码`")
    assert "](" not in got.replace("\\](", "")  # every ] before ( is escaped
    assert got == ("见\\[整改报告\\](https://evil.example) \\!\\[x\\](https://t.example/p.png) "
                   "**粗** \\`码\\`")


def test_text_colour_only_when_asked(report: Report) -> None:
    plain = render(report, "text")
    coloured = render(report, "text", color=True)
    assert "\x1b[" not in plain and "\x1b[31;1m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain  # colour adds nothing but colour


def test_summary_line_in_both_languages(report: Report) -> None:
    assert summary_line(report, "zh") == "3 个文件，违反 4，未到期 0，不适用 0，通过 10，豁免 1，无法使用 1"
    assert summary_line(report, "en") == \
        "3 files: 4 violated, 0 pending, 0 not applicable, 10 passed, 1 waived, 1 unusable input"


# ---------------------------------------------------------------------------- exit codes

def _finding(**kw: Any) -> Finding:
    base = dict(submission="S", file="f.yaml", pack="p", rule="GG-1", obligations=("GG-1",), severity="error",
                outcome="violated", reason="late", subject_type="jurisdiction", subject_id="1", subject_name="n",
                jurisdiction="1", jurisdiction_name="n", period="2018Q4", as_of="2018-12-31")
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("severity,outcome,fail_on,code", [
    ("error", "violated", "error", 1), ("warning", "violated", "error", 0), ("warning", "violated", "warning", 1),
    ("info", "violated", "warning", 0), ("error", "violated", "never", 0), ("error", "pending", "error", 0),
    ("error", "waived", "warning", 0), ("info", "error", "error", 1), ("info", "error", "never", 0),
])
def test_exit_code_follows_fail_on(severity: str, outcome: str, fail_on: str, code: int) -> None:
    from checker.report.base import RunInfo
    from checker.run import SubmissionResult
    r = SubmissionResult(path="f.yaml", status="checked", findings=(_finding(severity=severity, outcome=outcome),))
    assert Report((r,), RunInfo("0", fail_on=fail_on)).exit_code() == code


def test_exit_code_precedence_and_baseline_suppression() -> None:
    from checker.report.base import RunInfo
    from checker.run import SubmissionResult
    f = _finding()
    checked = SubmissionResult(path="a", status="checked", findings=(f,))
    invalid = SubmissionResult(path="b", status="invalid")
    crashed = SubmissionResult(path="c", status="failed", failure="internal", reason="boom")
    info = RunInfo("0")
    assert Report((checked,), info).exit_code() == 1
    assert Report((checked,), info, suppressed=frozenset({f.fingerprint})).exit_code() == 0
    assert Report((checked, invalid), info).exit_code() == 2
    assert Report((checked, invalid, crashed), info).exit_code() == 3


def test_sarif_and_github_point_into_csv_folders(at_repo: None) -> None:
    report = build_report_for([f"{DATA}/county-csv", "--select", "GG-14"])
    run = json.loads(render(report, "sarif"))["runs"][0]
    res, = run["results"]
    loc = res["locations"][0]
    assert loc["physicalLocation"] == {"artifactLocation": {"uri": f"{DATA}/county-csv/documents.csv"},
                                       "region": {"startLine": 2}}
    assert loc["logicalLocations"] == [{"fullyQualifiedName": "documents.csv/row 2"}]
    line = (REPO / DATA / "county-csv" / "documents.csv").read_text(encoding="utf-8").splitlines()[1]
    assert line.startswith("D-WP-C,")
    assert render(report, "github").startswith(f"::error file={DATA}/county-csv/documents.csv,line=2,title=GG-14 ")
