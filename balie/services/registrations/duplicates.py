"""The same pregnancy registered twice (by the parent and by her midwife), found without a BSN.

Within one organisation and one due month, a keyed hash (HMAC with a key per organisation,
derived from the app secret) of the normalised name together with the phone number, or with
the e-mail address, marks a possible duplicate. The hashes say nothing without the key and
are erased with the personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from balie.models import Registration


def _normalise_name(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z]", "", ascii_name)


def _key(secret: str, organisation_id: str, *parts: str) -> str:
    organisation_key = hmac.new(secret.encode(), f"duplicates/{organisation_id}".encode(), hashlib.sha256).digest()
    return hmac.new(organisation_key, "|".join(parts).encode(), hashlib.sha256).hexdigest()


def keys(
    secret: str, organisation_id: str, due_month: str, name: str, phone: str | None, email: str | None
) -> tuple[str | None, str | None]:
    normalised = _normalise_name(name)
    if not normalised:
        return None, None
    return (
        _key(secret, organisation_id, due_month, normalised, "phone", phone) if phone else None,
        _key(secret, organisation_id, due_month, normalised, "email", email.casefold()) if email else None,
    )


def find_original(session: Session, registration: Registration) -> Registration | None:
    """An earlier, still open registration of the same pregnancy in the same organisation."""
    matches = [
        clause
        for clause in (
            Registration.duplicate_key_phone == registration.duplicate_key_phone
            if registration.duplicate_key_phone
            else None,
            Registration.duplicate_key_email == registration.duplicate_key_email
            if registration.duplicate_key_email
            else None,
        )
        if clause is not None
    ]
    if not matches:
        return None
    return session.scalar(
        select(Registration)
        .where(
            Registration.id != registration.id,
            Registration.organisation_id == registration.organisation_id,
            Registration.purged_at.is_(None),
            Registration.merged_into_id.is_(None),
            or_(*matches),
        )
        .order_by(Registration.created_at)
        .limit(1)
    )
