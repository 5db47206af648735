"""Submitting a registration: route it, seal it, queue the notifications — one transaction."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from balie.crypto import KeyRing
from balie.domain import audit_events, due_date, pregnancy_phase, roles
from balie.domain.consent import ASSISTED_TEXT_VERSION, FEEDBACK_TEXT_VERSION, REFERRAL_TEXT_VERSION
from balie.domain.errors import DomainError
from balie.domain.reference_code import ALPHABET, new_reference, normalise_reference
from balie.domain.registration import PRIVACY_TEXT_VERSION, RegistrationData
from balie.i18n import DEFAULT_LOCALE, is_supported
from balie.models import AdviceCode, OutboxMessage, Registration
from balie.models.base import new_opaque_id, utcnow
from balie.services import outbox
from balie.services.audit import access_log
from balie.services.registrations import advice, duplicates, personal_data, routing

KIND_WITHDRAWN = "registration_withdrawn"

REFERENCE_ATTEMPTS = 5


class NotRoutable(DomainError):
    """The postcode does not lead to an organisation; ``outcome`` says why."""

    code = "not_routable"

    def __init__(self, outcome: routing.ChooseMunicipality | routing.NotServed) -> None:
        super().__init__()
        self.outcome = outcome


class AdviceCodeUnknown(DomainError):
    code = "advice_code_unknown"


class WithdrawalRefused(DomainError):
    code = "withdrawal_refused"


@dataclass(frozen=True)
class SubmitSettings:
    keys: KeyRing
    region_ggd_codes: tuple[str, ...]
    purge_weeks_after_due: int
    today: date
    locale: str = "nl"
    secret: str = ""  # for the duplicate keys
    # The moment it is received; None: the clock's. A generated history (``monitoring.demo_history``)
    # submits at moments in the past.
    now: datetime | None = None


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
    outcome = route(session, data, settings.region_ggd_codes)
    if not isinstance(outcome, routing.Routed):
        raise NotRoutable(outcome)
    card = None
    if data.route == "self" and data.advice_code:
        card = advice.find_active(session, data.advice_code)
        if card is None:
            raise AdviceCodeUnknown()
    for _attempt in range(REFERENCE_ATTEMPTS):
        registration = _build(data, outcome, settings)
        _apply_advice(registration, data, card, settings)
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
        original = duplicates.find_original(session, registration)
        if original is not None:
            registration.duplicate_of_id = original.id
        outbox.enqueue_new_registration(session, registration)
        if registration.wants_mail:
            outbox.enqueue_parent_confirmation(session, registration)
        actor = (
            access_log.PUBLIC_FORM
            if data.advisor_user_id is None
            else access_log.Actor(data.advisor_user_id, roles.PROFESSIONAL)
        )
        access_log.record_event(
            session,
            actor,
            audit_events.REGISTRATION_CREATE,
            "registration",
            registration.id,
            detail=f"route={data.route}",
        )
        return Submitted(registration, is_new=True)
    raise RuntimeError("no free reference code after several attempts")


def route(session: Session, data: RegistrationData, region_ggd_codes: tuple[str, ...]) -> routing.Outcome:
    """By postcode (and the gemeente she chose where it lies in two), or without a fixed address
    by the region's gemeente she chose."""
    if data.no_fixed_address or data.postcode is None:
        return routing.route_municipality(session, data.municipality_code or "", region_ggd_codes)
    return routing.route(session, data.postcode.pc4, region_ggd_codes, data.municipality_code)


def _build(data: RegistrationData, outcome: routing.Routed, settings: SubmitSettings) -> Registration:
    registration = Registration(
        created_at=settings.now or utcnow(),
        reference=new_reference(),
        submission_key=submission_key(data.submission_token),
        route=data.route,
        status="received",
        organisation_id=outcome.organisation_id,
        service_id=outcome.service.id,
        municipality_code=outcome.municipality.code,
        due_month=data.due.first_day,
        pregnancy_phase=pregnancy_phase.band(data.due, settings.today),
        language=data.language,
        interpreter=data.interpreter,
        no_fixed_address=data.no_fixed_address,
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
            "reachable_at": data.reachable_at,
            "note": data.note or None,
            "contact_preferences": json.dumps(data.preferences.as_dict(), sort_keys=True),
        },
    )
    return registration


def _apply_advice(
    registration: Registration, data: RegistrationData, card: AdviceCode | None, settings: SubmitSettings
) -> None:
    """Who advised, helped or referred; what the parent agreed to; the duplicate keys."""
    if card is not None:
        registration.advice_code_id = card.id
        registration.advisor_user_id = card.professional_id
    elif data.route in ("assisted", "referral"):
        registration.advisor_user_id = data.advisor_user_id
    if data.route == "assisted":
        registration.helped_by_user_id = data.advisor_user_id
        registration.consent_text_version = ASSISTED_TEXT_VERSION
    elif data.route == "referral":
        registration.consent_text_version = REFERRAL_TEXT_VERSION
        registration.consent_method = data.consent_method
    if data.feedback_consent and registration.advisor_user_id is not None:
        registration.feedback_consent = True
        registration.feedback_text_version = FEEDBACK_TEXT_VERSION
        registration.feedback_until = registration.purge_after
    registration.duplicate_key_phone, registration.duplicate_key_email = duplicates.keys(
        settings.secret, registration.organisation_id, str(data.due), data.name, data.phone, data.email
    )


def by_id(session: Session, registration_id: str) -> Registration | None:
    return session.get(Registration, registration_id)


def parent_language(registration: Registration) -> str:
    """The page language to write to the parent in (her slip and her mail). On her own she chose
    it on the pages; after samen aanmelden or a referral the pages were the professional's, so it
    is the language she wants to talk in when the desk has pages in it, otherwise Dutch."""
    if registration.route == "self":
        return registration.locale if is_supported(registration.locale) else DEFAULT_LOCALE
    return registration.language if is_supported(registration.language) else DEFAULT_LOCALE


def withdrawal_code(secret: str, registration_id: str) -> str:
    """The code on the parent's confirmation with which she can withdraw (not stored anywhere)."""
    digest = hmac.new(secret.encode(), f"withdraw/{registration_id}".encode(), hashlib.sha256).digest()
    chars = "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:12])
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def withdraw(session: Session, reference: str, code: str, secret: str, now: datetime) -> Registration:
    """Stop any feedback and ask the organisation to delete the registration."""
    wanted = normalise_reference(reference)
    found = session.scalar(select(Registration).where(Registration.reference == wanted)) if wanted else None
    given = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    expected = withdrawal_code(secret, found.id).replace("-", "") if found is not None else "0" * 12
    if found is None or not hmac.compare_digest(given, expected) or found.purged_at is not None:
        raise WithdrawalRefused()
    if found.withdrawn_at is None:
        found.withdrawn_at = now
        session.add(
            OutboxMessage(
                kind=KIND_WITHDRAWN, payload={"organisation_id": found.organisation_id}, registration_id=found.id
            )
        )
        access_log.record_event(
            session, access_log.PUBLIC_FORM, audit_events.REGISTRATION_WITHDRAW, "registration", found.id
        )
    return found
