"""Helpers for the staff-side tests: the session cookie, CSRF tokens, registrations by id,
access-log rows, mail in the outbox folder and recognising "you are sent to log in"."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import select

from balie.extensions import db
from balie.models import AccessLogEntry, Registration, UserSession
from tests.support.pages import Page
from tests.support.registration import register

SESSION_COOKIE = "balie_session"
LOGIN_PATHS = ("/inloggen", "/inloggen/code", "/inloggen/tweede-factor")


def csrf_token(client: Any) -> str:
    """A CSRF token for this browser, read from a public form every visitor can open."""
    return Page(client.get("/wachtwoord-vergeten")).hidden("csrf_token")


def cookie_value(client: Any) -> str | None:
    cookie = client.get_cookie(SESSION_COOKIE)
    return cookie.value if cookie is not None else None


def session_data(app: Flask, client: Any) -> dict[str, Any]:
    """What the signed Flask session cookie holds (empty when there is none)."""
    value = cookie_value(client)
    if not value:
        return {}
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return dict(serializer.loads(value))


def sid(app: Flask, client: Any) -> str | None:
    return session_data(app, client).get("sid")


def copy_browser(app: Flask, client: Any) -> Any:
    """A fresh browser that holds only a copy of the session cookie (a stolen cookie)."""
    thief = app.test_client()
    value = cookie_value(client)
    assert value, "the browser has no session cookie to copy"
    thief.set_cookie(SESSION_COOKIE, value)
    return thief


def location_path(response: Any) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def sent_to_login(response: Any) -> bool:
    """A redirect to the log-in page (or its second-factor steps)."""
    return response.status_code in (302, 303) and location_path(response) in LOGIN_PATHS


def registration_ids(app: Flask, organisation_id: str | None = None) -> set[str]:
    with app.app_context():
        query = select(Registration.id)
        if organisation_id:
            query = query.where(Registration.organisation_id == organisation_id)
        return set(db.session.scalars(query))


def register_id(app: Flask, client: Any, **answers: Any) -> str:
    """A parent registers through the public form; returns the new registration's id."""
    before = registration_ids(app)
    page = register(client, **answers)
    assert page.status == 200
    (new,) = registration_ids(app) - before
    return new


def registration(app: Flask, registration_id: str) -> Registration:
    with app.app_context():
        found = db.session.get(Registration, registration_id)
        assert found is not None
        db.session.expunge(found)
        return found


def access_rows(app: Flask, **where: Any) -> list[AccessLogEntry]:
    """Access-log rows, oldest first, filtered on column values."""
    with app.app_context():
        query = select(AccessLogEntry).order_by(AccessLogEntry.seq)
        for column, value in where.items():
            query = query.where(getattr(AccessLogEntry, column) == value)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def access_count(app: Flask) -> int:
    return len(access_rows(app))


def open_sessions(app: Flask, user_id: str) -> list[UserSession]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            )
        )
        db.session.expunge_all()
        return rows


# --- mail ------------------------------------------------------------------------------


def send_outbox(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def mails(app: Flask) -> list[EmailMessage]:
    """Every mail the file transport wrote, oldest first."""
    folder = Path(app.config["MAIL_DIR"])
    if not folder.exists():
        return []
    files = sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in files
    ]


def mails_to(app: Flask, address: str) -> list[EmailMessage]:
    return [mail for mail in mails(app) if address.casefold() in str(mail["To"]).casefold()]


def body(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def links(mail: EmailMessage, base_url: str) -> list[str]:
    """The paths of the links to this desk in a mail."""
    found = re.findall(re.escape(base_url.rstrip("/")) + r"(/[^\s]*)", body(mail))
    return found


def only(items: Iterable[Any]) -> Any:
    items = list(items)
    assert len(items) == 1, items
    return items[0]
