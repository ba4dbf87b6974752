"""Load stage: turn one input path into a :class:`RawSubmission` (header + raw tables).

Loaders are a registry keyed by input format; each knows how to say *where* a value came
from, so every later problem and finding can point at the file, sheet, row and column
(or JSON pointer) a person has to look at.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Location, Problem
from .base import MAX_FILE_BYTES, RawSubmission
from .jsonyaml import load_json, load_yaml
from .tabular import load_csv_folder, load_xlsx

LOADERS = {".json": load_json, ".yaml": load_yaml, ".yml": load_yaml, ".xlsx": load_xlsx}

__all__ = ["LOADERS", "MAX_FILE_BYTES", "RawSubmission", "detect_format", "load_path"]


def detect_format(path: Path) -> str | None:
    if path.is_dir():
        return "csv-folder"
    suffix = path.suffix.lower()
    return suffix.lstrip(".") if suffix in LOADERS else None


def load_path(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> RawSubmission:
    """Load one submission. Raises :class:`InputError` with located problems."""
    if path.is_dir():
        return load_csv_folder(path, max_bytes=max_bytes)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise InputError([Problem(Location(str(path)), "E-FORMAT",
                                  f"不支持的文件类型“{path.suffix}”（支持 .json .yaml .yml .xlsx 或 CSV 文件夹）",
                                  f"unsupported file type {path.suffix!r} (use .json, .yaml, .yml, .xlsx or a CSV folder)")])
    return loader(path, max_bytes=max_bytes)
