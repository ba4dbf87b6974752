"""samples/invalid: every invalid submission produces exactly the problems listed for it in
samples/invalid/expected.yaml, and the committed files are what generate.py writes."""
from __future__ import annotations

import dataclasses
import importlib.util
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from checker.dataset import load_dataset
from checker.errors import InputError

INVALID = Path(__file__).resolve().parents[2] / "samples" / "invalid"
EXPECTED: dict[str, list[dict[str, str]]] = yaml.safe_load((INVALID / "expected.yaml").read_text(encoding="utf-8"))


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("invalid_generate", INVALID / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _problems(path: Path) -> list[dict[str, str]]:
    try:
        load_dataset(path)
    except InputError as e:
        return [{"code": p.code, "location": str(dataclasses.replace(p.location, file=path.name)),
                 "message": p.message_zh, "message_en": p.message_en} for p in e.problems]
    return []


def test_every_sample_has_expectations_and_every_expectation_a_sample() -> None:
    on_disk = {p.name for p in INVALID.iterdir() if p.name not in {"generate.py", "expected.yaml", ".duchaignore", "__pycache__"}}
    assert on_disk == set(EXPECTED)
    assert set(_generator().CASES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_sample_reports_exactly_the_expected_problems(name: str) -> None:
    assert _problems(INVALID / name) == EXPECTED[name]


def _content(path: Path) -> Any:
    """What a file says: workbook cell values per sheet (zip bytes carry timestamps), else bytes."""
    if path.is_dir():
        return {p.name: _content(p) for p in sorted(path.iterdir())}
    if path.suffix == ".xlsx" and zipfile.is_zipfile(path):
        import openpyxl
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
        finally:
            wb.close()
    return path.read_bytes()


def test_committed_invalid_samples_are_what_generate_writes(tmp_path: Path) -> None:
    written = _generator().generate(tmp_path)
    stale = [p.name for p in written if _content(p) != _content(INVALID / p.name)]
    assert not stale, f"samples/invalid is out of date for {stale}: run .venv/bin/python samples/invalid/generate.py"
