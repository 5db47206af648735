"""The date in the Netherlands of a stored UTC moment, worked out by the database.

The monitor groups by dates in the database, so it never has to fetch a row per registration to
turn a moment into a Dutch date. PostgreSQL uses its time-zone database (Europe/Amsterdam).
SQLite has none, so there the EU summer-time rule is written out: summer time (UTC+2) from 01:00
UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October, otherwise UTC+1 (the
rule in force since 1996; a test compares both with Python's zoneinfo around every change of
several years).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from balie.clock import ZONE


class DutchDate(FunctionElement[Any]):
    """DutchDate(column): the date in the Netherlands of a UTC timestamp column."""

    type = Date()
    inherit_cache = True
    name = "dutch_date"


def _last_sunday(year: str, month: str) -> str:
    # From the 25th (the 31st minus six days) forward to a Sunday: the month's last Sunday.
    return f"date({year} || '-{month}-31', '-6 days', 'weekday 0') || ' 01:00:00'"


@compiles(DutchDate, "sqlite")
def _sqlite(element: DutchDate, compiler: Any, **kw: Any) -> str:
    # SQLite keeps a moment as 'YYYY-MM-DD HH:MM:SS.ffffff'. Adding one hour gives the Dutch date
    # except in summer time from 22:00 UTC: only those rows (characters 12-13 are '22') need the
    # summer-time check, so the cheap path is taken for the others.
    moment = compiler.process(element.clauses, **kw)
    year = f"strftime('%Y', {moment})"
    summer = f"{moment} >= {_last_sunday(year, '03')} AND {moment} < {_last_sunday(year, '10')}"
    return (
        f"CASE WHEN substr({moment}, 12, 2) = '22' AND {summer} "
        f"THEN date({moment}, '+2 hours') ELSE date({moment}, '+1 hours') END"
    )


@compiles(DutchDate, "postgresql")
def _postgresql(element: DutchDate, compiler: Any, **kw: Any) -> str:
    return f"CAST(timezone('{ZONE.key}', {compiler.process(element.clauses, **kw)}) AS DATE)"


class DutchMonth(FunctionElement[Any]):
    """DutchMonth(column): 'YYYY-MM', the month in the Netherlands of a UTC timestamp column (a
    ``Period`` key of a month), to group a range of months in one query."""

    type = String()
    inherit_cache = True
    name = "dutch_month"


@compiles(DutchMonth, "sqlite")
def _sqlite_month(element: DutchMonth, compiler: Any, **kw: Any) -> str:
    return f"substr({_sqlite(DutchDate(*element.clauses), compiler, **kw)}, 1, 7)"


@compiles(DutchMonth, "postgresql")
def _postgresql_month(element: DutchMonth, compiler: Any, **kw: Any) -> str:
    return f"to_char(timezone('{ZONE.key}', {compiler.process(element.clauses, **kw)}), 'YYYY-MM')"
