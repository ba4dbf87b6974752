"""The batch streams its outputs from per-input files; every byte must equal what the
in-memory writers render from the whole report (the format contract, ``ducha-results/1``)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from checker.journal import waiver_witnesses
from checker.report import csv as csv_writer
from checker.report import html as html_writer
from checker.report import json as json_writer
from checker.report import xlsx as xlsx_writer
from checker.report.base import RenderOptions, Report, RunInfo, read_results
from checker.report.stream import iter_results, read_previous, result_text, results_json_chunks
from checker.run import SubmissionResult
from checker.waivers import Waiver, Waivers

from ..scorecard.synthetic import finding, result
from .conftest import Run
from .helpers import ducha, variant, write_json


def _same_as_in_memory(out: Path, lang: str, previous: Report | None = None) -> None:
    report = read_results(out / "results.json")
    opts = RenderOptions(lang=lang)
    assert json_writer.render(report, opts).encode() == (out / "results.json").read_bytes()
    assert csv_writer.render(report, opts).encode() == (out / "findings.csv").read_bytes()
    assert xlsx_writer.render(report, opts, previous=previous) == (out / "scorecard.xlsx").read_bytes()
    assert html_writer.render(report, opts, previous=previous).encode() == (out / "report.html").read_bytes()


def test_the_streamed_outputs_are_what_the_in_memory_writers_render(runs: tuple[Run, Run]) -> None:
    _same_as_in_memory(runs[0].dir, "zh")  # trend pairs (2018Q3 → Q4), unusable inputs, injected names


def test_compare_streams_the_earlier_run_and_renders_the_same(runs: tuple[Run, Run], tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    earlier = runs[0].dir / "results.json"
    write_json(variant(period="2019Q1", as_of="2019-03-31", remove_docs=("D-WP-T2",)), tmp_path / "in" / "q1.json")
    code, _, err = ducha(capsys, "batch", tmp_path / "in", "--out", tmp_path / "out", "--compare", earlier,
                         "--lang", "en")
    assert code in (0, 1), err
    _same_as_in_memory(tmp_path / "out", "en", previous=read_results(earlier))
    assert "previous run" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_reading_an_earlier_run_in_pieces_gives_every_result(runs: tuple[Run, Run]) -> None:
    path = runs[0].dir / "results.json"
    whole = read_results(path)
    with open(path, encoding="utf-8") as fh:
        got = iter_results(fh)
        assert got is not None
        head, results = got
        assert head["format"] == "ducha-results/1" and head["summary"]["files"] == len(whole.results)
        assert [SubmissionResult.from_dict(d) for d in results] == list(whole.results)
    previous = read_previous(path)
    assert previous.count == len(whole.results)
    # one per (pack, jurisdiction): the latest, holding only its lapses
    assert len(previous.latest) == 1 and previous.latest[0].as_of == "2019-01-05"
    assert {f.outcome for f in previous.latest[0].findings} == {"violated"}


def test_a_wrong_compare_file_is_refused_in_both_languages(tmp_path: Path) -> None:
    from checker.errors import InputError
    bad = tmp_path / "r.json"
    bad.write_text('{\n  "format": "other",\n  "results": [\n    {"path": 1}\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_previous(bad)
    assert e.value.problems[0].code == "E-RESULTS"
    with pytest.raises(InputError):
        read_previous(tmp_path / "missing.json")


@pytest.mark.parametrize("n", [0, 1, 3])
def test_results_json_in_pieces_is_what_json_writes(n: int) -> None:
    results = [result(f"{i}.json", [finding("GG-14", "450802", "violated", expected="多行\n说明")]) for i in range(n)]
    report = Report(results=tuple(results), info=RunInfo(ducha_version="x"))
    d = report.to_dict()
    head = {k: v for k, v in d.items() if k != "results"}
    texts = [result_text(r.to_dict()) for r in results]
    assert "".join(results_json_chunks(head, texts)) == json_writer.render(report, RenderOptions())


def test_waiver_notices_from_the_witnesses_equal_those_from_every_finding() -> None:
    expired = Waiver("GG-14", "450802", "r", "a", dt.date(2018, 10, 1), "w.yaml#/0")
    unused = Waiver("GG-99", "*", "r", "a", dt.date(2030, 1, 1), "w.yaml#/1")
    active = Waiver("GG-15", "*", "r", "a", dt.date(2030, 1, 1), "w.yaml#/2")
    waivers = Waivers([expired, unused, active], "w.yaml")
    results = [
        result("a.json", waivers.apply([finding("GG-14", "450802", "violated", as_of="2018-12-31"),
                                        finding("GG-15", "450802001", "violated")])),
        result("b.json", waivers.apply([finding("GG-14", "450802", "violated", as_of="2019-03-31"),
                                        finding("GG-14", "450802", "violated", as_of="2019-03-31", submission="S-2"),
                                        finding("GG-15", "450802101", "violated")]), as_of="2019-03-31"),
    ]
    witnesses = [f for r in results for f in waiver_witnesses(r.findings, waivers)]
    assert len(witnesses) < sum(len(r.findings) for r in results)
    proxy = SubmissionResult(path="", status="checked", findings=tuple(witnesses))
    assert waivers.notices([proxy]) == waivers.notices(results)
    assert {n.code for n in waivers.notices(results)} == {"W-WAIVER-EXPIRED", "W-WAIVER-UNUSED"}
    assert json.dumps([n.to_dict() for n in waivers.notices([proxy])], ensure_ascii=False)
