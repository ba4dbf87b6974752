"""Golden outputs: the exact bytes a user gets from the csv writer and the scorecard formats.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/scorecard`` and
review the diff like any other change.
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from checker.report import csv as csv_writer
from checker.report.base import RenderOptions
from checker.report.scorecard import FORMATS, scorecard

from .synthetic import sample_report

GOLDEN = Path(__file__).resolve().parent / "golden"


def _golden(name: str, got: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(got.encode("utf-8"))
    assert path.exists(), f"missing golden file {path} (run with UPDATE_GOLDEN=1)"
    assert got == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_findings_csv(lang: str) -> None:
    _golden(f"findings.{lang}.csv", csv_writer.render(sample_report(), RenderOptions(lang=lang)))


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
@pytest.mark.parametrize("by", ["jurisdiction", "department", "obligation", "section"])
def test_scorecard_formats(fmt: str, by: str) -> None:
    for lang in ("zh", "en"):
        ext = {"table": "txt", "markdown": "md"}.get(fmt, fmt)
        _golden(f"scorecard.{by}.{lang}.{ext}", FORMATS[fmt](scorecard(sample_report().results, by), lang))


def test_findings_csv_opens_in_excel_as_utf8_and_no_cell_is_a_formula() -> None:
    text = csv_writer.render(sample_report(), RenderOptions())
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert len(rows) == 1 + 11  # heading + every finding of every checked submission (2 + 7 + 2)
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    cells = {c for row in rows for c in row}
    assert "'=HYPERLINK(\"x\")" in cells
    assert "'@市水利局; 市环境保护局" in cells


def test_scorecard_json_is_data() -> None:
    doc = json.loads(FORMATS["json"](scorecard(sample_report().results, "jurisdiction"), "en"))
    gb = next(r for r in doc["rows"] if r["key"] == "450802")
    assert gb["violated"] == 1 and gb["compliance"] == 0.0
    assert doc["basis"] == {"submissions": ["in/gangbei-q4.json", "in/gangnan-q4.json"],
                            "superseded": ["in/gangbei-q3.json"]}
