"""Dates, day numbers and calendar periods.

Time is always explicit: every function takes the dates it works on; nothing here reads
the wall clock. Inside the engine a date is a *day number* (days since 1970-01-01), because
durable_rules compares numbers exactly and strings only bytewise (see shared/durable_rules.md).
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

EPOCH = date(1970, 1, 1)
# Excel's day 0 is 1899-12-30 (it counts the non-existent 1900-02-29).
EXCEL_EPOCH = date(1899, 12, 30)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def from_day(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


class DateParseError(ValueError):
    """A value that is not a date, or is ambiguous. The message is bilingual."""

    def __init__(self, value: object, why_zh: str, why_en: str) -> None:
        super().__init__(f"{value!r}: {why_en}")
        self.value = value
        self.why_zh = why_zh
        self.why_en = why_en


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_CN = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_CN_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月$")
# 2017-12-31T08:30, 2017-12-31 08:30:00, 2017-12-31T08:30:00.5+08:00: the date part is kept.
_ISO_TIME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:T| +)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                       r"(?: *(?:Z|[+-]\d{2}(?::?\d{2})?))?$")


def parse_date(value: object, *, allow_excel_serial: bool = False) -> date:
    """Parse one date written the ways Chinese government offices write them.

    Accepted: ``2017-12-31``, ``2017/12/31``, ``2017.12.31``, ``2017年12月31日`` (full-width
    digits too), an ISO timestamp (its time of day dropped), a ``date``/``datetime``, and, when ``allow_excel_serial``, an Excel serial
    number. Anything else, including ambiguous forms such as ``12/31/17`` or a month without
    a day (``2017年12月``), raises :class:`DateParseError`; we never guess.
    """
    if isinstance(value, date):
        return value if type(value) is date else date(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise DateParseError(value, "不是日期", "not a date")
    if isinstance(value, (int, float)):
        if allow_excel_serial and float(value).is_integer() and 1 <= value <= 2958465:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise DateParseError(value, "数字不是日期", "a number is not a date")
    if not isinstance(value, str):
        raise DateParseError(value, "不是日期", "not a date")
    text = unicodedata.normalize("NFKC", value).strip()
    timed = _ISO_TIME.match(text)
    if timed:  # a timestamp (YAML, an export tool): the day is what counts
        text = timed.group(1)
    for pattern in (_ISO, _SLASH, _CN):
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return date(y, mo, d)
            except ValueError:
                raise DateParseError(value, "日期不存在", "no such calendar date") from None
    m = _CN_MONTH.match(text)
    if m and not 1 <= int(m.group(2)) <= 12:
        raise DateParseError(value, "日期不存在", "no such calendar date")
    if m:
        raise DateParseError(value, "缺少日，无法确定日期", "month without a day is ambiguous")
    raise DateParseError(
        value,
        "无法识别的日期格式（请使用 2017-12-31、2017/12/31 或 2017年12月31日）",
        "unrecognised date format (use 2017-12-31, 2017/12/31 or 2017年12月31日)",
    )


# --------------------------------------------------------------------------- periods

PERIOD_KINDS = ("week", "xun", "month", "quarter", "year", "years")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period [start, end] (both inclusive) with a stable label."""

    start: date
    end: date
    label: str

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


def quarter_label(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def parse_quarter(label: str) -> Period:
    m = re.fullmatch(r"(\d{4})-?Q([1-4])", label.strip().upper())
    if not m:
        raise DateParseError(label, "季度格式应为 2018Q2", "a quarter is written like 2018Q2")
    y, q = int(m.group(1)), int(m.group(2))
    start = date(y, 3 * q - 2, 1)
    end_month = 3 * q
    return Period(start, date(y, end_month, calendar.monthrange(y, end_month)[1]), f"{y}Q{q}")


def period_of(kind: str, d: date, *, n: int = 1, anchor: int | None = None) -> Period:
    """The period of ``kind`` that contains ``d``.

    ``years`` periods are ``n`` calendar years long and aligned so that ``anchor`` (a year)
    starts one of them; the label is the period's *last* year, which is the year its
    obligation falls due (a five-yearly report "for 2025" covers 2021–2025).
    """
    if kind == "week":
        start = d - timedelta(days=d.weekday())  # Monday–Sunday
        iso = start.isocalendar()
        return Period(start, start + timedelta(days=6), f"{iso[0]}-W{iso[1]:02d}")
    if kind == "xun":  # 旬: days 1–10, 11–20, 21–end of month
        last = calendar.monthrange(d.year, d.month)[1]
        idx = 0 if d.day <= 10 else 1 if d.day <= 20 else 2
        s, e = (1, 10) if idx == 0 else (11, 20) if idx == 1 else (21, last)
        return Period(date(d.year, d.month, s), date(d.year, d.month, e),
                      f"{d.year}-{d.month:02d}-{'上中下'[idx]}旬")
    if kind == "month":
        last = calendar.monthrange(d.year, d.month)[1]
        return Period(date(d.year, d.month, 1), date(d.year, d.month, last), f"{d.year}-{d.month:02d}")
    if kind == "quarter":
        return parse_quarter(quarter_label(d))
    if kind == "year":
        return Period(date(d.year, 1, 1), date(d.year, 12, 31), str(d.year))
    if kind == "years":
        if n < 1 or anchor is None:
            raise ValueError("'years' periods need n >= 1 and an anchor year")
        # The period ending in year `anchor` is (anchor-n, anchor]; shift by whole periods.
        k = -((anchor - d.year) // n)
        last_year = anchor + k * n
        return Period(date(last_year - n + 1, 1, 1), date(last_year, 12, 31), str(last_year))
    raise ValueError(f"unknown period kind {kind!r}")


def periods_between(kind: str, first: date, last: date, *, n: int = 1,
                    anchor: int | None = None) -> list[Period]:
    """Every period of ``kind`` that overlaps [first, last], in order."""
    out: list[Period] = []
    if last < first:
        return out
    p = period_of(kind, first, n=n, anchor=anchor)
    while p.start <= last:
        out.append(p)
        p = period_of(kind, p.end + timedelta(days=1), n=n, anchor=anchor)
    return out


def month_day_in(year: int, spec: str) -> date:
    """``"01-31"`` in ``year``; ``"12-31"``; ``"02-29"`` falls back to the month's last day."""
    mo, d = (int(x) for x in spec.split("-"))
    return date(year, mo, min(d, calendar.monthrange(year, mo)[1]))
