"""What the login and account pages hand the authentication services from the app.

The views pass these on without looking inside: the data key ring (authenticator secrets are sealed
with it), how long a login lasts and the name an authenticator app shows for the desk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app

from balie.crypto import KeyRing
from balie.extensions import data_keys


@dataclass(frozen=True)
class AuthSettings:
    keys: KeyRing = field(repr=False)
    session_lifetime: timedelta
    issuer: str  # the account's name in the authenticator app: "Balie <region>"


def auth_settings() -> AuthSettings:
    config = current_app.config
    return AuthSettings(
        keys=data_keys(),
        session_lifetime=timedelta(hours=int(config["SESSION_LIFETIME_HOURS"])),
        issuer=f"Balie {config['REGION_NAME']}",
    )
