"""Accounts, roles, server-side sessions, invitations, account requests and reset tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from balie.models.base import Base, UTCDateTime, new_uuid, utcnow
from balie.models.directory import Organisation
from balie.models.reference import Municipality


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)  # never reused
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Second factor: the TOTP secret is sealed with the data keys; the last accepted
    # time step is kept so a code can be used only once.
    totp_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_timecode: Mapped[int | None] = mapped_column(Integer)
    key_id: Mapped[str | None] = mapped_column(String(16))
    # Professionals: a mail (with a link only) when there is news about their advice.
    feedback_mail: Mapped[bool] = mapped_column(Boolean, default=False)

    roles: Mapped[list[RoleGrant]] = relationship(back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret_sealed is not None

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RoleGrant(Base):
    """One role of a user, scoped to an organisation (JGZ staff) or a gemeente (editor)."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "organisation_id", "municipality_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    # Professionals: what kind (midwife, maternity care, GP …), for the advice routes.
    profession: Mapped[str | None] = mapped_column(String(24))

    user: Mapped[User] = relationship(back_populates="roles")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    municipality: Mapped[Municipality | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<RoleGrant {self.role}>"


class RecoveryCode(Base):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))  # argon2id, about 100 characters
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id}>"


class UserSession(Base):
    """A login on the server: the cookie holds a random token, this table its hash.

    Logging out, an idle or absolute time-out, a password change or an administrator ends the
    row; a copied cookie then no longer works.
    """

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    public_id: Mapped[str] = mapped_column(String(16), unique=True)  # to name it in "your sessions"
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mfa_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    mfa_failures: Mapped[int] = mapped_column(Integer, default=0)
    # A TOTP secret being set up (sealed) until the first code confirms it.
    pending_totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    device: Mapped[str] = mapped_column(String(80), default="")  # browser and system, coarse
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ended_reason: Mapped[str | None] = mapped_column(String(24))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.public_id}>"


class Invitation(Base):
    """An invitation link: whoever opens it before it expires sets a password for this account."""

    __tablename__ = "invitation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)  # + HMAC in the link
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120), default="")
    roles: Mapped[list[dict[str, str | None]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Invitation {self.id}>"


class AccountRequest(Base):
    """A professional asks for an account; an administrator approves (→ invitation) or declines."""

    __tablename__ = "account_request"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    profession: Mapped[str] = mapped_column(String(24))
    workplace: Mapped[str] = mapped_column(String(200))
    motivation: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<AccountRequest {self.id} {self.status}>"


class PasswordReset(Base):
    __tablename__ = "password_reset"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)  # + HMAC in the link
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<PasswordReset {self.id}>"


class LoginThrottle(Base):
    """Failed logins, counted under a hash: per e-mail address and client address (a pair), per
    e-mail address over all client addresses (the account), or wrong codes per account.

    Known and unknown e-mail addresses are counted alike, so the counts reveal no accounts.
    `account_key` (the hash of the e-mail address) ties a pair to its account, so a completed
    password reset can clear them all.
    """

    __tablename__ = "login_throttle"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_key: Mapped[str | None] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.failures}>"
