"""Every hazard of ``shared/durable_rules.md``, re-created against ducha's adapter.

Each test fails if ``checker/engine.py`` (or the compiler and facts that feed it) stops
guarding against its hazard. Shapes that crash or hang the engine are never run in this
process: they run in a child process (and are allowed to die there), or not at all.
"""
from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import checker.engine as engine
from checker.engine import (CAP, MAX_PROPERTIES, EngineError, Ruleset, assign_ids, check_rules, dumps_fact,
                            fnv1a32)
from checker.facts import sessions
from checker.kinds import templates
from checker.kinds.base import Plan

ROOT = Path(__file__).resolve().parent.parent
K = {"_k": {"e": "_k"}}


def guard(rid: str) -> dict[str, Any]:
    return {"e": {"t": "e", "r": rid}}


def ev(rid: str) -> dict[str, Any]:
    return {"t": "e", "r": rid}


def run_child(code: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


# --------------------------------------------------------------------------- §2.1 identity

# f6059 and f264602 share their 32-bit engine hash: in one session the engine would keep
# only one of the two facts (found offline by hashing f0, f1, ...).
CLASH = ("f6059", "f264602")


def test_the_clashing_pair_really_clashes() -> None:
    assert CLASH[0] != CLASH[1] and fnv1a32(CLASH[0]) == fnv1a32(CLASH[1])


def test_assign_ids_rekeys_a_clash_so_every_fact_keeps_its_identity() -> None:
    facts: list[dict[str, Any]] = [{} for _ in range(264_603)]
    assign_ids(facts, "s0")
    ids = [f["id"] for f in facts]
    hashes = {fnv1a32(i) for i in ids} | {fnv1a32("s0"), fnv1a32("sid-s0")}
    assert len(hashes) == len(facts) + 2, "every id hashes uniquely, also against the session's own ids"
    assert ids[6059] == "f6059" and ids[264_602] == "f264602~1"  # the later one is re-keyed, deterministically
    again: list[dict[str, Any]] = [{} for _ in range(264_603)]
    assign_ids(again, "s0")
    assert [f["id"] for f in again] == ids


# The session's state is stored under id "sid-<sid>": a fact whose id hashes like it is
# refused (or, with a later unmatched fact in the batch, silently dropped). "sIt81ye" was
# chosen (meet in the middle over FNV-1a) so that fnv1a32("sid-sIt81ye") == fnv1a32("f0").
SID_SUFFIX = "It81ye"


def _evaluate_in_session(suffix: str) -> list[int]:
    rules = {"H|x": {"all": [guard("H"), {"x": {"t": "x"}}]}}
    rs = Ruleset(rules)
    rs._sessions = iter([suffix])  # the next session's sid is "s" + suffix
    facts = [{"t": "x", "n": i} for i in range(3)] + [{"t": "unmatched"}]
    return sorted(m.frame["x"]["n"] for m in rs.evaluate(facts, ev("H")))


def test_a_fact_whose_id_clashes_with_the_session_is_kept_and_matched(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fnv1a32(f"sid-s{SID_SUFFIX}") == fnv1a32("f0")
    assert _evaluate_in_session(SID_SUFFIX) == [0, 1, 2]

    # The hazard is real: ids that are merely unique strings lose the fact, silently.
    def naive(n: int, sid: str) -> list[str]:
        return [f"f{i}" for i in range(n)]
    monkeypatch.setattr(engine, "_session_ids", naive)  # what assign_ids and every session use
    try:
        lost: list[int] | None = _evaluate_in_session(SID_SUFFIX)
    except EngineError:
        lost = None  # refused with code 2 (or, in other batches, dropped without a word)
    assert lost != [0, 1, 2]


# --------------------------------------------------------------------------- §3.1 negation

RIVERS = [{"t": "river", "rid": f"R{i}"} for i in (1, 2, 3)]
CHIEFS = [{"t": "chief", "river": "R1", "name": "a"}, {"t": "chief", "river": "R2", "name": "b"}]


@pytest.mark.parametrize("alias", ["r", "river", "x", "m", "a1"])
def test_negation_is_right_for_every_fact_order_and_alias_name(alias: str) -> None:
    """A river with no chief: R3 only, whatever the order the facts arrive in and whatever
    the river's alias is called (the engine bug depends on the alias's hash slot)."""
    rules = {"N|none": {"all": [guard("N"), {alias: {"t": "river"}},
                                {"c$not": {"$and": [{"t": "chief"}, {"river": {alias: "rid"}}, K]}}]}}
    rs = Ruleset(rules)
    outcomes = set()
    for order in itertools.permutations(RIVERS + CHIEFS):
        matches = rs.evaluate(list(order), ev("N"))
        outcomes.add(tuple(sorted(m.frame[alias]["rid"] for m in matches)))
    assert outcomes == {("R3",)}


def test_the_evaluate_fact_is_asserted_once_and_last(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = Ruleset._assert

    def spy(self: Ruleset, payload: str, many: bool) -> None:
        seen.append(payload)
        real(self, payload, many)
    monkeypatch.setattr(Ruleset, "_assert", spy)
    rs = Ruleset({"N|x": {"all": [guard("N"), {"x": {"t": "river"}}]}})
    facts = RIVERS * 1 + [{"t": "river", "rid": f"Z{i}"} for i in range(2500)]
    for split in (10**6, 700):  # one session, then (facts being independent) four
        monkeypatch.setattr(engine, "SPLIT", split)
        seen.clear()
        assert len(rs.evaluate(facts, ev("N"))) == len(facts)
        sessions: dict[str, list[str]] = {}
        for p in seen:
            sessions.setdefault(re.findall(r'"sid":"(s\d+)"', p)[0], []).append(p)
        assert len(sessions) == -(-len(facts) // min(split, len(facts)))
        for payloads in sessions.values():  # in every session: once, last, as a single fact
            evaluate_payloads = [p for p in payloads if '"t":"e"' in p]
            assert len(evaluate_payloads) == 1 and payloads[-1] == evaluate_payloads[0]
            assert not payloads[-1].startswith("[")


# --------------------------------------------------------------------------- §3.8 correlated $and

def test_every_correlated_and_of_the_templates_ends_with_the_k_term() -> None:
    for name, rule in templates.match_rules("T").items():
        for pattern in rule["all"][2:]:
            (alias, expr), = pattern.items()
            assert expr["$and"][-1] == K, name


def test_check_rules_refuses_a_correlated_and_without_the_k_term() -> None:
    bad = {"T|late": {"all": [guard("T"), {"x": {"t": "x"}},
                              {"y": {"$and": [{"t": "y"}, {"key": {"x": "key"}}, {"$gt": {"day": {"x": "due"}}}]}}]}}
    with pytest.raises(EngineError, match="_k"):
        check_rules(bad)
    with pytest.raises(EngineError, match="_k"):
        Ruleset(bad)


def test_filed_after_the_due_date_runs_safely_in_a_child_process() -> None:
    """The everyday shape whose last real term is false ("filed after the due date" for an
    on-time filing) segfaults without the _k term. With it, it must run cleanly, every time."""
    code = ("from checker.engine import Ruleset\nfrom checker.kinds import templates\n"
            "rs = Ruleset(templates.match_rules('T'))\n"
            "for i in range(200):\n"
            "    facts = [{'t': 'x', 'r': 'T', 'xi': 0, 'key': 'k', 'lo': -10, 'due': 5},\n"
            "             {'t': 'y', 'r': 'T', 'yi': 0, 'key': 'k', 'day': 3, 'ok': 1},\n"
            "             {'t': 'y', 'r': 'T', 'yi': 1, 'key': 'k2', 'day': 9, 'ok': 1}]\n"
            "    got = sorted(m.rule for m in rs.evaluate(facts, {'t': 'e', 'r': 'T'}))\n"
            "    assert got == ['T|ok'], got\n"
            "print('ok')\n")
    for _ in range(3):
        p = run_child(code)
        assert p.returncode == 0 and p.stdout.strip() == "ok", (p.returncode, p.stderr[-2000:])


# --------------------------------------------------------------------------- §3.8 id / sid joins

@pytest.mark.parametrize("ref", ["id", "sid"])
def test_joins_on_id_or_sid_are_refused(ref: str) -> None:
    rules = {"J|x": {"all": [guard("J"), {"r": {"t": "river"}},
                             {"c$not": {"$and": [{"t": "chief"}, {"river": {"r": ref}}, K]}}]}}
    with pytest.raises(EngineError, match="id or sid"):
        Ruleset(rules)


def test_compiled_rules_never_mention_id_or_sid() -> None:
    text = json.dumps(templates.match_rules("T")) + json.dumps(templates.test_rules("T", []))
    assert not re.search(r'"(id|sid)"', text)


# --------------------------------------------------------------------------- §2.4–2.5 join keys

def test_join_keys_are_strings_in_facts() -> None:
    x = pd.DataFrame({"sub": [0, 1], "key": ["5", "5.0"], "lo": [-10, -10], "due": [100, 100], "part": ["", ""]})
    y = pd.DataFrame({"key": pd.Series([5, 5.0], dtype=object), "day": [1, 2], "ok": [1, 1], "ev": ["a:0", "a:1"]})
    plan = Plan("match", pd.DataFrame({"sid": ["a", "b"]}), x, y)
    (session,) = sessions("T", plan)
    assert all(isinstance(f["key"], str) for f in session.facts)
    assert [f["key"] for f in session.facts if f["t"] == "y"] == ["5", "5.0"]


def test_an_int_and_a_float_join_only_as_strings() -> None:
    rs = Ruleset(templates.match_rules("T"))
    x = {"t": "x", "r": "T", "xi": 0, "lo": -10, "due": 17531.0}  # a float due still compares with int days
    numeric = rs.evaluate([dict(x, key=5), {"t": "y", "r": "T", "yi": 0, "key": 5.0, "day": 17531, "ok": 1}], ev("T"))
    assert [m.rule for m in numeric] == ["T|none"], "the hazard: 5 and 5.0 do not join"
    text = rs.evaluate([dict(x, key="5"), {"t": "y", "r": "T", "yi": 0, "key": str(5), "day": 17531, "ok": 1}], ev("T"))
    assert [m.rule for m in text] == ["T|ok"]


# --------------------------------------------------------------------------- §2.2, §3.5 host

def test_no_thread_is_started_and_actions_run_before_evaluate_returns() -> None:
    before = {t.ident for t in threading.enumerate()}
    rs = Ruleset({"H|x": {"all": [guard("H"), {"x": {"t": "x"}}]}})
    # An unmatched fact in the batch (result code 1) must not stop or defer the actions.
    got = rs.evaluate([{"t": "x", "n": 1}, {"t": "nothing"}, {"t": "x", "n": 2}], ev("H"))
    assert sorted(m.frame["x"]["n"] for m in got) == [1, 2]
    assert {t.ident for t in threading.enumerate()} == before


def test_a_session_in_which_no_rule_fires_is_evaluated_and_deleted() -> None:
    rs = Ruleset({"H|x": {"all": [guard("H"), {"x": {"t": "x"}}]}})
    for _ in range(3):
        assert rs.evaluate([{"t": "other"}], ev("H")) == []
        assert rs.evaluate([], ev("H")) == []


def test_two_thousand_sessions_in_sequence_without_growing() -> None:
    """At most 1024 live sessions per ruleset; memory per session must be released."""
    code = """
import json
from checker.engine import Ruleset
from checker.kinds import templates
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
rs = Ruleset(templates.match_rules('S'))
marks, wrong = {}, 0
for n in range(2000):
    facts = [{'t': 'x', 'r': 'S', 'xi': i, 'key': f'k{i}', 'lo': -10, 'due': 10} for i in range(40)]
    facts += [{'t': 'y', 'r': 'S', 'yi': i, 'key': f'k{i}', 'day': 5 + i % 10, 'ok': 1} for i in range(0, 40, 2)]
    got = sorted((m.rule, m.frame['x']['xi']) for m in rs.evaluate(facts, {'t': 'e', 'r': 'S'}))
    want = sorted([('S|ok' if 5 + i % 10 <= 10 else 'S|late', i) for i in range(0, 40, 2)] + [('S|none', i) for i in range(1, 40, 2)])
    wrong += got != want
    if n in (199, 1999):
        marks[n] = rss()
print(json.dumps({'wrong': wrong, 'rss': marks}))
"""
    p = run_child(code)
    assert p.returncode == 0, p.stderr[-2000:]
    out = json.loads(p.stdout)
    assert out["wrong"] == 0
    assert out["rss"]["1999"] - out["rss"]["199"] < 25, out  # MB; ~8 KB per stored fact if leaked: 100+ MB


# --------------------------------------------------------------------------- §2.3, §2.5 serialisation

def test_a_fact_with_too_many_properties_is_refused() -> None:
    dumps_fact({f"p{i}": i for i in range(MAX_PROPERTIES)})
    with pytest.raises(EngineError, match="properties"):
        dumps_fact({f"p{i}": i for i in range(MAX_PROPERTIES + 1)})
    rs = Ruleset({"H|x": {"all": [guard("H"), {"x": {"t": "x"}}]}})
    with pytest.raises(EngineError, match="properties"):
        rs.evaluate([{"t": "x"}, {"t": "x", **{f"p{i}": i for i in range(MAX_PROPERTIES)}}], ev("H"))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_inf_are_refused(bad: float) -> None:
    with pytest.raises(EngineError, match="NaN/inf"):
        dumps_fact({"t": "x", "v": bad})


@pytest.mark.parametrize("value, text", [(1e-05, "1.0e-05"), (2e-05, "2.0e-05"), (1e16, "1.0e+16"),
                                         (1.5e-07, "1.5e-07"), (0.25, "0.25"), (5.0, "5.0"), (5, "5")])
def test_exponents_always_follow_a_fraction(value: float, text: str) -> None:
    assert dumps_fact({"v": value}) == '{"v":' + text + "}"


def test_a_tiny_float_does_not_truncate_its_batch() -> None:
    """Written 1e-05, the engine's parser stops and silently drops the rest of the batch."""
    rs = Ruleset({"H|x": {"all": [guard("H"), {"x": {"t": "x"}}]}})
    facts = [{"t": "x", "n": i, "v": 1e-05 if i == 3 else 0.5} for i in range(10)]
    got = rs.evaluate(facts, ev("H"))
    assert sorted(m.frame["x"]["n"] for m in got) == list(range(10))
    assert [m.frame["x"]["v"] for m in got if m.frame["x"]["n"] == 3] == [1e-05]


# --------------------------------------------------------------------------- §3.6 exceptions

@pytest.mark.parametrize("path", ["json", "fast"])
def test_an_exception_in_an_action_is_raised_after_dispatch(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    """Whichever way an action's text is read (json.loads, or the fast reader of plain facts)."""
    def boom(*a: Any) -> Any:
        raise RuntimeError("boom")
    rs = Ruleset({"H|x": {"all": [guard("H"), {"x": {"t": "x"}}]}})
    if path == "json":
        monkeypatch.setattr(engine._Reader, "read", lambda self, text: None)
        monkeypatch.setattr(engine, "Match", boom)
    else:
        monkeypatch.setattr(engine._Reader, "read", boom)
    with pytest.raises(EngineError, match="boom"):
        rs.evaluate([{"t": "x"}], ev("H"))


# --------------------------------------------------------------------------- §1 count / cap

def test_cap_batches_actions_but_loses_no_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rules carry ``cap`` (actions get up to CAP matches per call), never ``count``: every
    one of 2.5 × CAP matches comes back."""
    monkeypatch.setattr(engine, "SPLIT", 10**6)  # one session, so that actions really are capped
    rs = Ruleset({"H|x": {"all": [guard("H"), {"x": {"t": "x"}}]}})
    n = CAP * 5 // 2
    got = rs.evaluate([{"t": "x", "n": i} for i in range(n)], ev("H"))
    assert sorted(m.frame["x"]["n"] for m in got) == list(range(n))


def test_counts_are_computed_before_the_engine() -> None:
    rules = templates.test_rules("C", [])
    assert "count" not in json.dumps(rules) and "cap" not in json.dumps(rules)


# --------------------------------------------------------------------------- §1 ruleset limits

@pytest.mark.parametrize("rules, why", [
    ({"L|a": {"all": [guard("L")] + [{f"p{i}": {"t": "x"}} for i in range(16)]}}, "17 patterns"),
    ({f"L|{i}": {"all": [guard("L"), {"x": {"t": "x"}}]} for i in range(257)}, "share the guard"),
])
def test_ruleset_limits_are_checked_before_creation(rules: dict[str, Any], why: str) -> None:
    with pytest.raises(EngineError, match=why):
        Ruleset(rules)


def test_the_513th_constant_is_refused_without_hanging() -> None:
    code = ("from checker.engine import Ruleset, EngineError\n"
            "rules = {f'L|{i}': {'all': [{'e': {'t': 'e', 'r': f'L{i // 200}'}}, {'x': {'kind': f'k{i}'}}]} for i in range(513)}\n"
            "try:\n    Ruleset(rules)\nexcept EngineError as e:\n    print('refused:', e)\n")
    p = run_child(code, timeout=120)  # a regression hangs the child, and the timeout fails the test
    assert p.returncode == 0 and "513th" in p.stdout, p.stdout + p.stderr


# --------------------------------------------------------------------------- §3.10, §3.9

def test_no_retraction_anywhere_in_ducha() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "checker").rglob("*.py")
                 if re.search(r"retract\w*\s*\(|\.retract", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_only_the_adapter_imports_durable_rules() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "checker").rglob("*.py")
                 if re.search(r"^\s*(import|from)\s+durable", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == ["checker/engine.py"]
