"""Writing, verifying and reading the NEN 7513-style access log.

Each row's hash covers its own fields and the previous row's hash. Appends are serialised
(SQLite: the write transaction holds the lock; PostgreSQL: an advisory transaction lock),
so the chain never forks. ``verify`` recomputes the chain and names every row that no longer
matches — an edit made directly in the database shows up there.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from balie.models import AccessLogEntry
from balie.models.base import new_opaque_id, utcnow

GENESIS = "0" * 64
SOURCE = "balie"
_ADVISORY_LOCK = 7513
HASHED_FIELDS = (
    "event_id",
    "occurred_at",
    "event_code",
    "action_code",
    "outcome",
    "actor_user_id",
    "actor_role",
    "actor_org_id",
    "object_type",
    "object_id",
    "object_detail",
    "authorization_basis",
    "consent_ref",
    "query",
    "access_point",
    "source",
)
EXPORT_FIELDS = ("seq",) + HASHED_FIELDS + ("prev_hash", "row_hash")


@dataclass(frozen=True)
class Actor:
    """Who acts: a user with a role and organisation, the public form, or the system."""

    user_id: str
    role: str
    organisation_id: str | None = None
    access_point: str | None = None


PUBLIC_FORM = Actor("public-form", "anonymous")
SYSTEM = Actor("system", "system")


def _value(entry: AccessLogEntry, name: str) -> str:
    value = getattr(entry, name)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return "" if value is None else str(value)


def row_hash(entry: AccessLogEntry, prev_hash: str) -> str:
    canonical = json.dumps([prev_hash] + [_value(entry, name) for name in HASHED_FIELDS], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _last_hash(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
    last = session.scalar(select(AccessLogEntry.row_hash).order_by(AccessLogEntry.seq.desc()).limit(1))
    return last or GENESIS


def record(
    session: Session,
    actor: Actor,
    event_code: str,
    action_code: str,
    object_type: str,
    object_id: str | None,
    *,
    outcome: str = "success",
    detail: str | None = None,
    basis: str = "org-membership/postcode-routing v1",
    consent_ref: str | None = None,
    query: str | None = None,
) -> AccessLogEntry:
    """Append one row. Call inside the transaction of the action it records."""
    now = utcnow()
    entry = AccessLogEntry(
        event_id=new_opaque_id(),
        occurred_at=now.replace(microsecond=now.microsecond // 1000 * 1000),  # ISO 8601 with ms
        event_code=event_code,
        action_code=action_code,
        outcome=outcome,
        actor_user_id=actor.user_id,
        actor_role=actor.role,
        actor_org_id=actor.organisation_id,
        object_type=object_type,
        object_id=object_id,
        object_detail=detail,
        authorization_basis=basis,
        consent_ref=consent_ref,
        query=query,
        access_point=actor.access_point,
        source=SOURCE,
    )
    entry.prev_hash = _last_hash(session)
    entry.row_hash = row_hash(entry, entry.prev_hash)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    rows: int
    broken: tuple[int, ...]  # seq numbers whose hash or link does not match

    @property
    def ok(self) -> bool:
        return not self.broken


def verify(session: Session, batch: int = 2000) -> VerifyResult:
    broken: list[int] = []
    previous = GENESIS
    rows = 0
    last_seq = 0
    while True:
        chunk = session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.seq > last_seq).order_by(AccessLogEntry.seq).limit(batch)
        ).all()
        if not chunk:
            break
        for entry in chunk:
            rows += 1
            if entry.prev_hash != previous or row_hash(entry, entry.prev_hash) != entry.row_hash:
                broken.append(entry.seq)
            previous = entry.row_hash
            last_seq = entry.seq
        session.expunge_all()
    return VerifyResult(rows, tuple(broken))


@dataclass(frozen=True)
class LogFilter:
    object_id: str | None = None
    actor_user_id: str | None = None
    event_code: str | None = None
    outcome: str | None = None


def _filtered(log_filter: LogFilter):  # type: ignore[no-untyped-def]
    query = select(AccessLogEntry)
    if log_filter.object_id:
        query = query.where(AccessLogEntry.object_id == log_filter.object_id)
    if log_filter.actor_user_id:
        query = query.where(AccessLogEntry.actor_user_id == log_filter.actor_user_id)
    if log_filter.event_code:
        query = query.where(AccessLogEntry.event_code == log_filter.event_code)
    if log_filter.outcome:
        query = query.where(AccessLogEntry.outcome == log_filter.outcome)
    return query


def page(session: Session, log_filter: LogFilter, page_number: int, per_page: int) -> tuple[list[AccessLogEntry], int]:
    query = _filtered(log_filter)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AccessLogEntry.seq.desc()).offset((page_number - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def history(session: Session, object_id: str) -> list[AccessLogEntry]:
    """Every event about one record, oldest first (the client's right to know who looked)."""
    return list(
        session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.object_id == object_id).order_by(AccessLogEntry.seq)
        )
    )


def _csv_cell(value: str) -> str:
    # A spreadsheet must not run what someone typed: neutralise formula starters.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(session: Session, log_filter: LogFilter) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    yield buffer.getvalue()
    for entry in session.scalars(_filtered(log_filter).order_by(AccessLogEntry.seq)).yield_per(1000):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_cell(_value(entry, name)) for name in EXPORT_FIELDS])
        yield buffer.getvalue()
