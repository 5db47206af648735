"""The outbox: every registration is announced exactly once, a mail server outage loses nothing,
and no mail carries personal data except the parent's own opt-in confirmation (T-39, T-44)."""

from __future__ import annotations

import email
import email.policy
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from balie.clock import today
from balie.config import ConfigError
from balie.domain.due_date import DueMonth, allowed_months
from balie.domain.postcode import HouseNumber, Postcode
from balie.domain.registration import ContactPreferences, RegistrationData
from balie.extensions import db
from balie.mailer import FileTransport
from balie.models import Organisation, OutboxMessage, Registration
from balie.outbox_worker import PassResult, lease, run_pass
from balie.services import notifications, outbox
from balie.services.registrations import submission as registrations
from tests.conftest import make_app
from tests.support.outbox import queue_organisation_mails
from tests.support.registration import check, register

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
DELFLAND_INTAKE = "aanmeldingen@jgz-delfland.example"
HOFSTAD_INTAKE = "intake@jeugdgezondheid-hofstad.example"
CANARIES = {
    "name": "ZZCANARY-name",
    "note": "ZZCANARY-note with a few words",
    "email": "zzcanary-mail@example.com",
    "phone": "06 47382910",
}
# The phone canary in the forms it could appear in.
PHONE_FORMS = ("47382910", "+31647382910", "06 47382910", "6 47382910")
# Words that would tell whoever reads the parent's mailbox that she is pregnant.
REVEALING_WORDS = ("zwanger", "pregnan", "baby", "huisbezoek", "prenata", "geboorte", "bevalling", "jgz", "jeugd")


# --- helpers -----------------------------------------------------------------------------------


def add_messages(count: int, available_at: datetime = NOW) -> list[str]:
    messages = [
        OutboxMessage(kind="test", payload={}, available_at=available_at, created_at=available_at) for _ in range(count)
    ]
    db.session.add_all(messages)
    db.session.flush()
    return [m.id for m in messages]


def message(message_id: str) -> OutboxMessage:
    found = db.session.get(OutboxMessage, message_id, populate_existing=True)
    assert found is not None
    return found


def mail_folder(app: Flask) -> Path:
    return Path(app.config["MAIL_DIR"])


def eml_files(app: Flask) -> list[Path]:
    folder = mail_folder(app)
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def read_mail(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def all_text(path: Path) -> str:
    """Raw bytes and decoded headers and body: a canary hidden by base64 or QP is still found."""
    mail = read_mail(path)
    raw = path.read_bytes().decode("utf-8", errors="replace")
    headers = "\n".join(f"{key}: {value}" for key, value in mail.items())
    body = mail.get_body(preferencelist=("plain", "html"))
    assert body is not None
    return "\n".join([raw, headers, body.get_content()])


def kinds(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxMessage.kind)).all())


class Broken:
    """A mail server that is down."""

    def __init__(self) -> None:
        self.calls = 0

    def send(self, mail: EmailMessage) -> None:
        self.calls += 1
        raise ConnectionRefusedError("smtp down")


class SentThenCrashed:
    """Delivers the mail, then the worker dies before it can record that."""

    def __init__(self, folder: Path) -> None:
        self.inner = FileTransport(folder)

    def send(self, mail: EmailMessage) -> None:
        self.inner.send(mail)
        raise TimeoutError("connection lost after DATA")


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.rollback()


# --- claiming one message at a time -----------------------------------------------------------


def claim(worker: str, now: datetime = NOW) -> str | None:
    return outbox.claim_next(db.session, worker, now, LEASE)


def test_a_worker_claims_one_message_at_a_time_the_longest_waiting_first(ctx: None) -> None:
    [late] = add_messages(1, NOW - timedelta(minutes=1))
    [early] = add_messages(1, NOW - timedelta(minutes=5))
    [middle] = add_messages(1, NOW - timedelta(minutes=3))

    assert [claim("worker-a"), claim("worker-b"), claim("worker-a"), claim("worker-b")] == [early, middle, late, None]
    assert [message(i).claimed_by for i in (early, middle, late)] == ["worker-a", "worker-b", "worker-a"]
    assert message(early).claimed_until == NOW + LEASE


def test_a_claimed_message_is_not_claimed_by_another_worker(ctx: None) -> None:
    [message_id] = add_messages(1)

    assert claim("worker-a") == message_id
    assert claim("worker-b") is None
    assert claim("worker-b", NOW + LEASE - timedelta(seconds=1)) is None
    assert message(message_id).claimed_by == "worker-a"


def test_a_message_not_yet_due_is_not_claimed(ctx: None) -> None:
    add_messages(1, NOW + timedelta(seconds=1))

    assert claim("worker-a") is None


def _in_threads(app: Flask, jobs: dict[str, Callable[[], list[str]]]) -> dict[str, list[str]]:
    """Run each job in its own thread and app context, all starting together; their results."""
    results: dict[str, list[str]] = {}
    barrier = threading.Barrier(len(jobs), timeout=120)

    def run(name: str, job: Callable[[], list[str]]) -> None:
        with app.app_context():
            barrier.wait()
            results[name] = job()
            db.session.remove()

    threads = [threading.Thread(target=run, args=item) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert set(results) == set(jobs), "a thread crashed"
    return results


def _claim_until_none(worker: str, now: datetime) -> Callable[[], list[str]]:
    def job() -> list[str]:
        claimed = []
        while True:
            with db.writing():
                message_id = outbox.claim_next(db.session, worker, now, LEASE)
                db.commit()
            if message_id is None:
                return claimed
            claimed.append(message_id)

    return job


def _owners(app: Flask) -> dict[str, str | None]:
    with app.app_context():
        return {m.id: m.claimed_by for m in db.session.scalars(select(OutboxMessage))}


def test_concurrent_workers_claim_disjoint_sets(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        with db.writing():
            ids = add_messages(40)
            db.commit()

    results = _in_threads(any_db_app, {f"worker-{n}": _claim_until_none(f"worker-{n}", NOW) for n in range(3)})

    claimed = [message_id for batch in results.values() for message_id in batch]
    assert len(claimed) == len(set(claimed)), "a message was claimed by two workers"
    assert sorted(claimed) == sorted(ids)
    owners = _owners(any_db_app)
    for worker, batch in results.items():
        assert all(owners[message_id] == worker for message_id in batch)


def test_renewing_races_a_takeover_and_exactly_one_of_them_wins(any_db_app: Flask) -> None:
    """Worker a's claims have just run out; a renews them while b claims what it can."""
    with any_db_app.app_context():
        with db.writing():
            ids = add_messages(30)
            for _ in ids:
                outbox.claim_next(db.session, "worker-a", NOW, LEASE)
            db.commit()
    race = NOW + LEASE + timedelta(seconds=1)

    def renew_all() -> list[str]:
        renewed = []
        for message_id in ids:
            with db.writing():
                if outbox.renew_claim(db.session, message_id, "worker-a", race, LEASE):
                    renewed.append(message_id)
                db.commit()
        return renewed

    results = _in_threads(any_db_app, {"renewed": renew_all, "taken": _claim_until_none("worker-b", race)})

    renewed, taken = set(results["renewed"]), set(results["taken"])
    assert renewed.isdisjoint(taken), "a message stayed with worker a although worker b took it over"
    assert renewed | taken == set(ids)
    owners = _owners(any_db_app)
    assert {i for i, owner in owners.items() if owner == "worker-a"} == renewed
    assert {i for i, owner in owners.items() if owner == "worker-b"} == taken


def test_a_killed_workers_claim_returns_after_a_minute_by_default(app: Flask) -> None:
    assert app.config["OUTBOX_LEASE_SECONDS"] == 60
    with app.app_context():
        [message_id] = add_messages(1)
        assert outbox.claim_next(db.session, "worker-a", NOW, lease()) == message_id

        # worker-a is killed here: it never renews, sends or records anything.
        assert claim("worker-b", NOW + timedelta(seconds=59)) is None
        assert claim("worker-b", NOW + timedelta(seconds=61)) == message_id
        assert message(message_id).claimed_by == "worker-b"
        db.session.rollback()


def test_renewing_keeps_the_message_from_other_workers_for_another_lease(ctx: None) -> None:
    [message_id] = add_messages(1)
    claim("worker-a")
    renewed_at = NOW + timedelta(seconds=50)

    assert outbox.renew_claim(db.session, message_id, "worker-a", renewed_at, LEASE)

    assert message(message_id).claimed_until == renewed_at + LEASE
    assert claim("worker-b", NOW + LEASE + timedelta(seconds=1)) is None
    assert claim("worker-b", renewed_at + LEASE + timedelta(seconds=1)) == message_id


def test_a_claim_that_ran_out_and_was_not_taken_over_can_be_renewed(ctx: None) -> None:
    [message_id] = add_messages(1)
    claim("worker-a")
    late = NOW + LEASE * 3

    assert outbox.renew_claim(db.session, message_id, "worker-a", late, LEASE)
    assert claim("worker-b", late) is None


def test_a_claim_taken_over_cannot_be_renewed_and_its_outcome_is_not_recorded(ctx: None) -> None:
    [message_id] = add_messages(1)
    claim("worker-a")
    claim("worker-b", NOW + LEASE + timedelta(seconds=1))

    assert not outbox.renew_claim(db.session, message_id, "worker-a", NOW + LEASE + timedelta(seconds=2), LEASE)
    outbox.mark_failed(db.session, message_id, "worker-a", NOW, "TimeoutError")
    outbox.mark_sent(db.session, message_id, "worker-a", NOW)

    stale = message(message_id)
    assert stale.attempts == 0
    assert stale.sent_at is None
    assert stale.claimed_by == "worker-b"
    assert stale.claimed_until == NOW + LEASE * 2 + timedelta(seconds=1)


def test_a_finished_message_cannot_be_renewed_or_claimed_again(ctx: None) -> None:
    [message_id] = add_messages(1)
    claim("worker-a")

    outbox.mark_sent(db.session, message_id, "worker-a", NOW + timedelta(seconds=2))

    sent = message(message_id)
    assert sent.sent_at == NOW + timedelta(seconds=2)
    assert sent.claimed_until is None
    assert not outbox.renew_claim(db.session, message_id, "worker-a", NOW + timedelta(seconds=3), LEASE)
    for later in (NOW, NOW + LEASE * 2, NOW + timedelta(days=30)):
        assert claim("worker-b", later) is None
    assert outbox.pending_count(db.session) == 0


def test_a_message_ended_by_the_purge_keeps_that_outcome(ctx: None) -> None:
    [message_id] = add_messages(1)
    claim("worker-a")
    # What retention.purge does to an unsent parent confirmation:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(sent_at=NOW, last_error="purged before sending")
    )

    assert not outbox.renew_claim(db.session, message_id, "worker-a", NOW, LEASE)
    outbox.mark_sent(db.session, message_id, "worker-a", NOW + timedelta(seconds=5))
    outbox.mark_failed(db.session, message_id, "worker-a", NOW + timedelta(seconds=5), "TimeoutError")

    ended = message(message_id)
    assert (ended.sent_at, ended.last_error, ended.attempts) == (NOW, "purged before sending", 0)


# --- the lease setting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lease_seconds", "smtp_timeout"), [("30", "20"), ("39.5", "20"), ("60", "31"), ("2", "1.5"), ("0", "0")]
)
def test_a_lease_shorter_than_twice_the_smtp_timeout_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lease_seconds: str, smtp_timeout: str
) -> None:
    monkeypatch.setenv("BALIE_OUTBOX_LEASE_SECONDS", lease_seconds)
    monkeypatch.setenv("BALIE_SMTP_TIMEOUT_SECONDS", smtp_timeout)

    with pytest.raises(ConfigError) as refused:
        make_app(f"sqlite:///{tmp_path / 'never.sqlite3'}", tmp_path)

    assert "BALIE_OUTBOX_LEASE_SECONDS" in str(refused.value) or "BALIE_SMTP_TIMEOUT_SECONDS" in str(refused.value)
    assert not (tmp_path / "never.sqlite3").exists()


@pytest.mark.parametrize("lease_seconds", ["soon", "-60", "inf", "[60]"])
def test_a_lease_that_is_not_a_number_of_seconds_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lease_seconds: str
) -> None:
    monkeypatch.setenv("BALIE_OUTBOX_LEASE_SECONDS", lease_seconds)

    with pytest.raises(ConfigError, match="BALIE_OUTBOX_LEASE_SECONDS must be a number of seconds above 0"):
        make_app(f"sqlite:///{tmp_path / 'never.sqlite3'}", tmp_path)


def test_the_refusal_says_what_the_lease_must_be(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BALIE_OUTBOX_LEASE_SECONDS", "30")

    with pytest.raises(ConfigError) as refused:
        make_app(f"sqlite:///{tmp_path / 'never.sqlite3'}", tmp_path)

    assert str(refused.value).startswith(
        "BALIE_OUTBOX_LEASE_SECONDS (30) must be at least twice BALIE_SMTP_TIMEOUT_SECONDS (20), i.e. 40"
    )


@pytest.mark.parametrize(("lease_seconds", "smtp_timeout"), [("40", "20"), ("3", "1.5"), ("600", "20")])
def test_a_lease_of_at_least_twice_the_smtp_timeout_is_accepted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lease_seconds: str, smtp_timeout: str
) -> None:
    monkeypatch.setenv("BALIE_OUTBOX_LEASE_SECONDS", lease_seconds)
    monkeypatch.setenv("BALIE_SMTP_TIMEOUT_SECONDS", smtp_timeout)

    app = make_app(f"sqlite:///{tmp_path / 'balie.sqlite3'}", tmp_path)

    with app.app_context():
        assert lease() == timedelta(seconds=float(lease_seconds))


# --- failures and back-off ---------------------------------------------------------------------


def test_backoff_doubles_from_30_seconds_up_to_one_hour() -> None:
    delays = [outbox.backoff(attempt).total_seconds() for attempt in range(1, 11)]

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


@pytest.mark.parametrize("attempts", [50, 100, 1000, 10**6])
def test_backoff_stays_at_one_hour_however_often_sending_failed(attempts: int) -> None:
    # A mail server down for days, or an organisation without an intake address.
    assert outbox.backoff(attempts) == timedelta(hours=1)


def test_a_failed_send_is_retried_after_a_growing_wait(ctx: None) -> None:
    [message_id] = add_messages(1)
    now = NOW
    waits = []
    for attempt in range(1, 10):
        assert outbox.claim_next(db.session, "worker-a", now, LEASE) == message_id
        outbox.mark_failed(db.session, message_id, "worker-a", now, "ConnectionRefusedError")
        db.session.flush()
        failed = message(message_id)
        assert failed.attempts == attempt
        assert failed.sent_at is None
        assert failed.claimed_by is None and failed.claimed_until is None
        assert failed.last_error == "ConnectionRefusedError"
        wait = failed.available_at - now
        waits.append(wait.total_seconds())
        # Not a second earlier …
        assert outbox.claim_next(db.session, "worker-a", now + wait - timedelta(seconds=1), LEASE) is None
        now += wait  # … but right on time.

    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert outbox.pending_count(db.session) == 1


def test_many_failures_do_not_break_the_worker(ctx: None) -> None:
    [message_id] = add_messages(1)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(attempts=60))
    outbox.claim_next(db.session, "worker-a", NOW, LEASE)

    outbox.mark_failed(db.session, message_id, "worker-a", NOW, "NoRecipient")

    assert message(message_id).attempts == 61
    assert message(message_id).available_at == NOW + timedelta(hours=1)


def test_error_text_is_cut_to_fit(ctx: None) -> None:
    [message_id] = add_messages(1)
    outbox.claim_next(db.session, "worker-a", NOW, LEASE)

    outbox.mark_failed(db.session, message_id, "worker-a", NOW, "E" * 500)

    assert message(message_id).last_error == "E" * 120


# --- the worker, end to end --------------------------------------------------------------------


def test_run_pass_writes_one_eml_per_message_named_by_message_id(app: Flask, client: Any) -> None:
    register(client)
    register(client, postcode="2511 AB")
    register(client, postcode="2242 AA", municipality="GM0629")

    with app.app_context():
        result = run_pass(FileTransport(mail_folder(app)), worker="w1")
        messages = db.session.scalars(select(OutboxMessage)).all()

    assert result == PassResult(sent=3, failed=0, skipped=0)
    files = eml_files(app)
    assert len(files) == 3
    assert not list(mail_folder(app).glob("*.tmp"))
    for path in files:
        mail = read_mail(path)
        message_id = mail["Message-ID"]
        assert path.name == message_id.strip("<>").replace("@", "_") + ".eml"
    assert {read_mail(path)["Message-ID"].strip("<>").split("@")[0] for path in files} == {m.id for m in messages}
    assert sorted(read_mail(path)["To"] for path in files) == sorted([DELFLAND_INTAKE, HOFSTAD_INTAKE, HOFSTAD_INTAKE])
    assert all(m.sent_at is not None and m.attempts == 0 for m in messages)


def test_a_second_pass_sends_nothing_again(app: Flask, client: Any) -> None:
    register(client)
    with app.app_context():
        assert run_pass(FileTransport(mail_folder(app)), worker="w1").sent == 1
        folder = mail_folder(app)
        for path in eml_files(app):
            path.unlink()

        assert run_pass(FileTransport(folder), worker="w2") == PassResult()

    assert eml_files(app) == []


def test_delivering_the_same_message_twice_leaves_one_file(app: Flask, client: Any, tmp_path: Path) -> None:
    register(client)
    transport = FileTransport(tmp_path / "once")
    mail = EmailMessage()
    mail["Message-ID"] = "<abc123@balie.example>"
    mail["To"] = DELFLAND_INTAKE
    mail.set_content("test")

    transport.send(mail)
    transport.send(mail)

    assert [p.name for p in (tmp_path / "once").iterdir()] == ["abc123_balie.example.eml"]


def test_a_crash_after_sending_resends_under_the_same_message_id(app: Flask, client: Any) -> None:
    register(client)
    with app.app_context():
        first = run_pass(SentThenCrashed(mail_folder(app)), worker="w1")
        assert first == PassResult(failed=1)
        [pending] = db.session.scalars(select(OutboxMessage)).all()
        pending_id = pending.id
        assert pending.sent_at is None and pending.attempts == 1
        assert len(eml_files(app)) == 1
        # The back-off has passed.
        db.session.execute(update(OutboxMessage).values(available_at=datetime.now(UTC) - timedelta(seconds=1)))
        db.session.commit()

        second = run_pass(FileTransport(mail_folder(app)), worker="w2")

    assert second == PassResult(sent=1)
    files = eml_files(app)
    assert len(files) == 1, "the receiver gets the same message, not a second one"
    assert read_mail(files[0])["Message-ID"] == f"<{pending_id}@balie.example>"


def test_a_transport_that_raises_leaves_the_message_pending(app: Flask, client: Any) -> None:
    register(client)
    broken = Broken()
    with app.app_context():
        before = datetime.now(UTC)
        result = run_pass(broken, worker="w1")
        [pending] = db.session.scalars(select(OutboxMessage)).all()

        assert result == PassResult(failed=1)
        assert broken.calls == 1
        assert pending.sent_at is None
        assert pending.attempts == 1
        assert pending.last_error == "ConnectionRefusedError"
        assert pending.claimed_by is None
        assert pending.available_at >= before + timedelta(seconds=30)
        assert outbox.pending_count(db.session) == 1
        # A second pass right away does not hammer the mail server: it waits for the back-off.
        assert run_pass(broken, worker="w1") == PassResult()
        assert broken.calls == 1

    assert eml_files(app) == []


def test_an_organisation_without_intake_address_keeps_the_message(app: Flask, client: Any) -> None:
    register(client)
    with app.app_context():
        db.session.execute(update(Organisation).values(email=None))
        db.session.commit()

        result = run_pass(FileTransport(mail_folder(app)), worker="w1")
        [pending] = db.session.scalars(select(OutboxMessage)).all()

    assert result == PassResult(failed=1)
    assert pending.sent_at is None
    assert pending.last_error == "NoRecipient"
    assert eml_files(app) == []


class Recording:
    """A relay that accepts everything and notes, at each send, who held the claim and until when."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.sent: list[str] = []
        self.claims: list[tuple[str | None, datetime | None, datetime]] = []

    def send(self, mail: EmailMessage) -> None:
        with self.app.app_context():  # a connection of its own, as another process would have
            held = message(outbox_id(mail))
            self.claims.append((held.claimed_by, held.claimed_until, datetime.now(UTC)))
        self.sent.append(outbox_id(mail))


def outbox_id(mail: EmailMessage) -> str:
    return str(mail["Message-ID"]).strip("<>").split("@")[0]


def while_composing(monkeypatch: pytest.MonkeyPatch, app: Flask, meanwhile: Callable[[str], None]) -> None:
    """Let ``meanwhile(message_id)`` happen, on another connection, while the worker composes."""
    compose = notifications.compose

    def slow_compose(session: Any, queued: OutboxMessage, settings: Any) -> EmailMessage:
        with app.app_context():
            with db.writing():
                meanwhile(queued.id)
                db.commit()
        return compose(session, queued, settings)

    monkeypatch.setattr(notifications, "compose", slow_compose)


def test_the_claim_is_renewed_right_before_the_send(app: Flask, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    register(client)

    def lease_runs_out(message_id: str) -> None:  # composing took longer than the lease
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(claimed_until=datetime.now(UTC) - timedelta(seconds=1))
        )

    while_composing(monkeypatch, app, lease_runs_out)
    relay = Recording(app)
    with app.app_context():
        assert run_pass(relay, worker="w1") == PassResult(sent=1)

    [(holder, until, at_send)] = relay.claims
    assert holder == "w1"
    assert until is not None and until > at_send, "the message was sent on a claim that had run out"


def test_a_worker_whose_claim_was_taken_over_while_composing_does_not_send(
    app: Flask, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(client)

    def taken_over(message_id: str) -> None:  # w1's lease ran out and w2 claimed the message
        later = datetime.now(UTC) + LEASE + timedelta(seconds=1)
        assert outbox.claim_next(db.session, "w2", later, LEASE) == message_id

    while_composing(monkeypatch, app, taken_over)
    relay = Recording(app)
    with app.app_context():
        result = run_pass(relay, worker="w1")
        [pending] = db.session.scalars(select(OutboxMessage)).all()

    assert result == PassResult(skipped=1)
    assert relay.sent == []
    assert (pending.claimed_by, pending.sent_at, pending.attempts) == ("w2", None, 0)


def test_a_pass_ends_after_three_failures_in_a_row(app: Flask) -> None:
    broken = Broken()
    with app.app_context():
        with db.writing():
            queue_organisation_mails(db.session, 5)
            db.commit()

        assert run_pass(broken, worker="w1") == PassResult(failed=3)
        assert broken.calls == 3, "the relay is down: the other two wait for the next pass"
        assert outbox.pending_count(db.session) == 5


def test_a_pass_stops_between_messages_when_the_worker_is_told_to(app: Flask) -> None:
    relay = Recording(app)
    with app.app_context():
        with db.writing():
            queue_organisation_mails(db.session, 3)
            db.commit()

        result = run_pass(relay, worker="w1", stopped=lambda: len(relay.sent) == 1)

        assert result == PassResult(sent=1)
        assert outbox.pending_count(db.session) == 2
        assert db.session.scalar(select(func.count()).where(OutboxMessage.claimed_by.is_not(None))) == 1


# --- what the mails say ------------------------------------------------------------------------


def test_new_registration_mail_contains_no_personal_values(app: Flask, client: Any) -> None:
    register(
        client,
        name=CANARIES["name"],
        phone=CANARIES["phone"],
        email=CANARIES["email"],
        note=CANARIES["note"],
        house_number="9876",
        house_number_addition="ZZCAN",
        wants_mail="y",
    )
    with app.app_context():
        assert run_pass(FileTransport(mail_folder(app)), worker="w1").sent == 2
        [registration] = db.session.scalars(select(Registration)).all()

    files = eml_files(app)
    to_organisation = [p for p in files if read_mail(p)["To"] == DELFLAND_INTAKE]
    assert len(to_organisation) == 1
    text = all_text(to_organisation[0])
    for value in (CANARIES["name"], CANARIES["note"], CANARIES["email"], "ZZCANARY", "zzcanary", "ZZCAN", *PHONE_FORMS):
        assert value not in text, f"personal value {value!r} in the mail to the organisation"
    body = read_mail(to_organisation[0]).get_body(preferencelist=("plain",))
    assert body is not None
    assert "9876" not in body.get_content()  # the house number (ids in headers are random hex)
    # Not even the reference code or the due month.
    assert registration.reference not in text
    assert registration.due_month is not None
    assert str(DueMonth.of(registration.due_month)) not in text
    # What it does carry: a link to the inbox.
    assert f"{app.config['PUBLIC_BASE_URL']}/inbox" in text


def test_parent_confirmation_is_neutral_and_holds_only_her_address(app: Flask, client: Any) -> None:
    register(
        client,
        name=CANARIES["name"],
        phone=CANARIES["phone"],
        email=CANARIES["email"],
        note=CANARIES["note"],
        wants_mail="y",
    )
    with app.app_context():
        run_pass(FileTransport(mail_folder(app)), worker="w1")
        [registration] = db.session.scalars(select(Registration)).all()

    [to_parent] = [p for p in eml_files(app) if read_mail(p)["To"] == CANARIES["email"]]
    mail = read_mail(to_parent)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    visible = f"{mail['Subject']}\n{content}"
    for value in (CANARIES["name"], CANARIES["note"], "ZZCANARY", *PHONE_FORMS):
        assert value not in all_text(to_parent)
    for word in REVEALING_WORDS:
        assert word not in visible.lower(), f"{word!r} would reveal a pregnancy to whoever reads her mail"
    assert registration.reference in content  # so she can quote it on the phone


def test_canaries_appear_nowhere_in_the_mail_folder(app: Flask, client: Any) -> None:
    for n in range(3):
        register(client, name=f"{CANARIES['name']}-{n}", note=f"{CANARIES['note']}-{n}", phone=CANARIES["phone"])
    with app.app_context():
        assert run_pass(FileTransport(mail_folder(app)), worker="w1").sent == 3

    assert len(eml_files(app)) == 3
    for path in mail_folder(app).iterdir():
        text = all_text(path)
        assert "ZZCANARY" not in text
        assert not any(form in text for form in PHONE_FORMS)


def test_worker_logs_carry_no_personal_values(app: Flask, client: Any, caplog: pytest.LogCaptureFixture) -> None:
    register(client, name=CANARIES["name"], email=CANARIES["email"], note=CANARIES["note"], wants_mail="y")
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        run_pass(Broken(), worker="w1")
        db.session.execute(update(OutboxMessage).values(available_at=datetime.now(UTC)))
        db.session.commit()
        run_pass(FileTransport(mail_folder(app)), worker="w1")

    assert caplog.records, "the worker logs what it does"
    assert "ZZCANARY" not in caplog.text
    assert "zzcanary" not in caplog.text


# --- what is queued ----------------------------------------------------------------------------


def test_a_registration_queues_one_mail_to_the_organisation(app: Flask, client: Any) -> None:
    register(client)

    assert kinds(app) == [outbox.KIND_NEW_REGISTRATION]
    with app.app_context():
        [queued] = db.session.scalars(select(OutboxMessage)).all()
        [registration] = db.session.scalars(select(Registration)).all()
        assert queued.registration_id == registration.id
        assert queued.payload == {"organisation_id": registration.organisation_id}


def test_parent_confirmation_is_queued_when_she_ticked_it_and_gave_an_email(app: Flask, client: Any) -> None:
    register(client, email="sam@example.com", wants_mail="y")

    assert kinds(app) == sorted([outbox.KIND_NEW_REGISTRATION, outbox.KIND_PARENT_CONFIRMATION])


def test_no_parent_confirmation_without_the_tick(app: Flask, client: Any) -> None:
    register(client, email="sam@example.com")

    assert kinds(app) == [outbox.KIND_NEW_REGISTRATION]


def test_a_tick_without_email_is_refused_and_stores_nothing(app: Flask, client: Any) -> None:
    page = check(client, email="", wants_mail="y")

    assert page.status == 400
    assert page.errors
    assert kinds(app) == []
    with app.app_context():
        assert db.session.scalars(select(Registration)).all() == []


def _data(**overrides: Any) -> RegistrationData:
    values: dict[str, Any] = {
        "name": "Sam",
        "phone": "+31612345678",
        "email": None,
        "postcode": Postcode.parse("2611 AB"),
        "house": HouseNumber.parse("12"),
        "due": allowed_months(today())[3],
        "language": "nl",
        "interpreter": "no",
        "preferences": ContactPreferences(),
        "advisor_kind": None,
        "note": "",
        "wants_mail": False,
        "submission_token": secrets.token_urlsafe(16),
    }
    values.update(overrides)
    return RegistrationData(**values)


def _settings(app: Flask) -> registrations.SubmitSettings:
    return registrations.SubmitSettings(
        keys=app.extensions["balie.keys"], region_ggd_codes=("GG7014",), purge_weeks_after_due=6, today=today()
    )


@pytest.mark.parametrize(
    ("email_address", "wants_mail", "confirmation"),
    [("sam@example.com", True, True), ("sam@example.com", False, False), (None, True, False), (None, False, False)],
)
def test_service_queues_confirmation_only_with_tick_and_email(
    app: Flask, email_address: str | None, wants_mail: bool, confirmation: bool
) -> None:
    with app.app_context():
        submitted = registrations.submit(db.session, _data(email=email_address, wants_mail=wants_mail), _settings(app))
        db.session.commit()
        queued = db.session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.registration_id == submitted.registration.id)
        ).all()

    expected = [outbox.KIND_NEW_REGISTRATION] + ([outbox.KIND_PARENT_CONFIRMATION] if confirmation else [])
    assert sorted(queued) == sorted(expected)
    assert submitted.registration.wants_mail is confirmation


def test_a_repeated_submit_queues_nothing_twice(app: Flask) -> None:
    with app.app_context():
        data = _data(email="sam@example.com", wants_mail=True)
        first = registrations.submit(db.session, data, _settings(app))
        again = registrations.submit(db.session, data, _settings(app))
        db.session.commit()
        queued = db.session.scalars(select(OutboxMessage)).all()

    assert first.is_new and not again.is_new
    assert again.registration.id == first.registration.id
    assert len(queued) == 2
