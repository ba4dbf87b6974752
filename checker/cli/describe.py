"""Rules as people read them (``ducha rules show``, ``ducha explain``), and a tolerant loader.

``load_rules`` reads every rule file of the chosen packs one by one, so one broken file does
not hide the others from ``list``/``show``/``explain``/``coverage``; its problems are
returned for the caller to print (``rules lint`` treats them as errors).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import pack_names, tr

if TYPE_CHECKING:
    from ..rulefile import LoadedRule
    from .catalogue import Catalogue

SKIP_FILES = ("pack.yaml", "tasks.yaml")


def rule_files(root: Path, pack: str) -> list[Path]:
    return sorted(p for p in (root / pack).glob("*.yaml") if p.name not in SKIP_FILES)


def load_rules(root: Path, packs: list[str] | None = None) -> tuple[list["LoadedRule"], list[str]]:
    """Every parseable rule of ``packs`` (default: all under ``root``) and the problems of the rest."""
    from ..errors import RuleError
    from ..rulefile import _natural, parse_rule
    rules, problems = [], []
    for pack in packs or pack_names(root):
        if not (root / pack).is_dir():
            problems.append(f"{root / pack}: /: no such rule pack {pack!r}")
            continue
        for path in rule_files(root, pack):
            try:
                rules.append(parse_rule(path, pack, root / pack))
            except RuleError as e:
                problems.extend(e.problems)
    rules.sort(key=lambda r: (r.pack, _natural(r.id)))
    return rules, problems


def shown_path(p: Path) -> str:
    """A path as a person at the repository root would type it (absolute when elsewhere)."""
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def _yaml(value: Any, indent: str) -> list[str]:
    import yaml
    text = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)
    if text.endswith("...\n"):  # a bare scalar
        text = text[: -len("...\n")]
    return [indent + line for line in text.rstrip("\n").splitlines()]


def _levels(rule: "LoadedRule") -> str:
    return ", ".join(str(getattr(lv, "value", lv)) for lv in rule.spec.applies_to.submitter_levels)


def severity_text(rule: "LoadedRule") -> str:
    by = rule.spec.severity_by_level
    extra = ", ".join(f"{getattr(k, 'value', k)}: {v}" for k, v in by.items())
    return f"{rule.spec.severity}" + (f" ({extra})" if extra else "")


def describe_rule(rule: "LoadedRule", lang: str, catalogue: "Catalogue | None" = None) -> list[str]:
    """The rule, its clause and quote, parameters with defaults and sources, and its spec."""
    import yaml
    s = rule.spec
    t = lambda zh, en: tr(lang, zh, en)  # noqa: E731 - local shorthand
    colon = ": " if lang == "en" else "："
    out = [f"{s.id}  {s.title.en if lang == 'en' else s.title.zh}"]
    out.append(f"  {t('规则包', 'pack')}{colon}{rule.pack} ({shown_path(rule.path)})")
    out.append(f"  {t('义务编号', 'obligations')}{colon}{', '.join(s.obligations)}")
    out.append(f"  {t('类型', 'kind')}{colon}{s.kind} · {t('严重程度', 'severity')}{colon}{severity_text(rule)} · "
               f"{t('适用层级', 'levels')}{colon}{_levels(rule)}")
    eff = s.effective
    if eff.from_ or eff.until:
        out.append(f"  {t('生效', 'in force')}{colon}{eff.from_ or '…'} – {eff.until or '…'}")
    out.append(f"  {t('出处', 'source')}{colon}{s.source.document} {s.source.clause}")
    out.append(f"  {t('原文', 'quote')}{colon}“{s.source.quote}”")
    if catalogue is not None:
        for oid in s.obligations:
            e = catalogue.entries.get(oid)
            if e is not None:
                out.append(f"  {t('目录', 'catalogue')} {oid} [{e.source}]{colon}{e.text}")
    if s.params:
        out.append(f"  {t('参数', 'parameters')}{colon}")
        for name, p in s.params.items():
            default = p.default
            if isinstance(default, (dict, list)):
                out.append(f"    {name} ({t('默认值', 'default')}):")
                out += _yaml(default, "      ")
            else:
                shown = _yaml(default, "").pop() if default is not None else t("未设置（不检查）", "unset (not checked)")
                out.append(f"    {name} = {shown}")
            out.append(f"      {t('来源', 'source')}{colon}{p.source.en if lang == 'en' else p.source.zh}")
    out.append(f"  {t('消息', 'message')}{colon}{s.message.en if lang == 'en' else s.message.zh}")
    if s.attribute_to:
        out.append(f"  {t('责任单位', 'attributed to')}{colon}{', '.join(s.attribute_to)}")
    doc = yaml.safe_load(rule.path.read_text(encoding="utf-8"))
    out.append(f"  {t('规则', 'rule')} (kind: {s.kind}){colon}")
    out += _yaml(doc.get("spec", {}), "    ")
    return [line.rstrip() for line in out]


def list_line(rule: "LoadedRule", lang: str, widths: tuple[int, int, int, int]) -> str:
    s = rule.spec
    title = s.title.en if lang == "en" else s.title.zh
    cols = (s.id, s.kind, severity_text(rule), _levels(rule))
    return "  " + "  ".join(c.ljust(w) for c, w in zip(cols, widths)) + "  " + title
