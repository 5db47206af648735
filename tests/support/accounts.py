"""Test accounts: created through the services, logged in through the web like a person would."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pyotp
from flask import Flask

from balie.extensions import db
from balie.models import Organisation, User
from balie.models.base import utcnow
from balie.services.accounts import passwords, two_factor
from balie.services.accounts.lifecycle import Grant
from tests.support.pages import Page

PASSWORD = "correct horse battery staple 42"
DELFLAND = "940392da-91c8-431a-978d-b8fcb4a95e8d"  # JGZ Delfland (voorbeeld)
HOFSTAD = "1b85dbb9-3b36-4227-95dd-40ca7283ffca"  # Jeugdgezondheid Hofstad (voorbeeld)


@dataclass
class Account:
    id: str
    email: str
    password: str
    secret: str | None

    def code(self, offset_steps: int = 0) -> str:
        assert self.secret
        return pyotp.TOTP(self.secret).at(time.time() + 30 * offset_steps)


def make_user(
    app: Flask, email: str, grants: list[Grant], *, totp: bool = True, name: str = "Test Gebruiker"
) -> Account:
    secret = pyotp.random_base32() if totp else None
    with app.app_context(), db.writing():
        user = User(email=email.casefold(), name=name, password_hash=passwords.hash_password(PASSWORD))
        for grant in grants:
            from balie.models import RoleGrant

            user.roles.append(
                RoleGrant(
                    role=grant.role,
                    organisation_id=grant.organisation_id,
                    municipality_code=grant.municipality_code,
                    profession=grant.profession,
                )
            )
        db.session.add(user)
        db.session.flush()
        if secret:
            # Enable with the code of the previous time step, so the current one is still unused.
            previous = pyotp.TOTP(secret).at(time.time() - 30)
            assert two_factor.enable(db.session, user, secret, previous, app.extensions["balie.keys"], utcnow())
        db.session.commit()
        return Account(user.id, email, PASSWORD, secret)


def nurse(app: Flask, email: str = "verpleegkundige@delfland.example", organisation: str = DELFLAND) -> Account:
    return make_user(app, email, [Grant("jgz_staff", organisation_id=organisation)])


def admin(app: Flask, email: str = "beheer@balie.example") -> Account:
    return make_user(app, email, [Grant("admin")])


def csrf(client: Any, path: str = "/inloggen") -> str:
    return Page(client.get(path)).hidden("csrf_token")


def login(client: Any, account: Account, code_offset: int = 0) -> Any:
    """Password, then (when the account has one) the authenticator code. Returns the last response."""
    response = client.post(
        "/inloggen", data={"csrf_token": csrf(client), "email": account.email, "password": account.password}
    )
    assert response.status_code == 303, Page(response).errors
    if account.secret is None:
        return response
    assert response.headers["Location"].endswith("/inloggen/code")
    return client.post(
        "/inloggen/code", data={"csrf_token": csrf(client, "/inloggen/code"), "code": account.code(code_offset)}
    )


def organisation_name(app: Flask, organisation_id: str) -> str:
    with app.app_context():
        return db.session.get(Organisation, organisation_id).name  # type: ignore[union-attr]
