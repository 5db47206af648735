"""What every template can use: languages, the page direction, the region's name, filters."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale
from wtforms import Field

from balie.domain import contact
from balie.domain.errors import DomainError
from balie.domain.postcode import Postcode
from balie.i18n import LANGUAGES, language


def phone_filter(text: str | None) -> str:
    """A phone number as typed, shown in its usual national or international form."""
    if not text:
        return ""
    try:
        return contact.display_phone(contact.normalise_phone(text))
    except DomainError:
        return text


def postcode_filter(text: str | None) -> str:
    try:
        return str(Postcode.parse(text or ""))
    except DomainError:
        return text or ""


def choice_label(field: Field) -> str:
    """The label of the chosen option of a select or radio field."""
    return next((str(choice.label) for choice in field.choices if choice.value == field.data), "")


def choice_labels(field: Field) -> list[str]:
    chosen = set(field.data or ())
    return [str(choice.label) for choice in field.choices if choice.value in chosen]


def register(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "languages": LANGUAGES,
            "current_language": language(str(get_locale())),
            "region_name": app.config["REGION_NAME"],
        }

    app.jinja_env.filters.update(
        phone=phone_filter, postcode=postcode_filter, choice_label=choice_label, choice_labels=choice_labels
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
