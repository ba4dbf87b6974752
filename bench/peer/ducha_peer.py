"""ducha on the three obligations, timed per stage, through its own modules.

The stages are ducha's pipeline (``docs/architecture.md``): *facts* is the aggregate stage
(:func:`checker.kinds.build_plan`, the pandas joins and counts) plus the facts stage
(:func:`checker.facts.sessions`); *setup* compiles the engine rulesets
(:class:`checker.engine.Ruleset`); *evaluate* runs the engine sessions and
:func:`checker.outcomes.decide`. The staged run must give exactly what
:meth:`checker.evaluate.Evaluator.evaluate` gives (checked by :func:`run`), so the timing is of
the real thing, not of a copy.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from checker.dataset import Dataset
from checker.engine import Match, Ruleset
from checker.evaluate import Evaluator
from checker.facts import sessions
from checker.finding import Finding
from checker.kinds import build_plan, engine_rules
from checker.kinds.base import Context
from checker.outcomes import decide
from checker.rulefile import Pack

from .facts import Verdict, selected_pack


@dataclass(frozen=True)
class Timed:
    verdicts: frozenset[Verdict]
    setup_s: float
    facts_s: float
    evaluate_s: float
    facts: int  # engine facts asserted (evaluate facts included)
    stages: dict[str, float] = field(default_factory=dict)  # finer split, where an engine has one
    cpu_s: float = 0.0  # CPU time of setup + facts + evaluate (steadier than wall time on a busy machine)

    @property
    def total_s(self) -> float:
        return self.facts_s + self.evaluate_s


def verdicts_of(findings: list[Finding]) -> frozenset[Verdict]:
    return frozenset(Verdict(f.rule, f.subject_id, f.outcome, f.reason or "", tuple(f.parts)) for f in findings)


def run(ds: Dataset, pack: Pack, overrides: dict[str, Any] | None = None) -> Timed:
    """Evaluate GG-02, GG-14 and GG-27 stage by stage; raise if that differs from ``Evaluator``."""
    ev = Evaluator(selected_pack(pack), dict(overrides or {}))
    as_of = ds.header.as_of
    setup = facts_s = evaluate_s = 0.0
    stages = {"aggregate": 0.0, "facts": 0.0, "engine": 0.0, "outcomes": 0.0}
    n_facts = 0
    findings: list[Finding] = []
    cpu0 = time.process_time()
    for rule in ev.pack.rules:
        t0 = time.perf_counter()
        ctx = Context(ds=ds, as_of=as_of, rule=rule, params=ev.params_for(rule))
        plan = build_plan(ctx)
        ta = time.perf_counter()
        rules = engine_rules(rule.id, plan)
        batch = list(sessions(rule.id, plan))
        t1 = time.perf_counter()
        rs = Ruleset(rules)
        t2 = time.perf_counter()
        matches: list[Match] = []
        for s in batch:
            matches.extend(rs.evaluate(s.facts, s.evaluate))
            n_facts += len(s.facts) + 1
        te = time.perf_counter()
        findings.extend(decide(ctx, plan, matches))
        t3 = time.perf_counter()
        stages["aggregate"] += ta - t0
        stages["facts"] += t1 - ta
        stages["engine"] += te - t2
        stages["outcomes"] += t3 - te
        facts_s += t1 - t0
        setup += t2 - t1
        evaluate_s += t3 - t2
    cpu = time.process_time() - cpu0
    staged = verdicts_of(findings)
    whole = verdicts_of(ev.evaluate(ds, as_of))
    if staged != whole:  # the staged copy drifted from evaluate.py: the timing would be of something else
        raise AssertionError(f"staged ducha run differs from Evaluator.evaluate: {sorted(staged ^ whole)[:5]}")
    return Timed(staged, setup, facts_s, evaluate_s, n_facts, stages, cpu)
