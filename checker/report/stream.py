"""``results.json`` written in pieces: the ``ducha-results/1`` document of a batch too large to
hold, byte for byte what :mod:`checker.report.json` renders for the same report.

The head (format, run info, summary, notices) is known before the results are read — the
summary comes from the counts a batch keeps per input — and each result is serialised on its
own, indented as it would be inside the whole document.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, TextIO

from ..run import SubmissionResult
from .json import results_json_frame


def result_text(d: Mapping[str, Any]) -> str:
    """One result as :func:`results_json_chunks` takes it. The indenting encoder is pure
    Python and slow: a batch calls this when each result arrives, while the workers check."""
    return json.dumps(d, ensure_ascii=False, indent=2, sort_keys=False)


def results_json_chunks(head: Mapping[str, Any], results: Iterable[str]) -> Iterator[str]:
    """``head`` is the document without ``results`` (in its key order); ``results`` the
    results as :func:`result_text` writes them (``SubmissionResult.to_dict()``), in order."""
    before, between, after, empty = results_json_frame(head)
    n = 0
    for text in results:
        # JSON escapes every newline inside strings, so each "\n" here is layout: indent it as
        # a member of the list at depth 2 would be.
        text = text.replace("\n", "\n    ")
        yield (before if n == 0 else between) + text
        n += 1
    yield empty if n == 0 else after


_RESULTS_KEY = '\n  "results": ['  # where ducha's own layout (indent 2) opens the list
_CHUNK = 1 << 20


def iter_results(fh: TextIO) -> tuple[dict[str, Any], Iterator[dict[str, Any]]] | None:
    """The head of a ``ducha-results/1`` file written by ducha (open as text), and its results
    one by one, without holding the file; ``None`` when the file is not in ducha's layout."""
    buf = ""
    while _RESULTS_KEY not in buf:
        more = fh.read(_CHUNK)
        if not more:
            return None
        buf += more
    at = buf.index(_RESULTS_KEY)
    try:
        head = json.loads(buf[:at].rstrip().rstrip(",") + "\n}")
    except ValueError:
        return None
    if not isinstance(head, dict):
        return None
    buf = buf[at + len(_RESULTS_KEY):]
    decoder = json.JSONDecoder()

    def results() -> Iterator[dict[str, Any]]:
        nonlocal buf
        pos = 0
        while True:
            while True:  # skip to the next value
                while pos < len(buf) and buf[pos] in " \t\r\n,":
                    pos += 1
                if pos < len(buf):
                    break
                more = fh.read(_CHUNK)
                if not more:
                    raise ValueError("the results list is cut short")
                buf, pos = buf[pos:] + more, 0
            if buf[pos] == "]":
                return
            while True:
                try:
                    value, end = decoder.raw_decode(buf, pos)
                    break
                except json.JSONDecodeError:
                    more = fh.read(_CHUNK)
                    if not more:
                        raise
                    buf, pos = buf[pos:] + more, 0
            yield value
            buf, pos = buf[end:], 0

    return head, results()


@dataclass
class PreviousRun:
    """What ``--compare`` needs of an earlier run: how many results it had, and the latest
    checked result of each (pack, jurisdiction) with only its violated findings (the lapses a
    trend step compares against)."""

    count: int
    latest: list[SubmissionResult]


def read_previous(path: Path) -> PreviousRun:
    """Stream an earlier ``results.json``; bad files raise :class:`InputError` as
    :func:`~checker.report.base.read_results` does."""
    from ..errors import InputError, Location, Problem
    from .base import RESULTS_FORMAT, read_results
    from .scorecard import group_key, recency
    best: dict[tuple[str, str], SubmissionResult] = {}
    count = 0

    def keep(r: SubmissionResult) -> None:
        if r.status != "checked":
            return
        k = group_key(r)
        if k not in best or recency(r) > recency(best[k]):
            best[k] = replace(r, findings=tuple(f for f in r.findings if f.outcome == "violated"))

    try:
        with open(path, encoding="utf-8") as fh:
            got = iter_results(fh)
            if got is not None and got[0].get("format") == RESULTS_FORMAT:
                for d in got[1]:
                    count += 1
                    keep(SubmissionResult.from_dict(d))
                return PreviousRun(count, list(best.values()))
    except FileNotFoundError:
        pass  # read_results says so, in its words
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise InputError([Problem(Location(str(path)), "E-RESULTS", f"不是 ducha 结果文件（{RESULTS_FORMAT}）",
                                  f"not a ducha results file ({RESULTS_FORMAT}): {type(e).__name__}")]) from None
    report = read_results(path)  # another layout, or a wrong file: the plain reader decides
    for r in report.results:
        keep(r)
    return PreviousRun(len(report.results), list(best.values()))
