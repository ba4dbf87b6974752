"""One ``ducha batch`` over the payload inbox, shared by the output-safety tests."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest

from checker.cli.main import main

from .payloads import RULES, write_inbox


def run_main(*args: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="package")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("payload")
    code, _, err = run_main("batch", write_inbox(root / "inbox"), "--out", root / "out", "--rules", RULES,
                            "--workers", 1)
    assert code == 2, err  # one input is unusable on purpose
    return root / "out"
