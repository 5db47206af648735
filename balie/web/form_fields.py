"""Form field types shared by several forms."""

from __future__ import annotations

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered by the choices macro in templates/_macros/forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
