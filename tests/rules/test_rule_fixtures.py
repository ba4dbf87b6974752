"""Every rule's YAML fixture cases, run by one parametrized test (``pytest -k GG-14``),
and the meta-test that every rule has the cases that make it trustworthy."""
from __future__ import annotations

from typing import Any

import pytest
import yaml

from checker.rulefile import load_pack

from .fixtures import FIXTURES, all_cases, compare, run_case

CASES = all_cases()


@pytest.mark.parametrize("pack_name,rule_id,case", CASES, ids=[f"{r}::{c['name']}" for _, r, c in CASES])
def test_fixture_case(pack_name: str, rule_id: str, case: dict[str, Any]) -> None:
    compare(run_case(pack_name, rule_id, case), case)


PACKS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_"))


@pytest.mark.parametrize("pack_name", PACKS)
def test_every_rule_has_telling_cases(pack_name: str) -> None:
    """A rule is done when it has cases that fail when the rule is wrong: at least one that
    passes and one that is violated; plus pending where it has a due date and not applicable
    where it is limited to some levels."""
    pack = load_pack(pack_name)
    problems = []
    for rule in pack.rules:
        path = FIXTURES / pack_name / f"{rule.id}.yaml"
        if not path.exists():
            problems.append(f"{rule.id}: no fixture file")
            continue
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        outcomes = {w["outcome"] for c in cases for w in (c.get("expect") or [])}
        if not any(not c.get("expect") or c.get("expect_passed") for c in cases):
            problems.append(f"{rule.id}: no passing case")
        need = {"violated"}
        spec = rule.spec.spec
        if getattr(spec, "due", None) is not None or rule.spec.kind in ("recurring", "threshold"):
            need.add("pending")
        if set(rule.spec.applies_to.submitter_levels) != {"province", "city", "county", "township", "village"}:
            need.add("not_applicable")
        for outcome in sorted(need - outcomes):
            problems.append(f"{rule.id}: no {outcome} case")
    assert not problems, "\n".join(problems)
