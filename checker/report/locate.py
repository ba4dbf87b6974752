"""Evidence locations back from text, and where they are in the file (for SARIF and CI).

A finding carries its evidence as ``str(Location)``: ``file#/pointer`` for JSON/YAML, or
``file[sheet] 行/row N 列/column C`` for workbooks and CSV folders. :func:`parse_location`
inverts that; :func:`pointer_line` finds the line a JSON pointer starts on, so a CI
annotation lands on the record itself.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Location

_TABULAR = re.compile(r"^(?P<file>.*?)(?:\[(?P<sheet>[^\]]*)\])?(?: 行/row (?P<row>\d+))?(?: 列/column (?P<column>.+))?$")
# Composing a big document node by node is slow; beyond this size we do not look for lines.
MAX_LOCATE_BYTES = 8 * 1024 * 1024


def parse_location(text: str) -> Location:
    """Inverse of ``str(Location)``."""
    if "#/" in text or text.endswith("#"):
        file, _, pointer = text.rpartition("#")
        return Location(file, pointer=pointer)
    m = _TABULAR.match(text)
    if m is None:  # the pattern matches any text; kept for the type checker
        return Location(text)
    return Location(m["file"], sheet=m["sheet"], row=int(m["row"]) if m["row"] else None, column=m["column"])


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


@lru_cache(maxsize=64)
def _compose(path: str, mtime: float) -> Any:
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8-sig") as fh:
        return yaml.compose(fh, Loader=loader)


def pointer_line(file: str, pointer: str) -> int | None:
    """1-based line where the value at ``pointer`` starts in a JSON/YAML file, or None."""
    p = Path(file)
    try:
        if p.suffix.lower() not in (".json", ".yaml", ".yml") or p.stat().st_size > MAX_LOCATE_BYTES:
            return None
        node = _compose(str(p), p.stat().st_mtime)
    except Exception:  # an unreadable or odd file only costs the line number
        return None
    import yaml
    for token in [_unescape(t) for t in pointer.split("/")[1:]] if pointer else []:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == token), None)
        elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
            node = node.value[int(token)]
        else:
            node = None
        if node is None:
            return None
    return int(node.start_mark.line) + 1 if node is not None else None


def artifact(loc: Location) -> tuple[str, int | None]:
    """(file a person opens, 1-based line or None) for a location.

    A CSV folder's records live in ``folder/sheet`` at line ``row`` (one line per record in
    the CSV files offices export); a workbook has no lines, so only the file is named.
    """
    if loc.pointer is not None:
        return loc.file, pointer_line(loc.file, loc.pointer)
    if loc.sheet and Path(loc.file).is_dir():
        line = loc.row if loc.sheet.lower().endswith(".csv") else None  # Parquet has no lines
        return f"{loc.file.rstrip('/')}/{loc.sheet}", line
    return loc.file, None
