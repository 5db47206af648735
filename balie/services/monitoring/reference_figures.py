"""A gemeente's reference figures per year: live births, her own target-group size, her budget.

The monitor sets reach and money against these (balie.services.monitoring.reach). A monitor sets
them for the gemeenten of her scope (scope.reference_figures_scope) by hand, or live births come
from a CBS StatLine export (cbs_births). Every change is kept (ReferenceFigureChange: which figure,
old and new value, where it came from, who, when) rather than in the access log: the access log
records who opened what, and a figure's history needs its old and new values.

Input is checked as a whole: a save with any problem changes nothing and raises InvalidFigures
with every problem (field and code; the web layer words them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.domain.errors import DomainError
from balie.models import Municipality, ReferenceFigureChange, ReferenceFigures
from balie.services.monitoring.scope import MonitorScope

SOURCE_ENTERED = "entered"  # typed in by a monitor
SOURCE_CBS = "cbs_37230ned"  # imported from a CBS StatLine export of table 37230ned

# Plausible ranges. The largest gemeente (Amsterdam) has about 10,000 live births a year, the
# smallest (Schiermonnikoog, Vlieland) a handful; the whole PHB budget of the country is EUR 5.3 million.
FIRST_YEAR = 2000  # CBS 37230ned starts in 2002; the PHB is a legal task since 2022
MAX_LIVE_BIRTHS = 20_000
MAX_TARGET_GROUP = 20_000
MAX_BUDGET = Decimal("10000000.00")
CENT = Decimal("0.01")

LIVE_BIRTHS = "live_births"
TARGET_GROUP_SIZE = "target_group_size"
BUDGET = "budget"
_COLUMNS = {LIVE_BIRTHS: "live_births", TARGET_GROUP_SIZE: "target_group_size", BUDGET: "budget_cents"}


@dataclass(frozen=True)
class Problem:
    field: str  # municipality_code, year, live_births, target_group_size, budget
    code: str  # outside_scope, unknown_municipality, year_out_of_range, out_of_range, not_whole_cents


class InvalidFigures(DomainError):
    code = "invalid_figures"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__()


@dataclass(frozen=True)
class FiguresEntry:
    """What a monitor enters for one gemeente and year; None: the figure is not known (or cleared)."""

    municipality_code: str
    year: int
    live_births: int | None = None
    target_group_size: int | None = None
    budget: Decimal | None = None  # euros


@dataclass(frozen=True)
class Figures:
    municipality_code: str
    year: int
    live_births: int | None
    live_births_source: str | None
    target_group_size: int | None
    budget: Decimal | None  # euros
    changed_by: str | None
    changed_at: datetime


@dataclass(frozen=True)
class Change:
    municipality_code: str
    year: int
    figure: str  # live_births / target_group_size / budget
    old_value: int | Decimal | None  # budget in euros
    new_value: int | Decimal | None
    source: str
    changed_by: str | None  # user id; None: a command on the server
    changed_at: datetime


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(CENT)


def _cents(euros: Decimal | None) -> int | None:
    return None if euros is None else int(euros * 100)


def _figures(row: ReferenceFigures) -> Figures:
    return Figures(
        row.municipality_code,
        row.year,
        row.live_births,
        row.live_births_source,
        row.target_group_size,
        _euros(row.budget_cents),
        row.changed_by,
        row.changed_at,
    )


def _known(session: Session, code: str) -> bool:
    return session.get(Municipality, code) is not None


def _year_problems(year: int, this_year: int, *, births: bool) -> list[Problem]:
    # Births of a year are known once it has begun; a budget or target can be set for next year.
    last = this_year if births else this_year + 1
    return [] if FIRST_YEAR <= year <= last else [Problem("year", "year_out_of_range")]


def check(session: Session, scope: MonitorScope, entry: FiguresEntry, this_year: int) -> list[Problem]:
    """Every problem with an entry (empty: it can be saved)."""
    problems: list[Problem] = []
    if not scope.covers(entry.municipality_code):
        problems.append(Problem("municipality_code", "outside_scope"))
    elif not _known(session, entry.municipality_code):
        problems.append(Problem("municipality_code", "unknown_municipality"))
    problems += _year_problems(entry.year, this_year, births=entry.live_births is not None)
    for name, value, most in (
        (LIVE_BIRTHS, entry.live_births, MAX_LIVE_BIRTHS),
        (TARGET_GROUP_SIZE, entry.target_group_size, MAX_TARGET_GROUP),
    ):
        if value is not None and (isinstance(value, bool) or not 1 <= value <= most):
            problems.append(Problem(name, "out_of_range"))
    if entry.budget is not None:
        if not entry.budget.is_finite() or not Decimal(0) < entry.budget <= MAX_BUDGET:
            problems.append(Problem(BUDGET, "out_of_range"))
        elif entry.budget != entry.budget.quantize(CENT):
            problems.append(Problem(BUDGET, "not_whole_cents"))
    return problems


def _row(session: Session, code: str, year: int, now: datetime) -> ReferenceFigures:
    row = session.scalar(
        select(ReferenceFigures).where(ReferenceFigures.municipality_code == code, ReferenceFigures.year == year)
    )
    if row is None:
        row = ReferenceFigures(municipality_code=code, year=year, changed_at=now)
        session.add(row)
    return row


def _apply(
    session: Session,
    row: ReferenceFigures,
    new_values: Mapping[str, int | None],
    source: str,
    changed_by: str | None,
    now: datetime,
) -> bool:
    """Set the figures that differ and keep a change row for each; whether anything changed."""
    changed = False
    for figure, new in new_values.items():
        column = _COLUMNS[figure]
        old = getattr(row, column)
        if old == new:
            continue
        setattr(row, column, new)
        if figure == LIVE_BIRTHS:
            row.live_births_source = None if new is None else source
        session.add(
            ReferenceFigureChange(
                municipality_code=row.municipality_code,
                year=row.year,
                figure=figure,
                old_value=old,
                new_value=new,
                source=source,
                changed_by=changed_by,
                changed_at=now,
            )
        )
        changed = True
    if changed:
        row.changed_by, row.changed_at = changed_by, now
    return changed


def save(session: Session, scope: MonitorScope, entry: FiguresEntry, changed_by: str | None, now: datetime) -> Figures:
    """Set all three figures of a gemeente and year as entered (None clears one). Flushes."""
    problems = check(session, scope, entry, now.year)
    if problems:
        raise InvalidFigures(problems)
    row = _row(session, entry.municipality_code, entry.year, now)
    values = {
        LIVE_BIRTHS: entry.live_births,
        TARGET_GROUP_SIZE: entry.target_group_size,
        BUDGET: _cents(entry.budget),
    }
    _apply(session, row, values, SOURCE_ENTERED, changed_by, now)
    session.flush()
    return _figures(row)


def record_live_births(
    session: Session,
    scope: MonitorScope,
    births: Mapping[tuple[str, int], int],
    source: str,
    changed_by: str | None,
    now: datetime,
) -> int:
    """Set live births per (gemeente, year), all or nothing; the number of figures that changed."""
    problems = [
        problem
        for (code, year), count in sorted(births.items())
        for problem in check(session, scope, FiguresEntry(code, year, live_births=count), now.year)
    ]
    if problems:
        raise InvalidFigures(problems)
    changed = 0
    for (code, year), count in sorted(births.items()):
        row = _row(session, code, year, now)
        changed += _apply(session, row, {LIVE_BIRTHS: count}, source, changed_by, now)
    session.flush()
    return changed


def figures(
    session: Session, municipality_codes: Iterable[str], years: Iterable[int]
) -> dict[tuple[str, int], Figures]:
    """The figures known for these gemeenten and years, by (code, year); pairs without any are absent."""
    codes, wanted_years = set(municipality_codes), set(years)
    if not codes or not wanted_years:
        return {}
    rows = session.scalars(
        select(ReferenceFigures).where(
            ReferenceFigures.municipality_code.in_(codes), ReferenceFigures.year.in_(wanted_years)
        )
    )
    return {(row.municipality_code, row.year): _figures(row) for row in rows}


def get(session: Session, municipality_code: str, year: int) -> Figures | None:
    return figures(session, [municipality_code], [year]).get((municipality_code, year))


def history(session: Session, municipality_code: str, year: int | None = None) -> list[Change]:
    """Every change of a gemeente's figures (of one year, or all), newest first."""
    query = select(ReferenceFigureChange).where(ReferenceFigureChange.municipality_code == municipality_code)
    if year is not None:
        query = query.where(ReferenceFigureChange.year == year)
    rows = session.scalars(query.order_by(ReferenceFigureChange.changed_at.desc(), ReferenceFigureChange.id.desc()))
    return [
        Change(
            row.municipality_code,
            row.year,
            row.figure,
            _euros(row.old_value) if row.figure == BUDGET else row.old_value,
            _euros(row.new_value) if row.figure == BUDGET else row.new_value,
            row.source,
            row.changed_by,
            row.changed_at,
        )
        for row in rows
    ]
