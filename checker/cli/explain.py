"""``ducha explain ID``: why a rule exists, or why a finding came out as it did.

* A rule or obligation ID (``GG-14``): the clause, the quote, the catalogue's statement,
  the rule (kind, spec), parameters with defaults and sources.
* A finding fingerprint (16 hex digits, or a unique prefix of at least 6), looked up in a
  results file (``--results results.json``) or by checking submission files given after it:
  the finding, then each evidence record that decided it, read from the submission at the
  evidence location.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import UsageError, add_rules_dir, iso_date, rules_dir, tell, tr

if TYPE_CHECKING:
    from ..errors import Location
    from ..finding import Finding
    from ..load.base import RawSubmission

HELP = "解释规则、义务或某条检查结果 / explain a rule, an obligation or a finding"
FINGERPRINT = re.compile(r"^[0-9a-f]{6,16}$")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", metavar="FINDING_OR_RULE_ID",
                   help="规则或义务编号，或结果指纹 / a rule or obligation ID, or a finding fingerprint")
    p.add_argument("files", nargs="*", type=Path, metavar="FILE",
                   help="（指纹）要检查的报送文件 / (fingerprint) submission files to check")
    p.add_argument("--results", type=Path, metavar="FILE",
                   help="（指纹）ducha check --format json 的输出 / (fingerprint) a ducha check --format json output")
    p.add_argument("--catalogue", type=Path, metavar="PATH", help="义务目录 / obligation catalogue")
    p.add_argument("--as-of", type=iso_date, metavar="DATE", help="（检查报送时）检查日期 / evaluation date when checking files")
    p.add_argument("--pack", metavar="NAME", help="（检查报送时）规则包 / rule pack when checking files")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="（检查报送时）覆盖参数 / parameter override when checking files")
    add_rules_dir(p)


def explain_rule(rid: str, root: Path, catalogue: Path | None, lang: str) -> int:
    import sys

    from .catalogue import try_catalogue
    from .describe import describe_rule, load_rules
    rules, problems = load_rules(root)
    # The rule of that id first, then every rule implementing that obligation (its facets).
    hits = [r for r in rules if r.id == rid] + [r for r in rules if r.id != rid and rid in r.spec.obligations]
    cat = try_catalogue(catalogue)
    if not hits:
        entry = cat.entries.get(rid) if cat else None
        if entry is None:
            for line in problems:
                tell(f"  {line}")
            raise UsageError(f"没有编号为“{rid}”的规则或义务", f"no rule or obligation {rid!r}")
        print(f"{entry.id}  [{entry.source}]  {entry.text}")
        print(tr(lang, f"  尚无规则实现此义务（{entry.pack}）", f"  no rule implements this obligation yet ({entry.pack})"))
        return 0
    for i, r in enumerate(hits):
        if i:
            print()
        print("\n".join(describe_rule(r, lang, cat)))
    return 0


def record_at(raw: "RawSubmission", loc: "Location") -> Any:
    """The record (or value) at ``loc`` in a loaded submission, or None."""
    if loc.pointer is not None and raw.doc is not None:
        node: Any = raw.doc
        for token in loc.pointer.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict):
                node = node.get(token)
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
        return node
    if loc.row is not None:
        table = next((t for t, sheet in raw.sheets.items() if sheet == loc.sheet), None)
        frame = raw.tables.get(table) if table else None
        i = loc.row - (raw.first_rows.get(table, 2) if table else 2)
        if frame is None or not 0 <= i < len(frame):
            return None
        rec = frame.iloc[i].to_dict()
        return {str(k): v for k, v in rec.items() if not str(k).startswith("_") and _present(v)}
    return None


def _present(v: Any) -> bool:
    import pandas as pd
    try:
        return not (v is None or (isinstance(v, str) and not v.strip()) or bool(pd.isna(v)))
    except (TypeError, ValueError):  # list-like cells
        return True


def _show_finding(f: "Finding", lang: str, raws: dict[str, "RawSubmission | None"]) -> list[str]:
    import json

    from ..load import load_path
    from ..report.base import outcome_text
    from ..report.locate import parse_location
    from ..finding import reason_text
    c = ": " if lang == "en" else "："
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731 - local shorthand
    out = [f"{f.fingerprint}  {f.rule} · {f.subject_name} ({f.subject_type} {f.subject_id}) · {f.submission}"]
    out.append(f"  {t('结果', 'outcome')}{c}{outcome_text(f.outcome, lang)}"
               + (f" ({reason_text(f.reason, lang)})" if f.reason else "") + f" · {t('严重程度', 'severity')}{c}{f.severity}")
    out.append(f"  {t('消息', 'message')}{c}{f.message(lang)}")
    facts = [(t("应为", "expected"), f.expected), (t("实际", "actual"), f.actual), (t("到期日", "due"), f.due),
             (t("逾期天数", "days overdue"), None if f.days_overdue is None else str(f.days_overdue)),
             (t("检查日", "as of"), f.as_of), (t("涉及", "parts"), ", ".join(f.parts) or None),
             (t("牵头单位", "lead units"), "、".join(f.lead_units) or None)]
    out += [f"  {k}{c}{v}" for k, v in facts if v]
    out.append(f"  {t('依据', 'source')}{c}{f.document} {f.clause}{c}“{f.quote}”")
    if f.waiver:
        out.append(f"  {t('豁免', 'waiver')}{c}{f.waiver.get('reason')} ({f.waiver.get('approver')}, "
                   f"{t('有效至', 'until')} {f.waiver.get('expires')}; {f.waiver.get('source')})")
    if not f.evidence:
        out.append(t("  证据：无（没有找到符合条件的记录）", "  evidence: none (no matching record was found)"))
    else:
        out.append(f"  {t('证据', 'evidence')}{c}".rstrip())
    for ev in f.evidence:
        loc = parse_location(ev)
        if loc.file not in raws:
            try:
                raws[loc.file] = load_path(Path(loc.file))
            except Exception:  # noqa: BLE001 - a moved or damaged file only costs the record text
                raws[loc.file] = None
        raw = raws[loc.file]
        out.append(f"    {ev}")
        rec = record_at(raw, loc) if raw is not None else None
        if rec is None:
            out.append("      " + t("（无法读取该记录）", "(the record cannot be read)"))
        else:
            out.append("      " + json.dumps(rec, ensure_ascii=False, default=str))
    return out


def explain_finding(fp: str, files: list[Path], results: Path | None, args: argparse.Namespace) -> int:
    lang = args.lang
    findings: list[Finding] = []
    if results is not None:
        from ..report.base import read_results
        findings += [f for r in read_results(results).results for f in r.findings]
    if files:
        from ..run import RunOptions, Runner
        from .check import parse_params
        runner = Runner(RunOptions(as_of=args.as_of, pack=args.pack, params=parse_params(args.param, None),
                                   rules_dir=args.rules))
        for r in runner.run_all(files):
            if r.status != "checked":
                raise UsageError(f"{r.path} 无法检查（请先运行 ducha check）", f"{r.path} could not be checked (run ducha check)")
            findings += list(r.findings)
    if results is None and not files:
        raise UsageError("解释指纹需要 --results 文件或报送文件", "explaining a fingerprint needs --results or submission files")
    hits = [f for f in findings if f.fingerprint.startswith(fp)]
    if len({f.fingerprint for f in hits}) > 1:
        raise UsageError(f"指纹前缀“{fp}”不唯一，请写得更长", f"fingerprint prefix {fp!r} is ambiguous; give more digits")
    if not hits:
        raise UsageError(f"没有指纹为“{fp}”的结果", f"no finding with fingerprint {fp!r}")
    raws: dict[str, RawSubmission | None] = {}
    for i, f in enumerate(hits):
        if i:
            print()
        print("\n".join(_show_finding(f, lang, raws)))
    return 0


def run(args: argparse.Namespace) -> int:
    if FINGERPRINT.match(args.id) and not re.match(r"^[A-Z]{2}-", args.id):
        return explain_finding(args.id, list(args.files), args.results, args)
    if args.files or args.results:
        raise UsageError("规则或义务编号不需要报送文件或 --results", "a rule or obligation ID takes no files or --results")
    return explain_rule(args.id, rules_dir(args), args.catalogue, args.lang)
