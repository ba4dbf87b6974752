"""Scale: one county submission of ~100,000 records, evaluated exactly as the reference does.

2,000 river chiefs, 98,000 patrols, 1,000 reaches and the jurisdictions, water bodies and
documents around them; three rules that touch all of it: coverage (every reach has a chief
at each level), a deadline (work plans), and a per-period patrol frequency by level (week,
旬, month, with tenure). ducha's findings must equal the reference's, and the whole run must
stay well under a minute. The measured times and engine throughput are printed
(``pytest -s tests/test_scale.py``).
"""
from __future__ import annotations

import time

import pytest

from checker.dataset import dataset_from_document
from checker.evaluate import Evaluator
from checker.facts import sessions
from checker.kinds import build_plan
from checker.kinds.base import Context
from checker.rulefile import Pack
from tests import reference
from tests.kinds import scenario
from tests.kinds.harness import RULESETS, as_tuple

CHIEFS, PATROLS = 2_000, 98_000


@pytest.mark.slow
def test_one_hundred_thousand_records_exactly_as_the_reference() -> None:
    doc = scenario.county(chiefs=CHIEFS, patrols=PATROLS, seed=7)
    records = sum(len(v) for v in doc.values() if isinstance(v, list))
    assert records >= 100_000
    rules = [scenario.coverage_rule(), scenario.deadline_rule(), scenario.patrol_rule()]

    # CPU time of this process: what the run costs, whatever else the machine is doing.
    t0 = time.process_time()
    ds = dataset_from_document(doc)
    t_load = time.process_time() - t0
    ev = Evaluator(Pack("scale", rules[0].pack_dir, rules), _rulesets=RULESETS)
    t1, w1 = time.process_time(), time.perf_counter()
    findings = ev.evaluate(ds)
    t_eval, w_eval = time.process_time() - t1, time.perf_counter() - w1
    assert not ev.engine_errors

    facts = 0
    for rule in rules:
        ctx = Context(ds=ds, as_of=ds.header.as_of, rule=rule, params=ev.params_for(rule))
        facts += sum(len(s.facts) + 1 for s in sessions(rule.id, build_plan(ctx)))

    t2 = time.process_time()
    want = [f for rule in rules for f in reference.evaluate(doc, rule)]
    t_ref = time.process_time() - t2

    got = sorted((as_tuple(f) for f in findings), key=repr)
    assert got == sorted(want, key=repr)
    outcomes = {(f.rule, f.outcome) for f in got}
    for rule in rules:  # the data is not trivially compliant: every rule passes and fails somewhere
        assert (rule.id, "passed") in outcomes and (rule.id, "violated") in outcomes, rule.id
    print(f"\n{records} records (CPU s): load+validate {t_load:.1f}, evaluate {t_eval:.1f} (wall {w_eval:.1f}), "
          f"{records / (t_load + t_eval):,.0f} records/s end to end; {facts} engine facts "
          f"({facts / t_eval:,.0f}/s in evaluation); reference {t_ref:.1f}; {len(got)} findings")
    assert t_load + t_eval < 60
