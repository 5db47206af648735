"""Re-encrypting personal fields with the newest data key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.crypto import KeyRing
from balie.models import Registration
from balie.services import personal_data


def rotate_batch(session: Session, keys: KeyRing, limit: int) -> int:
    """Re-seal up to ``limit`` registrations that still use an older key; returns how many."""
    rows = session.scalars(
        select(Registration)
        .where(Registration.key_id != keys.primary_id, Registration.purged_at.is_(None))
        .order_by(Registration.id)
        .limit(limit)
    ).all()
    for registration in rows:
        personal_data.reseal(registration, keys)
    session.flush()
    return len(rows)
