"""Delivering the outbox: claim → send → record, each step its own short transaction.

Used by ``flask outbox send`` (one pass) and ``flask outbox work`` (keeps running). Each
message is claimed and committed before sending, so two workers never send the same one;
the result is committed right after, so a crash re-sends at most once, with the same
Message-ID. Logs carry message ids and error types, never addresses or content.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

from balie.extensions import db
from balie.mailer import Transport, transport_from_config
from balie.models import OutboxMessage
from balie.models.base import utcnow
from balie.services import notifications, outbox

log = logging.getLogger(__name__)


@dataclass
class PassResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def mail_settings() -> notifications.MailSettings:
    config = current_app.config
    return notifications.MailSettings(
        sender=config["MAIL_FROM"],
        base_url=config["PUBLIC_BASE_URL"].rstrip("/"),
        region_name=config["REGION_NAME"],
        keys=current_app.extensions["balie.keys"],
        secret=config["SECRET_KEY"],
    )


def _compose(message_id: str, worker: str, settings: notifications.MailSettings) -> EmailMessage | str:
    """The mail to send, or the outcome when there is nothing to send."""
    with db.writing():
        message = db.session.get(OutboxMessage, message_id)
        if message is None:
            return "skipped"
        try:
            mail = notifications.compose(db.session, message, settings)
        except notifications.NothingToSend:
            outbox.mark_sent(db.session, message_id, worker, utcnow(), note="nothing to send")
            db.commit()
            return "skipped"
        except notifications.NoRecipient:
            outbox.mark_failed(db.session, message_id, worker, utcnow(), "NoRecipient")
            db.commit()
            return "failed"
        db.session.rollback()  # end the transaction before the slow network step
        return mail


def deliver_one(message_id: str, worker: str, transport: Transport, settings: notifications.MailSettings) -> str:
    mail = _compose(message_id, worker, settings)
    if isinstance(mail, str):
        return mail
    try:
        transport.send(mail)
    except Exception as exc:  # noqa: BLE001 - any transport failure is retried later
        log.warning("outbox message %s not delivered: %s", message_id, type(exc).__name__)
        with db.writing():
            outbox.mark_failed(db.session, message_id, worker, utcnow(), type(exc).__name__)
            db.commit()
        return "failed"
    with db.writing():
        outbox.mark_sent(db.session, message_id, worker, utcnow())
        db.commit()
    log.info("outbox message %s delivered", message_id)
    return "sent"


def run_pass(transport: Transport | None = None, worker: str | None = None) -> PassResult:
    transport = transport or transport_from_config(current_app.config)
    worker = worker or worker_name()
    settings = mail_settings()
    result = PassResult()
    while True:
        with db.writing():
            claimed = outbox.claim(db.session, worker, utcnow(), int(current_app.config["OUTBOX_BATCH_SIZE"]))
            db.commit()
        if not claimed:
            return result
        outcomes = [deliver_one(message_id, worker, transport, settings) for message_id in claimed]
        for outcome in outcomes:
            setattr(result, outcome, getattr(result, outcome) + 1)
        if all(outcome == "failed" for outcome in outcomes):
            return result  # everything failed (mail server down): wait for the back-off


def work_forever(stop: "StopFlag") -> None:
    poll = float(current_app.config["OUTBOX_POLL_SECONDS"])
    while not stop.stopped:
        try:
            run_pass()
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

