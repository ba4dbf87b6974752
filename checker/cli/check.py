"""``ducha check FILE...``: check submissions against their rule pack and report.

Each input is loaded, validated and evaluated (:mod:`checker.run`); waivers turn approved
violations into *waived*; a baseline hides lapses already known; the report is written in
every ``--format`` asked for. The exit code follows ``--fail-on`` (see ``ducha --help``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import UsageError, add_rules_dir, check_workers, iso_date, tell, use_color, write_output

if TYPE_CHECKING:
    from ..report.base import Report

HELP = "检查报送数据 / check submissions against their rule pack"
SHOW_ALL = ("violated", "error", "waived", "pending", "not_applicable", "passed")


def configure(p: argparse.ArgumentParser) -> None:
    from ..report import WRITERS  # the registry only (no writer is imported)
    p.add_argument("files", nargs="+", metavar="FILE", type=Path,
                   help="报送文件（.json .yaml .xlsx 或 CSV 文件夹）/ submission files (.json .yaml .xlsx or a CSV folder)")
    p.add_argument("--as-of", type=iso_date, metavar="DATE",
                   help="检查日期（默认：各报送自身的数据截止日期，从不使用系统时间）/ "
                        "evaluation date (default: each submission's own as_of; never the wall clock)")
    p.add_argument("--pack", metavar="NAME", help="规则包（默认：报送表头所写）/ rule pack (default: the submission header's)")
    p.add_argument("--select", action="append", default=[], metavar="ID",
                   help="只检查这些规则或义务（编号或通配符，可重复或用逗号分隔）/ only these rules or obligations "
                        "(ID or glob; repeatable or comma-separated)")
    p.add_argument("--exclude", action="append", default=[], metavar="ID",
                   help="不检查这些规则或义务 / skip these rules or obligations")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="覆盖参数（NAME 或 RULE.NAME；值按 YAML 解析）/ override a parameter (NAME or RULE.NAME; YAML value)")
    p.add_argument("--params", type=Path, metavar="FILE",
                   help="参数文件（YAML 映射，--param 优先）/ parameter file (a YAML mapping; --param wins)")
    p.add_argument("--waivers", type=Path, metavar="FILE", help="豁免文件 / waiver file (YAML)")
    p.add_argument("--baseline", type=Path, metavar="FILE",
                   help="基线（以前 --format json 的输出）：只报告新的违反 / "
                        "baseline (an earlier --format json output): report only new violations")
    p.add_argument("--format", action="append", default=[], metavar="FMT[:PATH]", dest="formats",
                   help=f"输出格式，可重复；无路径则写到标准输出（{', '.join(WRITERS)}）/ output format, repeatable; "
                        "no path = stdout (e.g. --format sarif:out.sarif --format text)")
    p.add_argument("--fail-on", choices=("error", "warning", "never"), default="error",
                   help="何种严重程度的违反使退出码为 1（默认 error）/ severity that makes the exit code 1 (default error)")
    p.add_argument("--show", default="violated,error,waived", metavar="LIST",
                   help=f"文本输出显示的结果（逗号分隔，或 all）/ outcomes listed in text output (comma list or all): "
                        f"{','.join(SHOW_ALL)}")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="颜色（auto：仅终端且未设 NO_COLOR）/ colour (auto: a terminal without NO_COLOR)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="大报送的规则由几个进程分担（默认：全部 CPU 核；1 为不分担；结果相同）/ processes that share "
                        "the rules of a large submission (default: all cores; 1: none; the results are the same)")
    add_rules_dir(p)


@dataclass(frozen=True)
class CheckOptions:
    as_of: dt.date | None = None
    pack: str | None = None
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    waivers: Path | None = None
    baseline: Path | None = None
    outputs: tuple[tuple[str, Path | None], ...] = (("text", None),)
    fail_on: str = "error"
    show: tuple[str, ...] = ("violated", "error", "waived")
    color: str = "auto"
    rules: Path | None = None
    lang: str = "zh"
    debug: bool = False
    workers: int = 1


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for raw in values for v in raw.split(",") if v.strip())


def parse_outputs(specs: list[str]) -> tuple[tuple[str, Path | None], ...]:
    """``FMT[:PATH]`` specs → (format, path or None for stdout); at most one goes to stdout."""
    from ..report import WRITERS
    out: list[tuple[str, Path | None]] = []
    for spec in specs or ["text"]:
        name, sep, path = spec.partition(":")
        if name not in WRITERS:
            known = ", ".join(WRITERS)
            raise UsageError(f"未知的输出格式“{name}”（可用：{known}）", f"unknown output format {name!r} (known: {known})")
        if sep and not path:
            raise UsageError(f"“{spec}”缺少路径", f"{spec!r}: the path is missing")
        out.append((name, Path(path) if path else None))
    if sum(1 for _, p in out if p is None) > 1:
        raise UsageError("最多一个输出格式可写到标准输出；其余请加 :PATH",
                         "at most one format can go to stdout; give the others a :PATH")
    paths = [p for _, p in out if p is not None]
    if len(set(paths)) != len(paths):
        raise UsageError("两个输出格式写到同一文件", "two formats write to the same file")
    return tuple(out)


def parse_params(pairs: list[str], file: Path | None) -> dict[str, Any]:
    """``--params FILE`` then ``--param NAME=VALUE`` (later wins); values are YAML."""
    import yaml

    from ..errors import InputError, Location, Problem
    from ..evaluate import parse_param_value
    params: dict[str, Any] = {}
    if file is not None:
        def bad(zh: str, en: str) -> InputError:
            return InputError([Problem(Location(str(file)), "E-PARAMS", zh, en)])
        try:
            doc = yaml.safe_load(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise bad("参数文件不存在", "the parameter file does not exist") from None
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise bad(f"参数文件无法读取（{type(e).__name__}）", f"the parameter file cannot be read ({e})") from None
        except ValueError as e:  # PyYAML raises it for impossible dates such as 2018-02-30
            raise bad(f"参数文件中有无效的值：{e}", f"the parameter file holds an invalid value: {e}") from None
        if doc is None:
            doc = {}
        if not isinstance(doc, dict) or not all(isinstance(k, str) for k in doc):
            raise bad("参数文件应为“名称: 值”的映射", "a parameter file is a mapping of NAME: value")
        params.update(doc)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param 应写作 NAME=VALUE：“{pair}”", f"--param takes NAME=VALUE: {pair!r}")
        try:
            params[name.strip()] = parse_param_value(value)
        except ValueError as e:  # an impossible date such as 2018-02-30
            raise UsageError(f"--param {name.strip()} 的值无效：{e}", f"--param {name.strip()}: invalid value: {e}") from None
    return params


def parse_show(text: str) -> tuple[str, ...]:
    items = _split([text])
    if items == ("all",):
        return SHOW_ALL
    bad = [i for i in items if i not in SHOW_ALL]
    if bad:
        raise UsageError(f"--show 的取值未知：{', '.join(bad)}（可用：{','.join(SHOW_ALL)}）",
                         f"unknown --show value(s): {', '.join(bad)} (known: {','.join(SHOW_ALL)})")
    return items


def options_from(args: argparse.Namespace) -> CheckOptions:
    return CheckOptions(
        as_of=args.as_of, pack=args.pack, select=_split(args.select), exclude=_split(args.exclude),
        params=parse_params(args.param, args.params), waivers=args.waivers, baseline=args.baseline,
        outputs=parse_outputs(args.formats), fail_on=args.fail_on, show=parse_show(args.show), color=args.color,
        rules=args.rules, lang=args.lang, debug=args.debug, workers=check_workers(args.workers) or os.cpu_count() or 1)


def build_report(files: list[Path], o: CheckOptions) -> "Report":
    """Check ``files`` and assemble the report (waivers applied, baseline known)."""
    from .. import __version__
    from ..baseline import Baseline
    from ..report.base import Report, RunInfo
    from ..run import RunOptions, Runner
    from ..waivers import Waivers

    waivers = Waivers.load(o.waivers) if o.waivers is not None else None
    baseline = Baseline.load(o.baseline) if o.baseline is not None else None
    runner = Runner(RunOptions(as_of=o.as_of, pack=o.pack, select=o.select, exclude=o.exclude, params=o.params,
                               rules_dir=o.rules, debug=o.debug, processes=o.workers), waivers)
    results = runner.run_all(files)
    unused = runner.unused_options()
    if unused:
        raise UsageError("；".join(f"{opt} {val}：{'未知参数' if opt == '--param' else '没有匹配的规则或义务'}"
                                  for opt, val, _ in unused),
                         "; ".join(f"{opt} {val}: {why}" for opt, val, why in unused))
    return Report(
        results=tuple(results),
        info=RunInfo(ducha_version=__version__, as_of=o.as_of.isoformat() if o.as_of else None, pack=o.pack,
                     params=o.params, select=o.select, exclude=o.exclude, fail_on=o.fail_on,
                     waivers=str(o.waivers) if o.waivers else None,
                     baseline=str(o.baseline) if o.baseline else None),
        notices=tuple(waivers.notices(results)) if waivers else (),
        suppressed=baseline.fingerprints if baseline else frozenset())


def check(files: list[Path], o: CheckOptions) -> int:
    from ..collector import gc_frozen
    from ..report import get_writer
    from ..report.base import RenderOptions, summary_line
    from .crash import internal_error_lines

    writers = [(name, get_writer(name), path) for name, path in o.outputs]
    for name, writer, path in writers:  # before any work: a terminal cannot show bytes
        if writer.BINARY and path is None and sys.stdout.isatty():
            raise UsageError(f"“{name}”是二进制格式，请写到文件：--format {name}:PATH",
                             f"{name!r} is a binary format; write it to a file: --format {name}:PATH")
    report = build_report(files, o)
    rendered = []
    # The report's findings outlive rendering: kept out of the collector's passes, which the
    # writers' many small objects (junit's elements) would otherwise trigger over and over.
    with gc_frozen():
        for name, writer, path in writers:
            colour = name == "text" and path is None and use_color(o.color, sys.stdout)
            rendered.append((writer.render(report, RenderOptions(lang=o.lang, show=o.show, color=colour)), path))
    for text, path in rendered:  # all rendered first: a failing writer leaves no half-written set
        write_output(text, path)
    if not any(name in ("text", "github") and path is None for name, path in o.outputs):
        print(summary_line(report, o.lang), file=sys.stderr)
    for r in report.results:
        if r.status == "failed" and r.failure == "internal":
            for line in internal_error_lines(f"{r.path}: {r.reason}"):
                tell(line)
    return report.exit_code()


def run(args: argparse.Namespace) -> int:
    return check(list(args.files), options_from(args))
