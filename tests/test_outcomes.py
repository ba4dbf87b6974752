"""The outcomes stage's speed paths give exactly what the plain paths give.

Every finding of every rule is compared with a plain reference elsewhere
(``tests/test_equivalence.py``, the fixture cases, the golden reports); these tests pin the
places where outcomes relies on how another library builds its objects, and compare its
fast paths (verdicts without evidence, the headline) with the code they replaced.
"""
from __future__ import annotations

import dataclasses
import pickle
import random
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

import checker.outcomes as outcomes
from checker.engine import Match
from checker.finding import Finding
from checker.kinds.base import Plan, column_values


def _values() -> dict[str, object]:
    v: dict[str, object] = {f.name: f"<{f.name}>" for f in dataclasses.fields(Finding)}
    v.update(obligations=("O-1", "O-2"), parts=("2018Q4 w1",), lead_units=("水利局",), evidence=("a.csv 行/row 3",),
             days_overdue=12, reason=None, expected=None, waiver=None)
    return v


class _Ctx:
    """Just what :class:`outcomes._Maker` reads of a context."""

    def __init__(self) -> None:
        from types import SimpleNamespace as NS
        spec = NS(id="GG-1", obligations=["O-1"], severity="error", severity_by_level={}, section=None,
                  attribute_to=["水利局"], source=NS(document="d", clause="c", quote="q"),
                  title=NS(zh="标题", en="title"), message=NS(zh="{subject}：{reason}", en="{subject}: {reason}"))
        self.rule = NS(spec=spec, pack="p")
        self.ds = NS(header=NS(submission_id="S-1", period="2018Q4"), file="f.json")
        self.submitter = {"code": "450802", "level": "county", "name": "港北区"}
        self.as_of = pd.Timestamp("2018-12-31").date()

    def jurisdiction_name(self, code: str) -> str:
        return {"450802": "港北区"}.get(code, code)


def test_a_finding_built_fast_is_the_finding_the_constructor_builds() -> None:
    assert outcomes._FAST_FINDING, "Finding changed shape: the fast path is off (correct, but slower)"
    values = _values()
    maker = outcomes._Maker(_Ctx())  # type: ignore[arg-type]
    assert maker.fast
    fast, plain = maker._new(dict(values)), Finding(**values)  # type: ignore[arg-type]
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert list(vars(fast).items()) == list(vars(plain).items())  # same fields, same order
    assert pickle.dumps(fast) == pickle.dumps(plain)
    assert fast.to_dict() == plain.to_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.outcome = "passed"  # type: ignore[misc]


def test_the_maker_builds_what_make_finding_always_built() -> None:
    ctx = _Ctx()
    srow = {"stype": "chief", "sid": "C1", "sname": "张三", "jurisdiction": float("nan"), "leads": None}
    f = outcomes.make_finding(ctx, srow, "violated", "late", expected=("甲", "a"), actual=("乙", "b"),  # type: ignore[arg-type]
                              due="2018-10-31", overdue=3, parts=("p1", "p2"), evidence=("e",))
    assert (f.jurisdiction, f.jurisdiction_name, f.lead_units, f.section) == ("450802", "港北区", ("水利局",), None)
    assert (f.message_zh, f.message_en) == ("张三：逾期", "张三: late")
    assert (f.expected, f.actual, f.days_overdue, f.parts, f.evidence) == ("甲", "乙", 3, ("p1", "p2"), ("e",))
    p = outcomes.make_finding(ctx, srow, "pending", "not_due", due="2019-01-31")  # type: ignore[arg-type]
    assert (p.message_zh, p.message_en) == ("标题：张三（未到期，2019-01-31到期）", "title: 张三 (pending; due 2019-01-31)")
    ok = outcomes.make_finding(ctx, srow, "passed", None, due="2019-01-31")  # type: ignore[arg-type]
    assert (ok.message_zh, ok.message_en) == ("标题：张三（符合）", "title: 张三 (passed)")
    na = outcomes.make_finding(ctx, srow, "not_applicable", "level")  # type: ignore[arg-type]
    assert (na.message_zh, na.message_en) == ("标题：张三（不适用，不适用于该层级）", "title: 张三 (not applicable; does not apply at this level)")


def test_a_finding_is_constructed_normally_when_finding_changes_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outcomes, "_FAST_FINDING", False)
    maker = outcomes._Maker(_Ctx())  # type: ignore[arg-type]
    assert not maker.fast
    assert maker._new(_values()) == Finding(**_values())  # type: ignore[arg-type]


@pytest.mark.parametrize("series", [
    pd.Series([1, 2, 3]),
    pd.Series([1.5, np.nan, 3.0]),
    pd.Series([True, False, True]),
    pd.Series([1, None, 3], dtype="Int64"),
    pd.Series(["a", None, "丙"], dtype="str"),
    pd.Series([["a", "b"], None, []], dtype=object),
    pd.Series(pd.to_datetime(["2018-01-01", None, "2018-03-01"])),
    pd.Series(pd.Categorical(["x", "y", "x"])),
])
def test_a_column_holds_what_the_series_holds(series: pd.Series) -> None:
    frame = pd.DataFrame({"a": [0, 1, 2], "col": series, "b": ["x", "y", "z"]})
    got = column_values(frame, "col")
    want = frame["col"].to_numpy(dtype=object).tolist()
    assert [type(v) for v in got] == [type(v) for v in want] and repr(got) == repr(want)


def test_a_duplicated_column_name_takes_the_plain_path() -> None:
    frame = pd.DataFrame([[1, 2], [3, 4]], columns=["c", "c"])
    assert column_values(frame, "c") == frame["c"].to_numpy(dtype=object).tolist() == [[1, 2], [3, 4]]


# --------------------------------------------------------------------------- verdicts

def _reference_test_verdicts(plan: Plan, matches: list[Match], as_of_day: int, xdue: list[object]) -> list[tuple]:
    """The test template's verdicts one expectation at a time (the code the fast path replaced)."""
    seen: set[int] = set()
    failed: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for m in matches:
        xi = int(m.frame["x"]["xi"])
        rest = m.rule.rsplit("|", 1)[1]
        if rest == "seen":
            seen.add(xi)
        else:
            tag, _, idx = rest.partition("#")
            failed[xi].append((int(idx), tag))
    xev = column_values(plan.x, "ev") if "ev" in plan.x.columns else None
    out = []
    for xi, due in enumerate(xdue):
        ev = list(xev[xi]) if xev is not None and isinstance(xev[xi], list) else []
        due = int(due)  # type: ignore[call-overload]
        if xi not in seen:
            out.append((0, "error", "engine", ev, None, None))
        elif not failed.get(xi):
            out.append((3, "passed", None, ev, None, None))
        else:
            tag = min(failed[xi])[1]
            if tag in outcomes.NOT_APPLICABLE_TAGS:
                out.append((4, "not_applicable", tag, ev, None, None))
            elif due > as_of_day:
                out.append((2, "pending", "not_due", ev, None, None))
            else:
                out.append((1, "violated", tag, ev, as_of_day - due, None))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_test_verdicts_are_those_of_one_expectation_at_a_time(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.choice([0, 1, 2, 7, 60])
    dues = [rng.randrange(90, 110) for _ in range(n)]
    columns: dict[str, object] = {"sub": list(range(n)), "due": dues}
    if seed % 3 == 0:
        columns["ev"] = [rng.choice([["t:1"], ["t:2", "t:3"], None]) for _ in range(n)]
    plan = Plan("test", pd.DataFrame(), pd.DataFrame(columns))
    tags = ["too_few", "too_many", "no_entry", "no_baseline", "mismatch"]
    matches = []
    for xi in range(n + 2):  # an index past the expectations too: it must be ignored
        if rng.random() < 0.9:
            matches.append(Match("R|seen", {"e": {}, "x": {"xi": xi}}))
        for i, tag in enumerate(tags):
            if rng.random() < 0.15:
                matches.append(Match(f"R|{tag}#{i}", {"e": {}, "x": {"xi": xi}}))
    rng.shuffle(matches)
    got = outcomes._test_verdicts(plan, matches, 100, dues)
    assert got == _reference_test_verdicts(plan, matches, 100, dues)


def _reference_headline(verdicts: list[tuple], xs: list[int]) -> tuple[int, list[int]]:
    rank = min(verdicts[xi][0] for xi in xs)
    bad = [xi for xi in xs if verdicts[xi][0] == rank]
    return max(bad, key=lambda xi: (-1 if verdicts[xi][4] is None else verdicts[xi][4], -xi)), bad


@pytest.mark.parametrize("seed", range(40))
def test_the_headline_is_the_most_overdue_of_the_worst(seed: int) -> None:
    rng = random.Random(seed)
    kinds = [(0, "error", None), (1, "violated", 0), (1, "violated", 5), (1, "violated", 30), (2, "pending", None),
             (3, "passed", None), (4, "not_applicable", None)]
    verdicts = []
    for _ in range(30):
        rank, status, overdue = rng.choice(kinds[seed % 3:])
        verdicts.append((rank, status, None, [], overdue, None))
    xs = rng.sample(range(30), rng.randrange(2, 12))
    assert outcomes._headline(verdicts, xs) == _reference_headline(verdicts, xs)
