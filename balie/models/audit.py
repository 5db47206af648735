"""The access log in the style of NEN 7513: append-only, chained by keyed hashes.

Who (user, role, organisation), what (event and action code), which record (opaque id),
when (UTC), with what outcome, and on what authorisation basis — never personal values.
Database triggers refuse UPDATE and DELETE; the hash chain shows any change made around them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from balie.models.base import Base, UTCDateTime, new_opaque_id, utcnow


class AccessLogEntry(Base):
    __tablename__ = "access_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_opaque_id)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    event_code: Mapped[str] = mapped_column(String(48))  # registration.read, registration.export …
    action_code: Mapped[str] = mapped_column(String(1))  # C R U D E
    outcome: Mapped[str] = mapped_column(String(8))  # success / denied / error
    actor_user_id: Mapped[str] = mapped_column(String(36), index=True)  # or public-form / system
    actor_role: Mapped[str] = mapped_column(String(24))
    actor_org_id: Mapped[str | None] = mapped_column(String(36))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    object_detail: Mapped[str | None] = mapped_column(String(200))
    authorization_basis: Mapped[str] = mapped_column(String(64))
    consent_ref: Mapped[str | None] = mapped_column(String(64))
    query: Mapped[str | None] = mapped_column(String(200))
    access_point: Mapped[str | None] = mapped_column(String(64))  # HMAC of address and session
    source: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
    # The audit key that signed row_hash (HMAC-SHA256); NULL for rows from before the keys (SHA-256).
    key_id: Mapped[str | None] = mapped_column(String(16))

    def __repr__(self) -> str:
        return f"<AccessLogEntry {self.seq} {self.event_code} {self.outcome}>"
