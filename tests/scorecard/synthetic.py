"""Hand-made results (no engine): small, exact inputs for the scorecard, trend and writer tests."""
from __future__ import annotations

from typing import Any

from checker.errors import Location, Problem
from checker.finding import Finding
from checker.report.base import Report, RunInfo
from checker.run import SubmissionResult


def finding(rule: str, subject: str, outcome: str, *, jurisdiction: str = "450802", jname: str = "港北区",
            period: str = "2018Q4", submission: str = "S-1", reason: str | None = None,
            leads: tuple[str, ...] = (), section: str | None = "五、工作要求及措施", obligations: tuple[str, ...] | None = None,
            subject_name: str | None = None, **kw: Any) -> Finding:
    if reason is None and outcome == "violated":
        reason = "missing"
    return Finding(
        submission=submission, file=f"{submission}.json", pack="guigang-river-chief", rule=rule,
        obligations=obligations or (rule,), severity=kw.pop("severity", "error"), outcome=outcome, reason=reason,
        subject_type="jurisdiction", subject_id=subject, subject_name=subject_name or subject, jurisdiction=jurisdiction,
        jurisdiction_name=jname, period=period, as_of=kw.pop("as_of", "2018-12-31"), section=section, lead_units=leads,
        title_zh=f"{rule} 的义务", title_en=f"obligation of {rule}", clause="五(一)", quote="原文",
        message_zh=f"{subject_name or subject}：{rule} {outcome}", message_en=f"{subject_name or subject}: {rule} {outcome}",
        **kw)


def result(path: str, findings: list[Finding], *, jurisdiction: str = "450802", jname: str = "港北区",
           period: str = "2018Q4", as_of: str = "2018-12-31", submission: str = "S-1") -> SubmissionResult:
    return SubmissionResult(path=path, status="checked", submission=submission, pack="guigang-river-chief",
                            jurisdiction=jurisdiction, jurisdiction_name=jname, level="county", period=period,
                            as_of=as_of, findings=tuple(findings))


def invalid(path: str) -> SubmissionResult:
    return SubmissionResult(path=path, status="invalid", problems=(
        Problem(Location(path, pointer="/period"), "E-PATTERN", "“报送季度”格式不符", "period does not match", "=2018"),))


def sample_report() -> Report:
    """Two counties, one with an earlier quarter too, and one unusable input. Names that look
    like formulas, and lead units shared between findings, exercise the writers."""
    gb_q3 = result("in/gangbei-q3.json", [
        finding("GG-14", "450802", "violated", period="2018Q3", submission="S-GB-Q3", as_of="2018-09-30"),
        finding("GG-14", "450802001", "violated", jurisdiction="450802001", jname="贵城街道", period="2018Q3",
                submission="S-GB-Q3", as_of="2018-09-30"),
    ], period="2018Q3", as_of="2018-09-30", submission="S-GB-Q3")
    gb_q4 = result("in/gangbei-q4.json", [
        finding("GG-14", "450802", "violated", submission="S-GB-Q4", days_overdue=365, due="2017-12-31"),
        finding("GG-14", "450802001", "passed", jurisdiction="450802001", jname="贵城街道", submission="S-GB-Q4"),
        finding("GG-14", "450802101", "violated", jurisdiction="450802101", jname="=HYPERLINK(\"x\")",
                subject_name="=HYPERLINK(\"x\")", submission="S-GB-Q4", leads=("@市水利局", "市环境保护局")),
        finding("GG-08", "450802", "pending", reason="not_due", submission="S-GB-Q4", leads=("市水利局",),
                section="二、组织体系"),
        finding("GG-09", "450802", "not_applicable", reason="level", submission="S-GB-Q4", section=None),
        finding("GG-19", "450802", "waived", submission="S-GB-Q4", leads=("市财政局",),
                waiver={"reason": "-已批准", "approver": "市河长办", "expires": "2019-06-30", "source": "w.yaml#/0"}),
        finding("GG-21", "450802", "error", reason="engine", submission="S-GB-Q4", section="二、组织体系"),
    ], submission="S-GB-Q4")
    gn_q4 = result("in/gangnan-q4.json", [
        finding("GG-14", "450803", "passed", jurisdiction="450803", jname="港南区", submission="S-GN-Q4",
                leads=("市水利局",)),
        finding("GG-08", "450803", "violated", jurisdiction="450803", jname="港南区", submission="S-GN-Q4",
                reason="too_few", leads=("市水利局", "市环境保护局"), section="二、组织体系", obligations=("GG-08", "GG-09")),
    ], jurisdiction="450803", jname="港南区", submission="S-GN-Q4")
    return Report(results=(gb_q3, gb_q4, gn_q4, invalid("in/broken.json")),
                  info=RunInfo(ducha_version="0.1.0", fail_on="error"))
