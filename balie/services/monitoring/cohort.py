"""Which registrations the monitor counts for a set of gemeenten and a period.

A registration counts in the period in which it was received (by the date in the Netherlands) and
under the gemeente it is registered under now (a re-routed registration may have moved). Counted:
withdrawn and purged registrations too (she did register; the anonymous row and its events stay).
Not counted: a merged duplicate (the same family registered twice; the registration it was merged
into counts), and the PHBs that the JGZ registers outside the desk, which the desk does not know.
A possible duplicate that nobody merged counts twice: only the nurse can tell.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement

from balie.models import Registration
from balie.services.monitoring.dutch_dates import DutchMonth
from balie.services.monitoring.periods import Period, PeriodKind


def counted(gemeenten: Collection[str], period: Period) -> tuple[ColumnElement[bool], ...]:
    """The conditions on Registration for these gemeenten (CBS codes) and this period."""
    return counted_between(gemeenten, *period.utc_bounds())


def counted_between(gemeenten: Collection[str], start: datetime, end: datetime) -> tuple[ColumnElement[bool], ...]:
    """The same for the registrations received from ``start`` up to (not including) ``end``."""
    return (
        Registration.municipality_code.in_(sorted(gemeenten)),
        Registration.created_at >= start,
        Registration.created_at < end,
        Registration.merged_into_id.is_(None),
    )


def month_received() -> ColumnElement[str]:
    """The key of the month a registration was received in (by the date in the Netherlands)."""
    return DutchMonth(Registration.created_at)


def month_range(first: Period, last: Period) -> tuple[Period, ...]:
    """The months from ``first`` to ``last`` (both months, inclusive)."""
    if first.kind is not PeriodKind.MONTH or last.kind is not PeriodKind.MONTH or last < first:
        raise ValueError("a range of months runs from a month to the same or a later month")
    months = [first]
    while months[-1] < last:
        months.append(months[-1].next())
    return tuple(months)
