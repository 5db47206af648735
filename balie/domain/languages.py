"""Languages a parent can choose for contact with the JGZ (not the page language)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContactLanguage:
    code: str  # ISO 639-1 where it exists, else 639-3
    english_name: str  # gettext msgid; translated for the page
    endonym: str  # the name in the language itself


# Dutch first, then the languages most asked for in Dutch youth health care.
CONTACT_LANGUAGES: tuple[ContactLanguage, ...] = (
    ContactLanguage("nl", "Dutch", "Nederlands"),
    ContactLanguage("en", "English", "English"),
    ContactLanguage("ar", "Arabic", "العربية"),
    ContactLanguage("tr", "Turkish", "Türkçe"),
    ContactLanguage("pl", "Polish", "Polski"),
    ContactLanguage("uk", "Ukrainian", "Українська"),
    ContactLanguage("zgh", "Tamazight (Berber)", "ⵜⴰⵎⴰⵣⵉⵖⵜ"),
    ContactLanguage("ti", "Tigrinya", "ትግርኛ"),
    ContactLanguage("so", "Somali", "Soomaali"),
    ContactLanguage("fa", "Persian (Farsi)", "فارسی"),
    ContactLanguage("prs", "Dari", "دری"),
    ContactLanguage("ps", "Pashto", "پښتو"),
    ContactLanguage("ku", "Kurdish", "Kurdî"),
    ContactLanguage("ru", "Russian", "Русский"),
    ContactLanguage("ro", "Romanian", "Română"),
    ContactLanguage("bg", "Bulgarian", "Български"),
    ContactLanguage("es", "Spanish", "Español"),
    ContactLanguage("pt", "Portuguese", "Português"),
    ContactLanguage("fr", "French", "Français"),
    ContactLanguage("de", "German", "Deutsch"),
    ContactLanguage("zh", "Chinese", "中文"),
    ContactLanguage("pap", "Papiamentu", "Papiamentu"),
    ContactLanguage("srn", "Sranan Tongo", "Sranantongo"),
    ContactLanguage("other", "Another language", ""),
)
CONTACT_LANGUAGE_CODES = frozenset(language.code for language in CONTACT_LANGUAGES)
_BY_CODE = {language.code: language for language in CONTACT_LANGUAGES}


def contact_language(code: str) -> ContactLanguage | None:
    return _BY_CODE.get(code)
