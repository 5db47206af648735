"""Forms of the professionals' advice pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from balie.i18n import LANGUAGES


class CardForm(FlaskForm):
    language = SelectField(
        _l("Language of the card"),
        description=_l("The card and the form it opens are in this language."),
        choices=[SelectChoice(language.code, language.name) for language in LANGUAGES],
        validators=[InputRequired()],
    )
    label = StringField(
        _l("Your own note (optional)"),
        description=_l("For example the name of your practice or a week number. Never a parent's name."),
        validators=[Optional(), Length(max=80)],
    )
