"""Form helpers several blueprints share: the button-only form, and the password fields and
messages of every page where someone chooses a password (invitation, reset, change)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

# The message for each password rule a service refuses a new or current password for.
PASSWORD_ERRORS = {
    "password_too_short": _l("Use at least 15 characters. A sentence of a few words is easy to remember."),
    "password_too_long": _l("Use at most 128 characters"),
    "password_common": _l("This password is used by many people. Choose another one."),
    "password_repetitive": _l("Use more different characters"),
    "password_context": _l("Do not base your password on your name, your e-mail address or the name of this service"),
    "password_wrong": _l("Your current password is not correct"),
}


class EmptyForm(FlaskForm):
    """A form with only the CSRF token: for buttons that change something."""


def new_password_field(label: Any) -> PasswordField:
    return PasswordField(
        label,
        description=_l("At least 15 characters. Tip: a sentence of four or five words you can remember."),
        validators=[InputRequired(_l("Choose a password")), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
    )


def repeat_password_field(field_name: str) -> PasswordField:
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(_l("Repeat the password")),
            EqualTo(field_name, _l("The two passwords are not the same")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
