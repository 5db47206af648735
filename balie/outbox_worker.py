"""Delivering the outbox, one message at a time, each database step its own short transaction:

claim → compose → renew the claim (still ours?) → send → record the outcome.

Used by ``flask outbox send`` (one pass) and ``flask outbox work`` (keeps running). A claim
is a lease of ``OUTBOX_LEASE_SECONDS``, renewed right before the send; an SMTP send is cut
off after ``SMTP_TIMEOUT_SECONDS``, and ``config.validate`` keeps the lease at least twice
that, so a send ends with at least half the lease left to record its outcome, and no other
worker can claim the message meanwhile. The database is never held during the send.

What remains (the README says the same): a message reaches the relay twice only when the
relay accepted it but that was not recorded - the worker was killed or lost the database
between the acceptance and recording it within the lease, or the connection broke or was
cut off while the acceptance was on its way - and then with the same Message-ID. Worker
hosts' clocks must agree to within the lease minus the SMTP timeout. Logs carry message
ids and error types, never addresses or content.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app

from balie.extensions import data_keys, db
from balie.mailer import Transport, transport_from_config
from balie.models import OutboxMessage
from balie.models.base import utcnow
from balie.services import notifications, outbox

log = logging.getLogger(__name__)

SENT, FAILED, SKIPPED = "sent", "failed", "skipped"
# A pass ends after this many failures in a row (the relay is down): the rest waits for the
# next pass instead of each message costing a connection attempt.
FAILURES_ENDING_A_PASS = 3
# Makes the worker name unique even where two hosts share a name and a process id (containers).
_PROCESS_TOKEN = secrets.token_hex(4)


@dataclass
class PassResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def worker_name() -> str:
    """``host:pid:token``, at most 64 characters (the claimed_by column)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{_PROCESS_TOKEN}"


def lease() -> timedelta:
    return timedelta(seconds=float(current_app.config["OUTBOX_LEASE_SECONDS"]))


def mail_settings() -> notifications.MailSettings:
    config = current_app.config
    return notifications.MailSettings(
        sender=config["MAIL_FROM"],
        base_url=config["PUBLIC_BASE_URL"].rstrip("/"),
        region_name=config["REGION_NAME"],
        keys=data_keys(),
        secret=config["SECRET_KEY"],
    )


@dataclass(frozen=True)
class _Worker:
    name: str
    transport: Transport
    settings: notifications.MailSettings
    lease: timedelta


def _claim(worker: _Worker) -> str | None:
    with db.writing():
        message_id = outbox.claim_next(db.session, worker.name, _now_holding_the_lock(), worker.lease)
        db.commit()
    return message_id


def _compose(message_id: str, settings: notifications.MailSettings) -> EmailMessage | None:
    """The mail to send (None: the message is gone); a read-only transaction, ended here."""
    try:
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        return None if message is None else notifications.compose(db.session, message, settings)
    finally:
        db.session.rollback()


def _renew(message_id: str, worker: _Worker) -> bool:
    with db.writing():
        ours = outbox.renew_claim(db.session, message_id, worker.name, _now_holding_the_lock(), worker.lease)
        db.commit()
    return ours


def _record(mark: Callable[..., None], message_id: str, worker: _Worker, *args: str | None) -> None:
    with db.writing():
        mark(db.session, message_id, worker.name, utcnow(), *args)
        db.commit()


def _now_holding_the_lock() -> datetime:
    """The time once the transaction has begun: on SQLite after waiting for the write lock,
    so a lease counts from when it is written, not from before a wait."""
    db.session.connection()
    return utcnow()


def deliver_next(worker: _Worker) -> str | None:
    """Claim the longest-waiting due message and deliver it. Its outcome; None if none is due."""
    message_id = _claim(worker)
    if message_id is None:
        return None
    try:
        mail = _compose(message_id, worker.settings)
    except notifications.NothingToSend:
        _record(outbox.mark_sent, message_id, worker, "nothing to send")
        return SKIPPED
    except notifications.NoRecipient:
        _record(outbox.mark_failed, message_id, worker, "NoRecipient")
        return FAILED
    if mail is None:
        return SKIPPED
    renewed = time.monotonic()
    if not _renew(message_id, worker):
        log.warning("outbox message %s not sent: another worker holds it now, or it was finished", message_id)
        return SKIPPED
    try:
        worker.transport.send(mail)
    except Exception as exc:  # noqa: BLE001 - any transport failure is retried later
        log.warning("outbox message %s not delivered: %s", message_id, type(exc).__name__)
        _record(outbox.mark_failed, message_id, worker, type(exc).__name__)
        return FAILED
    _record(outbox.mark_sent, message_id, worker)
    if time.monotonic() - renewed > worker.lease.total_seconds():
        log.warning("outbox message %s: sending and recording outlasted the lease; it may go out twice", message_id)
    log.info("outbox message %s delivered", message_id)
    return SENT


def run_pass(
    transport: Transport | None = None, worker: str | None = None, stopped: Callable[[], bool] = lambda: False
) -> PassResult:
    """Deliver due messages one by one until none is due, the relay is down, or ``stopped()``."""
    current = _Worker(
        name=worker or worker_name(),
        transport=transport or transport_from_config(current_app.config),
        settings=mail_settings(),
        lease=lease(),
    )
    result = PassResult()
    failures_in_a_row = 0
    while not stopped():
        outcome = deliver_next(current)
        if outcome is None:
            break
        failures_in_a_row = failures_in_a_row + 1 if outcome == FAILED else 0
        setattr(result, outcome, getattr(result, outcome) + 1)
        if failures_in_a_row >= FAILURES_ENDING_A_PASS:
            break  # the mail server is down: wait for the back-off
    return result


def work_forever(stop: StopFlag) -> None:
    poll = float(current_app.config["OUTBOX_POLL_SECONDS"])
    name = worker_name()
    while not stop.stopped:
        try:
            run_pass(worker=name, stopped=lambda: stop.stopped)
        except Exception as exc:  # noqa: BLE001 - a worker must survive a database hiccup
            log.error("outbox pass failed: %s", type(exc).__name__)
            db.rollback_quietly()
        stop.wait(poll)


class StopFlag:
    def __init__(self) -> None:
        self.stopped = False

    def stop(self, *_args: object) -> None:
        self.stopped = True

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopped and time.monotonic() < deadline:
            time.sleep(min(0.2, seconds))
