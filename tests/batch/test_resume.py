"""``ducha batch --resume``: a run killed with SIGKILL mid-way continues where it stopped.

The batch runs in a child process that is killed (the whole process group, workers too) once
the journal records some finished inputs. Then: no report in ``--out`` may look whole; the
resumed run checks exactly the inputs not finished (plus one whose file changed meanwhile);
its outputs are byte-identical to a clean run's.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.journal import JOURNAL, WORK, Store, input_fingerprint
from checker.run import SubmissionResult

from .helpers import ROOT, ducha, variant, write_json

OUTPUTS = ("results.json", "findings.csv", "scorecard.xlsx", "report.html")
N = 6


def _inbox(root: Path) -> Path:
    inbox = root / "inbox"
    for i in range(N):
        write_json(variant(period="2018Q4", as_of="2018-12-31", submission_id=f"GG-450802-2018Q4-{i}",
                           remove_docs=("D-WP-T1",) if i % 2 else ()), inbox / f"county-{i}.json")
    (inbox / "broken.json").write_text("{", encoding="utf-8")  # refused inputs are recorded too
    return inbox


def _journal_names(out: Path) -> list[str]:
    names = []
    path = out / WORK / JOURNAL
    if not path.exists():
        return names
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if "name" in d:
            names.append(d["name"])
    return names


def _checked_names(names: list[str], inbox: Path) -> set[str]:
    return {n for n in names if n.endswith(".json") and "broken" not in n}


def _progress_names(err: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"^\[\d+/\d+\] .*? (\S+)$", err, re.M)}


def test_a_killed_batch_resumes_without_redoing_finished_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inbox = _inbox(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "checker", "batch", str(inbox), "--out", str(out), "--workers", "1",
                             "--lang", "en"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    try:
        while len(_checked_names(_journal_names(out), inbox)) < 2:
            assert proc.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, as a crash or OOM kill would
        proc.wait()
    finished = set(_journal_names(out))  # broken.json (first by name) among them
    assert 2 <= len(_checked_names(list(finished), inbox)) < N, finished
    # Nothing that looks like a report: the outputs appear only when they are whole.
    assert not any((out / name).exists() for name in OUTPUTS)

    # A finished input changes before the resume: it must be checked again, not reused.
    changed = sorted(_checked_names(list(finished), inbox))[0]
    write_json(variant(period="2018Q4", as_of="2018-12-31", submission_id="GG-450802-2018Q4-CHANGED"), Path(changed))
    os.utime(changed, ns=(time.time_ns(), time.time_ns() + 10_000_000_000))  # a new mtime, even on coarse clocks

    code, so, err = ducha(capsys, "batch", inbox, "--out", out, "--workers", "2", "--lang", "en", "--resume")
    assert code == 2, err  # the broken input is unusable
    reused = len(finished) - 1
    assert f"resuming: {reused} input{'s' if reused != 1 else ''} already checked and reused; {N + 1 - reused} to check" in err
    every = {str(inbox / f"county-{i}.json") for i in range(N)} | {str(inbox / "broken.json")}
    assert _progress_names(err) == (every - finished) | {changed}
    assert so.splitlines()[-1] == f"{N + 1} inputs: {N} checked, 1 unusable, 0 not checked ({N + 1} accounted for)"

    clean = tmp_path / "clean"
    code2, _, _ = ducha(capsys, "batch", inbox, "--out", clean, "--workers", "2", "--lang", "en")
    assert code2 == code
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    assert "CHANGED" in (out / "results.json").read_text(encoding="utf-8")

    # Everything is in the journal now: a second resume checks nothing and writes the same.
    code3, _, err3 = ducha(capsys, "batch", inbox, "--out", out, "--lang", "en", "--resume")
    assert f"resuming: {N + 1} inputs already checked and reused; 0 to check" in err3
    assert _progress_names(err3) == set()
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name

    # Without --resume the journal is replaced, and said so.
    code4, _, err4 = ducha(capsys, "batch", inbox, "--out", out, "--lang", "en", "--select", "GG-14")
    assert "ignoring and replacing the earlier run's journal" in err4
    assert len(_progress_names(err4)) == N + 1


def test_a_changed_option_or_input_is_not_reused(tmp_path: Path) -> None:
    src = write_json(variant(period="2018Q4", as_of="2018-12-31"), tmp_path / "in" / "a.json")
    result = SubmissionResult(path=str(src), status="checked", submission="S")
    store = Store(tmp_path / "out", "token-1", resume=False)
    fp = store.fingerprint(input_fingerprint(src, by_content=False))
    store.put(str(src), fp, result)
    store.close(keep=[])  # keeps the journal, drops the unreferenced file
    again = Store(tmp_path / "out", "token-1", resume=True)
    assert again.reusable(str(src), fp) is None  # its result file is gone
    e = again.put(str(src), fp, result)
    again.close(keep=[e])
    same = Store(tmp_path / "out", "token-1", resume=True)
    assert same.reusable(str(src), fp) == e
    same.close()
    other = Store(tmp_path / "out", "token-2", resume=True)  # other options, rules or ducha version
    assert other.reusable(str(src), other.fingerprint(input_fingerprint(src, by_content=False))) is None
    other.close()
    src.write_text(src.read_text(encoding="utf-8") + " ", encoding="utf-8")  # the input changed
    changed = Store(tmp_path / "out", "token-1", resume=True)
    assert changed.reusable(str(src), changed.fingerprint(input_fingerprint(src, by_content=False))) is None
    changed.close()
    fresh = Store(tmp_path / "out", "token-1", resume=False)  # without --resume: nothing is reused
    assert fresh.reusable(str(src), fp) is None
    fresh.close()


def test_a_journal_line_cut_short_by_a_kill_is_ignored(tmp_path: Path) -> None:
    store = Store(tmp_path / "out", "t", resume=False)
    e = store.put("a.json", "fp", SubmissionResult(path="a.json", status="checked"))
    store.close(keep=[e])
    with open(tmp_path / "out" / WORK / JOURNAL, "a", encoding="utf-8") as fh:
        fh.write('{"name": "b.json", "fingerp')
    again = Store(tmp_path / "out", "t", resume=True)
    assert again.reusable("a.json", "fp") == e
    assert "b.json" not in again.previous
    again.close()
