"""Second factor: TOTP (authenticator app) with replay protection, and single-use recovery codes.

Setting the app up (enrolment) happens on a login session: a new secret is sealed on the session
until the first code from the app confirms it; then it is sealed on the account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pyotp.exceptions import OTPVerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from balie.crypto import KeyRing, UnreadableData
from balie.models import RecoveryCode, User, UserSession
from balie.services.qr_codes import qr_svg

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# Recovery codes are long random strings; a lighter argon2 profile keeps checking ten fast.
_RECOVERY_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# One time step either side for clock drift (RFC 6238 §5.2); replay protection keeps each code
# usable once. Documented deviation from ASVS 6.5.5's 30 s.
VALID_WINDOW = 1


def _context(user: User) -> str:
    return f"user/{user.id}/totp"


def _pending_context(record: UserSession) -> str:
    return f"session/{record.id}/pending-totp"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "")


def _verify_against(secret: str, code: str, last_timecode: int | None, now: datetime) -> int | None:
    code = _clean(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    try:
        timecode = pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=now, valid_window=VALID_WINDOW)
    except OTPVerificationError:
        return None
    if last_timecode is not None and timecode <= last_timecode:
        return None  # this code (or an older one) was already used
    return timecode


def enable(session: Session, user: User, secret: str, code: str, keys: KeyRing, now: datetime) -> list[str] | None:
    """Turn TOTP on if the code matches the new secret; returns fresh recovery codes."""
    timecode = _verify_against(secret, code, None, now)
    if timecode is None:
        return None
    user.totp_secret_sealed = keys.seal(secret, _context(user))
    user.key_id = keys.primary_id
    user.totp_enabled_at = now
    user.totp_last_timecode = timecode
    return new_recovery_codes(session, user)


def start_enrolment(record: UserSession, keys: KeyRing) -> str:
    """A new secret for the authenticator app, sealed on the login session until a code confirms it
    (a secret set up before on this session is replaced). Returns the secret for the set-up page."""
    secret = new_secret()
    record.pending_totp_sealed = keys.seal(secret, _pending_context(record))
    return secret


def is_enrolling(record: UserSession) -> bool:
    """A secret is being set up on this session and waits for its first code."""
    return record.pending_totp_sealed is not None


def pending_secret(record: UserSession, keys: KeyRing) -> str | None:
    """The secret being set up on this session, if any."""
    if record.pending_totp_sealed is None:
        return None
    return keys.open(record.pending_totp_sealed, _pending_context(record))


def enrolment_secret(record: UserSession, keys: KeyRing) -> str:
    """The secret being set up on this session: the one from an earlier visit, or a new one."""
    return pending_secret(record, keys) or start_enrolment(record, keys)


def confirm_enrolment(
    session: Session, record: UserSession, code: str, keys: KeyRing, now: datetime
) -> list[str] | None:
    """Turn the app on for the session's user if `code` matches the secret being set up: returns fresh
    recovery codes to show once. None (and nothing changed) when the code is wrong or nothing is set up."""
    secret = pending_secret(record, keys)
    if secret is None:
        return None
    codes = enable(session, record.user, secret, code, keys, now)
    if codes is not None:
        record.pending_totp_sealed = None
    return codes


def enrolment_qr(secret: str, email: str, issuer: str) -> str:
    """The secret as a QR code (SVG) for the authenticator app to scan."""
    return qr_svg(provisioning_uri(secret, email, issuer))


def disable(session: Session, user: User) -> None:
    user.totp_secret_sealed = None
    user.totp_enabled_at = None
    user.totp_last_timecode = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


@dataclass(frozen=True)
class CodeMatch:
    """A code that matched and is not used yet: `use` makes it (and older TOTP codes) unusable."""

    timecode: int | None = None
    recovery_code: RecoveryCode | None = None

    def use(self, user: User, now: datetime) -> None:
        if self.timecode is not None:
            user.totp_last_timecode = self.timecode
        if self.recovery_code is not None:
            self.recovery_code.used_at = now


def _timecode(user: User, code: str, keys: KeyRing, now: datetime) -> int | None:
    if not user.has_totp or user.totp_secret_sealed is None:
        return None
    try:
        secret = keys.open(user.totp_secret_sealed, _context(user))
    except UnreadableData:
        return None
    return _verify_against(secret, code, user.totp_last_timecode, now)


def _unused_recovery_code(session: Session, user: User, code: str) -> RecoveryCode | None:
    raw = _clean(code).lower()
    if len(raw) != 12:
        return None
    for candidate in session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        try:
            if _RECOVERY_HASHER.verify(candidate.code_hash, raw):
                return candidate
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
    return None


def match(session: Session, user: User, code: str, keys: KeyRing, now: datetime) -> CodeMatch | None:
    """The authenticator code or an unused recovery code, checked without using it up."""
    timecode = _timecode(user, code, keys, now)
    if timecode is not None:
        return CodeMatch(timecode=timecode)
    found = _unused_recovery_code(session, user, code)
    return CodeMatch(recovery_code=found) if found is not None else None


def verify(user: User, code: str, keys: KeyRing, now: datetime) -> bool:
    timecode = _timecode(user, code, keys, now)
    if timecode is None:
        return False
    CodeMatch(timecode=timecode).use(user, now)
    return True


def new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_RECOVERY_HASHER.hash(raw)))
    session.flush()
    return codes


def remaining_recovery_codes(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def reseal(user: User, keys: KeyRing) -> bool:
    if user.totp_secret_sealed is None or user.key_id == keys.primary_id:
        return False
    user.totp_secret_sealed = keys.reseal(user.totp_secret_sealed, _context(user))
    user.key_id = keys.primary_id
    return True
