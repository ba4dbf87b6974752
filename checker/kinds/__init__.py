"""The vocabulary of obligation kinds: a registry of small compilers.

Each kind module defines its rule model (``<Kind>Rule``: :class:`RuleBase` plus
``kind`` and a typed ``spec``) and ``plan(ctx, spec) -> Plan``. Adding an obligation of an
existing kind is a YAML-only change; adding a kind is one module plus one line here.
"""
from __future__ import annotations

from types import ModuleType
from typing import Annotated, Any, Union

from pydantic import Field

from . import attribute, cardinality, coverage, deadline, ledger, membership, recurring, threshold
from .base import Check, Context, Plan
from .templates import match_rules, test_rules

KINDS: dict[str, ModuleType] = {
    "deadline": deadline,
    "recurring": recurring,
    "coverage": coverage,
    "cardinality": cardinality,
    "membership": membership,
    "attribute": attribute,
    "threshold": threshold,
    "ledger": ledger,
}

_MODELS = (deadline.DeadlineRule, recurring.RecurringRule, coverage.CoverageRule, cardinality.CardinalityRule,
           membership.MembershipRule, attribute.AttributeRule, threshold.ThresholdRule, ledger.LedgerRule)


def rule_union() -> Any:
    return Annotated[Union[_MODELS], Field(discriminator="kind")]  # type: ignore[valid-type]


def build_plan(ctx: Context) -> Plan:
    spec = ctx.rule.spec
    return KINDS[spec.kind].plan(ctx, spec.spec)  # type: ignore[no-any-return]


def engine_rules(rid: str, plan: Plan) -> dict[str, dict[str, Any]]:
    return match_rules(rid) if plan.template == "match" else test_rules(rid, plan.checks)


__all__ = ["KINDS", "Check", "Context", "Plan", "build_plan", "engine_rules", "rule_union"]
