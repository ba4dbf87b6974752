"""What one corpus input produces, in the form of ``expected.yaml`` (shared by the test and
by ``tally.py``)."""
from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

from checker.collect import collect
from checker.dataset import load_dataset
from checker.errors import InputError, Location, Problem

CORPUS = Path(__file__).resolve().parent
INPUTS = CORPUS / "inputs"


def _entry(p: Problem, base: Path) -> dict[str, Any]:
    file = Path(p.location.file)
    shown = file.relative_to(base).as_posix() if file.is_absolute() and file.is_relative_to(base) else file.name
    return {"code": p.code, "location": str(dataclasses.replace(p.location, file=shown)),
            "message": p.message_zh, "message_en": p.message_en}


def outcome(path: Path) -> list[dict[str, Any]]:
    """Every problem (or, for a usable input, every warning) ``path`` produces, in report
    order. ``.zip`` archives go through :func:`collect` as ``ducha batch`` does; a refused
    archive is one problem located at the archive."""
    base = path.parent
    if path.suffix == ".zip":
        with tempfile.TemporaryDirectory() as tmp:
            found = collect([path], Path(tmp))
            out = []
            for i in found.inputs:
                if i.refused:
                    out.append(_entry(Problem(Location(i.name), i.code, i.refused_zh, i.refused_en), base))
                else:  # an extracted member: checked like a file, named inside the temp folder
                    assert i.path is not None
                    out.extend(_load(i.path, Path(tmp)))
            return out
    return _load(path, base)


def _load(path: Path, base: Path) -> list[dict[str, Any]]:
    try:
        ds = load_dataset(path)
    except InputError as e:
        return [_entry(p, base) for p in e.problems]
    return [_entry(w, base) for w in ds.raw.warnings]
