"""The adapter's speed paths give exactly what the plain paths give.

* a batch serialised in one encoder call is the text of its facts serialised one by one;
* a session whose facts cannot match together may run as several smaller sessions
  (assert cost grows with the session's size): only for rulesets where that is exact, and
  with the same matches.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

import pytest

import checker.engine as engine
from checker.engine import EngineError, Ruleset, dumps_batch, dumps_fact, independent_facts
from checker.kinds import templates

K = {"_k": {"e": "_k"}}


def guard(rid: str) -> dict[str, Any]:
    return {"e": {"t": "e", "r": rid}}


@pytest.mark.parametrize("facts", [
    [],
    [{"t": "x", "key": "河长\"制\\", "n": 3}],
    [{"t": "x", "key": f"k{i}", "n": i, "sid": "s0", "_k": 1, "id": f"f{i}"} for i in range(50)],
    [{"t": "x", "v": 1e-05}, {"t": "x", "v": 0.5, "b": True, "l": ["甲", "乙"]}, {"t": "x", "n": 1}],
    [{"t": "x", "新键": "值"}, {"t": "x", "k\"q": 1}, {"t": "x", "n": 2}],
])
def test_a_batch_is_its_facts_serialised_one_by_one(facts: list[dict[str, Any]]) -> None:
    for _ in range(2):  # again, once the keys are known to be plain
        assert dumps_batch(facts) == "[" + ",".join(dumps_fact(f) for f in facts) + "]"


def test_a_batch_refuses_what_a_fact_refuses() -> None:
    with pytest.raises(EngineError, match="NaN/inf"):
        dumps_batch([{"t": "x", "n": 1}, {"t": "x", "v": math.nan}])
    with pytest.raises(EngineError, match="properties"):
        dumps_batch([{"t": "x"}, {f"p{i}": i for i in range(engine.MAX_PROPERTIES + 1)}])
    with pytest.raises(EngineError, match="unsupported"):
        dumps_batch([{"t": "x", "d": {"nested": 1}}])


def test_which_rulesets_have_independent_facts() -> None:
    assert independent_facts(templates.test_rules("T", []))
    assert independent_facts({"H|x": {"all": [guard("H"), {"x": {"$and": [{"t": "x"}, {"$lt": {"n": {"$m": "m"}}}, K]}}]}})
    assert not independent_facts(templates.match_rules("T"))  # x joins y, and y$not
    assert not independent_facts({"J|x": {"all": [guard("J"), {"x": {"t": "x"}}, {"y": {"t": "y"}}]}})
    assert not independent_facts({"N|x": {"all": [guard("N"), {"y$not": {"t": "y"}}]}})
    # a reference to another rule's alias, or a name that may be one, is a join
    assert not independent_facts({"A|x": {"all": [guard("A"), {"x": {"t": "x"}}]},
                                  "A|y": {"all": [guard("A"), {"y": {"n": {"x": "n"}}}]}})


def _matches(rs: Ruleset, facts: list[dict[str, Any]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for m in rs.evaluate(facts, {"t": "e", "r": "T"}):
        # fact ids and session ids depend on the session a fact was in, nothing else does
        frame = {a: {k: v for k, v in f.items() if k not in ("id", "sid")} for a, f in m.frame.items()}
        out[m.rule + json.dumps(frame, sort_keys=True)] += 1
    return out


def test_independent_facts_split_into_small_sessions_give_the_same_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = {"T|seen": {"all": [guard("T"), {"x": {"$and": [{"t": "x"}, {"r": "T"}]}}]},
             "T|low#0": {"all": [guard("T"), {"x": {"$and": [{"t": "x"}, {"r": "T"}, {"$lt": {"n": {"$m": "min"}}}]}}]}}
    rs = Ruleset(rules)
    assert rs.independent
    facts = [{"t": "x", "r": "T", "xi": i, "n": i % 7, "min": 3} for i in range(1_700)] + [{"t": "other"}]
    monkeypatch.setattr(engine, "SPLIT", 10**6)
    whole = _matches(rs, facts)
    sessions = []
    real = Ruleset._session

    def spy(self: Ruleset, facts: list[dict[str, Any]], evaluate: dict[str, Any]) -> list[Any]:
        sessions.append(len(facts))
        return real(self, facts, evaluate)
    monkeypatch.setattr(Ruleset, "_session", spy)
    monkeypatch.setattr(engine, "SPLIT", 400)
    assert _matches(rs, facts) == whole
    assert sessions == [400, 400, 400, 400, 101]
    assert sum(whole.values()) == 1_700 + sum(1 for i in range(1_700) if i % 7 < 3)


def test_facts_that_join_are_never_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "SPLIT", 10)
    rs = Ruleset(templates.match_rules("T"))
    assert not rs.independent
    # 30 expectations whose evidence is asserted after all of them: split, none would match
    facts: list[dict[str, Any]] = [{"t": "x", "r": "T", "xi": i, "key": f"k{i}", "lo": -10, "due": 10} for i in range(30)]
    facts += [{"t": "y", "r": "T", "yi": i, "key": f"k{i}", "day": 5, "ok": 1} for i in range(30)]
    got = Counter(m.rule for m in rs.evaluate(facts, {"t": "e", "r": "T"}))
    assert got == Counter({"T|ok": 30})
