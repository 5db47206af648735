"""The expected due date, to the month: which months are sensible, and when data must go."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from balie.domain.errors import DomainError

# A due date may lie a little in the past (babies come up to two weeks late) and at most
# about ten months ahead (a pregnancy is noticed some weeks after conception).
DAYS_LATE = 14
DAYS_AHEAD = 300
# ASCII digits only: int() would also take "+5", " 5" or full-width digits.
_YEAR_MONTH = re.compile(r"([1-9][0-9]{3})-([0-9]{2})")


class DueMonthOutOfRange(DomainError):
    code = "due_month_range"


@dataclass(frozen=True, order=True)
class DueMonth:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> DueMonth:
        """From 'YYYY-MM'."""
        match = _YEAR_MONTH.fullmatch((text or "").strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise DueMonthOutOfRange()
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> DueMonth:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> DueMonth:
        return DueMonth(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:  # a due month is pregnancy data
        return "DueMonth(…)"


def allowed_months(today: date) -> list[DueMonth]:
    first, last = DueMonth.of(today - timedelta(days=DAYS_LATE)), DueMonth.of(today + timedelta(days=DAYS_AHEAD))
    months = [first]
    while months[-1] < last:
        months.append(months[-1].next())
    return months


def check(due: DueMonth, today: date) -> DueMonth:
    if due not in allowed_months(today):
        raise DueMonthOutOfRange()
    return due


def purge_date(due: DueMonth, weeks_after: int) -> date:
    """Personal data is removed at the latest this many weeks after the end of the due month."""
    return due.last_day + timedelta(weeks=weeks_after)
