"""The upload form for an editor's spreadsheet, and what each problem in a file is called."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

# Problems with the whole file (nothing read).
FILE_PROBLEMS = {
    "file_type": _l("Upload an .xlsx or .csv file."),
    "too_large": _l("The file is larger than %(value)s MB. Upload your offers in parts."),
    "not_xlsx": _l(
        "This file is not an Excel workbook (.xlsx), even though its name ends in .xlsx. "
        "Save it in your spreadsheet program as .xlsx or .csv and upload it again."
    ),
    "not_csv": _l("This file cannot be read as CSV. Save it in your spreadsheet program as .csv or .xlsx."),
    "empty": _l("The file is empty: the first row must hold the column names."),
    "too_many_rows": _l("The file has more than %(value)s rows. Upload your offers in parts."),
    "columns_missing": _l(
        "These columns are missing: %(value)s. Download the spreadsheet again and keep its first row as it is."
    ),
    "columns_unknown": _l("These columns are unknown: %(value)s. Remove them, or download the spreadsheet again."),
}
# Problems in one row (and column): "Row 7, column F (telefoon): …".
ROW_PROBLEMS = {
    "formula": _l("cell %(cell)s holds a formula. Type the value itself, not a formula."),
    "required": _l("this column may not be empty."),
    "too_long": _l("this text is too long: at most %(value)s characters."),
    "status_unknown": _l("“%(value)s” is not a status. Choose: actief, tijdelijk gesloten or niet actief."),
    "cost_unknown": _l("“%(value)s” is not a cost. Choose: gratis, eigen bijdrage, verzekerd or verschilt."),
    "url_invalid": _l("“%(value)s” is not a web address. Start it with https://"),
    "email_invalid": _l("“%(value)s” is not an e-mail address."),
    "phone_invalid": _l("“%(value)s” is not a valid phone number. Write it like 015 123 45 67."),
    "gemeente_unknown": _l("“%(value)s” is not a gemeente we know. Check the spelling, or use its code (like GM0503)."),
    "gemeente_not_yours": _l("“%(value)s” is not one of your gemeenten."),
    "gemeenten_missing": _l("name at least one of your gemeenten."),
    "id_missing": _l("there is no id. Add a new offer with “Add an offer”, not in the spreadsheet."),
    "not_yours": _l("this offer is not one of your gemeenten’s offers, or it is no longer shown. Remove the row."),
    "id_twice": _l("this offer is in the file twice (also in row %(value)s). Keep one row."),
    "organisation_changed": _l(
        "the organisation cannot be changed in the spreadsheet (it is “%(value)s”). Change it in the form."
    ),
}


class SpreadsheetForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet with your changes"),
        description=_l("The file you downloaded here, as .xlsx or .csv. Nothing is saved before you confirm."),
        validators=[FileRequired(_l("Choose the file to upload"))],
        render_kw={"accept": ".xlsx,.csv"},
    )
