"""Fault injection for tests/reliability/test_faults.py — never on ducha's own import path.

Python imports ``sitecustomize`` at start-up from ``sys.path``; the test puts this folder on
``PYTHONPATH`` and sets ``DUCHA_INJECT_FAULTS=1`` for one ``ducha batch`` subprocess, so the
parent and every spawned pool worker load it. It wraps :meth:`checker.run.Runner._run`: an
input whose file name starts with a fault's name suffers that fault *inside the worker, while
checking that input* — where a durable_rules crash would happen:

``segv-``  a real native crash (SIGSEGV) · ``abort-`` SIGABRT · ``exit-`` the process exits ·
``hang-``  sleeps far past ``--timeout`` · ``raise-`` an exception inside the check ·
``oom-``   a MemoryError (which ``Runner.run`` deliberately lets escape).
"""
from __future__ import annotations

import os

if os.environ.get("DUCHA_INJECT_FAULTS") == "1":
    import ctypes
    import time
    from pathlib import Path
    from typing import Any

    import checker.run as _run

    _original = _run.Runner._run

    def _faulty(self: Any, p: Path, shown: str) -> Any:
        name = p.name
        if name.startswith("segv-"):
            ctypes.string_at(0)
        elif name.startswith("abort-"):
            os.abort()
        elif name.startswith("exit-"):
            os._exit(7)
        elif name.startswith("hang-"):
            time.sleep(600)
        elif name.startswith("raise-"):
            raise RuntimeError("injected fault")
        elif name.startswith("oom-"):
            raise MemoryError("injected out-of-memory")
        return _original(self, p, shown)

    _run.Runner._run = _faulty  # type: ignore[method-assign]
