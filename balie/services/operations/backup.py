"""Backups of the database and their restore into an empty database.

SQLite: an online copy with SQLite's backup API (what the sqlite3 shell's ``.backup`` does),
taken inside one read transaction, so it is consistent while the app goes on writing (WAL).
PostgreSQL: ``pg_dump --format=custom`` on a snapshot exported from our own transaction, so the
row counts printed with a backup describe exactly the rows in it. Restores go into an empty
database only; afterwards the schema is brought to the newest revision and the purge runs,
so personal data that expired since the backup is gone before the app serves a request.
Backup files are created readable by their owner only (mode 0600).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from balie import migrate
from balie.crypto import KeyRing
from balie.database import make_engine
from balie.services.audit import access_log
from balie.services.operations import postgres_tools, retention
from balie.services.operations.postgres_tools import ToolFailed, safe_url
from balie.services.operations.table_checksums import TableFigure, table_figures

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
_SQLITE_HEADER = b"SQLite format 3\x00"
_PG_DUMP_HEADER = b"PGDMP"
_PRIVATE = 0o600


class BackupError(Exception):
    """The backup or restore could not be done. The message is safe to print (no data, no password)."""


class RestoreRefused(BackupError):
    """The target database is not empty (or not a database of the backup's kind)."""


@dataclass(frozen=True)
class BackupResult:
    file: Path
    size: int  # bytes
    tables: dict[str, TableFigure]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(figure.rows for figure in self.tables.values())


@dataclass(frozen=True)
class RestoreResult:
    dialect: str
    target: str  # the target URL without its password
    seconds: float


@dataclass(frozen=True)
class ReadyResult:
    schema_before: str | None
    schema_after: str | None
    purge: retention.PurgeResult


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("a SQLite backup or restore needs a database file: sqlite:///path/to/file")
    return Path(database)


def _private_new_file(path: Path) -> None:
    """Create `path` empty and readable by its owner only; refuse to overwrite anything."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _PRIVATE))
    except FileExistsError:
        raise BackupError(f"{path} exists already: choose a new file name") from None
    except OSError as exc:
        raise BackupError(f"cannot create {path}: {exc.strerror}") from None


@contextlib.contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection in one read transaction: everything read through it is one consistent state."""
    with engine.connect() as connection:
        if engine.dialect.name == POSTGRESQL:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # The snapshot starts here. SQLite starts it only when the file is read: read the schema.
            first_read = "SELECT COUNT(*) FROM sqlite_master" if engine.dialect.name == SQLITE else "SELECT 1"
            connection.exec_driver_sql(first_read)
            yield connection


def write_backup(connection: Connection, file: Path) -> int:
    """Write what `connection` (inside snapshot()) sees into the new `file`; returns its size."""
    if file.exists():
        raise BackupError(f"{file} exists already: choose a new file name")
    partial = file.with_name(file.name + ".partial")
    _private_new_file(partial)
    try:
        if connection.dialect.name == SQLITE:
            _sqlite_backup(connection, partial)
        elif connection.dialect.name == POSTGRESQL:
            exported = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            postgres_tools.run(
                "pg_dump", connection.engine.url, ["--format=custom", f"--snapshot={exported}", f"--file={partial}"]
            )
        else:
            raise BackupError(f"no backup for {connection.dialect.name} databases")
        if file.exists():
            raise BackupError(f"{file} exists already: choose a new file name")
        os.replace(partial, file)
    except ToolFailed as failed:
        raise BackupError(str(failed)) from None
    finally:
        partial.unlink(missing_ok=True)
    return file.stat().st_size


def _sqlite_backup(connection: Connection, target: Path) -> None:
    source: sqlite3.Connection = connection.connection.driver_connection  # type: ignore[assignment]
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step, inside the snapshot's read transaction
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()


def create(engine: Engine, file: Path) -> BackupResult:
    """Back up the database of `engine` into the new `file`, with its row count per table."""
    started = time.perf_counter()
    with snapshot(engine) as connection:
        size = write_backup(connection, file)
        tables = table_figures(connection)
    return BackupResult(file, size, tables, time.perf_counter() - started)


def backup_kind(file: Path) -> str:
    """Which database a backup file is for, from its first bytes."""
    with open(file, "rb") as handle:
        head = handle.read(len(_SQLITE_HEADER))
    if head.startswith(_SQLITE_HEADER):
        return SQLITE
    if head.startswith(_PG_DUMP_HEADER):
        return POSTGRESQL
    raise BackupError(f"{file} is neither a SQLite database nor a pg_dump custom-format file")


def _check_empty_sqlite(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
            objects = connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError:
        raise RestoreRefused(f"{path} exists and is not an empty SQLite database: nothing was restored") from None
    if objects:
        raise RestoreRefused(f"{path} is not empty ({objects} tables, indexes or triggers): nothing was restored")


_PG_USER_OBJECTS = """
SELECT (SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%')
     + (SELECT COUNT(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))
"""


def _check_empty_postgresql(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            objects = int(connection.execute(text(_PG_USER_OBJECTS)).scalar_one())
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot open the target database ({type(exc).__name__}): create it, empty, first") from None
    finally:
        engine.dispose()
    if objects:
        raise RestoreRefused(
            f"the target database is not empty ({objects} tables, sequences or functions): nothing was restored"
        )


def restore(file: Path, target_url: str) -> RestoreResult:
    """Restore `file` into the EMPTY database at `target_url` (RestoreRefused when it is not empty)."""
    started = time.perf_counter()
    kind = backup_kind(file)
    target_kind = make_url(target_url).get_backend_name()
    if kind != target_kind:
        raise RestoreRefused(f"{file} is a {kind} backup: restore it into a {kind} database, not {target_kind}")
    if kind == SQLITE:
        path = _sqlite_path(target_url)
        _check_empty_sqlite(path)
        _sqlite_restore(file, path)
    else:
        _check_empty_postgresql(target_url)
        try:
            postgres_tools.run("pg_restore", target_url, ["--no-owner", "--single-transaction", str(file)])
        except ToolFailed as failed:
            raise BackupError(f"{failed} (the target was left as it was)") from None
    return RestoreResult(kind, safe_url(target_url), time.perf_counter() - started)


def _sqlite_restore(file: Path, path: Path) -> None:
    if not path.exists():
        _private_new_file(path)
    with contextlib.closing(sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)) as source:
        with contextlib.closing(sqlite3.connect(path)) as copy:
            source.backup(copy)
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise BackupError(f"the restored copy in {path} fails SQLite's integrity check")


@contextlib.contextmanager
def open_database(url: str, audit_keys: KeyRing, busy_timeout_ms: int = 5000) -> Iterator[Session]:
    """A session on another database than the app's (a restored copy), closed afterwards. Rows it
    adds to the access log (the purge after a restore) are signed with `audit_keys`."""
    engine = make_engine(url, busy_timeout_ms)
    session = Session(bind=engine, expire_on_commit=False, info={access_log.SIGNING_KEYS: audit_keys})
    try:
        yield session
    finally:
        session.close()
        engine.dispose()


def make_ready(session: Session, now: datetime, today: date, days_after_close: int) -> ReadyResult:
    """After a restore: schema to the newest revision, then purge what expired since the backup."""
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        raise TypeError("the session must be bound to an engine, not a connection")
    before = migrate.current_revision(engine)
    if before != migrate.head_revision():
        migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    return ReadyResult(before, after, retention.purge(session, now, today, days_after_close))
