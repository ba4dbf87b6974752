"""A result rendered once in the worker (checker.report.parts) must give, piece by piece, what
the plain writers give for it: the JSON text, the CSV rows, the page block and the scorecard
counts, also for findings holding unusual values (the fast paths fall back to the writers)."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest

from checker.finding import Finding
from checker.journal import Store, render
from checker.report import csv as csv_writer
from checker.report import parts
from checker.report.base import Report, RunInfo
from checker.report.html import findings_block
from checker.report.safe import protect
from checker.report.scorecard import DIMENSIONS, PeriodCells, Tallier
from checker.run import SubmissionResult

from ..scorecard.synthetic import finding, invalid, result, sample_report

R = dataclasses.replace


def _odd() -> SubmissionResult:
    """Findings with every kind of value the encoders special-case."""
    return result('in/"odd",=x.json', [
        finding("GG-1", "a,b", "violated", subject_name='say "hi"\n', expected="=1+1", actual="-3", due="\t",
                days_overdue=5, leads=("市水利局", "-市财政局")),
        finding("GG-1", "x\x1fy", "passed", subject_name="\x00nul\ue000", days_overdue=True),
        R(finding("GG-1", "@x", "passed", parts=("+a", "b"), evidence=("e1", "e,2")), message_zh="\r\nz",
          message_en="line, with comma", quote="a\ue000b"),
        finding("GG-1", "ok", "passed", days_overdue=2.5, leads=("-",)),
        R(finding("GG-1", "ok", "passed"), clause=None, section="", reason=None),  # type: ignore[arg-type]
        R(finding("GG-2", "list", "violated"), lead_units=["unhashable"]),  # type: ignore[arg-type]
        finding("GG-2", "控制\x07字符", "waived", waiver={"reason": "批准", "approver": "河长办", "expires": "2019-06-30",
                                                       "source": "w.yaml#/0", "n": [1, 2.5, None]}),
    ])


def _results() -> list[SubmissionResult]:
    return [*sample_report().results, _odd(), invalid("in/bad.json"), result("in/empty.json", [])]


def _old_csv(r: SubmissionResult, lang: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for f in r.findings:
        w.writerow([protect(v) for v in csv_writer.row(r, f, lang)])
    return buf.getvalue()


@pytest.mark.parametrize("pad", ["", "    "])
def test_result_json_is_json_dumps_of_to_dict(pad: str) -> None:
    for r in _results():
        whole = json.dumps(r.to_dict(), ensure_ascii=False, indent=2)
        assert parts.result_json(r, pad) == whole.replace("\n", "\n" + pad), r.path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_rows_are_what_the_csv_module_writes(lang: str) -> None:
    for r in _results():
        assert csv_writer.rows_chunk(r, lang) == _old_csv(r, lang), r.path


def test_tallies_merged_per_result_are_the_tallies_of_every_finding() -> None:
    results = _results()
    for by in DIMENSIONS:
        one, merged = Tallier(by), Tallier(by)
        for r in results:
            for f in r.findings:
                if isinstance(f.lead_units, tuple):
                    one.add(f)
            t = Tallier(by)
            t.add_all([f for f in r.findings if isinstance(f.lead_units, tuple)])
            got = json.loads(json.dumps(t.export()))  # as stored
            merged.merge(got, t.total.counts())
        assert [(r.key, r.label_zh, r.label_en, r.tally) for r in one.rows()] == \
               [(r.key, r.label_zh, r.label_en, r.tally) for r in merged.rows()], by
        assert one.total == merged.total
    cells, merged_cells = PeriodCells(), PeriodCells()
    for rank, r in reversed(list(enumerate(results))):  # a later rank first: labels must still follow rank
        r = R(r, findings=tuple(f for f in r.findings if isinstance(f.lead_units, tuple)))
        cells.add(r, rank)
        t = Tallier("jurisdiction")
        t.add_all(r.findings)
        merged_cells.merge(t.export(), r.period or "", rank)
    a, b = cells.result(), merged_cells.result()
    assert a[0] == b[0] and a[2] == b[2]
    assert [(r.key, r.label_zh, r.tally) for r in a[1]] == [(r.key, r.label_zh, r.tally) for r in b[1]]


def test_an_unhashable_value_is_tallied_one_by_one() -> None:
    f = R(finding("GG-2", "x", "violated"), lead_units=["a"])  # type: ignore[arg-type]
    t = Tallier("jurisdiction")
    t.add_all([f])
    assert t.total.violated == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_stored_pieces_round_trip(tmp_path: Path, lang: str) -> None:
    store = Store(tmp_path / "out", "t", resume=False)
    for k, r in enumerate(_results()):
        e = store.put(f"in-{k}", "fp", r, lang=lang)
        got = store.pieces(e, lang)
        assert got.json.decode("utf-8") == parts.result_json(r, "    ")
        assert got.csv.decode("utf-8") == _old_csv(r, lang)
        assert got.html == findings_block(r, lang)
        other = "en" if lang == "zh" else "zh"  # a resume with another --lang renders again
        again = store.pieces(e, other)
        assert again.csv.decode("utf-8") == _old_csv(r, other) and again.html == findings_block(r, other)
        assert store.load(e) == SubmissionResult.from_dict(r.to_dict())
    store.close()


def test_a_damaged_stored_result_is_refused() -> None:
    data = parts.encode(parts.pieces(sample_report().results[1], "zh"))
    with pytest.raises(ValueError):
        parts.decode(data[:-1])
    with pytest.raises(ValueError):
        parts.decode(b'{"format": "other"}\n')


def test_render_records_what_the_journal_needs() -> None:
    r = sample_report().results[1]
    got = render(r)
    assert got.status == "checked" and got.violated == 2 and got.problems == 0
    assert got.meta["outcomes"] == {"violated": 2, "passed": 1, "pending": 1, "not_applicable": 1, "waived": 1,
                                    "error": 1}
    assert isinstance(Finding.from_dict(r.findings[0].to_dict()), Finding)


def _odd_names_report(*extra: str) -> Report:
    """Jurisdiction names the workbook writes with care: spaces at the ends, markup, empty,
    an emoji, formula-like; ``extra`` names too."""
    names = [" 前后有空格 ", "a&b<c>", "", "🌊河", "=SUM(A1)", "\u3000全角空格", *extra]
    findings = [finding("GG-14", f"4508{k:02d}", "violated" if k % 2 else "passed", jurisdiction=f"4508{k:02d}",
                        jname=n, days_overdue=k) for k, n in enumerate(names)]
    earlier = result("in/q3.json", findings[:3], period="2018Q3", as_of="2018-09-30")
    return Report(results=(earlier, result("in/q4.json", findings), invalid("in/bad.json")),
                  info=RunInfo(ducha_version="x", params={"P": 1.5}))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("which", ["sample", "odd"])
def test_the_workbook_written_directly_is_what_openpyxl_writes(lang: str, which: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.report import xlsx
    from checker.report.view import BatchView
    view = BatchView.of(sample_report() if which == "sample" else _odd_names_report())
    reference = xlsx.render_view(view, lang, direct=False)

    def no_cells(self: object) -> None:
        raise AssertionError("the direct writer fell back to openpyxl cells")

    monkeypatch.setattr(xlsx._Sheet, "materialize", no_cells)
    assert xlsx.render_view(view, lang) == reference


def test_a_value_the_direct_writer_leaves_to_openpyxl_is_written_the_same() -> None:
    from checker.report import xlsx
    from checker.report.view import BatchView
    view = BatchView.of(_odd_names_report("长" * 40000))  # longer than a cell holds: openpyxl cuts it
    assert xlsx.render_view(view, "zh") == xlsx.render_view(view, "zh", direct=False)


def test_a_value_openpyxl_refuses_is_refused_as_before() -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    from checker.report import xlsx
    from checker.report.view import BatchView
    bad = result("in/x.json", [finding("GG-14", "450802", "violated", jname="控制\x01字符")])
    view = BatchView.of(Report(results=(bad,), info=RunInfo(ducha_version="x")))
    with pytest.raises(IllegalCharacterError):
        xlsx.render_view(view, "zh")


def test_column_widths_counted_a_column_at_a_time_are_those_counted_per_value() -> None:
    import openpyxl

    from checker.report import xlsx

    def per_value(rows: list[list[object]]) -> dict[int, int]:  # how the widths were counted before
        widths: dict[int, int] = {}
        for values in rows:
            for i, v in enumerate(values, start=1):
                text = "" if v is None else str(v)
                w = len(text) if text.isascii() else len(text) + sum(1 for ch in text if ord(ch) > 0x2E7F)
                widths[i] = max(widths.get(i, 0), min(60, w))
        return widths

    rows: list[list[object]] = [["title"], [], ["代码", "行政区", 1, 0.123456789, None, "—"],
                                ["450802", "港北区" * 30, 12345678901234567890, 1.0, "🌊河", " a "],
                                ["x", "⺀⹿", -3, float("nan"), "ｆｕｌｌ", ""], [None, None, None]]
    sheet = xlsx._Sheet(openpyxl.Workbook(), "s")
    for values in rows:
        sheet.row(values)
    assert sheet._widths() == per_value(rows)
