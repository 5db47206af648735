"""A file a staff member uploaded, read and checked, waiting for her to confirm or cancel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from balie.models.base import Base, UTCDateTime, utcnow

__all__ = ["PendingUpload"]


class PendingUpload(Base):
    """What an uploaded file would change, kept on the server between the preview and the confirmation.

    So what she confirms is exactly what she saw (nothing travels through the browser to be tampered
    with) and any app node can answer. Only her own upload of that kind is found (by its random id,
    her user id and the kind); it holds no personal data (offers of the sociale kaart, live births
    per gemeente) and is deleted when confirmed, cancelled or expired (balie.services.pending_uploads).
    """

    __tablename__ = "pending_upload"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, unguessable
    # What the file is for: "directory_spreadsheet" (an editor's offers), "cbs_births" (a monitor's births).
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    # What the file would change and its problems, as the kind's service wrote it (see its ``store``).
    content: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<PendingUpload {self.kind} {self.id[:6]}>"
