"""How soon the JGZ reaches a registration, and how far along the pregnancies were.

Working days (Monday to Friday without the national holidays, ``balie.domain.working_days``) from
the day a registration was received to the day of the first contact made, and to the first
response (a contact attempt or contact made, whichever came first), both by the date in the
Netherlands: the median and the 90th percentile (nearest rank), and how many fall in 0-2, 3-5,
6-10 and more than 10 working days. Registrations without that event yet are not in these
figures (``reached`` says how many are). The database groups the registrations by the UTC hour
of the two moments (exact for a whole-hour offset such as the Dutch one); only those groups are
turned into dates and working days here, never a row per registration.

The pregnancy phase at registration is the band stored when she registered
(``balie.domain.pregnancy_phase``); registrations from before the band was stored and purged
since are "unknown".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from balie.clock import ZONE
from balie.domain import pregnancy_phase, working_days
from balie.domain.status_flow import Step
from balie.models import Registration, RegistrationEvent
from balie.services.monitoring.cohort import counted
from balie.services.monitoring.counts import Breakdown
from balie.services.monitoring.periods import Period

SPREAD = ("0_2", "3_5", "6_10", "more_than_10")
UNKNOWN = "unknown"
PHASES = (*pregnancy_phase.BANDS, UNKNOWN)
_HOUR_FORMAT = "%Y-%m-%d %H"


@dataclass(frozen=True)
class Delay:
    reached: int  # registrations with the event (the others are not in these figures)
    median_working_days: int | None  # None without any
    p90_working_days: int | None
    spread: Breakdown  # SPREAD, of ``reached``


@dataclass(frozen=True)
class Timeliness:
    registrations: int
    first_response: Delay  # to the first contact attempt or contact made
    first_contact: Delay  # to the first contact made
    phases: Breakdown  # PHASES, of the registrations


class UtcHour(FunctionElement[str]):
    """The UTC hour of a timestamp as 'YYYY-MM-DD HH', in the database."""

    type = String()
    inherit_cache = True


@compiles(UtcHour, "sqlite")
def _utc_hour_sqlite(element: UtcHour, compiler: Any, **kw: Any) -> str:
    return f"strftime('{_HOUR_FORMAT}', {compiler.process(element.clauses, **kw)})"


@compiles(UtcHour, "postgresql")
def _utc_hour_postgresql(element: UtcHour, compiler: Any, **kw: Any) -> str:
    return f"to_char(timezone('UTC', {compiler.process(element.clauses, **kw)}), 'YYYY-MM-DD HH24')"


def timeliness(session: Session, gemeenten: Collection[str], period: Period) -> Timeliness:
    phases = _phases(session, gemeenten, period)
    return Timeliness(
        registrations=sum(phases.values()),
        first_response=_delay(session, gemeenten, period, (Step.CONTACT_ATTEMPT, Step.CONTACT_MADE)),
        first_contact=_delay(session, gemeenten, period, (Step.CONTACT_MADE,)),
        phases=Breakdown.of(PHASES, phases),
    )


def _phases(session: Session, gemeenten: Collection[str], period: Period) -> Counter[str]:
    band = func.coalesce(Registration.pregnancy_phase, UNKNOWN)
    rows = session.execute(select(band, func.count()).where(*counted(gemeenten, period)).group_by(band)).all()
    found: Counter[str] = Counter()
    for name, count in rows:
        found[name if name in PHASES else UNKNOWN] += int(count)
    return found


def _delay(session: Session, gemeenten: Collection[str], period: Period, steps: tuple[Step, ...]) -> Delay:
    first = (
        select(Registration.created_at.label("received"), func.min(RegistrationEvent.occurred_at).label("reached"))
        .join(RegistrationEvent, RegistrationEvent.registration_id == Registration.id)
        .where(*counted(gemeenten, period), RegistrationEvent.kind.in_([step.value for step in steps]))
        .group_by(Registration.id, Registration.created_at)
        .subquery()
    )
    received: ColumnElement[str] = UtcHour(first.c.received)
    reached: ColumnElement[str] = UtcHour(first.c.reached)
    rows = session.execute(select(received, reached, func.count()).group_by(received, reached)).all()
    days: Counter[int] = Counter()
    for received_hour, reached_hour, count in rows:
        days[working_days.between(_local_date(received_hour), _local_date(reached_hour))] += int(count)
    spread: Counter[str] = Counter()
    for taken, count in days.items():
        spread[_spread(taken)] += count
    return Delay(
        reached=sum(days.values()),
        median_working_days=_nearest_rank(days, 0.5),
        p90_working_days=_nearest_rank(days, 0.9),
        spread=Breakdown.of(SPREAD, spread),
    )


def _local_date(utc_hour_text: str) -> date:
    return datetime.strptime(utc_hour_text, _HOUR_FORMAT).replace(tzinfo=UTC).astimezone(ZONE).date()


def _spread(working_days_taken: int) -> str:
    if working_days_taken <= 2:
        return "0_2"
    if working_days_taken <= 5:
        return "3_5"
    return "6_10" if working_days_taken <= 10 else "more_than_10"


def _nearest_rank(values: Counter[int], fraction: float) -> int | None:
    """The smallest value with at least ``fraction`` of all values at or below it."""
    total = sum(values.values())
    if not total:
        return None
    rank, seen = math.ceil(fraction * total), 0
    for value in sorted(values):
        seen += values[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable")
