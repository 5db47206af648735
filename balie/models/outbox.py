"""The outbox: messages to send, written in the same transaction as the change they report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from balie.models.base import Base, UTCDateTime, new_opaque_id, utcnow


class OutboxMessage(Base):
    """A message to deliver. The payload holds ids only, never personal data."""

    __tablename__ = "outbox_message"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_opaque_id)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    registration_id: Mapped[str | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(120))  # exception type only
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind}>"
