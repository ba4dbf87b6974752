"""What the commands share: common options, argument types and bilingual output helpers.

Only the standard library is imported here; command modules import the pipeline inside
their functions, so ``ducha --help`` never loads pandas or durable_rules.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TextIO

LANGS = ("zh", "en")


class UsageError(Exception):
    """The command line asks for something impossible (exit 2). Bilingual."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options every command takes: ``--lang`` and ``--debug``."""
    parser.add_argument("--lang", choices=LANGS, default="zh",
                        help="输出语言（默认中文）/ output language (default zh)")
    parser.add_argument("--debug", action="store_true",
                        help="出错时显示完整回溯 / show the full traceback on an internal error")


def add_rules_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="DIR", type=Path, default=None,
                        help="规则目录（含各规则包；默认随 ducha 安装的 rules/）/ "
                             "rules directory holding the packs (default: the rules/ shipped with ducha)")


def iso_date(text: str) -> dt.date:
    """argparse type for ``--as-of``: an ISO date (YYYY-MM-DD)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是有效日期 / not a valid date (YYYY-MM-DD): {text!r}") from None


def tr(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def tell(line: str, file: TextIO | None = None) -> None:
    """Print ``line`` (default: to stderr) with its control characters made visible: the
    paths, names and messages in it come from the inputs, and a file named with an escape
    sequence must not retitle or clear the reader's terminal."""
    from ..report.safe import terminal_text
    print(terminal_text(line), file=file if file is not None else sys.stderr)


def check_workers(asked: int | None) -> int | None:
    """``--workers`` as given: None (the default: every core) or at least 1."""
    if asked is not None and asked < 1:
        raise UsageError("--workers 至少为 1", "--workers must be at least 1")
    return asked


def use_color(choice: str, stream: TextIO) -> bool:
    """``auto``: colour only on a terminal and only when ``NO_COLOR`` is unset (no-color.org)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def rules_dir(args: argparse.Namespace) -> Path:
    from ..rulefile import RULES_DIR
    d: Path | None = getattr(args, "rules", None)
    return d if d is not None else RULES_DIR


def pack_names(root: Path) -> list[str]:
    """Rule packs under ``root``: directories holding a pack.yaml or rule files."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and not p.name.startswith((".", "_")) and any(p.glob("*.yaml")))


def write_output(text: str | bytes, path: Path | None) -> None:
    """Write a rendered report to ``path`` (parents created) or to stdout."""
    if path is None:
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        sys.stdout.flush()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="\n")
