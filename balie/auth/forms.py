"""Forms for logging in, the second factor, passwords, invitations and account requests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from balie.domain.roles import PROFESSIONS
from balie.web.forms import new_password_field, repeat_password_field
from balie.web.labels import PROFESSION_LABELS

_EMAIL = {"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
_CODE = {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false", "autocapitalize": "none"}
_CODE_HINT = _l("The 6 digits from your authenticator app, or one of your recovery codes.")


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter your e-mail address")), Length(max=254)],
        render_kw=_EMAIL,
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    # Shown only while the account is under attack: then password and code go in one step.
    code = StringField(
        _l("Code from your authenticator app"),
        description=_CODE_HINT,
        validators=[Optional(), Length(max=20)],
        render_kw=_CODE,
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_CODE_HINT,
        validators=[InputRequired(_l("Enter the code")), Length(max=20)],
        render_kw=_CODE,
    )


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Code from the app"),
        description=_l("Scan the QR code with your authenticator app, then enter the 6 digits it shows."),
        validators=[InputRequired(_l("Enter the 6 digits from your app")), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Enter your e-mail address")), Length(max=254)],
        render_kw=_EMAIL,
    )


class NewPasswordForm(FlaskForm):
    password = new_password_field(_l("New password"))
    repeat = repeat_password_field("password")


class InvitationForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        description=_l("As colleagues know you. Shown to other users of the desk."),
        validators=[InputRequired(_l("Enter your name")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    password = new_password_field(_l("Password"))
    repeat = repeat_password_field("password")


class AccountRequestForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[InputRequired(_l("Enter your name")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("Work e-mail address"),
        validators=[
            InputRequired(_l("Enter your e-mail address")),
            Email(_l("Enter an e-mail address like name@example.com")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    profession = SelectField(
        _l("Your profession"),
        choices=[SelectChoice("", _l("Choose"))] + [SelectChoice(p, PROFESSION_LABELS[p]) for p in PROFESSIONS],
        validators=[InputRequired(_l("Choose your profession"))],
    )
    workplace = StringField(
        _l("Where do you work?"),
        description=_l("For example the name of your practice or team."),
        validators=[InputRequired(_l("Enter where you work")), Length(max=200)],
        render_kw={"autocomplete": "organization"},
    )
    motivation = TextAreaField(
        _l("What would you like to use the desk for? (optional)"),
        validators=[Length(max=1000)],
        render_kw={"rows": 3},
    )
