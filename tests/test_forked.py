"""Rules shared with forked helpers give exactly the serial result, whatever the helpers do."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from checker import evaluate as evaluate_mod
from checker import forked
from checker.dataset import build_dataset
from checker.engine import EngineError, Ruleset
from checker.evaluate import Evaluator
from checker.forked import run_forked
from checker.load import load_path
from checker.rulefile import load_pack

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="no os.fork on this platform")

ROOT = Path(__file__).resolve().parents[1]
PARENT = os.getpid()


def square(i: int) -> tuple[int, int]:
    time.sleep(0.005)  # long enough for a helper to take items too
    return i * i, os.getpid()


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_results_come_back_in_item_order(processes: int) -> None:
    got = run_forked(square, 40, processes, priority=list(reversed(range(40))), decode=tuple)
    assert [v for v, _ in got] == [i * i for i in range(40)]


def test_helpers_really_take_items() -> None:
    pids = {pid for _, pid in run_forked(square, 40, 2, decode=tuple)}
    assert PARENT in pids and len(pids) == 2, "the parent and one helper both computed items"


def test_priority_must_be_a_permutation() -> None:
    with pytest.raises(ValueError):
        run_forked(square, 3, 2, priority=[0, 0, 1])


def test_a_helper_that_dies_is_replaced_by_the_parent() -> None:
    def fn(i: int) -> int:
        if os.getpid() != PARENT:
            os._exit(7)
        return i + 1
    assert run_forked(fn, 20, 2) == [i + 1 for i in range(20)]


def test_a_helper_that_hangs_is_killed_and_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "MIN_WAIT", 0.3)
    monkeypatch.setattr(forked, "PATIENCE", 1.0)

    def fn(i: int) -> int:
        if os.getpid() != PARENT:
            time.sleep(3600)
        time.sleep(0.01)
        return -i
    started = time.monotonic()
    assert run_forked(fn, 10, 2) == [-i for i in range(10)]
    assert time.monotonic() - started < 60


def test_results_that_do_not_encode_or_decode_are_recomputed() -> None:
    def fn(i: int) -> object:
        time.sleep(0.005)
        return {i} if os.getpid() != PARENT else i  # a set is not JSON
    assert run_forked(fn, 20, 2) == list(range(20))

    def bad(v: object) -> object:
        raise ValueError(v)
    assert run_forked(square, 20, 2, decode=bad) == [(i * i, PARENT) for i in range(20)], \
        "what a helper sent and could not be decoded was computed by the parent"


@pytest.mark.parametrize("priority", [None, [5, 4, 3, 2, 1, 0], [3, 0, 5, 1, 4, 2]])
def test_the_first_exception_in_item_order_is_raised(priority: list[int] | None) -> None:
    def fn(i: int) -> int:
        time.sleep(0.01)
        if i in (2, 4):
            raise KeyError(i)
        return i
    with pytest.raises(KeyError) as e:
        run_forked(fn, 6, 2, priority=priority)
    assert e.value.args == (2,)


# ------------------------------------------------------------------ the evaluator


def _dataset(path: Path):  # type: ignore[no-untyped-def]
    return build_dataset(load_path(path))


@pytest.mark.parametrize("sample", ["samples/guigang/450802-2018Q4.json", "samples/changning/310105-2025Q4.json"])
def test_shared_rules_give_the_serial_findings(sample: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ds = _dataset(ROOT / sample)
    pack = load_pack(ds.header.pack)
    serial = Evaluator(pack).evaluate(ds)
    monkeypatch.setattr(evaluate_mod, "FORK_MIN_ROWS", 0)  # a sample is small: share it anyway
    assert Evaluator(pack).evaluate(ds, processes=2) == serial
    assert Evaluator(pack).evaluate(ds, processes=4) == serial


def test_engine_errors_keep_the_serial_order(monkeypatch: pytest.MonkeyPatch) -> None:
    ds = _dataset(ROOT / "samples/guigang/450802-2018Q4.json")
    pack = load_pack(ds.header.pack)
    broken = {r.id for r in pack.rules[::3]}
    real = Ruleset.evaluate

    def evaluate(self: Ruleset, facts, evaluate):  # type: ignore[no-untyped-def]
        if evaluate.get("r") in broken:
            raise EngineError(f"broken {evaluate.get('r')}")
        return real(self, facts, evaluate)
    monkeypatch.setattr(Ruleset, "evaluate", evaluate)
    a = Evaluator(pack)
    serial = a.evaluate(ds)
    monkeypatch.setattr(evaluate_mod, "FORK_MIN_ROWS", 0)
    b = Evaluator(pack)
    assert b.evaluate(ds, processes=2) == serial
    assert b.engine_errors == a.engine_errors and len(a.engine_errors) >= 1


def test_findings_survive_the_column_encoding_exactly() -> None:
    """What a helper sends back: every field, with tuples, None and ints, shared or not."""
    import json

    from checker.finding import decode_columns, encode_columns
    ds = _dataset(ROOT / "samples/guigang/450800-2018Q2.json")  # a sample with days overdue
    found = Evaluator(load_pack(ds.header.pack)).evaluate(ds)
    assert len({f.rule for f in found}) > 10 and any(f.days_overdue is not None for f in found)
    for part in (found, found[:1], [], [f for f in found if f.outcome == "violated"]):
        back = decode_columns(json.loads(json.dumps(encode_columns(part))))
        assert back == part
        assert [f.to_dict() for f in back] == [f.to_dict() for f in part]  # waiver too (compare=False)
