"""Error pages for 400/403/404/405/413/429/500/503. They never raise and never leak details.

An unexpected error is logged with its type, a stack of code locations and an incident id —
never the exception's message, which may quote user input. The page shows the incident id.
"""

from __future__ import annotations

import logging
import secrets
import traceback

from flask import Flask, has_request_context, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from balie.database import DatabaseUnavailable
from balie.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something went wrong with your request"), _l("Please go back and try again.")),
    403: (_l("No access"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("Check the web address, or go to the home page.")),
    405: (_l("This does not work here"), _l("Please go back and use the buttons on the page.")),
    413: (_l("Too much information at once"), _l("What you sent is too large. Please shorten it and try again.")),
    429: (
        _l("Too many attempts"),
        _l("There were too many attempts from your connection. Please wait a little while and try again."),
    ),
    500: (_l("Sorry, something went wrong on our side"), _l("Please try again later.")),
    503: (
        _l("Not saved — please try again"),
        _l("We could not save this just now. Nothing has been saved. Please try again in a minute."),
    ),
}
# A page that only shows something (GET) saved nothing, so it does not say "not saved".
UNAVAILABLE_TO_SHOW = (
    _l("This page cannot be shown just now"),
    _l("Something on our side is not working at the moment. Please try again in a minute."),
)


def code_locations(exc: BaseException) -> str:
    """The traceback without the exception message (which may hold user input)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return " <- ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" for frame in reversed(frames))


def note_database_failure(exc: BaseException) -> None:
    """Log a failing database (the kind and where, never its message: it may hold user input) and roll back."""
    log.error("database error %s at %s", type(exc).__name__, code_locations(exc))
    db.rollback_quietly()


def render_error(status: int, incident: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(status, MESSAGES[500])
    if status == 503 and has_request_context() and request.method in ("GET", "HEAD"):
        title, message = UNAVAILABLE_TO_SHOW
    try:
        return render_template(
            "errors/error.html", status=status, title=title, message=message, incident=incident
        ), status
    except Exception as exc:  # noqa: BLE001 - the error page itself must never fail
        log.error("error page failed: %s", type(exc).__name__)
        return f"Error {status}", status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[str, int]:
        return render_error(exc.code or 500)

    @app.errorhandler(CSRFError)
    def _csrf_error(_exc: CSRFError) -> tuple[str, int]:
        log.info("csrf token rejected")
        return render_error(400)

    @app.errorhandler(DatabaseUnavailable)
    def _database_unavailable(_exc: DatabaseUnavailable) -> tuple[str, int]:
        db.rollback_quietly()
        return render_error(503)

    @app.errorhandler(DBAPIError)
    @app.errorhandler(SQLAlchemyError)
    def _database_error(exc: Exception) -> tuple[str, int]:
        note_database_failure(exc)
        return render_error(503)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        incident = secrets.token_hex(4)
        log.error("unexpected %s [incident %s] at %s", type(exc).__name__, incident, code_locations(exc))
        db.rollback_quietly()
        return render_error(500, incident)
