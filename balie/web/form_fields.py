"""Form field types shared by several forms."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import format_decimal
from wtforms import SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered by the choices macro in templates/_macros/forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


GROUPED = re.compile(r"\d{1,3}(?:[ .]\d{3})+")  # 1.250 or 1 250: thousands, the Dutch way
EUROS_WITH_COMMA = re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d+),\d+")  # 38.000,50 or 38000,50
EUROS_WITH_POINT = re.compile(r"\d+\.\d+")  # 38000.50 (a point with thousands after it is a grouping)


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("€", "").strip()


class _NumberText(StringField):
    """A number typed as text: shown again as typed; ``invalid`` is the error for text that is no number."""

    data: Any

    def __init__(self, *args: Any, invalid: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def _shown(self, value: Any) -> str:
        return str(value)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else self._shown(self.data)


class WholeNumberField(_NumberText):
    """A whole number as people type it: 1250, 1.250 or 1 250. Empty is None; anything else an error."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_data = valuelist
        text = _plain(str(valuelist[0])) if valuelist else ""
        self.data = None
        if not text:
            return
        digits = re.sub(r"[ .]", "", text) if GROUPED.fullmatch(text) else text
        if not (digits.isascii() and digits.isdigit()):
            raise ValueError(str(self.invalid))
        self.data = int(digits)


class EurosField(_NumberText):
    """An amount in euros as people type it: 38.000,50, 38000,50, 38000.50 or € 38.000. Empty is None."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_data = valuelist
        text = _plain(str(valuelist[0])).replace(" ", "") if valuelist else ""
        self.data = None
        if not text:
            return
        if EUROS_WITH_COMMA.fullmatch(text):
            text = text.replace(".", "").replace(",", ".")
        elif GROUPED.fullmatch(text):
            text = text.replace(".", "")
        elif not (EUROS_WITH_POINT.fullmatch(text) or (text.isascii() and text.isdigit())):
            raise ValueError(str(self.invalid))
        self.data = Decimal(text)

    def _shown(self, value: Any) -> str:
        return format_decimal(value, "#,##0.00")
