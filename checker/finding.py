"""A finding is data: what (obligation, outcome, reason), about whom (subject, jurisdiction,
lead units), why (expected vs actual, due date, days overdue, the clause and its quote) and
where (evidence locations). Every outcome is a finding, passes included, so a report can
show what was examined and not only what failed.
"""
from __future__ import annotations

import copy
import hashlib
import itertools
from functools import lru_cache
from dataclasses import dataclass, field, fields, replace
from typing import Any

OUTCOMES = ("violated", "error", "pending", "waived", "not_applicable", "passed")
SEVERITIES = ("error", "warning", "info")

REASONS: dict[str, tuple[str, str]] = {
    "missing": ("缺失", "missing"),
    "late": ("逾期", "late"),
    "wrong_value": ("取值不符", "wrong value"),
    "wrong_unit": ("计量单位不符", "wrong unit"),
    "too_few": ("数量不足", "too few"),
    "too_many": ("数量过多", "too many"),
    "below_threshold": ("低于目标值", "below the threshold"),
    "above_threshold": ("高于限值", "above the limit"),
    "mismatch": ("牵头单位与方案不一致", "lead units differ from the plan"),
    "filed_by_non_lead": ("非牵头单位报送", "filed by a unit that is not a lead unit"),
    "not_started": ("临近时限仍未启动", "not started although due within the warning window"),
    "no_baseline": ("无可比较的基准值", "no baseline to compare with"),
    "no_entry": ("台账无此任务", "no ledger entry"),
    "not_due": ("尚未到期", "not yet due"),
    "level": ("不适用于该层级", "does not apply at this level"),
    "not_effective": ("不在生效期内", "not in force on the evaluation date"),
    "nothing_examined": ("无可检查的对象", "nothing to examine"),
    "not_configured": ("参数未设置，不检查", "parameter unset: not checked"),
    "no_periods": ("无完整的检查周期", "no whole period to check"),
    "no_case": ("不属于任何适用情形", "no case of the rule applies"),
    "engine": ("规则引擎错误", "rule engine error"),
    "waived": ("已豁免", "waived"),
}


def reason_text(reason: str | None, lang: str) -> str:
    if not reason:
        return ""
    zh, en = REASONS.get(reason, (reason, reason))
    return en if lang == "en" else zh


@dataclass(frozen=True)
class Finding:
    submission: str
    file: str
    pack: str
    rule: str
    obligations: tuple[str, ...]
    severity: str
    outcome: str
    reason: str | None
    subject_type: str
    subject_id: str
    subject_name: str
    jurisdiction: str
    jurisdiction_name: str
    period: str
    as_of: str
    expected: str | None = None
    actual: str | None = None
    due: str | None = None
    days_overdue: int | None = None
    parts: tuple[str, ...] = ()
    document: str = ""
    clause: str = ""
    quote: str = ""
    title_zh: str = ""
    title_en: str = ""
    section: str | None = None
    lead_units: tuple[str, ...] = ()
    message_zh: str = ""
    message_en: str = ""
    evidence: tuple[str, ...] = ()
    waiver: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def fingerprint(self) -> str:
        """Stable identity of a lapse: the same rule, subject and jurisdiction across quarters."""
        key = "\x1f".join([self.pack, self.rule, self.subject_type, self.subject_id, self.jurisdiction])
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" else self.title_zh

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives (fields in order, the waiver deep-copied), without its
        # recursive copying of every string: a county report has hundreds of thousands.
        d = {name: getattr(self, name) for name in _FIELDS}
        if self.waiver is not None:
            d["waiver"] = asdict_value(self.waiver)
        d["fingerprint"] = self.fingerprint
        for k in TUPLE_FIELDS:
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        names = {f for f in cls.__dataclass_fields__}
        kw = {k: v for k, v in d.items() if k in names}
        for k in TUPLE_FIELDS:
            kw[k] = tuple(kw.get(k) or ())
        return cls(**kw)

    def with_(self, **changes: Any) -> "Finding":
        return replace(self, **changes)


_FIELDS = tuple(f.name for f in fields(Finding))
TUPLE_FIELDS = ("obligations", "parts", "lead_units", "evidence")  # lists in JSON


def encode_columns(found: list[Finding]) -> dict[str, Any]:
    """``found`` as JSON-ready columns: a field every finding has the same value of is stored
    once (the findings of one rule share most fields: rule, clause, quote, titles, …).
    Inverse: :func:`decode_columns`."""
    columns: dict[str, Any] = {}
    for name in _FIELDS:
        values = [getattr(f, name) for f in found]
        first = values[0] if values else None
        kind = type(first)
        same = bool(values) and all(type(v) is kind and v == first for v in values)
        columns[name] = {"same": first} if same else {"each": values}
    return {"n": len(found), "columns": columns}


def decode_columns(value: dict[str, Any]) -> list[Finding]:
    """Inverse of :func:`encode_columns` (ValueError or KeyError for anything else)."""
    n = int(value["n"])
    columns: list[Any] = []
    for name in _FIELDS:
        col = value["columns"][name]
        if "same" in col:
            v = col["same"]
            columns.append(itertools.repeat(tuple(v) if name in TUPLE_FIELDS else v, n))
        else:
            vs = col["each"]
            if len(vs) != n:
                raise ValueError(f"{name}: {len(vs)} values for {n} findings")
            columns.append([tuple(x) for x in vs] if name in TUPLE_FIELDS else vs)
    return [Finding(*row) for row in zip(*columns)]  # the fields in declaration order


def asdict_value(v: Any) -> Any:
    """A copy of a plain value as :func:`dataclasses.asdict` copies it (containers rebuilt)."""
    if isinstance(v, dict):
        return type(v)((asdict_value(k), asdict_value(x)) for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return type(v)(asdict_value(x) for x in v)
    return copy.deepcopy(v)


def sort_key(f: Finding) -> tuple[Any, ...]:
    return (f.submission, _natural(f.rule), f.subject_type, _natural(f.subject_id), f.jurisdiction)


@lru_cache(maxsize=65536)
def _natural(s: str) -> list[Any]:
    """:func:`checker.rulefile._natural`, remembered (a report sorts thousands of findings by
    a few hundred distinct rule and subject ids). Callers only compare the result."""
    from .rulefile import _natural as natural
    return natural(s)
