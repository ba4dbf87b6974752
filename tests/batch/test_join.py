"""The batch joins results.json, findings.csv and the page's blocks while the workers still
check (:class:`checker.cli.batch.Joiner`), counts the scorecards on the way, and renders the
page in a forked child: every byte must still be what the in-memory writers render, whatever
order the results arrive in, whether or not an input supersedes another, and when the fork or
the child fails."""
from __future__ import annotations

import os
import random
import stat
from pathlib import Path

import pytest

from checker.cli import batch
from checker.collect import Collection
from checker.journal import Entry, Store
from checker.report import html as html_writer
from checker.report.safe import PendingFile
from checker.run import RunOptions, SubmissionResult

from ..scorecard.synthetic import finding, invalid, result
from .test_stream import _same_as_in_memory

OUTPUTS = ("results.json", "findings.csv", "scorecard.xlsx", "report.html")


def _results(superseded: bool) -> list[SubmissionResult]:
    """Counties of their own (nothing superseded: the counts made while joining are used), or
    with an earlier quarter of one county too (they are counted again from the stored pieces)."""
    out = []
    for k in range(5):
        code = f"4508{k:02d}"
        out.append(result(f"in/{code}.json", [
            finding("GG-14", code, "violated" if k % 2 else "passed", jurisdiction=code, jname=f"县{k}",
                    submission=f"S-{k}"),
            finding("GG-14", f"{code}001", "passed", jurisdiction=f"{code}001", jname="=街道", submission=f"S-{k}"),
            finding("GG-08", code, "pending", reason="not_due", jurisdiction=code, jname=f"县{k}", leads=("市水利局",),
                    submission=f"S-{k}"),
        ], jurisdiction=code, jname=f"县{k}", submission=f"S-{k}"))
    out.insert(2, invalid("in/bad.json"))
    if superseded:
        out.insert(1, result("in/450800-q3.json", [
            finding("GG-14", "450800", "violated", jurisdiction="450800", jname="旧名", period="2018Q3",
                    submission="S-Q3", as_of="2018-09-30")],
            jurisdiction="450800", jname="旧名", period="2018Q3", as_of="2018-09-30", submission="S-Q3"))
    return out


def _write(tmp: Path, results: list[SubmissionResult], order: list[int], *, fork: bool, lang: str = "zh") -> Path:
    out = tmp / "out"
    store = Store(out, "token", resume=False)
    joiner = batch.Joiner(store, out, lang, len(results))
    entries: dict[int, Entry] = {}
    for i in order:  # as the workers finish: out of order
        entries[i] = store.put(results[i].path, store.fingerprint(str(i)), results[i], lang=lang)
        joiner.put(i, entries[i])
        assert not (out / "findings.csv").exists()  # nothing appears before it is whole
    done = [entries[i] for i in range(len(results))]
    report = batch.build_report(done, RunOptions(), None, Collection(), "error", None)
    batch.write_outputs(done, store, report, out, lang, None, joiner, fork=fork)
    store.close(keep=done)
    return out


@pytest.mark.parametrize("superseded", [False, True])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_outputs_joined_while_checking_are_what_the_in_memory_writers_render(
        tmp_path: Path, superseded: bool, lang: str) -> None:
    results = _results(superseded)
    order = list(range(len(results)))
    random.Random(7).shuffle(order)
    out = _write(tmp_path, results, order, fork=True, lang=lang)
    _same_as_in_memory(out, lang)
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUTS, ".ducha-batch"])  # no temp file left


def test_the_page_is_rendered_here_when_the_fork_or_the_child_fails(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    results = _results(False)
    order = list(range(len(results)))
    reference = _write(tmp_path / "ref", results, order, fork=False)

    def no_fork() -> int:
        raise OSError("no fork here")

    with monkeypatch.context() as m:
        m.setattr(os, "fork", no_fork)
        cannot = _write(tmp_path / "cannot", results, order, fork=True)

    parent = os.getpid()
    real = html_writer.render_view

    def fails_in_the_child(*args: object, **kw: object) -> object:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return real(*args, **kw)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(html_writer, "render_view", fails_in_the_child)
        failing = _write(tmp_path / "failing", results, order, fork=True)
    for name in OUTPUTS:
        assert (cannot / name).read_bytes() == (reference / name).read_bytes(), name
        assert (failing / name).read_bytes() == (reference / name).read_bytes(), name


def test_results_json_is_copied_the_same_without_copy_file_range(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    results = _results(False)
    order = list(range(len(results)))
    reference = _write(tmp_path / "ref", results, order, fork=False)

    def unsupported(*args: object) -> int:
        raise OSError(95, "not supported")

    monkeypatch.setattr(os, "copy_file_range", unsupported)
    plain = _write(tmp_path / "plain", results, order, fork=False)
    assert (plain / "results.json").read_bytes() == (reference / "results.json").read_bytes()


@pytest.mark.parametrize("system", ["nameless", "named", "no-proc"])
def test_a_pending_file_appears_whole_only_when_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          system: str) -> None:
    if system == "named":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)  # a system without nameless files
    if system == "no-proc":  # nameless files, but no /proc/self/fd to give one a name: copied
        def no_link(*_: object) -> None:
            raise OSError("no /proc")
        monkeypatch.setattr(os, "link", no_link)
    target = tmp_path / "out" / "findings.csv"
    kept = PendingFile(target)
    kept.fh.write(b"a,b\r\n" * 1000)
    assert not target.exists()
    assert all(p.name.startswith(".") for p in target.parent.iterdir())
    kept.publish()
    assert target.read_bytes() == b"a,b\r\n" * 1000
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    dropped = PendingFile(tmp_path / "out" / "other.csv")
    dropped.fh.write(b"x")
    dropped.discard()
    assert sorted(p.name for p in target.parent.iterdir()) == ["findings.csv"]


def test_results_are_stored_off_the_loop_that_feeds_the_workers_and_a_failure_is_raised(tmp_path: Path) -> None:
    from checker.journal import render
    results = _results(False)
    store = Store(tmp_path / "out", "token", resume=False)
    entries: list[Entry | None] = [None] * len(results)
    keeper = batch._Keeper(store, None, entries)
    keeper.start()
    for i in reversed(range(len(results))):
        keeper.put(i, results[i].path, store.fingerprint(str(i)), render(results[i]))
    keeper.finish()
    assert [e.name for e in entries if e is not None] == [r.path for r in results]
    assert all(store.load(e).path == r.path for e, r in zip(entries, results) if e is not None)
    store.close()

    class Full(Store):
        def put_rendered(self, *args: object) -> Entry:
            raise OSError(28, "No space left on device")

    full = Full(tmp_path / "full", "token", resume=False)
    keeper = batch._Keeper(full, None, [None, None])
    keeper.start()
    keeper.put(0, "a", "fp", render(results[0]))
    with pytest.raises(OSError, match="No space"):
        keeper.finish()
    full.close()
