"""The repository's own samples through the installed CLI: robust to rules still being written.

These tests do not pin verdicts (the rule packs and samples have their own tests); they pin
what the CLI promises about any input: unusable samples exit 2 with every problem located,
usable ones never crash, and the text summary agrees with the JSON contract.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.report.scenario import REPO

from .test_e2e import ducha

INVALID = REPO / "samples" / "invalid"


def test_every_invalid_sample_is_unusable_and_located() -> None:
    inputs = sorted(str(p.relative_to(REPO)) for p in INVALID.iterdir()
                    if p.name not in ("expected.yaml", "generate.py") and not p.name.startswith((".", "_")))
    if not inputs:
        pytest.skip("no invalid samples")
    p = ducha("validate", *inputs, "--lang", "en")
    assert p.returncode == 2, p.stdout + p.stderr
    assert p.stdout.splitlines()[-1] == f"{len(inputs)} files: 0 usable, {len(inputs)} unusable"
    problems = [line for line in p.stdout.splitlines() if line.startswith("  ")]
    assert problems and all(line.split()[1].startswith("samples/invalid/") for line in problems)


@pytest.mark.parametrize("pack", ["changning", "guigang"])
def test_sample_submissions_check_without_crashing(pack: str, tmp_path: Path) -> None:
    files = sorted(str(p.relative_to(REPO)) for p in (REPO / "samples" / pack).glob("*.json"))[:2]
    if not files:
        pytest.skip(f"no samples/{pack} yet")
    out = tmp_path / "r.json"
    p = ducha("check", *files, "--format", "text", "--format", f"json:{out}", "--lang", "en")
    assert p.returncode in (0, 1, 2), p.stderr  # 2 while a pack is mid-edit; never a crash (3)
    doc = json.loads(out.read_text(encoding="utf-8"))
    o = doc["summary"]["outcomes"]
    assert p.stdout.splitlines()[-1].startswith(f"{len(files)} files: {o['violated']} violated")
    assert f"{o['passed']} passed, {o['waived']} waived" in p.stdout.splitlines()[-1]
