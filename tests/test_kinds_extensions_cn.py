"""Kind extensions added for the Changning pack, each tested on a tiny pack and submission.

* ``where`` on a list-valued column (a document's ``covers``) tests containment;
* ``Select.subject_type`` names the subject type of listed values;
* recurring ``window.month`` (a whole calendar month, from a parameter that may be unset);
* recurring ``period.due`` may be a parameter;
* ledger ``only`` / ``exclude`` narrow the rows, and unknown refs are a rule error;
* ledger ``start`` examines only the rows inside the warning window;
* undated evidence (ledger presence) yields findings without a date overflow.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.dataset import dataset_from_document
from checker.errors import RuleError
from checker.evaluate import Evaluator
from checker.finding import Finding
from checker.rulefile import load_pack

PACK = "cnext"

HEAD = {"format": "ducha-rule/1", "title": {"zh": "测试", "en": "test"},
        "source": {"document": PACK, "clause": "一", "quote": "测试"}, "severity": "error",
        "applies_to": {"submitter_levels": ["county"]},
        "message": {"zh": "{subject}：{reason}", "en": "{subject}: {reason}"}}

TASKS = {"format": "ducha-task-table/1", "document": PACK, "source": "x.csv", "rows": [
    {"ref": "X-T01", "row": 1, "section": "一", "item": "(一)", "text": "甲", "time_node": "2025年", "kind": "dated",
     "due": "2025-12-31", "lead_units": ["区生态环境局"], "cooperating_units": [], "source_row": 2},
    {"ref": "X-T02", "row": 2, "section": "一", "item": "(一)", "text": "乙", "time_node": "2027年", "kind": "dated",
     "due": "2027-12-31", "lead_units": ["区建管委"], "cooperating_units": [], "source_row": 3},
    {"ref": "X-T03", "row": 3, "section": "一", "item": "(一)", "text": "丙", "time_node": "持续推进", "kind": "ongoing",
     "due": None, "lead_units": ["区绿化市容局"], "cooperating_units": [], "source_row": 4},
    {"ref": "X-T04", "row": 4, "section": "一", "item": "(一)", "text": "丁", "time_node": "持续推进", "kind": "ongoing",
     "due": None, "lead_units": ["区人社局"], "cooperating_units": [], "source_row": 5},
]}


def _doc(**tables: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema_version": "1.0", "submission_id": "T-1", "pack": "changning-biodiversity",
        "jurisdiction": "310105", "period": "2025Q4", "as_of": "2025-12-31",
        "jurisdictions": [{"code": "310105", "name": "长宁区", "level": "county"},
                          {"code": "310105102", "name": "新泾镇", "level": "township", "parent": "310105"}]}
    doc.update(tables)
    return doc


def _run(tmp_path: Path, rule: dict[str, Any], doc: dict[str, Any], *, as_of: dt.date | None = None,
         params: dict[str, Any] | None = None) -> list[Finding]:
    root = tmp_path / PACK
    root.mkdir(exist_ok=True)
    (root / "tasks.yaml").write_text(yaml.safe_dump(TASKS, allow_unicode=True), encoding="utf-8")
    (root / f"{rule['id']}.yaml").write_text(yaml.safe_dump({**HEAD, **rule}, allow_unicode=True), encoding="utf-8")
    pack = load_pack(PACK, rules_dir=tmp_path)
    return Evaluator(pack, overrides=params or {}).evaluate(dataset_from_document(doc), as_of)


def _brief(findings: list[Finding]) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    return [(f.subject_id, f.outcome, f.reason, f.parts) for f in findings]


# --------------------------------------------------------------------------- where on list columns

COVERS_RULE = {"id": "XX-01", "obligations": ["XX-01"], "kind": "deadline", "spec": {
    "evidence": {"table": "documents", "where": {"kind": "annual_work_plan", "covers": "宣传"},
                 "match": {"issuer": "code"}, "date": "issued"},
    "due": "2025-03-31"}}


def _plan_doc(covers: list[str]) -> dict[str, Any]:
    return _doc(documents=[{"id": "D1", "kind": "annual_work_plan", "title": "计划", "issuer": "310105",
                            "issued": "2025-02-01", "covers": covers}])


def test_where_on_a_list_column_passes_when_the_list_contains_the_value(tmp_path: Path) -> None:
    assert _brief(_run(tmp_path, COVERS_RULE, _plan_doc(["绿化", "宣传"]))) == [("310105", "passed", None, ())]


def test_where_on_a_list_column_fails_when_the_list_lacks_the_value(tmp_path: Path) -> None:
    got = _run(tmp_path, COVERS_RULE, _plan_doc(["绿化", "宣传活动"]))  # containment, not substring
    assert _brief(got) == [("310105", "violated", "missing", ())]


def test_where_with_a_list_of_values_on_a_list_column_means_any_of_them(tmp_path: Path) -> None:
    rule = {**COVERS_RULE, "spec": {**COVERS_RULE["spec"], "evidence": {
        **COVERS_RULE["spec"]["evidence"], "where": {"kind": "annual_work_plan", "covers": ["科普", "宣传"]}}}}
    assert _brief(_run(tmp_path, rule, _plan_doc(["宣传"])))[0][1] == "passed"
    assert _brief(_run(tmp_path, rule, _plan_doc(["绿化"])))[0][1] == "violated"


# --------------------------------------------------------------------------- subject_type on values

def test_listed_values_carry_the_declared_subject_type(tmp_path: Path) -> None:
    rule = {**COVERS_RULE, "spec": {**COVERS_RULE["spec"], "evidence": {
        "table": "documents", "where": {"kind": "annual_work_plan"}, "date": "issued"},
        "subjects": {"table": "values", "subject_type": "task", "values": [{"id": "X-T01", "name": "甲"}]}}}
    got = _run(tmp_path, rule, _plan_doc([]))
    assert [(f.subject_type, f.subject_id, f.outcome) for f in got] == [("task", "X-T01", "passed")]


# --------------------------------------------------------------------------- recurring window.month

MONTH_RULE = {"id": "XX-02", "obligations": ["XX-02"], "kind": "recurring",
              "params": {"month": {"default": None, "source": {"zh": "未定", "en": "unset"}}},
              "spec": {"subjects": {"table": "values", "values": [{"id": "m", "name": "宣传月"}]},
                       "evidence": {"table": "activities", "match": {"occasion": "name"}, "date": "date"},
                       "period": {"every": "year", "first": "2024", "window": {"month": {"param": "month"}}}}}


def _activities(*dates: str) -> dict[str, Any]:
    return _doc(activities=[{"id": f"A{i}", "date": d, "occasion": "宣传月", "organiser": "区绿化市容局", "title": "活动"}
                            for i, d in enumerate(dates)])


def test_month_window_unset_is_not_checked(tmp_path: Path) -> None:
    got = _run(tmp_path, MONTH_RULE, _activities())
    assert _brief(got) == [("m", "not_applicable", "not_configured", ())]


def test_month_window_accepts_its_first_and_last_day(tmp_path: Path) -> None:
    got = _run(tmp_path, MONTH_RULE, _activities("2024-02-01", "2025-02-28"), params={"month": 2})
    assert _brief(got) == [("m", "passed", None, ())]


def test_month_window_before_is_missing_and_after_is_late(tmp_path: Path) -> None:
    end_2024 = dt.date(2024, 12, 31)
    got = _run(tmp_path, MONTH_RULE, _activities("2024-01-31"), params={"month": 2}, as_of=end_2024)
    assert _brief(got) == [("m", "violated", "missing", ("2024",))]
    assert got[0].due == "2024-02-29"  # leap year: the month's last day
    got = _run(tmp_path, MONTH_RULE, _activities("2024-03-01"), params={"month": 2}, as_of=end_2024)
    assert _brief(got) == [("m", "violated", "late", ("2024",))]
    assert got[0].days_overdue == 1


def test_month_window_pending_while_the_month_is_open(tmp_path: Path) -> None:
    got = _run(tmp_path, MONTH_RULE, _activities("2024-02-03"), params={"month": 2}, as_of=dt.date(2025, 2, 10))
    assert _brief(got) == [("m", "pending", "not_due", ("2025",))]


@pytest.mark.parametrize("bad", [0, 13, "April", True])
def test_month_window_rejects_a_month_that_is_not_1_to_12(tmp_path: Path, bad: Any) -> None:
    with pytest.raises(RuleError):
        _run(tmp_path, MONTH_RULE, _activities(), params={"month": bad})


def test_a_window_needs_exactly_one_anchor(tmp_path: Path) -> None:
    both = {**MONTH_RULE, "spec": {**MONTH_RULE["spec"], "period": {
        "every": "year", "first": "2024", "window": {"month": 3, "around": "03-22"}}}}
    with pytest.raises(RuleError):
        _run(tmp_path, both, _activities())
    neither = {**MONTH_RULE, "spec": {**MONTH_RULE["spec"], "period": {"every": "year", "first": "2024", "window": {}}}}
    with pytest.raises(RuleError):
        _run(tmp_path, neither, _activities())


def _around(values: list[dict[str, Any]]) -> dict[str, Any]:
    return {**MONTH_RULE, "params": {}, "spec": {**MONTH_RULE["spec"], "subjects": {"table": "values", "values": values},
                                                 "period": {"every": "year", "first": "2024", "window": {"around": "day"}}}}


def test_around_column_missing_from_every_listed_value_is_not_configured(tmp_path: Path) -> None:
    got = _run(tmp_path, _around([{"id": "m", "name": "宣传月"}]), _activities("2024-02-01"))
    assert _brief(got) == [("m", "not_applicable", "not_configured", ())]


def test_around_column_set_for_some_values_only(tmp_path: Path) -> None:
    rule = _around([{"id": "d", "name": "宣传月", "day": "02-01"}, {"id": "m", "name": "其他"}])
    got = _run(tmp_path, rule, _activities("2024-02-01", "2025-02-01"))
    assert _brief(got) == [("d", "passed", None, ()), ("m", "not_applicable", "not_configured", ())]


def test_around_column_with_an_impossible_day_is_a_rule_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError):
        _run(tmp_path, _around([{"id": "d", "name": "宣传月", "day": "13-45"}]), _activities())


# --------------------------------------------------------------------------- recurring due from a parameter

DUE_RULE = {"id": "XX-03", "obligations": ["XX-03"], "kind": "recurring",
            "params": {"due_day": {"default": "03-31", "source": {"zh": "解释", "en": "interpretation"}}},
            "spec": {"evidence": {"table": "documents", "where": {"kind": "annual_work_plan"},
                                  "match": {"issuer": "code"}, "date": "issued"},
                     "period": {"every": "year", "first": "2025", "due": {"param": "due_day"}},
                     "period_field": "year"}}


def _yearly_plan(issued: str) -> dict[str, Any]:
    return _doc(documents=[{"id": "D1", "kind": "annual_work_plan", "title": "计划", "issuer": "310105",
                            "issued": issued, "year": 2025}])


def test_period_due_from_a_parameter_default_and_override(tmp_path: Path) -> None:
    assert _brief(_run(tmp_path, DUE_RULE, _yearly_plan("2025-03-20"))) == [("310105", "passed", None, ())]
    got = _run(tmp_path, DUE_RULE, _yearly_plan("2025-03-20"), params={"due_day": "02-28"})
    assert _brief(got) == [("310105", "violated", "late", ("2025",))]
    assert got[0].days_overdue == 20
    assert _brief(_run(tmp_path, DUE_RULE, _yearly_plan("2025-12-31"), params={"due_day": "end"}))[0][1] == "passed"


@pytest.mark.parametrize("bad", ["13-01", "3-31", "soon", 331])
def test_period_due_parameter_must_be_end_or_month_day(tmp_path: Path, bad: Any) -> None:
    with pytest.raises(RuleError):
        _run(tmp_path, DUE_RULE, _yearly_plan("2025-03-20"), params={"due_day": bad})


# --------------------------------------------------------------------------- ledger only / exclude / start

def _ledger(check: str, **extra: Any) -> dict[str, Any]:
    return {"id": "XX-04", "obligations": ["XX-04"], "kind": "ledger",
            "spec": {"table": "tasks.yaml", "check": check, **extra}}


def _progress_doc(skip: set[str]) -> dict[str, Any]:
    tasks = [{"id": f"K{n}", "task_ref": f"X-T0{n}", "status": "in_progress", "lead_units": [lead]}
             for n, lead in ((3, "区绿化市容局"), (4, "区人社局"))]
    progress = [{"id": f"P{n}-{q}", "task": f"K{n}", "date": d, "unit": lead}
                for n, lead in ((3, "区绿化市容局"), (4, "区人社局"))
                for q, d in (("Q3", "2025-08-01"), ("Q4", "2025-11-01")) if f"{n}{q}" not in skip]
    return _doc(tasks=tasks, progress=progress)


def test_ledger_only_keeps_just_the_listed_rows(tmp_path: Path) -> None:
    rule = _ledger("progress", rows="ongoing", first_quarter="2025Q3", only=["X-T04"])
    got = _run(tmp_path, rule, _progress_doc({"3Q3", "4Q4"}))
    assert _brief(got) == [("X-T04", "violated", "missing", ("2025Q4",))]


def test_ledger_exclude_leaves_the_listed_rows_out(tmp_path: Path) -> None:
    rule = _ledger("progress", rows="ongoing", first_quarter="2025Q3", exclude=["X-T04"])
    got = _run(tmp_path, rule, _progress_doc({"3Q3", "4Q4"}))
    assert _brief(got) == [("X-T03", "violated", "missing", ("2025Q3",))]
    assert got[0].lead_units == ("区绿化市容局",)


def test_ledger_refs_not_in_the_task_table_are_a_rule_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="X-T99"):
        _run(tmp_path, _ledger("progress", rows="ongoing", first_quarter="2025Q3", exclude=["X-T99"]),
             _progress_doc(set()))


def test_ledger_start_examines_only_rows_inside_the_warning_window(tmp_path: Path) -> None:
    doc = _doc(tasks=[{"id": "K1", "task_ref": "X-T01", "status": "not_started", "lead_units": ["区生态环境局"]},
                      {"id": "K2", "task_ref": "X-T02", "status": "not_started", "lead_units": ["区建管委"]}])
    got = _run(tmp_path, _ledger("start", rows="dated"), doc, as_of=dt.date(2025, 1, 1))
    assert _brief(got) == [("X-T01", "violated", "not_started", ())]  # X-T02 (2027) is not a subject
    got = _run(tmp_path, _ledger("start", rows="dated"), doc, as_of=dt.date(2024, 1, 1))
    assert _brief(got) == [("310105", "not_applicable", "nothing_examined", ())]


def test_ledger_presence_findings_have_no_date_for_undated_entries(tmp_path: Path) -> None:
    doc = _doc(tasks=[{"id": "K1", "task_ref": "X-T01", "status": "in_progress", "lead_units": ["区生态环境局"]}])
    got = _run(tmp_path, _ledger("presence", due="2025-06-30"), doc)
    assert _brief(got) == [("X-T01", "passed", None, ()), ("X-T02", "violated", "missing", ()),
                           ("X-T03", "violated", "missing", ()), ("X-T04", "violated", "missing", ())]
    assert got[0].actual is None and got[1].actual == "无"
