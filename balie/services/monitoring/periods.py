"""The periods the monitor reports on: calendar month, quarter, half-year and year.

The RIVM Monitor Kansrijke Start asks its figures per calendar year; quarters and half-years are
calendar ones too, so every period is a run of whole months. A period has a stable key to put in
a URL or an export ("2026-07", "2026-Q3", "2026-H1", "2026"), the months it covers and the
period before it. Its bounds are midnight in the Netherlands, as the desk's "today" is.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from balie.clock import ZONE
from balie.domain.errors import DomainError


class PeriodInvalid(DomainError):
    code = "period_invalid"


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"

    @property
    def months(self) -> int:
        return _LENGTH[self]


_LENGTH = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF_YEAR: 6, PeriodKind.YEAR: 12}
_KEY = re.compile(r"([0-9]{4})(?:-(?:([0-9]{2})|Q([1-4])|H([12])))?")
FIRST_YEAR, LAST_YEAR = 2000, 2999


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period: its kind and its first day (the first day of its first month)."""

    kind: PeriodKind
    start: date
    # Counted only before this day (the monitor's figures as of the start of a day); not part of
    # the period's identity: the same period, cut short.
    until: date | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        aligned = self.start.day == 1 and (self.start.month - 1) % self.kind.months == 0
        if not aligned or not FIRST_YEAR <= self.start.year <= LAST_YEAR:
            raise PeriodInvalid()

    @classmethod
    def containing(cls, kind: PeriodKind, day: date) -> Period:
        """The period of this kind that holds the day."""
        first_month = (day.month - 1) // kind.months * kind.months + 1
        return cls(kind, date(day.year, first_month, 1))

    @classmethod
    def parse(cls, key: str) -> Period:
        """From a key as ``key`` prints it; raises PeriodInvalid for anything else."""
        match = _KEY.fullmatch((key or "").strip().upper())
        if match is None:
            raise PeriodInvalid()
        year = int(match.group(1))
        month, quarter, half = match.group(2), match.group(3), match.group(4)
        if month is not None:
            if not 1 <= int(month) <= 12:
                raise PeriodInvalid()
            return cls(PeriodKind.MONTH, _first_day(year, int(month)))
        if quarter is not None:
            return cls(PeriodKind.QUARTER, _first_day(year, (int(quarter) - 1) * 3 + 1))
        if half is not None:
            return cls(PeriodKind.HALF_YEAR, _first_day(year, (int(half) - 1) * 6 + 1))
        return cls(PeriodKind.YEAR, _first_day(year, 1))

    @property
    def key(self) -> str:
        year, month = self.start.year, self.start.month
        if self.kind is PeriodKind.MONTH:
            return f"{year:04d}-{month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{year:04d}-Q{(month - 1) // 3 + 1}"
        if self.kind is PeriodKind.HALF_YEAR:
            return f"{year:04d}-H{(month - 1) // 6 + 1}"
        return f"{year:04d}"

    def __str__(self) -> str:
        return self.key

    @property
    def months(self) -> tuple[date, ...]:
        """The first day of each month the period covers, in order."""
        return tuple(_shift(self.start, offset) for offset in range(self.kind.months))

    @property
    def end(self) -> date:
        """The first day after the period."""
        return _shift(self.start, self.kind.months)

    def previous(self) -> Period:
        return Period(self.kind, _shift(self.start, -self.kind.months))

    def next(self) -> Period:
        return Period(self.kind, self.end)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as UTC moments: from midnight in the Netherlands on the first day to
        midnight on the first day after the period (or on ``until`` when that is earlier)."""
        end = self.end if self.until is None else max(self.start, min(self.end, self.until))
        return _utc_midnight(self.start), _utc_midnight(end)


def _first_day(year: int, month: int) -> date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodInvalid()
    return date(year, month, 1)


def _shift(first_day: date, months: int) -> date:
    index = first_day.year * 12 + first_day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZONE).astimezone(UTC)
