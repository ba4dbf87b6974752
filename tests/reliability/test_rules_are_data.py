"""Rule files, parameters, waivers and submissions are data: nothing in them is ever run.

Two halves: an audit of the checker's source (no ``eval``/``exec``/``pickle``/unsafe YAML, and
the few dynamic imports take names from fixed tables), and behaviour: code-shaped strings in
a rule, a parameter, a waiver file and a submission, and Python-object YAML tags, stay inert.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "checker"
RULES = ROOT / "tests" / "cli" / "data" / "rules"
LAPSES = ROOT / "tests" / "cli" / "data" / "county-lapses.yaml"

# Calls that run or unpickle code; ``module.attr`` or a bare builtin name.
FORBIDDEN = {"eval", "exec", "compile", "__import__", "pickle.load", "pickle.loads", "marshal.load", "marshal.loads",
             "yaml.unsafe_load", "yaml.full_load", "yaml.full_load_all", "yaml.unsafe_load_all", "os.system",
             "os.popen", "subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_output",
             "dill.loads", "shelve.open", "runpy.run_path", "runpy.run_module"}
# yaml.load is allowed only with one of these loaders (all SafeLoader subclasses, checked below).
SAFE_LOADERS = {"_StrictLoader", "_DatesAsText", "_PackLoader", "SafeLoader", "CSafeLoader"}
# import_module(NAME) where NAME comes from this fixed table in the same module.
DYNAMIC_IMPORTS = {"checker/report/__init__.py": "WRITERS", "checker/cli/main.py": "COMMANDS"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _calls() -> list[tuple[str, int, str, ast.Call]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), rel)):
            if isinstance(node, ast.Call):
                out.append((rel, node.lineno, _dotted(node.func), node))
    return out


def test_the_checker_source_runs_no_code_from_data() -> None:
    bad = []
    for rel, line, name, call in _calls():
        if name in FORBIDDEN:
            bad.append(f"{rel}:{line}: {name}()")
        elif name == "yaml.load":
            loader = next((kw.value for kw in call.keywords if kw.arg == "Loader"), None)
            if loader is None or _dotted(loader) not in SAFE_LOADERS:
                bad.append(f"{rel}:{line}: yaml.load without a SafeLoader")
        elif name == "importlib.import_module":
            table = DYNAMIC_IMPORTS.get(rel)
            arg = ast.unparse(call.args[0]) if call.args else ""
            if table is None or not arg.startswith(f"{table}["):
                bad.append(f"{rel}:{line}: import_module({arg}) not from a fixed table")
    assert bad == []


def test_the_yaml_loaders_used_are_safe_loaders() -> None:
    from checker import rulefile, waivers
    from checker.load import jsonyaml
    for loader in (jsonyaml._StrictLoader, waivers._dates_as_text_loader(), rulefile._PackLoader):
        # CSafeLoader is no SafeLoader subclass: judge by the constructor (Full/Unsafe build objects).
        assert issubclass(loader, yaml.constructor.SafeConstructor)
        assert not issubclass(loader, yaml.constructor.FullConstructor)


def test_the_audit_sees_a_forbidden_call(tmp_path: Path) -> None:
    """The control: the AST audit flags what it is meant to flag."""
    tree = ast.parse("import yaml, pickle\nyaml.load(x)\npickle.loads(b)\neval('1')\n")
    names = [_dotted(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert {"yaml.load", "pickle.loads", "eval"} <= set(names)


# ---------------------------------------------------------------------------- behaviour

def _main(*args: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def _code(marker: Path) -> str:
    return f"__import__('os').system('touch {marker}')"


@pytest.fixture()
def marker(tmp_path: Path) -> Path:
    return tmp_path / "PWNED"


def test_code_in_rule_strings_and_templates_stays_text(tmp_path: Path, marker: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    rule_path = rules / "guigang-river-chief" / "GG-14.yaml"
    rule = yaml.safe_load(rule_path.read_text(encoding="utf-8"))
    rule["title"]["en"] = _code(marker)
    rule["source"]["quote"] = "${{ " + _code(marker) + " }}"
    # str.format would walk attributes ({subject.__class__…}) and honour format specs.
    rule["message"]["en"] = "{subject.__class__.__mro__} {subject!r} {due:>30} " + _code(marker) + " {subject}"
    rule_path.write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    code, out, err = _main("check", LAPSES, "--rules", rules, "--select", "GG-14", "--format", "json", "--lang", "en")
    assert code == 1, err
    assert not marker.exists()
    findings = json.loads(out)["results"][0]["findings"]
    late = [f for f in findings if f["outcome"] == "violated"]
    assert late and late[0]["title_en"] == _code(marker)
    assert late[0]["message_en"] == ("{subject.__class__.__mro__} {subject!r} {due:>30} " + _code(marker) + " 港北区")


def test_code_in_submission_values_stays_text(tmp_path: Path, marker: Path) -> None:
    doc = yaml.safe_load(LAPSES.read_text(encoding="utf-8"))
    doc["jurisdictions"][1]["name"] = _code(marker) + "{due}{subject.__class__}"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, out, err = _main("check", path, "--rules", RULES, "--format", "json", "--lang", "en")
    assert code == 1, err
    assert not marker.exists()
    messages = [f["message_en"] for f in json.loads(out)["results"][0]["findings"] if f["subject_id"] == "450802"]
    assert messages and all(_code(marker) + "{due}{subject.__class__}" in m for m in messages)


PYTHON_TAG = "!!python/object/apply:os.system [\"touch {m}\"]"


def test_python_yaml_tags_are_refused_everywhere(tmp_path: Path, marker: Path) -> None:
    tag = PYTHON_TAG.format(m=marker)
    # a submission
    sub = tmp_path / "s.yaml"
    sub.write_text(LAPSES.read_text(encoding="utf-8").replace("period: 2018Q4", f"period: {tag}"), encoding="utf-8")
    assert _main("check", sub, "--rules", RULES)[0] == 2
    # a parameter (--param values are YAML) and a parameter file
    assert _main("check", LAPSES, "--rules", RULES, "--param", f"work_plan_due={tag}")[0] == 2
    params = tmp_path / "p.yaml"
    params.write_text(f"work_plan_due: {tag}\n", encoding="utf-8")
    assert _main("check", LAPSES, "--rules", RULES, "--params", params)[0] == 2
    # a waiver file
    waivers = tmp_path / "w.yaml"
    waivers.write_text(f"waivers:\n  - rule: GG-14\n    reason: {tag}\n", encoding="utf-8")
    assert _main("check", LAPSES, "--rules", RULES, "--waivers", waivers)[0] == 2
    # a rule file
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    gg14 = rules / "guigang-river-chief" / "GG-14.yaml"
    gg14.write_text(gg14.read_text(encoding="utf-8").replace("severity: error", f"severity: {tag}"), encoding="utf-8")
    assert _main("check", LAPSES, "--rules", rules)[0] == 2
    assert not marker.exists()


def test_a_code_string_as_a_parameter_value_is_a_wrong_value(marker: Path) -> None:
    code, _, err = _main("check", LAPSES, "--rules", RULES, "--param", f"work_plan_due={_code(marker)}", "--lang", "en")
    assert code == 2, err
    assert not marker.exists()
