"""Queueing real outbox messages without going through the registration form."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.models import Organisation, OutboxMessage
from balie.services import outbox


def queue_organisation_mails(session: Session, count: int) -> list[str]:
    """``count`` "new registration" mails to an organisation with an intake address; their ids."""
    organisation = session.scalars(
        select(Organisation).where(Organisation.email.is_not(None)).order_by(Organisation.id)
    ).first()
    assert organisation is not None, "the sociale kaart has no organisation with an intake address"
    messages = [
        OutboxMessage(kind=outbox.KIND_NEW_REGISTRATION, payload={"organisation_id": organisation.id})
        for _ in range(count)
    ]
    session.add_all(messages)
    session.flush()
    return [message.id for message in messages]
