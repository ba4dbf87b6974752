"""One result rendered once into the pieces every batch output is made of.

``ducha batch`` writes results.json, findings.csv, the workbook and the page from millions of
findings. Encoding them in the parent (after pickling them over from a worker, then again
after reading them back from the work folder) cost more than checking them, so each worker
renders its result once, here: the result's text as ``results.json`` holds it, its CSV rows,
its violations block for the page, and its findings already counted per scorecard row. The
parent then only concatenates text and adds up counts. Every piece is byte for byte what the
in-memory writers produce for the same result (tests/batch/test_parts.py checks each).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..run import SubmissionResult
from .json import RESULT_PAD, result_json

FORMAT = "ducha-parts/1"


@dataclass(frozen=True)
class Pieces:
    """A result's share of each batch output, in one language."""

    lang: str
    json: bytes  # the result in results.json (UTF-8), from its "{" to its "}"
    csv: bytes  # its findings.csv rows (UTF-8)
    html: str  # its violations block on the page ("" when it has none)
    tallies: dict[str, list[list[Any]]]  # Tallier.export() per scorecard dimension
    total: list[int]  # the Tally of all its findings, as Tally.counts()


def pieces(r: SubmissionResult, lang: str) -> Pieces:
    """``r``'s pieces in ``lang``: what the batch writers would write for it, rendered now."""
    from . import csv as csv_writer
    from .html import findings_block
    from .scorecard import DIMENSIONS, Tallier
    tallies: dict[str, list[list[Any]]] = {}
    total: list[int] = []
    for by in DIMENSIONS:
        t = Tallier(by)
        t.add_all(r.findings)
        tallies[by] = t.export()
        total = t.total.counts()
    fps = [f.fingerprint for f in r.findings]  # a hash each: computed once for both texts
    return Pieces(lang=lang, json=result_json(r, RESULT_PAD, fps).encode("utf-8"),
                  csv=csv_writer.rows_chunk(r, lang, fps).encode("utf-8"), html=findings_block(r, lang),
                  tallies=tallies, total=total)


def encode(p: Pieces) -> bytes:
    """One file: a JSON header line (language, sizes, tallies), then the three texts."""
    html = p.html.encode("utf-8")
    head = {"format": FORMAT, "lang": p.lang, "sizes": [len(p.json), len(p.csv), len(html)],
            "total": p.total, "tallies": p.tallies}
    return b"".join([json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), b"\n",
                     p.json, p.csv, html])


def decode(data: bytes) -> Pieces:
    """Inverse of :func:`encode` (ValueError for anything else)."""
    nl = data.index(b"\n")  # the header is compact JSON: its only newline is the last byte
    head = json.loads(data[:nl])
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise ValueError("not a stored result")
    a, b, c = head["sizes"]
    start = nl + 1
    if len(data) != start + a + b + c:
        raise ValueError("a stored result cut short")
    return Pieces(lang=head["lang"], json=data[start:start + a], csv=data[start + a:start + a + b],
                  html=data[start + a + b:].decode("utf-8"), tallies=head["tallies"], total=head["total"])
