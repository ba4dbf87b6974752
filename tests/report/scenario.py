"""The run every golden output comes from, and the golden-file helper.

Inputs are small files this suite controls (``tests/cli/data``), checked against a frozen test
pack (``tests/cli/data/rules``), so the goldens move only when ducha's output does. Paths are
relative to the repository root, as a person would type them there.

Refresh the goldens with ``DUCHA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report tests/cli``
and review the diff before committing it: a golden is a claim about correct output.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
DATA = "tests/cli/data"
RULES = f"{DATA}/rules"
INPUTS = [f"{DATA}/county-ok.yaml", f"{DATA}/county-lapses.yaml", f"{DATA}/county-invalid.yaml"]
WAIVERS = f"{DATA}/waivers.yaml"
CHECK_ARGS = ["check", *INPUTS, "--rules", RULES, "--waivers", WAIVERS]
UPDATE = os.environ.get("DUCHA_UPDATE_GOLDEN") == "1"

# golden file → (writer, extra check arguments, render options)
GOLDENS: dict[str, tuple[str, list[str], dict[str, Any]]] = {
    "check.txt": ("text", [], {}),
    "check-en-all.txt": ("text", ["--lang", "en", "--show", "all"],
                         {"lang": "en", "show": ("violated", "error", "waived", "pending", "not_applicable", "passed")}),
    "check.json": ("json", [], {}),
    "check.junit.xml": ("junit", [], {}),
    "check.sarif": ("sarif", [], {}),
    "check.github.txt": ("github", [], {}),
    "check.md": ("markdown", [], {}),
}


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; run with DUCHA_UPDATE_GOLDEN=1 and review it")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path} (DUCHA_UPDATE_GOLDEN=1 refreshes it; review the diff)"


def build_report(extra: list[str] | None = None) -> Any:
    """The golden run, in-process (call with the repository root as the working directory)."""
    from checker.cli.check import build_report as build, options_from
    from checker.cli.main import build_parser
    args = build_parser().parse_args([*CHECK_ARGS, *(extra or [])])
    return build([Path(f) for f in args.files], options_from(args))
