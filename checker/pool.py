"""A supervised process pool: a crash or a runaway task costs only that task.

durable_rules is C and has crashed on inputs (shared/durable_rules.md); a segfault in a
``concurrent.futures`` worker breaks the whole pool. Here each worker is watched on its own:
when a worker dies (signal, abort) or a task exceeds its time limit, that task is reported
as :class:`Failed` with the reason, the worker is replaced, and the other tasks go on.
Processes, not threads: the engine holds the GIL.

Contract: ``run(tasks, fn, workers=N, timeout=S)`` yields ``(index, result)`` for every task
exactly once, in completion order; ``result`` is ``fn(task)`` or a :class:`Failed`.
``fn`` and the tasks must be picklable (``fn`` a module-level function).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator


@dataclass(frozen=True)
class Failed:
    reason_zh: str
    reason_en: str
    detail: str = ""


def _worker(conn: Connection, fn: Callable[[Any], Any]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    while True:
        try:
            item = conn.recv()
        except EOFError:
            break
        if item is None:
            break
        index, task = item
        try:
            result: Any = fn(task)
        except BaseException as e:  # noqa: BLE001 - every failure is reported, none escapes
            result = Failed(f"内部错误：{type(e).__name__}", f"internal error: {type(e).__name__}: {e}",
                            traceback.format_exc(limit=20))
        conn.send((index, result))
    # Leave at once: tearing down a checker's interpreter (pandas, the engines' state) takes a
    # second or two that the batch would spend waiting after its last input. Nothing of the
    # worker's needs cleaning up: its results went through the pipe.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(0)


@dataclass
class _Slot:
    proc: Any
    conn: Connection
    index: int | None = None
    started: float = 0.0


def _spawn(ctx: Any, fn: Callable[[Any], Any]) -> _Slot:
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_worker, args=(child, fn), daemon=True)
    proc.start()
    child.close()
    return _Slot(proc, parent)


def _death_reason(code: int | None) -> Failed:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return Failed(f"检查进程崩溃（信号 {name}），仅影响本报送", f"checker process crashed (signal {name}); only this submission is affected")
    return Failed(f"检查进程意外退出（退出码 {code}）", f"checker process exited unexpectedly (exit code {code})")


def run(tasks: Iterable[Any], fn: Callable[[Any], Any], *, workers: int | None = None,
        timeout: float | None = None, start_method: str = "spawn") -> Iterator[tuple[int, Any]]:
    pending = list(enumerate(tasks))
    pending.reverse()  # pop() from the end keeps task order
    total = len(pending)
    if total == 0:
        return
    n = max(1, min(workers or os.cpu_count() or 1, total))
    ctx = mp.get_context(start_method)
    slots = [_spawn(ctx, fn) for _ in range(n)]
    done = 0

    def feed(slot: _Slot) -> None:
        slot.index, task = pending.pop()
        slot.started = time.monotonic()
        slot.conn.send((slot.index, task))

    try:
        while done < total:
            for slot in slots:
                if slot.index is None and pending:
                    feed(slot)
            busy = [s for s in slots if s.index is not None]
            waits: list[Any] = [s.conn for s in busy] + [s.proc.sentinel for s in busy]
            wait_for = None
            if timeout is not None:
                now = time.monotonic()
                wait_for = max(0.0, min(s.started + timeout - now for s in busy))
            ready = set(wait(waits, timeout=wait_for))
            for i, slot in enumerate(slots):
                if slot.index is None:
                    continue
                index = slot.index
                if slot.conn in ready:
                    try:
                        got_index, result = slot.conn.recv()
                    except (EOFError, OSError):
                        slot.proc.join(1)
                        result, got_index = _death_reason(slot.proc.exitcode), index
                        slots[i] = _replace(ctx, fn, slot)
                    else:
                        slot.index = None
                        if pending:  # before the caller stores this result: the worker need not wait
                            feed(slot)
                    done += 1
                    yield got_index, result
                elif slot.proc.sentinel in ready:
                    slot.proc.join(1)
                    result = _death_reason(slot.proc.exitcode)
                    slots[i] = _replace(ctx, fn, slot)
                    done += 1
                    yield index, result
                elif timeout is not None and time.monotonic() - slot.started >= timeout:
                    slots[i] = _replace(ctx, fn, slot, kill=True)
                    done += 1
                    yield index, Failed(f"超过时限（{timeout:g} 秒），已终止", f"timed out after {timeout:g} s and was stopped")
    finally:
        for slot in slots:
            try:
                slot.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        for slot in slots:
            slot.proc.join(2)
            if slot.proc.is_alive():
                slot.proc.kill()
                slot.proc.join(1)


def _replace(ctx: Any, fn: Callable[[Any], Any], slot: _Slot, kill: bool = False) -> _Slot:
    if kill and slot.proc.is_alive():
        slot.proc.kill()
    slot.proc.join(2)
    slot.conn.close()
    return _spawn(ctx, fn)


class Sandbox:
    """One supervised worker process kept for many calls: ``call(task, timeout)`` returns
    ``fn(task)`` or a :class:`Failed` when the process dies or exceeds ``timeout`` (it is then
    replaced). Used where a task runs on a host that is not ours to crash, e.g. inside a Dask
    worker: the check runs in a child, so a segfault or a hung engine costs one input, not the
    worker and every task queued on it. The child keeps its state (the Runner cache) between
    calls, as the pool's workers do."""

    def __init__(self, fn: Callable[[Any], Any], start_method: str = "spawn") -> None:
        self.fn = fn
        self.ctx = mp.get_context(start_method)
        self.slot: _Slot | None = None

    def call(self, task: Any, timeout: float | None = None) -> Any:
        if self.slot is None or not self.slot.proc.is_alive():
            self.slot = _spawn(self.ctx, self.fn)
        slot = self.slot
        slot.conn.send((0, task))
        ready = wait([slot.conn, slot.proc.sentinel], timeout=timeout)
        if slot.conn in ready:
            try:
                _, result = slot.conn.recv()
                return result
            except (EOFError, OSError):
                pass
        elif not ready:  # the time limit passed
            self.slot = _replace(self.ctx, self.fn, slot, kill=True)
            return Failed(f"超过时限（{timeout:g} 秒），已终止", f"timed out after {timeout:g} s and was stopped")
        slot.proc.join(1)
        failed = _death_reason(slot.proc.exitcode)
        self.slot = _replace(self.ctx, self.fn, slot)
        return failed

    def close(self) -> None:
        if self.slot is not None:
            try:
                self.slot.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            self.slot.proc.join(2)
            if self.slot.proc.is_alive():
                self.slot.proc.kill()
                self.slot.proc.join(1)
            self.slot = None
