"""Forms on the user's own account pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from balie.web.forms import new_password_field, repeat_password_field


class ConfirmPasswordForm(FlaskForm):
    """Re-enter the password before changing how you log in."""

    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Enter your password")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )


class EnableTwoFactorForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        description=_l("Scan the QR code with your authenticator app, then enter the 6 digits it shows."),
        validators=[InputRequired(_l("Enter the 6 digits from your app")), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password"))],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field(_l("New password"))
    repeat = repeat_password_field("password")
