"""``ducha schema [submission|rule] [--write DIR]``: the published JSON Schemas.

Without ``--write`` the chosen schema is printed; with it, every schema is written to DIR
(``submission.schema.json``, ``rule.schema.json``), as the committed ``schemas/`` are.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from .common import tr

HELP = "输出或写入 JSON Schema / print or write the JSON Schemas"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("which", nargs="?", choices=("submission", "rule"), default="submission",
                   help="打印哪个 schema（默认 submission）/ which schema to print (default submission)")
    p.add_argument("--write", type=Path, metavar="DIR", help="把全部 schema 写入该目录 / write every schema into DIR")


def schema(which: str, write: Path | None, lang: str) -> int:
    if write is not None:
        from ..schema import write_schemas
        for path in write_schemas(write):
            print(tr(lang, f"已写入 {path}", f"wrote {path}"))
        return 0
    if which == "rule":
        from ..rulefile import rule_schema
        doc = rule_schema()
    else:
        from ..schema import submission_schema
        doc = submission_schema()
    print(json.dumps(doc, ensure_ascii=False, indent=2))
    return 0


def run(args: argparse.Namespace) -> int:
    return schema(args.which, args.write, args.lang)
