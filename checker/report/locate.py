"""Evidence locations back from text, and where they are in the file (for SARIF and CI).

A finding carries its evidence as ``str(Location)``: ``file#/pointer`` for JSON/YAML, or
``file[sheet] 行/row N 列/column C`` for workbooks and CSV folders. :func:`parse_location`
inverts that; :func:`pointer_line` finds the line a JSON pointer starts on, so a CI
annotation lands on the record itself.
"""
from __future__ import annotations

import bisect
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Location

_TABULAR = re.compile(r"^(?P<file>.*?)(?:\[(?P<sheet>[^\]]*)\])?(?: 行/row (?P<row>\d+))?(?: 列/column (?P<column>.+))?$")
# Composing a big YAML document node by node is slow; beyond this size we do not look for lines.
MAX_LOCATE_BYTES = 8 * 1024 * 1024
# JSON is indexed with the C scanner (about 0.1 s for a 4 MB county file); past this, no lines.
MAX_LOCATE_JSON_BYTES = 512 * 1024 * 1024
_WS = re.compile(r"[ \t\n\r]*")


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


class _JsonIndex:
    """Where each value of a JSON text starts, found container by container on demand: the
    children of a container are skipped over with the C scanner, so finding 200 records among
    30,000 costs one pass over their array, not one per record. A container is scanned only as
    far as the child asked for (a county's patrols, the last and largest table, are rarely
    needed, and skipping them decodes them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.kids: dict[int, _Kids] = {}
        self.scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # C scanner, not in the stubs

    def line(self, tokens: list[str]) -> int | None:
        pos: int = _WS.match(self.text, 0).end()  # type: ignore[union-attr]  # the pattern matches ""
        for token in tokens:
            kids = self.kids.get(pos)
            if kids is None:
                kids = self.kids[pos] = _Kids(self.text, pos)
            found = kids.find(token, self.scan)
            if found is None:
                return None
            pos = found
        return bisect.bisect_left(self.newlines, pos) + 1


class _Kids:
    """The children of the value at ``pos`` found so far, and where their scan stopped."""

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.opener = text[pos:pos + 1]
        self.items: list[int] | dict[str, int] = {} if self.opener == "{" else []
        self.done = self.opener not in ("{", "[")  # a scalar has no children: any token below it finds nothing
        self.at = pos if self.done else _WS.match(text, pos + 1).end()  # type: ignore[union-attr]

    def find(self, token: str, scan: Any) -> int | None:
        items = self.items
        if isinstance(items, list):
            if not token.isdigit():
                return None
            n = int(token)
            while len(items) <= n and not self.done:
                self._next(scan)
            return items[n] if n < len(items) else None
        while token not in items and not self.done:
            self._next(scan)
        return items.get(token)

    def _next(self, scan: Any) -> None:
        text, ws, i = self.text, _WS, self.at
        if text[i] == ("}" if self.opener == "{" else "]"):
            self.done = True
            return
        key = None
        if isinstance(self.items, dict):
            key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
            i = ws.match(text, ws.match(text, i).end() + 1).end()  # type: ignore[union-attr]  # past ':'
        start = i
        _, i = scan(text, i)
        i = ws.match(text, i).end()  # type: ignore[union-attr]
        if text[i] == ",":
            i = ws.match(text, i + 1).end()  # type: ignore[union-attr]
        # Recorded only once the child is read through: a text that fails to scan stays as it was.
        if isinstance(self.items, dict):
            self.items.setdefault(key, start)  # type: ignore[arg-type]  # the loader refuses duplicate keys; the first one wins here
        else:
            self.items.append(start)
        self.at = i


@lru_cache(maxsize=16)
def _json_index(path: str, mtime: float) -> _JsonIndex:
    with open(path, encoding="utf-8-sig") as fh:
        return _JsonIndex(fh.read())


def pointer_line(file: str, pointer: str) -> int | None:
    """1-based line where the value at ``pointer`` starts in a JSON/YAML file, or None."""
    p = Path(file)
    tokens = [_unescape(t) for t in pointer.split("/")[1:]] if pointer else []
    suffix = p.suffix.lower()
    try:
        if suffix == ".json":
            if p.stat().st_size > MAX_LOCATE_JSON_BYTES:
                return None
            return _json_index(str(p), p.stat().st_mtime).line(tokens)
        if suffix not in (".yaml", ".yml") or p.stat().st_size > MAX_LOCATE_BYTES:
            return None
        node = _compose(str(p), p.stat().st_mtime)
    except Exception:  # an unreadable or odd file only costs the line number
        return None
    import yaml
    for token in tokens:
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
