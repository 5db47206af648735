"""Advice cards and the process-only feedback an advising professional may see.

A card carries an opaque code that identifies the professional (never the parent). With
the parent's consent, the professional sees per advice or referral only that it was
received, that contact was made, that a visit was held, whether follow-up was arranged and
that it was closed — never what was discussed, and only until the feedback expires.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from balie.domain.consent import STEP_TO_FEEDBACK, FeedbackEvent, FeedbackWindow
from balie.models import AdviceCode, OutboxMessage, Registration, RegistrationEvent, User

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
KIND_FEEDBACK_UPDATE = "feedback_update"


def normalise_code(text: str | None) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[: CODE_LENGTH + 4]


def create_card(session: Session, professional: User, language: str, label: str, now: datetime) -> AdviceCode:
    for _ in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalar(select(AdviceCode.id).where(AdviceCode.code == code)) is None:
            card = AdviceCode(
                code=code, professional_id=professional.id, language=language, label=label.strip()[:80], created_at=now
            )
            session.add(card)
            session.flush()
            return card
    raise RuntimeError("no free advice code")


def find_active(session: Session, code: str | None) -> AdviceCode | None:
    wanted = normalise_code(code)
    if len(wanted) != CODE_LENGTH:
        return None
    card = session.scalar(select(AdviceCode).where(AdviceCode.code == wanted))
    return card if card is not None and card.active and card.professional.is_active else None


def cards_of(session: Session, professional_id: str) -> list[AdviceCode]:
    return list(
        session.scalars(
            select(AdviceCode)
            .where(AdviceCode.professional_id == professional_id)
            .order_by(AdviceCode.created_at.desc())
        )
    )


def card_of(session: Session, professional_id: str, code: str) -> AdviceCode | None:
    return session.scalar(
        select(AdviceCode).where(AdviceCode.professional_id == professional_id, AdviceCode.code == normalise_code(code))
    )


def retire_card(session: Session, card: AdviceCode) -> None:
    """The card no longer opens the form for new registrations; registrations made with it keep it."""
    card.active = False
    session.flush()


def toggle_feedback_mail(session: Session, professional: User) -> bool:
    """Switch the professional's e-mail about news in her feedback on or off; returns whether it is on now."""
    professional.feedback_mail = not professional.feedback_mail
    session.flush()
    return professional.feedback_mail


def window(registration: Registration) -> FeedbackWindow:
    return FeedbackWindow(
        registration.feedback_consent, registration.withdrawn_at is not None, registration.feedback_until
    )


@dataclass(frozen=True)
class FeedbackItem:
    """One advice, assisted registration or referral as the professional may see it."""

    registration_id: str
    reference: str | None  # only when the professional helped or referred (she saw it then)
    route: str
    card_label: str | None
    received_on: date
    open: bool  # consented, not withdrawn, not expired
    events: list[tuple[FeedbackEvent, date]]


def _events(found: list[RegistrationEvent]) -> list[tuple[FeedbackEvent, date]]:
    events: list[tuple[FeedbackEvent, date]] = []
    seen: set[FeedbackEvent] = set()
    for event in found:
        kind = STEP_TO_FEEDBACK.get(event.kind)
        if kind is not None and kind not in seen:  # the *that*: each event once, no counts or codes
            seen.add(kind)
            events.append((kind, event.occurred_at.date()))
    return events


def overview(session: Session, professional_id: str, today: date) -> list[FeedbackItem]:
    registrations = session.scalars(
        select(Registration)
        .where(or_(Registration.advisor_user_id == professional_id, Registration.helped_by_user_id == professional_id))
        .where(Registration.merged_into_id.is_(None))
        .options(selectinload(Registration.advice_code))
        .order_by(Registration.created_at.desc())
    ).all()
    events: dict[str, list[RegistrationEvent]] = {}
    ids = [r.id for r in registrations]
    if ids:
        for event in session.scalars(
            select(RegistrationEvent)
            .where(RegistrationEvent.registration_id.in_(ids))
            .order_by(RegistrationEvent.occurred_at)
        ):
            events.setdefault(event.registration_id, []).append(event)
    items = []
    for registration in registrations:
        if registration.route == "self" and not registration.feedback_consent:
            continue  # she used the card but did not agree: the professional hears nothing, not even "received"
        is_open = window(registration).open_on(today)
        items.append(
            FeedbackItem(
                registration_id=registration.id,
                reference=registration.reference if registration.route != "self" else None,
                route=registration.route,
                card_label=registration.advice_code.label if registration.advice_code else None,
                received_on=registration.created_at.date(),
                open=is_open,
                events=[
                    (FeedbackEvent.RECEIVED, registration.created_at.date()),
                    *_events(events.get(registration.id, [])),
                ]
                if is_open
                else [],
            )
        )
    return items


def notify_step(session: Session, registration: Registration, step: str, today: date) -> None:
    """After an inbox step: queue a link-only mail to the advisor, if she wants one and may hear it."""
    if step not in STEP_TO_FEEDBACK or registration.advisor_user_id is None or not window(registration).open_on(today):
        return
    same_kind = [kind for kind, event in STEP_TO_FEEDBACK.items() if event is STEP_TO_FEEDBACK[step]]
    recorded = session.scalar(
        select(func.count())
        .select_from(RegistrationEvent)
        .where(RegistrationEvent.registration_id == registration.id, RegistrationEvent.kind.in_(same_kind))
    )
    if (recorded or 0) > 1:
        return  # a second visit (or follow-up) is no news on her page: a mail would only count them
    advisor = session.get(User, registration.advisor_user_id)
    if advisor is not None and advisor.feedback_mail and advisor.is_active:
        session.add(OutboxMessage(kind=KIND_FEEDBACK_UPDATE, payload={"user_id": advisor.id}))
