"""The monitor's periods: calendar months, quarters, half-years and years with stable keys."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balie.services.monitoring.periods import Period, PeriodInvalid, PeriodKind


@pytest.mark.parametrize(
    ("key", "kind", "months"),
    [
        ("2026-07", PeriodKind.MONTH, ["2026-07"]),
        ("2026-Q3", PeriodKind.QUARTER, ["2026-07", "2026-08", "2026-09"]),
        ("2026-H1", PeriodKind.HALF_YEAR, ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]),
        ("2026", PeriodKind.YEAR, [f"2026-{m:02d}" for m in range(1, 13)]),
    ],
)
def test_a_key_names_its_kind_and_its_months(key: str, kind: PeriodKind, months: list[str]) -> None:
    period = Period.parse(key)
    assert period.kind is kind
    assert [month.strftime("%Y-%m") for month in period.months] == months
    assert period.key == str(period) == key


@pytest.mark.parametrize(
    ("key", "previous"),
    [("2026-01", "2025-12"), ("2026-Q1", "2025-Q4"), ("2026-H1", "2025-H2"), ("2026-H2", "2026-H1"), ("2026", "2025")],
)
def test_the_period_before_crosses_the_year(key: str, previous: str) -> None:
    assert Period.parse(key).previous().key == previous
    assert Period.parse(previous).next().key == key


def test_the_bounds_are_midnight_in_the_netherlands_in_winter_and_summer_time() -> None:
    start, end = Period.parse("2026-Q2").utc_bounds()
    assert start == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # 1 April 00:00, summer time
    assert end == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    assert Period.parse("2026-01").utc_bounds()[0] == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)  # winter time


def test_the_period_containing_a_day() -> None:
    day = date(2026, 8, 17)
    assert [Period.containing(kind, day).key for kind in PeriodKind] == ["2026-08", "2026-Q3", "2026-H2", "2026"]


@pytest.mark.parametrize(
    "key", ["", "26", "2026-13", "2026-00", "2026-Q5", "2026-H3", "2026-W01", "1999", "2026-7", " "]
)
def test_anything_else_is_refused(key: str) -> None:
    with pytest.raises(PeriodInvalid):
        Period.parse(key)


def test_a_period_must_start_on_its_own_first_month() -> None:
    with pytest.raises(PeriodInvalid):
        Period(PeriodKind.QUARTER, date(2026, 2, 1))
    with pytest.raises(PeriodInvalid):
        Period(PeriodKind.MONTH, date(2026, 2, 3))


@given(st.sampled_from(list(PeriodKind)), st.dates(min_value=date(2001, 1, 1), max_value=date(2998, 12, 31)))
def test_keys_round_trip_and_periods_tile_the_calendar(kind: PeriodKind, day: date) -> None:
    period = Period.containing(kind, day)
    assert Period.parse(period.key) == period
    assert period.start <= day < period.end
    assert period.previous().end == period.start
    assert len(period.months) == kind.months
