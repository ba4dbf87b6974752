"""``ducha batch PATH...``: a supervision office checks everything it received at once.

Inputs are found in files, folders and zip archives (:mod:`checker.collect`), checked in
parallel in a supervised process pool (:mod:`checker.pool`; processes, because the engine
holds the GIL; a crash costs only its own input), and written to ``--out`` in input order,
whatever order the workers finish in:

* ``results.json`` — the ``ducha-results/1`` contract (every input, every outcome);
* ``findings.csv`` — one row per finding, UTF-8 with BOM, formula-safe;
* ``scorecard.xlsx`` — compliance by jurisdiction, lead unit, obligation, section and quarter,
  the trend, and the unusable inputs with their problems;
* ``report.html`` — one self-contained page with charts (inline SVG, no external assets).

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
from typing import TYPE_CHECKING, Any, TextIO

from .common import UsageError, add_rules_dir, iso_date, pack_names, rules_dir, tr

if TYPE_CHECKING:
    from ..collect import Collection, Input
    from ..report.base import Report
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

    def update(self, result: "SubmissionResult") -> None:
        self.done += 1
        if self.tty:
            width = 28
            filled = width * self.done // max(self.total, 1)
            name = result.path if len(result.path) <= 40 else "…" + result.path[-39:]
            self.stream.write(f"\r\x1b[K[{'█' * filled}{'░' * (width - filled)}] {self.done}/{self.total} {name}")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {status_text(result, self.lang)} {result.path}\n")
        self.stream.flush()


def status_text(r: "SubmissionResult", lang: str) -> str:
    if r.status == "checked":
        n = sum(1 for f in r.findings if f.outcome == "violated")
        return tr(lang, f"已检查（违反 {n}）", f"checked ({n} violated)")
    if r.status == "invalid":
        return tr(lang, f"无法使用（{len(r.problems)} 个问题）", f"unusable ({len(r.problems)} problems)")
    return tr(lang, "未能检查", "not checked")


# ---------------------------------------------------------------- the parent side


def _refused(inp: "Input") -> "SubmissionResult":
    """An input that cannot even be opened (an unsafe archive, a missing path) is *invalid*:
    the input is unusable, with a bilingual problem saying why (exit 2)."""
    from ..errors import Location, Problem
    from ..run import SubmissionResult
    return SubmissionResult(path=inp.name, status="invalid",
                            problems=(Problem(Location(inp.name), inp.code, inp.refused_zh, inp.refused_en),))


def check_all(inputs: list["Input"], options: "RunOptions", waivers: "Waivers | None", *, workers: int | None,
              timeout: float | None, progress: Progress | None = None) -> list["SubmissionResult"]:
    """One result per input, in input order (the pool yields in completion order)."""
    import json

    from ..pool import Failed, run
    from ..run import SubmissionResult
    results: list[SubmissionResult | None] = [None] * len(inputs)
    where: list[int] = []
    for i, inp in enumerate(inputs):
        if inp.refused or inp.path is None:
            refused = results[i] = _refused(inp)
            if progress:
                progress.update(refused)
            continue
        where.append(i)
    token = json.dumps([repr(options), waivers.path if waivers else None, len(waivers.items) if waivers else 0])
    tasks = [Task(inputs[i].name, str(inputs[i].path), options, waivers, token) for i in where]
    for k, got in run(tasks, check_task, workers=workers, timeout=timeout):
        i = where[k]
        if isinstance(got, Failed):
            detail = tuple(got.detail.rstrip().splitlines()) if options.debug and got.detail else ()
            got = SubmissionResult(path=inputs[i].name, status="failed", failure="internal",
                                   reason=f"{got.reason_zh} / {got.reason_en}", detail=detail)
        results[i] = got
        if progress:
            progress.update(got)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def build_report(results: list["SubmissionResult"], options: "RunOptions", waivers: "Waivers | None",
                 collection: "Collection", fail_on: str, waivers_path: Path | None) -> "Report":
    from .. import __version__
    from ..report.base import Report, RunInfo
    from ..run import Notice
    notices = list(waivers.notices(results)) if waivers else []
    for name, zh, en in collection.skipped:
        notices.append(Notice("W-SKIPPED", f"已跳过：{zh}", f"skipped: {en}", name))
    info = RunInfo(ducha_version=__version__, as_of=options.as_of.isoformat() if options.as_of else None,
                   pack=options.pack, params=dict(options.params), select=options.select, exclude=options.exclude,
                   fail_on=fail_on, waivers=str(waivers_path) if waivers_path else None)
    return Report(results=tuple(results), info=info, notices=tuple(notices))


def write_outputs(report: "Report", out: Path, lang: str, previous: "Report | None") -> list[Path]:
    from ..report import csv as csv_writer
    from ..report import html as html_writer
    from ..report import json as json_writer
    from ..report import xlsx as xlsx_writer
    from ..report.base import RenderOptions
    from ..report.safe import write_atomic
    opts = RenderOptions(lang=lang)
    rendered: dict[str, str | bytes] = {
        "results.json": json_writer.render(report, opts),
        "findings.csv": csv_writer.render(report, opts),
        "scorecard.xlsx": xlsx_writer.render(report, opts, previous=previous),
        "report.html": html_writer.render(report, opts, previous=previous),
    }
    paths = []
    for name in OUTPUTS:
        write_atomic(out / name, rendered[name])
        paths.append(out / name)
    return paths


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
    from ..report.base import read_results, summary_line
    from ..report.scorecard import accounting_line
    from ..run import RunOptions
    from ..waivers import Waivers
    from .check import _split, parse_params
    from .crash import internal_error_lines
    lang: str = args.lang
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers 至少为 1", "--workers must be at least 1")
    options = RunOptions(as_of=args.as_of, pack=args.pack, select=_split(args.select), exclude=_split(args.exclude),
                         params=parse_params(args.param, args.params), rules_dir=args.rules, debug=args.debug)
    check_options(options, rules_dir(args))
    waivers = Waivers.load(args.waivers) if args.waivers else None
    previous = read_results(args.compare) if args.compare else None
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out 不是文件夹：{out}", f"--out is not a folder: {out}")
    err = sys.stderr
    with tempfile.TemporaryDirectory(prefix="ducha-batch-") as tmp:
        collection = collect(list(args.paths), Path(tmp), exclude=(out,))
        n = len(collection.inputs)
        print(tr(lang, f"发现 {n} 份报送，使用 {_workers(args.workers, n)} 个进程检查…",
                 f"found {n} submission{'s' if n != 1 else ''}; checking with {_workers(args.workers, n)} process(es)…"),
              file=err)
        progress = Progress(n, lang, err)
        results = check_all(collection.inputs, options, waivers, workers=args.workers, timeout=args.timeout,
                            progress=progress)
    report = build_report(results, options, waivers, collection, args.fail_on, args.waivers)
    written = write_outputs(report, out, lang, previous)
    skipped = [n for n in report.notices if n.code == "W-SKIPPED"]
    shown = [n for n in report.notices if n.code != "W-SKIPPED"] + skipped[:SHOW_SKIPPED]
    for notice in shown:
        where = f"{notice.where}: " if notice.where else ""
        print(f"{notice.code} {where}{notice.message(lang)}", file=err)
    if len(skipped) > SHOW_SKIPPED:  # an inbox full of scanned PDFs must not bury the rest
        more = len(skipped) - SHOW_SKIPPED
        print(tr(lang, f"W-SKIPPED …另跳过 {more} 个（全部列于 results.json）",
                 f"W-SKIPPED … and {more} more (all listed in results.json)"), file=err)
    for path in written:
        print(tr(lang, f"已写入 {path}", f"wrote {path}"))
    crashed = [r.path for r in results if r.status == "failed" and r.failure == "internal"]
    if crashed:
        for line in internal_error_lines(", ".join(crashed)):
            print(line, file=err)
    print(summary_line(report, lang))
    print(accounting_line(report, lang))
    c = report.counts()
    if c.checked + c.invalid + c.failed != n or c.files != n:  # the promise of this command
        raise RuntimeError(f"accounting mismatch: {n} inputs, {c.checked + c.invalid + c.failed} results")
    if n == 0:
        print(tr(lang, "没有找到任何报送文件", "no submission was found"), file=err)
        return 2
    return report.exit_code(args.fail_on)


def _workers(asked: int | None, n: int) -> int:
    return max(1, min(asked or os.cpu_count() or 1, max(n, 1)))
