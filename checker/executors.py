"""Where a batch's checks run: here, in the supervised process pool, or on a Dask cluster.

Contract (both executors): ``run(tasks, fn, ...)`` yields ``(index, result)`` for every task
exactly once, in completion order; ``result`` is ``fn(task)`` or a :class:`~checker.pool.Failed`
(the task raised, its process died, or it exceeded ``timeout`` seconds). A failure costs only
its own task. The caller (``ducha batch``) writes each result to disk as it arrives and puts
the outputs in input order, so neither executor holds more than the results in flight.

* :func:`run_local` — :func:`checker.pool.run` (one process per core).
* :func:`run_dask` — ``dask.distributed``: each task is submitted to the scheduler at
  ``ADDRESS``; on the worker it runs in a :class:`~checker.pool.Sandbox` child process kept
  per worker process, so a crash or a hung engine kills neither the worker nor its queue, and
  ``--timeout`` is enforced where the work happens (the client cannot know when a queued task
  starts). A worker lost altogether (``KilledWorker``, after Dask's retries) fails only the
  task it was running: one task per worker thread is in flight, none waits behind another.
"""
from __future__ import annotations

import traceback
import uuid
from typing import Any, Callable, Iterable, Iterator

from .pool import Failed, Sandbox

# Tasks in flight per worker thread. One: the scheduler then never queues a second task of
# ours on a busy worker, so a worker that dies takes down only the input it was checking
# (queued tasks count as suspects too); the gap between tasks is one round trip, nothing
# next to a check's seconds.
IN_FLIGHT_PER_THREAD = 1


def run_local(tasks: Iterable[Any], fn: Callable[[Any], Any], *, workers: int | None,
              timeout: float | None) -> Iterator[tuple[int, Any]]:
    from .pool import run
    yield from run(tasks, fn, workers=workers, timeout=timeout)


# ---------------------------------------------------------------- the Dask worker side

_SANDBOXES: dict[Any, Sandbox] = {}


def sandboxed(fn: Callable[[Any], Any], task: Any, timeout: float | None) -> Any:
    """Runs on a Dask worker: ``fn(task)`` in this worker process's sandbox child."""
    import multiprocessing
    # Dask starts worker processes as daemons, and a daemonic process may not start children;
    # the flag only guards that check (the sandbox child is itself a daemon, so it still ends
    # with the worker).
    multiprocessing.current_process()._config["daemon"] = False  # type: ignore[attr-defined]
    box = _SANDBOXES.get(fn)
    if box is None:
        box = _SANDBOXES[fn] = Sandbox(fn)
    try:
        return box.call(task, timeout)
    except Exception as e:  # noqa: BLE001 - the sandbox itself failed: report, never raise
        return Failed(f"内部错误：{type(e).__name__}", f"internal error: {type(e).__name__}: {e}",
                      traceback.format_exc(limit=20))


# ---------------------------------------------------------------- the client side


class SchedulerUnreachable(Exception):
    """The Dask scheduler could not be reached (bilingual, for the CLI)."""

    def __init__(self, address: str, why: str) -> None:
        self.zh = f"无法连接 Dask 调度器 {address}：{why}"
        self.en = f"cannot reach the Dask scheduler at {address}: {why}"
        super().__init__(self.en)


CONNECT_TIMEOUT = 30.0  # seconds to reach the scheduler before giving up


def connect(address: str) -> Any:
    """A ``distributed.Client`` for ``address`` (``tcp://host:8786``) or raises
    :class:`SchedulerUnreachable`; ImportError when the ``[dask]`` extra is missing."""
    from distributed import Client
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise SchedulerUnreachable(address, f"{type(e).__name__}: {e}") from None


def _lost(e: BaseException | None) -> Failed:
    name = type(e).__name__ if e is not None else "unknown"
    if name == "KilledWorker":
        return Failed("Dask 工作进程反复退出，本报送未能检查", f"the Dask worker died running it ({name}); not checked")
    if name == "CancelledError":
        return Failed("Dask 任务被取消", "the Dask task was cancelled")
    return Failed(f"Dask 任务失败：{name}", f"the Dask task failed: {name}: {e}")


def run_dask(tasks: Iterable[Any], fn: Callable[[Any], Any], *, client: Any,
             timeout: float | None) -> Iterator[tuple[int, Any]]:
    """Submit the tasks to ``client`` and yield each result as it arrives. One task per worker
    thread is in flight, so neither the scheduler nor this process holds the whole batch; the
    rest are submitted as results come back."""
    from distributed import as_completed
    pending = list(enumerate(tasks))
    pending.reverse()  # pop() from the end keeps task order
    if not pending:
        return
    threads = sum(client.nthreads().values()) or 1
    window = max(1, threads * IN_FLIGHT_PER_THREAD)
    index_of: dict[str, int] = {}
    live: dict[str, Any] = {}

    def submit() -> Any:
        i, task = pending.pop()
        # pure=False: two identical inputs are two tasks; the key names the batch position.
        fut = client.submit(sandboxed, fn, task, timeout, pure=False, key=f"ducha-check-{i}-{uuid.uuid4().hex}")
        index_of[fut.key] = i
        live[fut.key] = fut
        return fut

    running = as_completed([submit() for _ in range(min(window, len(pending)))], loop=client.loop)
    try:
        for fut in running:
            i = index_of.pop(fut.key)
            live.pop(fut.key, None)
            if fut.status == "finished":
                try:
                    result = fut.result()
                except BaseException as e:  # noqa: BLE001 - lost between finish and fetch
                    result = _lost(e)
            else:
                try:
                    exc = fut.exception()
                except BaseException as e:  # noqa: BLE001 - cancelled futures raise here
                    exc = e
                result = _lost(exc)
            fut.release()
            del fut
            if pending:
                running.add(submit())
            yield i, result
    finally:
        if live:  # interrupted: do not leave the cluster busy with work nobody will read
            client.cancel(list(live.values()), force=True)
