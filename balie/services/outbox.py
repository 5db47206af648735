"""The outbox: queue messages with the change that causes them; claim, finish or retry them.

A worker claims one message at a time with a compare-and-set UPDATE (one winner, on SQLite
and PostgreSQL alike) for a lease, and renews the claim just before it sends: only the
holder of the claim can renew it or record the outcome. A worker that dies mid-send leaves
the lease to expire, and the message is sent again with the same Message-ID. Back-off
doubles per attempt up to one hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from balie.models import OutboxMessage, Registration

KIND_NEW_REGISTRATION = "new_registration"
KIND_PARENT_CONFIRMATION = "parent_confirmation"
MAX_BACKOFF = timedelta(hours=1)
# A claimer looks at this many candidates per round; losing them all to other workers, it looks again.
CLAIM_CANDIDATES = 8
CLAIM_ROUNDS = 4


def enqueue_new_registration(session: Session, registration: Registration) -> OutboxMessage:
    message = OutboxMessage(
        kind=KIND_NEW_REGISTRATION,
        payload={"organisation_id": registration.organisation_id},
        registration_id=registration.id,
    )
    session.add(message)
    return message


def enqueue_parent_confirmation(session: Session, registration: Registration) -> OutboxMessage:
    message = OutboxMessage(kind=KIND_PARENT_CONFIRMATION, payload={}, registration_id=registration.id)
    session.add(message)
    return message


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    return (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.available_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def claim_next(session: Session, worker: str, now: datetime, lease: timedelta) -> str | None:
    """Claim the longest-waiting due message for ``lease``; its id, or None when none is due.

    The UPDATE repeats the claimable condition, so of two workers that saw the same candidate
    only one gets the row; the other tries the next one.
    """
    for _round in range(CLAIM_ROUNDS):
        candidates = session.scalars(
            select(OutboxMessage.id)
            .where(*_claimable(now))
            .order_by(OutboxMessage.available_at, OutboxMessage.id)
            .limit(CLAIM_CANDIDATES)
        ).all()
        if not candidates:
            return None
        for message_id in candidates:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, *_claimable(now))
                .values(claimed_by=worker, claimed_until=now + lease)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                return message_id
    return None  # every candidate went to other workers: the next pass tries again


def renew_claim(session: Session, message_id: str, worker: str, now: datetime, lease: timedelta) -> bool:
    """Extend this worker's claim to ``now + lease``; False when the claim is no longer ours.

    Ours means: nobody claimed it since (a claim writes its own worker name) and it is not
    finished (sent, or ended by the purge). An expired claim nobody took over is still ours.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker, OutboxMessage.sent_at.is_(None))
        .values(claimed_until=now + lease)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def mark_sent(session: Session, message_id: str, worker: str, now: datetime, note: str | None = None) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker, OutboxMessage.sent_at.is_(None))
        .values(sent_at=now, claimed_until=None, last_error=note)
    )


def mark_failed(session: Session, message_id: str, worker: str, now: datetime, error: str) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is None or message.claimed_by != worker or message.sent_at is not None:
        return
    message.attempts += 1
    message.last_error = error[:120]
    message.available_at = now + backoff(message.attempts)
    message.claimed_by = None
    message.claimed_until = None


def backoff(attempts: int) -> timedelta:
    # Cap the exponent: 30 s * 2**42 no longer fits in a timedelta, and the cap is reached at 8.
    return min(timedelta(seconds=30 * 2 ** min(max(attempts - 1, 0), 16)), MAX_BACKOFF)


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) or 0
