"""The same properties through the command line: ``ducha check`` (in process, via ``main``) and
``ducha batch`` over folders of generated good and bad files, where every input must be
accounted for: one result per input, each with a status, skipped files named."""
from __future__ import annotations

import contextlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import export
from checker.cli.main import main
from checker.report.base import read_results

from .mutations import SAMPLES, Case, cases, sample_doc
from .tally import record
from .test_pipeline import budget


def run_main(*args: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=budget(10))
@given(case=cases())
def test_check_command_exits_0_1_or_2_never_3(tmp_path_factory: pytest.TempPathFactory, case: Case) -> None:
    path = tmp_path_factory.mktemp("cli") / "s.json"
    path.write_bytes(case.data)
    code, out, err = run_main("check", path, "--format", "json", "--lang", "en")
    record("inputs.cli")
    assert code in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err
    if case.breaks:
        assert code == 2
    if code in (0, 1):
        results = json.loads(out)["results"]
        assert [r["status"] for r in results] == ["checked"]


# ---------------------------------------------------------------------------- batch

@st.composite
def inbox_entries(draw: Any) -> list[tuple[str, Any]]:
    """3–6 things a supervision office may receive: ("case", Case), ("xlsx"|"yaml"|"csv", sample),
    ("junk", bytes), ("zip", Case), ("skip", suffix)."""
    kinds = st.sampled_from(["case", "case", "case", "xlsx", "yaml", "csv", "junk", "zip", "skip", "xls"])
    out: list[tuple[str, Any]] = []
    for kind in draw(st.lists(kinds, min_size=3, max_size=6)):
        if kind in ("case", "zip"):
            out.append((kind, draw(cases())))
        elif kind in ("xlsx", "yaml", "csv"):
            out.append((kind, str(draw(st.sampled_from(SAMPLES)))))
        elif kind == "junk":
            out.append((kind, draw(st.binary(max_size=64))))
        elif kind == "skip":
            out.append((kind, draw(st.sampled_from([".txt", ".pdf", ".png", ".docx"]))))
        else:
            out.append((kind, b"\xd0\xcf\x11\xe0 not really an old workbook"))
    return out


def write_inbox(entries: list[tuple[str, Any]], inbox: Path) -> tuple[dict[str, Case | None], list[str]]:
    """The files, and what the batch must report: input name → its case (None: no expectation
    beyond a status), and the names that must be skipped (not submissions)."""
    inbox.mkdir(parents=True)
    expect: dict[str, Case | None] = {}
    skipped: list[str] = []
    for n, (kind, what) in enumerate(entries):
        stem = f"{n:02d}-{kind}"
        if kind == "case":
            (inbox / f"{stem}.json").write_bytes(what.data)
            expect[f"{stem}.json"] = what
        elif kind == "zip":
            with zipfile.ZipFile(inbox / f"{stem}.zip", "w") as zf:
                zf.writestr("inner/s.json", what.data)
            expect[f"{stem}.zip!/inner/s.json"] = what
        elif kind == "xlsx":
            export.write_xlsx(sample_doc(what), inbox / f"{stem}.xlsx")
            expect[f"{stem}.xlsx"] = None
        elif kind == "yaml":
            export.write_yaml(sample_doc(what), inbox / f"{stem}.yaml")
            expect[f"{stem}.yaml"] = None
        elif kind == "csv":
            export.write_csv_folder(sample_doc(what), inbox / stem)
            expect[stem] = None
        elif kind == "junk":
            (inbox / f"{stem}.json").write_bytes(what)
            expect[f"{stem}.json"] = None
        elif kind == "skip":
            (inbox / f"{stem}{what}").write_bytes(b"not a submission")
            skipped.append(f"{stem}{what}")
        else:
            (inbox / f"{stem}.xls").write_bytes(what)
            expect[f"{stem}.xls"] = None
    return expect, skipped


@settings(max_examples=budget(3))
@given(entries=inbox_entries())
def test_batch_accounts_for_every_input(tmp_path_factory: pytest.TempPathFactory, entries: list[tuple[str, Any]]) -> None:
    root = tmp_path_factory.mktemp("batch")
    inbox = root / "inbox"
    expect, skipped = write_inbox(entries, inbox)
    code, out, err = run_main("batch", inbox, "--out", root / "out", "--workers", 2, "--lang", "en")
    record("batches")
    record("inputs.batch", len(expect))
    assert code in (0, 1, 2), err
    report = read_results(root / "out" / "results.json")
    names = {r.path: r for r in report.results}
    shown = {name: str(inbox / name) for name in expect}
    assert len(report.results) == len(expect), (sorted(names), sorted(shown.values()))
    assert set(names) == set(shown.values())
    for name, case in expect.items():
        r = names[shown[name]]
        assert r.status in ("checked", "invalid") or (r.status == "failed" and r.failure == "rules"), (name, r.reason)
        if case is not None and case.breaks:
            assert r.status == "invalid", name
        if case is not None and case.same_as:
            assert r.status == "checked", name
    noted = {n.where for n in report.notices if n.code == "W-SKIPPED"}
    assert {str(inbox / s) for s in skipped} <= noted, noted
    c = report.counts()
    assert c.files == len(expect) == c.checked + c.invalid + c.failed
    assert f"{len(expect)}" in out  # the accounting line names the count
