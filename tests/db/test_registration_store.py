"""The hand-over that loses nothing and leaks nothing, on SQLite and on PostgreSQL.

A registration and its notification are committed together or not at all; a failing or
locked database gives the parent a "not saved, try again" page with her answers (T-10, T-11);
nothing she typed is readable in the database files (T-39); the migrations go down and up
and match the models.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.exc import OperationalError

from balie.extensions import db
from balie.models import Base, OutboxMessage, Registration
from balie.services import outbox
from tests.support.pages import Page
from tests.support.registration import answers
from tests.web.helpers import assert_kept, english, fill, form_fields

SEND = "/aanmelden/versturen"


def canaries() -> dict[str, Any]:
    """Answers whose every personal value is unique, so it can be searched for anywhere."""
    tag = uuid.uuid4().hex[:12].upper()
    mobile = "61" + "".join(random.choice("0123456789") for _ in range(7))
    number = str(random.randint(10000, 99999))
    return {
        "name": f"ZZCANARY{tag}NAME",
        "phone": f"0{mobile}",
        "email": f"zzcanary{tag.lower()}@example.com",
        "house_number": number,
        "house_number_addition": "ZQ" + tag[:3].replace("0", "Q"),
        "note": f"ZZCANARY{tag}NOTE please call after five",
    }


def secrets_of(typed: dict[str, Any]) -> list[bytes]:
    """The byte strings that must not be found: as typed and as the desk normalises them."""
    mobile = typed["phone"][1:]
    values = [
        typed["name"],
        typed["email"],
        "ZZCANARY" + typed["name"][8:20],
        typed["note"][:24],
        f"+31{mobile}",
        mobile,
        f"{typed['house_number']} {typed['house_number_addition']}",
        f"2611 AB {typed['house_number']}",
    ]
    found: list[bytes] = []
    for value in values:
        for variant in {value, value.lower(), value.upper()}:
            found.append(variant.encode("utf-8"))
    return found


def checked_page(client: Any, **typed: Any) -> tuple[Page, dict[str, Any]]:
    full = answers(**typed)
    form = Page(client.get("/aanmelden"))
    checked = Page(client.post("/aanmelden", data=fill(form, full)))
    assert checked.status == 200, checked.errors
    return checked, full


def fresh_counts(app: Any) -> tuple[int, int]:
    """Rows as another process sees them: through a new connection, so only what is committed."""
    engine = create_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            registrations = connection.scalar(select(func.count()).select_from(Registration.__table__))
            messages = connection.scalar(select(func.count()).select_from(OutboxMessage.__table__))
    finally:
        engine.dispose()
    return registrations or 0, messages or 0


def session_counts(app: Any) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Registration)) or 0,
            db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
        )


def assert_not_saved_page(response: Any, typed: dict[str, Any]) -> Page:
    page = Page(response)
    assert page.status == 503
    assert "Not saved — please try again" in page.text
    assert "Your answers are still here" in page.text
    assert "Registration received" not in page.text
    assert_kept(page, typed, action=SEND)
    assert "Send registration" in page.text, "she can press send again"
    return page


# --- committed together ----------------------------------------------------------------------


def test_the_registration_and_its_notification_are_committed_together(any_db_app):
    client = english(any_db_app.test_client())
    typed = canaries()
    checked, _full = checked_page(client, **typed, wants_mail="y")
    response = client.post(SEND, data=form_fields(checked, SEND))
    assert response.status_code == 303

    assert fresh_counts(any_db_app) == (1, 2)
    with any_db_app.app_context():
        registration = db.session.scalars(select(Registration)).one()
        messages = db.session.scalars(select(OutboxMessage)).all()
    assert {m.registration_id for m in messages} == {registration.id}
    assert sorted(m.kind for m in messages) == ["new_registration", "parent_confirmation"]
    assert all(m.sent_at is None for m in messages)
    payloads = repr([m.payload for m in messages]).encode()
    assert not any(secret in payloads for secret in secrets_of(typed)), "no personal data in the outbox"
    assert registration.reference in Page(client.get(response.headers["Location"])).text


def test_if_the_notification_cannot_be_queued_the_registration_is_not_stored_either(any_db_app, monkeypatch):
    client = english(any_db_app.test_client())
    checked, full = checked_page(client)

    def broken_outbox(session: Any, registration: Any) -> Any:
        session.flush()  # the registration row is written by now
        raise OperationalError("INSERT INTO outbox_message", {}, Exception("disk I/O error"))

    monkeypatch.setattr(outbox, "enqueue_new_registration", broken_outbox)
    assert_not_saved_page(client.post(SEND, data=form_fields(checked, SEND)), full)
    assert fresh_counts(any_db_app) == (0, 0)
    assert session_counts(any_db_app) == (0, 0)


# --- a failing commit (T-10) ------------------------------------------------------------------


def test_a_failing_commit_shows_not_saved_with_her_answers_and_stores_nothing(any_db_app, monkeypatch, caplog):
    client = english(any_db_app.test_client())
    typed = canaries()
    checked, full = checked_page(client, **typed)
    post = form_fields(checked, SEND)

    def failing_commit() -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(db.session, "commit", failing_commit)
    for _attempt in range(3):
        assert_not_saved_page(client.post(SEND, data=post), full)
    assert session_counts(any_db_app) == (0, 0)
    assert fresh_counts(any_db_app) == (0, 0)
    confirmation = Page(client.get("/aanmelden/bevestiging"))
    assert "Registration received" not in confirmation.text, "no confirmation without a commit"

    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 3, "one error line per failure"
    logged = caplog.text.encode()
    assert not any(secret in logged for secret in secrets_of(typed)), "no personal data in the log"

    monkeypatch.undo()
    retry = client.post(SEND, data=post)
    assert retry.status_code == 303
    assert fresh_counts(any_db_app) == (1, 1)


# --- nothing readable at rest (T-39) ----------------------------------------------------------


def _files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and not path.is_symlink()]


def test_nothing_she_typed_is_readable_in_the_database_files(any_db_app, request, caplog):
    caplog.set_level(logging.DEBUG)
    client = english(any_db_app.test_client())
    typed = canaries()
    checked, _full = checked_page(client, **typed)
    assert client.post(SEND, data=form_fields(checked, SEND)).status_code == 303
    assert fresh_counts(any_db_app) == (1, 1)
    with any_db_app.app_context():
        db.session.remove()
        db.engine.dispose()

    url = any_db_app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        connection = sqlite3.connect(path)
        try:
            busy, _log, _checkpointed = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()
        assert busy == 0
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    else:
        server = request.getfixturevalue("postgres")
        server.sql("CHECKPOINT")
        files = [*_files_under(server.folder / "data"), server.folder / "log"]
    scanned = 0
    for file in files:
        content = file.read_bytes()
        scanned += len(content)
        for secret in secrets_of(typed):
            assert secret not in content, f"{secret!r} readable in {file.name}"
    assert scanned > 100_000, "the database files were read"
    logged = caplog.text.encode()
    assert not any(secret in logged for secret in secrets_of(typed))


# --- a locked SQLite database (T-11) ---------------------------------------------------------


class Lock:
    """A second connection holding the write lock, as another process would."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=0)
        self.connection.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def sqlite_path(app: Any) -> str:
    return app.config["DATABASE_URL"].removeprefix("sqlite:///")


def test_a_locked_database_says_not_saved_in_time_and_the_same_post_then_succeeds(app):
    client = english(app.test_client())
    typed = canaries()
    checked, full = checked_page(client, **typed)
    post = form_fields(checked, SEND)
    budget = int(app.config["SQLITE_BUSY_TIMEOUT_MS"]) / 1000 + 1

    lock = Lock(sqlite_path(app))
    try:
        started = time.perf_counter()
        response = client.post(SEND, data=post)
        elapsed = time.perf_counter() - started
        assert_not_saved_page(response, full)
        assert elapsed <= budget, f"{elapsed:.2f} s"
        assert session_counts(app) == (0, 0)
    finally:
        lock.release()

    retry = client.post(SEND, data=post)
    assert retry.status_code == 303
    assert session_counts(app) == (1, 1)
    with app.app_context():
        reference = db.session.scalars(select(Registration.reference)).one()
    assert reference in Page(client.get(retry.headers["Location"])).text
    assert client.post(SEND, data=post).status_code == 303, "a second retry changes nothing"
    assert session_counts(app) == (1, 1)


def test_a_locked_database_at_the_check_step_keeps_her_answers(app):
    client = english(app.test_client())
    full = answers(**canaries())
    form = Page(client.get("/aanmelden"))
    budget = int(app.config["SQLITE_BUSY_TIMEOUT_MS"]) / 1000 + 1

    lock = Lock(sqlite_path(app))
    try:
        started = time.perf_counter()
        page = Page(client.post("/aanmelden", data=fill(form, full)))
        elapsed = time.perf_counter() - started
    finally:
        lock.release()
    assert page.status == 503
    assert elapsed <= budget
    assert "Your answers are still here" in page.text
    assert_kept(page, full)
    checked = Page(client.post("/aanmelden", data=form_fields(page, "/aanmelden")))
    assert checked.status == 200, checked.errors
    assert client.post(SEND, data=form_fields(checked, SEND)).status_code == 303
    assert session_counts(app) == (1, 1)


# --- migrations -------------------------------------------------------------------------------


def test_the_schema_goes_down_to_nothing_and_up_again_and_matches_the_models(any_db_app):
    runner = any_db_app.test_cli_runner()
    down = runner.invoke(args=["db", "downgrade", "base"])
    assert down.exit_code == 0, down.output
    with any_db_app.app_context():
        db.session.remove()
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert left == set(), f"tables left after downgrade: {sorted(left)}"

    up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, up.output
    with any_db_app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        db.engine.dispose()
    assert differences == [], "models and migrations differ: write a migration"
    assert version is not None

    # The upgraded database works: load the reference data and the kaart, then register.
    init = runner.invoke(args=["init"])
    assert init.exit_code == 0, init.output
    client = english(any_db_app.test_client())
    checked, _full = checked_page(client)
    assert client.post(SEND, data=form_fields(checked, SEND)).status_code == 303
    assert fresh_counts(any_db_app) == (1, 1)


# --- a page that cannot be shown -------------------------------------------------------------


def test_a_confirmation_the_database_cannot_show_says_her_registration_is_saved(app, monkeypatch):
    """Sent and stored, then the database fails while the confirmation loads: she must not read
    "not saved" (and send again); she reads that it is saved and can reload."""
    from balie.services.registrations import submission as registrations

    client = english(app.test_client())
    checked, _full = checked_page(client, **canaries())
    sent = client.post(SEND, data=form_fields(checked, SEND))
    assert sent.status_code == 303

    def failing(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("SELECT", {}, Exception("database is gone"))

    monkeypatch.setattr(registrations, "by_id", failing)
    page = Page(client.get(sent.headers["Location"]))
    assert page.status == 503
    assert "Your registration has been saved" in page.text and "Reload this page" in page.text
    assert "Not saved" not in page.text and "Nothing has been saved" not in page.text
    monkeypatch.undo()
    assert session_counts(app) == (1, 1)
    assert Page(client.get(sent.headers["Location"])).status == 200


def test_a_page_that_only_shows_something_never_says_not_saved(app, monkeypatch):
    from balie.services.directory import queries as directory_queries

    def failing(*_args: Any, **_kwargs: Any) -> Any:
        raise OperationalError("SELECT", {}, Exception("database is gone"))

    monkeypatch.setattr(directory_queries, "home_visit_services", failing)
    page = Page(english(app.test_client()).get("/"))
    assert page.status == 503
    assert "This page cannot be shown just now" in page.text
    assert "Nothing has been saved" not in page.text
