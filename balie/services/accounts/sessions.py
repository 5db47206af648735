"""Server-side login sessions: start, load, time out, end (one, all but this one, all)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from balie.models import User, UserSession

TOUCH_EVERY = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(session: Session, user: User, device: str, now: datetime, lifetime: timedelta) -> tuple[str, UserSession]:
    """A new session (a new id at every login: no fixation). Returns the cookie token."""
    token = secrets.token_urlsafe(32)
    record = UserSession(
        id=_hash(token),
        public_id=secrets.token_hex(8),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        mfa_passed=False,
        device=device[:80],
    )
    session.add(record)
    session.flush()
    return token, record


def replace(
    session: Session, old_token: str | None, user: User, device: str, now: datetime, lifetime: timedelta
) -> tuple[str, UserSession]:
    """A new session for `user` at login; the browser's session so far (if any) ends as "replaced"."""
    old = load(session, old_token, now)
    if old is not None:
        end(old, "replaced", now)
    return start(session, user, device, now, lifetime)


def load(session: Session, token: str | None, now: datetime) -> UserSession | None:
    if not token:
        return None
    record = session.get(UserSession, _hash(token))
    if record is None or record.ended_at is not None or record.expires_at <= now:
        return None
    return record


def is_idle(record: UserSession, now: datetime, idle_limit: timedelta) -> bool:
    return now - record.last_seen_at > idle_limit


def needs_touch(record: UserSession, now: datetime) -> bool:
    return now - record.last_seen_at >= TOUCH_EVERY


def end(record: UserSession, reason: str, now: datetime) -> None:
    if record.ended_at is None:
        record.ended_at = now
        record.ended_reason = reason


def end_all(session: Session, user_id: str, reason: str, now: datetime, keep_id: str | None = None) -> int:
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
    )
    if keep_id is not None:
        statement = statement.where(UserSession.id != keep_id)
    return session.execute(statement).rowcount or 0  # type: ignore[attr-defined]


def active(session: Session, user_id: str, now: datetime) -> list[UserSession]:
    return list(
        session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None), UserSession.expires_at > now)
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def device_label(user_agent: str) -> str:
    """A coarse browser and system name, enough to recognise a session, not to track anyone."""
    agent = user_agent or ""
    browser = next((b for b in ("Edg", "Firefox", "Chrome", "Safari") if b in agent), "browser")
    system = next((s for s in ("Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux") if s in agent), "")
    return f"{'Edge' if browser == 'Edg' else browser} {system}".strip()
