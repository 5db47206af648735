"""How soon the JGZ reaches a registration, and how far along the pregnancies were.

Working days (Monday to Friday without the national holidays, ``balie.domain.working_days``) from
the day a registration was received to the day of the first contact made, and to the first
response (a contact attempt or contact made, whichever came first), both by the date in the
Netherlands: the median and the 90th percentile (nearest rank), and how many fall in 0-2, 3-5,
6-10 and more than 10 working days. Registrations without that event yet are not in these
figures (``reached`` says how many are). The database counts the registrations per Dutch date
received and date reached (``dutch_dates``); only those groups are turned into working days here,
never a row per registration.

The pregnancy phase at registration is the band stored when she registered
(``balie.domain.pregnancy_phase``); registrations from before the band was stored and purged
since are "unknown".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from balie.domain import pregnancy_phase, working_days
from balie.domain.status_flow import Step
from balie.models import Registration, RegistrationEvent
from balie.services.monitoring.cohort import counted
from balie.services.monitoring.counts import Breakdown
from balie.services.monitoring.dutch_dates import DutchDate
from balie.services.monitoring.periods import Period

SPREAD = ("0_2", "3_5", "6_10", "more_than_10")
UNKNOWN = "unknown"
PHASES = (*pregnancy_phase.BANDS, UNKNOWN)


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


def timeliness(session: Session, gemeenten: Collection[str], period: Period) -> Timeliness:
    phases = _phases(session, gemeenten, period)
    first_response, first_contact = _delays(session, gemeenten, period)
    return Timeliness(
        registrations=sum(phases.values()),
        first_response=first_response,
        first_contact=first_contact,
        phases=Breakdown.of(PHASES, phases),
    )


def _phases(session: Session, gemeenten: Collection[str], period: Period) -> Counter[str]:
    band = func.coalesce(Registration.pregnancy_phase, UNKNOWN)
    rows = session.execute(select(band, func.count()).where(*counted(gemeenten, period)).group_by(band)).all()
    found: Counter[str] = Counter()
    for name, count in rows:
        found[name if name in PHASES else UNKNOWN] += int(count)
    return found


def _delays(session: Session, gemeenten: Collection[str], period: Period) -> tuple[Delay, Delay]:
    """(first response, first contact): the database counts registrations per Dutch date received,
    of the first response and of the first contact; working days are worked out per such group."""
    response = RegistrationEvent.kind.in_((Step.CONTACT_ATTEMPT.value, Step.CONTACT_MADE.value))
    contact = RegistrationEvent.kind == Step.CONTACT_MADE.value
    first = (
        select(
            Registration.created_at.label("received"),
            func.min(case((response, RegistrationEvent.occurred_at))).label("response"),
            func.min(case((contact, RegistrationEvent.occurred_at))).label("contact"),
        )
        .join(RegistrationEvent, RegistrationEvent.registration_id == Registration.id)
        .where(*counted(gemeenten, period), response)
        .group_by(Registration.id, Registration.created_at)
        .subquery()
    )
    dates = (DutchDate(first.c.received), DutchDate(first.c.response), DutchDate(first.c.contact))
    rows = session.execute(select(*dates, func.count()).group_by(*dates)).all()
    calendar = _WorkingDayIndex([day for row in rows for day in row[:3] if day is not None])
    to_response: Counter[int] = Counter()
    to_contact: Counter[int] = Counter()
    for received, responded, contacted, count in rows:
        to_response[calendar.between(received, responded)] += int(count)
        if contacted is not None:
            to_contact[calendar.between(received, contacted)] += int(count)
    return _delay(to_response), _delay(to_contact)


def _delay(days: Counter[int]) -> Delay:
    spread: Counter[str] = Counter()
    for taken, count in days.items():
        spread[_spread(taken)] += count
    return Delay(
        reached=sum(days.values()),
        median_working_days=_nearest_rank(days, 0.5),
        p90_working_days=_nearest_rank(days, 0.9),
        spread=Breakdown.of(SPREAD, spread),
    )


class _WorkingDayIndex:
    """Working days counted once over the span of the dates in question, so that the working days
    between two of them are a subtraction (the same as ``working_days.between``)."""

    def __init__(self, days: list[date]) -> None:
        self._index: dict[date, int] = {}
        if not days:
            return
        day, last, counted_days = min(days), max(days), 0
        while day <= last:
            counted_days += working_days.is_working_day(day)
            self._index[day] = counted_days
            day += timedelta(days=1)

    def between(self, start: date, end: date) -> int:
        return max(0, self._index[end] - self._index[start])


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
