"""The backup and restore drill: prove that a backup of the running database can be brought back.

One run backs the database up, restores the backup into a fresh empty database (SQLite: a
temporary file; PostgreSQL: a new database ``balie_drill_<random>`` on the same server) and
checks the restored copy: schema at the newest revision, the access log's chain intact, every
registration's personal fields readable with the configured keys, the same rows in every
table as the source (row counts and HMAC checksums, keyed with a random key of this run), no
plaintext personal value in the backup file, the purge removing what has expired, and search
indexes rebuilt from the copy holding as many documents as indexes built from the source.

The source is only read: its figures come from the same read transaction the backup is taken
in, so they match the backup even while the app goes on writing. The drill owns the restored
copy (it commits the purge there) and removes it afterwards unless asked to keep it.
Nothing it reports contains personal data: only counts, table names, seconds and check names.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from balie import migrate
from balie.crypto import KeyRing
from balie.models import Registration
from balie.models.registration import PERSONAL_FIELDS
from balie.search.engine import LiveIndex
from balie.services.audit import access_log
from balie.services.operations import backup, postgres_tools, retention
from balie.services.operations.table_checksums import TableFigure, differences, table_figures
from balie.services.registrations import personal_data

CHECKS = ("backup", "restore", "schema", "access-log", "decrypt", "tables", "plaintext", "purge", "search-index")
# Fields whose values are searched for in the backup file: identifying, rarely found elsewhere.
SCANNED_FIELDS = ("name", "phone", "email", "address")
SCAN_MIN_CHARS = 8
SCAN_VALUES = 20
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DrillSettings:
    keys: KeyRing  # the keys the restored copy must be readable with
    audit_keys: KeyRing  # the keys its access log must verify with (and the purge signs with)
    purge_days_after_close: int
    now: datetime
    today: date
    # A private set of every search index in a folder (not this node's copy).
    make_indexes: Callable[[Path], Sequence[LiveIndex]]
    folder: Path | None = None  # where the temporary folder goes (default: the system's)
    keep: bool = False  # keep the backup file and the restored copy
    busy_timeout_ms: int = 5000


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # figures only, never personal data
    seconds: float


@dataclass(frozen=True)
class DrillReport:
    dialect: str
    checks: tuple[Check, ...]
    seconds: float  # the whole drill, clean-up included
    kept: tuple[str, ...] = ()  # what --keep left behind (paths, URL without password)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks) and len(self.checks) == len(CHECKS)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(check.name for check in self.checks if not check.ok)

    @property
    def not_run(self) -> tuple[str, ...]:
        """Checks left out because an earlier step (backup, restore) failed."""
        done = {check.name for check in self.checks}
        return tuple(name for name in CHECKS if name not in done)


def _access_log_intact(session: Session, audit_keys: KeyRing) -> tuple[bool, str]:
    # The one place the drill asks the access log about its chain. No exported head: the copy is
    # the backup's moment, and this node's head may be later (rows written since).
    result = access_log.verify(session, audit_keys)
    if result.ok:
        return True, f"{result.rows} rows, chain intact"
    return False, f"{result.rows} rows, chain broken at seq {', '.join(map(str, result.broken[:10]))}"


def _schema(session: Session) -> tuple[bool, str]:
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        raise TypeError("the session must be bound to an engine, not a connection")
    current, head = migrate.current_revision(engine), migrate.head_revision()
    return current == head, f"at {current}" if current == head else f"at {current}, the code expects {head}"


def _usable_sample(value: str | None) -> bytes | None:
    if value is None or len(value) < SCAN_MIN_CHARS or "\\" in value or any(ord(c) < 32 for c in value):
        return None
    return value.encode("utf-8")


def _chunks_of(file: Path) -> Iterator[bytes]:
    with open(file, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def _found(chunks: Iterable[bytes], needles: Sequence[bytes]) -> set[int]:
    """Which needles (by position) occur in the stream, also across chunk borders."""
    overlap = max((len(n) for n in needles), default=1) - 1
    found: set[int] = set()
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        found.update(i for i, needle in enumerate(needles) if i not in found and needle in window)
        tail = window[-overlap:] if overlap else b""
    return found


def _still_sealed_after_purge(session: Session) -> int:
    sealed = [getattr(Registration, f"{name}_sealed").is_not(None) for name in PERSONAL_FIELDS]
    query = select(func.count()).select_from(Registration).where(Registration.purged_at.is_not(None), or_(*sealed))
    return session.scalar(query) or 0


class _Drill:
    """One run: the source's figures from the backup's snapshot, the restored copy, the checks."""

    def __init__(self, engine: Engine, settings: DrillSettings) -> None:
        self.engine, self.settings, self.dialect = engine, settings, engine.dialect.name
        if settings.folder is not None:
            settings.folder.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix="balie-drill-", dir=settings.folder))  # mode 0700
        self.file = self.folder / ("balie.sqlite3" if self.dialect == backup.SQLITE else "balie.dump")
        self.key = secrets.token_bytes(32)  # for the table checksums; lives as long as this run
        self.target: str | None = None  # URL of the restored copy (with its password: never printed)
        self.source_tables: dict[str, TableFigure] = {}
        self.source_documents: dict[str, int] = {}
        self.source_index_seconds = 0.0
        self.samples: list[bytes] = []  # decrypted personal values to search the backup for: never printed
        self.checks: list[Check] = []

    def step(self, name: str, action: Callable[[], tuple[bool, str]], moved: Callable[[], float] = lambda: 0.0) -> bool:
        """Run one check and time it; `moved` is time spent in it on behalf of a later check."""
        started = time.perf_counter()
        try:
            ok, detail = action()
        except (backup.BackupError, postgres_tools.ToolFailed) as error:
            ok, detail = False, str(error)
        except SQLAlchemyError as error:  # its message may quote SQL: name the kind only
            ok, detail = False, f"database error ({type(error).__name__})"
        except OSError as error:
            ok, detail = False, f"{type(error).__name__}: {error.strerror}"
        self.checks.append(Check(name, ok, detail, time.perf_counter() - started - moved()))
        return ok

    def index_documents(self, session: Session, folder: str) -> dict[str, int]:
        return {live.spec.name: live.rebuild(session) for live in self.settings.make_indexes(self.folder / folder)}

    def take_backup(self) -> tuple[bool, str]:
        with backup.snapshot(self.engine) as connection:
            size = backup.write_backup(connection, self.file)
            self.source_tables = table_figures(connection, self.key)
            started = time.perf_counter()
            with Session(bind=connection) as session:
                self.source_documents = self.index_documents(session, "source-index")
            self.source_index_seconds = time.perf_counter() - started
        rows = sum(figure.rows for figure in self.source_tables.values())
        return True, f"{size / 1e6:.1f} MB, {len(self.source_tables)} tables, {rows} rows"

    def restore(self) -> tuple[bool, str]:
        if self.dialect == backup.SQLITE:
            self.target = f"sqlite:///{self.folder / 'restored.sqlite3'}"
        else:
            self.target = postgres_tools.create_scratch_database(self.engine.url).render_as_string(hide_password=False)
        return True, f"into {backup.restore(self.file, self.target).target}"

    def decrypt(self, session: Session) -> tuple[bool, str]:
        keys = self.settings.keys
        readable = unreadable = 0
        query = select(Registration).where(Registration.purged_at.is_(None)).execution_options(yield_per=500)
        for registration in session.scalars(query):
            details = personal_data.open_details(registration, keys)
            if details.unreadable:
                unreadable += 1
                continue
            readable += 1
            if len(self.samples) < SCAN_VALUES:
                found = [sample for sample in (_usable_sample(getattr(details, n)) for n in SCANNED_FIELDS) if sample]
                self.samples.extend(found[: SCAN_VALUES - len(self.samples)])
        session.expunge_all()
        detail = f"{readable} registrations readable, {unreadable} unreadable"
        if unreadable:
            detail += f" (keys configured: {', '.join(keys.key_ids)})"
        return unreadable == 0, detail

    def tables(self, session: Session) -> tuple[bool, str]:
        copied = table_figures(session.connection(), self.key)
        session.rollback()
        differ = differences(self.source_tables, copied)
        if differ:
            return False, f"rows differ from the source in: {', '.join(differ)}"
        rows = sum(figure.rows for figure in copied.values())
        return True, f"{len(copied)} tables, {rows} rows: counts and keyed checksums equal to the source"

    def plaintext(self) -> tuple[bool, str]:
        needles, self.samples = self.samples, []
        if not needles:
            return True, "no personal values to search for (no readable registrations)"
        found = _found(_chunks_of(self.file), needles)
        where = "the file"
        if self.dialect == backup.POSTGRESQL:  # the dump's data is compressed: search its SQL text too
            found |= _found(postgres_tools.dump_as_sql(self.file), needles)
            where = "the file or its SQL text"
        if found:
            return False, f"{len(found)} of {len(needles)} personal values searched for are in {where} in plaintext"
        return True, f"{len(needles)} personal values searched for: none in {where}"

    def purge(self, session: Session) -> tuple[bool, str]:
        args = (self.settings.now, self.settings.today, self.settings.purge_days_after_close)
        due = len(retention.due_for_purge(session, *args))
        result = retention.purge(session, *args)
        session.commit()
        left = len(retention.due_for_purge(session, *args))
        kept_data = _still_sealed_after_purge(session)
        session.expunge_all()
        ok = result.registrations == due and left == 0 and kept_data == 0
        detail = f"{result.registrations} of {due} expired registrations purged, {left} still due"
        return ok, detail + (f", {kept_data} purged but still holding personal data" if kept_data else "")

    def search_indexes(self, session: Session) -> tuple[bool, str]:
        rebuilt = self.index_documents(session, "restored-index")
        session.rollback()
        shown = ", ".join(f"{name} {rebuilt.get(name, 0)}/{count}" for name, count in self.source_documents.items())
        return rebuilt == self.source_documents, f"documents rebuilt/source: {shown}"

    def run(self) -> None:
        # The source's indexes are built in the backup's snapshot: that time counts for search-index.
        if not self.step("backup", self.take_backup, lambda: self.source_index_seconds):
            return
        if not self.step("restore", self.restore):
            return
        if self.target is None:
            raise RuntimeError("the drill has no restored database to check")
        with backup.open_database(self.target, self.settings.audit_keys, self.settings.busy_timeout_ms) as session:
            self.step("schema", lambda: _schema(session))
            self.step("access-log", lambda: _access_log_intact(session, self.settings.audit_keys))
            self.step("decrypt", lambda: self.decrypt(session))
            self.step("tables", lambda: self.tables(session))
            self.step("plaintext", self.plaintext)
            self.step("purge", lambda: self.purge(session))
            self.step("search-index", lambda: self.search_indexes(session), lambda: -self.source_index_seconds)

    def clean_up(self) -> tuple[str, ...]:
        """Remove the backup file and the restored copy, or say where they are kept."""
        self.samples = []
        if self.settings.keep:
            kept = [f"backup file: {self.file}"]
            if self.target is not None:
                kept.append(f"restored copy: {postgres_tools.safe_url(self.target)}")
            return tuple(kept)
        if self.target is not None and self.dialect == backup.POSTGRESQL:
            postgres_tools.drop_scratch_database(self.target)
        shutil.rmtree(self.folder, ignore_errors=True)
        return ()


def run(engine: Engine, settings: DrillSettings) -> DrillReport:
    """The whole drill against the database of `engine`; the report names every failed check."""
    started = time.perf_counter()
    if engine.dialect.name not in (backup.SQLITE, backup.POSTGRESQL):
        failed = Check("backup", False, f"no backup for {engine.dialect.name} databases", 0.0)
        return DrillReport(engine.dialect.name, (failed,), 0.0)
    drill = _Drill(engine, settings)
    try:
        drill.run()
    finally:
        kept = drill.clean_up()
    return DrillReport(drill.dialect, tuple(drill.checks), time.perf_counter() - started, kept)
