"""The batch's work folder: every finished input's result on disk at once, and a journal.

``ducha batch`` keeps nothing but a small :class:`Entry` per input in memory. Each result
arrives rendered (:func:`render`, in the worker that checked it: its text in results.json, its
CSV rows, its block of the page and its scorecard counts, see :mod:`checker.report.parts`), is
written to ``OUT/.ducha-batch/results/<key>.result`` (temp + rename) and then recorded by one
appended, fsynced line of ``OUT/.ducha-batch/journal.jsonl``. The final reports are
concatenated from those files in input order.

Resume contract (``--resume``): an input is reused only when the journal holds a line for its
name whose *fingerprint* matches and whose result file is present. The fingerprint covers the
input (a file's size and mtime; a folder's every file; an archive member's content, since it
is extracted afresh each run) and the run token (ducha version, the check options, the rule
files' content and the waiver file's content), so a changed input, option, rule or waiver is
checked again. A line cut short by a kill is ignored. Results that failed for an internal
reason (a crash, a time limit) are checked again: the cause may have been the interruption.
Without ``--resume`` the folder is emptied first.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .finding import Finding
from .run import SubmissionResult

if TYPE_CHECKING:
    from .report.parts import Pieces

WORK = ".ducha-batch"
JOURNAL = "journal.jsonl"
FORMAT = "ducha-journal/3"  # part of every fingerprint: a store of another layout is not reused


def _hash_file(h: Any, path: Path) -> None:
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)


def _walk(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())


def input_fingerprint(path: Path, *, by_content: bool) -> str:
    """What identifies the input's bytes: content hashes (``by_content``: archive members,
    extracted afresh every run) or names, sizes and modification times (cheap for the real
    files and folders a supervision office receives)."""
    h = hashlib.sha256()
    files = [path] if path.is_file() else _walk(path)
    for p in files:
        rel = p.name if p == path else p.relative_to(path).as_posix()
        h.update(rel.encode("utf-8") + b"\0")
        if by_content:
            _hash_file(h, p)
        else:
            st = p.stat()
            h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
        h.update(b"\0")
    return h.hexdigest()


def run_token(*, version: str, options: str, rules_dir: Path, waivers: Path | None) -> str:
    """What identifies the run's configuration: results of another configuration are not reused."""
    h = hashlib.sha256()
    h.update(f"{version}\0{options}\0".encode("utf-8"))
    for p in _walk(rules_dir) if rules_dir.is_dir() else []:
        h.update(p.relative_to(rules_dir).as_posix().encode("utf-8") + b"\0")
        _hash_file(h, p)
    if waivers is not None and waivers.is_file():
        h.update(b"\0waivers\0")
        _hash_file(h, waivers)
    return h.hexdigest()


@dataclass
class Entry:
    """What the final pass needs to know about one finished input without reading its file:
    metadata (scorecard basis, trend pairs), counts, whether it fails ``--fail-on``, and the
    few findings that decide the run's waiver notices."""

    name: str
    fingerprint: str
    file: str
    status: str
    failure: str | None = None
    submission: str | None = None
    pack: str | None = None
    jurisdiction: str | None = None
    jurisdiction_name: str | None = None
    level: str | None = None
    period: str | None = None
    as_of: str | None = None
    outcomes: dict[str, int] = field(default_factory=dict)
    fails: list[str] = field(default_factory=list)  # the --fail-on levels this input fails
    waiver_findings: list[dict[str, Any]] = field(default_factory=list)
    path: str = ""  # the result's own path (the input's name, once relabelled)

    def stub(self) -> SubmissionResult:
        """The result without findings or problems: enough to choose scorecard bases and pairs."""
        return SubmissionResult(path=self.path or self.name, status=self.status, submission=self.submission,  # type: ignore[arg-type]
                                pack=self.pack, jurisdiction=self.jurisdiction,
                                jurisdiction_name=self.jurisdiction_name, level=self.level, period=self.period,
                                as_of=self.as_of, failure=self.failure)  # type: ignore[arg-type]


def _fails(r: SubmissionResult) -> list[str]:
    """As :meth:`Report.failing` without a baseline, for each ``--fail-on`` level."""
    out = []
    for level, worst in (("error", 0), ("warning", 1)):
        rank = {"error": 0, "warning": 1, "info": 2}
        if any(f.outcome == "error" or (f.outcome == "violated" and rank.get(f.severity, 0) <= worst)
               for f in r.findings):
            out.append(level)
    return out


def waiver_witnesses(findings: Iterable[Finding], waivers: Any) -> list[Finding]:
    """The findings :meth:`Waivers.notices` needs to decide its notices exactly as over all
    findings: one per waiver source used, and one per (waiver, as_of) of a violation that an
    expired waiver matches. Kept per input so the notices never need every finding at once."""
    import datetime as dt
    kept: list[Finding] = []
    used: set[str] = set()
    late: set[tuple[str, str]] = set()
    for f in findings:
        if f.waiver:
            src = str(f.waiver.get("source"))
            if src not in used:
                used.add(src)
                kept.append(f)
        if f.outcome == "violated":
            for w in waivers.items:
                key = (w.source, f.as_of)
                if key not in late and w.matches(f) and not w.active_on(dt.date.fromisoformat(f.as_of)):
                    late.add(key)
                    kept.append(f)
    return kept


@dataclass(frozen=True)
class Rendered:
    """A result as the work folder stores it, made where it was checked: the :class:`Entry`
    fields it gives, and the stored file (:func:`checker.report.parts.encode`)."""

    meta: dict[str, Any]
    data: bytes
    problems: int  # how many problems it has (the progress line says so)

    @property
    def path(self) -> str:
        return str(self.meta["path"])

    @property
    def status(self) -> str:
        return str(self.meta["status"])

    @property
    def violated(self) -> int:
        return int(self.meta["outcomes"].get("violated", 0))


def render(r: SubmissionResult, waivers: Any = None, lang: str = "zh") -> Rendered:
    """``r`` rendered for the outputs in ``lang``, with what its journal entry records."""
    from .report import parts
    outcomes: dict[str, int] = {}
    for f in r.findings:
        outcomes[f.outcome] = outcomes.get(f.outcome, 0) + 1
    witnesses = waiver_witnesses(r.findings, waivers) if waivers is not None else []
    meta = dict(status=r.status, failure=r.failure, submission=r.submission, pack=r.pack,
                jurisdiction=r.jurisdiction, jurisdiction_name=r.jurisdiction_name, level=r.level,
                period=r.period, as_of=r.as_of, outcomes=outcomes, fails=_fails(r),
                waiver_findings=[f.to_dict() for f in witnesses], path=r.path)
    return Rendered(meta, parts.encode(parts.pieces(r, lang)), len(r.problems))


class Store:
    """The work folder of one ``--out``: results by input, and the journal."""

    def __init__(self, out: Path, token: str, *, resume: bool) -> None:
        self.root = out / WORK
        self.results = self.root / "results"
        self.token = token
        self.previous: dict[str, Entry] = {}
        self.had_journal = (self.root / JOURNAL).is_file()
        if resume and self.had_journal:
            self.previous = self._read()
            for stale in self.root.glob("ducha-batch-*"):  # archives extracted by a killed run
                shutil.rmtree(stale, ignore_errors=True)
        elif self.root.exists():
            shutil.rmtree(self.root)
        self.results.mkdir(parents=True, exist_ok=True)
        self._journal = open(self.root / JOURNAL, "a", encoding="utf-8")
        if self._journal.tell() == 0:
            self._append({"format": FORMAT})

    def _read(self) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        with open(self.root / JOURNAL, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    d = json.loads(line)
                    if "name" in d:
                        e = Entry(**d)
                        entries[e.name] = e
                except (ValueError, TypeError):
                    continue  # a line cut short when the run was killed
        return entries

    def _append(self, d: dict[str, Any]) -> None:
        self._journal.write(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())

    def fingerprint(self, input_fp: str) -> str:
        return hashlib.sha256(f"{FORMAT}\0{self.token}\0{input_fp}".encode()).hexdigest()

    def reusable(self, name: str, fingerprint: str) -> Entry | None:
        e = self.previous.get(name)
        if e is None or e.fingerprint != fingerprint or (e.status == "failed" and e.failure == "internal"):
            return None
        return e if (self.results / e.file).is_file() else None

    def put(self, name: str, fingerprint: str, r: SubmissionResult, waivers: Any = None, lang: str = "zh") -> Entry:
        """Write ``r`` to disk (whole or not at all), then journal it."""
        return self.put_rendered(name, fingerprint, render(r, waivers, lang))

    def put_rendered(self, name: str, fingerprint: str, got: Rendered) -> Entry:
        from .report.safe import write_atomic
        file = hashlib.sha256(f"{name}\0{fingerprint}".encode()).hexdigest()[:32] + ".result"
        write_atomic(self.results / file, got.data)
        e = Entry(name=name, fingerprint=fingerprint, file=file, **got.meta)
        self._append(asdict(e))
        return e

    def pieces(self, e: Entry, lang: str) -> "Pieces":
        """The stored pieces of ``e`` in ``lang`` (rendered again from the stored result when
        it was stored in another language: a resume with another ``--lang``)."""
        from .report import parts
        got = parts.decode((self.results / e.file).read_bytes())
        return got if got.lang == lang else parts.pieces(self._result(got), lang)

    def load(self, e: Entry) -> SubmissionResult:
        from .report import parts
        return self._result(parts.decode((self.results / e.file).read_bytes()))

    @staticmethod
    def _result(p: "Pieces") -> SubmissionResult:
        return SubmissionResult.from_dict(json.loads(p.json))

    def close(self, keep: Iterable[Entry] | None = None) -> None:
        """Close the journal; with ``keep``, remove the result files no entry in it refers to."""
        self._journal.close()
        if keep is None:
            return
        wanted = {e.file for e in keep}
        for p in self.results.iterdir():
            if p.name not in wanted:  # stale results, and temp files of a write cut short
                p.unlink()
