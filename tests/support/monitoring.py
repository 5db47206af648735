"""A small history of registrations for the monitor's tests, made through the real services.

Parents register (``submission.submit``) at chosen moments (time-machine sets the clock the
registration's ``created_at`` comes from); nurses take the inbox's steps (``inbox.record_step``)
at chosen moments; a duplicate is merged, a parent withdraws. The figures the tests expect are
counted by hand from the list in ``tests/db/test_monitoring_funnel.py``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time

import time_machine
from flask import current_app
from sqlalchemy.orm import Session

from balie.clock import ZONE
from balie.config import region_ggd_codes
from balie.domain.due_date import DueMonth
from balie.domain.postcode import HouseNumber, Postcode
from balie.domain.registration import ContactPreferences, RegistrationData
from balie.domain.status_flow import Step
from balie.extensions import data_keys
from balie.models import AdviceCode, Registration, User
from balie.services.registrations import advice, inbox, submission
from tests.conftest import TEST_SECRET

DELFT_POSTCODE, DEN_HAAG_POSTCODE = "2611 AB", "2511 AB"
DELFT, DEN_HAAG = "GM0503", "GM0518"


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in the Netherlands."""
    return datetime.combine(day, time(hour, minute), ZONE)


@dataclass
class Parent:
    """What a test varies in a registration; the rest is a valid Delft registration."""

    received: datetime
    due: str
    postcode: str = DELFT_POSTCODE
    language: str = "nl"
    interpreter: str = "no"
    advisor_kind: str | None = None
    route: str = "self"
    card: AdviceCode | None = None
    professional: User | None = None
    feedback_consent: bool = False
    name: str = field(default_factory=lambda: f"Ouder {secrets.token_hex(4)}")
    phone: str = field(default_factory=lambda: f"+3161{secrets.randbelow(10**7):07d}")


def register(session: Session, parent: Parent) -> Registration:
    data = RegistrationData(
        name=parent.name,
        phone=parent.phone,
        email=None,
        postcode=Postcode.parse(parent.postcode),
        house=HouseNumber.parse("12"),
        due=DueMonth.parse(parent.due),
        language=parent.language,
        interpreter=parent.interpreter,
        preferences=ContactPreferences(),
        advisor_kind=parent.advisor_kind,
        note="",
        wants_mail=False,
        submission_token=secrets.token_urlsafe(16),
        route=parent.route,
        advice_code=parent.card.code if parent.card else None,
        feedback_consent=parent.feedback_consent,
        advisor_user_id=parent.professional.id if parent.professional else None,
        consent_method="in_person" if parent.route == "referral" else None,
    )
    settings = submission.SubmitSettings(
        keys=data_keys(),
        region_ggd_codes=region_ggd_codes(current_app.config),
        purge_weeks_after_due=6,
        today=parent.received.astimezone(ZONE).date(),
        secret=TEST_SECRET,
    )
    with time_machine.travel(parent.received, tick=False):
        return submission.submit(session, data, settings).registration


def card(session: Session, professional: User, made: datetime) -> AdviceCode:
    return advice.create_card(session, professional, "nl", "", made)


def steps(
    session: Session, staff: inbox.Staff, registration: Registration, *taken: tuple[Step, str | None, datetime]
) -> None:
    for step, code, moment in taken:
        inbox.record_step(session, staff, registration, step, code, moment)


def withdraw(session: Session, registration: Registration, moment: datetime) -> None:
    code = submission.withdrawal_code(TEST_SECRET, registration.id)
    submission.withdraw(session, registration.reference, code, TEST_SECRET, moment)
