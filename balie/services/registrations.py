"""Submitting a registration: route it, seal it, queue the notifications — one transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from balie.crypto import KeyRing
from balie.domain import due_date
from balie.domain.errors import DomainError
from balie.domain.reference_code import new_reference
from balie.domain.registration import PRIVACY_TEXT_VERSION, RegistrationData
from balie.models import Registration
from balie.models.base import new_opaque_id
from balie.services import outbox, personal_data, routing

REFERENCE_ATTEMPTS = 5


class NotRoutable(DomainError):
    """The postcode does not lead to an organisation; ``outcome`` says why."""

    code = "not_routable"

    def __init__(self, outcome: routing.ChooseMunicipality | routing.NotServed) -> None:
        super().__init__()
        self.outcome = outcome


@dataclass(frozen=True)
class SubmitSettings:
    keys: KeyRing
    region_ggd_codes: tuple[str, ...]
    purge_weeks_after_due: int
    today: date
    locale: str = "nl"


@dataclass(frozen=True)
class Submitted:
    registration: Registration
    is_new: bool  # False when this was a repeat of an earlier submit


def submission_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_by_submission(session: Session, token: str) -> Registration | None:
    return session.scalar(select(Registration).where(Registration.submission_key == submission_key(token)))


def submit(session: Session, data: RegistrationData, settings: SubmitSettings) -> Submitted:
    """Store one registration and its outbox rows. A repeated token returns the first one."""
    existing = find_by_submission(session, data.submission_token)
    if existing is not None:
        return Submitted(existing, is_new=False)
    due_date.check(data.due, settings.today)
    outcome = routing.route(session, data.postcode.pc4, settings.region_ggd_codes, data.municipality_code)
    if not isinstance(outcome, routing.Routed):
        raise NotRoutable(outcome)
    for _attempt in range(REFERENCE_ATTEMPTS):
        registration = _build(data, outcome, settings)
        try:
            with session.begin_nested():
                session.add(registration)
                session.flush()
        except IntegrityError:
            # Either the same submit raced us (same token), or the reference code collided.
            existing = find_by_submission(session, data.submission_token)
            if existing is not None:
                return Submitted(existing, is_new=False)
            continue
        outbox.enqueue_new_registration(session, registration)
        if registration.wants_mail:
            outbox.enqueue_parent_confirmation(session, registration)
        return Submitted(registration, is_new=True)
    raise RuntimeError("no free reference code after several attempts")


def _build(data: RegistrationData, outcome: routing.Routed, settings: SubmitSettings) -> Registration:
    registration = Registration(
        reference=new_reference(),
        submission_key=submission_key(data.submission_token),
        route=data.route,
        status="received",
        organisation_id=outcome.organisation_id,
        service_id=outcome.service.id,
        municipality_code=outcome.municipality.code,
        due_month=data.due.first_day,
        language=data.language,
        interpreter=data.interpreter,
        advisor_kind=data.advisor_kind,
        wants_mail=data.wants_mail and bool(data.email),
        locale=settings.locale,
        privacy_text_version=PRIVACY_TEXT_VERSION,
        purge_after=due_date.purge_date(data.due, settings.purge_weeks_after_due),
    )
    registration.id = new_opaque_id()  # before sealing: the id is part of each field's context
    personal_data.seal(
        registration,
        settings.keys,
        {
            "name": data.name,
            "phone": data.phone,
            "email": data.email,
            "address": data.address,
            "note": data.note or None,
            "contact_preferences": json.dumps(data.preferences.as_dict(), sort_keys=True),
        },
    )
    return registration


def by_id(session: Session, registration_id: str) -> Registration | None:
    return session.get(Registration, registration_id)
