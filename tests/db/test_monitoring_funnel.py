"""The monitor's figures against a hand-counted history, on SQLite and PostgreSQL.

The history (made through the real services, see ``tests/support/monitoring.py``), Delft, 2026:

    reg  received (NL time)  route           lang interp advisor  due      steps
    A    Wed 1 Apr 10:00     self            nl   no     midwife  2026-10  attempt 2 Apr, contact 3 Apr, visits 10
                                                                           and 20 Apr, follow-up sociaal-domein,
                                                                           geld-schulden, jgz-interventie; closed
                                                                           visits_held
    B    Mon 20 Apr 09:00    self + card     ar   yes    midwife  2026-09  contact Tue 28 Apr (27 Apr: King's Day),
                                                                           visit 1 May; closed visits_held; feedback
    C    Mon 4 May 14:00     assisted        en   no     -        2026-08  attempt Tue 5 May (Liberation Day);
                                                                           closed not_reached
    D    Fri 15 May 01:30    referral        nl   no     -        2026-07  contact Mon 18 May; closed declined;
                             (in UTC Thu 14 May, Ascension Day)            feedback
    E    Mon 1 Jun 10:00     self            nl   no     -        2026-05  withdrawn 2 Jun
    F    Wed 10 Jun 10:00    self            nl   no     -        2026-06  contact 10 Jun 15:00, 4 visits, handed over
    G    Thu 11 Jun 10:00    self (F again)  nl   no     -        2026-06  merged into F: not a second family
    H    Tue 30 Jun 23:30    self            nl   no     -        2026-07  nothing yet (in UTC 21:30, still June)
    I    Tue 31 Mar 23:30    self: Q1, not Q2
    J    Wed 1 Jul 00:30     self: Q3, not Q2 (in UTC 30 Jun 22:30)
    K    Wed 6 May 10:00     Den Haag (GM0518): never in Delft's figures

Advice cards: the midwife made one on 15 Apr (used by B) and one on 10 Mar; a GP made one on 2 Jun.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from balie.domain import roles
from balie.domain.status_flow import Step
from balie.extensions import db
from balie.models import Registration, User
from balie.services.accounts.lifecycle import Grant
from balie.services.monitoring.advice_cards import advice_cards
from balie.services.monitoring.equity import equity
from balie.services.monitoring.funnel import funnel
from balie.services.monitoring.periods import Period
from balie.services.monitoring.timeliness import timeliness
from balie.services.operations import retention
from balie.services.registrations import inbox
from tests.support.accounts import DELFLAND, HOFSTAD, make_user
from tests.support.monitoring import DELFT, DEN_HAAG, DEN_HAAG_POSTCODE, Parent, card, local, register, steps, withdraw

Q2 = Period.parse("2026-Q2")
DELFT_ONLY = {DELFT}


@dataclass(frozen=True)
class History:
    midwife_id: str
    gp_id: str
    ids: dict[str, str]


def _d(month: int, day: int) -> date:
    return date(2026, month, day)


@pytest.fixture
def history(any_db_app: Flask) -> History:
    app = any_db_app
    midwife = make_user(app, "vera@verloskunde.example", [Grant(roles.PROFESSIONAL, profession="midwife")], totp=False)
    gp = make_user(app, "huisarts@praktijk.example", [Grant(roles.PROFESSIONAL, profession="gp")], totp=False)
    nurse = make_user(app, "nurse@delfland.example", [Grant(roles.JGZ_STAFF, organisation_id=DELFLAND)], totp=False)
    hague = make_user(app, "nurse@hofstad.example", [Grant(roles.JGZ_STAFF, organisation_id=HOFSTAD)], totp=False)
    delfland = inbox.Staff(nurse.id, frozenset({DELFLAND}))
    hofstad = inbox.Staff(hague.id, frozenset({HOFSTAD}))
    with app.app_context(), db.writing():
        session = db.session

        pro = session.get(User, midwife.id)
        doctor = session.get(User, gp.id)
        assert pro is not None and doctor is not None
        card(session, pro, local(_d(3, 10)))
        used = card(session, pro, local(_d(4, 15)))
        card(session, doctor, local(_d(6, 2)))
        made = {
            "A": register(session, Parent(local(_d(4, 1)), "2026-10", advisor_kind="midwife")),
            "B": register(
                session,
                Parent(
                    local(_d(4, 20), 9),
                    "2026-09",
                    language="ar",
                    interpreter="yes",
                    advisor_kind="midwife",
                    card=used,
                    feedback_consent=True,
                ),
            ),
            "C": register(
                session, Parent(local(_d(5, 4), 14), "2026-08", language="en", route="assisted", professional=pro)
            ),
            "D": register(
                session,
                Parent(local(_d(5, 15), 1, 30), "2026-07", route="referral", professional=pro, feedback_consent=True),
            ),
            "E": register(session, Parent(local(_d(6, 1)), "2026-05")),
            "F": register(session, Parent(local(_d(6, 10)), "2026-06", name="Fenna de Vries", phone="+31612345678")),
            "G": register(session, Parent(local(_d(6, 11)), "2026-06", name="Fenna de Vries", phone="+31612345678")),
            "H": register(session, Parent(local(_d(6, 30), 23, 30), "2026-07")),
            "I": register(session, Parent(local(_d(3, 31), 23, 30), "2026-09")),
            "J": register(session, Parent(local(_d(7, 1), 0, 30), "2026-12")),
            "K": register(session, Parent(local(_d(5, 6)), "2026-09", postcode=DEN_HAAG_POSTCODE)),
        }
        r = made
        assert r["G"].duplicate_of_id == r["F"].id
        steps(
            session,
            delfland,
            r["A"],
            (Step.CONTACT_ATTEMPT, None, local(_d(4, 2), 9)),
            (Step.CONTACT_MADE, None, local(_d(4, 3), 9)),
            (Step.VISIT_PLANNED, None, local(_d(4, 3), 9, 5)),
            (Step.VISIT_HELD, None, local(_d(4, 10))),
            (Step.VISIT_HELD, None, local(_d(4, 20))),
            (Step.FOLLOW_UP, "sociaal-domein", local(_d(4, 20), 11)),
            (Step.FOLLOW_UP, "geld-schulden", local(_d(4, 20), 12)),
            (Step.FOLLOW_UP, "jgz-interventie", local(_d(4, 20), 13)),
            (Step.CLOSE, "visits_held", local(_d(4, 21))),
        )
        steps(
            session,
            delfland,
            r["B"],
            (Step.CONTACT_MADE, None, local(_d(4, 28))),
            (Step.VISIT_HELD, None, local(_d(5, 1))),
            (Step.CLOSE, "visits_held", local(_d(5, 2))),
        )
        steps(
            session,
            delfland,
            r["C"],
            (Step.CONTACT_ATTEMPT, None, local(_d(5, 5))),
            (Step.CLOSE, "not_reached", local(_d(5, 20))),
        )
        steps(
            session,
            delfland,
            r["D"],
            (Step.CONTACT_MADE, None, local(_d(5, 18), 9)),
            (Step.CLOSE, "declined", local(_d(5, 18), 9, 10)),
        )
        withdraw(session, r["E"], local(_d(6, 2)))
        steps(
            session,
            delfland,
            r["F"],
            (Step.CONTACT_MADE, None, local(_d(6, 10), 15)),
            (Step.VISIT_HELD, None, local(_d(6, 15))),
            (Step.VISIT_HELD, None, local(_d(6, 22))),
            (Step.VISIT_HELD, None, local(_d(6, 29))),
            (Step.VISIT_HELD, None, local(_d(7, 6))),
            (Step.HAND_OVER, None, local(_d(7, 7))),
        )
        inbox.merge_duplicate(session, delfland, r["G"], r["F"], local(_d(6, 12)))
        steps(
            session,
            hofstad,
            r["K"],
            (Step.CONTACT_MADE, None, local(_d(5, 7))),
            (Step.VISIT_HELD, None, local(_d(5, 14))),
            (Step.FOLLOW_UP, "zwangerschap-geboorte", local(_d(5, 14), 11)),
        )
        ids = {name: found.id for name, found in r.items()}
        db.session.commit()
    return History(midwife.id, gp.id, ids)


def purge_everything(app: Flask) -> None:
    """The retention job, long after every due month: every registration loses its personal data."""
    with app.app_context(), db.writing():
        retention.purge(db.session, datetime(2027, 6, 1, tzinfo=UTC), date(2027, 6, 1), 30)
        db.session.commit()
        remaining = db.session.scalars(select(Registration.id).where(Registration.purged_at.is_(None))).all()
        assert remaining == []


def test_the_funnel_of_delft_in_the_second_quarter_as_counted_by_hand(any_db_app: Flask, history: History) -> None:
    with any_db_app.app_context():
        found = funnel(db.session, DELFT_ONLY, Q2)
    assert found.registrations == 7  # A B C D E F H: not G (merged into F), I, J (other quarters), K (Den Haag)
    assert found.routes.rows == (("self", 4), ("self_with_code", 1), ("assisted", 1), ("referral", 1))
    assert dict(found.advisor_kinds.rows) == {
        "midwife": 2,
        "maternity_care": 0,
        "gp": 0,
        "hospital": 0,
        "social_team": 0,
        "other": 0,
        "not_given": 5,
    }
    assert found.contact.rows == (
        ("made", 4),  # A B D F
        ("declined", 0),  # D declined after contact: under "made", and in the outcomes
        ("not_reached", 1),  # C
        ("moved", 0),
        ("withdrawn", 1),  # E
        ("handed_over", 0),
        ("waiting", 1),  # H
    )
    assert found.outcomes.rows == (
        ("visits_held", 2),
        ("declined", 1),
        ("not_reached", 1),
        ("moved", 0),
        ("open", 3),
    )
    assert found.families_visited == 3  # A B F
    assert found.visits_held == 7  # 2 + 1 + 4
    assert found.visits_per_family.rows == (("1", 1), ("2", 1), ("3", 0), ("4_or_more", 1))
    assert found.follow_up.rows == (
        ("arranged", 1),  # A
        ("none_needed", 1),  # B
        ("handed_over", 1),  # F
        ("ended_otherwise", 0),
        ("open", 0),
    )
    # A's two social-domain follow-ups count once; K's care follow-up is Den Haag's.
    assert found.follow_up_kinds.rows == (("jgz", 1), ("social_domain", 1), ("care", 0), ("other", 0))
    assert (found.follow_up_kinds.total, found.follow_up_kinds.partition) == (1, False)
    for group in (found.routes, found.contact, found.outcomes, found.advisor_kinds):
        assert group.total == 7 and group.partition


def test_timeliness_and_pregnancy_phases_as_counted_by_hand(any_db_app: Flask, history: History) -> None:
    with any_db_app.app_context():
        found = timeliness(db.session, DELFT_ONLY, Q2)
    assert found.registrations == 7
    # First response in working days: A 1, B 5, C 0 (5 May is a holiday), D 1 (from Fri 15 May, not
    # from the UTC date Thu 14 May), F 0.
    assert found.first_response.reached == 5
    assert (found.first_response.median_working_days, found.first_response.p90_working_days) == (1, 5)
    assert found.first_response.spread.rows == (("0_2", 4), ("3_5", 1), ("6_10", 0), ("more_than_10", 0))
    # First contact made: A 2, B 5, D 1, F 0; C was never reached.
    assert found.first_contact.reached == 4
    assert (found.first_contact.median_working_days, found.first_contact.p90_working_days) == (1, 5)
    assert found.first_contact.spread.rows == (("0_2", 3), ("3_5", 1), ("6_10", 0), ("more_than_10", 0))
    assert found.phases.rows == (
        ("before_12", 1),  # A: 11 weeks on 1 Apr by a due date of 15 Oct
        ("weeks_12_19", 1),  # B: 18 weeks
        ("weeks_20_27", 1),  # C: 25 weeks
        ("weeks_28_35", 1),  # D: 31 weeks
        ("from_36", 2),  # F: 39 weeks, H: 37 weeks
        ("after_due_month", 1),  # E: due in May, registered 1 June
        ("unknown", 0),
    )


def test_equity_as_counted_by_hand(any_db_app: Flask, history: History) -> None:
    with any_db_app.app_context():
        found = equity(db.session, DELFT_ONLY, Q2)
    assert found.registrations == 7
    assert found.languages.rows == (("dutch", 5), ("other_language", 2))
    assert found.interpreter.rows == (("interpreter", 1), ("no_interpreter", 6))
    assert found.channels.rows == (("self", 4), ("self_with_code", 1), ("through_professional", 2))
    # Only B (card), C (assisted) and D (referral) have a professional who could hear back.
    assert found.feedback.rows == (("consented", 2), ("not_consented", 1))
    assert found.feedback.share("consented") == pytest.approx(2 / 3)


def test_advice_cards_per_practice_and_for_the_desk(any_db_app: Flask, history: History) -> None:
    with any_db_app.app_context():
        practice = advice_cards(db.session, Q2, {history.midwife_id})
        desk = advice_cards(db.session, Q2)
        march = advice_cards(db.session, Period.parse("2026-03"), {history.midwife_id})
    assert (practice.cards.count("midwife"), practice.cards.total, practice.registrations_with_card) == (1, 1, 1)
    assert (desk.cards.count("midwife"), desk.cards.count("gp"), desk.cards.total) == (1, 1, 2)
    assert (march.cards.total, march.registrations_with_card) == (1, 0)


def test_the_figures_are_the_same_after_every_registration_is_purged(any_db_app: Flask, history: History) -> None:
    with any_db_app.app_context():
        before = (
            funnel(db.session, DELFT_ONLY, Q2),
            timeliness(db.session, DELFT_ONLY, Q2),
            equity(db.session, DELFT_ONLY, Q2),
        )
    purge_everything(any_db_app)
    with any_db_app.app_context():
        after = (
            funnel(db.session, DELFT_ONLY, Q2),
            timeliness(db.session, DELFT_ONLY, Q2),
            equity(db.session, DELFT_ONLY, Q2),
        )
        assert db.session.scalar(select(Registration.due_month).where(Registration.id == history.ids["A"])) is None
    assert after == before
    assert after[1].phases.count("after_due_month") == 1


def test_another_gemeente_is_counted_only_in_its_own_scope(any_db_app: Flask, history: History) -> None:
    with any_db_app.app_context():
        hague = funnel(db.session, {DEN_HAAG}, Q2)
        both = funnel(db.session, {DELFT, DEN_HAAG}, Q2)
        nothing = funnel(db.session, set(), Q2)
    assert (hague.registrations, hague.families_visited, hague.follow_up_kinds.count("care")) == (1, 1, 1)
    assert (both.registrations, both.families_visited) == (8, 4)
    assert (nothing.registrations, nothing.contact.total, nothing.visits_per_family.total) == (0, 0, 0)


def test_each_registration_counts_in_the_period_of_its_dutch_date(any_db_app: Flask, history: History) -> None:
    with any_db_app.app_context():
        counted = {
            key: funnel(db.session, DELFT_ONLY, Period.parse(key)).registrations
            for key in ("2026-Q1", "2026-03", "2026-06", "2026-07", "2026-Q3", "2026-H1", "2026-H2", "2026", "2025")
        }
    assert counted == {
        "2026-Q1": 1,  # I, 31 March 23:30
        "2026-03": 1,
        "2026-06": 3,  # E F H (H at 23:30 on 30 June; G merged)
        "2026-07": 1,  # J at 00:30 on 1 July, still 30 June in UTC
        "2026-Q3": 1,
        "2026-H1": 8,
        "2026-H2": 1,
        "2026": 9,
        "2025": 0,
    }
