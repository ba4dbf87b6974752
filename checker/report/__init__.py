"""Report stage: output writers, a registry of small modules behind one protocol.

Each writer is a module with ``NAME``, ``BINARY`` and ``render(report, options)`` (see
:class:`checker.report.base.Writer`). Adding a format is one module plus one line in
:data:`WRITERS`. Modules are imported only when their format is asked for, so starting the
CLI stays fast.
"""
from __future__ import annotations

import importlib
from typing import cast

from .base import Writer

WRITERS: dict[str, str] = {
    "text": "checker.report.text",
    "json": "checker.report.json",
    "junit": "checker.report.junit",
    "sarif": "checker.report.sarif",
    "github": "checker.report.github",
    "markdown": "checker.report.markdown",
    "csv": "checker.report.csv",
    "xlsx": "checker.report.xlsx",
    "html": "checker.report.html",
}


def get_writer(name: str) -> Writer:
    """The writer module registered as ``name`` (a ``KeyError`` for an unknown name)."""
    return cast(Writer, importlib.import_module(WRITERS[name]))


__all__ = ["WRITERS", "Writer", "get_writer"]
