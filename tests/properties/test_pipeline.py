"""Properties of load → validate → evaluate over mutated sample submissions.

(a) nothing raises: every input gives a result (checked, invalid or — only for an unknown
pack — failed with ``failure="rules"``), never an internal failure;
(b) nothing is lost: a broken record refuses the submission at that record, a checked
submission was loaded intact and its evidence resolves (see :mod:`.invariants`);
key order changes nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from checker.dataset import load_dataset
from checker.run import Runner, RunOptions, SubmissionResult

from .invariants import assert_evidence_resolves, assert_loaded_intact, assert_refused_at, comparable
from .mutations import Case, cases
from .tally import record

# Examples per property in the default profile; ``nightly`` multiplies by 20 (tests/conftest.py).
SCALE = max(1, settings().max_examples) / 500


def budget(n: int) -> int:
    return max(1, round(n * SCALE))


_RUNNER: list[Runner] = []
_BASE: dict[str, list[dict[str, object]]] = {}


def runner() -> Runner:
    if not _RUNNER:
        _RUNNER.append(Runner(RunOptions()))
    return _RUNNER[0]


def base_findings(sample: str) -> list[dict[str, object]]:
    if sample not in _BASE:
        result = runner().run(Path(sample))
        assert result.status == "checked", result
        _BASE[sample] = comparable(result)
    return _BASE[sample]


def check_case(case: Case, folder: Path) -> SubmissionResult:
    """Run one case through the pipeline and assert every property that applies to it."""
    path = folder / "s.json"
    path.write_bytes(case.data)
    result = runner().run(path)
    record("inputs.pipeline")
    record(result.status)
    assert result.status in ("checked", "invalid", "failed")
    if result.status == "failed":
        # Only a pack nobody has may stop a usable submission; ducha itself must never fail.
        assert result.failure == "rules" and case.kind == "header_bad", (case.kind, result.reason, result.detail)
    if result.status == "invalid":
        assert result.problems and all(p.location.file == str(path) for p in result.problems)
    if case.breaks:
        assert_refused_at(result, case.breaks)
        record("breaks.verified")
    if result.status == "checked":
        doc = case.doc if case.doc is not None else json.loads(case.data)
        try:
            record("rows.verified", assert_loaded_intact(doc, load_dataset(path)))
            record("evidence.verified", assert_evidence_resolves(doc, result))
        except AssertionError:
            # Counted before failing, so the tally's "findings lost" is measured, not assumed.
            record("findings.lost")
            raise
    if case.same_as:
        assert result.status == "checked"
        assert comparable(result) == base_findings(case.sample)
        record("same.verified")
    return result


@settings(max_examples=budget(60))
@given(case=cases())
def test_any_mutation_is_checked_or_refused_never_lost(tmp_path_factory: pytest.TempPathFactory, case: Case) -> None:
    check_case(case, tmp_path_factory.mktemp("case"))


BREAKING = ("delete_required", "null_required", "wrong_type", "bad_date", "bad_enum", "below_minimum", "duplicate_id",
            "dangling_ref", "bad_pattern", "row_to_scalar", "table_scalar")


@settings(max_examples=budget(40))
@given(case=cases(kinds=BREAKING))
def test_a_broken_record_refuses_the_submission_at_that_record(tmp_path_factory: pytest.TempPathFactory,
                                                               case: Case) -> None:
    check_case(case, tmp_path_factory.mktemp("case"))
