"""The supervised pool: a native crash, an abort, an exception or a runaway task costs only that task."""
from __future__ import annotations

from checker.pool import Failed, run

from .poolwork import work


def test_every_task_is_accounted_for_exactly_once_despite_crashes_and_hangs() -> None:
    tasks = [("ok", 1), ("segv", 2), ("ok", 3), ("hang", 4), ("abort", 5), ("raise", 6), ("ok", 7)]
    results = dict(run(tasks, work, workers=2, timeout=3))
    assert sorted(results) == list(range(len(tasks)))
    assert results[0] == 1 and results[2] == 9 and results[6] == 49
    assert isinstance(results[1], Failed) and "SIGSEGV" in results[1].reason_en
    assert isinstance(results[3], Failed) and "timed out" in results[3].reason_en
    assert isinstance(results[4], Failed) and "SIGABRT" in results[4].reason_en
    assert isinstance(results[5], Failed) and "ValueError" in results[5].reason_en


def test_no_tasks_yields_nothing() -> None:
    assert list(run([], work, workers=2)) == []
