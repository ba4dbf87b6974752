"""``ducha``: parse the command line and dispatch. Nothing else happens here.

Each command is one module listed in :data:`COMMANDS` with

* ``HELP: str`` — one bilingual line for ``ducha --help``;
* ``configure(parser: argparse.ArgumentParser) -> None`` — its arguments;
* ``run(args: argparse.Namespace) -> int`` — does the work, returns the exit code.

Adding a command is one module plus one line here. Command modules import only the
standard library at the top (the pipeline inside ``run``), so ``ducha --help`` is fast.
``--lang`` and ``--debug`` are added to every command (a module with sub-commands sets
``NESTED = True`` and adds them to each leaf with :func:`checker.cli.common.add_common`); :func:`checker.cli.crash.guarded`
turns whatever escapes ``run`` into an exit code.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from types import ModuleType
from typing import Callable, Sequence

from .. import __version__
from .common import add_common
from .crash import EXIT_CODES_HELP, guarded

COMMANDS: dict[str, str] = {
    "check": "checker.cli.check",
    "validate": "checker.cli.validate",
    "explain": "checker.cli.explain",
    "rules": "checker.cli.rules",
    "schema": "checker.cli.schema",
    "waivers": "checker.cli.waivers",
    "batch": "checker.cli.batch",
    "scorecard": "checker.cli.scorecard",
}


def _check_pipeline() -> None:
    from .. import dataset, evaluate, load, rulefile  # noqa: F401 - loaded, not used here


def _validate_pipeline() -> None:
    from .. import dataset, load  # noqa: F401 - loaded, not used here


# What a command that reads submissions will import anyway: imported up front with the
# garbage collector paused (:func:`import_quietly`).
PIPELINE: dict[str, Callable[[], None]] = {"check": _check_pipeline, "validate": _validate_pipeline}


def command(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS[name])


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only``, just that command (what a run of it parses the
    same way: building every command's options costs a cold start tens of milliseconds)."""
    parser = argparse.ArgumentParser(
        prog="ducha",
        description="督查 ducha：检查环境治理责任的落实情况 / compliance checking of environmental-governance obligations",
        epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ducha {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in [only] if only in COMMANDS else COMMANDS:
        mod = command(name)
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP, epilog=EXIT_CODES_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.configure(p)
        if not getattr(mod, "NESTED", False):  # nested commands add them to each leaf
            add_common(p)
        p.set_defaults(_module=mod)
    return parser


def import_quietly(imports: Callable[[], None]) -> None:
    """Run ``imports`` with the cyclic garbage collector paused.

    Importing the pipeline makes about 150,000 objects that live as long as the process; the
    collector's passes over them while they are made find no garbage and cost a cold
    ``ducha check`` about 0.07 s of CPU. Afterwards they go to the oldest generation without
    being scanned (``freeze`` then ``unfreeze`` moves them there), where surviving passes
    would have put them. Nothing changes when someone else manages the collector (disabled,
    or objects frozen: :func:`checker.collector.gc_frozen` finds the state it found before)."""
    if not gc.isenabled() or gc.get_freeze_count():
        imports()
        return
    gc.disable()
    try:
        imports()
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


def run_command(mod: ModuleType, args: argparse.Namespace) -> int:
    imports = PIPELINE.get(args.command)
    if imports is not None:
        import_quietly(imports)
    return int(mod.run(args))


def main(argv: Sequence[str] | None = None) -> int:
    # Chinese text on a terminal or pipe that cannot encode it must not crash the run.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    words = list(sys.argv[1:] if argv is None else argv)
    first = next((w for w in words if not w.startswith("-")), None)  # the command, unless only options precede
    parser = build_parser(first if first in COMMANDS and words.index(first) == 0 else None)
    args = parser.parse_args(words)
    mod: ModuleType = args._module
    return guarded(lambda: run_command(mod, args), lang=getattr(args, "lang", "zh"), debug=getattr(args, "debug", False))


# Commands that only read their inputs and write whole files before returning: nothing of
# theirs is left for the interpreter's teardown, which costs a cold `ducha check` about 0.1 s
# (freeing the dataset, pandas, the engine's rulesets) after its work is done.
FAST_EXIT = frozenset(("check", "validate"))


def entry() -> None:
    """The console script (and ``python -m checker``): :func:`main`, then for
    :data:`FAST_EXIT` commands leave without tearing the interpreter down."""
    code = main()
    words = sys.argv[1:]
    if not (words and words[0] in FAST_EXIT):
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing more can be said there
            pass
    os._exit(code)


if __name__ == "__main__":
    entry()
