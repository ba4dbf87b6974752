"""Same inputs, same findings, in the same order, byte for byte: within a process, across
fresh processes, whatever the string hash seed, and however the facts are cut into engine
sessions (the engine's firing order must never leak into a finding)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import checker.facts as facts
from checker.dataset import dataset_from_document
from checker.evaluate import Evaluator
from checker.finding import Finding
from checker.rulefile import Pack
from tests.kinds import scenario

ROOT = Path(__file__).resolve().parent.parent
SIZE = {"chiefs": 200, "patrols": 3_000, "seed": 3}

SCRIPT = f"""
import json
from checker.dataset import dataset_from_document
from checker.evaluate import Evaluator
from checker.rulefile import Pack
from tests.kinds import scenario
rules = scenario.all_rules()
ds = dataset_from_document(scenario.county(**{SIZE!r}))
findings = Evaluator(Pack("det", rules[0].pack_dir, rules)).evaluate(ds)
print(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, sort_keys=True))
"""


def _findings() -> list[Finding]:
    rules = scenario.all_rules()
    ds = dataset_from_document(scenario.county(**SIZE))  # type: ignore[arg-type]
    return Evaluator(Pack("det", rules[0].pack_dir, rules)).evaluate(ds)


def _text(findings: list[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, sort_keys=True)


@pytest.fixture(scope="module")
def baseline() -> list[Finding]:
    return _findings()


def test_every_rule_reports_something(baseline: list[Finding]) -> None:
    assert {f.rule for f in baseline} == {r.id for r in scenario.all_rules()}
    assert {"passed", "violated", "not_applicable"} <= {f.outcome for f in baseline}


def test_twice_in_one_process(baseline: list[Finding]) -> None:
    assert _text(_findings()) == _text(baseline)


@pytest.mark.parametrize("target", [7, 150, 100_000])
def test_session_size_does_not_change_anything(baseline: list[Finding], target: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts, "SESSION_TARGET", target)
    monkeypatch.setattr(facts, "MATCH_TARGET", target)
    assert _text(_findings()) == _text(baseline)


def test_fresh_processes_and_hash_seeds_agree_byte_for_byte(baseline: list[Finding]) -> None:
    outputs = set()
    for seed in ("0", "1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        p = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, cwd=ROOT, env=env, timeout=300)
        assert p.returncode == 0, p.stderr.decode()[-2000:]
        outputs.add(p.stdout)
    assert len(outputs) == 1
    assert outputs.pop().decode().strip() == _text(baseline)
