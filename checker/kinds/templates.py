"""Engine rule templates: every kind compiles to one of two shapes.

*match* (deadline, recurring, coverage, membership, ledger presence/completion/progress):
each expectation ``x`` looks for evidence ``y`` with the same string ``key`` dated in
``[x.lo, x.due]`` (``ok``), after ``x.due`` (``late``), from the wrong party (``other``), or
finds none (``none``, a negation).

*test* (cardinality, attribute, threshold, ledger leads/start): each expectation carries its
values; ``seen`` marks it examined and each :class:`Check` is a conjunction of tests on that
one fact.

The recipe's defences are added here, never by rule authors: the evaluate guard ``e`` first
(scoped to the rule, so at most a handful of rules share one guard), no ``any``, no
correlated ``$or``, and every correlated ``$and`` ends with the always-true ``_k`` term.
Numbers never appear as rule constants (they travel in facts and are compared with ``$m``),
so no float is ever written into a ruleset.
"""
from __future__ import annotations

from typing import Any

from .base import Check

K = {"_k": {"e": "_k"}}


def guard(rid: str) -> dict[str, Any]:
    return {"e": {"t": "e", "r": rid}}


# Expectation and evidence facts carry no rule id: a ruleset holds one rule's engine rules
# only, and each property costs the engine ~0.85 µs a fact. The guard keeps its ``r``.
def _x() -> dict[str, Any]:
    return {"x": {"t": "x"}}


def match_rules(rid: str) -> dict[str, dict[str, Any]]:
    def y(extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"t": "y"}, {"key": {"x": "key"}}, {"$gte": {"day": {"x": "lo"}}}, *extra, K]
    return {
        f"{rid}|ok": {"all": [guard(rid), _x(), {"y": {"$and": y([{"ok": 1}, {"$lte": {"day": {"x": "due"}}}])}}]},
        f"{rid}|late": {"all": [guard(rid), _x(), {"y": {"$and": y([{"ok": 1}, {"$gt": {"day": {"x": "due"}}}])}}]},
        f"{rid}|other": {"all": [guard(rid), _x(), {"y": {"$and": y([{"ok": 0}])}}]},
        f"{rid}|none": {"all": [guard(rid), _x(), {"y$not": {"$and": y([{"ok": 1}])}}]},
    }


def test_rules(rid: str, checks: list[Check]) -> dict[str, dict[str, Any]]:
    rules = {f"{rid}|seen": {"all": [guard(rid), _x()]}}
    for i, check in enumerate(checks):
        rules[f"{rid}|{check.tag}#{i}"] = {"all": [guard(rid), {"x": {"$and": [{"t": "x"}, *check.terms]}}]}
    return rules
