"""What happened with a registration: anonymous events that outlive the personal data.

Each step of the status flow is one event (who, when, what kind, an optional code such as the
kind of follow-up or the closing outcome). Monitoring counts these; they hold no personal data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from balie.models.base import Base, UTCDateTime, utcnow


class RegistrationEvent(Base):
    __tablename__ = "registration_event"
    # The monitor reads a registration's steps by kind and moment from the index alone.
    __table_args__ = (Index("ix_registration_event_registration_id_kind", "registration_id", "kind", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # see balie.domain.status_flow.Step
    code: Mapped[str | None] = mapped_column(String(32))  # follow-up kind, outcome, reason
    actor_user_id: Mapped[str | None] = mapped_column(String(36))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<RegistrationEvent {self.kind}>"
