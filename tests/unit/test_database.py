"""SQLite set up as a real database: a confirmed registration survives a power cut, purged data is
overwritten in the file, writers wait for the lock instead of failing half-way."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from balie.config import Config, TestConfig
from balie.database import DatabaseUnavailable, make_engine
from balie.extensions import db


def pragma(name: str) -> Any:
    return db.session.execute(text(f"PRAGMA {name}")).scalar()


def sqlite_file(app: Flask) -> Path:
    url = app.config["DATABASE_URL"]
    assert url.startswith("sqlite:///")
    return Path(url.removeprefix("sqlite:///"))


def test_app_connection_uses_wal_full_sync_and_secure_delete(app: Flask) -> None:
    with app.app_context():
        assert db.is_sqlite
        assert str(pragma("journal_mode")).lower() == "wal"
        assert pragma("synchronous") == 2  # FULL: a committed registration survives a power cut
        assert pragma("busy_timeout") >= 1000
        assert pragma("foreign_keys") == 1
        assert pragma("secure_delete") == 1  # deleted personal data is overwritten in the file


def test_busy_timeout_follows_the_setting(app: Flask) -> None:
    with app.app_context():
        assert pragma("busy_timeout") == int(app.config["SQLITE_BUSY_TIMEOUT_MS"]) == TestConfig.SQLITE_BUSY_TIMEOUT_MS


def test_production_default_busy_timeout_is_five_seconds() -> None:
    assert Config.SQLITE_BUSY_TIMEOUT_MS == 5000
    assert TestConfig.SQLITE_BUSY_TIMEOUT_MS == 1000


def test_every_new_connection_gets_the_settings(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        for _ in range(2):
            with engine.connect() as connection:
                values = {
                    name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys", "secure_delete")
                }
                assert values == {
                    "journal_mode": "wal",
                    "synchronous": 2,
                    "busy_timeout": 5000,  # the production default
                    "foreign_keys": 1,
                    "secure_delete": 1,
                }
            engine.dispose()  # the next round opens a fresh connection
    finally:
        engine.dispose()


def test_the_database_file_is_in_wal_mode_for_other_processes_too(app: Flask) -> None:
    with app.app_context():
        pragma("journal_mode")
    other = sqlite3.connect(sqlite_file(app))
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


def test_foreign_keys_are_enforced(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(Exception) as raised:
            db.session.execute(
                text("INSERT INTO postcode_area (pc4, municipality_code, place_names) VALUES ('0001', 'GM9999', '')")
            )
            db.session.flush()
        db.session.rollback()
    assert "FOREIGN KEY" in str(raised.value).upper()


def _other_writer_is_locked_out(app: Flask) -> bool:
    other = sqlite3.connect(sqlite_file(app), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return True
    else:
        other.execute("ROLLBACK")
        return False
    finally:
        other.close()


def test_a_writing_transaction_takes_the_write_lock_at_the_start(app: Flask) -> None:
    with app.app_context():
        with db.writing():
            db.session.execute(text("SELECT count(*) FROM registration")).scalar()
            # Only a read so far, yet no other writer can get in between: BEGIN IMMEDIATE.
            assert _other_writer_is_locked_out(app)
            db.session.rollback()
        assert not _other_writer_is_locked_out(app)


def test_a_reading_transaction_does_not_block_writers(app: Flask) -> None:
    with app.app_context():
        db.session.execute(text("SELECT count(*) FROM registration")).scalar()
        assert not _other_writer_is_locked_out(app)
        db.session.rollback()


def test_a_post_request_declares_write_intent(app: Flask) -> None:
    seen: list[bool] = []

    @app.post("/_test_write_intent")
    def probe() -> str:
        db.session.execute(text("SELECT 1")).scalar()
        seen.append(_other_writer_is_locked_out(app))
        db.session.rollback()
        return "ok"

    @app.get("/_test_read_intent")
    def probe_get() -> str:
        db.session.execute(text("SELECT 1")).scalar()
        seen.append(_other_writer_is_locked_out(app))
        db.session.rollback()
        return "ok"

    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.post("/_test_write_intent").status_code == 200
    assert client.get("/_test_read_intent").status_code == 200

    assert seen == [True, False]


def test_a_locked_database_makes_writers_wait_then_fail_without_storing(app: Flask) -> None:
    import time

    blocker = sqlite3.connect(sqlite_file(app), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with app.app_context():
            started = time.monotonic()
            with pytest.raises(OperationalError) as raised:
                with db.writing():
                    db.session.execute(
                        text(
                            "INSERT INTO postcode_area (pc4, municipality_code, place_names) VALUES ('0002', "
                            "'GM0503', '')"
                        )
                    )
            waited = time.monotonic() - started
            db.rollback_quietly()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "locked" in str(raised.value)
    assert waited >= 0.9  # it waited for the busy timeout (1 s in tests) before giving up
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM postcode_area WHERE pc4 = '0002'")).scalar() == 0


def test_a_failed_commit_raises_database_unavailable_and_stores_nothing(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        session = db.session.registry()
        real_commit = session.commit

        def failing_commit() -> None:
            raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

        db.session.execute(
            text(
                "INSERT INTO postcode_area (pc4, municipality_code, place_names) VALUES ('0002', 'GM0503', 'ZZCANARY')"
            )
        )
        monkeypatch.setattr(session, "commit", failing_commit)
        with pytest.raises(DatabaseUnavailable) as raised:
            db.commit()
        monkeypatch.setattr(session, "commit", real_commit)

        assert "ZZCANARY" not in str(raised.value)
        assert raised.value.__cause__ is None
        # The half-done change was rolled back and the session works again.
        assert db.session.execute(text("SELECT count(*) FROM postcode_area WHERE pc4 = '0002'")).scalar() == 0


def test_a_database_gone_while_the_page_is_sent_never_turns_it_into_a_server_error(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in production: PostgreSQL restarted after the confirmation page was rendered; closing
    the request's session rolled back on the dead connection and gunicorn answered 500."""
    from sqlalchemy.orm import Session

    from balie.database import _AppSession

    closed: list[int] = []

    def close_on_a_dead_connection(self: Session) -> None:
        closed.append(1)
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

    client = app.test_client()
    monkeypatch.setattr(_AppSession, "close", close_on_a_dead_connection)
    page = client.get("/sociale-kaart?q=schulden")  # a page that reads from the database
    monkeypatch.undo()

    assert closed and page.status_code == 200
    assert client.get("/sociale-kaart?q=schulden").status_code == 200, "the next request gets a fresh session"
