"""A parent's registration for the home visit. Personal fields are sealed (AES-256-GCM)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from balie.models.account import User
from balie.models.advice import AdviceCode
from balie.models.base import Base, UTCDateTime, new_opaque_id, utcnow
from balie.models.directory import Organisation, Service
from balie.models.reference import Municipality

# The sealed columns, in the order they are shown. Their plaintext never leaves the service
# layer except to the routed organisation's staff.
PERSONAL_FIELDS = ("name", "phone", "email", "address", "reachable_at", "note", "contact_preferences")


class Registration(Base):
    __tablename__ = "registration"
    # The monitor counts a gemeente's registrations of a period.
    __table_args__ = (Index("ix_registration_municipality_code_created_at", "municipality_code", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_opaque_id)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    # sha256 of the one-time submission token: a double submit finds the first registration.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    route: Mapped[str] = mapped_column(String(16), default="self")  # self / assisted / referral
    status: Mapped[str] = mapped_column(String(24), default="received", index=True)

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id"))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)

    # Coarse, non-identifying attributes kept in the clear for routing, filters and counts.
    due_month: Mapped[date | None] = mapped_column(Date)  # first day of the expected month
    # How far along she was when she registered (balie.domain.pregnancy_phase.BANDS): derived from
    # the due month at registration, kept for the monitor after the due month is erased.
    pregnancy_phase: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    interpreter: Mapped[str] = mapped_column(String(8))  # yes / no / unsure
    advisor_kind: Mapped[str | None] = mapped_column(String(24))
    wants_mail: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(8), default="nl")  # page language, for the mail
    privacy_text_version: Mapped[str] = mapped_column(String(16))
    # She has no fixed address now: routed by the gemeente she chose; reachable_at_sealed may say
    # where she can be reached. Erased (None) with the personal data.
    no_fixed_address: Mapped[bool | None] = mapped_column(Boolean, default=False, server_default=false())

    key_id: Mapped[str] = mapped_column(String(16))  # the data key the sealed fields use
    name_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    email_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    address_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    reachable_at_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact_preferences_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    # Advice and consent: who advised, helped or referred, and what the parent agreed to.
    advice_code_id: Mapped[str | None] = mapped_column(ForeignKey("advice_code.id"), index=True)
    advisor_user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    helped_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    consent_text_version: Mapped[str | None] = mapped_column(String(24))  # assisted / referral text
    consent_method: Mapped[str | None] = mapped_column(String(12))  # referral: in_person / by_phone
    feedback_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    feedback_text_version: Mapped[str | None] = mapped_column(String(24))
    feedback_until: Mapped[date | None] = mapped_column(Date)
    # Withdrawal (with the code on her confirmation) stops feedback and asks for deletion.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Duplicates without a BSN: keyed hashes of the normalised name with the phone or e-mail.
    duplicate_key_phone: Mapped[str | None] = mapped_column(String(64), index=True)
    duplicate_key_email: Mapped[str | None] = mapped_column(String(64), index=True)
    duplicate_of_id: Mapped[str | None] = mapped_column(ForeignKey("registration.id"))
    merged_into_id: Mapped[str | None] = mapped_column(ForeignKey("registration.id"))

    # The inbox: who picked it up, when it was closed (and how) or handed over.
    assigned_user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_outcome: Mapped[str | None] = mapped_column(String(16))
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    purge_after: Mapped[date] = mapped_column(Date, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    organisation: Mapped[Organisation] = relationship()
    service: Mapped[Service] = relationship()
    municipality: Mapped[Municipality] = relationship()
    advisor: Mapped[User | None] = relationship(foreign_keys=[advisor_user_id])
    helped_by: Mapped[User | None] = relationship(foreign_keys=[helped_by_user_id])
    advice_code: Mapped[AdviceCode | None] = relationship()

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"
