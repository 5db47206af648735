"""Retention: personal data leaves the desk on time; anonymous counts and the access log stay.

A registration's personal fields are erased N days (default 30) after it was handed over or
closed, and in any case after its purge date (the due month + 6 weeks). The row remains as a
tombstone (organisation, gemeente, month, route, status) and its events stay for monitoring.
Expired sessions, links and throttles are removed too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from balie.database import affected
from balie.domain import audit_events
from balie.models import Invitation, OutboxMessage, PasswordReset, Registration, UserSession
from balie.services.accounts import authentication
from balie.services.audit import access_log
from balie.services.registrations import personal_data

SENT_MAIL_KEPT = timedelta(days=30)
ENDED_SESSIONS_KEPT = timedelta(days=1)
LINKS_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class PurgeResult:
    registrations: int
    sessions: int
    links: int
    mails: int


def due_for_purge(session: Session, now: datetime, today: date, days_after_close: int) -> list[Registration]:
    cutoff = now - timedelta(days=days_after_close)
    return list(
        session.scalars(
            select(Registration)
            .where(
                Registration.purged_at.is_(None),
                or_(
                    Registration.purge_after <= today,
                    Registration.closed_at <= cutoff,
                    Registration.handed_over_at <= cutoff,
                ),
            )
            .order_by(Registration.created_at)
        )
    )


def erase(session: Session, registration: Registration, now: datetime, actor: access_log.Actor, basis: str) -> None:
    """Erase the personal fields (and duplicate keys); the tombstone and its events stay."""
    personal_data.erase(registration)
    registration.due_month = None
    registration.duplicate_key_phone = registration.duplicate_key_email = None
    registration.purged_at = now
    access_log.record_event(
        session, actor, audit_events.REGISTRATION_PURGE, "registration", registration.id, basis=basis
    )


def purge(session: Session, now: datetime, today: date, days_after_close: int) -> PurgeResult:
    registrations = due_for_purge(session, now, today, days_after_close)
    for registration in registrations:
        erase(session, registration, now, access_log.SYSTEM, "retention-policy v1")
    if registrations:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.registration_id.in_([r.id for r in registrations]),
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.kind == "parent_confirmation",
            )
            .values(sent_at=now, last_error="purged before sending")
        )
    old_session = or_(
        UserSession.ended_at < now - ENDED_SESSIONS_KEPT, UserSession.expires_at < now - ENDED_SESSIONS_KEPT
    )
    ended = affected(session.execute(delete(UserSession).where(old_session)))
    links = affected(session.execute(delete(PasswordReset).where(PasswordReset.expires_at < now)))
    links += affected(
        session.execute(
            delete(Invitation).where(Invitation.expires_at < now - LINKS_KEPT, Invitation.accepted_at.is_(None))
        )
    )
    authentication.forget_old_throttles(session, now)
    mails = affected(session.execute(delete(OutboxMessage).where(OutboxMessage.sent_at < now - SENT_MAIL_KEPT)))
    session.flush()
    return PurgeResult(len(registrations), ended, links, mails)


PURGE_GRACE = timedelta(hours=48)


def purge_overdue(session: Session, now: datetime, today: date, days_after_close: int) -> bool:
    """True when personal data should have been erased more than 48 hours ago (the job is not running)."""
    late = now - PURGE_GRACE
    return bool(due_for_purge(session, late, today - PURGE_GRACE, days_after_close))
