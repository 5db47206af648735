"""Languages of the desk and how the page language is chosen."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

LOCALE_COOKIE = "balie_lang"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself
    direction: str = "ltr"


# The languages the pages are available in. Dutch is the default and always complete.
LANGUAGES: tuple[Language, ...] = (
    Language("nl", "Nederlands"),
    Language("en", "English"),
)
DEFAULT_LOCALE = "nl"
_BY_CODE = {language.code: language for language in LANGUAGES}


def is_supported(code: str | None) -> bool:
    return code in _BY_CODE


def language(code: str) -> Language:
    return _BY_CODE.get(code, _BY_CODE[DEFAULT_LOCALE])


def select_locale() -> str:
    """An explicit ?lang= wins, then the remembered choice, then Dutch."""
    for candidate in (request.args.get("lang"), request.cookies.get(LOCALE_COOKIE)):
        if is_supported(candidate):
            return str(candidate)
    return DEFAULT_LOCALE
