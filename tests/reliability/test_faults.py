"""Fault isolation, end to end: a ``ducha batch`` in which some inputs crash their worker
(SIGSEGV, SIGABRT, exit), hang past ``--timeout``, or raise, finishes; every other input is
checked exactly as it would be alone; each faulty input is ``failed`` with its reason; the
exit code is 3 (ducha failed on an input) and every output is written.

The faults are real (a null-pointer read, abort(), a sleep) and happen inside the pool
worker while it checks that input: see ``faultinject/sitecustomize.py``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from checker.report.base import read_results
from checker.run import Runner, RunOptions
from tests.properties.invariants import comparable
from tests.properties.tally import record

ROOT = Path(__file__).resolve().parents[2]
INJECT = Path(__file__).resolve().parent / "faultinject"
GOOD = [ROOT / "samples" / "guigang" / "450802-2017Q4.json", ROOT / "samples" / "changning" / "310105-2023Q4.json",
        ROOT / "samples" / "guigang" / "450800-2017Q4.json"]
# fault → (how many inputs, what the reason must say)
FAULTS = {"segv": (2, "SIGSEGV"), "abort": (1, "SIGABRT"), "exit": (1, "exit code 7"), "hang": (1, "timed out"),
          "raise": (2, "RuntimeError: injected fault"), "oom": (1, "MemoryError")}
TIMEOUT = 20  # seconds: far above a fresh worker's first check (a few s under load), far below the hang


def _inbox(folder: Path) -> dict[str, str | None]:
    """Faulty inputs interleaved with good ones (so good inputs follow crashes on the same
    worker); name → the fault, or None."""
    folder.mkdir()
    kinds = [k for k, (n, _) in FAULTS.items() for _ in range(n)]
    expect: dict[str, str | None] = {}
    for i, kind in enumerate(kinds):
        good = GOOD[i % len(GOOD)]
        name = f"{kind}-{i:02d}.json"
        shutil.copy(good, folder / name)  # valid data: only the injected fault can fail it
        expect[name] = kind
        ok = f"ok-{i:02d}-{good.name}"
        shutil.copy(good, folder / ok)
        expect[ok] = None
    return expect


def test_crashes_hangs_and_exceptions_cost_only_their_own_input(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    expect = _inbox(inbox)
    env = dict(os.environ, DUCHA_INJECT_FAULTS="1",
               PYTHONPATH=os.pathsep.join([str(INJECT), str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    proc = subprocess.run([sys.executable, "-m", "checker", "batch", str(inbox), "--out", str(tmp_path / "out"),
                           "--workers", "2", "--timeout", str(TIMEOUT), "--lang", "en"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 3, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    for name in ("results.json", "findings.csv", "scorecard.xlsx", "report.html"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    report = read_results(tmp_path / "out" / "results.json")
    got = {Path(r.path).name: r for r in report.results}
    assert sorted(got) == sorted(expect)  # every input accounted for, exactly once
    alone = Runner(RunOptions())
    for name, fault in expect.items():
        r = got[name]
        if fault is None:
            assert r.status == "checked", (name, r.status, r.reason)
            twin = alone.run(inbox / name)
            assert comparable(r) == comparable(twin), name  # same verdict as when checked alone
            continue
        record(f"faults.{fault}")
        want = FAULTS[fault][1]
        assert r.status == "failed" and r.failure == "internal", (name, r.status)
        assert r.reason and want in r.reason, (name, r.reason)
        if fault != "raise":  # the pool's reasons are bilingual; Runner.run's own is "Type: message"
            assert " / " in r.reason
        assert name in proc.stderr  # the internal-error message names the input
        record("faults.accounted")
    c = report.counts()
    assert (c.files, c.checked, c.failed) == (len(expect), sum(v is None for v in expect.values()),
                                             sum(v is not None for v in expect.values()))


def test_the_injector_is_inert_without_its_switch(tmp_path: Path) -> None:
    """The control: the same file names without DUCHA_INJECT_FAULTS are checked normally, so the
    failures above come from the injected faults and not from the names or the data."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(GOOD[0], inbox / "segv-00.json")
    shutil.copy(GOOD[1], inbox / "hang-01.json")
    env = {k: v for k, v in os.environ.items() if k != "DUCHA_INJECT_FAULTS"}
    env["PYTHONPATH"] = os.pathsep.join([str(INJECT), str(ROOT)])
    proc = subprocess.run([sys.executable, "-m", "checker", "batch", str(inbox), "--out", str(tmp_path / "out"),
                           "--workers", "1", "--timeout", str(TIMEOUT)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    report = read_results(tmp_path / "out" / "results.json")
    assert [r.status for r in report.results] == ["checked", "checked"]
