"""The withdrawal form of the parent's pages (the registration form, shared with the professionals'
pages, is in balie/registration/forms.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class WithdrawalForm(FlaskForm):
    reference = StringField(
        _l("Your reference"),
        description=_l("On your confirmation, for example K7MQ-2QXB."),
        validators=[DataRequired(_l("Enter your reference")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    code = StringField(
        _l("Withdrawal code"),
        description=_l("Also on your confirmation, for example ABCD-EFGH-JKLM."),
        validators=[DataRequired(_l("Enter your withdrawal code")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
