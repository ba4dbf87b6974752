"""Spreadsheet outputs never carry a formula from submission data.

A payload submission goes through ``ducha batch`` (findings.csv, scorecard.xlsx), ``ducha check
--format csv/xlsx`` and ``ducha scorecard --format csv``; every cell is read back (csv module,
openpyxl) and none starts a formula, while each payload is still there as text. An audit
pins the list of modules that write CSV or XLSX, so a new writer must be looked at.
"""
from __future__ import annotations

import ast
import csv
import io
from pathlib import Path
from typing import Any, Iterator

import pytest

from checker.report.safe import protect
from tests.properties.tally import record

from .conftest import run_main
from .payloads import FORMULA_PREFIXES, FORMULAS, RULES, payload_doc

ROOT = Path(__file__).resolve().parents[2]


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def xlsx_cells(path: Path) -> Iterator[Any]:
    import openpyxl
    wb = openpyxl.load_workbook(path)  # not data_only: a formula would come back as a formula
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def assert_inert(cells: list[str]) -> None:
    live = [c for c in cells if c.startswith(FORMULA_PREFIXES)]
    assert live == [], live[:5]
    for p in FORMULAS:  # each payload is in the file, as text behind an apostrophe
        core = p.strip()
        assert any(c == "'" + core or c == "'" + p for c in cells), f"{p!r} missing"
    record("payloads.csv_xlsx", len(FORMULAS))


def assert_inert_xlsx(path: Path) -> None:
    cells = list(xlsx_cells(path))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert_inert([c.value for c in cells if isinstance(c.value, str)])


def test_batch_findings_csv_has_no_live_formula(batch_out: Path) -> None:
    assert_inert(csv_cells(batch_out / "findings.csv"))


def test_batch_scorecard_xlsx_has_no_live_formula(batch_out: Path) -> None:
    assert_inert_xlsx(batch_out / "scorecard.xlsx")


def test_check_csv_and_xlsx_have_no_live_formula(tmp_path: Path) -> None:
    import yaml
    sub = tmp_path / "s.yaml"
    sub.write_text(yaml.safe_dump(payload_doc(), allow_unicode=True), encoding="utf-8")
    code, _, err = run_main("check", sub, "--rules", RULES, "--format", f"csv:{tmp_path / 'f.csv'}",
                         "--format", f"xlsx:{tmp_path / 'f.xlsx'}", "--show", "all")
    assert code == 1, err
    assert_inert(csv_cells(tmp_path / "f.csv"))
    assert_inert_xlsx(tmp_path / "f.xlsx")


def test_scorecard_csv_has_no_live_formula(batch_out: Path) -> None:
    code, out, err = run_main("scorecard", batch_out / "results.json", "--by", "obligation", "--format", "csv")
    assert code == 0, err
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert cells and not [c for c in cells if c.startswith(FORMULA_PREFIXES)]


@pytest.mark.parametrize("value", FORMULAS + ["=", "-", "@"])
def test_protect_makes_text_of_every_formula_start(value: str) -> None:
    assert protect(value) == "'" + value


@pytest.mark.parametrize("value", [-5, 3.5, True, None, "市-区", "a=b", "１２", "'=already text"])
def test_protect_leaves_numbers_and_plain_text_alone(value: Any) -> None:
    assert protect(value) == value


# Every module that writes CSV or XLSX, and how its cells are kept inert (docs/reliability.md).
WRITERS = {
    "checker/report/csv.py": "protect() on every cell",
    "checker/report/scorecard.py": "protect() on every body cell; the head row is fixed text",
    "checker/report/xlsx.py": "protect() on every text cell and data_type 's'",
    "checker/export.py": "a submission in an input format, values exact: xlsx text cells are data_type 's'; "
                         "the CSV package is data for ducha, not a report (documented exception)",
}


def test_every_csv_and_xlsx_writer_is_audited() -> None:
    found = set()
    for path in sorted((ROOT / "checker").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = ast.unparse(node.func)
                if f in ("csv.writer", "csv.DictWriter", "Workbook", "openpyxl.Workbook", "xlsxwriter.Workbook"):
                    found.add(path.relative_to(ROOT).as_posix())
    assert found == set(WRITERS), f"new or removed CSV/XLSX writer: audit it and update WRITERS: {sorted(found)}"


def test_export_xlsx_stores_payloads_as_text(tmp_path: Path) -> None:
    from checker import export
    path = export.write_xlsx(payload_doc(), tmp_path / "e.xlsx")
    cells = list(xlsx_cells(path))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = {c.value for c in cells}
    assert FORMULAS[0] in values  # exact (it is the submission), yet a text cell


# ---------------------------------------------------------------------------- terminals

ESCAPES = "\x1b]0;OWNED\x07\x1b[2J\x1b[8m\r\x00\x9b"  # set title, clear screen, conceal, CR, NUL, CSI


def test_text_output_cannot_drive_the_terminal(tmp_path: Path) -> None:
    import yaml
    doc = yaml.safe_load((RULES.parent / "county-lapses.yaml").read_text(encoding="utf-8"))
    doc["jurisdictions"][3]["name"] = "港城镇" + ESCAPES
    sub = tmp_path / "s.yaml"
    sub.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    for colour in ("never", "always"):
        code, out, err = run_main("check", sub, "--rules", RULES, "--show", "all", "--color", colour)
        assert code == 1, err
        assert "港城镇\\x1b]0;OWNED\\x07\\x1b[2J\\x1b[8m\\x0d\\x00\\x9b" in out  # shown, not obeyed
        controls = {ch for ch in out if ord(ch) < 32 and ch not in "\n\t" or 0x7f <= ord(ch) <= 0x9f}
        assert controls == ({"\x1b"} if colour == "always" else set())
        if colour == "always":  # the only escapes left are the writer's own colours
            import re
            assert set(re.findall(r"\x1b\[([0-9;]*)m", out)) <= {"0", "1", "2", "31;1", "32", "33", "35;1", "36"}
            assert out.count("\x1b") == len(re.findall(r"\x1b\[[0-9;]*m", out))


def test_terminal_text_keeps_only_allowed_colours() -> None:
    from checker.report.safe import terminal_text
    assert terminal_text("a\x1b[31mb\x1b[0m", frozenset({"31", "0"})) == "a\x1b[31mb\x1b[0m"
    assert terminal_text("a\x1b[8mb", frozenset({"31"})) == "a\\x1b[8mb"
    assert terminal_text("x\ty\nz\r") == "x\ty\nz\\x0d"
