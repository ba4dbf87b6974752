"""A reference evaluator: ducha's verdicts computed the slow, obvious way.

It reads the submission *document* (plain dicts and lists, see :mod:`.submission`) and a
rule (the rule model ducha reads from a rule file) and returns, for every subject, the
finding ducha must produce: rule, subject type and id, jurisdiction, outcome, reason,
parts, days overdue and due date (:class:`.verdicts.Finding`). It shares no code with
ducha's kinds, facts, engine or outcomes; it uses only :mod:`checker.dates` (calendar
periods), :mod:`checker.units` (unit-name keys) and the data contract (:mod:`checker.model`).

The semantics (``docs/architecture.md``, the kind modules' docstrings and the conventions
of ``shared/obligations.md``):

* a rule that does not apply to the submitter's level, or is not in force on ``as_of``,
  gives one not-applicable finding about the submitter;
* a rule with no subjects gives one finding with its ``on_empty`` outcome
  (``nothing_examined``);
* otherwise every subject gets one finding, its expectations' verdicts combined as
  :mod:`.verdicts` explains; each kind (:mod:`.kinds`) says what the expectations are.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from .kinds import KINDS
from .select import Ctx
from .submission import load
from .verdicts import Finding, rule_finding, subject_finding

__all__ = ["Finding", "evaluate"]


def evaluate(doc: dict[str, Any], rule: Any, as_of: dt.date | None = None,
             params: dict[str, Any] | None = None) -> list[Finding]:
    """The findings of one rule (a ``LoadedRule``) on one submission document."""
    sub = load(doc)
    when = as_of or sub.as_of
    spec = rule.spec
    values = {name: p.default for name, p in spec.params.items()}
    values.update(params or {})
    ctx = Ctx(sub, when, values)
    code = ctx.submitter["code"]
    levels = [getattr(lv, "value", lv) for lv in spec.applies_to.submitter_levels]
    if ctx.submitter["level"] not in levels:
        return [rule_finding(spec.id, code, "not_applicable", "level")]
    eff = spec.effective
    if (eff.from_ and when < eff.from_) or (eff.until and when > eff.until):
        return [rule_finding(spec.id, code, "not_applicable", "not_effective")]
    subjects = KINDS[spec.kind](ctx, rule, spec.spec)
    if not subjects:
        return [rule_finding(spec.id, code, spec.on_empty, "nothing_examined")]
    return [subject_finding(spec.id, s.stype, s.sid, s.jur, s.verdicts, s.idle_reason) for s in subjects]
