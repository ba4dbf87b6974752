"""``ducha validate FILE...``: load and validate only; every problem with its location.

Exit 0 when every file is usable, 2 when any is not. Nothing is evaluated, so this is the
command a submitting office runs before sending its data.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .common import tr

HELP = "只检查报送数据能否使用（格式与引用）/ validate submissions only (format and references)"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", type=Path,
                   help="报送文件（.json .yaml .xlsx 或 CSV 文件夹）/ submission files (.json .yaml .xlsx or a CSV folder)")


def validate(files: list[Path], lang: str) -> int:
    from ..dataset import build_dataset
    from ..errors import InputError
    from ..load import load_path
    from ..model import TABLES
    unusable = 0
    for path in files:
        try:
            ds = build_dataset(load_path(path))
        except InputError as e:
            unusable += 1
            n = len(e.problems)
            print(tr(lang, f"{path}：无法使用，{n} 个问题", f"{path}: unusable, {n} problem{'s' if n != 1 else ''}"))
            for p in e.problems:
                print(f"  {p.code} {p.location}{'：' if lang != 'en' else ': '}{p.message(lang)}"
                      + (f" [{p.value}]" if p.value is not None else ""))
            continue
        rows = sum(len(ds.tables[t]) for t in TABLES)
        h = ds.header
        print(tr(lang, f"{path}：可以使用（{h.submission_id}，{h.pack}，{h.period}，截至 {h.as_of}，{rows} 条记录）",
                 f"{path}: usable ({h.submission_id}, {h.pack}, {h.period}, as of {h.as_of}, {rows} records)"))
        for w in ds.raw.warnings:  # usable, but a reviewer should know (hidden rows …)
            print(f"  {w.code} {w.location}{'：' if lang != 'en' else ': '}{w.message(lang)}")
    n = len(files)
    print(tr(lang, f"{n} 个文件，可以使用 {n - unusable}，无法使用 {unusable}",
             f"{n} file{'s' if n != 1 else ''}: {n - unusable} usable, {unusable} unusable"))
    return 2 if unusable else 0


def run(args: argparse.Namespace) -> int:
    return validate(list(args.files), args.lang)
