"""Evaluate a dataset against a rule pack as of a date: the pipeline's middle.

For each rule: applicability (submitter level, effective dates) → kind plan (aggregate) →
engine sessions (facts → engine) → outcomes. ``as_of`` is explicit: the caller's date or the
submission's own ``as_of``, never the wall clock. Findings come out sorted, so the same
inputs always give the same findings in the same order.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterator

import yaml
from pydantic import BaseModel

from .collector import gc_frozen
from .dataset import Dataset
from .engine import EngineError, Match, Ruleset
from .errors import RuleError
from .facts import sessions
from .finding import Finding, decode_columns, encode_columns, sort_key
from .forked import run_forked
from .kinds import build_plan, engine_rules
from .kinds.base import Context
from .outcomes import decide, rule_level
from .rulefile import LoadedRule, Pack


def parse_param_value(text: str) -> Any:
    """A ``--param`` value: YAML scalars, lists and mappings (0.85, [a, b], {city: quarter})."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


_gc_frozen = gc_frozen


@dataclass
class Evaluator:
    """Evaluates many datasets against one pack; compiled rulesets are reused across them."""

    pack: Pack
    overrides: dict[str, Any] = field(default_factory=dict)
    _rulesets: dict[str, Ruleset] = field(default_factory=dict, repr=False)
    engine_errors: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        known = {(r.id, name) for r in self.pack.rules for name in r.spec.params}
        names = {name for _, name in known}
        for key in self.overrides:
            rid, _, name = key.rpartition(".")
            if (rid and (rid, name) not in known) or (not rid and name not in names):
                raise RuleError(str(self.pack.path), "--param", f"unknown parameter {key!r}")
        # A value of the wrong kind for a date or number parameter is the caller's mistake
        # (exit 2), not a crash in the middle of a check (exit 3).
        for r in self.pack.rules:
            for key, value in self.overrides.items():
                rid, _, name = key.rpartition(".")
                p = r.spec.params.get(name)
                if p is None or (rid and rid != r.id) or value is None:
                    continue
                if isinstance(p.default, date) and not isinstance(value, date):
                    try:
                        date.fromisoformat(str(value))
                    except ValueError:
                        raise RuleError(str(self.pack.path), "--param",
                                        f"{key}: expected a date (YYYY-MM-DD), got {value!r}") from None
                elif isinstance(p.default, (int, float)) and not isinstance(p.default, bool) and isinstance(value, (str, bool)):
                    raise RuleError(str(self.pack.path), "--param", f"{key}: expected a number, got {value!r}")

    def params_for(self, rule: LoadedRule) -> dict[str, Any]:
        out = {name: p.default for name, p in rule.spec.params.items()}
        for key, value in self.overrides.items():
            rid, _, name = key.rpartition(".")
            if name in out and (not rid or rid == rule.id):
                out[name] = value
        return out

    def _ruleset(self, rid: str, rules: dict[str, dict[str, Any]]) -> Ruleset:
        sig = rid + json.dumps(rules, sort_keys=True)
        rs = self._rulesets.get(sig)
        if rs is None:
            rs = self._rulesets[sig] = Ruleset(rules)
        return rs

    def evaluate_rule(self, ds: Dataset, rule: LoadedRule, as_of: date) -> list[Finding]:
        ctx = Context(ds=ds, as_of=as_of, rule=rule, params=self.params_for(rule))
        spec = rule.spec
        if ctx.submitter["level"] not in spec.applies_to.submitter_levels:
            return [rule_level(ctx, "not_applicable", "level")]
        eff = spec.effective
        if (eff.from_ and as_of < eff.from_) or (eff.until and as_of > eff.until):
            return [rule_level(ctx, "not_applicable", "not_effective")]
        plan = build_plan(ctx)
        rules = engine_rules(rule.id, plan)
        matches: list[Match] = []
        try:
            rs = self._ruleset(rule.id, rules)
            for session in sessions(rule.id, plan):
                matches.extend(rs.evaluate(session.facts, session.evaluate))
        except EngineError as e:
            self.engine_errors.append(f"{rule.id}: {e}")
            return [rule_level(ctx, "error", "engine")]
        return decide(ctx, plan, matches)

    def evaluate(self, ds: Dataset, as_of: date | None = None, processes: int = 1) -> list[Finding]:
        """Every rule's findings, sorted. With ``processes`` > 1 and a dataset of at least
        :data:`FORK_MIN_ROWS` rows, the rules are shared with forked helpers
        (:mod:`checker.forked`); the findings and ``engine_errors`` are the serial run's."""
        when = as_of or ds.header.as_of
        rules = self.pack.rules
        findings: list[Finding] = []
        with gc_frozen():
            def one(i: int) -> tuple[list[Finding], list[str]]:
                seen = len(self.engine_errors)
                got = self.evaluate_rule(ds, rules[i], when)
                errors = self.engine_errors[seen:]
                del self.engine_errors[seen:]
                return got, errors
            if processes > 1 and sum(len(t) for t in ds.tables.values()) >= FORK_MIN_ROWS:
                weight = _weights(ds, rules)
                priority = sorted(range(len(rules)), key=lambda i: -weight[i])  # stable: ties in pack order
                outcomes = run_forked(one, len(rules), processes, priority, encode=_encode, decode=_decode)
            else:
                outcomes = [one(i) for i in range(len(rules))]
        for got, errors in outcomes:
            findings.extend(got)
            self.engine_errors.extend(errors)
        return sorted(findings, key=sort_key)


FORK_MIN_ROWS = 10_000  # below this, forking costs more than sharing the rules saves


def _encode(outcome: tuple[list[Finding], list[str]]) -> Any:
    return {"findings": encode_columns(outcome[0]), "errors": outcome[1]}


def _decode(value: Any) -> tuple[list[Finding], list[str]]:
    return decode_columns(value["findings"]), [str(e) for e in value["errors"]]


def _weights(ds: Dataset, rules: list[LoadedRule]) -> list[int]:
    """A rough cost per rule, only to take the heaviest first: the rows of the tables it names
    (a wrong guess costs time, never a different result)."""
    def tables(node: Any) -> Iterator[str]:
        if isinstance(node, BaseModel):
            for name in type(node).model_fields:
                value = getattr(node, name)
                if name == "table" and isinstance(value, str):
                    yield value
                else:
                    yield from tables(value)
        elif isinstance(node, (list, tuple)):
            for v in node:
                yield from tables(v)
        elif isinstance(node, dict):
            for v in node.values():
                yield from tables(v)
    return [sum(len(ds.tables[t]) for t in set(tables(r.spec)) if t in ds.tables) for r in rules]
