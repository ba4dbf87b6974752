"""Inputs the properties found that once crashed ducha, kept as plain examples."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.run import Runner, RunOptions

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "guigang" / "450802-2017Q4.json"
RULES = ROOT / "tests" / "cli" / "data" / "rules"


@pytest.mark.parametrize("value", [10**30, -(10**30), 2**63, 1e308, 2**53 + 1])
def test_an_integer_too_large_for_int64_is_refused_not_a_crash(tmp_path: Path, value: float) -> None:
    """Was: TypeError 'cannot safely cast non-equivalent float64 to int64' (internal failure, exit 3)."""
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    doc["documents"][0]["year"] = value
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = Runner(RunOptions()).run(path)
    assert result.status == "invalid", result.reason
    assert [(p.code, p.location.pointer) for p in result.problems] == [("E-RANGE", "/documents/0/year")]


def test_the_typing_pass_refuses_integers_beyond_2_to_the_53() -> None:
    """Unit level (a column without a schema maximum): 2**53 is kept exactly, 2**53 + 2 refused."""
    import pandas as pd

    from checker.schema import ColumnSpec
    from checker.validate import _coerce
    spec = ColumnSpec(name="n", label_zh="数", type="integer", required=False, nullable=True)
    told: list[tuple[list[bool], str]] = []
    out = _coerce(spec, pd.Series([2**53, 2**53 + 2, None], dtype=object),
                  lambda mask, code, zh, en: told.append((list(mask), code)), False)
    assert [(m, c) for m, c in told if any(m)] == [([False, True, False], "E-RANGE")]
    assert out.iloc[0] == 2**53


@pytest.mark.parametrize("pair", ["work_plan_due=hello", "work_plan_due=5", "GG-14.work_plan_due=[1, 2]"])
def test_a_parameter_of_the_wrong_kind_is_a_rules_failure_not_a_crash(pair: str) -> None:
    """Was: ValueError deep in the kind (internal failure, exit 3)."""
    name, _, value = pair.partition("=")
    from checker.evaluate import parse_param_value
    runner = Runner(RunOptions(params={name: parse_param_value(value)}, rules_dir=RULES))
    result = runner.run(ROOT / "tests" / "cli" / "data" / "county-lapses.yaml")
    assert result.status == "failed" and result.failure == "rules", result.reason
    assert "expected a date" in (result.reason or "")
