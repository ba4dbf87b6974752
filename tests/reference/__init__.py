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


# Spec fields the reference implements. Anything else a rule sets (the selection extensions
# of checker/kinds/selection.py: derived columns, lookups, reference subjects, aliases,
# distinct; attribute `equals`/`normalise`) is outside this reference.
KNOWN_FIELDS = {
    "subjects", "table", "where", "values", "expand", "subject_type", "where_by_level", "jurisdiction", "name",
    "evidence", "match", "date", "normalise", "each_of", "field", "due", "require_levels_below_submitter",
    "required", "file", "period", "every", "n", "first", "until", "window", "around", "before", "after", "month",
    "period_field", "count", "min", "max", "per_period", "by", "within", "tenure", "cases", "when", "allowed", "op",
    "value", "indicators", "first_year", "last_year", "against", "ratio", "unit", "check", "rows", "first_quarter",
    "warn_days", "only", "exclude", "param", "ne", "not_in", "gt", "gte", "lt", "lte",
}


def unsupported(rule: Any) -> str | None:
    """Why the reference cannot evaluate ``rule`` (None: it can)."""
    spec = rule.spec.spec
    for sel in (getattr(spec, "subjects", None),):
        if sel is not None and sel.table == "reference":
            return "subjects from a reference file"
    for ev in (getattr(spec, "evidence", None), getattr(spec, "count", None)):
        if ev is not None and ev.normalise not in (None, "unit"):
            return f"normalise {ev.normalise!r}"
    if rule.spec.kind == "attribute" and getattr(spec, "normalise", None) is not None:
        return "attribute normalise"
    unknown = _set_fields(spec.model_dump(exclude_defaults=True, by_alias=False)) - KNOWN_FIELDS
    return f"spec fields {sorted(unknown)}" if unknown else None


def _set_fields(node: Any, key: str | None = None) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if key in ("where", "when", "match", "expand", "values") or not isinstance(k, str):
                out |= _set_fields(v)  # data keys (column names), not spec fields
                continue
            if key == "where_by_level":
                out |= _set_fields(v, "where")  # level → a where
                continue
            out.add(k)
            out |= _set_fields(v, k)
    elif isinstance(node, list):
        for v in node:
            out |= _set_fields(v, key)
    return out
