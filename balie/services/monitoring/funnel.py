"""The funnel of a set of gemeenten in a period: registrations → contact → visits → follow-up.

Counted is the cohort of registrations received in the period (see ``cohort``), followed to
today: a registration of March whose visit was in May counts its visit under March. So the later
steps of a recent period still grow; the first steps do not. Everything is counted in SQL (GROUP
BY); only counts leave this module, never a registration, a date or a code of one person.
``funnel`` counts one period; ``monthly`` each month of a range (a line over 24 months) with the
same two queries, grouped by the month in the Netherlands.

- routes: on her own, on her own with an advice card's code, samen aangemeld (assisted), direct
  referral (as the registration records it; a merge may give the kept one the duplicate's route).
- advisor kinds: her answer to "who advised you?" ("not_given" when she left it open, and for the
  professional routes, where the form does not ask it).
- contact: contact made (at any time), otherwise how it ended without contact: declined, not
  reached, moved away, withdrawn by her, handed over to the organisation's own dossier, or still
  waiting. ``outcomes`` is the closing outcome whatever came before ("declined" there includes
  parents who declined after a first contact).
- visits: families with at least one visit held, by the number of visits recorded (1/2/3/4+).
- follow-up of the families with a visit: arranged, none needed (closed as "visits held" without
  follow-up), handed over (the desk no longer follows), ended otherwise, still open; and by kind
  (JGZ, sociaal domein, zorg, other; a family with two kinds counts in both).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import CTE, ColumnElement, and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from balie.domain.registration import ADVISOR_KINDS
from balie.domain.status_flow import CLOSE_OUTCOMES, VISITS_HELD, Status, Step
from balie.models import Registration, RegistrationEvent
from balie.services.monitoring.cohort import counted_between, month_range, month_received
from balie.services.monitoring.counts import Breakdown
from balie.services.monitoring.periods import Period

ROUTES = ("self", "self_with_code", "assisted", "referral")
NOT_GIVEN = "not_given"
ADVISOR_KEYS = (*ADVISOR_KINDS, NOT_GIVEN)
_ENDED_WITHOUT_VISIT = tuple(outcome for outcome in CLOSE_OUTCOMES if outcome != VISITS_HELD)  # declined …
CONTACT = ("made", *_ENDED_WITHOUT_VISIT, "withdrawn", "handed_over", "waiting")
OUTCOMES = (*CLOSE_OUTCOMES, "open")
VISITS = ("1", "2", "3", "4_or_more")
FOLLOW_UP = ("arranged", "none_needed", "handed_over", "ended_otherwise", "open")
NO_VISIT = "no_visit"

JGZ, SOCIAL_DOMAIN, CARE, OTHER = "jgz", "social_domain", "care", "other"
FOLLOW_UP_KINDS = (JGZ, SOCIAL_DOMAIN, CARE, OTHER)
# Follow-up is recorded by the directory's category codes (sociale_kaart/categories.yaml) or
# "other". The monitor groups them as the Monitor Kansrijke Start does; a code not listed here
# (a category added later) counts as "other" until it is.
FOLLOW_UP_GROUPS: dict[str, str] = {
    "jgz-interventie": JGZ,
    "gezondheid-kind": JGZ,
    "zwangerschap-geboorte": CARE,
    "psychische-gezondheid": CARE,
    "leefstijl": CARE,
    "borstvoeding": CARE,
    "kinderwens": CARE,
    "sociaal-domein": SOCIAL_DOMAIN,
    "opvoeden": SOCIAL_DOMAIN,
    "geld-schulden": SOCIAL_DOMAIN,
    "wonen": SOCIAL_DOMAIN,
    "sociaal-netwerk": SOCIAL_DOMAIN,
    "juridisch": SOCIAL_DOMAIN,
    "basisbehoeften": SOCIAL_DOMAIN,
    "taal-integratie": SOCIAL_DOMAIN,
    "veiligheid": SOCIAL_DOMAIN,
    "inkomen-toeslagen": SOCIAL_DOMAIN,
}


@dataclass(frozen=True)
class Funnel:
    registrations: int
    routes: Breakdown  # ROUTES, of the registrations
    advisor_kinds: Breakdown  # ADVISOR_KEYS, of the registrations
    contact: Breakdown  # CONTACT, of the registrations
    outcomes: Breakdown  # OUTCOMES, of the registrations
    families_visited: int  # registrations with at least one visit held
    visits_held: int  # all visits held by those families
    visits_per_family: Breakdown  # VISITS, of the families visited
    follow_up: Breakdown  # FOLLOW_UP, of the families visited
    follow_up_kinds: Breakdown  # FOLLOW_UP_KINDS, overlapping; total: the families with follow-up arranged


def _events(step: Step) -> ColumnElement[int]:
    """How many events of this kind the registration has: a look-up in the index on
    (registration_id, kind, occurred_at) per registration, no join of all events to group again."""
    return (
        select(func.count())
        .where(RegistrationEvent.registration_id == Registration.id, RegistrationEvent.kind == step.value)
        .scalar_subquery()
    )


def _flag(step: Step) -> ColumnElement[int]:
    """1 when the registration has an event of this kind, else 0."""
    found = select(RegistrationEvent.id).where(
        RegistrationEvent.registration_id == Registration.id, RegistrationEvent.kind == step.value
    )
    return case((found.exists(), 1), else_=0)


def _per_registration(gemeenten: Collection[str], bounds: tuple[datetime, datetime]) -> CTE:
    """One row per counted registration: its month received, its own columns and what its events add up to."""
    return (
        select(
            month_received().label("month"),
            Registration.route,
            (Registration.advice_code_id.is_not(None)).label("with_code"),
            Registration.advisor_kind,
            Registration.status,
            Registration.close_outcome,
            (Registration.withdrawn_at.is_not(None)).label("withdrawn"),
            (Registration.handed_over_at.is_not(None)).label("handed_over"),
            _flag(Step.CONTACT_MADE).label("contact"),
            _flag(Step.FOLLOW_UP).label("follow_up"),
            _events(Step.VISIT_HELD).label("visits"),
        )
        .where(*counted_between(gemeenten, *bounds))
        .cte("each")
        # Computed once per registration: the outer query reads its columns many times, and a
        # subquery folded into it would run the event look-ups again for each mention.
        .prefix_with("MATERIALIZED")
    )


def funnel(session: Session, gemeenten: Collection[str], period: Period) -> Funnel:
    tallies = _tallies(session, gemeenten, period.utc_bounds(), by_month=False)
    return tallies.get(_WHOLE, _Tally()).funnel()


def monthly(session: Session, gemeenten: Collection[str], first: Period, last: Period) -> dict[Period, Funnel]:
    """The funnel of every month from ``first`` to ``last`` (months, inclusive; a month without
    registrations has zeros): the same counts as ``funnel`` per month, in one grouped query (and one
    for the follow-up kinds) instead of a pair per month. A month's figures add up to the quarter's
    and the year's, except ``follow_up_kinds``, whose rows overlap within a month as within a year."""
    months = month_range(first, last)
    tallies = _tallies(session, gemeenten, (months[0].utc_bounds()[0], months[-1].utc_bounds()[1]), by_month=True)
    return {month: tallies.get(month.key, _Tally()).funnel() for month in months}


_WHOLE = "whole"  # the bucket of the single-period funnel


@dataclass
class _Tally:
    """What the registrations of one bucket (a period, or one month of a range) add up to."""

    registrations: int = 0
    keys: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    visits_held: int = 0
    follow_up_kinds: Counter[str] = field(default_factory=Counter)

    def funnel(self) -> Funnel:
        tally = self.keys
        return Funnel(
            registrations=self.registrations,
            routes=Breakdown.of(ROUTES, tally["route"]),
            advisor_kinds=Breakdown.of(ADVISOR_KEYS, tally["advisor"]),
            contact=Breakdown.of(CONTACT, tally["contact"]),
            outcomes=Breakdown.of(OUTCOMES, tally["outcome"]),
            families_visited=self.registrations - tally["visits"][NO_VISIT],
            visits_held=self.visits_held,
            visits_per_family=Breakdown.of(VISITS, tally["visits"]),
            follow_up=Breakdown.of(FOLLOW_UP, tally["follow_up"]),
            follow_up_kinds=Breakdown.of(FOLLOW_UP_KINDS, self.follow_up_kinds, total=tally["follow_up"]["arranged"]),
        )


def _bucket(month: ColumnElement[str], by_month: bool) -> tuple[ColumnElement[str], tuple[ColumnElement[str], ...]]:
    """What to select as the bucket and what to group it by: the month, or one constant bucket
    (PostgreSQL refuses a constant in GROUP BY, so it is only selected)."""
    if by_month:
        return month, (month,)
    return literal_column(f"'{_WHOLE}'"), ()


def _groups(each: CTE) -> dict[str, tuple[ColumnElement[str], tuple[str, ...]]]:
    """Each group of the funnel: the value a registration has in it, and the values it can have
    (a code the funnel does not know, old or unexpected, is counted as "not given" or "open")."""
    c = each.c
    closed = c.status == Status.CLOSED.value
    contact = case(
        (c.contact == 1, "made"),
        (c.close_outcome.in_(_ENDED_WITHOUT_VISIT), c.close_outcome),
        (c.withdrawn, "withdrawn"),
        (c.handed_over, "handed_over"),
        else_="waiting",
    )
    visits = case(
        (c.visits >= 4, "4_or_more"), (c.visits == 3, "3"), (c.visits == 2, "2"), (c.visits == 1, "1"), else_=NO_VISIT
    )
    follow_up = case(
        (c.visits == 0, NO_VISIT),
        (c.follow_up == 1, "arranged"),
        (c.close_outcome == VISITS_HELD, "none_needed"),
        (c.handed_over, "handed_over"),
        (closed, "ended_otherwise"),
        else_="open",
    )
    return {
        "route": (case((and_(c.route == "self", c.with_code), "self_with_code"), else_=c.route), ROUTES),
        "advisor": (case((c.advisor_kind.in_(ADVISOR_KINDS), c.advisor_kind), else_=NOT_GIVEN), ADVISOR_KEYS),
        "contact": (contact, CONTACT),
        "outcome": (case((c.close_outcome.in_(CLOSE_OUTCOMES), c.close_outcome), else_="open"), OUTCOMES),
        "visits": (visits, (*VISITS, NO_VISIT)),
        "follow_up": (follow_up, (*FOLLOW_UP, NO_VISIT)),
    }


def _tallies(
    session: Session, gemeenten: Collection[str], bounds: tuple[datetime, datetime], *, by_month: bool
) -> dict[str, _Tally]:
    """The tallies per month key (``by_month``) or under ``_WHOLE`` for all of ``bounds``: one row per
    bucket, with a conditional sum per value of each group (not a GROUP BY over every combination of
    the groups' values, which gives thousands of rows for a range of months)."""
    each = _per_registration(gemeenten, bounds)
    c = each.c
    cells = [(name, value, expression) for name, (expression, values) in _groups(each).items() for value in values]
    sums = [func.sum(case((expression == value, 1), else_=0)) for _name, value, expression in cells]
    bucket, grouping = _bucket(c.month, by_month)
    rows = session.execute(select(bucket, func.count(), func.sum(c.visits), *sums).group_by(*grouping)).all()
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for found, registrations, visits_held, *counts in rows:
        if not registrations:
            continue  # no registrations at all: an aggregate without GROUP BY still gives a row
        tally = tallies[str(found)]
        tally.registrations, tally.visits_held = int(registrations), int(visits_held or 0)
        for (name, value, _expression), count in zip(cells, counts, strict=True):
            tally.keys[name][value] = int(count or 0)
    for found, kind, count in _follow_up_kinds(session, gemeenten, bounds, by_month=by_month):
        tallies[found].follow_up_kinds[kind] += count
    return tallies


def _follow_up_kinds(
    session: Session, gemeenten: Collection[str], bounds: tuple[datetime, datetime], *, by_month: bool
) -> list[tuple[str, str, int]]:
    """(bucket, kind, families with follow-up of that kind), a family counted once per kind."""
    group = case(
        *((RegistrationEvent.code == code, kind) for code, kind in FOLLOW_UP_GROUPS.items()), else_=OTHER
    ).label("kind")
    bucket, grouping = _bucket(month_received(), by_month)
    rows = session.execute(
        select(bucket, group, func.count(func.distinct(Registration.id)))
        .join(RegistrationEvent, RegistrationEvent.registration_id == Registration.id)
        .where(*counted_between(gemeenten, *bounds), RegistrationEvent.kind == Step.FOLLOW_UP.value)
        .group_by(*grouping, group)
    ).all()
    return [(str(found), str(kind), int(count)) for found, kind, count in rows]
