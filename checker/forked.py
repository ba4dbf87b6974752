"""Share independent pieces of work with forked copies of this process.

One submission's rules are independent of each other, and ``ducha check`` on a large
submission spends most of its time evaluating them one after another on one core. After the
dataset is built, :func:`run_forked` forks helpers that take work from the same queue as the
parent: a pipe holding item numbers, heaviest first, so each process takes the next item the
moment it is free. Each helper writes what it computed to a temporary file, as JSON (never
pickle: nothing read back from a file runs as code), and exits.

The parent stays in charge of the result. Anything a helper did not deliver — it crashed, was
killed, took far longer than the parent's own share, or raised — the parent computes itself,
in the caller's order, so the result (and the first exception, if any) is the same as a
serial run's. Forking is an optimisation only; where ``os.fork`` does not exist the work
runs serially.
"""
from __future__ import annotations

import json
import os
import select
import signal
import tempfile
import time
from typing import Any, Callable, Sequence, TypeVar

from .collector import gc_frozen

T = TypeVar("T")

_WIDTH = 4  # bytes per item number in the queue
_MAX_ITEMS = 65536 // _WIDTH  # the whole queue fits a pipe's buffer: written before forking, never blocks
# How long the parent waits for its helpers once the queue is empty: PATIENCE times its own
# share (a helper that took one item holding nine tenths of the work is still waited for), at
# least MIN_WAIT seconds. Only a helper that hangs (a lock held by another thread at fork
# time) should ever run out of it; its items are then computed by the parent.
PATIENCE = 10.0
MIN_WAIT = 5.0


def can_fork() -> bool:
    return hasattr(os, "fork")


def spawn(work: Callable[[], object]) -> int | None:
    """Fork a child that runs ``work`` and exits: 0 when it returned, 1 when it raised (see
    :func:`wait_ok`). None when this process cannot fork. The collector is frozen across the
    fork, so the child's passes do not touch (and copy) every page it shares with the parent."""
    if not can_fork():
        return None
    with gc_frozen():
        try:
            pid = os.fork()
        except OSError:  # no more processes
            return None
        if pid == 0:  # the child never leaves this block: it ends here, frozen
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends a child at once
                work()
                code = 0
            except BaseException:  # noqa: BLE001 - the exit code says it; the parent decides
                code = 1
            finally:
                os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
    return pid


def wait_ok(pid: int) -> bool:
    """Reap child ``pid``; whether its ``work`` returned."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return False
    return os.waitstatus_to_exitcode(status) == 0


def _helper(queue: int, out: int, fn: Callable[[int], T], encode: Callable[[T], Any]) -> None:
    """A helper's work: take items until the queue is empty, then write the results. Its exit
    closes its end of the "done" pipe: that is how the parent learns it finished."""
    results: dict[str, Any] = {}
    while chunk := os.read(queue, _WIDTH):
        i = int.from_bytes(chunk, "little")
        try:
            results[str(i)] = encode(fn(i))
        except Exception:  # noqa: BLE001 - the parent recomputes this item and raises it there
            break
    # json.dumps, not json.dump: one call of the C encoder (dump writes piece by piece)
    text = json.dumps(results, ensure_ascii=False, allow_nan=False).encode("utf-8")
    with os.fdopen(out, "wb", closefd=False) as fh:
        fh.write(text)


def _same(x: Any) -> Any:
    return x


def run_forked(fn: Callable[[int], T], n: int, processes: int, priority: Sequence[int] | None = None,
               encode: Callable[[T], Any] = _same, decode: Callable[[Any], T] = _same) -> list[T]:
    """``[fn(i) for i in range(n)]``, computed by this process and up to ``processes - 1``
    forked helpers, which take items from one queue in ``priority`` order (a permutation of
    ``range(n)``; callers put the heaviest first). A helper's results travel as JSON:
    ``decode(encode(r))`` must give back ``r``. ``fn`` must not depend on which other items
    ran before it in the same process."""
    items = list(range(n))
    queued = list(priority) if priority is not None else items
    if sorted(queued) != items:
        raise ValueError("priority must be a permutation of range(n)")
    if processes < 2 or n < 2 or not can_fork() or n > _MAX_ITEMS:
        return [fn(i) for i in items]
    queue_r, queue_w = os.pipe()
    os.write(queue_w, b"".join(i.to_bytes(_WIDTH, "little") for i in queued))
    os.close(queue_w)  # readers see the end of the queue once it is empty
    helpers: list[tuple[int, int, int]] = []  # (pid, done pipe read end, result file descriptor)
    results: dict[int, T] = {}
    failed: dict[int, BaseException] = {}
    try:
        for _ in range(min(processes, n) - 1):
            out = tempfile.TemporaryFile()
            done_r, done_w = os.pipe()
            pid = spawn(lambda: _helper(queue_r, out.fileno(), fn, encode))
            os.close(done_w)  # the helper's exit closes its copy: EOF tells the parent it is done
            if pid is None:  # no more processes: fewer helpers, or none
                out.close()
                os.close(done_r)
                break
            helpers.append((pid, done_r, os.dup(out.fileno())))
            out.close()
        started = time.monotonic()
        while chunk := os.read(queue_r, _WIDTH):
            i = int.from_bytes(chunk, "little")
            try:
                results[i] = fn(i)
            except Exception as e:  # raised below, in the caller's order
                failed[i] = e
                break  # as a serial run would stop here; the helpers' items are still collected
        own = time.monotonic() - started
        deadline = time.monotonic() + max(MIN_WAIT, PATIENCE * own)
        while helpers:
            pid, done_r, fd = helpers.pop()
            for k, v in _collect(pid, done_r, fd, deadline).items():
                if k not in failed and 0 <= k < n:
                    try:
                        results[k] = decode(v)
                    except Exception:  # noqa: BLE001 - computed again below
                        pass
    finally:
        os.close(queue_r)
        for pid, done_r, fd in helpers:  # an exception in the parent: end the helpers too
            stop(pid)
            os.close(done_r)
            os.close(fd)
    out_list: list[T] = []
    for i in items:  # missing items are computed here, in order: the first exception is a serial run's
        if i in failed:
            raise failed[i]
        out_list.append(results[i] if i in results else fn(i))
    return out_list


def _collect(pid: int, done_r: int, fd: int, deadline: float) -> dict[int, Any]:
    """One helper's results, or nothing if it failed or outlived ``deadline`` (it is killed)."""
    try:
        ready, _, _ = select.select([done_r], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            stop(pid)
            return {}
        if not wait_ok(pid):
            return {}
        with os.fdopen(os.dup(fd), "rb") as fh:
            fh.seek(0)
            got = json.loads(fh.read())
        return {int(k): v for k, v in got.items()} if isinstance(got, dict) else {}
    except (OSError, ValueError):
        return {}
    finally:
        os.close(done_r)
        os.close(fd)


def stop(pid: int) -> None:
    """Kill child ``pid`` and reap it (nothing if it is gone already)."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
