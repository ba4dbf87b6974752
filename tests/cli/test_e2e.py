"""End to end: the installed ``ducha`` run as a subprocess, as CI and people run it.

Exit codes, the summary line, stderr hygiene and the golden outputs (the same golden files the
in-process writer tests use, so the CLI and the writers cannot drift apart).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.report.scenario import CHECK_ARGS, DATA, GOLDENS, REPO, RULES, WAIVERS, assert_golden

DUCHA = Path(sys.executable).with_name("ducha")
LAPSES = f"{DATA}/county-lapses.yaml"
OK = f"{DATA}/county-ok.yaml"


def ducha(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if not DUCHA.exists():
        pytest.fail(f"{DUCHA} is missing: install the project with `.venv/bin/pip install -e '.[test]'`")
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([str(DUCHA), *args], cwd=REPO, capture_output=True, text=True, encoding="utf-8",
                          env={**clean, **(env or {})}, timeout=300)


def test_check_writes_every_format_as_its_golden(tmp_path: Path) -> None:
    outs = {name: tmp_path / name for name, (fmt, extra, _) in GOLDENS.items() if fmt != "text"}
    args = [*CHECK_ARGS, "--format", "text"]
    for name, path in outs.items():
        args += ["--format", f"{GOLDENS[name][0]}:{path}"]
    p = ducha(*args)
    assert p.returncode == 2, p.stderr  # one input is unusable: that outranks the findings
    assert p.stderr == ""
    assert_golden("check.txt", p.stdout)
    assert p.stdout.splitlines()[-1] == "3 个文件，违反 4，未到期 0，不适用 0，通过 10，豁免 1，无法使用 1"
    for name, path in outs.items():
        assert_golden(name, path.read_text(encoding="utf-8"))


def test_check_in_english_showing_everything() -> None:
    p = ducha(*CHECK_ARGS, "--lang", "en", "--show", "all")
    assert p.returncode == 2
    assert_golden("check-en-all.txt", p.stdout)


def test_exit_codes_and_summary_lines() -> None:
    ok = ducha("check", OK, "--rules", RULES)
    assert (ok.returncode, ok.stdout.splitlines()[-1]) == (0, "1 个文件，违反 0，未到期 0，不适用 0，通过 7，豁免 0")
    lapses = ducha("check", LAPSES, "--rules", RULES, "--lang", "en")
    assert lapses.returncode == 1
    assert lapses.stdout.splitlines()[-1] == "1 file: 5 violated, 0 pending, 0 not applicable, 3 passed, 0 waived"
    # GG-14 (the only error-severity lapse) waived: the warnings alone pass at --fail-on error ...
    waived = ducha("check", LAPSES, "--rules", RULES, "--waivers", WAIVERS)
    assert waived.returncode == 0 and waived.stdout.splitlines()[-1].endswith("通过 3，豁免 1")
    # ... and fail at --fail-on warning; --fail-on never never fails on findings.
    assert ducha("check", LAPSES, "--rules", RULES, "--waivers", WAIVERS, "--fail-on", "warning").returncode == 1
    assert ducha("check", LAPSES, "--rules", RULES, "--fail-on", "never").returncode == 0


def test_unusable_rules_and_command_lines_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "rules" / "guigang-river-chief"
    broken.mkdir(parents=True)
    (broken / "GG-14.yaml").write_text("format: ducha-rule/1\nid: GG-14\nkind: deadline\n", encoding="utf-8")
    p = ducha("check", OK, "--rules", str(tmp_path / "rules"), "--lang", "en")
    assert p.returncode == 2
    assert "GG-14.yaml" in p.stdout and "not checked (rules unusable)" in p.stdout
    bad = ducha("check", OK, "--rules", RULES, "--param", "no_such_param=3")
    assert bad.returncode == 2 and "--param no_such_param" in bad.stderr and bad.stdout == ""
    assert ducha("check", OK, "--format", "pdf").returncode == 2
    zero = ducha("check", OK, "--workers", "0", "--lang", "en")
    assert zero.returncode == 2 and "--workers must be at least 1" in zero.stderr


def test_json_to_stdout_stays_clean_and_the_summary_goes_to_stderr() -> None:
    p = ducha("check", LAPSES, "--rules", RULES, "--format", "json")
    assert p.returncode == 1
    assert json.loads(p.stdout)["summary"]["outcomes"]["violated"] == 5
    assert p.stderr.strip() == "1 个文件，违反 5，未到期 0，不适用 0，通过 3，豁免 0"


def test_baseline_gates_on_new_lapses_only(tmp_path: Path) -> None:
    base = tmp_path / "previous.json"
    first = ducha("check", LAPSES, "--rules", RULES, "--format", f"json:{base}")
    assert first.returncode == 1
    same = ducha("check", LAPSES, "--rules", RULES, "--baseline", str(base))
    assert same.returncode == 0
    assert same.stdout.splitlines()[-1] == "1 个文件，违反 0，未到期 0，不适用 0，通过 3，豁免 0，基线已有 5（未显示）"
    # A new lapse next quarter: 港城镇's work plan disappears. Only it is reported and gates.
    text = (REPO / LAPSES).read_text(encoding="utf-8")
    newer = tmp_path / "next.yaml"
    newer.write_text("\n".join(line for line in text.splitlines() if "D-WP-T2" not in line) + "\n", encoding="utf-8")
    p = ducha("check", str(newer), "--rules", RULES, "--baseline", str(base), "--lang", "en")
    assert p.returncode == 1
    assert p.stdout.splitlines()[-1] == \
        "1 file: 1 violated, 0 pending, 0 not applicable, 2 passed, 0 waived, 5 known from the baseline (not shown)"
    shown = [line for line in p.stdout.splitlines() if line.startswith("    [")]
    assert len(shown) == 1 and "港城镇" in shown[0]


def test_colour_only_on_request_when_piped() -> None:
    plain = ducha("check", LAPSES, "--rules", RULES)
    assert "\x1b[" not in plain.stdout  # stdout is a pipe here
    coloured = ducha("check", LAPSES, "--rules", RULES, "--color", "always")
    assert "\x1b[31;1m" in coloured.stdout or "\x1b[33m" in coloured.stdout


def test_help_is_fast_documents_exit_codes_and_loads_no_heavy_module() -> None:
    start = time.perf_counter()
    p = ducha("--help")
    elapsed = time.perf_counter() - start
    assert p.returncode == 0 and "退出码 / exit codes" in p.stdout and "3  ducha 内部错误" in p.stdout
    for name in ("check", "validate", "explain", "rules", "schema", "waivers"):
        assert name in p.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom checker.cli.main import build_parser\nbuild_parser()\n"
         "print(sorted(m for m in ('pandas', 'durable', 'pydantic', 'numpy') if m in sys.modules))"],
        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == "[]", probe.stderr
    assert elapsed < 5, f"ducha --help took {elapsed:.2f}s"


def test_python_dash_m_checker_is_the_same_cli() -> None:
    p = subprocess.run([sys.executable, "-m", "checker", "validate", OK], cwd=REPO, capture_output=True, text=True,
                       encoding="utf-8", timeout=120)
    assert p.returncode == 0 and "可以使用" in p.stdout


def test_the_pre_commit_hooks_run_the_installed_cli() -> None:
    import re

    import yaml
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"ducha-check", "ducha-validate"}
    check = hooks["ducha-check"]
    assert check["entry"] == "ducha check --format text" and check["language"] == "python"
    assert re.search(check["files"], LAPSES) and re.search(check["files"], "a.xlsx")
    # pre-commit runs: entry + args + file names
    entry = check["entry"].split()
    assert entry[0] == "ducha"
    p = ducha(*entry[1:], "--rules", RULES, LAPSES, OK)
    assert p.returncode == 1 and p.stdout.splitlines()[-1] == "2 个文件，违反 5，未到期 0，不适用 0，通过 10，豁免 0"
