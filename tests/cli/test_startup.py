"""What a cold ``ducha`` does before its work: the pipeline imported with the collector paused
(checker.cli.main.import_quietly), the rule-file validator built once (checker.rulefile)."""
from __future__ import annotations

import gc
import importlib
import os
import sys
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from checker.cli import main as cli_main
from checker.errors import RuleError
from checker.rulefile import RULES_DIR, parse_rule, rule_adapter, rule_model

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module that records, while it is imported, whether the collector runs."""
    name = "ducha_gc_probe"
    (tmp_path / f"{name}.py").write_text("import gc\nENABLED = gc.isenabled()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_pipeline_imports_work() -> None:
    for command, imports in cli_main.PIPELINE.items():
        assert command in cli_main.COMMANDS
        imports()
    assert {"checker.dataset", "checker.evaluate", "checker.load", "checker.rulefile"} <= set(sys.modules)


def test_imports_run_with_the_collector_paused_and_leave_it_as_found(probe: str) -> None:
    assert gc.isenabled() and gc.get_freeze_count() == 0
    cli_main.import_quietly(lambda: importlib.import_module(probe))
    assert sys.modules[probe].ENABLED is False
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_collector_managed_elsewhere_is_left_alone(probe: str) -> None:
    gc.disable()
    try:
        cli_main.import_quietly(lambda: importlib.import_module(probe))
        assert not gc.isenabled()
    finally:
        gc.enable()
    sys.modules.pop(probe)
    gc.freeze()
    try:
        n = gc.get_freeze_count()
        cli_main.import_quietly(lambda: importlib.import_module(probe))
        assert sys.modules[probe].ENABLED is True and gc.get_freeze_count() == n
    finally:
        gc.unfreeze()


def test_a_failing_import_still_restores_the_collector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ducha_gc_broken.py").write_text("raise RuntimeError('broken')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RuntimeError):
        cli_main.import_quietly(lambda: importlib.import_module("ducha_gc_broken"))
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_check_leaves_the_collector_running(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli_main.main(["check", str(REPO / "samples" / "guigang" / "450802-2018Q4.json"), "--lang", "en"])
    assert code in (0, 1)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_shared_rule_validator_gives_what_a_fresh_one_gave() -> None:
    assert rule_adapter() is rule_adapter()
    fresh = TypeAdapter(rule_model())
    paths = sorted(p for p in RULES_DIR.glob("*/*.yaml") if p.name not in ("pack.yaml", "tasks.yaml"))
    assert len(paths) > 40
    for path in paths:
        rule = parse_rule(path, path.parent.name, path.parent)
        assert rule.spec == fresh.validate_python(yaml.safe_load(path.read_text(encoding="utf-8"))), path


def test_a_broken_rule_is_reported_as_a_fresh_validator_reports_it(tmp_path: Path) -> None:
    source = next(RULES_DIR.glob("guigang-river-chief/GG-0*.yaml"))
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    doc["severity"] = "fatal"
    del doc["title"]["en"]
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValidationError) as fresh:
        TypeAdapter(rule_model()).validate_python(doc)
    with pytest.raises(RuleError) as shared:
        parse_rule(path, "guigang-river-chief", tmp_path)
    assert [m.split(": ", 2)[2] for m in shared.value.problems] == [e["msg"] for e in fresh.value.errors()]
    assert len(shared.value.problems) == 2


@pytest.mark.parametrize("command", [["check", "--show", "all", "--format", "json"], ["check", "--format", "text"],
                                     ["validate"], ["rules", "list"]])
def test_leaving_without_teardown_loses_no_output(command: list[str]) -> None:
    """``entry`` skips the interpreter's teardown after check and validate: what they printed
    (to a pipe, so buffered) and their exit code are exactly those of a normal exit."""
    import subprocess
    root = Path(__file__).resolve().parents[2]
    sample = str(root / "samples/guigang/450802-2018Q4.json")
    words = [command[0], *([sample] if command[0] in ("check", "validate") else []), *command[1:]]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout buffered, as usual
    env_python = [sys.executable, "-c"]
    fast = subprocess.run([*env_python, "from checker.cli.main import entry; entry()", *words],
                          capture_output=True, cwd=root, env=env)
    normal = subprocess.run([*env_python, "from checker.cli.main import main; raise SystemExit(main())", *words],
                            capture_output=True, cwd=root, env=env)
    assert fast.returncode == normal.returncode
    assert fast.stdout == normal.stdout and len(fast.stdout) > 100
    assert fast.stderr == normal.stderr
