"""Task functions that misbehave on purpose, importable by pool and Dask worker processes."""
from __future__ import annotations

import os
import signal
import time


def misbehave(task: str) -> str:
    """``ok:X`` → ``X``; ``crash`` dies by SIGKILL; ``kill-worker`` kills its parent
    (the Dask worker); ``hang`` sleeps past any test's limit; ``raise`` raises."""
    if task == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if task == "kill-worker":  # the process running this one: a whole Dask worker lost
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(120)
    if task == "hang":
        time.sleep(120)
    if task == "raise":
        raise ValueError("bad task")
    return task.removeprefix("ok:") + f"@{os.getpid()}"
