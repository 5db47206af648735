"""Backups and the restore drill, on SQLite and on PostgreSQL (issue: backup drill; T-17).

Registrations are made through the public form, some of them months ago (time-machine) so
they have expired; `flask backup drill` must pass on that database, and fail naming the check
when a ciphertext is damaged, the data key is gone, an access-log row was edited or personal
data sits in the clear. `flask backup restore` only fills an empty database, and purges what
expired since the backup before anybody can use the copy.
"""

from __future__ import annotations

import base64
import os
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select, text, update

from balie.extensions import db
from balie.models import AccessLogEntry, OutboxMessage, Registration
from balie.services.operations import backup
from balie.services.operations.backup_drill import CHECKS
from balie.services.operations.table_checksums import table_figures
from balie.services.registrations import personal_data
from tests.conftest import make_app
from tests.db.test_access_log import allow_changes, append, raw, seqs
from tests.db.test_retention import canary, sealed
from tests.support.registration import due_month
from tests.support.staff import register_id


def registrations(app: Flask, fresh: int, expired: int = 0) -> dict[str, dict[str, str]]:
    """Registrations through the public form; `expired` of them made 240 days ago, past their purge date.
    Returns id → the personal answers typed (canaries)."""
    parent = app.test_client()
    made: dict[str, dict[str, str]] = {}
    with time_machine.travel(datetime.now(UTC) - timedelta(days=240), tick=False):
        for n in range(expired):
            typed = canary(f"old{n}")
            made[register_id(app, parent, due_month=due_month(0), **typed)] = typed
    for n in range(fresh):
        typed = canary(f"new{n}")
        made[register_id(app, parent, **typed)] = typed
    return made


def flask(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def drill(app: Flask, folder: Path) -> Any:
    return flask(app, "backup", "drill", "--folder", str(folder))


def check_line(output: str, name: str) -> str:
    found = re.search(rf"^\s+(ok|FAILED)\s+{re.escape(name)}\s.*$", output, re.MULTILINE)
    assert found, f"no line for the {name} check in:\n{output}"
    return found.group(0)


def assert_failed_only(output: str, *names: str) -> None:
    assert f"drill FAILED: {', '.join(names)}\n" in output, output
    for name in CHECKS:
        assert check_line(output, name).split()[0] == ("FAILED" if name in names else "ok"), name


def assert_nothing_personal(output: str, made: dict[str, dict[str, str]]) -> None:
    for typed in made.values():
        for value in (typed["name"], typed["email"], typed["note"]):
            assert value not in output


def dialect(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


def drill_databases(app: Flask) -> list[str]:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return []
        return list(db.session.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE 'balie_drill_%'")))


def count_registrations(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Registration)) or 0


@pytest.fixture
def other_apps(tmp_path: Path) -> Iterator[Any]:
    """Apps on another configuration or database, disposed afterwards."""
    made: list[Flask] = []

    def build(url: str, **overrides: Any) -> Flask:
        folder = tmp_path / f"other{len(made)}"
        folder.mkdir()
        made.append(make_app(url, folder, **overrides))
        return made[-1]

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_drill_passes_and_leaves_the_source_as_it_was(any_db_app: Flask, tmp_path: Path) -> None:
    made = registrations(any_db_app, fresh=20, expired=3)
    expired = list(made)[:3]
    before = count_registrations(any_db_app)

    result = drill(any_db_app, tmp_path / "drill")
    assert result.exit_code == 0, result.output
    for name in CHECKS:
        assert check_line(result.output, name).split()[0] == "ok", name
    assert "23 registrations readable, 0 unreadable" in check_line(result.output, "decrypt")
    assert "3 of 3 expired registrations purged, 0 still due" in check_line(result.output, "purge")
    assert re.search(r"\d+ personal values searched for: none in", check_line(result.output, "plaintext"))
    assert re.search(r"sociale-kaart (\d+)/\1, vraagbaak (\d+)/\2", check_line(result.output, "search-index"))
    assert "drill passed in" in result.output
    assert_nothing_personal(result.output, made)

    # Only the restored copy was purged; the copy and the temporary files are gone.
    assert count_registrations(any_db_app) == before
    assert all(sealed(any_db_app, registration_id)["name"] for registration_id in expired)
    assert list((tmp_path / "drill").iterdir()) == []
    assert drill_databases(any_db_app) == []


def test_the_drill_names_a_damaged_ciphertext(any_db_app: Flask, tmp_path: Path) -> None:
    made = registrations(any_db_app, fresh=3)
    target = next(iter(made))
    original = sealed(any_db_app, target)["name"]
    assert original
    damaged = original[:-5] + bytes([original[-5] ^ 0x01]) + original[-4:]
    with any_db_app.app_context(), db.writing():
        db.session.execute(update(Registration).where(Registration.id == target).values(name_sealed=damaged))
        db.session.commit()

    result = drill(any_db_app, tmp_path / "drill")
    assert result.exit_code == 1
    assert_failed_only(result.output, "decrypt")
    assert "2 registrations readable, 1 unreadable" in check_line(result.output, "decrypt")
    assert_nothing_personal(result.output, made)
    assert drill_databases(any_db_app) == []


def test_the_drill_names_a_data_key_missing_from_the_ring(any_db_app: Flask, tmp_path: Path, other_apps: Any) -> None:
    made = registrations(any_db_app, fresh=3)
    new_key = f"k9:{base64.b64encode(os.urandom(32)).decode()}"
    without_old_key = other_apps(any_db_app.config["DATABASE_URL"], DATA_KEYS=new_key)

    result = drill(without_old_key, tmp_path / "drill")
    assert result.exit_code == 1
    assert_failed_only(result.output, "decrypt")
    assert "0 registrations readable, 3 unreadable (keys configured: k9)" in check_line(result.output, "decrypt")
    assert_nothing_personal(result.output, made)


def test_the_drill_names_an_edited_access_log_row(any_db_app: Flask, tmp_path: Path) -> None:
    registrations(any_db_app, fresh=2)
    append(any_db_app, 5)
    edited = seqs(any_db_app)[-3]
    allow_changes(any_db_app)
    raw(any_db_app, f"UPDATE access_log SET outcome = 'denied' WHERE seq = {edited}")

    result = drill(any_db_app, tmp_path / "drill")
    assert result.exit_code == 1
    assert_failed_only(result.output, "access-log")
    assert f"chain broken at seq {edited}\n" in check_line(result.output, "access-log") + "\n"


def test_the_drill_finds_personal_data_stored_in_the_clear(any_db_app: Flask, tmp_path: Path) -> None:
    made = registrations(any_db_app, fresh=2)
    registration_id, typed = next(iter(made.items()))
    with any_db_app.app_context(), db.writing():  # what a careless change could do: a name in a payload
        db.session.add(
            OutboxMessage(kind="organisation_new", payload={"name": typed["name"]}, registration_id=registration_id)
        )
        db.session.commit()

    result = drill(any_db_app, tmp_path / "drill")
    assert result.exit_code == 1
    assert_failed_only(result.output, "plaintext")
    assert re.search(r"1 of \d+ personal values searched for are in the", check_line(result.output, "plaintext"))
    assert_nothing_personal(result.output, made)


def test_restore_refuses_a_database_that_is_not_empty(any_db_app: Flask, tmp_path: Path) -> None:
    registrations(any_db_app, fresh=2)
    file = tmp_path / "balie.backup"
    assert flask(any_db_app, "backup", "create", str(file)).exit_code == 0
    again = flask(any_db_app, "backup", "create", str(file))
    assert again.exit_code == 1 and "exists already" in again.output

    result = flask(any_db_app, "backup", "restore", str(file), "--into", any_db_app.config["DATABASE_URL"])
    assert result.exit_code == 1
    assert "not empty" in result.output and "nothing was restored" in result.output
    assert count_registrations(any_db_app) == 2


def empty_database(app: Flask, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if dialect(app) == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    server = request.getfixturevalue("postgres")
    return str(server.url(server.create_database()))


def test_a_restored_backup_is_readable_and_purged_before_use(
    any_db_app: Flask, tmp_path: Path, request: pytest.FixtureRequest, other_apps: Any
) -> None:
    made = registrations(any_db_app, fresh=2, expired=1)
    (expired, *fresh) = list(made)
    file = tmp_path / "balie.backup"
    created = flask(any_db_app, "backup", "create", str(file))
    assert created.exit_code == 0, created.output
    assert re.search(
        r"wrote .*: [\d.]+ MB, \d+ tables, \d+ rows \(3 registrations, \d+ access-log rows\)", created.output
    )
    assert file.stat().st_mode & 0o777 == 0o600, "a backup is readable by its owner only"
    assert_nothing_personal(created.output, made)

    target = empty_database(any_db_app, request, tmp_path)
    result = flask(any_db_app, "backup", "restore", str(file), "--into", target)
    assert result.exit_code == 0, result.output
    assert "purged 1 registrations that expired since the backup" in result.output
    assert "flask index rebuild" in result.output

    restored = other_apps(target)
    keys = restored.extensions["balie.keys"]
    with restored.app_context():
        gone = db.session.get(Registration, expired)
        assert gone is not None and gone.purged_at is not None and gone.name_sealed is None
        for registration_id in fresh:
            found = db.session.get(Registration, registration_id)
            assert found is not None
            assert personal_data.open_details(found, keys).name == made[registration_id]["name"]
    # The restored chain is intact (the purge's rows signed with the audit key); this node has
    # no exported head for the restored database until its first write after the restore.
    first = flask(restored, "audit", "verify")
    assert first.exit_code == 1 and "BROKEN" not in first.output and "access log head MISSING" in first.output
    append(restored, 1)
    assert flask(restored, "audit", "verify").exit_code == 0
    assert "Move every node's access-log head (BALIE_AUDIT_HEAD_FILE) aside" in result.output
    assert sealed(any_db_app, expired)["name"], "the source itself is not purged by a restore elsewhere"


def test_a_backup_and_its_row_counts_show_one_moment_while_the_app_goes_on_writing(
    any_db_app: Flask, tmp_path: Path, request: pytest.FixtureRequest, other_apps: Any
) -> None:
    registrations(any_db_app, fresh=1)
    file = tmp_path / "balie.backup"
    with any_db_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AccessLogEntry))
        db.session.remove()
        with backup.snapshot(db.engine) as connection:
            append(any_db_app, 3)  # the app commits three access-log rows after the backup began
            backup.write_backup(connection, file)
            counted = table_figures(connection)["access_log"].rows
    assert counted == before

    target = empty_database(any_db_app, request, tmp_path)
    assert flask(any_db_app, "backup", "restore", str(file), "--into", target).exit_code == 0
    with other_apps(target).app_context():
        in_backup = db.session.scalar(select(func.count()).select_from(AccessLogEntry))
    with any_db_app.app_context():
        now_in_source = db.session.scalar(select(func.count()).select_from(AccessLogEntry))
    assert (in_backup, now_in_source) == (before, before + 3)


def test_a_backup_is_taken_while_a_write_is_open_and_leaves_it_out(app: Flask, tmp_path: Path, other_apps: Any) -> None:
    registrations(app, fresh=2)
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a busy app would
        writer.execute("UPDATE registration SET status = 'uncommitted'")
        file = tmp_path / "online.sqlite3"
        created = flask(app, "backup", "create", str(file))
        assert created.exit_code == 0, created.output
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    assert flask(app, "backup", "restore", str(file), "--into", target).exit_code == 0
    restored = other_apps(target)
    with restored.app_context():
        statuses = set(db.session.scalars(select(Registration.status)))
    assert statuses and "uncommitted" not in statuses
