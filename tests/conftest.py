"""Fixtures: an app on a fresh copy of a migrated SQLite database, its client and CLI runner,
the same on a throwaway PostgreSQL server, and live servers for browser and load tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask

from balie import create_app
from balie.extensions import db
from balie.services.accounts import passwords
from tests.support.chromium import launch_args
from tests.support.databases import PostgresServer, copy_sqlite, initialise, sqlite_template

TEST_SECRET = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"


def make_app(database_url: str, folder: Path, **overrides: Any) -> Flask:
    settings = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "MAIL_DIR": str(folder / "mail"),
        "SECRET_KEY": TEST_SECRET,
        # Each test app keeps its search indexes in its own folder, never in the repository's instance/.
        "SEARCH_INDEX_DIR": str(folder / "search"),
        # ... and its access-log head next to its database: a head belongs to one log.
        "AUDIT_HEAD_FILE": str(folder / "audit-head.json"),
        **overrides,
    }
    return create_app(settings)


@pytest.fixture(scope="session")
def sqlite_template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    """A throwaway PostgreSQL server for the whole run, with a migrated template database."""
    if os.environ.get("BALIE_TEST_POSTGRES") == "off":
        yield None
        return
    try:
        server = PostgresServer().start()
    except (RuntimeError, OSError) as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        server.sql("CREATE DATABASE balie_template")
        initialise(server.url("balie_template"), server.folder / "mail")
        yield server
    finally:
        server.stop()


@pytest.fixture
def app(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    application = make_app(copy_sqlite(sqlite_template_path, tmp_path / "balie.sqlite3"), tmp_path)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_app(request: pytest.FixtureRequest, sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = copy_sqlite(sqlite_template_path, tmp_path / "balie.sqlite3")
    else:
        server = request.getfixturevalue("postgres")
        if server is None:
            pytest.skip("PostgreSQL tests switched off")
        url = server.url(server.create_database(template="balie_template"))
    application = make_app(url, tmp_path)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


# argon2id as in production costs ~0.1 s per hash on this machine, and the suite logs in hundreds
# of times. Tests use a light profile of the same algorithm, except where the profile itself is
# what is tested (marker real_password_hashing) and in every real server the tests start
# (gunicorn subprocesses: the production stack, the concurrency and rate-limit tests).
LIGHT_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
LIGHT_DUMMY_HASH = LIGHT_HASHER.hash("balie-dummy-password-for-timing")


@pytest.fixture(autouse=True)
def _light_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_password_hashing"):
        return
    monkeypatch.setattr(passwords, "_HASHER", LIGHT_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", LIGHT_DUMMY_HASH)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright launches Debian's Chromium (never a downloaded browser)."""
    return launch_args()


@pytest.fixture(autouse=True)
def _audit_head_outside_the_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Apps a test starts in another process (gunicorn) export the access-log head to the test's
    folder, never to the repository's instance/ where it would describe another database."""
    monkeypatch.setenv("BALIE_AUDIT_HEAD_FILE", str(tmp_path / "audit-head.json"))


@pytest.fixture(autouse=True)
def _loopback_smtp_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may talk to a mail server other than one it started on 127.0.0.1."""
    import smtplib

    original = smtplib.SMTP.connect

    def connect(self: smtplib.SMTP, host: str = "localhost", port: int = 0, source_address: Any = None) -> Any:
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise AssertionError("a test tried to reach a mail server outside this machine")
        return original(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", connect)
