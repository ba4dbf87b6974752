"""Check these paths: load → validate → evaluate, one submission at a time.

This is the service behind ``ducha check`` and ``ducha batch``. It never raises for a bad
submission: every path gives one :class:`SubmissionResult`, which is exactly one of

* ``checked``: the submission was evaluated; ``findings`` holds every finding (all outcomes);
  its ``problems`` are the loader's warnings (``W-…``, e.g. hidden rows), which did not stop it;
* ``invalid``: the input cannot be used; ``problems`` says where and why (exit 2);
* ``failed``: the rules could not be applied (``failure="rules"``, exit 2) or ducha itself
  failed on this input (``failure="internal"``, exit 3); ``reason`` is one line, ``detail``
  the rule problems or, with ``debug``, the traceback.

The record is frozen and round-trips through :meth:`SubmissionResult.to_dict` /
:meth:`SubmissionResult.from_dict`, which is how results travel between processes and
into the JSON report (``ducha-results/1``).
"""
from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence

from .errors import InputError, Location, Problem, RuleError
from .finding import Finding

if TYPE_CHECKING:  # heavy modules (pandas, durable_rules) load only when a check runs
    from .evaluate import Evaluator
    from .rulefile import Pack
    from .waivers import Waivers

Status = Literal["checked", "invalid", "failed"]
STATUSES: tuple[str, ...] = ("checked", "invalid", "failed")
HEADER_FIELDS = ("submission_id", "pack", "jurisdiction", "period", "as_of")


def problem_from_dict(d: Mapping[str, Any]) -> Problem:
    """Inverse of :meth:`Problem.to_dict`."""
    loc = d.get("location") or {}
    location = Location(str(loc.get("file", "")), pointer=loc.get("pointer"), sheet=loc.get("sheet"),
                        row=loc.get("row"), column=loc.get("column"))
    return Problem(location, str(d["code"]), str(d["message_zh"]), str(d["message_en"]), d.get("value"))


@dataclass(frozen=True)
class SubmissionResult:
    """The outcome of checking one input path (see the module docstring)."""

    path: str
    status: Status
    submission: str | None = None
    pack: str | None = None
    jurisdiction: str | None = None
    jurisdiction_name: str | None = None
    level: str | None = None
    period: str | None = None
    as_of: str | None = None  # the date evaluated: --as-of, or the submission's own
    findings: tuple[Finding, ...] = ()
    problems: tuple[Problem, ...] = ()
    reason: str | None = None
    failure: Literal["rules", "internal"] | None = None
    detail: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How a report names this input: the submission id when known, else the path."""
        return self.submission or self.path

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "status": self.status, "submission": self.submission, "pack": self.pack,
            "jurisdiction": self.jurisdiction, "jurisdiction_name": self.jurisdiction_name, "level": self.level,
            "period": self.period, "as_of": self.as_of,
            "findings": [f.to_dict() for f in self.findings],
            "problems": [p.to_dict() for p in self.problems],
            "reason": self.reason, "failure": self.failure, "detail": list(self.detail),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "SubmissionResult":
        status = d.get("status")
        if status not in STATUSES:
            raise ValueError(f"unknown result status {status!r}")
        return cls(
            path=str(d["path"]), status=status, submission=d.get("submission"), pack=d.get("pack"),
            jurisdiction=d.get("jurisdiction"), jurisdiction_name=d.get("jurisdiction_name"),
            level=d.get("level"), period=d.get("period"), as_of=d.get("as_of"),
            findings=tuple(Finding.from_dict(f) for f in d.get("findings") or ()),
            problems=tuple(problem_from_dict(p) for p in d.get("problems") or ()),
            reason=d.get("reason"), failure=d.get("failure"), detail=tuple(d.get("detail") or ()),
        )


@dataclass(frozen=True)
class RunOptions:
    """What every submission of a run is checked with. ``params`` keys are ``NAME`` or
    ``RULE.NAME``; each pack receives the keys it declares (see :meth:`Runner.unused_options`)."""

    as_of: dt.date | None = None
    pack: str | None = None
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    rules_dir: Path | None = None
    debug: bool = False
    processes: int = 1  # per submission: how many processes share its rules (see Evaluator.evaluate)


class Runner:
    """Checks paths one by one, loading each rule pack once and reusing its evaluator."""

    def __init__(self, options: RunOptions, waivers: "Waivers | None" = None) -> None:
        self.options = options
        self.waivers = waivers
        self._packs: dict[str, "Pack | RuleError"] = {}
        self._evaluators: dict[str, "Evaluator"] = {}
        if options.pack:  # a wrong --pack is the caller's mistake: say so before any work
            pack = self._pack(options.pack)
            if isinstance(pack, RuleError):
                raise pack

    # ------------------------------------------------------------------ packs

    def _pack(self, name: str) -> "Pack | RuleError":
        if name not in self._packs:
            from .rulefile import RULES_DIR, load_pack
            try:
                self._packs[name] = load_pack(name, self.options.rules_dir or RULES_DIR)
            except RuleError as e:
                self._packs[name] = e
        return self._packs[name]

    def _evaluator(self, name: str) -> "Evaluator":
        if name not in self._evaluators:
            from .evaluate import Evaluator
            pack = self._pack(name)
            if isinstance(pack, RuleError):
                raise pack
            selected = pack.select(list(self.options.select) or None, list(self.options.exclude) or None)
            # Only the keys the selected rules declare: a parameter of a rule that is not
            # selected (or of another pack) is not this evaluator's business.
            declared = {n for r in selected.rules for n in r.spec.params} | {
                f"{r.id}.{n}" for r in selected.rules for n in r.spec.params}
            overrides = {k: v for k, v in self.options.params.items() if k in declared}
            self._evaluators[name] = Evaluator(selected, overrides)
        return self._evaluators[name]

    def packs_used(self) -> list["Pack"]:
        return [p for _, p in sorted(self._packs.items()) if not isinstance(p, RuleError)]

    def unused_options(self) -> list[tuple[str, str, str]]:
        """``--param`` keys, ``--select`` and ``--exclude`` patterns that no pack used in this run
        knows: (option, value, why). Empty when no pack was loaded (nothing to judge by)."""
        import fnmatch
        packs = self.packs_used()
        if not packs:
            return []
        names = [n for p in packs for r in p.rules for n in (r.id, *r.spec.obligations)]
        declared = {n for p in packs for r in p.rules for n in r.spec.params} | {
            f"{r.id}.{n}" for p in packs for r in p.rules for n in r.spec.params}
        out = []
        for key in self.options.params:
            if key not in declared:
                out.append(("--param", key, "unknown parameter"))
        for opt, pats in (("--select", self.options.select), ("--exclude", self.options.exclude)):
            for pat in pats:
                if not any(fnmatch.fnmatchcase(n, pat) for n in names):
                    out.append((opt, pat, "matches no rule or obligation"))
        return out

    # ------------------------------------------------------------------ one path

    def run(self, path: Path | str) -> SubmissionResult:
        """Check one path. Never raises for a bad input, broken rules or a crash on this input
        (``KeyboardInterrupt`` and ``MemoryError`` still propagate)."""
        shown = str(path)
        p = Path(path)
        try:
            from .collector import gc_frozen  # what exists before loading stays out of the collector's full passes
            with gc_frozen():
                return self._run(p, shown)
        except MemoryError:
            raise
        except Exception as e:  # a bug in ducha on this input: record it, keep checking the rest
            detail = tuple(traceback.format_exc().rstrip().splitlines()) if self.options.debug else ()
            return SubmissionResult(path=shown, status="failed", failure="internal", detail=detail,
                                    reason=f"ducha 内部错误 / internal error: {type(e).__name__}: {e}")

    def _run(self, p: Path, shown: str) -> SubmissionResult:
        from .dataset import build_dataset
        from .load import load_path
        if not p.exists():
            return SubmissionResult(path=shown, status="invalid", problems=(Problem(
                Location(shown), "E-NOT-FOUND", "文件或文件夹不存在", "no such file or folder"),))
        raw = None
        try:
            raw = load_path(p)
            ds = build_dataset(raw)
        except InputError as e:
            head = _raw_header(raw.header if raw is not None else {})
            return SubmissionResult(path=shown, status="invalid", problems=tuple(e.problems), **head)
        except OSError as e:
            return SubmissionResult(path=shown, status="invalid", problems=(Problem(
                Location(shown), "E-READ", f"无法读取：{e.strerror or e}", f"cannot be read: {e.strerror or e}"),))
        h = ds.header
        j = ds.jurisdiction
        head = dict(submission=h.submission_id, pack=self.options.pack or h.pack, jurisdiction=h.jurisdiction,
                    jurisdiction_name=str(j["name"]), level=str(j["level"]), period=h.period)
        as_of = self.options.as_of or h.as_of
        try:
            ev = self._evaluator(str(head["pack"]))
        except RuleError as e:
            return SubmissionResult(path=shown, status="failed", as_of=as_of.isoformat(), reason=e.detail,
                                    failure="rules", detail=tuple(e.problems), **head)
        seen = len(ev.engine_errors)
        try:
            findings = ev.evaluate(ds, as_of, self.options.processes)
        except RuleError as e:  # a rule that cannot be applied to this data (a bad column path)
            return SubmissionResult(path=shown, status="failed", as_of=as_of.isoformat(), reason=e.detail,
                                    failure="rules", detail=tuple(e.problems), **head)
        if self.waivers is not None:
            findings = self.waivers.apply(findings)
        return SubmissionResult(path=shown, status="checked", as_of=as_of.isoformat(), findings=tuple(findings),
                                problems=tuple(ds.raw.warnings), detail=tuple(ev.engine_errors[seen:]), **head)

    def run_all(self, paths: Sequence[Path | str]) -> list[SubmissionResult]:
        return [self.run(p) for p in paths]


def _raw_header(header: Mapping[str, Any]) -> dict[str, Any]:
    """What can be said about an unusable submission from its raw header (strings only)."""
    def s(key: str) -> str | None:
        v = header.get(key)
        return v if isinstance(v, str) and v else None
    return {"submission": s("submission_id"), "pack": s("pack"), "jurisdiction": s("jurisdiction"),
            "period": s("period")}


@dataclass(frozen=True, order=True)
class Notice:
    """A run-level message that is not a finding: an expired or unused waiver, a baseline note."""

    code: str
    message_zh: str
    message_en: str
    where: str | None = None

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en, "where": self.where}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Notice":
        return cls(str(d["code"]), str(d["message_zh"]), str(d["message_en"]), d.get("where"))
