"""Who is logged in, with which roles, and what they may do (by permission, from roles.ROLE_TABLE).

The session cookie carries a random token; the server keeps its hash (UserSession). Every
request looks the session up, so logging out, a time-out or an administrator ends it for a
copied cookie too. A user who gave only a password (second factor pending) is not logged in.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, request, session
from flask_login import current_user
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from balie import security_log
from balie.domain import roles as role_table
from balie.domain.roles import Permission, Scope
from balie.extensions import db, login_manager
from balie.models import RoleGrant, User, UserSession
from balie.models.base import utcnow
from balie.services.accounts import sessions
from balie.services.audit.access_log import Actor

SESSION_KEY = "sid"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal:
    """The logged-in user as Flask-Login sees them."""

    user: User
    record: UserSession

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.user.id

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role_codes(self) -> tuple[str, ...]:
        return tuple(grant.role for grant in self.user.roles)

    def can(self, permission: Permission | str) -> bool:
        """Whether one of the user's roles gives this permission (roles.ROLE_TABLE)."""
        return Permission(permission) in role_table.permissions(self.role_codes)

    def _scoped(self, permission: Permission, scope: Scope) -> list[RoleGrant]:
        """The grants that give a permission for a scope of this kind (an organisation, a gemeente …)."""
        return [
            grant
            for grant in self.user.roles
            if role_table.grants_permission(grant.role, permission) and role_table.scope_of(grant.role) is scope
        ]

    def organisations(self, permission: Permission) -> frozenset[str]:
        """The organisations for which this user has the permission (her organisation-scoped grants)."""
        return frozenset(g.organisation_id for g in self._scoped(permission, Scope.ORGANISATION) if g.organisation_id)

    def municipalities(self, permission: Permission) -> frozenset[str]:
        """The gemeenten for which this user has the permission (her gemeente-scoped grants)."""
        grants = self._scoped(permission, Scope.MUNICIPALITY)
        return frozenset(g.municipality_code for g in grants if g.municipality_code)

    @property
    def organisation_ids(self) -> frozenset[str]:
        """The JGZ organisations whose inbox this user works in."""
        return self.organisations(Permission.INBOX)

    @property
    def municipality_codes(self) -> frozenset[str]:
        """The gemeenten whose offerings this user keeps right in the sociale kaart."""
        return self.municipalities(Permission.DIRECTORY_EDIT)

    @property
    def professions(self) -> frozenset[str]:
        """The professions under which this user advises (they decide whether she may refer)."""
        return frozenset(g.profession for g in self._scoped(Permission.ADVICE, Scope.PROFESSION) if g.profession)

    @property
    def needs_mfa(self) -> bool:
        return role_table.needs_second_factor(self.role_codes)


def idle_limit(user: User) -> timedelta:
    config = current_app.config
    sees_personal = role_table.sees_personal_data(g.role for g in user.roles)
    minutes = config["SESSION_IDLE_MINUTES_PERSONAL_DATA"] if sees_personal else config["SESSION_IDLE_MINUTES"]
    return timedelta(minutes=int(minutes))


def access_point(record: UserSession | None) -> str:
    """An HMAC of the client address and the session: links log lines without storing either."""
    material = f"{request.remote_addr}|{record.public_id if record else '-'}"
    return hmac.new(current_app.config["SECRET_KEY"].encode(), material.encode(), hashlib.sha256).hexdigest()[:32]


def actor(role: str, organisation_id: str | None = None) -> Actor:
    principal: Principal = current_user
    return Actor(principal.id, role, organisation_id, access_point(principal.record))


def _end_lookup_transaction() -> None:
    """End the request's transaction so far: it only looked the session up (see register()).

    A request that writes began it with BEGIN IMMEDIATE, so it holds SQLite's write lock; the
    short transaction below, on a second connection, would wait for that lock and fail.
    """
    db.commit()


def _touch(record: UserSession) -> None:
    """Record activity in its own short transaction, at most once a minute."""
    now = utcnow()
    if not sessions.needs_touch(record, now):
        return
    _end_lookup_transaction()
    with db.writing(), db.engine.begin() as connection:
        connection.execute(update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now))
    set_committed_value(record, "last_seen_at", now)  # stored already: nothing for this request to flush


def _end(record: UserSession, reason: str) -> None:
    _end_lookup_transaction()
    with db.writing(), db.engine.begin() as connection:
        connection.execute(
            update(UserSession)
            .where(UserSession.id == record.id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), ended_reason=reason)
        )


def pending_session() -> UserSession | None:
    """The session of someone who gave a password and still owes the second factor."""
    record = sessions.load(db.session, session.get(SESSION_KEY), utcnow())
    return record if record is not None and not record.mfa_passed else None


def _load_principal() -> Principal | None:
    if "balie_principal" in g:
        return g.balie_principal
    g.balie_principal = None
    token = session.get(SESSION_KEY)
    if not token:
        return None
    now = utcnow()
    record = sessions.load(db.session, token, now)
    if record is None:
        session.pop(SESSION_KEY, None)
        return None
    user = record.user
    if not user.is_active:
        return None
    if sessions.is_idle(record, now, idle_limit(user)):
        _end(record, "idle")
        session.pop(SESSION_KEY, None)
        session["session_expired"] = True  # the log-in page the user is sent to says why
        g.balie_session_expired = True
        security_log.event("session_expired", user_id=user.id, reason="idle")
        return None
    if not record.mfa_passed:
        return None
    if role_table.needs_second_factor(g.role for g in user.roles) and not user.has_totp:
        # A role that needs a second factor was given after this login: log in again (and set it up).
        _end(record, "mfa_required")
        session.pop(SESSION_KEY, None)
        return None
    _touch(record)
    g.balie_principal = Principal(user, record)
    return g.balie_principal


def requires(permission: Permission) -> Callable[[F], F]:
    """Logged in (with the second factor where required) and holding a role that gives the permission."""
    wanted = Permission(permission)  # a name the table does not know fails where the view is defined

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(wanted):
                security_log.event("authz_fail", user_id=current_user.id, endpoint=request.endpoint)
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def register(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # our own server-side sessions do this job
    login_manager.request_loader(lambda _request: _load_principal())
    login_manager.user_loader(lambda _user_id: None)

    @app.before_request
    def _look_up_session_first() -> None:
        """Before the request's own work, so recording activity never waits for its write lock."""
        if request.endpoint != "static":
            _load_principal()
