"""Uploaded files waiting for their uploader to confirm them: kept, found again, cancelled.

A page that takes a file reads and checks it, keeps the result here (PendingUpload) and shows a
preview; nothing of the file is applied before she confirms. An upload is found only by its random
id together with her user id and its kind, and is gone after KEEP_UPLOAD; storing a new upload
deletes every expired one. The kind's own service decides what the content holds and applies it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from balie.domain.errors import DomainError
from balie.models import PendingUpload

KEEP_UPLOAD = timedelta(hours=2)


class UploadGone(DomainError):
    """Not hers, not of this kind, confirmed or cancelled already, or older than KEEP_UPLOAD."""

    code = "upload_gone"


def store(
    session: Session, kind: str, user_id: str, file_name: str, content: dict[str, Any], now: datetime
) -> PendingUpload:
    session.execute(delete(PendingUpload).where(PendingUpload.created_at < now - KEEP_UPLOAD))
    upload = PendingUpload(
        id=secrets.token_urlsafe(32),
        kind=kind,
        user_id=user_id,
        created_at=now,
        file_name=file_name[:200],
        content=content,
    )
    session.add(upload)
    session.flush()
    return upload


def pending(session: Session, kind: str, user_id: str, upload_id: str, now: datetime) -> PendingUpload:
    upload = session.get(PendingUpload, upload_id)
    if upload is None or upload.kind != kind or upload.user_id != user_id or upload.created_at < now - KEEP_UPLOAD:
        raise UploadGone()
    return upload


def cancel(session: Session, upload: PendingUpload) -> None:
    session.delete(upload)
    session.flush()
