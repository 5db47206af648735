"""The access log's head outside the database: a signed JSON file, optionally a syslog line.

After every commit that appended to the access log — never before, so a rolled-back transaction
exports nothing — the head (the last seq and its hash, signed with the audit key) is written to
``AUDIT_HEAD_FILE`` and, when ``AUDIT_HEAD_SYSLOG`` is set, sent as one syslog line. The file is
replaced atomically under an exclusive lock and never moves backwards, so the worker processes of
one node can share it. A failed export is logged (its kind only) and never fails the request;
`flask audit verify` then checks against the last head that was written.
"""

from __future__ import annotations

import fcntl
import logging
import logging.handlers
import os
import socket
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from balie.crypto import KeyRing
from balie.database import SESSION_INFO_KEY
from balie.extensions import db
from balie.models.base import utcnow
from balie.services.audit import access_log
from balie.services.audit.access_log import Head, HeadProblem, VerifyResult

log = logging.getLogger(__name__)

EXPORTER_KEY = "balie.audit_head"
_PENDING = "balie.audit_head.pending"  # session.info: (seq, row_hash) to export after the commit
SYSLOG_TAG = "balie-audit-head: "


class HeadUnreadable(Exception):
    """The head file exists but holds no head."""

    def __init__(self) -> None:
        super().__init__("the access log head file is not a head")


def read_head(path: Path) -> Head | None:
    """The head in `path`; None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        raise HeadUnreadable() from None
    try:
        return Head.from_json(text)
    except ValueError:
        raise HeadUnreadable() from None


def write_head(path: Path, head: Head) -> bool:
    """Replace the head in `path` unless it already holds this seq or a later one (another
    worker got there first). Atomic: the head is written to a temporary file and fsynced outside
    the lock (so workers never wait on each other's disk flush), then renamed over the file under
    an exclusive lock. The folder is not fsynced: after a power cut the file may hold the head
    before, which is still a true (earlier) head."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o640)  # not secret: readable by the group the app's commands share
            file.write(head.to_json() + "\n")
            file.flush()
            os.fsync(file.fileno())
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                current = read_head(path)
            except HeadUnreadable:
                current = None
            if current is not None and current.seq >= head.seq:
                return False
            os.replace(temporary, path)
            return True
    finally:
        Path(temporary).unlink(missing_ok=True)


def parse_syslog_target(text: str) -> tuple[str | tuple[str, int], socket.SocketKind | None]:
    """ "udp:host:port" / "tcp:host:port" → ((host, port), kind); "/dev/log" → (path, None)."""
    if text.startswith("/"):
        return text, None
    scheme, _, rest = text.partition(":")
    host, _, port = rest.rpartition(":")
    kinds = {"udp": socket.SOCK_DGRAM, "tcp": socket.SOCK_STREAM}
    if scheme not in kinds or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("use 'udp:host:port', 'tcp:host:port' or the path of a socket such as /dev/log")
    return (host.strip("[]"), int(port)), kinds[scheme]


class _HeadSyslog(logging.handlers.SysLogHandler):
    def handleError(self, record: logging.LogRecord) -> None:
        log.warning("access log head not sent to syslog: %s", getattr(sys.exc_info()[0], "__name__", "error"))


class HeadExporter:
    """Signs a head with the first audit key and sends it to the file and, optionally, syslog."""

    def __init__(self, keys: KeyRing, path: Path, syslog_target: str | None) -> None:
        self.keys = keys
        self.path = path
        self._syslog_target = parse_syslog_target(syslog_target) if syslog_target else None

    def export(self, seq: int, row_hash: str) -> None:
        """Never raises: the change it follows is committed already."""
        head = Head.signed(self.keys, seq, row_hash, utcnow())
        try:
            write_head(self.path, head)
        except Exception as exc:  # noqa: BLE001 - logged by kind; verify uses the last good head
            log.warning("access log head not written: %s", type(exc).__name__)
        if self._syslog_target is not None:
            self._send(head, *self._syslog_target)

    @staticmethod
    def _send(head: Head, address: str | tuple[str, int], kind: socket.SocketKind | None) -> None:
        # A socket per export: nothing held open between commits, nothing to reconnect.
        try:
            handler = _HeadSyslog(address, logging.handlers.SysLogHandler.LOG_AUTHPRIV, kind)
        except OSError as exc:
            log.warning("access log head not sent to syslog: %s", type(exc).__name__)
            return
        try:
            handler.ident = SYSLOG_TAG
            handler.handle(logging.LogRecord(__name__, logging.INFO, __file__, 0, head.to_json(), None, None))
        finally:
            handler.close()


def verify(session: Session, keys: KeyRing, path: Path) -> VerifyResult:
    """Check the chain and the head exported to `path`: a log with rows needs one."""
    try:
        head = read_head(path)
    except HeadUnreadable:
        return replace(access_log.verify(session, keys), head_problem=HeadProblem.UNREADABLE)
    result = access_log.verify(session, keys, head)
    if head is None and result.rows:
        return replace(result, head_problem=HeadProblem.MISSING)
    return result


def register(app: Flask) -> None:
    """The app's audit keys go into every session (they sign new rows); the head follows commits."""
    keys = KeyRing.parse(str(app.config["AUDIT_KEYS"]))
    app.extensions.setdefault(SESSION_INFO_KEY, {})[access_log.SIGNING_KEYS] = keys
    app.extensions[EXPORTER_KEY] = HeadExporter(
        keys, Path(app.config["AUDIT_HEAD_FILE"]), app.config.get("AUDIT_HEAD_SYSLOG") or None
    )
    for name, hook in (
        ("before_commit", _before_commit),
        ("after_commit", _after_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)


def _before_commit(session: Session) -> None:
    # Still inside the transaction, which holds the append lock: the newest row is this one's.
    if session.get_nested_transaction() is None and session.info.get(access_log.APPENDED):
        try:
            session.info[_PENDING] = access_log.last_row(session)
        except SQLAlchemyError as exc:  # the commit that follows reports a broken database
            log.warning("access log head not read: %s", type(exc).__name__)


def _after_commit(session: Session) -> None:
    pending = None if session.get_nested_transaction() else session.info.pop(_PENDING, None)
    exporter: HeadExporter | None = current_app.extensions.get(EXPORTER_KEY)
    if pending is not None and exporter is not None:
        exporter.export(*pending)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (and exported) or rolled back: start afresh
        session.info.pop(_PENDING, None)
        session.info.pop(access_log.APPENDED, None)
