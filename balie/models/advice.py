"""Advice cards: an opaque code that identifies the advising professional, never the parent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from balie.models.account import User
from balie.models.base import Base, UTCDateTime, new_uuid, utcnow


class AdviceCode(Base):
    __tablename__ = "advice_code"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # printed on the card, in the QR link
    professional_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="nl")  # of the card and the form it opens
    label: Mapped[str] = mapped_column(String(80), default="")  # the professional's own note, never parent data
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    professional: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AdviceCode {self.id}>"
