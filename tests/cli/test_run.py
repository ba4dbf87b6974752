"""The shared run service (checker/run.py), waivers and baselines, below the CLI."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from checker.errors import InputError, RuleError
from checker.finding import Finding
from checker.run import RunOptions, Runner, SubmissionResult
from checker.waivers import Waiver, Waivers, parse_waivers
from tests.report.scenario import DATA, REPO

RULES = REPO / DATA / "rules"


@pytest.fixture(scope="module")
def runner() -> Runner:
    return Runner(RunOptions(rules_dir=RULES))


def test_each_status_round_trips_through_a_dict(runner: Runner, tmp_path: Path) -> None:
    checked = runner.run(REPO / DATA / "county-lapses.yaml")
    invalid = runner.run(REPO / DATA / "county-invalid.yaml")
    missing = runner.run(tmp_path / "nope.json")
    assert (checked.status, invalid.status, missing.status) == ("checked", "invalid", "invalid")
    assert checked.submission == "GG-450802-2018Q4" and checked.level == "county" and checked.as_of == "2018-12-31"
    assert invalid.submission == "GG-450802-2018Q4-BAD"  # read from the raw header
    assert missing.problems[0].code == "E-NOT-FOUND"
    for r in (checked, invalid, missing):
        again = SubmissionResult.from_dict(json.loads(json.dumps(r.to_dict(), ensure_ascii=False)))
        assert again == r
    with pytest.raises(ValueError):
        SubmissionResult.from_dict({**checked.to_dict(), "status": "maybe"})


def test_a_checked_inputs_loader_warnings_travel_with_its_result() -> None:
    """Hidden rows are read and checked, and the warning reaches every report, not only `validate`."""
    r = Runner(RunOptions()).run(REPO / "tests" / "corpus" / "inputs" / "xlsx-hidden-rows.xlsx")
    assert r.status == "checked" and r.findings
    assert [p.code for p in r.problems] == ["W-HIDDEN-ROWS", "W-HIDDEN-SHEET", "W-HIDDEN-COLUMNS"]
    assert SubmissionResult.from_dict(json.loads(json.dumps(r.to_dict()))) == r


def test_broken_rules_are_a_failed_record_not_an_exception(tmp_path: Path) -> None:
    pack = tmp_path / "guigang-river-chief"
    pack.mkdir()
    (pack / "GG-14.yaml").write_text("format: ducha-rule/1\n", encoding="utf-8")
    r = Runner(RunOptions(rules_dir=tmp_path)).run(REPO / DATA / "county-ok.yaml")
    assert (r.status, r.failure) == ("failed", "rules")
    assert any("GG-14.yaml" in line for line in r.detail)
    with pytest.raises(RuleError):  # but an explicit --pack that does not exist is the caller's error
        Runner(RunOptions(rules_dir=tmp_path, pack="nope"))


def test_as_of_option_overrides_the_submissions_own(runner: Runner) -> None:
    r = Runner(RunOptions(rules_dir=RULES, as_of=dt.date(2017, 10, 1), select=("GG-14",))).run(REPO / DATA / "county-ok.yaml")
    assert r.as_of == "2017-10-01" and {f.outcome for f in r.findings} == {"pending"}


def test_params_reach_only_the_packs_that_declare_them() -> None:
    r = Runner(RunOptions(rules_dir=RULES, params={"GG-14.work_plan_due": dt.date(2018, 1, 31)}, select=("GG-14",)))
    assert {f.outcome for f in r.run(REPO / DATA / "county-lapses.yaml").findings} == {"passed"}
    assert r.unused_options() == []
    # A parameter of a rule left out by --select is accepted and simply unused.
    r1 = Runner(RunOptions(rules_dir=RULES, params={"GG-27.frequency": {"county": "quarter"}}, select=("GG-14",)))
    assert r1.run(REPO / DATA / "county-lapses.yaml").status == "checked" and r1.unused_options() == []
    r2 = Runner(RunOptions(rules_dir=RULES, params={"nope": 1}, exclude=("XX-*",)))
    r2.run(REPO / DATA / "county-ok.yaml")
    assert r2.unused_options() == [("--param", "nope", "unknown parameter"),
                                   ("--exclude", "XX-*", "matches no rule or obligation")]


# ---------------------------------------------------------------------------- waivers

def _f(outcome: str = "violated", as_of: str = "2018-12-31", rule: str = "GG-14", subject: str = "1") -> Finding:
    return Finding(submission="S", file="f", pack="guigang-river-chief", rule=rule, obligations=(rule,),
                   severity="error", outcome=outcome, reason="late", subject_type="jurisdiction", subject_id=subject,
                   subject_name="n", jurisdiction=subject, jurisdiction_name="n", period="2018Q4", as_of=as_of)


def _w(expires: str = "2018-12-31", subject: str = "1", obligation: str = "GG-14", pack: str | None = None) -> Waiver:
    return Waiver(obligation, subject, "r", "a", dt.date.fromisoformat(expires), f"w.yaml#/{subject}", pack)


def test_a_waiver_applies_to_violations_up_to_and_including_its_expiry() -> None:
    ws = Waivers([_w()])
    waived, = ws.apply([_f()])
    assert waived.outcome == "waived" and waived.waiver is not None and waived.waiver["expires"] == "2018-12-31"
    assert ws.apply([_f(as_of="2019-01-01")])[0].outcome == "violated"  # expired the day before
    assert ws.apply([_f(outcome="pending")])[0].outcome == "pending"  # only violations are waived
    assert Waivers([_w(subject="*")]).apply([_f(subject="9")])[0].outcome == "waived"
    assert Waivers([_w(pack="changning-biodiversity")]).apply([_f()])[0].outcome == "violated"


def test_waiver_notices_come_from_the_results_alone() -> None:
    ws = Waivers([_w(), _w(subject="2", expires="2018-01-01"), _w(subject="3")])
    findings = ws.apply([_f(), _f(subject="2"), _f(subject="3", outcome="passed")])
    result = SubmissionResult(path="f", status="checked", findings=tuple(findings))
    notes = ws.notices([result])
    assert [(n.code, n.where) for n in notes] == [("W-WAIVER-EXPIRED", "w.yaml#/2"), ("W-WAIVER-UNUSED", "w.yaml#/3")]


def test_waiver_files_are_checked_field_by_field(tmp_path: Path) -> None:
    f = tmp_path / "w.yaml"
    f.write_text("format: ducha-waivers/2\nwaivers: {a: 1}\n", encoding="utf-8")
    _, problems = parse_waivers(f)
    assert [p.code for p in problems] == ["E-WAIVER-FORMAT", "E-WAIVER-FORMAT"]
    f.write_text("[not, {closed\n", encoding="utf-8")
    assert [p.code for p in parse_waivers(f)[1]] == ["E-YAML"]
    with pytest.raises(InputError):
        Waivers.load(tmp_path / "missing.yaml")


# ---------------------------------------------------------------------------- baseline

def test_a_baseline_must_be_a_results_file(tmp_path: Path) -> None:
    from checker.baseline import Baseline
    f = tmp_path / "b.json"
    f.write_text('{"format": "something-else"}', encoding="utf-8")
    with pytest.raises(InputError) as e:
        Baseline.load(f)
    assert e.value.problems[0].code == "E-BASELINE"
    f.write_text(json.dumps({"format": "ducha-results/1", "results": [{"findings": [
        {"outcome": "violated", "fingerprint": "a"}, {"outcome": "passed", "fingerprint": "b"},
        {"outcome": "waived", "fingerprint": "c"}, {"outcome": "pending", "fingerprint": "d"}]}]}), encoding="utf-8")
    assert Baseline.load(f).fingerprints == frozenset({"a", "c"})


def test_a_pending_finding_names_its_due_date_once() -> None:
    r = Runner(RunOptions()).run(REPO / "samples" / "guigang" / "450802-2017Q4.json")
    pending = [f for f in r.findings if f.outcome == "pending" and f.reason == "not_due"]
    assert pending
    for f in pending:
        assert f.message("zh") == f"{f.title_zh}：{f.subject_name}（未到期，{f.due}到期）"
        assert f.message("en") == f"{f.title_en}: {f.subject_name} (pending; due {f.due})"
