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


def explicit_language() -> dict[str, str]:
    """The ?lang= of this request, to carry to the next page of a form flow (an advice card's
    link opens the form in the card's language; without it the next page fell back to Dutch).
    It is passed along in the addresses only, never remembered."""
    code = request.args.get("lang")
    return {"lang": str(code)} if is_supported(code) else {}


def select_locale() -> str:
    """An explicit ?lang= wins, then the remembered choice, then Dutch."""
    for candidate in (request.args.get("lang"), request.cookies.get(LOCALE_COOKIE)):
        if is_supported(candidate):
            return str(candidate)
    return DEFAULT_LOCALE
