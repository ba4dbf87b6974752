"""``ducha batch PATH...``: a supervision office checks everything it received at once.

Inputs are found in files, folders and zip archives (:mod:`checker.collect`), checked in
parallel — in the supervised process pool (:mod:`checker.pool`; processes, because the engine
holds the GIL; a crash costs only its own input) or on a Dask cluster (``--executor dask
--scheduler ADDRESS``, :mod:`checker.executors`) — and written to ``--out`` in input order,
whatever order the workers finish in:

* ``results.json`` — the ``ducha-results/1`` contract (every input, every outcome);
* ``findings.csv`` — one row per finding, UTF-8 with BOM, formula-safe;
* ``scorecard.xlsx`` — compliance by jurisdiction, lead unit, obligation, section and quarter,
  the trend, and the unusable inputs with their problems;
* ``report.html`` — one self-contained page with charts (inline SVG, no external assets).

Memory does not grow with the number of inputs: each result is written to the work folder
``--out/.ducha-batch`` the moment it arrives and journaled (:mod:`checker.journal`); only a
small entry per input stays in memory. The outputs are then streamed from those files in
input order, the scorecards and charts aggregated on the way (:mod:`checker.report.view`).
Each output appears whole or not at all (temp file + rename); the previous run's outputs are
removed when the checking starts, so an interrupted run leaves no report that looks whole.
``--resume`` continues an interrupted run: inputs in the journal with the same fingerprint
(input, options, rules, waivers, ducha version) are not checked again; the outputs are
byte-identical to an uninterrupted run's.

Every input is accounted for: checked, invalid (with its problems) or failed (with the
reason); the last line says ``N`` in = ``N`` accounted for. Exit: 3 if ducha failed on an
input, else 2 if any input was unusable (all outputs are still written), else 1/0 by
``--fail-on``.
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, TextIO

from ..forked import stop, wait_ok
from ..report.safe import terminal_text
from .common import UsageError, add_rules_dir, check_workers, iso_date, pack_names, rules_dir, tell, tr

if TYPE_CHECKING:
    from ..collect import Collection, Input
    from ..journal import Entry, Rendered, Store
    from ..pool import Failed
    from ..report.stream import PreviousRun
    from ..report.view import CountedReport
    from ..run import Runner, RunOptions, SubmissionResult
    from ..waivers import Waivers

HELP = "批量检查文件夹与压缩包中的全部报送，生成汇总报告 / check every submission in folders and zip files; write scorecards and reports"

OUTPUTS = ("results.json", "findings.csv", "scorecard.xlsx", "report.html")
SHOW_SKIPPED = 10  # skipped files named on stderr; results.json lists them all
DEFAULT_TIMEOUT = 1800.0  # seconds per submission: generous, but a hung engine must not hang the batch


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="报送文件、文件夹或 zip 压缩包 / submission files, folders or zip files")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="输出目录 / output directory (results.json, findings.csv, scorecard.xlsx, report.html)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="并行进程数（默认：全部 CPU 核）/ parallel processes (default: all cores)")
    p.add_argument("--as-of", type=iso_date, default=None, metavar="DATE",
                   help="检查日期（默认：各报送自身的数据截止日期）/ evaluation date (default: each submission's as_of)")
    p.add_argument("--pack", default=None, help="规则包（默认：报送中声明的）/ rule pack (default: as declared by each submission)")
    p.add_argument("--select", action="append", default=[], metavar="PATTERN",
                   help="只检查这些规则或义务（可重复，可用通配符）/ only these rules or obligations (repeatable, globs)")
    p.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                   help="不检查这些规则或义务 / skip these rules or obligations")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="覆盖参数（NAME 或 RULE.NAME；值按 YAML 解析）/ override a parameter (NAME or RULE.NAME; YAML value)")
    p.add_argument("--params", type=Path, metavar="FILE",
                   help="参数文件（YAML 映射，--param 优先）/ parameter file (a YAML mapping; --param wins)")
    p.add_argument("--waivers", type=Path, default=None, metavar="FILE", help="豁免文件 / waiver file")
    p.add_argument("--compare", type=Path, default=None, metavar="RESULTS_JSON",
                   help="与上次运行的 results.json 比较 / compare with an earlier run's results.json")
    p.add_argument("--fail-on", choices=("error", "warning", "never"), default="error",
                   help="何种严重程度的违反使退出码为 1（默认 error）/ severity that makes the exit code 1 (default error)")
    p.add_argument("--resume", action="store_true",
                   help="继续 --out 中被中断的运行：已检查且未改动的报送不再检查 / continue an interrupted run in --out: "
                        "inputs already checked (and unchanged, with the same options) are not checked again")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="在本机进程池（默认）或 Dask 集群上检查 / check in local processes (default) or on a Dask cluster")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask 调度器地址，如 tcp://10.0.0.5:8786（配合 --executor dask）/ "
                        "the Dask scheduler's address, e.g. tcp://host:8786 (with --executor dask)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"每份报送的时限（默认 {DEFAULT_TIMEOUT:g} 秒）/ time limit per submission (default {DEFAULT_TIMEOUT:g} s)")
    add_rules_dir(p)


# ---------------------------------------------------------------- the worker side


@dataclass(frozen=True)
class Task:
    name: str  # what reports call the input
    path: str  # where to read it
    options: "RunOptions"
    waivers: "Waivers | None"
    token: str  # identifies the run configuration: one Runner per worker per configuration
    lang: str = "zh"  # the language the outputs are rendered in (render_task)


_RUNNERS: dict[str, "Runner"] = {}


def check_task(task: Task) -> "SubmissionResult":
    """Runs in a worker process. The Runner (and so each pack's Evaluator and its compiled
    engine rulesets) is built once per process and reused for every input it is given."""
    from ..run import Runner
    runner = _RUNNERS.get(task.token)
    if runner is None:
        runner = _RUNNERS[task.token] = Runner(task.options, task.waivers)
    result = runner.run(Path(task.path))
    return relabel(result, task.path, task.name)


def render_task(task: Task) -> "Rendered":
    """:func:`check_task`, then the result rendered for the outputs here in the worker: the
    parent only stores and concatenates (see :mod:`checker.report.parts`)."""
    from ..journal import render
    return render(check_task(task), task.waivers, task.lang)


def relabel(result: "SubmissionResult", real: str, shown: str) -> "SubmissionResult":
    """Name an input by what the user knows (``a.zip!/x.json``), not by where it was extracted,
    in the result, its findings' file and evidence locations and its problems' locations."""
    if real == shown:
        return result

    def fix(text: str | None) -> str | None:
        return shown + text[len(real):] if text is not None and text.startswith(real) else text

    findings = tuple(f.with_(file=fix(f.file) or "", evidence=tuple(fix(e) or "" for e in f.evidence))
                     for f in result.findings)
    problems = tuple(replace(p, location=replace(p.location, file=fix(p.location.file) or ""))
                     for p in result.problems)
    detail = tuple(d.replace(real, shown) for d in result.detail)
    reason = result.reason.replace(real, shown) if result.reason else result.reason
    return replace(result, path=shown, findings=findings, problems=problems, detail=detail, reason=reason)


# ---------------------------------------------------------------- progress


class Progress:
    """A bar redrawn in place on a terminal; one plain line per input otherwise (logs, CI)."""

    def __init__(self, total: int, lang: str, stream: TextIO) -> None:
        self.total, self.lang, self.stream = total, lang, stream
        self.tty = bool(getattr(stream, "isatty", None) and stream.isatty())
        self.done = 0

    def update(self, result: "SubmissionResult | Rendered") -> None:
        self.done += 1
        if self.tty:
            width = 28
            filled = width * self.done // max(self.total, 1)
            name = terminal_text(result.path if len(result.path) <= 40 else "…" + result.path[-39:])
            self.stream.write(f"\r\x1b[K[{'█' * filled}{'░' * (width - filled)}] {self.done}/{self.total} {name}")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(terminal_text(f"[{self.done}/{self.total}] {status_text(result, self.lang)} {result.path}") + "\n")
        self.stream.flush()


def status_text(r: "SubmissionResult | Rendered", lang: str) -> str:
    from ..journal import Rendered
    if r.status == "checked":
        n = r.violated if isinstance(r, Rendered) else sum(1 for f in r.findings if f.outcome == "violated")
        return tr(lang, f"已检查（违反 {n}）", f"checked ({n} violated)")
    if r.status == "invalid":
        k = r.problems if isinstance(r, Rendered) else len(r.problems)
        return tr(lang, f"无法使用（{k} 个问题）", f"unusable ({k} problems)")
    return tr(lang, "未能检查", "not checked")


# ---------------------------------------------------------------- the parent side


def _refused(inp: "Input") -> "SubmissionResult":
    """An input that cannot even be opened (an unsafe archive, a missing path) is *invalid*:
    the input is unusable, with a bilingual problem saying why (exit 2)."""
    from ..errors import Location, Problem
    from ..run import SubmissionResult
    return SubmissionResult(path=inp.name, status="invalid",
                            problems=(Problem(Location(inp.name), inp.code, inp.refused_zh, inp.refused_en),))


def token_of(options: "RunOptions", root: Path, waivers_path: Path | None) -> str:
    """The run configuration a journal entry is valid for (see :mod:`checker.journal`)."""
    from .. import __version__
    from ..journal import run_token
    return run_token(version=__version__, options=repr(options), rules_dir=root, waivers=waivers_path)


def check_into(store: "Store", inputs: list["Input"], options: "RunOptions", waivers: "Waivers | None", *,
              workers: int | None, timeout: float | None, workdir: Path, client: Any = None,
              joiner: "Joiner", progress: Progress | None = None, lang: str = "zh") -> list["Entry"]:
    """Check every input not already in ``store`` (``--resume``); each result goes to disk as
    it arrives (the executors yield in completion order), so memory holds one result at a
    time, and to ``joiner`` (the outputs joined while the others are checked). One
    :class:`~checker.journal.Entry` per input, in input order."""
    import json

    from ..executors import run_dask, run_local
    from ..journal import input_fingerprint, render
    from ..pool import Failed
    entries: list[Entry | None] = [None] * len(inputs)
    prints: list[str] = [""] * len(inputs)
    where: list[int] = []
    for i, inp in enumerate(inputs):
        if inp.refused or inp.path is None:
            # Cheap and not reused: recorded afresh every run.
            refused = render(_refused(inp), waivers, lang)
            entries[i] = kept = store.put_rendered(inp.name, store.fingerprint("refused"), refused)
            joiner.put(i, kept)
            if progress:
                progress.update(refused)
            continue
        under_tmp = workdir in inp.path.resolve().parents
        try:
            prints[i] = store.fingerprint(input_fingerprint(inp.path, by_content=under_tmp))
        except OSError:
            prints[i] = ""  # unreadable now: checked (and reported) like any other input
        reused = store.reusable(inp.name, prints[i]) if prints[i] else None
        if reused is not None:
            entries[i] = reused
            joiner.put(i, reused)
            continue
        where.append(i)
    reused_n = sum(1 for i, e in enumerate(entries) if e is not None and not inputs[i].refused and inputs[i].path)
    if store.previous or reused_n:
        print(tr(lang, f"继续上次运行：{reused_n} 份报送已检查，直接沿用；{len(where)} 份待检查",
                 f"resuming: {reused_n} input{'s' if reused_n != 1 else ''} already checked and reused; "
                 f"{len(where)} to check"), file=sys.stderr)
    if progress:
        progress.done += reused_n
    token = json.dumps([repr(options), waivers.path if waivers else None, len(waivers.items) if waivers else 0])
    # A cluster's workers do not share this process's working folder: give them absolute paths.
    tasks = [Task(inputs[i].name, str(inputs[i].path.resolve() if client is not None else inputs[i].path),  # type: ignore[union-attr]
                  options, waivers, token, lang) for i in where]
    if client is not None:
        stream = run_dask(tasks, render_task, client=client, timeout=timeout)
    else:
        stream = run_local(tasks, render_task, workers=workers, timeout=timeout)
    keeper = _Keeper(store, joiner, entries)
    keeper.start()
    try:
        for k, got in stream:
            i = where[k]
            if isinstance(got, Failed):
                got = render(_failed(got, inputs[i].name, options), waivers, lang)
            keeper.put(i, inputs[i].name, prints[i] or store.fingerprint(f"unread:{i}"), got)
            if progress:
                progress.update(got)
            del got  # the keeper's now
    finally:
        keeper.finish()  # every result received is stored (and journaled), even when interrupted
    assert all(e is not None for e in entries)
    return [e for e in entries if e is not None]


class _Keeper:
    """Stores (file + fsync + journal line) and joins each result in a thread of its own, so the
    loop that hands the workers their next input never waits on the disk: a worker that finishes
    meanwhile is answered at once. At most ``QUEUED`` results wait in memory."""

    QUEUED = 2

    def __init__(self, store: "Store", joiner: "Joiner | None", entries: list["Entry | None"]) -> None:
        import queue
        import threading
        self.store, self.joiner, self.entries = store, joiner, entries
        self.queue: queue.Queue[tuple[int, str, str, Rendered] | None] = queue.Queue(self.QUEUED)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="ducha-store", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def put(self, i: int, name: str, fingerprint: str, got: "Rendered") -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((i, name, fingerprint, got))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drained, not stored: the caller raises the first error
            i, name, fingerprint, got = item
            try:
                self.entries[i] = e = self.store.put_rendered(name, fingerprint, got)
                if self.joiner:
                    self.joiner.put(i, e)
            except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
                self.error = exc

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def check_all(inputs: list["Input"], options: "RunOptions", waivers: "Waivers | None", *, workers: int | None,
              timeout: float | None, progress: Progress | None = None) -> list["SubmissionResult"]:
    """One result per input, in input order, held in memory (``ducha scorecard`` of a few
    submissions; ``ducha batch`` streams through :func:`check_into` instead)."""
    from ..executors import run_local
    from ..pool import Failed
    from ..run import SubmissionResult
    results: list[SubmissionResult | None] = [None] * len(inputs)
    where: list[int] = []
    for i, inp in enumerate(inputs):
        if inp.refused or inp.path is None:
            results[i] = _refused(inp)
            if progress:
                progress.update(results[i])  # type: ignore[arg-type]
            continue
        where.append(i)
    token = repr(options)
    tasks = [Task(inputs[i].name, str(inputs[i].path), options, waivers, token) for i in where]
    for k, got in run_local(tasks, check_task, workers=workers, timeout=timeout):
        i = where[k]
        results[i] = _failed(got, inputs[i].name, options) if isinstance(got, Failed) else got
        if progress:
            progress.update(results[i])  # type: ignore[arg-type]
    return [r for r in results if r is not None]


def _failed(got: Failed, name: str, options: "RunOptions") -> "SubmissionResult":
    from ..run import SubmissionResult
    detail = tuple(got.detail.rstrip().splitlines()) if options.debug and got.detail else ()
    return SubmissionResult(path=name, status="failed", failure="internal",
                            reason=f"{got.reason_zh} / {got.reason_en}", detail=detail)


def build_report(entries: list["Entry"], options: "RunOptions", waivers: "Waivers | None",
                 collection: "Collection", fail_on: str, waivers_path: Path | None) -> "CountedReport":
    """The run's report without its results: info, notices and the counts, from the entries."""
    from .. import __version__
    from ..finding import Finding
    from ..report.base import Counts, RunInfo
    from ..report.view import CountedReport
    from ..run import Notice, SubmissionResult
    notices: list[Notice] = []
    if waivers:
        witnesses = tuple(Finding.from_dict(d) for e in entries for d in e.waiver_findings)
        notices += waivers.notices([SubmissionResult(path="", status="checked", findings=witnesses)])
    for name, zh, en in collection.skipped:
        notices.append(Notice("W-SKIPPED", f"已跳过：{zh}", f"skipped: {en}", name))
    info = RunInfo(ducha_version=__version__, as_of=options.as_of.isoformat() if options.as_of else None,
                   pack=options.pack, params=dict(options.params), select=options.select, exclude=options.exclude,
                   fail_on=fail_on, waivers=str(waivers_path) if waivers_path else None)
    outcomes: dict[str, int] = {}
    for e in entries:
        for o, k in e.outcomes.items():
            outcomes[o] = outcomes.get(o, 0) + k
    status = [e.status for e in entries]
    counts = Counts(files=len(entries), checked=status.count("checked"), invalid=status.count("invalid"),
                    failed=status.count("failed"), outcomes=outcomes, suppressed=0)
    return CountedReport(results=(), info=info, notices=tuple(notices), fixed=counts)


def exit_code(entries: list["Entry"], fail_on: str) -> int:
    """:meth:`Report.exit_code`, from the entries (a batch has no baseline)."""
    if any(e.status == "failed" and e.failure == "internal" for e in entries):
        return 3
    if any(e.status in ("invalid", "failed") for e in entries):
        return 2
    if fail_on != "never" and any(fail_on in e.fails for e in entries):
        return 1
    return 0


class Joiner:
    """The outputs that follow input order, joined while the workers still check: each result
    joins the moment it and every input before it are stored (:meth:`put`). results.json's
    body (its head holds the summary, known last: :func:`write_outputs` puts it in front),
    findings.csv (nameless until published), the page's violation blocks, and the scorecards'
    and quarters' counts of every checked result (exact when no input supersedes another, which
    :func:`write_outputs` verifies). Holds one result's pieces at a time."""

    def __init__(self, store: "Store", out: Path, lang: str, n: int) -> None:
        import tempfile

        from ..report import csv as csv_writer
        from ..report.safe import PendingFile
        from ..report.scorecard import DIMENSIONS, PeriodCells, Tallier
        from ..report.stream import results_json_frame
        self.store, self.lang = store, lang
        self.entries: list[Entry | None] = [None] * n
        self.joined = 0
        self._between = results_json_frame({})[1].encode("utf-8")  # the frame's parts between results need no head
        # Nameless files in the work folder: a killed run leaves none of them behind.
        self.body = tempfile.TemporaryFile(dir=store.root)
        self.fragment = tempfile.TemporaryFile("w+", encoding="utf-8", dir=store.root)
        self.csv = PendingFile(out / "findings.csv")
        self.csv.fh.write(csv_writer.head_chunk(lang).encode("utf-8"))
        self.blocks = 0
        self.talliers = {by: Tallier(by) for by in DIMENSIONS}
        self.cells = PeriodCells()
        self.checked = 0

    def put(self, i: int, e: "Entry") -> None:
        self.entries[i] = e
        while self.joined < len(self.entries) and (nxt := self.entries[self.joined]) is not None:
            self._join(nxt)
            self.joined += 1

    def _join(self, e: "Entry") -> None:
        got = self.store.pieces(e, self.lang)
        if self.joined:
            self.body.write(self._between)
        self.body.write(got.json)
        self.csv.fh.write(got.csv)
        if e.status == "checked":  # counted and ranked as if no input superseded it
            for by, t in self.talliers.items():
                t.merge(got.tallies[by], got.total)
            self.cells.merge(got.tallies["jurisdiction"], e.period or "", self.checked)
            self.checked += 1
        if got.html:
            self.fragment.write(got.html)
            self.blocks += 1

    def flush(self) -> None:
        self.body.flush()
        self.fragment.flush()
        self.csv.fh.flush()

    def close(self) -> None:
        self.body.close()
        self.fragment.close()
        self.csv.discard()


def _exact_counts(entries: list["Entry"], stubs: list["SubmissionResult"], store: "Store",
                  lang: str) -> tuple[dict[str, Any], Any]:
    """The scorecards' talliers and the quarters' cells when some input supersedes another:
    only the latest of each (pack, jurisdiction) counts, and ranks follow :func:`period_best`."""
    from ..report.scorecard import DIMENSIONS, PeriodCells, Tallier, current, period_best
    counted_ids = {id(s) for s in current(stubs)[0]}
    rank = {id(s): k for k, s in enumerate(period_best(stubs))}
    talliers = {by: Tallier(by) for by in DIMENSIONS}
    cells = PeriodCells()
    for stub, e in zip(stubs, entries):
        if id(stub) not in counted_ids and id(stub) not in rank:
            continue
        got = store.pieces(e, lang)
        if id(stub) in counted_ids:
            for by, t in talliers.items():
                t.merge(got.tallies[by], got.total)
        if id(stub) in rank:
            cells.merge(got.tallies["jurisdiction"], stub.period or "", rank[id(stub)])
    return talliers, cells


def _copy(src: Any, dst: Any) -> None:
    """All of ``src`` appended to ``dst`` (binary files, ``dst`` flushed): in the kernel where
    it can (a nation's results are 11 GB), else through a buffer."""
    import shutil
    src.flush()
    size = os.fstat(src.fileno()).st_size
    done = 0
    try:
        while done < size:
            k = os.copy_file_range(src.fileno(), dst.fileno(), size - done, done)
            if k == 0:
                break
            done += k
    except (AttributeError, OSError):
        pass  # not supported here: the rest by read and write
    if done < size:
        dst.seek(0, os.SEEK_END)
        src.seek(done)
        shutil.copyfileobj(src, dst, 1 << 20)


def write_outputs(entries: list["Entry"], store: "Store", report: "CountedReport", out: Path, lang: str,
                  previous: "PreviousRun | None", joined: Joiner, *, fork: bool = False) -> list[Path]:
    """The four outputs. ``joined``: the :class:`Joiner` that joined every entry while they were
    checked. Then, at once: results.json gets its head (its body
    copied behind it in a thread, mostly by the kernel), the workbook is rendered here, and the
    page — with ``fork`` — in a forked child, on the other core (rendered here if the child
    cannot be forked or fails). Holds one result's pieces at a time (two whole results while
    diffing a trend pair); every file appears whole."""
    import threading

    from ..model import SCHEMA_VERSION
    from ..report import html as html_writer
    from ..report import xlsx as xlsx_writer
    from ..report.base import RESULTS_FORMAT
    from ..report.safe import PendingFile, atomic_writer, write_atomic
    from ..report.scorecard import DIMENSIONS, Scorecard, current
    from ..report.stream import results_json_frame
    from ..report.trend import compare_pairs, diff, trend_pairs
    from ..report.view import BatchView, stamp_of
    from ..run import SubmissionResult
    assert joined.joined == len(entries)
    try:
        stubs = [e.stub() for e in entries]
        entry_of = {id(s): e for s, e in zip(stubs, entries)}
        counted, superseded = current(stubs)
        talliers, cells = (joined.talliers, joined.cells) if not superseded else _exact_counts(entries, stubs, store, lang)
        unusable: list[SubmissionResult] = [store.load(e) for e in entries if e.status in ("invalid", "failed")]
        head = {"format": RESULTS_FORMAT, "submission_schema_version": SCHEMA_VERSION, **report.info.to_dict(),
                "summary": report.counts().to_dict(), "notices": [n.to_dict() for n in report.notices]}
        steps = [diff(store.load(entry_of[id(a)]), store.load(entry_of[id(b)])) for a, b in trend_pairs(stubs)]
        if previous is not None:
            steps += [diff(a, store.load(entry_of[id(b)]), previous_run=True)
                      for a, b in compare_pairs(stubs, previous.latest)]
        cards = {by: Scorecard(by, talliers[by].rows(), talliers[by].total, counted, superseded)
                 for by in DIMENSIONS}
        fragment, blocks = joined.fragment, joined.blocks

        def findings_html(lang_: str) -> Iterator[str]:
            if not blocks:
                yield html_writer.no_findings(lang_)
                return
            fragment.seek(0)
            while chunk := fragment.read(1 << 20):
                yield chunk

        view = BatchView(report=report, cards=cards, quarters=cells.result(), steps=steps, unusable=unusable,
                         findings_html=findings_html, stamp=stamp_of(e.as_of for e in entries),
                         previous_count=previous.count if previous is not None else None)
        page = PendingFile(out / "report.html")
        try:
            joined.flush()  # nothing buffered is copied into the child, to be written twice
            child = _fork_page(page, view, lang) if fork else None
            before, _, after, empty = (t.encode("utf-8") for t in results_json_frame(head))
            failed: list[BaseException] = []

            def results_json() -> None:  # in the kernel and the disk mostly: beside the workbook
                try:
                    joined.csv.publish()
                    with atomic_writer(out / "results.json") as rj:
                        if entries:
                            rj.write(before)
                            rj.flush()
                            _copy(joined.body, rj)
                            rj.write(after)
                        else:
                            rj.write(empty)
                except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread below
                    failed.append(exc)

            copier = threading.Thread(target=results_json, name="ducha-results-json")
            copier.start()
            try:
                write_atomic(out / "scorecard.xlsx", xlsx_writer.render_view(view, lang))
            finally:
                copier.join()
            if failed:
                raise failed[0]
            ok = child is not None and wait_ok(child)
            child = None
            if not ok:  # no child, or it failed: the page is rendered here
                page.fh.seek(0)
                page.fh.truncate()
                for chunk in html_writer.render_view(view, lang):
                    page.fh.write(chunk.encode("utf-8"))
            page.publish()
        finally:
            if child is not None:  # an error here: the page's child is not waited for
                stop(child)
            page.discard()
    finally:
        joined.close()
    return [out / name for name in OUTPUTS]


def _fork_page(page: Any, view: Any, lang: str) -> int | None:
    """A forked child that writes report.html into ``page`` while this process writes the
    workbook (each output needs one core); None when it cannot be forked."""
    from ..forked import spawn
    from ..report import html as html_writer

    def render() -> None:
        for chunk in html_writer.render_view(view, lang):
            page.fh.write(chunk.encode("utf-8"))
        page.fh.flush()
    return spawn(render)


def check_options(options: "RunOptions", root: Path) -> None:
    """Judge --pack, --param, --select and --exclude against the packs before any work: a typo
    found after checking a thousand submissions would waste the whole run."""
    from ..run import Runner
    probe = Runner(options)  # a wrong --pack fails here
    for name in [options.pack] if options.pack else pack_names(root):
        probe._pack(name)  # rule files only (YAML), no engine
    unused = probe.unused_options()
    if unused:
        raise UsageError("；".join(f"{opt} {val}：{'未知参数' if opt == '--param' else '没有匹配的规则或义务'}"
                                  for opt, val, _ in unused),
                         "; ".join(f"{opt} {val}: {why}" for opt, val, why in unused))


def run(args: argparse.Namespace) -> int:
    import tempfile

    from ..collect import collect
    from ..journal import WORK, Store
    from ..report.base import summary_line
    from ..report.stream import read_previous
    from ..report.scorecard import accounting_line
    from ..run import RunOptions
    from ..waivers import Waivers
    from .check import _split, parse_params
    from .crash import internal_error_lines
    lang: str = args.lang
    check_workers(args.workers)
    if (args.executor == "dask") != (args.scheduler is not None):
        raise UsageError("--executor dask 须与 --scheduler ADDRESS 一起使用",
                         "--executor dask needs --scheduler ADDRESS, and --scheduler needs --executor dask")
    options = RunOptions(as_of=args.as_of, pack=args.pack, select=_split(args.select), exclude=_split(args.exclude),
                         params=parse_params(args.param, args.params), rules_dir=args.rules, debug=args.debug)
    check_options(options, rules_dir(args))
    waivers = Waivers.load(args.waivers) if args.waivers else None
    previous = read_previous(args.compare) if args.compare else None
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out 不是文件夹：{out}", f"--out is not a folder: {out}")
    client = _client(args.scheduler) if args.executor == "dask" else None
    err = sys.stderr
    try:
        store = Store(out, token_of(options, rules_dir(args), args.waivers), resume=args.resume)
        if args.resume and not store.had_journal:
            print(tr(lang, f"{out} 中没有可继续的运行记录，从头检查",
                     f"nothing to resume in {out}: checking everything"), file=err)
        elif store.had_journal and not args.resume:
            print(tr(lang, f"已忽略并替换 {out / WORK} 中上次运行的记录（如需继续上次运行，请加 --resume）",
                     f"ignoring and replacing the earlier run's journal in {out / WORK} (add --resume to continue it)"),
                  file=err)
        # Archive members are extracted where the checks can read them: on a cluster, next to
        # the outputs (a shared folder), not in this machine's temp folder.
        with tempfile.TemporaryDirectory(prefix="ducha-batch-", dir=store.root if client else None) as tmp:
            collection = collect(list(args.paths), Path(tmp), exclude=(out,))
            n = len(collection.inputs)
            for name in OUTPUTS:  # a report of an earlier run must not pass for this run's
                (out / name).unlink(missing_ok=True)
            where = (tr(lang, f"Dask 集群 {args.scheduler}", f"the Dask cluster at {args.scheduler}") if client
                     else tr(lang, f"{_workers(args.workers, n)} 个进程", f"{_workers(args.workers, n)} process(es)"))
            print(tr(lang, f"发现 {n} 份报送，使用 {where}检查…",
                     f"found {n} submission{'s' if n != 1 else ''}; checking with {where}…"), file=err)
            progress = Progress(n, lang, err)
            joiner = Joiner(store, out, lang, n)
            try:
                entries = check_into(store, collection.inputs, options, waivers, workers=args.workers,
                                    timeout=args.timeout, workdir=Path(tmp).resolve(), client=client,
                                    progress=progress, lang=lang, joiner=joiner)
            except KeyboardInterrupt:
                joiner.close()
                print(tr(lang, f"已完成的报送已记录；加 --resume 重新运行同一命令即可继续（{out / WORK}）",
                         f"finished inputs are recorded; run the same command with --resume to continue ({out / WORK})"),
                      file=err)
                raise
            except BaseException:
                joiner.close()
                raise
        report = build_report(entries, options, waivers, collection, args.fail_on, args.waivers)
        written = write_outputs(entries, store, report, out, lang, previous, joiner, fork=client is None)
        store.close(keep=entries)
    finally:
        if client is not None:
            client.close()
    skipped = [n for n in report.notices if n.code == "W-SKIPPED"]
    shown = [n for n in report.notices if n.code != "W-SKIPPED"] + skipped[:SHOW_SKIPPED]
    for notice in shown:
        where = f"{notice.where}: " if notice.where else ""
        tell(f"{notice.code} {where}{notice.message(lang)}", err)
    if len(skipped) > SHOW_SKIPPED:  # an inbox full of scanned PDFs must not bury the rest
        more = len(skipped) - SHOW_SKIPPED
        print(tr(lang, f"W-SKIPPED …另跳过 {more} 个（全部列于 results.json）",
                 f"W-SKIPPED … and {more} more (all listed in results.json)"), file=err)
    for path in written:
        tell(tr(lang, f"已写入 {path}", f"wrote {path}"), sys.stdout)
    crashed = [e.name for e in entries if e.status == "failed" and e.failure == "internal"]
    if crashed:
        for line in internal_error_lines(", ".join(crashed)):
            tell(line, err)
    print(summary_line(report, lang))
    print(accounting_line(report, lang))
    c = report.counts()
    if c.checked + c.invalid + c.failed != n or c.files != n:  # the promise of this command
        raise RuntimeError(f"accounting mismatch: {n} inputs, {c.checked + c.invalid + c.failed} results")
    if n == 0:
        print(tr(lang, "没有找到任何报送文件", "no submission was found"), file=err)
        return 2
    return exit_code(entries, args.fail_on)


def _client(address: str) -> Any:
    """A Dask client, or a bilingual usage error (extra not installed, scheduler unreachable)."""
    try:
        from ..executors import SchedulerUnreachable, connect
        return connect(address)
    except ImportError:
        raise UsageError("--executor dask 需要安装 dask 扩展：pip install 'ducha[dask]'",
                         "--executor dask needs the dask extra: pip install 'ducha[dask]'") from None
    except SchedulerUnreachable as e:
        raise UsageError(e.zh, e.en) from None


def _workers(asked: int | None, n: int) -> int:
    return max(1, min(asked or os.cpu_count() or 1, max(n, 1)))
