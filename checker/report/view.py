"""What the batch formats (``xlsx``, ``html``) show, already aggregated: a :class:`BatchView`.

Both formats are drawn from a view, never from all findings at once, so a batch of thousands
of submissions can build the view incrementally while it streams its results from disk
(``checker.cli.batch``), and a single in-memory report builds it with :meth:`BatchView.of`.
Both ways give the same view for the same results, hence the same bytes.

* ``report`` — run info, notices and ``counts()`` (a :class:`CountedReport` when streaming);
* ``cards`` — the four scorecards (their ``counted``/``superseded`` lists may be metadata-only
  results: only paths and their number are shown);
* ``quarters`` — :func:`~checker.report.scorecard.by_period`;
* ``steps`` — the trend, then the comparison with ``--compare``;
* ``unusable`` — the invalid and failed results (they carry no findings);
* ``findings_html`` — the per-submission violation blocks of the page, as chunks per language;
* ``stamp`` — the date written into the workbook's metadata (latest as_of, never the clock).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..run import SubmissionResult
from .base import Counts, Report
from .scorecard import DIMENSIONS, Row, Scorecard, Tally, by_period, scorecard
from .trend import Step, compare, trend


@dataclass(frozen=True)
class CountedReport(Report):
    """A report whose results are not in memory: ``counts()`` is given, not computed."""

    fixed: Counts | None = None

    def counts(self) -> Counts:
        return self.fixed if self.fixed is not None else super().counts()


def stamp_of(as_ofs: Iterable[str | None]) -> dt.datetime:
    days = sorted(a for a in as_ofs if a)
    return dt.datetime.combine(dt.date.fromisoformat(days[-1]) if days else dt.date(2000, 1, 1), dt.time(0))


@dataclass
class BatchView:
    report: Report
    cards: dict[str, Scorecard]
    quarters: tuple[list[str], list[Row], dict[tuple[str, str], Tally]]
    steps: list[Step]
    unusable: list[SubmissionResult]
    findings_html: Callable[[str], Iterator[str]]
    stamp: dt.datetime
    previous_count: int | None = None  # results in the --compare run
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, report: Report, previous: Report | None = None) -> "BatchView":
        """The view of a report held in memory (``ducha check --format html``, tests)."""
        from .html import findings_section
        results = report.results
        steps = trend(results) + (compare(results, previous.results) if previous is not None else [])
        return cls(report=report, cards={by: scorecard(results, by) for by in DIMENSIONS},
                   quarters=by_period(results), steps=steps,
                   unusable=[r for r in results if r.status in ("invalid", "failed")],
                   findings_html=lambda lang: iter([findings_section(results, lang)]),
                   stamp=stamp_of(r.as_of for r in results),
                   previous_count=len(previous.results) if previous is not None else None)
