"""``ducha rules list|show|coverage|lint|import-table``: the rule packs as data.

* ``list``: id, kind, severity, levels and title of every rule;
* ``show ID``: one rule (or every rule implementing an obligation ID) with its clause,
  quote, parameters (defaults and sources) and spec;
* ``coverage``: every catalogue ID with the rules and fixture cases covering it; exit 1
  when an ID of the selected packs has no rule;
* ``lint``: every rule file validated, plus cross-checks; each error names file and field;
* ``import-table``: a responsibility table (CSV/XLSX) → ``tasks.yaml``; exit 2 with row
  numbers when rows cannot be used.
"""
from __future__ import annotations

import argparse
import string
import sys
from pathlib import Path

from .common import UsageError, add_common, add_rules_dir, pack_names, rules_dir, tell, tr

HELP = "规则包：列出、查看、覆盖情况、检查、导入任务表 / rule packs: list, show, coverage, lint, import-table"
NESTED = True
MESSAGE_FIELDS = {"subject", "subject_id", "expected", "actual", "due", "reason", "detail", "jurisdiction", "days"}


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="列出规则 / list rules")
    ls.add_argument("--pack", action="append", default=[], metavar="NAME", help="只列此规则包 / only this pack")
    show = sub.add_parser("show", help="查看一条规则 / show one rule")
    show.add_argument("id", metavar="ID", help="规则或义务编号 / rule or obligation ID")
    cov = sub.add_parser("coverage", help="义务目录的覆盖情况 / catalogue coverage")
    cov.add_argument("--pack", action="append", default=[], metavar="NAME", help="只看此规则包 / only this pack")
    cov.add_argument("--catalogue", type=Path, metavar="PATH",
                     help="义务目录（默认 <repo>/../shared/obligations.md）/ catalogue (default <repo>/../shared/obligations.md)")
    cov.add_argument("--fixtures", type=Path, metavar="DIR",
                     help="规则用例目录（默认 <repo>/tests/rules）/ fixture directory (default <repo>/tests/rules)")
    lint = sub.add_parser("lint", help="检查规则文件 / validate rule files")
    lint.add_argument("--pack", action="append", default=[], metavar="NAME", help="只检查此规则包 / only this pack")
    lint.add_argument("--catalogue", type=Path, metavar="PATH", help="义务目录 / obligation catalogue")
    imp = sub.add_parser("import-table", help="导入责任分工表 / import a responsibility table")
    imp.add_argument("src", type=Path, metavar="SRC", help="CSV 或 XLSX / a CSV or XLSX file")
    imp.add_argument("--out", type=Path, required=True, metavar="PATH", help="如 rules/<pack>/tasks.yaml")
    imp.add_argument("--ref-prefix", required=True, metavar="PREFIX", help="任务编号前缀，如 CN-T / task ref prefix, e.g. CN-T")
    imp.add_argument("--document", required=True, metavar="PACK", help="规则包（文件）名 / the pack (document) name")
    for leaf in (ls, show, cov, lint, imp):
        if leaf is not imp:
            add_rules_dir(leaf)
        add_common(leaf)


def _warn(problems: list[str], lang: str) -> None:
    if problems:
        print(tr(lang, f"警告：{len(problems)} 个规则文件无法读取（详见 ducha rules lint）：",
                 f"warning: {len(problems)} rule file problem(s) (see ducha rules lint):"), file=sys.stderr)
        for line in problems:
            tell(f"  {line}")


def rules_list(root: Path, packs: list[str], lang: str) -> int:
    from .describe import _levels, list_line, load_rules, severity_text
    rules, problems = load_rules(root, packs or None)
    _warn(problems, lang)
    widths = (max([len(r.id) for r in rules] + [2]), max([len(r.spec.kind) for r in rules] + [4]),
              max([len(severity_text(r)) for r in rules] + [8]), max([len(_levels(r)) for r in rules] + [6]))
    for pack in dict.fromkeys(r.pack for r in rules):
        mine = [r for r in rules if r.pack == pack]
        print(tr(lang, f"{pack}（{len(mine)} 条规则）", f"{pack} ({len(mine)} rule{'s' if len(mine) != 1 else ''})"))
        for r in mine:
            print(list_line(r, lang, widths))
    return 0


def rules_show(root: Path, rid: str, lang: str) -> int:
    from .catalogue import try_catalogue
    from .describe import describe_rule, load_rules
    rules, problems = load_rules(root)
    hits = [r for r in rules if r.id == rid] or [r for r in rules if rid in r.spec.obligations]
    if not hits:
        _warn(problems, lang)
        raise UsageError(f"没有编号为“{rid}”的规则或义务", f"no rule or obligation {rid!r}")
    cat = try_catalogue()
    for i, r in enumerate(hits):
        if i:
            print()
        print("\n".join(describe_rule(r, lang, cat)))
    return 0


def rules_coverage(root: Path, packs: list[str], catalogue: Path | None, fixtures: Path | None, lang: str) -> int:
    import yaml

    from .catalogue import load_catalogue
    from .describe import load_rules
    cat = load_catalogue(catalogue)
    fixtures = fixtures or root.parent / "tests" / "rules"
    selected = packs or sorted(cat.prefixes)
    unknown = [p for p in selected if p not in cat.prefixes]
    if unknown:
        raise UsageError(f"义务目录中没有规则包：{', '.join(unknown)}", f"no such pack in the catalogue: {', '.join(unknown)}")
    rules, problems = load_rules(root, [p for p in selected if (root / p).is_dir()])
    _warn(problems, lang)
    uncovered: list[str] = []
    for pack in selected:
        ids = cat.ids(pack)
        by_id = {oid: [r for r in rules if r.pack == pack and oid in r.spec.obligations] for oid in ids}
        n_cov = sum(1 for v in by_id.values() if v)
        print(tr(lang, f"{pack}：{len(ids)} 个编号，已覆盖 {n_cov}，未覆盖 {len(ids) - n_cov}",
                 f"{pack}: {len(ids)} IDs, {n_cov} covered, {len(ids) - n_cov} uncovered"))
        for oid in ids:
            covering = by_id[oid]
            if not covering:
                uncovered.append(oid)
                print(f"  {oid}  " + tr(lang, "未覆盖", "UNCOVERED"))
                continue
            parts = []
            for r in covering:
                fx = fixtures / pack / f"{r.id}.yaml"
                if fx.exists():
                    try:
                        n = len((yaml.safe_load(fx.read_text(encoding="utf-8")) or {}).get("cases") or [])
                    except (yaml.YAMLError, AttributeError):
                        n = 0
                    parts.append(tr(lang, f"{r.id}（用例 {n}：{fx}）", f"{r.id} ({n} case{'s' if n != 1 else ''}: {fx})"))
                else:
                    parts.append(tr(lang, f"{r.id}（无用例）", f"{r.id} (no fixture cases)"))
            print(f"  {oid}  " + "; ".join(parts))
        stray = sorted({o for r in rules if r.pack == pack for o in r.spec.obligations} - set(ids))
        if stray:
            print(tr(lang, f"  目录中没有的编号：{', '.join(stray)}", f"  IDs not in the catalogue: {', '.join(stray)}"))
    if uncovered:
        print(tr(lang, f"未覆盖 {len(uncovered)} 个：{', '.join(uncovered)}",
                 f"{len(uncovered)} uncovered: {', '.join(uncovered)}"))
    else:
        print(tr(lang, "全部已覆盖", "all covered"))
    # Broken rule files make the answer unreliable: that outranks the uncovered IDs.
    return 2 if problems else (1 if uncovered else 0)


def lint_pack(root: Path, pack: str, catalogue_ids: set[str] | None) -> tuple[list[str], list[str]]:
    """(errors, warnings) for one pack; every line starts with the file and the field."""
    import yaml

    from ..errors import RuleError
    from ..rulefile import _param_refs, parse_rule
    from .describe import rule_files
    errors: list[str] = []
    warnings: list[str] = []
    d = root / pack
    meta = d / "pack.yaml"
    if meta.exists():
        try:
            m = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
            if not isinstance(m, dict) or m.get("format") != "ducha-pack/1":
                errors.append(f"{meta}: /format: expected ducha-pack/1")
        except yaml.YAMLError as e:
            errors.append(f"{meta}: /: not valid YAML: {e}")
    tasks = d / "tasks.yaml"
    if tasks.exists():
        try:
            tdoc = yaml.safe_load(tasks.read_text(encoding="utf-8")) or {}
            if not isinstance(tdoc, dict) or tdoc.get("format") != "ducha-task-table/1":
                errors.append(f"{tasks}: /format: expected ducha-task-table/1")
            elif not isinstance(tdoc.get("rows"), list):
                errors.append(f"{tasks}: /rows: expected a list of task rows")
        except yaml.YAMLError as e:
            errors.append(f"{tasks}: /: not valid YAML: {e}")
    seen: dict[str, Path] = {}
    for path in rule_files(root, pack):
        try:
            rule = parse_rule(path, pack, d)
        except RuleError as e:
            errors.extend(e.problems)
            continue
        s = rule.spec
        if s.id in seen:
            errors.append(f"{path}: /id: {s.id!r} is also the id in {seen[s.id]}")
        seen[s.id] = path
        if s.source.document != pack:
            errors.append(f"{path}: /source/document: {s.source.document!r} is not the pack {pack!r}")
        for lang in ("zh", "en"):
            try:
                names = {f for _, f, _, _ in string.Formatter().parse(getattr(s.message, lang)) if f is not None}
            except ValueError as e:
                errors.append(f"{path}: /message/{lang}: not a valid template: {e}")
                continue
            for name in sorted(names - MESSAGE_FIELDS):
                errors.append(f"{path}: /message/{lang}: unknown field {{{name}}} "
                              f"(known: {', '.join(sorted(MESSAGE_FIELDS))})")
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        used = set(_param_refs(doc.get("spec", {})))
        for name in sorted(set(s.params) - used):
            warnings.append(f"{path}: /params/{name}: declared but not used in spec")
        if catalogue_ids is not None:
            for i, oid in enumerate(s.obligations):
                if oid not in catalogue_ids:
                    warnings.append(f"{path}: /obligations/{i}: {oid!r} is not in the obligation catalogue")
    return errors, warnings


def rules_lint(root: Path, packs: list[str], catalogue: Path | None, lang: str) -> int:
    from .catalogue import try_catalogue
    cat = try_catalogue(catalogue)
    names = packs or pack_names(root)
    errors: list[str] = []
    warnings: list[str] = []
    files = 0
    from .describe import rule_files
    for pack in names:
        if not (root / pack).is_dir():
            errors.append(f"{root / pack}: /: no such rule pack {pack!r}")
            continue
        files += len(rule_files(root, pack))
        e, w = lint_pack(root, pack, set(cat.entries) if cat else None)
        errors += e
        warnings += w
    for line in errors:
        print(tr(lang, f"错误 {line}", f"error {line}"))
    for line in warnings:
        print(tr(lang, f"警告 {line}", f"warning {line}"))
    print(tr(lang, f"{files} 个规则文件，错误 {len(errors)}，警告 {len(warnings)}",
             f"{files} rule file{'s' if files != 1 else ''}: {len(errors)} error{'s' if len(errors) != 1 else ''}, "
             f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"))
    return 2 if errors else 0


def import_table_cmd(src: Path, out: Path, ref_prefix: str, document: str, lang: str) -> int:
    import os

    from ..tableimport import import_table, write_task_table
    if not src.is_file():
        raise UsageError(f"找不到文件：{src}", f"no such file: {src}")
    result = import_table(src, ref_prefix=ref_prefix, document=document)
    if result.problems:
        for p in result.problems:
            col = f" {tr(lang, '列', 'column')} {p.column}" if p.column else ""
            print(tr(lang, f"{src} 第 {p.row} 行{col}：{p.message_zh}", f"{src} row {p.row}{col}: {p.message_en}"))
        n = len(result.problems)
        print(tr(lang, f"{n} 个问题，未写入 {out}", f"{n} problem{'s' if n != 1 else ''}; {out} not written"))
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    source = Path(os.path.relpath(src.resolve(), out.resolve().parent)).as_posix()
    write_task_table(result, out, document=document, source=source)
    n = len(result.rows)
    print(tr(lang, f"已写入 {out}（{n} 行）", f"wrote {out} ({n} row{'s' if n != 1 else ''})"))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.action == "import-table":
        return import_table_cmd(args.src, args.out, args.ref_prefix, args.document, args.lang)
    root = rules_dir(args)
    if args.action == "list":
        return rules_list(root, args.pack, args.lang)
    if args.action == "show":
        return rules_show(root, args.id, args.lang)
    if args.action == "coverage":
        return rules_coverage(root, args.pack, args.catalogue, args.fixtures, args.lang)
    return rules_lint(root, args.pack, args.catalogue, args.lang)
