"""The monitor's figures of a day, kept in the database: one row per set of gemeenten, year and day.

Policy monitoring needs no live figures, and counting and protecting a year takes a second or more,
so the monitor shows the figures as of the start of the day: the registrations received up to and
including yesterday (Dutch date). The first view of the day (or the nightly ``flask monitor
snapshot``) counts and protects the year and stores the result here; every other view that day, on
every worker and node, reads it.

Stored are aggregates only: the year's base counts (table category × gemeente or desk × month ->
count) and what the suppression publishes (the published numbers; for every hidden figure whether
it is a small cell or a complement). Keys are written as lists of strings and read back as the
same tuples, so a stored disclosure prints exactly what a fresh one would.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from balie.models import MonitorSnapshot
from balie.services.monitoring.disclosure import Disclosure, Status

KEPT_DAYS = 7
BaseCell = tuple[tuple[str, str], str, str]  # ((table, category), gemeente or desk, "YYYY-MM")


@dataclass(frozen=True)
class YearFigures:
    """What one stored snapshot holds, decoded."""

    cells: Mapping[BaseCell, int]
    shown: Disclosure
    consistent: bool
    computed_at: datetime


def gemeenten_key(gemeenten: Collection[str]) -> str:
    return ",".join(sorted(gemeenten))


def _flat(key: Hashable) -> list[str]:
    (table, group), place, period = cast(BaseCell, key)
    return [table, group, place, period]


def _key(row: list[str | int]) -> BaseCell:
    table, group, place, period = (str(part) for part in row[:4])
    return ((table, group), place, period)


def encode_cells(cells: Mapping[BaseCell, int]) -> list[list[str | int]]:
    return [[*_flat(key), count] for key, count in sorted(cells.items())]


def decode_cells(rows: list[list[str | int]]) -> dict[BaseCell, int]:
    return {_key(row): int(row[4]) for row in rows}


def encode_disclosure(shown: Disclosure) -> dict[str, list[list[str | int]]]:
    """The published numbers and the status of the hidden figures (a figure is one or the other)."""
    published: list[list[str | int]] = [[*_flat(key), value] for key, value in shown.published.items()]
    hidden: list[list[str | int]] = [
        [*_flat(key), status.value] for key, status in shown.status.items() if status is not Status.PUBLISHED
    ]
    return {"published": published, "hidden": hidden}


def decode_disclosure(stored: Mapping[str, list[list[str | int]]], threshold: int) -> Disclosure:
    published: dict[Hashable, int] = {_key(row): int(row[4]) for row in stored["published"]}
    status: dict[Hashable, Status] = dict.fromkeys(published, Status.PUBLISHED)
    status.update((_key(row), Status(str(row[4]))) for row in stored["hidden"])
    return Disclosure(threshold, status, published)


def load(session: Session, gemeenten: Collection[str], year: int, day: date, threshold: int) -> YearFigures | None:
    """The snapshot of these gemeenten, year and day, or None when there is none (yet)."""
    row = session.scalar(
        select(MonitorSnapshot).where(
            MonitorSnapshot.gemeenten == gemeenten_key(gemeenten),
            MonitorSnapshot.year == year,
            MonitorSnapshot.day == day,
            MonitorSnapshot.threshold == threshold,
        )
    )
    if row is None:
        return None
    shown = decode_disclosure(row.disclosure, row.threshold)
    return YearFigures(decode_cells(row.counts), shown, row.consistent, row.computed_at)


def store(session: Session, gemeenten: Collection[str], year: int, day: date, figures: YearFigures) -> None:
    """Keep the figures; when another worker stored the same snapshot meanwhile, keep that one
    (it holds the same figures). Flushes in a savepoint; the caller commits."""
    row = MonitorSnapshot(
        gemeenten=gemeenten_key(gemeenten),
        year=year,
        day=day,
        threshold=figures.shown.threshold,
        consistent=figures.consistent,
        counts=encode_cells(figures.cells),
        disclosure=encode_disclosure(figures.shown),
        computed_at=figures.computed_at,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        pass  # the same snapshot, stored by a view on another worker a moment ago


def delete_before(session: Session, today: date) -> int:
    """Delete the snapshots older than KEPT_DAYS days; how many."""
    done = session.execute(delete(MonitorSnapshot).where(MonitorSnapshot.day < today - timedelta(days=KEPT_DAYS)))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
