"""The database's Dutch date of a UTC moment is the date Python's zoneinfo gives, also on the
nights the clocks change (SQLite by the EU rule written out, PostgreSQL by its time-zone data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import literal, select, union_all

from balie.clock import ZONE
from balie.extensions import db
from balie.models.base import UTCDateTime
from balie.services.monitoring.dutch_dates import DutchDate


def moments() -> list[datetime]:
    """Every half hour from a day before to a day after each change of the clocks, 2024-2031, and
    the hours around midnight of a day in each month of 2026."""
    found = []
    for year in range(2024, 2032):
        for month in (3, 10):
            last_sunday = max(
                datetime(year, month, day, tzinfo=UTC)
                for day in range(25, 32)
                if datetime(year, month, day).weekday() == 6
            )
            found += [last_sunday - timedelta(hours=24) + timedelta(minutes=30 * step) for step in range(97)]
    for month in range(1, 13):
        found += [datetime(2026, month, 14, 21, 30, tzinfo=UTC) + timedelta(minutes=30 * step) for step in range(8)]
    return found


def test_the_dutch_date_of_every_moment_is_the_one_zoneinfo_gives(any_db_app: Flask) -> None:
    wanted = moments()
    got = {}
    with any_db_app.app_context():
        for first in range(0, len(wanted), 200):  # SQLite takes at most 500 terms in a UNION
            query = union_all(
                *(
                    select(literal(index).label("i"), DutchDate(literal(wanted[index], UTCDateTime())))
                    for index in range(first, min(first + 200, len(wanted)))
                )
            )
            got.update({index: day for index, day in db.session.execute(query)})
    expected = {index: moment.astimezone(ZONE).date() for index, moment in enumerate(wanted)}
    wrong = {wanted[index].isoformat(): (got[index], day) for index, day in expected.items() if got[index] != day}
    assert not wrong
    assert len(expected) > 1500
