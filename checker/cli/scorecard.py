"""``ducha scorecard PATH...``: compliance tables at the terminal.

PATH is a saved ``results.json`` (``ducha batch`` or ``ducha check --format json``) or
submissions — files, folders, zip archives — which are then checked first, as ``ducha
batch`` would. Tables by jurisdiction, lead unit, obligation or document section
(:mod:`checker.report.scorecard` says what is counted). Inputs that could not be used are
left out of the tables and named on stderr. Exit 0; for submissions read now, 2 when one
could not be used and 3 when ducha failed on one (a saved run's unusable inputs were that
run's exit code, not this one's).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .common import UsageError, add_rules_dir, check_workers, iso_date, rules_dir, tell, tr, use_color

if TYPE_CHECKING:
    from ..run import SubmissionResult

HELP = "按行政区、牵头单位、义务或章节统计合规率 / compliance by jurisdiction, lead unit, obligation or section"
BY = ("jurisdiction", "department", "obligation", "section")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="results.json，或报送文件、文件夹、zip 压缩包 / a results.json, or submissions (files, folders, zips)")
    p.add_argument("--by", choices=(*BY, "all"), default="jurisdiction",
                   help="统计维度（默认 jurisdiction；all 为全部四种）/ grouping (default jurisdiction; all = the four)")
    p.add_argument("--format", choices=("table", "markdown", "csv", "json"), default="table",
                   help="输出格式（默认 table）/ output format (default table)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="颜色（auto：仅终端且未设 NO_COLOR）/ colour (auto: a terminal without NO_COLOR)")
    p.add_argument("--as-of", type=iso_date, metavar="DATE", help="检查日期 / evaluation date (submissions only)")
    p.add_argument("--pack", metavar="NAME", help="规则包 / rule pack (submissions only)")
    p.add_argument("--select", action="append", default=[], metavar="ID", help="只检查这些规则或义务 / only these rules")
    p.add_argument("--exclude", action="append", default=[], metavar="ID", help="不检查这些规则或义务 / skip these rules")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="覆盖参数 / override a parameter")
    p.add_argument("--params", type=Path, metavar="FILE", help="参数文件 / parameter file")
    p.add_argument("--waivers", type=Path, metavar="FILE", help="豁免文件 / waiver file")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="并行进程数 / parallel processes")
    add_rules_dir(p)


def _is_results(path: Path) -> bool:
    """A ``ducha-results/1`` document (a submission JSON has no ``format`` key)."""
    from ..report.base import RESULTS_FORMAT
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    return f'"format": "{RESULTS_FORMAT}"' in head or f'"format":"{RESULTS_FORMAT}"' in head


def gather(args: argparse.Namespace) -> tuple[list["SubmissionResult"], list["SubmissionResult"], int]:
    """(saved results as they are, submissions checked now in input order, saved files read)."""
    import tempfile

    from ..collect import collect
    from ..report.base import read_results
    from ..run import RunOptions
    from ..waivers import Waivers
    from .batch import check_all, check_options
    from .check import _split, parse_params
    saved = [p for p in args.paths if _is_results(p)]
    fresh = [p for p in args.paths if p not in saved]
    results: list[SubmissionResult] = []
    fresh_results: list[SubmissionResult] = []
    for p in saved:
        results.extend(read_results(p).results)
    if fresh:
        check_workers(args.workers)
        options = RunOptions(as_of=args.as_of, pack=args.pack, select=_split(args.select),
                             exclude=_split(args.exclude), params=parse_params(args.param, args.params),
                             rules_dir=args.rules, debug=args.debug)
        check_options(options, rules_dir(args))
        waivers = Waivers.load(args.waivers) if args.waivers else None
        with tempfile.TemporaryDirectory(prefix="ducha-scorecard-") as tmp:
            collection = collect(fresh, Path(tmp))
            fresh_results = check_all(collection.inputs, options, waivers, workers=args.workers, timeout=None)
    return results, fresh_results, len(saved)


def run(args: argparse.Namespace) -> int:
    from ..report.scorecard import FORMATS, scorecard
    lang: str = args.lang
    saved, fresh, files = gather(args)
    results = saved + fresh
    if not results and not files:
        raise UsageError("没有找到任何报送或结果", "no submission or result was found")
    colour = args.format == "table" and use_color(args.color, sys.stdout)
    dims = BY if args.by == "all" else (args.by,)
    chunks = []
    for by in dims:
        card = scorecard(results, by)
        if args.format == "table":
            chunks.append(FORMATS["table"](card, lang, colour))
        else:
            chunks.append(FORMATS[args.format](card, lang))
    if args.format == "json" and len(dims) > 1:  # one JSON document, not several
        from ..report.scorecard import format_json
        docs = [json.loads(format_json(scorecard(results, by), lang)) for by in dims]
        chunks = [json.dumps(docs, ensure_ascii=False, indent=2) + "\n"]
    sys.stdout.write({"csv": "\r\n", "json": ""}.get(args.format, "\n").join(chunks))
    sys.stdout.flush()
    old_bad = sum(1 for r in saved if r.status != "checked")
    if old_bad:  # that run named them already; here a count is enough
        print(tr(lang, f"未计入：结果文件中 {old_bad} 份无法使用或未能检查的输入（见该次运行的报告）",
                 f"not counted: {old_bad} unusable or unchecked input{'s' if old_bad != 1 else ''} "
                 f"of the saved run (see its report)"), file=sys.stderr)
    for r in fresh:
        if r.status != "checked":
            why = r.reason or (r.problems[0].message(lang) if r.problems else "")
            tell(tr(lang, f"未计入：{r.path}（{why}）", f"not counted: {r.path} ({why})"))
    # Unusable inputs of a saved run were that run's news (and its exit code); only inputs
    # read now make this command's exit code.
    if any(r.status == "failed" and r.failure == "internal" for r in fresh):
        return 3
    return 2 if any(r.status != "checked" for r in fresh) else 0
