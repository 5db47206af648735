"""The funnel per month for a range of months, against a hand-counted history, on SQLite and PostgreSQL.

Delft, 2026 (moments in Dutch time; the month is the Dutch one, not the UTC one):

    reg  received                 month  route     steps
    N    Thu 1 Jan 00:30          01     self      nothing (in UTC still 31 December 2025)
    R1   Tue 31 Mar 23:30         03     self      contact 1 Apr, visit 8 Apr, follow-up jgz-interventie, closed
                                                   visits_held (in UTC 21:30, summer time)
    R2   Wed 1 Apr 00:30          04     self      contact 2 Apr, visits 9 and 16 Apr, closed visits_held
                                                   (in UTC 31 March 22:30)
    R3   Fri 15 May 10:00         05     assisted  attempt 18 May, closed not_reached
    R4   Mon 1 Jun 10:00          06     self      contact 2 Jun, visit 5 Jun, follow-up sociaal-domein,
                                                   geld-schulden (one social-domain family) and
                                                   zwangerschap-geboorte (care); still open
    R6   Thu 11 Jun 10:00         06     self      R4 again: merged into R4, not counted
    R5   Tue 30 Jun 23:30         06     self      withdrawn 1 Jul
    R7   Wed 6 May 10:00          05     self      Den Haag: never in Delft's figures
    R8   Wed 1 Jul 00:30          07     self      nothing (in UTC 30 June 22:30)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest
from flask import Flask

from balie.domain import roles
from balie.domain.status_flow import Step
from balie.extensions import db
from balie.models import User
from balie.services.accounts.lifecycle import Grant
from balie.services.monitoring import funnel
from balie.services.monitoring.counts import Breakdown
from balie.services.monitoring.periods import Period
from balie.services.registrations import inbox
from tests.support.accounts import DELFLAND, make_user
from tests.support.monitoring import DELFT, DEN_HAAG_POSTCODE, Parent, local, register, steps, withdraw

DELFT_ONLY = {DELFT}
JAN, DEC = Period.parse("2026-01"), Period.parse("2026-12")


def _day(month: int, day: int) -> date:
    return date(2026, month, day)


@pytest.fixture
def history(any_db_app: Flask) -> None:
    app = any_db_app
    pro = make_user(app, "vera@verloskunde.example", [Grant(roles.PROFESSIONAL, profession="midwife")], totp=False)
    nurse = make_user(app, "nurse@delfland.example", [Grant(roles.JGZ_STAFF, organisation_id=DELFLAND)], totp=False)
    delfland = inbox.Staff(nurse.id, frozenset({DELFLAND}))
    with app.app_context(), db.writing():
        session = db.session
        professional = session.get(User, pro.id)
        assert professional is not None
        register(session, Parent(local(_day(1, 1), 0, 30), "2026-08"))
        r1 = register(session, Parent(local(_day(3, 31), 23, 30), "2026-09"))
        r2 = register(session, Parent(local(_day(4, 1), 0, 30), "2026-10"))
        r3 = register(session, Parent(local(_day(5, 15)), "2026-10", route="assisted", professional=professional))
        r7 = register(session, Parent(local(_day(5, 6)), "2026-11", postcode=DEN_HAAG_POSTCODE))
        r4 = register(session, Parent(local(_day(6, 1)), "2026-11", name="Fenna de Vries", phone="+31612345678"))
        r6 = register(session, Parent(local(_day(6, 11)), "2026-11", name="Fenna de Vries", phone="+31612345678"))
        r5 = register(session, Parent(local(_day(6, 30), 23, 30), "2026-12"))
        register(session, Parent(local(_day(7, 1), 0, 30), "2026-12"))
        assert r6.duplicate_of_id == r4.id and r7.municipality_code != DELFT
        steps(
            session,
            delfland,
            r1,
            (Step.CONTACT_MADE, None, local(_day(4, 1))),
            (Step.VISIT_HELD, None, local(_day(4, 8))),
            (Step.FOLLOW_UP, "jgz-interventie", local(_day(4, 8), 11)),
            (Step.CLOSE, "visits_held", local(_day(4, 9))),
        )
        steps(
            session,
            delfland,
            r2,
            (Step.CONTACT_MADE, None, local(_day(4, 2))),
            (Step.VISIT_HELD, None, local(_day(4, 9))),
            (Step.VISIT_HELD, None, local(_day(4, 16))),
            (Step.CLOSE, "visits_held", local(_day(4, 17))),
        )
        steps(
            session,
            delfland,
            r3,
            (Step.CONTACT_ATTEMPT, None, local(_day(5, 18))),
            (Step.CLOSE, "not_reached", local(_day(5, 29))),
        )
        steps(
            session,
            delfland,
            r4,
            (Step.CONTACT_MADE, None, local(_day(6, 2))),
            (Step.VISIT_HELD, None, local(_day(6, 5))),
            (Step.FOLLOW_UP, "sociaal-domein", local(_day(6, 5), 11)),
            (Step.FOLLOW_UP, "geld-schulden", local(_day(6, 5), 12)),
            (Step.FOLLOW_UP, "zwangerschap-geboorte", local(_day(6, 5), 13)),
        )
        inbox.merge_duplicate(session, delfland, r6, r4, local(_day(6, 12)))
        withdraw(session, r5, local(_day(7, 1)))
        db.session.commit()


def _line(found: dict[Period, funnel.Funnel]) -> dict[str, tuple[int, int, int, int]]:
    """Per month: registrations, families visited, visits held, families with follow-up arranged."""
    return {
        month.key: (f.registrations, f.families_visited, f.visits_held, f.follow_up.count("arranged"))
        for month, f in found.items()
    }


def test_the_months_of_delft_as_counted_by_hand(any_db_app: Flask, history: None) -> None:
    with any_db_app.app_context():
        found = funnel.monthly(db.session, DELFT_ONLY, JAN, DEC)
    assert _line(found) == {
        "2026-01": (1, 0, 0, 0),  # N: 1 January 00:30 is January, though still 2025 in UTC
        "2026-02": (0, 0, 0, 0),
        "2026-03": (1, 1, 1, 1),  # R1 at 23:30 on 31 March
        "2026-04": (1, 1, 2, 0),  # R2 at 00:30 on 1 April, two visits, no follow-up needed
        "2026-05": (1, 0, 0, 0),  # R3 (R7 is Den Haag's)
        "2026-06": (2, 1, 1, 1),  # R4 and R5; R6 merged into R4
        "2026-07": (1, 0, 0, 0),  # R8
        **{f"2026-{month:02d}": (0, 0, 0, 0) for month in range(8, 13)},
    }
    june = found[Period.parse("2026-06")]
    assert june.contact.rows == (
        ("made", 1),
        ("declined", 0),
        ("not_reached", 0),
        ("moved", 0),
        ("withdrawn", 1),
        ("handed_over", 0),
        ("waiting", 0),
    )
    assert june.follow_up_kinds.rows == (("jgz", 0), ("social_domain", 1), ("care", 1), ("other", 0))
    assert found[Period.parse("2026-05")].routes.rows == (
        ("self", 0),
        ("self_with_code", 0),
        ("assisted", 1),
        ("referral", 0),
    )
    assert found[Period.parse("2026-04")].follow_up.count("none_needed") == 1


def _sum(groups: Iterable[Breakdown]) -> tuple[tuple[str, int], ...]:
    groups = list(groups)
    return tuple((key, sum(group.count(key) for group in groups)) for key in groups[0].keys())


@pytest.mark.parametrize("key", ["2026-Q1", "2026-Q2", "2026-Q3", "2026-H1", "2026"])
def test_the_months_add_up_to_the_quarter_and_the_year(any_db_app: Flask, history: None, key: str) -> None:
    period = Period.parse(key)
    with any_db_app.app_context():
        whole = funnel.funnel(db.session, DELFT_ONLY, period)
        months = funnel.monthly(db.session, DELFT_ONLY, Period.parse(key[:4] + "-01"), DEC)
    parts = [f for month, f in months.items() if month.start in period.months]
    assert sum(f.registrations for f in parts) == whole.registrations
    assert sum(f.families_visited for f in parts) == whole.families_visited
    assert sum(f.visits_held for f in parts) == whole.visits_held
    for name in ("routes", "advisor_kinds", "contact", "outcomes", "visits_per_family", "follow_up", "follow_up_kinds"):
        assert _sum(getattr(f, name) for f in parts) == getattr(whole, name).rows, name
    expected = {"2026-Q1": 2, "2026-Q2": 4, "2026-Q3": 1, "2026-H1": 6, "2026": 7}
    assert whole.registrations == expected[key]  # counted by hand: N R1 | R2 R3 R4 R5 | R8


def test_a_range_is_months_from_first_to_last(any_db_app: Flask, history: None) -> None:
    with any_db_app.app_context():
        one = funnel.monthly(db.session, DELFT_ONLY, Period.parse("2026-06"), Period.parse("2026-06"))
        across_years = funnel.monthly(db.session, DELFT_ONLY, Period.parse("2025-11"), Period.parse("2026-02"))
        with pytest.raises(ValueError):
            funnel.monthly(db.session, DELFT_ONLY, Period.parse("2026-06"), Period.parse("2026-05"))
        with pytest.raises(ValueError):
            funnel.monthly(db.session, DELFT_ONLY, Period.parse("2026-Q1"), Period.parse("2026-06"))
    assert _line(one) == {"2026-06": (2, 1, 1, 1)}
    assert [month.key for month in across_years] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [f.registrations for f in across_years.values()] == [0, 0, 1, 0]
