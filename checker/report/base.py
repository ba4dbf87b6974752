"""What every output writer receives: a :class:`Report`, and the :class:`Writer` protocol.

A report is the run's results (one :class:`~checker.run.SubmissionResult` per input), what
the run was asked (:class:`RunInfo`), run-level notices (waivers), and the fingerprints a
baseline suppresses. Counting, the summary line and the exit code are decided here once,
so every format tells the same story. ``Report.to_dict`` is the JSON contract
(``ducha-results/1``); ``Report.from_dict`` reads it back (baseline, explain, scorecard).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Protocol

from ..errors import InputError, Location, Problem
from ..finding import OUTCOMES, Finding
from ..run import Notice, SubmissionResult

RESULTS_FORMAT = "ducha-results/1"
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
FAIL_ON = ("error", "warning", "never")
SHOWABLE = OUTCOMES  # violated error pending waived not_applicable passed
DEFAULT_SHOW = ("violated", "error", "waived")

OUTCOME_TEXT: dict[str, tuple[str, str]] = {
    "violated": ("违反", "violated"), "error": ("错误", "error"), "pending": ("未到期", "pending"),
    "waived": ("豁免", "waived"), "not_applicable": ("不适用", "not applicable"), "passed": ("通过", "passed"),
}
SEVERITY_TEXT: dict[str, tuple[str, str]] = {"error": ("错误", "error"), "warning": ("警告", "warning"),
                                             "info": ("提示", "info")}


def natural_key(s: str) -> list[Any]:
    """Sort key that orders GG-2 before GG-10."""
    import re
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", s)]


def tr(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def outcome_text(outcome: str, lang: str) -> str:
    zh, en = OUTCOME_TEXT.get(outcome, (outcome, outcome))
    return tr(lang, zh, en)


@dataclass(frozen=True)
class RunInfo:
    """What the run was asked to do (recorded so a result file explains itself)."""

    ducha_version: str
    as_of: str | None = None  # --as-of; None = each submission's own as_of
    pack: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str = "error"
    waivers: str | None = None
    baseline: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ducha_version": self.ducha_version, "as_of": self.as_of, "pack": self.pack,
                "params": _jsonable(dict(sorted(self.params.items()))), "select": list(self.select),
                "exclude": list(self.exclude), "fail_on": self.fail_on, "waivers": self.waivers,
                "baseline": self.baseline}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "RunInfo":
        return cls(ducha_version=str(d.get("ducha_version", "")), as_of=d.get("as_of"), pack=d.get("pack"),
                   params=dict(d.get("params") or {}), select=tuple(d.get("select") or ()),
                   exclude=tuple(d.get("exclude") or ()), fail_on=str(d.get("fail_on", "error")),
                   waivers=d.get("waivers"), baseline=d.get("baseline"))


def _jsonable(v: Any) -> Any:
    """Parameter values as JSON would carry them (dates as ISO text)."""
    return json.loads(json.dumps(v, default=str))


@dataclass(frozen=True)
class Counts:
    files: int
    checked: int
    invalid: int
    failed: int
    outcomes: Mapping[str, int]  # shown findings per outcome (suppressed ones excluded)
    suppressed: int  # violated findings known to the baseline

    def to_dict(self) -> dict[str, Any]:
        return {"files": self.files, "checked": self.checked, "invalid": self.invalid, "failed": self.failed,
                "outcomes": {o: self.outcomes.get(o, 0) for o in OUTCOMES}, "suppressed_by_baseline": self.suppressed}


@dataclass(frozen=True)
class Report:
    results: tuple[SubmissionResult, ...]
    info: RunInfo
    notices: tuple[Notice, ...] = ()
    suppressed: frozenset[str] = frozenset()  # fingerprints of lapses already in the baseline

    def is_suppressed(self, f: Finding) -> bool:
        return f.outcome == "violated" and f.fingerprint in self.suppressed

    def visible(self, r: SubmissionResult) -> list[Finding]:
        """A result's findings minus those the baseline suppresses, in their stable order."""
        return [f for f in r.findings if not self.is_suppressed(f)]

    def counts(self) -> Counts:
        c: Counter[str] = Counter()
        suppressed = 0
        for r in self.results:
            for f in r.findings:
                if self.is_suppressed(f):
                    suppressed += 1
                else:
                    c[f.outcome] += 1
        status = Counter(r.status for r in self.results)
        return Counts(files=len(self.results), checked=status["checked"], invalid=status["invalid"],
                      failed=status["failed"], outcomes=dict(c), suppressed=suppressed)

    def failing(self, f: Finding, fail_on: str | None = None) -> bool:
        """Whether ``f`` makes the run exit 1 under ``--fail-on``. An *error* outcome (the
        obligation could not be decided) fails like an error-severity violation: an undecided
        check must never read as a pass."""
        level = fail_on or self.info.fail_on
        if level == "never" or self.is_suppressed(f):
            return False
        if f.outcome == "error":
            return True
        return f.outcome == "violated" and SEVERITY_RANK.get(f.severity, 0) <= SEVERITY_RANK[level]

    def exit_code(self, fail_on: str | None = None) -> int:
        """3 ducha failed on an input; 2 an input or the rules unusable; 1 failing findings; 0 otherwise."""
        if any(r.status == "failed" and r.failure == "internal" for r in self.results):
            return 3
        if any(r.status in ("invalid", "failed") for r in self.results):
            return 2
        if any(self.failing(f, fail_on) for r in self.results for f in r.findings):
            return 1
        return 0

    # ------------------------------------------------------------------ the JSON contract

    def to_dict(self) -> dict[str, Any]:
        results = []
        for r in self.results:
            d = r.to_dict()
            for fd, f in zip(d["findings"], r.findings):
                if self.is_suppressed(f):
                    fd["suppressed_by_baseline"] = True
            results.append(d)
        from ..model import SCHEMA_VERSION
        return {"format": RESULTS_FORMAT, "submission_schema_version": SCHEMA_VERSION, **self.info.to_dict(),
                "summary": self.counts().to_dict(), "notices": [n.to_dict() for n in self.notices],
                "results": results}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Report":
        if d.get("format") != RESULTS_FORMAT:
            raise ValueError(f"not a {RESULTS_FORMAT} document")
        results = tuple(SubmissionResult.from_dict(r) for r in d.get("results") or ())
        suppressed = frozenset(str(f.get("fingerprint")) for r in d.get("results") or ()
                               for f in r.get("findings") or () if f.get("suppressed_by_baseline"))
        return cls(results=results, info=RunInfo.from_dict(d), suppressed=suppressed,
                   notices=tuple(Notice.from_dict(n) for n in d.get("notices") or ()))


def read_results(path: Path) -> Report:
    """Read a ``ducha check --format json`` file; anything else raises :class:`InputError`."""
    shown = str(path)
    try:
        return Report.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise InputError([Problem(Location(shown), "E-NOT-FOUND", "结果文件不存在", "the results file does not exist")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise InputError([Problem(Location(shown), "E-RESULTS",
                                  f"不是 ducha 结果文件（{RESULTS_FORMAT}）",
                                  f"not a ducha results file ({RESULTS_FORMAT}): {type(e).__name__}")]) from None


def summary_line(report: Report, lang: str) -> str:
    """The one-line summary every human-facing format ends with."""
    c = report.counts()
    o = c.outcomes
    if lang == "en":
        parts = [f"{o.get('violated', 0)} violated"]
        if o.get("error"):
            parts.append(f"{o['error']} error{'s' if o['error'] != 1 else ''}")
        parts += [f"{o.get('pending', 0)} pending", f"{o.get('not_applicable', 0)} not applicable",
                  f"{o.get('passed', 0)} passed", f"{o.get('waived', 0)} waived"]
        if c.invalid:
            parts.append(f"{c.invalid} unusable input{'s' if c.invalid != 1 else ''}")
        if c.failed:
            parts.append(f"{c.failed} not checked")
        if report.info.baseline is not None:
            parts.append(f"{c.suppressed} known from the baseline (not shown)")
        return f"{c.files} file{'s' if c.files != 1 else ''}: " + ", ".join(parts)
    zparts = [f"违反 {o.get('violated', 0)}"]
    if o.get("error"):
        zparts.append(f"错误 {o['error']}")
    zparts += [f"未到期 {o.get('pending', 0)}", f"不适用 {o.get('not_applicable', 0)}",
               f"通过 {o.get('passed', 0)}", f"豁免 {o.get('waived', 0)}"]
    if c.invalid:
        zparts.append(f"无法使用 {c.invalid}")
    if c.failed:
        zparts.append(f"未能检查 {c.failed}")
    if report.info.baseline is not None:
        zparts.append(f"基线已有 {c.suppressed}（未显示）")
    return f"{c.files} 个文件，" + "，".join(zparts)


@dataclass(frozen=True)
class RenderOptions:
    lang: str = "zh"
    show: tuple[str, ...] = DEFAULT_SHOW  # outcomes listed by the text-like formats
    color: bool = False


class Writer(Protocol):
    """An output format: a module with ``NAME``, ``BINARY`` and ``render``.

    ``render`` must be deterministic: the same report and options give the same bytes.
    Text formats return ``str`` (written as UTF-8), binary ones (``BINARY = True``) ``bytes``.
    """

    NAME: str
    BINARY: bool

    def render(self, report: Report, options: RenderOptions) -> str | bytes: ...
