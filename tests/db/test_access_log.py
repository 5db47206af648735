"""The access log is append-only and tamper-evident, on SQLite and on PostgreSQL (T-46, T-47).

The database itself refuses UPDATE and DELETE; a change made around that (a dropped
trigger, a superuser) breaks the hash chain, and `flask audit verify` names the row.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from balie.extensions import db
from balie.models import AccessLogEntry
from balie.services import access_log
from balie.services.access_log import Actor

NURSE = Actor("5f0c6a2e-0000-4000-8000-000000000001", "jgz_staff", "940392da-91c8-431a-978d-b8fcb4a95e8d", "ap")


def append(app: Flask, count: int, actor: Actor = NURSE, event: str = "registration.read") -> None:
    with app.app_context():
        for n in range(count):
            with db.writing():
                access_log.record(db.session, actor, event, "R", "registration", f"{n:032x}", detail="full")
                db.commit()


def rows(app: Flask) -> list[tuple[Any, ...]]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(select(AccessLogEntry.__table__).order_by(AccessLogEntry.seq))]


def seqs(app: Flask) -> list[int]:
    return [row[0] for row in rows(app)]


def verify(app: Flask) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def raw(app: Flask, statement: str) -> None:
    with app.app_context(), db.writing(), db.engine.begin() as connection:
        connection.execute(text(statement))


def allow_changes(app: Flask) -> None:
    """What an attacker with database access would do first: get the trigger out of the way."""
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "sqlite":
        raw(app, "DROP TRIGGER access_log_no_update")
        raw(app, "DROP TRIGGER access_log_no_delete")
    else:
        raw(app, "ALTER TABLE access_log DISABLE TRIGGER access_log_no_change")


def test_the_hash_chain_verifies(any_db_app: Flask) -> None:
    before = len(rows(any_db_app))
    append(any_db_app, 12)
    append(any_db_app, 3, access_log.SYSTEM, "registration.purge")
    result = verify(any_db_app)
    assert result.exit_code == 0, result.output
    assert f"access log intact: {before + 15} rows" in result.output

    chain = rows(any_db_app)
    columns = [c.name for c in AccessLogEntry.__table__.columns]
    prev, row_hash = columns.index("prev_hash"), columns.index("row_hash")
    assert chain[0][prev] == access_log.GENESIS
    assert all(chain[n][prev] == chain[n - 1][row_hash] for n in range(1, len(chain)))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET outcome = 'success' WHERE outcome = 'success'",
        "UPDATE access_log SET actor_user_id = 'someone-else'",
        "DELETE FROM access_log",
        "DELETE FROM access_log WHERE seq = (SELECT MAX(seq) FROM access_log)",
    ],
)
def test_the_database_refuses_changes_to_the_log(any_db_app: Flask, statement: str) -> None:
    append(any_db_app, 3)
    before = rows(any_db_app)
    with pytest.raises(DBAPIError) as refused:
        raw(any_db_app, statement)
    assert "append-only" in str(refused.value.orig)
    assert rows(any_db_app) == before
    assert verify(any_db_app).exit_code == 0


def test_truncate_is_refused_on_postgresql(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE")
    append(any_db_app, 2)
    with pytest.raises(DBAPIError):
        raw(any_db_app, "TRUNCATE access_log")
    assert len(rows(any_db_app)) >= 2


@pytest.mark.parametrize("column, value", [("object_id", "'ffffffffffffffffffffffffffffffff'"), ("outcome", "'denied'")])
def test_an_edited_row_is_named_by_audit_verify(any_db_app: Flask, column: str, value: str) -> None:
    append(any_db_app, 10)
    target = seqs(any_db_app)[-6]
    allow_changes(any_db_app)
    raw(any_db_app, f"UPDATE access_log SET {column} = {value} WHERE seq = {target}")

    result = verify(any_db_app)
    assert result.exit_code == 1
    assert f"access log BROKEN at rows (seq): {target}\n" in result.output
    with any_db_app.app_context():
        assert access_log.verify(db.session).broken == (target,)


def test_a_deleted_row_is_found_at_the_row_after_it(any_db_app: Flask) -> None:
    append(any_db_app, 8)
    numbers = seqs(any_db_app)
    allow_changes(any_db_app)
    raw(any_db_app, f"DELETE FROM access_log WHERE seq = {numbers[-4]}")
    result = verify(any_db_app)
    assert result.exit_code == 1
    assert f"access log BROKEN at rows (seq): {numbers[-3]}\n" in result.output


def test_appends_from_two_threads_never_fork_the_chain(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        start = db.session.scalar(select(func.count()).select_from(AccessLogEntry)) or 0
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            barrier.wait(timeout=120)
            append(any_db_app, 30, Actor(f"thread-{number}", "jgz_staff", None, None))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures

    chain = rows(any_db_app)
    assert len(chain) == start + 60
    columns = [c.name for c in AccessLogEntry.__table__.columns]
    prev, actor = columns.index("prev_hash"), columns.index("actor_user_id")
    assert len({row[prev] for row in chain}) == len(chain), "two rows claim the same predecessor: a fork"
    written = [row[actor] for row in chain[start:]]
    assert written.count("thread-1") == written.count("thread-2") == 30
    result = verify(any_db_app)
    assert result.exit_code == 0, result.output
