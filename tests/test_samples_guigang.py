"""The Guigang samples (samples/guigang) and the pack they are checked against.

* The committed JSON files are exactly what ``generate.py`` produces.
* Evaluating every sample with the whole pack gives exactly the violations listed in the
  README's table of planted lapses, with the details it states, and no engine error. (The list
  lives in the README, not in a YAML file beside the samples, because ``ducha batch samples``
  would take any ``.yaml`` there for a submission.)
* The pack itself: every catalogue obligation GG-01 … GG-27 has a rule, and every rule quotes
  its source sentence verbatim from the seed text.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from checker.dataset import load_dataset
from checker.evaluate import Evaluator
from checker.finding import Finding
from checker.rulefile import load_pack

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "guigang"
SEED = ROOT.parent / "shared" / "seeds" / "003_382c263a2871d734.txt"
PACK = "guigang-river-chief"
KEY = ("file", "rule", "subject", "outcome", "reason")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("guigang_samples_generate", SAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=1)
def _expected() -> list[dict[str, Any]]:
    """The README's lapse table: one dict per row with KEY and the `detail` fields."""
    rows = []
    for line in (SAMPLES / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 8 or not cells[2].endswith(".json"):
            continue
        row: dict[str, Any] = dict(zip(("lapse", "what", *KEY), cells[:7]))
        for item in filter(None, (p.strip() for p in cells[7].split(";"))):
            name, _, value = item.partition("=")
            row[name.strip()] = (value.split() if name.strip() == "parts"
                                 else int(value) if name.strip() == "days_overdue" else value.strip())
        rows.append(row)
    assert len(rows) >= 6, "the README's table of planted lapses was not found"
    return rows


@lru_cache(maxsize=1)
def _findings() -> dict[str, list[Finding]]:
    evaluator = Evaluator(load_pack(PACK))
    return {p.name: evaluator.evaluate(load_dataset(p)) for p in sorted(SAMPLES.glob("*.json"))}


# --------------------------------------------------------------------------- the files

def test_samples_are_what_the_generator_produces() -> None:
    built = _generator().build()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in SAMPLES.glob("*.json")}
    assert sorted(on_disk) == sorted(built), "run: .venv/bin/python samples/guigang/generate.py"
    stale = [name for name, text in built.items() if on_disk[name] != text]
    assert not stale, f"out of date (run samples/guigang/generate.py): {stale}"


def test_the_generator_is_deterministic() -> None:
    assert _generator().build() == _generator().build()


def test_there_is_one_sample_per_submitter_and_quarter() -> None:
    names = sorted(p.name for p in SAMPLES.glob("*.json"))
    codes = ["450800", "450802", "450803", "450804", "450821", "450881"]
    assert names == sorted(f"{c}-{q}.json" for c in codes for q in ("2017Q4", "2018Q2", "2018Q4", "2020Q4"))


# --------------------------------------------------------------------------- the findings

def test_every_sample_gives_exactly_the_listed_violations() -> None:
    got = {(name, f.rule, f.subject_id, f.outcome, str(f.reason))
           for name, findings in _findings().items() for f in findings if f.outcome in ("violated", "error")}
    want = {tuple(e[k] for k in KEY) for e in _expected()}
    missing, extra = sorted(want - got), sorted(got - want)
    assert not missing and not extra, f"expected but not found: {missing}\nfound but not expected: {extra}"


def test_listed_violations_carry_the_stated_details() -> None:
    by_key = {(name, f.rule, f.subject_id): f for name, findings in _findings().items() for f in findings}
    for e in _expected():
        f = by_key[(e["file"], e["rule"], e["subject"])]
        for field in ("parts", "days_overdue", "expected", "actual"):
            if field in e:
                value = list(getattr(f, field)) if field == "parts" else getattr(f, field)
                assert value == e[field], f"{e['file']} {e['rule']} {e['subject']}: {field} {value!r}"


def test_samples_are_checked_by_every_rule_without_engine_errors() -> None:
    pack = load_pack(PACK)
    for name, findings in _findings().items():
        assert {f.rule for f in findings} == {r.id for r in pack.rules}, name
        assert not [f for f in findings if f.outcome == "error"], name


def test_the_2018q4_samples_exercise_every_rule_that_applies() -> None:
    """A compliant sample that tests nothing would prove nothing: in 2018-Q4 every rule that
    applies at a level examines (passes or fails) at least one subject of a submission of that
    level, except the 2020 targets."""
    later = {"GG-24", "GG-25", "GG-25-quality"}
    passed = {(f.rule, name[:6] == "450800") for name, fs in _findings().items() if "2018Q4" in name
              for f in fs if f.outcome in ("passed", "violated")}
    for rule in load_pack(PACK).rules:
        if rule.id in later:
            continue
        for level, is_city in (("city", True), ("county", False)):
            if level in rule.spec.applies_to.submitter_levels:
                assert (rule.id, is_city) in passed, f"{rule.id} examines nothing in a 2018-Q4 {level} sample"


def test_each_planted_lapse_is_listed_once_per_file_and_rule() -> None:
    rows = _expected()
    assert sorted({r["lapse"] for r in rows}) == ["1", "2", "3", "4", "5", "6"]
    keys = [(r["file"], r["rule"], r["subject"]) for r in rows]
    assert len(keys) == len(set(keys))


# --------------------------------------------------------------------------- the pack

def test_every_catalogue_obligation_has_a_rule() -> None:
    covered = {o for r in load_pack(PACK).rules for o in r.spec.obligations}
    assert covered == {f"GG-{n:02d}" for n in range(1, 28)}


@pytest.mark.skipif(not SEED.is_file(), reason="seed text not found")
def test_every_rule_quotes_the_seed_verbatim() -> None:
    seed = SEED.read_text(encoding="utf-8")
    bad = [r.id for r in load_pack(PACK).rules if r.spec.source.quote not in seed]
    assert not bad, f"quotes not found verbatim in the seed: {bad}"


def test_every_rule_is_named_after_its_obligation_and_every_parameter_has_a_reason() -> None:
    for rule in load_pack(PACK).rules:
        assert re.fullmatch(r"GG-\d\d(-[a-z-]+)?", rule.id), rule.id
        assert rule.id[:5] in rule.spec.obligations, rule.id
        for name, param in rule.spec.params.items():
            assert param.source.zh.strip() and param.source.en.strip(), f"{rule.id}.{name}"
