"""Outcomes stage: the engine's matches become one finding per (obligation, subject).

For each expectation the engine says ``ok`` / ``late`` / ``other`` / ``none`` (match
template) or ``seen`` plus failed checks (test template). Here, and only here, those verdicts
are read against ``as_of``: a missing piece of evidence whose due date has not come is
*pending*, not violated. An expectation the engine said nothing about is an *error*, never a
pass. A subject's outcome is the worst of its expectations'.

A county has thousands of expectations and findings, so the per-item work here is plain
Python over lists read once from the plan's frames; whatever a rule's findings share
(titles, source, severity, …) is read once per rule (:class:`_Maker`).
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from functools import lru_cache
from typing import Any, Final, Optional

import pandas as pd

from .dates import from_day
from .engine import Match
from .finding import Finding, reason_text
from .kinds.base import column_values, Context, Plan

NOT_APPLICABLE_TAGS = {"no_entry", "no_baseline"}
RANK = {"error": 0, "violated": 1, "pending": 2, "passed": 3, "not_applicable": 4}


def _iso(day: Any) -> str | None:
    # Undated evidence (a ledger entry, a member list) carries a day before any real date.
    if type(day) is int:  # the common case, without pandas' isna
        return None if day <= -10**6 else _iso_day(day)
    return None if day is None or pd.isna(day) or int(day) <= -10**6 else _iso_day(int(day))


@lru_cache(maxsize=65536)
def _iso_day(day: int) -> str:
    return from_day(day).isoformat()


def _missing(v: Any) -> bool:
    """``v is None or (isinstance(v, float) and pd.isna(v))``: NaN is the only float unequal to itself."""
    return v is None or (isinstance(v, float) and v != v)


# One expectation's verdict, a plain tuple (a county has tens of thousands):
# (rank = RANK[status], status, reason, evidence references, days overdue or None, evidence day or None).
_X = tuple[int, str, Optional[str], list[str], Optional[int], Optional[int]]
_RANK: Final = 0
_STATUS: Final = 1
_REASON: Final = 2
_EV: Final = 3
_OVERDUE: Final = 4
_DAY: Final = 5
_NO_EV: list[str] = []  # shared by every verdict without evidence (read only, never extended)


def _tags(matches: list[Match]) -> dict[str, str]:
    """Each engine rule name's tag (``GG-02|ok`` → ``ok``), split once per name, not per match."""
    return {rule: rule.rsplit("|", 1)[1] for rule in {m.rule for m in matches}}


def _match_verdicts(plan: Plan, matches: list[Match], as_of_day: int, xdue: list[Any]) -> list[_X]:
    tags: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    tag_of = _tags(matches)
    for m in matches:
        frame = m.frame
        y = frame.get("y")
        tags[int(frame["x"]["xi"])][tag_of[m.rule]].append(-1 if y is None else int(y["yi"]))
    # Plain lists, read once: per-cell pandas access (.at) costs microseconds each.
    yday = [int(d) for d in column_values(plan.y, "day")] if len(plan.y) else []
    yev = [str(e) for e in column_values(plan.y, "ev")] if len(plan.y) else []
    out: list[_X] = []
    nothing: dict[str, list[int]] = {}
    for xi, due in enumerate(xdue):
        t = tags.get(xi, nothing)
        due = int(due)
        ys = t.get("ok")
        if ys:
            if len(ys) > 1:
                ys = sorted(ys, key=yday.__getitem__)
            out.append((3, "passed", None, [yev[i] for i in ys], None, yday[ys[0]]))
            continue
        ys = t.get("late")
        if ys:
            if len(ys) > 1:
                ys = sorted(ys, key=yday.__getitem__)
            day = yday[ys[0]]
            out.append((1, "violated", "late", [yev[i] for i in ys], day - due, day))
        elif t.get("none"):
            other = t.get("other")
            ev = [yev[i] for i in other] if other else _NO_EV
            if due > as_of_day:
                out.append((2, "pending", "not_due", ev, None, None))
            elif other:
                out.append((1, "violated", plan.other_reason, ev, as_of_day - due, None))
            else:
                out.append((1, "violated", "missing", ev, as_of_day - due, None))
        else:
            out.append((0, "error", "engine", _NO_EV, None, None))
    return out


def _test_checks(matches: list[Match]) -> tuple[set[int], dict[int, list[tuple[int, str]]]]:
    """The expectations the engine saw, and each one's failed checks as (index, tag)."""
    seen: set[int] = set()
    failed: dict[int, list[tuple[int, str]]] = defaultdict(list)
    # "seen", or a failed check "<tag>#<index>" as (index, tag): parsed once per rule name
    check_of: dict[str, tuple[int, str] | None] = {}
    for rule, rest in _tags(matches).items():
        tag, _, idx = rest.partition("#")
        check_of[rule] = None if rest == "seen" else (int(idx), tag)
    seen_rules = {rule for rule, check in check_of.items() if check is None}
    # Most matches are "seen" (one per expectation): collected in one pass at C speed.
    seen.update(map(int, [m.frame["x"]["xi"] for m in matches if m.rule in seen_rules]))
    for m in [m for m in matches if m.rule not in seen_rules]:
        check = check_of[m.rule]
        if check is not None:
            failed[int(m.frame["x"]["xi"])].append(check)
    return seen, failed


def _test_verdict(xi: int, due: int, ev: list[str], seen: set[int], failed: dict[int, list[tuple[int, str]]],
                  as_of_day: int) -> _X:
    if xi not in seen:
        return (0, "error", "engine", ev, None, None)
    fails = failed.get(xi)
    if not fails:
        return (3, "passed", None, ev, None, None)
    tag = min(fails)[1]
    if tag in NOT_APPLICABLE_TAGS:
        return (4, "not_applicable", tag, ev, None, None)
    if due > as_of_day:
        return (2, "pending", "not_due", ev, None, None)
    return (1, "violated", tag, ev, as_of_day - due, None)


_PASSED: _X = (3, "passed", None, _NO_EV, None, None)


def _test_verdicts(plan: Plan, matches: list[Match], as_of_day: int, xdue: list[Any]) -> list[_X]:
    seen, failed = _test_checks(matches)
    dues = list(map(int, xdue))
    n = len(dues)
    if "ev" in plan.x.columns:
        xev = column_values(plan.x, "ev")
        return [_test_verdict(xi, due, list(xev[xi]) if isinstance(xev[xi], list) else _NO_EV, seen, failed, as_of_day)
                for xi, due in enumerate(dues)]
    # Without evidence, an expectation seen and with no failed check has the one verdict
    # _PASSED (shared): only those not seen or with a failed check are decided one by one.
    out = [_PASSED] * n
    if not (len(seen) == n and (n == 0 or (min(seen) == 0 and max(seen) == n - 1))):  # else all are seen
        for xi in range(n):
            if xi not in seen:
                out[xi] = _test_verdict(xi, dues[xi], _NO_EV, seen, failed, as_of_day)
    for xi in failed:
        if 0 <= xi < n:
            out[xi] = _test_verdict(xi, dues[xi], _NO_EV, seen, failed, as_of_day)
    return out


_NONE = ("无", "none")  # (zh, en): expected and actual are pairs in this order


def _expected_match(lo: Any, due: str | None) -> tuple[str | None, str | None]:
    if lo is not None and not pd.isna(lo) and int(lo) > -10**6:
        window = f"{_iso(lo)} – {due}"
        return window, window
    return f"{due} 前（含）", f"on or before {due}"


def _actual_match(plan: Plan, v: _X) -> tuple[str | None, str | None]:
    if v[_DAY] is not None:
        act = _iso(v[_DAY])
        return act, act
    if v[_REASON] == plan.other_reason and v[_EV]:
        return reason_text(v[_REASON], "zh"), reason_text(v[_REASON], "en")
    return _NONE


def _expected_actual_test(plan: Plan, row: dict[str, Any]) -> tuple[tuple[str | None, str | None], tuple[str, str]]:
    """(expected, actual) of a test-template expectation: the same text in both languages."""
    parts = []
    for k in ("min", "max", "base", "exp"):
        val = row.get(k)
        if not _missing(val):
            label = {"min": "≥", "max": "≤", "base": "≥" if "below_threshold" in [c.tag for c in plan.checks] else "≤",
                     "exp": "="}[k]
            parts.append(f"{label} {_fmt(val)}")
    exp = ", ".join(parts) or None
    act_val = row.get("actual") if isinstance(row.get("actual"), str) else None
    if act_val is None:
        for k in ("num", "str"):
            val = row.get(k)
            if not _missing(val):
                act_val = _fmt(val)
                break
    return (exp, exp), ((act_val, act_val) if act_val is not None else _NONE)


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


# Subject columns a finding reads (see _Maker).
_SUBJECT_FIELDS = ("stype", "sid", "sname", "jurisdiction", "leads", "section", "src")
# Expectation columns a finding reads: the headline expectation's due date, window, bounds, value.
_TEST_FIELDS = ("min", "max", "base", "exp", "actual", "num", "str")
_X_FIELDS = ("due", "lo", *_TEST_FIELDS)


def _records(frame: pd.DataFrame, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows as dicts of the ``names`` the frame has (values as ``iterrows`` gives them)."""
    cols = [c for c in names if c in frame.columns]
    values = [column_values(frame, c) for c in cols]
    return [dict(zip(cols, row)) for row in zip(*values)] if cols else [{} for _ in range(len(frame))]


def _headline(verdicts: list[_X], xs: list[int]) -> tuple[int, list[int]]:
    """The subject's worst expectations (``xs`` order) and, of those, the most overdue (the first on a tie)."""
    vs = list(map(verdicts.__getitem__, xs))
    ranks = [v[_RANK] for v in vs]
    rank = min(ranks)
    bad = xs if ranks.count(rank) == len(ranks) else [xi for xi, r in zip(xs, ranks) if r == rank]
    if len(bad) == 1:
        return bad[0], bad
    if [verdicts[xi][_OVERDUE] for xi in bad].count(None) == len(bad):
        return min(bad), bad  # every key below is (-1, -xi): the largest is the smallest xi
    return max(bad, key=lambda xi: (-1 if verdicts[xi][_OVERDUE] is None else verdicts[xi][_OVERDUE], -xi)), bad


def decide(ctx: Context, plan: Plan, matches: list[Match]) -> list[Finding]:
    x = plan.x
    xcols = {c: column_values(x, c) for c in _X_FIELDS if c in x.columns}
    xdue = xcols["due"] if "due" in xcols else column_values(x, "due")
    verdicts = (_match_verdicts if plan.template == "match" else _test_verdicts)(plan, matches, ctx.as_of_day, xdue)
    xpart = column_values(x, "part") if len(x) else []  # str() only of the parts a finding names
    by_sub: dict[int, list[int]] = defaultdict(list)
    for xi, sub in enumerate(map(int, column_values(x, "sub")) if "sub" in x.columns else ()):
        by_sub[sub].append(xi)
    make = _Maker(ctx)
    match = plan.template == "match"
    # Expected and actual texts, remembered by the values they are made of (many findings share them).
    windows: dict[tuple[Any, Any], tuple[str | None, str | None]] = {}
    tcols = {c: vals for c, vals in xcols.items() if c in _TEST_FIELDS}
    tvals = list(tcols.values())
    tested: dict[tuple[Any, ...], tuple[tuple[str | None, str | None], tuple[str, str]]] = {}
    text = ctx.ds.location_text
    findings = []
    for sub, srow in zip(plan.subjects.index.tolist(), _records(plan.subjects, _SUBJECT_FIELDS)):
        xs = by_sub.get(int(sub))
        if not xs:
            idle = plan.idle.get(int(sub)) or plan.idle_reason or (
                "no_periods" if plan.template == "test" and ctx.rule.spec.kind in ("cardinality", "threshold") else "not_configured")
            findings.append(make(srow, "not_applicable", idle))
            continue
        # The headline is the most overdue of the worst (the first on a tie): reason, due date, days
        # overdue, expected and actual all describe that one lapse, never a mix of several.
        xi0, bad = (xs[0], xs) if len(xs) == 1 else _headline(verdicts, xs)
        v0 = verdicts[xi0]
        status = v0[_STATUS]
        if status == "passed":
            parts: tuple[str, ...] = ()
            cited = xs
        else:
            parts = tuple(p for p in (str(xpart[xi]) for xi in bad) if p)
            cited = bad
        evidence = [e for xi in cited for e in verdicts[xi][_EV]]
        src = srow.get("src")
        if isinstance(src, str):
            evidence.append(src)
        due = _iso(xdue[xi0])
        if match:
            key = (xcols["lo"][xi0] if "lo" in xcols else None, due)
            exp = windows.get(key)
            if exp is None:
                exp = windows[key] = _expected_match(*key)
            act = _actual_match(plan, v0)
        else:
            key = tuple([vals[xi0] for vals in tvals])
            try:
                exp, act = tested[key]
            except KeyError:
                exp, act = tested[key] = _expected_actual_test(plan, dict(zip(tcols, key)))
            except TypeError:  # an unhashable value (a list): not remembered
                exp, act = _expected_actual_test(plan, dict(zip(tcols, key)))
        findings.append(make(srow, status, v0[_REASON], expected=exp, actual=act, due=due,
                             overdue=v0[_OVERDUE] if status == "violated" else None, parts=parts,
                             evidence=tuple(dict.fromkeys(map(text, evidence))) if evidence else ()))
    if plan.subjects.empty:
        findings.append(rule_level(ctx, ctx.rule.spec.on_empty, "nothing_examined"))
    return findings


def _severity(ctx: Context) -> str:
    spec = ctx.rule.spec
    return str(spec.severity_by_level.get(ctx.submitter["level"], spec.severity))


# Finding is a frozen dataclass of 31 fields: its generated __init__ sets each one through
# object.__setattr__ (7 µs a finding, a fifth of this stage). For a plain dataclass (no
# __post_init__, no slots, no default factory), filling a new instance's __dict__ with every
# field in field order gives the very same object (equal, same repr and pickle), 20× faster.
_FAST_FINDING = (not hasattr(Finding, "__post_init__") and "__slots__" not in vars(Finding)
                 and all(f.default_factory is dataclasses.MISSING for f in dataclasses.fields(Finding)))
# The fields _Maker sets per finding; every other field is the rule's or the default.
_PER_FINDING = frozenset({"outcome", "reason", "subject_type", "subject_id", "subject_name", "jurisdiction",
                          "jurisdiction_name", "expected", "actual", "due", "days_overdue", "parts", "section",
                          "lead_units", "message_zh", "message_en", "evidence"})


_set_dict = object.__setattr__  # Finding is frozen: its own __setattr__ refuses


class _Maker:
    """:func:`make_finding` for one rule: what every finding of the rule shares is read once."""

    def __init__(self, ctx: Context) -> None:
        spec = ctx.rule.spec
        ds = ctx.ds
        self.spec = spec
        self.submitter = str(ctx.submitter["code"])
        self.jurisdiction_name = ctx.jurisdiction_name
        self.names: dict[str, str] = {}
        # Every field, in field order; per finding only the subject's and the verdict's change.
        self.base: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(Finding)}
        self.base.update(
            submission=ds.header.submission_id, file=ds.file, pack=ctx.rule.pack, rule=spec.id,
            obligations=tuple(spec.obligations), severity=_severity(ctx), period=ds.header.period,
            as_of=ctx.as_of.isoformat(), document=spec.source.document, clause=spec.source.clause,
            quote=spec.source.quote, title_zh=spec.title.zh, title_en=spec.title.en)
        self.title_zh, self.title_en = spec.title.zh, spec.title.en
        unset = {k for k, v in self.base.items() if v is dataclasses.MISSING}
        self.fast = _FAST_FINDING and unset <= _PER_FINDING

    def _new(self, values: dict[str, Any]) -> Finding:
        """``Finding(**values)``; ``values`` holds every field, in field order, and becomes the
        finding's own dict: pass a fresh one."""
        if self.fast:
            f = object.__new__(Finding)
            _set_dict(f, "__dict__", values)  # ``values`` becomes the instance's dict (no copy)
            return f
        # Finding has changed shape: construct it normally (a field nobody sets fails loudly).
        return Finding(**{k: v for k, v in values.items() if v is not dataclasses.MISSING})

    def __call__(self, srow: Any, outcome: str, reason: str | None, *, expected: tuple[Any, Any] = (None, None),
                 actual: tuple[Any, Any] = (None, None), due: str | None = None, overdue: int | None = None,
                 parts: tuple[str, ...] = (), evidence: tuple[str, ...] = ()) -> Finding:
        spec = self.spec
        j = srow.get("jurisdiction")
        # A subject whose jurisdiction is unknown (a path that resolves to nothing: NaN/None) is
        # the submitter's business; never a jurisdiction called "nan".
        jcode = j if isinstance(j, str) and j else self.submitter
        jname = self.names.get(jcode)
        if jname is None:
            jname = self.names[jcode] = self.jurisdiction_name(jcode)
        section = srow.get("section")
        if not isinstance(section, str):
            section = spec.section
        sname = srow.get("sname")
        sid = str(srow.get("sid"))
        if outcome == "passed":  # most findings: the general branch below, written out
            mz = f"{self.title_zh}：{sname}（符合）"
            me = f"{self.title_en}: {sname} (passed)"
        elif outcome not in ("not_applicable", "pending", "error"):  # these say their outcome instead
            values: dict[str, Any] = {"subject": str(sname), "subject_id": sid,
                                      "due": due or "", "detail": "、".join(parts),
                                      "jurisdiction": jname, "days": overdue if overdue is not None else ""}
            mz = _render(spec.message.zh, {**values, "expected": expected[0] or "", "actual": actual[0] or "",
                                           "reason": reason_text(reason, "zh")})
            me = _render(spec.message.en, {**values, "expected": expected[1] or "", "actual": actual[1] or "",
                                           "reason": reason_text(reason, "en"), "detail": ", ".join(parts)})
        else:
            # "pending, not yet due" says nothing twice: a pending finding names its due date instead
            said = bool(reason) and outcome != "passed"
            dated = reason == "not_due" and bool(due)
            why_zh = (f"{due}到期" if dated else reason_text(reason, "zh")) if said else ""
            why_en = (f"due {due}" if dated else reason_text(reason, "en")) if said else ""
            mz = f"{spec.title.zh}：{sname}（{_OUTCOME_ZH[outcome]}{('，' + why_zh) if said else ''}）"
            me = f"{spec.title.en}: {sname} ({outcome.replace('_', ' ')}{('; ' + why_en) if said else ''})"
        # A fresh dict, handed to the finding as its __dict__ (see _new).
        return self._new({
            **self.base, "outcome": outcome, "reason": reason,
            "subject_type": str(srow.get("stype")), "subject_id": sid, "subject_name": str(sname),
            "jurisdiction": jcode, "jurisdiction_name": jname,
            "expected": expected[0], "actual": actual[0], "due": due, "days_overdue": overdue, "parts": parts,
            "section": section, "lead_units": tuple(srow.get("leads") or spec.attribute_to),
            "message_zh": mz, "message_en": me, "evidence": evidence})


def make_finding(ctx: Context, srow: Any, outcome: str, reason: str | None, *, expected: tuple[Any, Any] = (None, None),
                 actual: tuple[Any, Any] = (None, None), due: str | None = None, overdue: int | None = None,
                 parts: tuple[str, ...] = (), evidence: tuple[str, ...] = ()) -> Finding:
    return _Maker(ctx)(srow, outcome, reason, expected=expected, actual=actual, due=due, overdue=overdue,
                       parts=parts, evidence=evidence)


_OUTCOME_ZH = {"passed": "符合", "not_applicable": "不适用", "pending": "未到期", "error": "错误",
               "violated": "不符合", "waived": "已豁免"}


def _outcome_zh(outcome: str) -> str:
    return _OUTCOME_ZH[outcome]


def rule_level(ctx: Context, outcome: str, reason: str) -> Finding:
    """One finding for the rule as a whole (not applicable here, nothing examined, engine error)."""
    sub = ctx.submitter
    srow = {"stype": "jurisdiction", "sid": sub["code"], "sname": sub["name"], "jurisdiction": sub["code"],
            "leads": list(ctx.rule.spec.attribute_to)}
    return make_finding(ctx, srow, outcome, reason)
