"""Checking a password: lock-out with back-off per e-mail address, before any hashing."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from balie.models import LoginThrottle, User
from balie.services import passwords

LOCK_AFTER_FAILURES = 5
MFA_LOCK_AFTER_FAILURES = 10
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
FORGET_AFTER = timedelta(days=1)


class LoginStatus(enum.Enum):
    OK = "ok"
    INVALID = "invalid"  # wrong e-mail, wrong password or a disabled account: one message for all
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginOutcome:
    status: LoginStatus
    user: User | None = None


def normalise_email(email: str) -> str:
    return (email or "").strip().casefold()


def throttle_key(email: str) -> str:
    return hashlib.sha256(("login:" + normalise_email(email)).encode("utf-8")).hexdigest()


def lock_duration(failures: int) -> timedelta:
    steps = max(failures - LOCK_AFTER_FAILURES, 0)
    return min(FIRST_LOCK * (2**steps), LONGEST_LOCK)


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def is_locked(session: Session, key: str, now: datetime) -> bool:
    throttle = session.get(LoginThrottle, key)
    return throttle is not None and throttle.locked_until is not None and throttle.locked_until > now


def record_failure(session: Session, key: str, now: datetime, lock_after: int = LOCK_AFTER_FAILURES) -> None:
    throttle = session.get(LoginThrottle, key)
    if throttle is None:
        throttle = LoginThrottle(key_hash=key, failures=0)
        session.add(throttle)
    throttle.failures += 1
    throttle.updated_at = now
    if throttle.failures >= lock_after:
        throttle.locked_until = now + lock_duration(throttle.failures - lock_after + LOCK_AFTER_FAILURES)


def clear_failures(session: Session, key: str) -> None:
    throttle = session.get(LoginThrottle, key)
    if throttle is not None:
        session.delete(throttle)


def mfa_key(user_id: str) -> str:
    """Wrong second-factor codes count per account, over all its login attempts."""
    return hashlib.sha256(f"mfa:{user_id}".encode("utf-8")).hexdigest()


def check_password(session: Session, email: str, password: str, now: datetime) -> LoginOutcome:
    key = throttle_key(email)
    if is_locked(session, key, now):
        return LoginOutcome(LoginStatus.LOCKED)  # no hash computed while locked
    user = user_by_email(session, email)
    usable = user is not None and user.is_active and user.password_hash is not None
    if passwords.verify(user.password_hash if usable and user else None, password) and usable and user:
        clear_failures(session, key)
        if passwords.needs_rehash(user.password_hash or ""):
            user.password_hash = passwords.hash_password(password)
        return LoginOutcome(LoginStatus.OK, user)
    record_failure(session, key, now)
    return LoginOutcome(LoginStatus.INVALID)


def forget_old_throttles(session: Session, now: datetime) -> int:
    result = session.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < now - FORGET_AFTER))
    return result.rowcount or 0  # type: ignore[attr-defined]
