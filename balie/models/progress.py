"""What happened with a registration: anonymous events that outlive the personal data.

Each step of the status flow is one event (who, when, what kind, an optional code such as the
kind of follow-up or the closing outcome). Monitoring counts these; they hold no personal data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from balie.models.base import Base, UTCDateTime, utcnow


class RegistrationEvent(Base):
    __tablename__ = "registration_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # see balie.domain.status_flow.Step
    code: Mapped[str | None] = mapped_column(String(32))  # follow-up kind, outcome, reason
    actor_user_id: Mapped[str | None] = mapped_column(String(36))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<RegistrationEvent {self.kind}>"
