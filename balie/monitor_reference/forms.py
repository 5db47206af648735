"""The form for a year's reference figures and the upload of a CBS StatLine births file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from balie.web.form_fields import EurosField, WholeNumberField


class FiguresForm(FlaskForm):
    live_births = WholeNumberField(
        _l("Live births"),
        description=_l("Children born alive in the gemeente in this year (CBS). Leave empty if not known yet."),
        invalid=_l("Enter live births as a whole number, like 1250."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    target_group_size = WholeNumberField(
        _l("Your own target group (families)"),
        description=_l("Only if your gemeente set its own target group size for the PHB. Otherwise leave it empty."),
        invalid=_l("Enter the target group as a whole number of families, like 200."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    budget = EurosField(
        _l("Budget for the PHB (euros)"),
        description=_l(
            "The amount your gemeente has for the PHB in this year, like 38.000,00. Leave empty if not known."
        ),
        invalid=_l("Enter the budget as an amount in euros, like 38.000,00."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


class BirthsFileForm(FlaskForm):
    file = FileField(
        _l("CBS file with live births (.csv)"),
        description=_l(
            "Table 37230ned from CBS StatLine, downloaded as CSV. You first see what would change; "
            "nothing is saved before you confirm."
        ),
        validators=[FileRequired(_l("Choose the CSV file from CBS StatLine"))],
        render_kw={"accept": ".csv,text/csv"},
    )
