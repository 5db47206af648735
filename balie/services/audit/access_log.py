"""Writing, verifying and reading the NEN 7513-style access log.

Each row's hash covers its own fields and the previous row's hash. It is an HMAC-SHA256 with an
audit key kept outside the database, and the row names that key's id: whoever can write to the
database but lacks the key cannot rehash a chain after an edit. Rows from before the keys (no key
id, plain SHA-256) still verify, but only as the start of the log: an unkeyed row after a keyed
row is a break. Appends are serialised (SQLite: the write transaction holds the lock; PostgreSQL:
an advisory transaction lock), so the chain never forks.

A chain can still be cut short, or rewritten from its first row as plain SHA-256, without
breaking a link. Against that the app exports the *head* after every commit that appended (the
last seq and its hash, signed with the audit key; see balie.audit_head) to a place outside the
database. ``verify`` recomputes the chain and, given that head, checks that the log still holds
it. The signing keys come with the session (``session.info[SIGNING_KEYS]``, put there by the
app), so every service that records inherits them.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import hmac
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from balie.crypto import KeyRing
from balie.domain import audit_events
from balie.domain.audit_events import AuditEvent
from balie.models import AccessLogEntry
from balie.models.base import new_opaque_id, utcnow
from balie.services.accounts import names as user_names

GENESIS = "0" * 64
SOURCE = "balie"
_ADVISORY_LOCK = 7513
# session.info keys: the audit KeyRing that signs new rows, and "this transaction appended".
SIGNING_KEYS = "balie.access_log.signing_keys"
APPENDED = "balie.access_log.appended"
HEAD_PURPOSE = "balie access log head v1"
ADMIN_BASIS = "admin-role v1"  # the authorisation basis of what an administrator does
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
EXPORT_FIELDS = ("seq", *HASHED_FIELDS, "prev_hash", "row_hash", "key_id")


class UnknownAuditEvent(ValueError):
    """A code that is not in the table of audit events (balie.domain.audit_events)."""

    def __init__(self, code: str) -> None:
        super().__init__(f"not an audit event code: {code!r}")


class NoSigningKey(RuntimeError):
    """The session carries no audit key: a row written now would break the chain."""

    def __init__(self) -> None:
        super().__init__("no audit key in the session: the access log cannot be written")


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


def _canonical(entry: AccessLogEntry, prev_hash: str) -> bytes:
    return json.dumps([prev_hash] + [_value(entry, name) for name in HASHED_FIELDS], ensure_ascii=False).encode("utf-8")


def row_hash(entry: AccessLogEntry, prev_hash: str, keys: KeyRing | None = None) -> str | None:
    """The hash `entry` must carry after `prev_hash`: HMAC-SHA256 with the key it names, or plain
    SHA-256 for a row from before the keys. None when it names a key that `keys` does not hold."""
    canonical = _canonical(entry, prev_hash)
    if entry.key_id is None:
        return hashlib.sha256(canonical).hexdigest()
    return None if keys is None else keys.mac(canonical, entry.key_id)


def _last_hash(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
    last = session.scalar(select(AccessLogEntry.row_hash).order_by(AccessLogEntry.seq.desc()).limit(1))
    return last or GENESIS


def last_row(session: Session) -> tuple[int, str] | None:
    """The newest row's seq and hash (inside an appending transaction: the one it appended last)."""
    row = session.execute(
        select(AccessLogEntry.seq, AccessLogEntry.row_hash).order_by(AccessLogEntry.seq.desc()).limit(1)
    ).first()
    return None if row is None else (row.seq, row.row_hash)


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
    """Append one row, signed with the session's audit key. Call inside the transaction of the
    action it records. Only the codes of the table of audit events are written (see record_event)."""
    if event_code not in audit_events.EVENTS:
        raise UnknownAuditEvent(event_code)
    keys: KeyRing | None = session.info.get(SIGNING_KEYS)
    if keys is None:
        raise NoSigningKey()
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
        key_id=keys.primary_id,
    )
    entry.prev_hash = _last_hash(session)
    entry.row_hash = keys.sign(_canonical(entry, entry.prev_hash))
    session.add(entry)
    session.flush()
    session.info[APPENDED] = True  # the app exports the new head once this commits
    return entry


def record_event(
    session: Session,
    actor: Actor,
    event: AuditEvent,
    object_type: str,
    object_id: str | None,
    *,
    outcome: str = "success",
    detail: str | None = None,
    basis: str = "org-membership/postcode-routing v1",
    consent_ref: str | None = None,
    query: str | None = None,
) -> AccessLogEntry:
    """Append one row for an event of the table: its code and action letter come from there."""
    return record(
        session,
        actor,
        event.code,
        event.action,
        object_type,
        object_id,
        outcome=outcome,
        detail=detail,
        basis=basis,
        consent_ref=consent_ref,
        query=query,
    )


@dataclass(frozen=True)
class Head:
    """The head of the log as exported outside the database, signed with an audit key."""

    seq: int
    row_hash: str
    exported_at: str  # UTC, ISO 8601 with ms
    key_id: str
    signature: str

    def _message(self) -> bytes:
        signed = {**asdict(self), "purpose": HEAD_PURPOSE}
        del signed["signature"]
        return json.dumps(signed, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def signed(cls, keys: KeyRing, seq: int, row_hash: str, exported_at: datetime) -> Head:
        at = exported_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        unsigned = cls(seq, row_hash, at, keys.primary_id, "")
        return replace(unsigned, signature=keys.sign(unsigned._message()))

    def signature_valid(self, keys: KeyRing) -> bool:
        expected = keys.mac(self._message(), self.key_id)
        return expected is not None and hmac.compare_digest(expected.encode(), self.signature.encode())

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Head:
        """Raises ValueError when `text` is not a head."""
        try:
            data: Any = json.loads(text)
            head = cls(**{field.name: data[field.name] for field in fields(cls)})
        except (ValueError, TypeError, KeyError):
            raise ValueError("not an access log head") from None
        texts = (head.row_hash, head.exported_at, head.key_id, head.signature)
        if type(head.seq) is not int or not all(isinstance(value, str) for value in texts):
            raise ValueError("not an access log head")
        return head


class HeadProblem(enum.Enum):
    """Why the log and its exported head disagree."""

    MISSING = "missing"  # no head was found although the log has rows
    UNREADABLE = "unreadable"  # the head file is not a head
    SIGNATURE = "signature"  # the head's signature does not verify with the audit keys
    CUT = "cut"  # the log ends before the head's seq
    ROW_GONE = "row_gone"  # the log goes on past the head's seq, but that row is gone
    REWRITTEN = "rewritten"  # the row at the head's seq has another hash


@dataclass(frozen=True)
class VerifyResult:
    rows: int
    broken: tuple[int, ...]  # seq numbers whose hash or link does not match
    last_seq: int = 0
    head: Head | None = None  # the exported head checked against (None: not checked)
    head_problem: HeadProblem | None = None

    @property
    def ok(self) -> bool:
        return not self.broken and self.head_problem is None

    @property
    def broken_ranges(self) -> tuple[str, ...]:
        """The broken seq numbers with runs shortened: ("12", "40-57")."""
        runs: list[list[int]] = []
        for seq in self.broken:
            if runs and seq == runs[-1][-1] + 1:
                runs[-1].append(seq)
            else:
                runs.append([seq])
        return tuple(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def verify(session: Session, keys: KeyRing, head: Head | None = None, batch: int = 2000) -> VerifyResult:
    """Recompute the chain with the audit `keys`; with an exported `head`, also check that the log
    still holds it (rows after it are fine: a later write, or another node's)."""
    broken: list[int] = []
    previous = GENESIS
    rows = 0
    last_seq = 0
    keyed = False
    hash_at_head: str | None = None
    while True:
        chunk = session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.seq > last_seq).order_by(AccessLogEntry.seq).limit(batch)
        ).all()
        if not chunk:
            break
        for entry in chunk:
            rows += 1
            downgraded = keyed and entry.key_id is None  # rehashed without the key
            keyed = keyed or entry.key_id is not None
            if downgraded or entry.prev_hash != previous or row_hash(entry, entry.prev_hash, keys) != entry.row_hash:
                broken.append(entry.seq)
            if head is not None and entry.seq == head.seq:
                hash_at_head = entry.row_hash
            previous = entry.row_hash
            last_seq = entry.seq
        session.expunge_all()
    result = VerifyResult(rows, tuple(broken), last_seq)
    if head is None:
        return result
    return replace(result, head=head, head_problem=_head_problem(head, keys, hash_at_head, last_seq))


def _head_problem(head: Head, keys: KeyRing, hash_at_head: str | None, last_seq: int) -> HeadProblem | None:
    if not head.signature_valid(keys):
        return HeadProblem.SIGNATURE
    if hash_at_head is None:
        return HeadProblem.CUT if last_seq < head.seq else HeadProblem.ROW_GONE
    return None if hash_at_head == head.row_hash else HeadProblem.REWRITTEN


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
    if log_filter.event_code:  # rows with the event's older code too
        query = query.where(AccessLogEntry.event_code.in_(audit_events.codes_of(log_filter.event_code)))
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


@dataclass(frozen=True)
class LogPage:
    rows: list[AccessLogEntry]
    total: int
    names: dict[str, str]  # the names of the users among the rows' actors


def read_page(session: Session, admin: Actor, log_filter: LogFilter, page_number: int, per_page: int) -> LogPage:
    """A page of the log for an administrator; that she read it is logged too."""
    rows, total = page(session, log_filter, page_number, per_page)
    record_event(
        session, admin, audit_events.ACCESS_LOG_READ, "access_log", None, basis=ADMIN_BASIS, query=f"count={total}"
    )
    return LogPage(rows, total, user_names.names(session, {row.actor_user_id for row in rows}))


def export(session: Session, admin: Actor, log_filter: LogFilter) -> Iterator[str]:
    """The export is logged now; the CSV lines follow as the caller reads them."""
    record_event(session, admin, audit_events.ACCESS_LOG_EXPORT, "access_log", None, basis=ADMIN_BASIS)
    return export_csv(session, log_filter)


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
