"""The database: one engine per app, one session per app context, SQLite set up as a real database.

SQLite is opened with WAL, ``synchronous=FULL`` (a confirmed registration survives a power
cut), a busy timeout, foreign keys and ``secure_delete`` (purged data is overwritten in the
file). A request or command that intends to write starts its transaction with
``BEGIN IMMEDIATE``, so it waits for the write lock up front instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g
from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session, sessionmaker

log = logging.getLogger(__name__)

_write_intent: ContextVar[bool] = ContextVar("balie_write_intent", default=False)

ENGINE_KEY = "balie.db.engine"
SESSION_INFO_KEY = "balie.db.session_info"  # app.extensions: what every session of the app starts with
WRITES_ON_GET = "_balie_writes_on_get"
F = TypeVar("F", bound=Callable[..., Any])


class DatabaseUnavailable(Exception):
    """The database is locked, full, read-only or unreachable. Nothing was stored."""

    def __init__(self) -> None:
        super().__init__("the database could not store the change")


def _app_context_id() -> int:
    from flask.globals import app_ctx

    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


class _AppSession(Session):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Settings the app hands its sessions, e.g. the key that signs access-log rows.
        self.info.update(current_app.extensions.get(SESSION_INFO_KEY, {}))

    def get_bind(self, mapper: Any = None, clause: Any = None, **kwargs: Any) -> Engine:
        return current_app.extensions[ENGINE_KEY]


def make_engine(url: str, busy_timeout_ms: int = 5000) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, hide_parameters=True)
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver; the "begin" hook below issues BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            f"busy_timeout={int(busy_timeout_ms)}",
            "foreign_keys=ON",
            "secure_delete=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def truncate_wal(engine: Engine) -> None:
    """SQLite: fold the WAL into the database file and empty it, so purged pages leave the WAL too."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def affected(result: Result[Any]) -> int:
    """The number of rows an UPDATE or DELETE changed (0 when the driver does not say)."""
    return cast("CursorResult[Any]", result).rowcount or 0


class Database:
    """Unbound until init_app; ``db.session`` is the session of the current app context."""

    def __init__(self) -> None:
        self._scoped: scoped_session[Session] = scoped_session(
            sessionmaker(class_=_AppSession, expire_on_commit=False), scopefunc=_app_context_id
        )
        # Typed as the Session it stands for: services take a Session, and the scoped proxy passes
        # every call on to the session of the current app context (``remove`` stays reachable at
        # run time; here it is `remove_quietly`).
        self.session: Session = cast("Session", self._scoped)

    def init_app(self, app: Flask) -> None:
        app.extensions[ENGINE_KEY] = make_engine(app.config["DATABASE_URL"], int(app.config["SQLITE_BUSY_TIMEOUT_MS"]))

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.remove_quietly()

        @app.before_request
        def _declare_write_intent() -> None:
            from flask import request

            view = app.view_functions.get(request.endpoint or "")
            if request.method not in {"GET", "HEAD", "OPTIONS"} or getattr(view, WRITES_ON_GET, False):
                g.balie_write_token = _write_intent.set(True)

        @app.teardown_request
        def _clear_write_intent(_exc: BaseException | None) -> None:
            token = g.pop("balie_write_token", None)
            if token is not None:
                _write_intent.reset(token)

    @property
    def engine(self) -> Engine:
        return current_app.extensions[ENGINE_KEY]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @staticmethod
    def writes(view: F) -> F:
        """Mark a GET view that writes (e.g. an access-log row): its transaction takes the lock first."""
        setattr(view, WRITES_ON_GET, True)
        return view

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """For commands and workers: transactions started inside begin with the write lock."""
        token = _write_intent.set(True)
        try:
            yield
        finally:
            _write_intent.reset(token)

    def commit(self) -> None:
        """Commit, turning database failures into DatabaseUnavailable after a safe rollback."""
        try:
            self.session.commit()
        except (DBAPIError, SQLAlchemyError) as exc:
            log.error("commit failed: %s", type(exc).__name__)
            self.rollback_quietly()
            raise DatabaseUnavailable() from None

    def remove_quietly(self) -> None:
        """End the context's session without ever raising. The page is rendered by now: a database
        that went away meanwhile (closing rolls back on a dead connection) must not turn it into
        a server error. The session is dropped either way, never left for a later context."""
        try:
            self._scoped.remove()
        except Exception as exc:  # noqa: BLE001 - the connection may be gone; drop it.
            log.warning("closing the database session failed: %s", type(exc).__name__)
            with contextlib.suppress(Exception):
                self.session.invalidate()
            self._scoped.registry.clear()

    def rollback_quietly(self) -> None:
        """Roll back without ever raising: an error handler must not fail itself."""
        try:
            self.session.rollback()
        except Exception as exc:  # noqa: BLE001 - the connection may be gone; drop it.
            log.warning("rollback failed: %s", type(exc).__name__)
            with contextlib.suppress(Exception):
                self.session.invalidate()
            with contextlib.suppress(Exception):
                self._scoped.remove()
