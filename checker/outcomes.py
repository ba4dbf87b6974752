"""Outcomes stage: the engine's matches become one finding per (obligation, subject).

For each expectation the engine says ``ok`` / ``late`` / ``other`` / ``none`` (match
template) or ``seen`` plus failed checks (test template). Here, and only here, those verdicts
are read against ``as_of``: a missing piece of evidence whose due date has not come is
*pending*, not violated. An expectation the engine said nothing about is an *error*, never a
pass. A subject's outcome is the worst of its expectations'.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

import pandas as pd

from .dates import from_day
from .engine import Match
from .finding import Finding, reason_text
from .kinds.base import Context, Plan

NOT_APPLICABLE_TAGS = {"no_entry", "no_baseline"}
RANK = {"error": 0, "violated": 1, "pending": 2, "passed": 3, "not_applicable": 4}


def _iso(day: Any) -> str | None:
    # Undated evidence (a ledger entry, a member list) carries a day before any real date.
    return None if day is None or pd.isna(day) or int(day) <= -10**6 else _iso_day(int(day))


@lru_cache(maxsize=65536)
def _iso_day(day: int) -> str:
    return from_day(day).isoformat()


class _X:
    __slots__ = ("status", "reason", "ev", "overdue", "day")

    def __init__(self) -> None:
        self.status = "error"
        self.reason: str | None = "engine"
        self.ev: list[str] = []
        self.overdue: int | None = None
        self.day: int | None = None


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    """A column as plain Python values, as a row of the frame (``frame.loc[i]``) holds them."""
    return frame[name].to_numpy(dtype=object).tolist()


def _match_verdicts(plan: Plan, matches: list[Match], as_of_day: int) -> dict[int, _X]:
    tags: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for m in matches:
        tag = m.rule.rsplit("|", 1)[1]
        xi = int(m.frame["x"]["xi"])
        tags[xi][tag].append(int(m.frame["y"]["yi"]) if "y" in m.frame else -1)
    out: dict[int, _X] = {}
    # Plain lists, read once: per-cell pandas access (.at) costs microseconds each.
    yday = [int(d) for d in _column(plan.y, "day")] if len(plan.y) else []
    yev = [str(e) for e in _column(plan.y, "ev")] if len(plan.y) else []
    xdue = _column(plan.x, "due")
    for xi in range(len(xdue)):
        v = _X()
        t = tags.get(xi, {})
        due = int(xdue[xi])
        if t.get("ok"):
            ys = sorted(t["ok"], key=yday.__getitem__)
            v.status, v.reason, v.day = "passed", None, yday[ys[0]]
            v.ev = [yev[i] for i in ys]
        elif t.get("late"):
            ys = sorted(t["late"], key=yday.__getitem__)
            v.day = yday[ys[0]]
            v.status, v.reason, v.overdue = "violated", "late", v.day - due
            v.ev = [yev[i] for i in ys]
        elif t.get("none"):
            v.ev = [yev[i] for i in t.get("other", [])]
            if due > as_of_day:
                v.status, v.reason = "pending", "not_due"
            elif t.get("other"):
                v.status, v.reason, v.overdue = "violated", plan.other_reason, as_of_day - due
            else:
                v.status, v.reason, v.overdue = "violated", "missing", as_of_day - due
        out[xi] = v
    return out


def _test_verdicts(plan: Plan, matches: list[Match], as_of_day: int) -> dict[int, _X]:
    seen: set[int] = set()
    failed: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for m in matches:
        rest = m.rule.rsplit("|", 1)[1]
        xi = int(m.frame["x"]["xi"])
        if rest == "seen":
            seen.add(xi)
        else:
            tag, idx = rest.split("#")
            failed[xi].append((int(idx), tag))
    out: dict[int, _X] = {}
    xdue = _column(plan.x, "due")
    xev = _column(plan.x, "ev") if "ev" in plan.x.columns else None
    for xi in range(len(xdue)):
        v = _X()
        if xev is not None and isinstance(xev[xi], list):
            v.ev = list(xev[xi])
        due = int(xdue[xi])
        if xi in seen:
            if failed.get(xi):
                tag = min(failed[xi])[1]
                if tag in NOT_APPLICABLE_TAGS:
                    v.status, v.reason = "not_applicable", tag
                elif due > as_of_day:
                    v.status, v.reason = "pending", "not_due"
                else:
                    v.status, v.reason, v.overdue = "violated", tag, as_of_day - due
            else:
                v.status, v.reason = "passed", None
        out[xi] = v
    return out


def _expected_actual(plan: Plan, ctx: Context, row: dict[str, Any], v: _X, lang: str) -> tuple[str | None, str | None]:
    en = lang == "en"
    due = _iso(row.get("due"))
    if plan.template == "match":
        lo = row.get("lo")
        window = lo is not None and not pd.isna(lo) and int(lo) > -10**6
        exp: str | None = (f"{_iso(lo)} – {due}" if window else (f"on or before {due}" if en else f"{due} 前（含）"))
        if v.day is not None:
            act = _iso(v.day)
        elif v.reason == plan.other_reason and v.ev:
            act = reason_text(v.reason, lang)
        else:
            act = "none" if en else "无"
        return exp, act
    parts = []
    for k in ("min", "max", "base", "exp"):
        val = row.get(k)
        if val is not None and not (isinstance(val, float) and pd.isna(val)):
            label = {"min": "≥", "max": "≤", "base": "≥" if "below_threshold" in [c.tag for c in plan.checks] else "≤",
                     "exp": "="}[k]
            parts.append(f"{label} {_fmt(val)}")
    exp = ", ".join(parts) or None
    act_val = row.get("actual") if isinstance(row.get("actual"), str) else None
    if act_val is None:
        for k in ("num", "str"):
            val = row.get(k)
            if val is not None and not (isinstance(val, float) and pd.isna(val)):
                act_val = _fmt(val)
                break
    return exp, act_val if act_val is not None else ("none" if en else "无")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


@lru_cache(maxsize=1024)
def _parsed(template: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    """A message template's pieces, parsed once per template (not once per finding)."""
    import string
    return tuple(string.Formatter().parse(template))


def _render(template: str, values: dict[str, Any]) -> str:
    """Fill ``{name}`` fields. Rule files are data: a field with attribute or index access,
    a conversion or a format spec (``{subject.__class__}``, ``{x!r}``, ``{x:>9999}``) is not
    evaluated but kept as written, and so is an unknown name."""
    out = []
    for literal, name, spec, conv in _parsed(template):
        out.append(literal)
        if name is None:
            continue
        if name in values and not spec and not conv:
            out.append(str(values[name]))
        else:
            out.append("{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}")
    return "".join(out)


# Subject columns a finding reads (see make_finding).
_SUBJECT_FIELDS = ("stype", "sid", "sname", "jurisdiction", "leads", "section", "src")


def _records(frame: pd.DataFrame, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows as dicts of the ``names`` the frame has (values as ``iterrows`` gives them)."""
    cols = [c for c in names if c in frame.columns]
    values = [_column(frame, c) for c in cols]
    return [dict(zip(cols, row)) for row in zip(*values)] if cols else [{} for _ in range(len(frame))]


def decide(ctx: Context, plan: Plan, matches: list[Match]) -> list[Finding]:
    as_of_day = ctx.as_of_day
    verdicts = (_match_verdicts if plan.template == "match" else _test_verdicts)(plan, matches, as_of_day)
    x = plan.x
    xcols = {c: _column(x, c) for c in x.columns}
    xpart = [str(p) for p in xcols["part"]] if len(x) else []
    by_sub: dict[int, list[int]] = defaultdict(list)
    for xi, sub in enumerate(xcols.get("sub", [])):
        by_sub[int(sub)].append(xi)
    findings = []
    for sub, srow in zip(plan.subjects.index.tolist(), _records(plan.subjects, _SUBJECT_FIELDS)):
        xs = by_sub.get(int(sub), [])
        if not xs:
            idle = plan.idle.get(int(sub)) or plan.idle_reason or (
                "no_periods" if plan.template == "test" and ctx.rule.spec.kind in ("cardinality", "threshold") else "not_configured")
            findings.append(make_finding(ctx, srow, "not_applicable", idle))
            continue
        vs = [(xi, verdicts[xi]) for xi in xs]
        worst = min(vs, key=lambda p: (RANK[p[1].status], p[0]))
        status = worst[1].status
        bad = [(xi, v) for xi, v in vs if v.status == status]
        # The headline is the most overdue of them (the first on a tie): reason, due date, days
        # overdue, expected and actual all describe that one lapse, never a mix of several.
        xi0, v0 = max(bad, key=lambda p: (-1 if p[1].overdue is None else p[1].overdue, -p[0]))
        row = {c: vals[xi0] for c, vals in xcols.items()}
        parts = tuple(xpart[xi] for xi, _ in bad if xpart[xi])
        if status == "passed":
            parts = ()
        evidence = []
        for _, v in (bad if status != "passed" else vs):
            evidence.extend(v.ev)
        if isinstance(srow.get("src"), str):
            evidence.append(srow["src"])
        fz = _expected_actual(plan, ctx, row, v0, "zh")
        fe = _expected_actual(plan, ctx, row, v0, "en")
        overdue = v0.overdue
        findings.append(make_finding(ctx, srow, status, v0.reason,
                                     expected=(fz[0], fe[0]), actual=(fz[1], fe[1]),
                                     due=_iso(row.get("due")),
                                     overdue=overdue if status == "violated" else None, parts=parts,
                                     evidence=_locations(ctx, evidence)))
    if plan.subjects.empty:
        findings.append(rule_level(ctx, ctx.rule.spec.on_empty, "nothing_examined"))
    return findings


def _locations(ctx: Context, refs: list[str]) -> tuple[str, ...]:
    text = ctx.ds.location_text
    return tuple(dict.fromkeys(text(ref) for ref in refs))


def _severity(ctx: Context) -> str:
    spec = ctx.rule.spec
    return str(spec.severity_by_level.get(ctx.submitter["level"], spec.severity))


def make_finding(ctx: Context, srow: Any, outcome: str, reason: str | None, *, expected: tuple[Any, Any] = (None, None),
                 actual: tuple[Any, Any] = (None, None), due: str | None = None, overdue: int | None = None,
                 parts: tuple[str, ...] = (), evidence: tuple[str, ...] = ()) -> Finding:
    spec = ctx.rule.spec
    ds = ctx.ds
    j = srow.get("jurisdiction")
    # A subject whose jurisdiction is unknown (a path that resolves to nothing: NaN/None) is
    # the submitter's business; never a jurisdiction called "nan".
    jcode = j if isinstance(j, str) and j else str(ctx.submitter["code"])
    jname = ctx.jurisdiction_name(jcode)
    leads = tuple(srow.get("leads") or spec.attribute_to)
    section = srow.get("section") if isinstance(srow.get("section"), str) else spec.section
    values: dict[str, Any] = {"subject": str(srow.get("sname")), "subject_id": str(srow.get("sid")),
                              "due": due or "", "detail": "、".join(parts),
                              "jurisdiction": jname, "days": overdue if overdue is not None else ""}
    if outcome not in ("passed", "not_applicable", "pending", "error"):  # these say their outcome instead
        mz = _render(spec.message.zh, {**values, "expected": expected[0] or "", "actual": actual[0] or "",
                                       "reason": reason_text(reason, "zh")})
        me = _render(spec.message.en, {**values, "expected": expected[1] or "", "actual": actual[1] or "",
                                       "reason": reason_text(reason, "en"), "detail": ", ".join(parts)})
    else:
        # "pending, not yet due" says nothing twice: a pending finding names its due date instead
        dated = reason == "not_due" and bool(due)
        why_zh = f"{due}到期" if dated else reason_text(reason, "zh")
        why_en = f"due {due}" if dated else reason_text(reason, "en")
        mz = f"{spec.title.zh}：{srow.get('sname')}（{_outcome_zh(outcome)}{('，' + why_zh) if reason and outcome != 'passed' else ''}）"
        me = f"{spec.title.en}: {srow.get('sname')} ({outcome.replace('_', ' ')}{('; ' + why_en) if reason and outcome != 'passed' else ''})"
    return Finding(
        submission=ds.header.submission_id, file=ds.file, pack=ctx.rule.pack, rule=spec.id,
        obligations=tuple(spec.obligations), severity=_severity(ctx), outcome=outcome, reason=reason,
        subject_type=str(srow.get("stype")), subject_id=str(srow.get("sid")), subject_name=str(srow.get("sname")),
        jurisdiction=jcode, jurisdiction_name=jname, period=ds.header.period, as_of=ctx.as_of.isoformat(),
        expected=expected[0], actual=actual[0], due=due, days_overdue=overdue, parts=parts,
        document=spec.source.document, clause=spec.source.clause, quote=spec.source.quote,
        title_zh=spec.title.zh, title_en=spec.title.en, section=section, lead_units=leads,
        message_zh=mz, message_en=me, evidence=evidence)


def _outcome_zh(outcome: str) -> str:
    return {"passed": "符合", "not_applicable": "不适用", "pending": "未到期", "error": "错误",
            "violated": "不符合", "waived": "已豁免"}[outcome]


def rule_level(ctx: Context, outcome: str, reason: str) -> Finding:
    """One finding for the rule as a whole (not applicable here, nothing examined, engine error)."""
    sub = ctx.submitter
    srow = {"stype": "jurisdiction", "sid": sub["code"], "sname": sub["name"], "jurisdiction": sub["code"],
            "leads": list(ctx.rule.spec.attribute_to)}
    return make_finding(ctx, srow, outcome, reason)
