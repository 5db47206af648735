"""Languages a parent can choose for contact with the JGZ (not the page language)."""

from __future__ import annotations

from dataclasses import dataclass


def N_(text: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return text


@dataclass(frozen=True)
class ContactLanguage:
    code: str  # ISO 639-1 where it exists, else 639-3
    english_name: str  # gettext msgid; translated for the page
    endonym: str  # the name in the language itself


# Dutch first, then the languages most asked for in Dutch youth health care.
CONTACT_LANGUAGES: tuple[ContactLanguage, ...] = (
    ContactLanguage("nl", N_("Dutch"), "Nederlands"),
    ContactLanguage("en", N_("English"), "English"),
    ContactLanguage("ar", N_("Arabic"), "العربية"),
    ContactLanguage("tr", N_("Turkish"), "Türkçe"),
    ContactLanguage("pl", N_("Polish"), "Polski"),
    ContactLanguage("uk", N_("Ukrainian"), "Українська"),
    ContactLanguage("zgh", N_("Tamazight (Berber)"), "ⵜⴰⵎⴰⵣⵉⵖⵜ"),
    ContactLanguage("ti", N_("Tigrinya"), "ትግርኛ"),
    ContactLanguage("so", N_("Somali"), "Soomaali"),
    ContactLanguage("fa", N_("Persian (Farsi)"), "فارسی"),
    ContactLanguage("prs", N_("Dari"), "دری"),
    ContactLanguage("ps", N_("Pashto"), "پښتو"),
    ContactLanguage("ku", N_("Kurdish"), "Kurdî"),
    ContactLanguage("ru", N_("Russian"), "Русский"),
    ContactLanguage("ro", N_("Romanian"), "Română"),
    ContactLanguage("bg", N_("Bulgarian"), "Български"),
    ContactLanguage("es", N_("Spanish"), "Español"),
    ContactLanguage("pt", N_("Portuguese"), "Português"),
    ContactLanguage("fr", N_("French"), "Français"),
    ContactLanguage("de", N_("German"), "Deutsch"),
    ContactLanguage("zh", N_("Chinese"), "中文"),
    ContactLanguage("pap", N_("Papiamentu"), "Papiamentu"),
    ContactLanguage("srn", N_("Sranan Tongo"), "Sranantongo"),
    ContactLanguage("other", N_("Another language"), ""),
)
CONTACT_LANGUAGE_CODES = frozenset(language.code for language in CONTACT_LANGUAGES)
_BY_CODE = {language.code: language for language in CONTACT_LANGUAGES}


def contact_language(code: str) -> ContactLanguage | None:
    return _BY_CODE.get(code)
