"""Run one rule on one submission document through ducha and through the reference.

Rules are built as rule models in the tests (``make_rule``), exactly as a rule file would be
parsed. One engine ruleset cache is shared by every evaluation in the process, so a
property test with hundreds of examples compiles each distinct ruleset once.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from checker.dataset import Dataset, dataset_from_document
from checker.engine import Ruleset
from checker.evaluate import Evaluator
from checker.finding import Finding as DuchaFinding
from checker.rulefile import LoadedRule, Pack, rule_model
from tests import reference
from tests.reference.verdicts import Finding

RULESETS: dict[str, Ruleset] = {}
PACK_DIR = Path(__file__).resolve().parent / "rules"


def make_rule(kind: str, spec: dict[str, Any], *, rid: str = "TK-1", params: dict[str, Any] | None = None,
              levels: tuple[str, ...] = ("county",), on_empty: str = "not_applicable",
              effective: dict[str, Any] | None = None, pack_dir: Path = PACK_DIR) -> LoadedRule:
    """A rule of ``kind`` as if read from ``<pack_dir>/<rid>.yaml``."""
    doc = {
        "format": "ducha-rule/1", "id": rid, "obligations": [rid], "kind": kind, "spec": spec,
        "title": {"zh": "测试规则", "en": "test rule"},
        "source": {"document": "test", "clause": "1", "quote": "测试"},
        "severity": "error", "applies_to": {"submitter_levels": list(levels)}, "on_empty": on_empty,
        "params": {name: {"default": v, "source": {"zh": "测试", "en": "test"}} for name, v in (params or {}).items()},
        "message": {"zh": "{subject}：{reason}", "en": "{subject}: {reason}"},
        "effective": effective or {},
    }
    model = TypeAdapter(rule_model()).validate_python(doc)
    return LoadedRule(spec=model, path=pack_dir / f"{rid}.yaml", pack="test", pack_dir=pack_dir)


def as_tuple(f: DuchaFinding) -> Finding:
    return Finding(f.rule, f.subject_type, f.subject_id, f.jurisdiction, f.outcome, f.reason, tuple(f.parts),
                   f.days_overdue, f.due)


def ducha(doc: dict[str, Any], rule: LoadedRule, as_of: dt.date | None = None,
          overrides: dict[str, Any] | None = None, ds: Dataset | None = None) -> list[DuchaFinding]:
    """ducha's findings (``ds``: the document's dataset, when already built)."""
    ds = ds if ds is not None else dataset_from_document(doc)
    ev = Evaluator(Pack("test", rule.pack_dir, [rule]), dict(overrides or {}), _rulesets=RULESETS)
    out = ev.evaluate(ds, as_of)
    assert not ev.engine_errors, ev.engine_errors
    return out


def _order(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=repr)


def check(doc: dict[str, Any], rule: LoadedRule, as_of: dt.date | None = None,
          overrides: dict[str, Any] | None = None, also: tuple[dt.date, ...] = ()) -> list[Finding]:
    """Assert that ducha and the reference agree exactly, as of ``as_of`` (None: the
    submission's own) and as of every date in ``also``; return all the findings."""
    ds = dataset_from_document(doc)
    out: list[Finding] = []
    for when in (as_of, *also):
        got = _order([as_tuple(f) for f in ducha(doc, rule, when, overrides, ds)])
        want = _order(reference.evaluate(doc, rule, when, overrides))
        if got != want:
            only_got = [f for f in got if f not in want]
            only_want = [f for f in want if f not in got]
            raise AssertionError(f"ducha and the reference disagree as of {when or doc['as_of']}\n  ducha only:     "
                                 + "\n                  ".join(map(repr, only_got))
                                 + "\n  reference only: " + "\n                  ".join(map(repr, only_want)))
        out.extend(got)
    return out
