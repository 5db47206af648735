"""Re-encrypting personal fields with the newest data key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.crypto import KeyRing
from balie.models import Registration, User
from balie.services.accounts import two_factor
from balie.services.registrations import personal_data


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


def rotate_users(session: Session, keys: KeyRing) -> int:
    """Re-seal second-factor secrets that use an older key."""
    changed = sum(
        two_factor.reseal(user, keys)
        for user in session.scalars(select(User).where(User.totp_secret_sealed.is_not(None)))
    )
    session.flush()
    return changed
