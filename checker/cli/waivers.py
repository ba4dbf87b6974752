"""``ducha waivers lint FILE``: check a waiver file before it is used.

Errors (exit 2): a malformed file or entry, missing or unknown fields, bad dates, duplicate
entries, obligation IDs that no rule and no catalogue entry knows, unknown packs. With
``--as-of DATE``, waivers already expired on that date are warnings (there is no default
date: ducha never reads the wall clock).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_common, add_rules_dir, iso_date, pack_names, rules_dir, tr

HELP = "豁免文件：检查 / waiver files: lint"
NESTED = True


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    lint = sub.add_parser("lint", help="检查豁免文件 / lint a waiver file")
    lint.add_argument("file", type=Path, metavar="FILE", help="豁免文件（YAML）/ waiver file (YAML)")
    lint.add_argument("--as-of", type=iso_date, metavar="DATE", help="报告此日期前已到期的豁免 / report waivers expired by DATE")
    lint.add_argument("--catalogue", type=Path, metavar="PATH", help="义务目录 / obligation catalogue")
    add_rules_dir(lint)
    add_common(lint)


def waivers_lint(file: Path, root: Path, catalogue: Path | None, as_of: object, lang: str) -> int:
    from ..errors import Location, Problem
    from ..waivers import parse_waivers
    from .catalogue import try_catalogue
    from .describe import load_rules
    waivers, errors = parse_waivers(file)
    warnings: list[Problem] = []
    rules, _ = load_rules(root)
    cat = try_catalogue(catalogue)
    known = {n for r in rules for n in (r.id, *r.spec.obligations)} | (set(cat.entries) if cat else set())
    packs = set(pack_names(root))
    for w in waivers:
        ptr = w.source.split("#", 1)[1]
        if w.obligation not in known:
            errors.append(Problem(Location(str(file), pointer=f"{ptr}/obligation"), "E-WAIVER-ID",
                                  f"未知的规则或义务编号“{w.obligation}”", f"unknown rule or obligation ID {w.obligation!r}",
                                  w.obligation))
        if w.pack is not None and w.pack not in packs:
            errors.append(Problem(Location(str(file), pointer=f"{ptr}/pack"), "E-WAIVER-PACK",
                                  f"未知的规则包“{w.pack}”", f"unknown rule pack {w.pack!r}", w.pack))
        if as_of is not None and w.expires < as_of:  # type: ignore[operator]
            warnings.append(Problem(Location(str(file), pointer=f"{ptr}/expires"), "W-WAIVER-EXPIRED",
                                    f"已于 {w.expires} 到期（{as_of}）", f"expired on {w.expires} (as of {as_of})"))
    sep = ": " if lang == "en" else "："
    for p in sorted(errors):
        print(tr(lang, "错误 ", "error ") + f"{p.code} {p.location}{sep}{p.message(lang)}")
    for p in sorted(warnings):
        print(tr(lang, "警告 ", "warning ") + f"{p.code} {p.location}{sep}{p.message(lang)}")
    n = len(waivers)
    print(tr(lang, f"{file}：{n} 条豁免，错误 {len(errors)}，警告 {len(warnings)}",
             f"{file}: {n} waiver{'s' if n != 1 else ''}, {len(errors)} error{'s' if len(errors) != 1 else ''}, "
             f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"))
    return 2 if errors else 0


def run(args: argparse.Namespace) -> int:
    return waivers_lint(args.file, rules_dir(args), args.catalogue, args.as_of, args.lang)
