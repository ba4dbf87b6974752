"""Small tools for the loader tests: a valid mini submission, writers, problem lists."""
from __future__ import annotations

import copy
import dataclasses
import importlib.util
from pathlib import Path
from typing import Any

from checker.dataset import Dataset, load_dataset
from checker.errors import InputError

REPO = Path(__file__).resolve().parents[2]


def _invalid_generator() -> Any:
    spec = importlib.util.spec_from_file_location("invalid_generate", REPO / "samples" / "invalid" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_VALID = _invalid_generator().VALID


def mini() -> dict[str, Any]:
    """A small valid Guigang county submission (every common column type, a few rows)."""
    return copy.deepcopy(_VALID)


def problems(path: Path, **kw: Any) -> list[tuple[str, str]]:
    """(code, location with the file shown relative to ``path``'s folder) of every problem."""
    try:
        load_dataset(path, **kw)
    except InputError as e:
        return [(p.code, str(dataclasses.replace(p.location, file=Path(p.location.file).name)))
                for p in e.problems]
    return []


def problem_list(path: Path) -> list[Any]:
    try:
        load_dataset(path)
    except InputError as e:
        return e.problems
    return []


def load(path: Path) -> Dataset:
    try:
        return load_dataset(path)
    except InputError as e:  # show the problems, not just their count
        raise AssertionError("\n".join(f"{p.code} {p.location} {p.message_en}" for p in e.problems)) from None


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]], *, epoch1904: bool = False) -> Path:
    """A workbook exactly as given (cells as openpyxl takes them: dates become date cells)."""
    import datetime as dt

    from openpyxl import Workbook
    wb = Workbook()
    wb.remove(wb.active)
    if epoch1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904
        wb.epoch = CALENDAR_MAC_1904
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    cell = ws.cell(row=r, column=c, value=v)
                    if isinstance(v, dt.date):
                        cell.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path
