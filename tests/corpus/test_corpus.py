"""The bad-input corpus: every input produces exactly what ``expected.yaml`` lists, quickly,
without a traceback; accepted inputs read the same data as the clean submission; the command
line says "unusable" (exit 2) for every refused input; the committed files are what
``generate.py`` writes; the figures in docs/reliability.md are the manifest's."""
from __future__ import annotations

import copy
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.cli.main import main
from checker.dataset import dataset_from_document, load_dataset

from .generate import CASES, VALID, generate
from .outcome import CORPUS, INPUTS, outcome
from .tally import tally

EXPECTED: dict[str, list[dict[str, str]]] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
# A hostile input must be refused before it costs anything: far below this on any machine.
SECONDS = 3.0


def test_every_input_has_expectations_and_every_expectation_an_input() -> None:
    assert {p.name for p in INPUTS.iterdir()} == set(EXPECTED) == set(CASES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_input_produces_exactly_the_expected_problems(name: str) -> None:
    start = time.perf_counter()
    got = outcome(INPUTS / name)
    elapsed = time.perf_counter() - start
    assert got == EXPECTED[name]
    assert elapsed < SECONDS, f"{name} took {elapsed:.1f} s"


def test_the_corpus_covers_every_kind_of_bad_input_the_issue_names() -> None:
    """Dropping a case must not go unnoticed: each code here stands for a required case."""
    codes = {p["code"] for problems in EXPECTED.values() for p in problems}
    required = {"E-JSON", "E-YAML", "E-YAML-TAG", "E-YAML-ALIAS", "E-DEPTH", "E-STRUCTURE", "E-XLSX", "E-SHEET",
                "E-HEADER-MISSING", "E-MERGED", "E-FORMULA", "E-CELL-ERROR", "W-HIDDEN-ROWS", "E-ZIP-BOMB", "E-ENCODING",
                "E-RAGGED", "E-CSV", "E-DATE", "E-DUPLICATE-ID", "E-DANGLING-REF", "E-RANGE", "E-NUMBER", "E-TYPE",
                "E-EMPTY", "E-ARCHIVE", "E-PARQUET"}
    assert required <= codes, sorted(required - codes)


def _changed(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(VALID)
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


# Accepted inputs and the document each must read as (the clean submission unless a case
# changes a value on purpose): encodings, line ends, full-width digits, saved formula values
# and hidden rows must change nothing.
ACCEPTED: dict[str, dict[str, Any]] = {
    "json-utf16be-bom.json": VALID,
    "yaml-fullwidth-numbers.yaml": VALID,
    "xlsx-formula-cached.xlsx": VALID,
    "xlsx-hidden-rows.xlsx": VALID,
    "csv-gbk": VALID,
    "csv-gb18030": _changed(("chiefs", 1, "name"), "李𠀾"),
    "csv-utf16le-bom": VALID,
    "csv-utf16be-bom": VALID,
    "csv-mixed-line-endings": VALID,
}


def test_accepted_inputs_are_exactly_the_inputs_without_problems() -> None:
    assert {n for n, p in EXPECTED.items() if not any(e["code"].startswith("E-") for e in p)} == set(ACCEPTED)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_input_reads_the_intended_data(name: str) -> None:
    assert load_dataset(INPUTS / name).to_submission() == dataset_from_document(ACCEPTED[name]).to_submission()


def test_validate_exits_2_for_every_refused_input_and_0_for_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    for name, problems in sorted(EXPECTED.items()):
        if name.endswith(".zip"):
            continue  # archives are batch inputs (tests/batch); collect() is run above
        refused = any(p["code"].startswith("E-") for p in problems)
        code = main(["validate", str(INPUTS / name)])
        out = capsys.readouterr()
        assert code == (2 if refused else 0), (name, out.out, out.err)
        assert "Traceback" not in out.out + out.err and "internal error" not in out.err
        for p in problems:  # every problem (and warning) is shown, with its code
            assert p["code"] in out.out, (name, p["code"])


def test_check_exits_2_for_refused_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    refused = [str(INPUTS / n) for n, p in sorted(EXPECTED.items())
               if not n.endswith(".zip") and any(e["code"].startswith("E-") for e in p)]
    assert main(["check", *refused]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and "internal error" not in out.err


def _content(path: Path) -> Any:
    """A file's bytes; for a readable zip its members (deflated bytes vary with the zlib)."""
    if path.is_dir():
        return {p.name: _content(p) for p in sorted(path.iterdir())}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return [(i.filename, i.external_attr, i.compress_type, i.file_size, i.CRC) for i in z.infolist()]
    return path.read_bytes()


def test_committed_inputs_are_what_generate_writes(tmp_path: Path) -> None:
    written = generate(tmp_path)
    stale = [p.name for p in written if _content(p) != _content(INPUTS / p.name)]
    assert not stale, f"tests/corpus/inputs is out of date for {stale}: run .venv/bin/python tests/corpus/generate.py"


def test_the_documented_tally_is_the_manifests() -> None:
    doc = (CORPUS.parents[1] / "docs" / "reliability.md").read_text(encoding="utf-8")
    t = tally(EXPECTED)
    for line in t.lines():
        assert line in doc, f"docs/reliability.md (the corpus section) is stale; run .venv/bin/python tests/corpus/tally.py:\n{line}"
