"""Rule files: obligations written as data (``rules/<pack>/<ID>.yaml``), format ``ducha-rule/1``.

A rule file states one obligation (or one facet of it): catalogue IDs, bilingual title and
message, the source clause and its quoted sentence, severity, the submitter levels it applies
to, effective dates, named parameters (default plus the reason for it) and its *kind* with
that kind's spec. The kinds and their specs live in :mod:`checker.kinds`; this module
validates files against the published ``schemas/rule.schema.json`` and loads packs.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import RuleError
from .model import Level

RULE_FORMAT = "ducha-rule/1"
RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Strict):
    zh: str = Field(min_length=1, description="中文 / Chinese")
    en: str = Field(min_length=1, description="English")


class Source(Strict):
    document: str = Field(description="source document (pack) id")
    clause: str = Field(description="clause reference, e.g. 五(一)")
    quote: str = Field(min_length=1, description="the quoted source sentence")


class Param(Strict):
    default: Any = Field(description="default value (null = unset: the part it governs is not checked)")
    source: Text = Field(description="where the default comes from, and why")
    description: Text | None = None


class Applies(Strict):
    submitter_levels: list[Level] = Field(min_length=1, description="levels of submission this rule runs on")


class Effective(Strict):
    from_: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None


class RuleBase(Strict):
    format: Literal["ducha-rule/1"]
    id: str = Field(pattern=r"^[A-Z]{2}-[A-Za-z0-9.\-]+$", description="rule id; the file is named <id>.yaml")
    obligations: list[str] = Field(min_length=1, description="catalogue IDs this rule implements")
    title: Text
    source: Source
    severity: Literal["error", "warning", "info"]
    severity_by_level: dict[Level, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="severity overrides by submitter level (e.g. county: warning)")
    applies_to: Applies
    effective: Effective = Field(default_factory=Effective)
    params: dict[str, Param] = Field(default_factory=dict)
    message: Text = Field(description="message template; fields: {subject} {expected} {actual} {due} {reason} {detail}")
    attribute_to: list[str] = Field(default_factory=list, description="lead units findings are attributed to")
    section: str | None = Field(default=None, description="document section, for scorecards")
    on_empty: Literal["not_applicable", "violated"] = Field(
        default="not_applicable", description="outcome when the rule finds nothing to examine")


class ParamRef(Strict):
    """``{param: NAME}``: the value of a named parameter of this rule."""

    param: str


@dataclass
class LoadedRule:
    spec: Any  # a kind's rule model (RuleBase subclass)
    path: Path
    pack: str
    pack_dir: Path

    @property
    def id(self) -> str:
        return str(self.spec.id)


@dataclass
class Pack:
    name: str
    path: Path
    rules: list[LoadedRule] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def select(self, select: list[str] | None, exclude: list[str] | None) -> "Pack":
        def hit(rule: LoadedRule, pats: list[str]) -> bool:
            names = [rule.id, *rule.spec.obligations]
            return any(fnmatch.fnmatchcase(n, p) for p in pats for n in names)
        rules = [r for r in self.rules if (not select or hit(r, select)) and not (exclude and hit(r, exclude))]
        return Pack(self.name, self.path, rules, self.meta)


@lru_cache(maxsize=1)
def rule_model() -> Any:
    from .kinds import rule_union
    return rule_union()


@lru_cache(maxsize=1)
def rule_adapter() -> Any:
    """The validator of rule files, built once (building it is most of a rule's parse time)."""
    from pydantic import TypeAdapter
    return TypeAdapter(rule_model())


def rule_schema() -> dict[str, Any]:
    schema = rule_adapter().json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ducha.example/schemas/rule-1.schema.json",
            "title": "ducha rule file / 督查规则文件 (ducha-rule/1)", **schema}


def _where(loc: tuple[Any, ...]) -> str:
    return "/" + "/".join(str(p) for p in loc if not str(p).startswith(("deadline", "recurring", "coverage",
                                                                         "cardinality", "membership", "attribute",
                                                                         "threshold", "ledger")))


# libyaml's safe loader when it is there: 8x faster, the same data (the resolvers are PyYAML's).
_PackLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """A pack's own YAML file (rules, pack.yaml, reference tables), loaded safely."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_PackLoader)


def parse_rule(path: Path, pack: str, pack_dir: Path) -> LoadedRule:
    """Load and validate one rule file; :class:`RuleError` names the file and the field."""
    try:
        doc = read_yaml(path)
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise RuleError(str(path), "/", f"not valid YAML: {e}") from None
    if not isinstance(doc, dict):
        raise RuleError(str(path), "/", "a rule file is a mapping")
    try:
        spec = rule_adapter().validate_python(doc)
    except ValidationError as e:
        problems = [f"{path}: {_where(err['loc'])}: {err['msg']}" for err in e.errors()]
        raise RuleError(str(path), _where(e.errors()[0]["loc"]), e.errors()[0]["msg"], problems) from None
    if spec.id != path.stem:
        raise RuleError(str(path), "/id", f"rule id {spec.id!r} does not match the file name {path.stem!r}")
    for ref in _param_refs(doc.get("spec", {})):
        if ref not in spec.params:
            raise RuleError(str(path), "/spec", f"parameter {ref!r} is used but not declared in params")
    return LoadedRule(spec=spec, path=path, pack=pack, pack_dir=pack_dir)


def _param_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        if set(node) == {"param"} and isinstance(node["param"], str):
            return [node["param"]]
        return [r for v in node.values() for r in _param_refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _param_refs(v)]
    return []


def pack_dir(name: str, rules_dir: Path = RULES_DIR) -> Path:
    return rules_dir / name


def load_pack(name: str, rules_dir: Path = RULES_DIR) -> Pack:
    """Every rule of a pack, sorted by id. All broken files are reported together."""
    root = pack_dir(name, rules_dir)
    if not root.is_dir():
        raise RuleError(str(root), "/", f"no such rule pack {name!r}")
    meta_path = root / "pack.yaml"
    meta = read_yaml(meta_path) if meta_path.exists() else {}
    rules, problems = [], []
    for path in sorted(root.glob("*.yaml")):
        if path.name == "pack.yaml" or path.name == "tasks.yaml":
            continue
        try:
            rules.append(parse_rule(path, name, root))
        except RuleError as e:
            problems.extend(e.problems)
    if problems:
        raise RuleError(str(root), "/", f"{len(problems)} problem(s) in rule files", problems)
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RuleError(str(root), "/", "duplicate rule ids")
    return Pack(name=name, path=root, rules=sorted(rules, key=lambda r: _natural(r.id)), meta=meta or {})


def _natural(s: str) -> list[Any]:
    import re
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def dump_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)
