"""Real outbox workers (`flask outbox work` processes) against a slow SMTP relay on 127.0.0.1:
every message arrives exactly once, also when a worker is killed mid-send; one SMTP send
never runs past its deadline, however the relay dawdles.

The outcome is waited for with generous deadlines; no test asserts how long anything took.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from balie.config import PROJECT_ROOT
from balie.extensions import db
from balie.mailer import SendCutOff, SmtpTransport
from balie.models import OutboxMessage
from balie.outbox_worker import PassResult, run_pass
from balie.services import outbox
from tests.conftest import TEST_SECRET, make_app
from tests.support.databases import copy_sqlite
from tests.support.outbox import queue_organisation_mails
from tests.support.smtp_sink import SmtpSink

pytestmark = pytest.mark.slow

POLL_SECONDS = 0.5
# How long a busy machine may need for anything to happen (start-up, the whole delivery).
PATIENCE = 240


# --- the workers -------------------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def claims(self, claimed_by: str | None) -> bool:
        """Worker names are host:pid:token."""
        return claimed_by is not None and claimed_by.split(":")[-2] == str(self.process.pid)


@dataclass(frozen=True)
class Settings:
    lease: float
    smtp_timeout: float


@pytest.fixture
def desk(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    """The test's view of the database the workers use (to queue and to inspect)."""
    app = make_app(copy_sqlite(sqlite_template_path, tmp_path / "balie.sqlite3"), tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def start_worker(desk: Flask, tmp_path: Path) -> Iterator[Callable[[SmtpSink, Settings], Worker]]:
    started: list[Worker] = []

    def start(sink: SmtpSink, settings: Settings) -> Worker:
        env = {
            **os.environ,
            "BALIE_DATABASE_URL": desk.config["DATABASE_URL"],
            "BALIE_SECRET_KEY": TEST_SECRET,
            "BALIE_MAIL_DIR": str(tmp_path / "mail"),
            "BALIE_SEARCH_INDEX_DIR": str(tmp_path / "search"),
            "BALIE_SMTP_HOST": "127.0.0.1",
            "BALIE_SMTP_PORT": str(sink.port),
            "BALIE_SMTP_STARTTLS": "false",
            "BALIE_SMTP_TIMEOUT_SECONDS": str(settings.smtp_timeout),
            "BALIE_OUTBOX_LEASE_SECONDS": str(settings.lease),
            "BALIE_OUTBOX_POLL_SECONDS": str(POLL_SECONDS),
        }
        log = tmp_path / f"worker-{len(started)}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [str(PROJECT_ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "outbox", "work"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(process, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait(timeout=60)


def wait_until(what: str, done: Callable[[], bool], workers: list[Worker], seconds: float = PATIENCE) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        for worker in workers:
            if worker.process.poll() is not None:
                pytest.fail(f"a worker stopped ({worker.process.returncode}) before {what}:\n{worker.output()}")
        if time.monotonic() > deadline:
            logs = "\n".join(worker.output() for worker in workers)
            pytest.fail(f"not within {seconds} s: {what}\n{logs}")
        time.sleep(0.1)


def wait_until_running(workers: list[Worker]) -> None:
    wait_until("the workers started", lambda: all("outbox worker running" in w.output() for w in workers), workers)


def stop(worker: Worker) -> None:
    """SIGTERM: the worker finishes the message in hand and exits."""
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(timeout=PATIENCE) == 0, worker.output()


def queue(desk: Flask, count: int) -> list[str]:
    with desk.app_context():
        with db.writing():
            ids = queue_organisation_mails(db.session, count)
            db.commit()
    return ids


@dataclass(frozen=True)
class Row:
    claimed_by: str | None
    claimed_until: datetime | None
    attempts: int
    sent_at: datetime | None


def rows(desk: Flask) -> dict[str, Row]:
    """The outbox as the workers left it, read in one short transaction."""
    with desk.app_context():
        found = {
            m.id: Row(m.claimed_by, m.claimed_until, m.attempts, m.sent_at)
            for m in db.session.scalars(select(OutboxMessage)).all()
        }
        db.session.rollback()
    return found


def pending(desk: Flask) -> int:
    with desk.app_context():
        count = outbox.pending_count(db.session)
        db.session.rollback()
    return count


def delivered(sink: SmtpSink) -> Counter[str]:
    """How often the relay accepted each outbox message (Message-ID <outbox id@domain>)."""
    return Counter({message_id.strip("<>").split("@")[0]: n for message_id, n in sink.counts().items()})


# --- two workers, a slow relay -----------------------------------------------------------------


def test_two_workers_and_a_slow_relay_deliver_every_message_exactly_once(
    desk: Flask, start_worker: Callable[[SmtpSink, Settings], Worker], capsys: pytest.CaptureFixture[str]
) -> None:
    # 30 sends of 1 s each take two workers about 15 s: far longer than one lease of 10 s.
    settings = Settings(lease=10, smtp_timeout=5)
    with SmtpSink(delay=1.0) as sink:
        workers = [start_worker(sink, settings), start_worker(sink, settings)]
        wait_until_running(workers)
        started = time.monotonic()
        ids = queue(desk, 30)

        wait_until("every message is marked sent", lambda: pending(desk) == 0, workers)
        wall = time.monotonic() - started
        for worker in workers:
            stop(worker)  # a send still under way would show up at the relay now

        assert delivered(sink) == Counter({message_id: 1 for message_id in ids}), "a message was lost or sent twice"
    sent = rows(desk)
    assert all(sent[message_id].sent_at is not None for message_id in ids)
    by_worker = Counter(next((n for n, w in enumerate(workers) if w.claims(m.claimed_by)), None) for m in sent.values())
    assert None not in by_worker, "a message was recorded by a process that is not one of the workers"
    with capsys.disabled():
        print(
            f"\n30 messages, relay answering after 1 s, lease 10 s: two workers delivered "
            f"{by_worker[0]} + {by_worker[1]} in {wall:.1f} s, each exactly once"
        )


# --- a worker killed mid-send ------------------------------------------------------------------


def test_a_message_whose_worker_was_killed_mid_send_is_delivered_once_by_the_other_after_the_lease(
    desk: Flask, start_worker: Callable[[SmtpSink, Settings], Worker], capsys: pytest.CaptureFixture[str]
) -> None:
    # The smtp timeout only bounds how long the killer may take to strike before the victim
    # would give up on its own; 4 s is an age on an idle machine and ample on a busy one.
    settings = Settings(lease=8, smtp_timeout=4)
    with SmtpSink(delay=0.2) as sink:
        sink.hold_next()  # the first message's end of DATA gets no answer: a worker hangs in its send
        workers = [start_worker(sink, settings), start_worker(sink, settings)]
        wait_until_running(workers)
        ids = queue(desk, 3)

        wait_until("a worker is mid-send", sink.held.is_set, workers)
        held_id = str(sink.held_message_id).strip("<>").split("@")[0]
        claim = rows(desk)[held_id]
        [victim] = [w for w in workers if w.claims(claim.claimed_by)]
        [survivor] = [w for w in workers if w is not victim]
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(timeout=PATIENCE)
        # It died with the message claimed and nothing recorded.
        killed_with = rows(desk)[held_id]
        assert (killed_with.claimed_by, killed_with.attempts, killed_with.sent_at) == (claim.claimed_by, 0, None)
        assert claim.claimed_until is not None
        lease_end = claim.claimed_until.timestamp()
        sink.release()  # the relay notices the dead connection and drops the message unaccepted

        wait_until(
            "the killed worker's message is delivered",
            lambda: delivered(sink)[held_id] > 0,
            [survivor],
            seconds=lease_end - time.time() + 60,  # a minute after its lease, on any machine
        )
        wait_until("every message is marked sent", lambda: pending(desk) == 0, [survivor])
        stop(survivor)

        assert sink.dropped == [sink.held_message_id]
        assert delivered(sink) == Counter({message_id: 1 for message_id in ids}), "a message was lost or sent twice"
        [taken_over_at] = sink.accepted_at(f"<{held_id}@balie.example>")
    taken_over = rows(desk)[held_id]
    assert survivor.claims(taken_over.claimed_by)
    assert taken_over.sent_at is not None and taken_over.attempts == 0
    assert taken_over_at >= lease_end, "another worker sent the message while the killed one's lease still held"
    with capsys.disabled():
        print(
            f"\nworker killed mid-send: its message went out once, from the other worker, "
            f"{taken_over_at - lease_end:.1f} s after its {settings.lease:g} s lease ended (poll {POLL_SECONDS} s)"
        )


# --- one SMTP send has a deadline --------------------------------------------------------------


def organisation_mail() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Balie <noreply@balie.example>"
    mail["To"] = "intake@jgz.example"
    mail["Subject"] = "test"
    mail["Message-ID"] = "<0123abcd@balie.example>"
    mail.set_content("test")
    return mail


def test_a_relay_that_trickles_is_cut_off_at_the_smtp_timeout_and_the_message_retried(app: Flask) -> None:
    # 26 greeting bytes, one per 0.3 s: each read is far inside smtplib's 1 s socket timeout,
    # the whole greeting far beyond it. Only a deadline for the whole send stops it.
    with SmtpSink(greeting_byte_seconds=0.3) as sink:
        with pytest.raises(SendCutOff):
            SmtpTransport("127.0.0.1", sink.port, None, None, False, timeout=1).send(organisation_mail())

        with app.app_context():
            with db.writing():
                [message_id] = queue_organisation_mails(db.session, 1)
                db.commit()
            result = run_pass(SmtpTransport("127.0.0.1", sink.port, None, None, False, timeout=1), worker="w1")
            failed = db.session.get(OutboxMessage, message_id)
            assert failed is not None

        assert delivered(sink) == Counter()
    assert result == PassResult(failed=1)
    assert (failed.sent_at, failed.attempts, failed.last_error) == (None, 1, "SendCutOff")


def test_a_relay_that_accepted_the_message_but_ignores_quit_has_delivered_it(app: Flask) -> None:
    with SmtpSink(silent_on_quit=True) as sink:
        with app.app_context():
            with db.writing():
                [message_id] = queue_organisation_mails(db.session, 1)
                db.commit()
            result = run_pass(SmtpTransport("127.0.0.1", sink.port, None, None, False, timeout=1), worker="w1")
            sent = db.session.get(OutboxMessage, message_id)
            assert sent is not None

        assert delivered(sink) == Counter({message_id: 1})
    assert result == PassResult(sent=1)
    assert sent.sent_at is not None and sent.attempts == 0
