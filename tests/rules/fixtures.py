"""Rule fixtures: short cases that overlay a small, fully compliant base submission.

A pack's fixtures live in ``tests/rules/<pack>/``: ``base-<name>.yaml`` files (complete,
compliant submissions) and one ``<RULE-ID>.yaml`` per rule file::

    rule: GG-14
    cases:
      - name: county_plan_reported_one_day_late_is_late
        base: county            # base-county.yaml
        as_of: 2018-01-15       # evaluation date (default: the patched submission's as_of)
        params: {due: 2017-12-31}   # parameter overrides (optional)
        set: {as_of: 2018-01-15}    # header fields
        add: {documents: [{id: D9, ...}]}
        remove: {documents: [D1]}
        update: {documents: {D1: {reported: 2018-01-01}}}
        expect:                 # exactly the rule's findings that are not `passed`,
          - {subject: "450802", outcome: violated, reason: late, days_overdue: 1}
        expect_passed: 6        # optional: how many subjects passed

``expect`` lists every finding of the rule whose outcome is not ``passed`` (so a case states
exactly what must be reported, and nothing else may be). Keys other than ``subject`` and
``outcome`` (reason, parts, days_overdue, due, severity, lead_units, subject_type) are compared
when given.
"""
from __future__ import annotations

import copy
import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from checker.dataset import dataset_from_document
from checker.evaluate import Evaluator
from checker.finding import Finding
from checker.model import table_key
from checker.rulefile import Pack, load_pack

FIXTURES = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def base_doc(pack: str, name: str) -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / pack / f"base-{name}.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def pack(name: str) -> Pack:
    return load_pack(name)


def apply_case(doc: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc.update(case.get("set") or {})
    for table, ids in (case.get("remove") or {}).items():
        key = table_key(table)
        missing = set(ids) - {r[key] for r in doc.get(table, [])}
        assert not missing, f"remove: no {table} rows {sorted(missing)} in the base"
        doc[table] = [r for r in doc.get(table, []) if r[key] not in set(ids)]
    for table, changes in (case.get("update") or {}).items():
        key = table_key(table)
        rows = {r[key]: r for r in doc.get(table, [])}
        for rid, fields in changes.items():
            assert rid in rows, f"update: no {table} row {rid!r} in the base"
            for k, v in fields.items():
                if v is None:
                    rows[rid].pop(k, None)
                else:
                    rows[rid][k] = v
    for table, rows in (case.get("add") or {}).items():
        doc.setdefault(table, []).extend(copy.deepcopy(rows))
    return doc


def run_case(pack_name: str, rule_id: str, case: dict[str, Any]) -> list[Finding]:
    doc = apply_case(base_doc(pack_name, case.get("base", "default")), case)
    ds = dataset_from_document(doc, file=f"{rule_id}:{case['name']}")
    # Exactly the named rule: select() also matches rules by obligation ID.
    full = pack(pack_name)
    selected = Pack(full.name, full.path, [r for r in full.rules if r.id == rule_id], full.meta)
    assert [r.id for r in selected.rules] == [rule_id], f"rule {rule_id} not found in {pack_name}"
    params = {k: v for k, v in (case.get("params") or {}).items()}
    as_of = case.get("as_of")
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    return Evaluator(selected, overrides=params).evaluate(ds, as_of)


def compare(findings: list[Finding], case: dict[str, Any]) -> None:
    got = [f for f in findings if f.outcome != "passed"]
    want = case.get("expect") or []
    got_keys = sorted((f.subject_id, f.outcome) for f in got)
    want_keys = sorted((str(w["subject"]), w["outcome"]) for w in want)
    detail = "\n".join(f"  {f.subject_id} {f.outcome} {f.reason} parts={list(f.parts)} overdue={f.days_overdue}" for f in got)
    assert got_keys == want_keys, f"findings differ:\n got:\n{detail}\n want: {want_keys}"
    by = {(f.subject_id, f.outcome): f for f in got}
    for w in want:
        f = by[(str(w["subject"]), w["outcome"])]
        for k, v in w.items():
            if k in ("subject", "outcome"):
                continue
            actual = getattr(f, k)
            if isinstance(actual, tuple):
                actual = list(actual)
            if isinstance(v, dt.date):
                v = v.isoformat()
            assert actual == v, f"{f.subject_id}: {k} is {actual!r}, expected {v!r}"
    if "expect_passed" in case:
        n = sum(1 for f in findings if f.outcome == "passed")
        assert n == case["expect_passed"], f"{n} passed, expected {case['expect_passed']}"


def fixture_files() -> list[tuple[str, Path]]:
    out = []
    for pack_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for f in sorted(pack_dir.glob("*.yaml")):
            if not f.name.startswith("base-"):
                out.append((pack_dir.name, f))
    return out


def all_cases() -> list[tuple[str, str, dict[str, Any]]]:
    cases = []
    for pack_name, f in fixture_files():
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            cases.append((pack_name, doc["rule"], case))
    return cases
