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


# --------------------------------------------------------------------------- reading matches

# Strings that look like the separators the fast reader cuts at, or like whole facts.
NASTY = ['"', '\\', '\\"', "}", "{", '},{"t":', '}},{"e":', '},"y":{"t":', '"xi":7', '"x","xi":0,"key":"k0"',
         '{"t":"x","xi":1}', "河长制", "é\u2028\u2029", "\x01\x1f", "", "]}", '":[', "k0"]


def _action_texts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[Any] | None]]:
    """Every action text of the sessions to come, with what the fast reader made of it."""
    seen: list[tuple[str, list[Any] | None]] = []
    real = Ruleset._collect

    def spy(self: Ruleset, text: str) -> None:
        fast = self._reader.read(text) if self._reader is not None else None
        if fast and self._reader is not None and self._reader.every is not None:
            WHOLE.append(text)
        seen.append((text, fast))
        real(self, text)
    monkeypatch.setattr(Ruleset, "_collect", spy)
    return seen


WHOLE: list[str] = []  # action texts read by comparing them whole (see engine._Reader)


def _loaded(text: str) -> list[engine.Match]:
    return [engine.Match(rule, frame) for rule, frames in json.loads(text).items()
            for frame in ([frames] if isinstance(frames, dict) else frames)]


@pytest.mark.parametrize("template", ["match", "test"])
def test_the_fast_reader_reads_what_json_loads_reads(monkeypatch: pytest.MonkeyPatch, template: str) -> None:
    seen = _action_texts(monkeypatch)
    if template == "match":
        rs = Ruleset(templates.match_rules("T"))
        facts: list[dict[str, Any]] = []
        for i, s in enumerate(NASTY):
            facts.append({"t": "x", "xi": i, "key": s, "lo": -10, "due": 10, "note": s})
            facts += [{"t": "y", "yi": 2 * i + j, "key": s, "day": 5 + 10 * j, "ok": 1, "ev": s} for j in range(2 if i % 2 else i % 3)]
        facts.append({"t": "y", "yi": 99, "key": "k0", "day": 1, "ok": 0})
    else:
        rs = Ruleset(templates.test_rules("T", [templates.Check("low", [{"$lt": {"num": {"$m": "min"}}}])]))
        facts = [{"t": "x", "xi": i, "str": s, "num": i % 3, "min": 1} for i, s in enumerate(NASTY * 3)]
    WHOLE.clear()
    got = rs.evaluate(facts, {"t": "e", "r": "T"})
    assert bool(WHOLE) == (template == "test"), "the test template's seen rule is compared whole"
    want = {"T|seen", "T|low#0"} if template == "test" else {"T|ok", "T|late", "T|none", "T|other"}
    assert {m.rule for m in got} == want
    assert sum(fast is not None for _, fast in seen) == len(seen), "every action of plain facts was read fast"
    for text, fast in seen:
        assert fast == _loaded(text)
        assert fast and all(type(m) is engine.Match for m in fast)
    assert got == [m for text, _ in seen for m in _loaded(text) if m.rule != engine.ALWAYS_RULE]


def test_facts_that_are_not_plain_are_read_by_json_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _action_texts(monkeypatch)
    rs = Ruleset({"H|x": {"all": [guard("H"), {"x": {"t": "x"}}]}})
    got = rs.evaluate([{"t": "x", "v": 0.5, "l": ["甲"]}, {"t": "x", "b": True}, {"n": 1, "t": "x"}], {"t": "e", "r": "H"})
    assert seen and all(fast is None for _, fast in seen)
    assert sorted(json.dumps(m.frame["x"], sort_keys=True) for m in got) == sorted(
        json.dumps(m.frame["x"], sort_keys=True) for text, _ in seen for m in _loaded(text) if "x" in m.frame)


def test_the_fast_reader_declines_any_text_it_does_not_know() -> None:
    x0 = {"t": "x", "xi": 0, "sid": "s0", "_k": 1, "id": "f0"}
    x1 = {"t": "x", "xi": 1, "k": '"x","xi":0', "sid": "s0", "_k": 1, "id": "f1"}
    ev = {"t": "e", "r": "R", "sid": "s0", "_k": 1, "id": "f2"}
    payload = dumps_batch([x0, x1])
    inners = engine._fact_inners(payload, [x0, x1])
    assert inners is not None and ["{" + '"t":' + i + "}" for i in inners] == [dumps_fact(x0), dumps_fact(x1)]
    assert engine._fact_inners(dumps_batch([x0, {"n": 1, "t": "x"}]), [x0, {"n": 1, "t": "x"}]) is None
    reader = engine._Reader({"R|seen", "R|ok"}, [x0, x1], inners, ev, dumps_fact(ev))
    e, a, b = dumps_fact(ev), dumps_fact(x0), dumps_fact(x1)
    good = '{"R|seen":[{"e":%s,"x":%s},{"e":%s,"x":%s}]}' % (e, a, e, b)
    assert reader.read(good) == _loaded(good)  # as long as every fact last first (below), not equal: cut
    every = '{"R|seen":[{"e":%s,"x":%s},{"e":%s,"x":%s}]}' % (e, b, e, a)  # every fact, last asserted first
    assert reader.read(every) == _loaded(every) and every == '{"R|seen":[' + str(reader.every) + "]}"
    assert reader.read('{"R|ok":[{"e":%s,"x":%s,"y":%s}]}' % (e, b, a)) == _loaded('{"R|ok":[{"e":%s,"x":%s,"y":%s}]}' % (e, b, a))
    for bad in [
        good.replace('"xi":1', '"xi":2'),  # a fact that was never asserted
        good.replace("R|seen", "R|other"),  # an unknown rule
        '{"R|seen":[{"e":%s,"x":%s}],"R|ok":[{"e":%s,"x":%s}]}' % (e, a, e, b),  # two rules in one text
        '{"R|seen":{"e":%s,"x":%s}}' % (e, a),  # a bare frame
        '{"R|seen":[{"x":%s,"e":%s}]}' % (a, e),  # another alias order
        '{"R|seen":[{"e":%s,"x":%s,"z":%s}]}' % (e, a, b),  # another alias
        '{"R|seen":[{"e":%s,"x":%s,"y":%s}]}' % (e, a, a[:-1] + ',"extra":1}'),
        good[:-1], good + " ",
    ]:
        assert reader.read(bad) is None, bad
