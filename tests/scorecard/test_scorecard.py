"""What a scorecard counts, and how it is shown."""
from __future__ import annotations

from checker.report.scorecard import Tally, by_period, current, format_table, scorecard, width
from checker.report.trend import compare, trend

from .synthetic import finding, result, sample_report


def _row(card, key):  # type: ignore[no-untyped-def]
    return next(r for r in card.rows if r.key == key)


def test_compliance_is_passed_over_passed_plus_violated_and_nothing_else_is_a_pass() -> None:
    t = Tally()
    for outcome in ["passed", "violated", "violated", "pending", "not_applicable", "waived", "error"]:
        t.add(outcome)
    assert t.compliance == 1 / 3
    assert t.total == 7
    only_undecided = Tally(pending=3, not_applicable=2, waived=1, error=1)
    assert only_undecided.compliance is None  # not 100 %: nothing was shown to be kept


def test_only_the_latest_submission_of_each_jurisdiction_is_counted() -> None:
    rep = sample_report()
    q3, q4, gn, broken = rep.results
    counted, superseded = current([q4, broken, gn, q3])
    assert [r.path for r in counted] == [q4.path, gn.path]
    assert [r.path for r in superseded] == [q3.path]
    # the same period sent twice: the later as_of wins, whatever the input order
    later = result("in/again.json", [], as_of="2019-01-05", submission="S-GB-Q4b")
    assert current([later, q4])[0] == [later]


def test_by_jurisdiction_counts_each_finding_under_its_own_jurisdiction() -> None:
    card = scorecard(sample_report().results, "jurisdiction")
    assert [r.key for r in card.rows] == ["450802", "450802001", "450802101", "450803"]  # code order = tree order
    gb = _row(card, "450802").tally
    assert (gb.passed, gb.violated, gb.pending, gb.not_applicable, gb.waived, gb.error) == (0, 1, 1, 1, 1, 1)
    assert gb.compliance == 0.0
    assert _row(card, "450802001").tally.compliance == 1.0  # Q4 only: the Q3 violation is history
    assert _row(card, "450803").tally.compliance == 0.5
    assert (card.total.passed, card.total.violated, card.total.total) == (2, 3, 9)


def test_a_finding_counts_once_for_each_lead_unit_and_obligation_but_once_in_the_total() -> None:
    rep = sample_report()
    dept = scorecard(rep.results, "department")
    water = _row(dept, "市水利局").tally
    assert (water.passed, water.violated, water.pending) == (1, 1, 1)
    assert _row(dept, "市环境保护局").tally.violated == 2
    assert _row(dept, "@市水利局").tally.violated == 1
    none = _row(dept, "")
    assert none.label_zh == "（未指定牵头单位）" and none.label_en == "(no lead unit)"
    assert dept.rows[-1] is none  # the unattributed row comes last
    assert dept.total.total == 9
    ob = scorecard(rep.results, "obligation")
    assert [r.key for r in ob.rows] == ["GG-08", "GG-09", "GG-14", "GG-19", "GG-21"]
    assert _row(ob, "GG-09").tally.violated == 1 and _row(ob, "GG-09").tally.not_applicable == 1


def test_sections_follow_the_rules_order_not_the_characters() -> None:
    card = scorecard(sample_report().results, "section")
    # 二 (GG-08) before 五 (GG-14) although '五' < '二' in code points; no section last
    assert [r.key for r in card.rows] == ["二、组织体系", "五、工作要求及措施", ""]


def test_by_period_uses_every_quarter() -> None:
    periods, rows, cells = by_period(sample_report().results)
    assert periods == ["2018Q3", "2018Q4"]
    assert cells[("450802001", "2018Q3")].compliance == 0.0
    assert cells[("450802001", "2018Q4")].compliance == 1.0
    assert ("450803", "2018Q3") not in cells


def test_trend_new_persisting_and_resolved_by_fingerprint() -> None:
    rep = sample_report()
    steps = trend(rep.results)
    assert len(steps) == 1  # only 港北区 sent two quarters
    st = steps[0]
    assert (st.jurisdiction, st.before, st.after, st.previous_run) == ("450802", "2018Q3", "2018Q4", False)
    got = {(c.status, c.finding.subject_id, c.now) for c in st.changes}
    assert got == {("persisting", "450802", "violated"), ("new", "450802101", "violated"),
                   ("resolved", "450802001", "passed")}
    assert [c.status for c in st.changes] == ["new", "persisting", "resolved"]


def test_a_lapse_whose_subject_is_no_longer_examined_is_not_called_fixed() -> None:
    q3 = result("a.json", [finding("GG-14", "X", "violated")], period="2018Q3")
    q4 = result("b.json", [finding("GG-14", "Y", "passed")], period="2018Q4")
    (st,) = trend([q4, q3])
    assert [(c.status, c.finding.subject_id, c.now) for c in st.changes] == [("resolved", "X", "absent")]


def test_compare_against_an_earlier_run_uses_each_jurisdictions_latest_submission() -> None:
    rep = sample_report()
    q3, q4, gn, _ = rep.results
    steps = compare([q4, gn], [q3])
    assert len(steps) == 1 and steps[0].previous_run and steps[0].before == "2018Q3"
    assert {c.status for c in steps[0].changes} == {"new", "persisting", "resolved"}
    assert compare([gn], [q3]) == []  # nothing to compare 港南区 with


def test_table_aligns_wide_characters_and_colours_only_when_asked() -> None:
    card = scorecard(sample_report().results)
    plain = format_table(card, "zh")
    assert "\x1b[" not in plain
    lines = plain.splitlines()
    header, rule = lines[1], lines[2]
    assert width(header) == width(rule)
    body = lines[3:7]
    assert len({width(line) for line in body}) == 1  # same display width although names differ in length
    coloured = format_table(card, "zh", colour=True)
    assert "\x1b[31m" in coloured and "\x1b[32m" in coloured  # red for 0 %, green for 100 %
    assert coloured.replace("\x1b[31m", "").replace("\x1b[32m", "").replace("\x1b[33m", "") \
        .replace("\x1b[1m", "").replace("\x1b[0m", "") == plain


def test_an_obligation_is_titled_by_its_own_rule_whatever_the_input_order() -> None:
    q3, q4, gn, _ = sample_report().results
    for order in ([q4, gn], [gn, q4]):
        card = scorecard(order, "obligation")
        assert _row(card, "GG-09").label_zh == "GG-09 的义务"  # GG-08's rule also implements GG-09
