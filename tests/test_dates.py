"""Dates (checker.dates): the forms offices write, the ones we refuse, and calendar periods.

Periods are checked against their definitions (a week is Monday–Sunday, a 旬 is days 1–10,
11–20 and 21 to the month's end, a quarter three months, ``years`` periods n calendar years
aligned on an anchor year and labelled by their last year), over every day of several years
and over generated dates.
"""
from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.dates import (DateParseError, Period, day_number, from_day, month_day_in, parse_date, parse_quarter,
                           period_of, periods_between, quarter_label)

D = dt.date


@pytest.mark.parametrize("text, want", [
    ("2017-12-31", D(2017, 12, 31)),
    ("2017-1-5", D(2017, 1, 5)),
    ("2017/12/31", D(2017, 12, 31)),
    ("2017.12.31", D(2017, 12, 31)),
    ("2017年12月31日", D(2017, 12, 31)),
    ("２０１７年１２月３１日", D(2017, 12, 31)),  # full-width digits
    ("２０１７－１２－３１", D(2017, 12, 31)),
    (" 2017-12-31 ", D(2017, 12, 31)),
    ("2017-12-31T08:30:00", D(2017, 12, 31)),
    ("2020-02-29", D(2020, 2, 29)),
    (D(2018, 3, 1), D(2018, 3, 1)),
    (dt.datetime(2018, 3, 1, 23, 59), D(2018, 3, 1)),
])
def test_accepted_forms(text: object, want: dt.date) -> None:
    got = parse_date(text)
    assert got == want and type(got) is dt.date


@pytest.mark.parametrize("text, why", [
    ("2017-02-30", "no such calendar date"),
    ("2019-02-29", "no such calendar date"),
    ("2017-13-01", "no such calendar date"),
    ("2017年2月30日", "no such calendar date"),
    ("2017年13月", "no such calendar date"),  # no 13th month, with or without a day
    ("2017年12月", "month without a day"),
    ("12/31/17", "unrecognised"),
    ("31/12/2017", "unrecognised"),
    ("2017-12", "unrecognised"),
    ("17-12-31", "unrecognised"),
    ("", "unrecognised"),
    ("明天", "unrecognised"),
])
def test_refused_forms(text: str, why: str) -> None:
    with pytest.raises(DateParseError) as e:
        parse_date(text)
    assert why in e.value.why_en
    assert e.value.why_zh and e.value.value == text


@pytest.mark.parametrize("value", [True, None, 43100, 43100.0, [2017, 12, 31]])
def test_non_strings_are_not_dates_without_excel(value: object) -> None:
    with pytest.raises(DateParseError):
        parse_date(value)


@pytest.mark.parametrize("serial, want", [
    (43100, D(2017, 12, 31)),
    (43101.0, D(2018, 1, 1)),
    (61, D(1900, 3, 1)),  # from here on, equal to what Excel shows (it counts a 1900-02-29)
    (2958465, D(9999, 12, 31)),
])
def test_excel_serials(serial: float, want: dt.date) -> None:
    assert parse_date(serial, allow_excel_serial=True) == want


@pytest.mark.parametrize("serial", [0, -1, 2958466, 43100.5, True])
def test_bad_excel_serials(serial: float) -> None:
    with pytest.raises(DateParseError):
        parse_date(serial, allow_excel_serial=True)


def test_day_numbers_round_trip() -> None:
    assert day_number(D(1970, 1, 1)) == 0
    assert day_number(D(1969, 12, 31)) == -1
    for n in range(-800, 25_000, 37):
        assert day_number(from_day(n)) == n


# --------------------------------------------------------------------------- periods

def every_day(y0: int, y1: int) -> list[dt.date]:
    return [from_day(n) for n in range(day_number(D(y0, 1, 1)), day_number(D(y1, 12, 31)) + 1)]


def test_weeks_run_monday_to_sunday() -> None:
    for d in every_day(2017, 2021):
        p = period_of("week", d)
        assert p.start.weekday() == 0 and p.end - p.start == dt.timedelta(days=6) and p.contains(d)
        iso = p.start.isocalendar()
        assert p.label == f"{iso[0]}-W{iso[1]:02d}"
    assert period_of("week", D(2018, 12, 31)).label == "2019-W01"  # ISO year of the Monday


def test_xun_are_days_1_10_11_20_and_21_to_the_end() -> None:
    for d in every_day(2019, 2020):
        p = period_of("xun", d)
        last = calendar.monthrange(d.year, d.month)[1]
        want = (1, 10, "上") if d.day <= 10 else (11, 20, "中") if d.day <= 20 else (21, last, "下")
        assert (p.start.day, p.end.day) == want[:2] and p.start.month == p.end.month == d.month
        assert p.label == f"{d.year}-{d.month:02d}-{want[2]}旬"
    assert period_of("xun", D(2020, 2, 29)).start == D(2020, 2, 21)
    assert period_of("xun", D(2019, 2, 28)).end == D(2019, 2, 28)


def test_months_quarters_years() -> None:
    for d in every_day(2019, 2020):
        m = period_of("month", d)
        assert m.start == d.replace(day=1) and m.end.month == d.month and (m.end + dt.timedelta(days=1)).day == 1
        q = period_of("quarter", d)
        assert q.label == quarter_label(d) == f"{d.year}Q{(d.month + 2) // 3}"
        assert q.start.month % 3 == 1 and q.start.day == 1 and q.end.month == q.start.month + 2 and q.contains(d)
        y = period_of("year", d)
        assert (y.start, y.end, y.label) == (D(d.year, 1, 1), D(d.year, 12, 31), str(d.year))


@pytest.mark.parametrize("label, start, end", [
    ("2018Q1", D(2018, 1, 1), D(2018, 3, 31)), ("2018Q2", D(2018, 4, 1), D(2018, 6, 30)),
    ("2020Q1", D(2020, 1, 1), D(2020, 3, 31)), ("2018-Q4", D(2018, 10, 1), D(2018, 12, 31)),
    (" 2018q3 ", D(2018, 7, 1), D(2018, 9, 30)),
])
def test_parse_quarter(label: str, start: dt.date, end: dt.date) -> None:
    assert parse_quarter(label) == Period(start, end, f"{start.year}Q{(start.month + 2) // 3}")


@pytest.mark.parametrize("label", ["2018Q5", "2018Q0", "18Q1", "2018-06", ""])
def test_bad_quarters(label: str) -> None:
    with pytest.raises(DateParseError):
        parse_quarter(label)


@pytest.mark.parametrize("n, anchor, d, want", [
    (5, 2025, D(2025, 12, 31), (2021, 2025)),
    (5, 2025, D(2021, 1, 1), (2021, 2025)),
    (5, 2025, D(2020, 12, 31), (2016, 2020)),
    (5, 2025, D(2026, 1, 1), (2026, 2030)),
    (3, 2019, D(2016, 6, 1), (2014, 2016)),
    (1, 2019, D(2016, 6, 1), (2016, 2016)),
])
def test_n_year_periods_are_anchored(n: int, anchor: int, d: dt.date, want: tuple[int, int]) -> None:
    p = period_of("years", d, n=n, anchor=anchor)
    assert (p.start, p.end, p.label) == (D(want[0], 1, 1), D(want[1], 12, 31), str(want[1]))


def test_n_years_need_an_anchor() -> None:
    with pytest.raises(ValueError):
        period_of("years", D(2020, 1, 1), n=5)
    with pytest.raises(ValueError):
        period_of("years", D(2020, 1, 1), n=0, anchor=2020)
    with pytest.raises(ValueError):
        period_of("fortnight", D(2020, 1, 1))


KINDS = st.sampled_from(["week", "xun", "month", "quarter", "year", "years"])
DATES = st.dates(D(1990, 1, 1), D(2060, 12, 31))


@given(KINDS, DATES, st.integers(1, 6), st.integers(1990, 2060))
def test_a_period_contains_its_day_and_its_neighbours_touch_it(kind: str, d: dt.date, n: int, anchor: int) -> None:
    p = period_of(kind, d, n=n, anchor=anchor)
    assert p.contains(d)
    assert period_of(kind, p.start, n=n, anchor=anchor) == p == period_of(kind, p.end, n=n, anchor=anchor)
    before = period_of(kind, p.start - dt.timedelta(days=1), n=n, anchor=anchor)
    after = period_of(kind, p.end + dt.timedelta(days=1), n=n, anchor=anchor)
    assert before.end + dt.timedelta(days=1) == p.start and p.end + dt.timedelta(days=1) == after.start
    assert len({before.label, p.label, after.label}) == 3


@given(KINDS, DATES, st.integers(0, 800), st.integers(1, 4))
def test_periods_between_tile_the_span(kind: str, first: dt.date, days: int, n: int) -> None:
    last = first + dt.timedelta(days=days)
    ps = periods_between(kind, first, last, n=n, anchor=2000)
    assert ps[0].contains(first) and ps[-1].contains(last)
    for a, b in zip(ps, ps[1:]):
        assert a.end + dt.timedelta(days=1) == b.start
    assert periods_between(kind, last, first - dt.timedelta(days=1), n=n, anchor=2000) == []


@pytest.mark.parametrize("year, spec, want", [
    (2019, "02-29", D(2019, 2, 28)), (2020, "02-29", D(2020, 2, 29)), (2018, "01-31", D(2018, 1, 31)),
    (2018, "06-31", D(2018, 6, 30)), (2018, "12-31", D(2018, 12, 31)),
])
def test_month_day_in(year: int, spec: str, want: dt.date) -> None:
    assert month_day_in(year, spec) == want
