"""Module-level task functions for the pool tests (they must be importable by spawned workers)."""
from __future__ import annotations

import ctypes
import os
import time


def work(task: tuple[str, int]) -> int:
    what, n = task
    if what == "segv":
        ctypes.string_at(0)  # a real native crash, like the engine's
    if what == "abort":
        os.abort()
    if what == "hang":
        time.sleep(60)
    if what == "raise":
        raise ValueError(f"bad task {n}")
    return n * n
