"""Which due months a parent can choose, and when her data must be gone."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from balie.domain.due_date import (
    DAYS_AHEAD,
    DAYS_LATE,
    DueMonth,
    DueMonthOutOfRange,
    allowed_months,
    check,
    purge_date,
)


def months(*texts: str) -> list[DueMonth]:
    return [DueMonth.parse(text) for text in texts]


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        # Two weeks back still reaches December; 300 days ahead is early November.
        (date(2026, 1, 10), "2025-12", "2026-11"),
        (date(2026, 1, 14), "2025-12", "2026-11"),
        # One day later, two weeks back stays in January.
        (date(2026, 1, 15), "2026-01", "2026-11"),
        # New Year's Eve: the list crosses into the next year.
        (date(2026, 12, 31), "2026-12", "2027-10"),
        (date(2027, 2, 28), "2027-02", "2027-12"),
        # Leap day.
        (date(2028, 2, 29), "2028-02", "2028-12"),
        (date(2026, 3, 5), "2026-02", "2026-12"),
        (date(2026, 12, 1), "2026-11", "2027-09"),
    ],
)
def test_allowed_months_run_from_two_weeks_back_to_300_days_ahead(today: date, first: str, last: str) -> None:
    allowed = allowed_months(today)

    assert str(allowed[0]) == first
    assert str(allowed[-1]) == last
    assert allowed[0] == DueMonth.of(today - timedelta(days=DAYS_LATE))
    assert allowed[-1] == DueMonth.of(today + timedelta(days=DAYS_AHEAD))


@pytest.mark.parametrize("today", [date(2026, 1, 10), date(2026, 12, 31), date(2027, 2, 28), date(2028, 2, 29)])
def test_allowed_months_are_consecutive_without_gaps_or_repeats(today: date) -> None:
    allowed = allowed_months(today)

    assert allowed == sorted(set(allowed))
    for earlier, later in itertools.pairwise(allowed):
        assert earlier.next() == later
    assert 11 <= len(allowed) <= 12


def test_next_month_crosses_the_year() -> None:
    assert DueMonth(2026, 12).next() == DueMonth(2027, 1)
    assert DueMonth(2026, 11).next() == DueMonth(2026, 12)
    assert DueMonth(2026, 1).next() == DueMonth(2026, 2)


@pytest.mark.parametrize(
    ("due", "today"),
    [
        ("2025-12", date(2026, 1, 10)),
        ("2026-11", date(2026, 1, 10)),
        ("2026-12", date(2026, 12, 31)),
        ("2027-10", date(2026, 12, 31)),
        ("2027-12", date(2027, 2, 28)),
    ],
)
def test_check_accepts_the_first_and_last_allowed_month(due: str, today: date) -> None:
    month = DueMonth.parse(due)

    assert check(month, today) is month


@pytest.mark.parametrize(
    ("due", "today"),
    [
        ("2025-11", date(2026, 1, 10)),  # baby long born
        ("2026-12", date(2026, 1, 10)),  # too far ahead
        ("2025-12", date(2026, 1, 15)),
        ("2026-11", date(2026, 12, 31)),
        ("2027-11", date(2026, 12, 31)),
        ("2027-01", date(2027, 2, 28)),
        ("2028-01", date(2027, 2, 28)),
        ("2016-05", date(2026, 1, 10)),
        ("2036-05", date(2026, 1, 10)),
    ],
)
def test_check_refuses_months_outside_the_window(due: str, today: date) -> None:
    with pytest.raises(DueMonthOutOfRange) as raised:
        check(DueMonth.parse(due), today)

    assert raised.value.code == "due_month_range"


@pytest.mark.parametrize(
    ("due", "weeks", "expected"),
    [
        ("2026-02", 6, date(2026, 4, 11)),  # 28 Feb + 42 days
        ("2028-02", 6, date(2028, 4, 11)),  # leap year: 29 Feb + 42 days
        ("2026-12", 6, date(2027, 2, 11)),  # 31 Dec + 42 days crosses the year
        ("2026-04", 6, date(2026, 6, 11)),  # 30-day month
        ("2026-01", 0, date(2026, 1, 31)),
        ("2026-01", 1, date(2026, 2, 7)),
        ("2026-11", 52, date(2027, 11, 29)),  # 364 days, not a calendar year
    ],
)
def test_purge_date_is_end_of_due_month_plus_weeks(due: str, weeks: int, expected: date) -> None:
    assert purge_date(DueMonth.parse(due), weeks) == expected


def test_purge_date_is_never_before_the_due_month_ends() -> None:
    for month in allowed_months(date(2026, 1, 10)):
        assert purge_date(month, 6) > month.last_day
        assert purge_date(month, 6) - month.last_day == timedelta(weeks=6)


def test_first_and_last_day() -> None:
    assert DueMonth(2026, 2).first_day == date(2026, 2, 1)
    assert DueMonth(2026, 2).last_day == date(2026, 2, 28)
    assert DueMonth(2028, 2).last_day == date(2028, 2, 29)
    assert DueMonth(2026, 12).last_day == date(2026, 12, 31)


@pytest.mark.parametrize("text", ["2026-05", " 2026-05 ", "2026-05\n"])
def test_parse_reads_year_and_month(text: str) -> None:
    assert DueMonth.parse(text) == DueMonth(2026, 5)
    assert str(DueMonth.parse(text)) == "2026-05"


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-2",
        "abc",
        "",
        "2024-02-30",
        "2026-05-01",
        "2026-1-1",
        "2026_05",
        "202605",
        "26-05",
        "-2026-05",
        "+026-05",  # int() would read this as year 26
        "2026-+5",
        "2026- 5",
        "2026 -05",
        "２０２６-05",  # full-width digits
        "2026-٠٥",  # Arabic-Indic digits
        "0000-01",  # no year 0 in the calendar
        "2026-05 extra",
    ],
)
def test_parse_refuses_anything_but_yyyy_mm(text: str) -> None:
    with pytest.raises(DueMonthOutOfRange):
        DueMonth.parse(text)


def test_parse_none_is_refused() -> None:
    with pytest.raises(DueMonthOutOfRange):
        DueMonth.parse(None)  # type: ignore[arg-type]


def test_due_month_repr_is_not_revealing() -> None:
    # A due month is pregnancy data: it does not appear in logs through repr.
    month = DueMonth(2026, 7)

    assert "2026" not in repr(month)
    assert "7" not in repr(month)


def test_due_months_sort_in_time_order() -> None:
    assert sorted(months("2027-01", "2026-12", "2026-02")) == months("2026-02", "2026-12", "2027-01")
