"""Load stage: turn one input path into a :class:`RawSubmission` (header + raw tables).

Loaders are a registry keyed by input format; each knows how to say *where* a value came
from, so every later problem and finding can point at the file, sheet, row and column
(or JSON pointer) a person has to look at. :func:`load_path` never lets an exception other
than :class:`InputError` out for a bad input: an unreadable file or a loader that trips over
something unforeseen becomes a located problem, not a traceback.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import InputError, Location, Problem
from .base import MAX_FILE_BYTES, RawSubmission
from .folder import load_csv_folder
from .jsonyaml import load_json, load_yaml
from .xlsx import load_xlsx

Loader = Callable[..., RawSubmission]

# Suffix → loader. A folder is a CSV package (see :mod:`.folder`).
LOADERS: dict[str, Loader] = {".json": load_json, ".yaml": load_yaml, ".yml": load_yaml, ".xlsx": load_xlsx}

__all__ = ["LOADERS", "MAX_FILE_BYTES", "RawSubmission", "detect_format", "load_path"]


def detect_format(path: Path) -> str | None:
    if path.is_dir():
        return "csv-folder"
    suffix = path.suffix.lower()
    return suffix.lstrip(".") if suffix in LOADERS else None


def load_path(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> RawSubmission:
    """Load one submission. Raises :class:`InputError` (and only that) with located problems."""
    where = Location(str(path))
    if not path.exists():
        raise InputError([Problem(where, "E-NOT-FOUND", "文件或文件夹不存在", "no such file or folder")])
    if path.is_dir():
        loader: Loader = load_csv_folder
    else:
        found = LOADERS.get(path.suffix.lower())
        if found is None:
            raise InputError([Problem(where, "E-FORMAT",
                                      f"不支持的文件类型“{path.suffix}”（支持 .json .yaml .yml .xlsx 或 CSV 文件夹）",
                                      f"unsupported file type {path.suffix!r} (use .json, .yaml, .yml, .xlsx or a CSV folder)")])
        loader = found
    try:
        return loader(path, max_bytes=max_bytes)
    except InputError:
        raise
    except OSError as e:
        raise InputError([Problem(Location(e.filename or str(path)), "E-READ", f"无法读取：{e.strerror or e}",
                                  f"cannot be read: {e.strerror or e}")]) from None
    except MemoryError:
        raise
    except Exception as e:  # a loader bug must not become the submitter's traceback
        raise InputError([Problem(where, "E-LOAD", f"无法读取此文件（{type(e).__name__}）；请检查文件是否损坏",
                                  f"the file could not be read ({type(e).__name__}: {e}); is it damaged?")]) from e
