"""The obligation catalogue (``shared/obligations.md``) as data: ID → pack, clause, meaning.

The catalogue is a Markdown document; its tables are the contract. An obligation row starts
with its ID (``| GG-01 | 一(三)1 | … |``); the responsibility-table index lists ``T01`` …
``T46``, which are the catalogue IDs ``CN-T01`` … ``CN-T46`` of the Changning pack; the
"Source documents" table maps each pack to its ID prefix (``guigang-river-chief`` → ``GG-``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Location, Problem

_ID = re.compile(r"^(?P<id>[A-Z]{2}-\d+)$")
_T_ROW = re.compile(r"^T(?P<n>\d{2})$")
_PACK = re.compile(r"`(?P<pack>[a-z0-9-]+)` \(IDs `(?P<prefix>[A-Z]+-)\*`\)")
T_PREFIX = "CN-T"  # the catalogue names the responsibility-table rows CN-T01 … CN-T46


def default_path() -> Path:
    """``<repo>/../shared/obligations.md``, beside the repository as every developer and CI has it."""
    from ..rulefile import RULES_DIR
    return RULES_DIR.parent.parent / "shared" / "obligations.md"


@dataclass(frozen=True)
class Entry:
    id: str
    pack: str | None
    source: str
    text: str


@dataclass(frozen=True)
class Catalogue:
    path: str
    entries: dict[str, Entry] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)  # pack → ID prefix

    def ids(self, pack: str | None = None) -> list[str]:
        return [i for i, e in self.entries.items() if pack is None or e.pack == pack]

    def pack_of(self, oid: str) -> str | None:
        return next((p for p, pre in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1]))
                     if oid.startswith(pre)), None)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_catalogue(text: str, path: str = "obligations.md") -> Catalogue:
    prefixes = {m["pack"]: m["prefix"] for m in _PACK.finditer(text)}
    cat = Catalogue(path=path, prefixes=prefixes)
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = _cells(line)
        if len(cells) < 3:
            continue
        m = _ID.match(cells[0])
        if m:
            oid = m["id"]
            cat.entries.setdefault(oid, Entry(oid, cat.pack_of(oid), cells[1], cells[2]))
            continue
        t = _T_ROW.match(cells[0])
        if t and len(cells) >= 5:
            oid = f"{T_PREFIX}{t['n']}"
            text_ = f"{cells[4]}（时间节点 {cells[2]}；牵头 {cells[3]}）"
            cat.entries.setdefault(oid, Entry(oid, cat.pack_of(oid), cells[1], text_))
    return cat


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read the catalogue; a missing or empty one raises :class:`InputError` (exit 2)."""
    p = path or default_path()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError:
        raise InputError([Problem(Location(str(p)), "E-CATALOGUE", "找不到义务目录（可用 --catalogue 指定）",
                                  "the obligation catalogue is not there (give it with --catalogue)")]) from None
    cat = parse_catalogue(text, str(p))
    if not cat.entries:
        raise InputError([Problem(Location(str(p)), "E-CATALOGUE", "义务目录中没有任何编号",
                                  "the obligation catalogue holds no IDs")])
    return cat


def try_catalogue(path: Path | None = None) -> Catalogue | None:
    """The catalogue when it can be read, else None (for commands where it only adds context)."""
    try:
        return load_catalogue(path)
    except InputError:
        return None
