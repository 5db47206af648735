"""No text on the desk promises what the desk does not have (issue 10, point 11).

Scanned: every user-visible message (the English msgids in the templates and the code, and their
Dutch and English translations) and every text of the vraagbaak seed. Refused:

- pages, cards, forms or information "in" a language the desk's pages do not have
  (balie.i18n.LANGUAGES), or "in the parent's own language";
- about the monitor (issue 13), anything it does not make good: figures of a single family or
  person (names, addresses, per family), figures finer than a month (per day, per week, live), or a
  "dashboard". The monitor itself, and gemeenten seeing counts per period, may be named: it exists.

A language as such may be named (the form asks which language she wants to talk in, with an
interpreter; the sociale kaart says in which languages an offering is given): only a sentence
that says the desk's own pages, cards or information are in it is a claim.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from balie.i18n import LANGUAGES
from balie.services.qa.seed import FIELDS

ROOT = Path(__file__).resolve().parents[2]

# Names of languages, in Dutch and English, that the pages might one day have (or be said to have).
LANGUAGE_NAMES = {
    "nl": ("Nederlands", "Dutch"),
    "en": ("Engels", "English"),
    "ar": ("Arabisch", "Arabic"),
    "tr": ("Turks", "Turkish"),
    "pl": ("Pools", "Polish"),
    "uk": ("Oekraïens", "Ukrainian"),
    "fa": ("Farsi", "Perzisch", "Persian"),
    "ti": ("Tigrinya", "Tigrinja"),
    "so": ("Somalisch", "Somali"),
    "es": ("Spaans", "Spanish"),
    "fr": ("Frans", "French"),
    "de": ("Duits", "German"),
    "ru": ("Russisch", "Russian"),
    "ro": ("Roemeens", "Romanian"),
    "bg": ("Bulgaars", "Bulgarian"),
    "pt": ("Portugees", "Portuguese"),
    "zh": ("Chinees", "Chinese"),
    "ber": ("Berbers", "Tamazight", "Berber"),
    "pap": ("Papiaments", "Papiamento"),
}
SUPPORTED = {language.code for language in LANGUAGES}
UNSUPPORTED = re.compile(
    r"\b("
    + "|".join(name for code, names in LANGUAGE_NAMES.items() if code not in SUPPORTED for name in names)
    + r")\b"
)
OWN_LANGUAGE = re.compile(
    r"eigen taal|taal van de ouder|in haar taal|in uw taal|own language|parent's language|parent’s language|in "
    r"their language|in her language|in your language",
    re.I,
)
# The desk's own things: its pages, cards, forms and information.
DESK_THINGS = re.compile(
    r"\b(pagina('s)?|website|site|balie|informatie|advieskaart(en)?|kaart(en)?|formulier|folder|pages?|cards?|forms?|information|desk)\b",
    re.I,
)
MONITOR = re.compile(r"\b(monitor\w*|dashboard\w*)\b", re.I)
GEMEENTE_SEES_FIGURES = re.compile(
    r"\b(gemeente\w*|municipalit\w*)\b.*\b(zien|ziet|see|sees|toont|shows|bekijken|view)\b.*\b(cijfers|totalen|aantallen|numbers|figures|counts|grafiek\w*|charts?)\b"
    r"|\b(cijfers|totalen|aantallen|numbers|figures|counts)\b.*\b(gemeente\w*|municipalit\w*)\b.*\b(zien|ziet|see|sees)\b",
    re.I,
)
# What the monitor does not do: show a single family or person, or anything finer than a month; it
# is no "dashboard".
NOT_BUILT = re.compile(
    r"\b(namen|names?|naam|adres\w*|address\w*|per gezin|per ouder|per family|per parent|each family|elk gezin|"
    r"individu\w*|één gezin|single famil\w*|one family|persoonsgegevens|personal data|bsn|per dag|per week|per day|"
    r"dagelijks|daily|weekly|wekelijks|realtime|real-time|live(?!\s+births?)|dashboard\w*)\b",
    re.I,
)
NEGATION = re.compile(r"\b(geen|niet|nog geen|no|not|never|nooit|nothing)\b", re.I)
# What the monitor is called elsewhere (the national Monitor Kansrijke Start, RIVM) is no claim about the desk.
EXTERNAL_MONITOR = re.compile(r"Monitor Kansrijke Start|Kansrijke Start[- ]monitor", re.I)


def sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", re.sub(r"[*_`#>]", "", text))
    return [s.strip() for s in re.split(r"(?<=[.!?;:])\s+|\s+-\s+", text) if s.strip()]


def claims(text: str) -> list[str]:
    found = []
    for sentence in sentences(text):
        if sentence.endswith("?"):
            continue  # a question (a vraagbaak title) claims nothing
        if DESK_THINGS.search(sentence) and (UNSUPPORTED.search(sentence) or OWN_LANGUAGE.search(sentence)):
            found.append(f"language: {sentence}")
        about_desk = EXTERNAL_MONITOR.sub("", sentence)
        about_monitor = MONITOR.search(about_desk) or GEMEENTE_SEES_FIGURES.search(about_desk)
        if about_monitor and NOT_BUILT.search(about_desk) and not NEGATION.search(about_desk):
            found.append(f"monitor: {sentence}")
    return found


def seed_texts() -> list[tuple[str, str]]:
    items = yaml.safe_load((ROOT / "balie" / "data" / "vraagbaak.yaml").read_text(encoding="utf-8")) or []
    return [
        (f"vraagbaak {item['id'][:8]} {field}", item[field]) for item in items for field in FIELDS if item.get(field)
    ]


def messages() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    method_map = [("balie/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=method_map,
        options_map=options,
        keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)},
    ):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.append((f"msgid in {filename}", text))
    used = {text for _where, text in found}
    for language in ("nl", "en"):
        with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
            for message in read_po(handle):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                if not set(ids) & used:
                    continue  # a translation no page uses any more (until the catalogue is updated)
                for text in message.string if isinstance(message.string, tuple) else (message.string,):
                    if text and not message.fuzzy:
                        found.append((f"{language} translation of {str(message.id)[:40]!r}", text))
    return found


@pytest.mark.parametrize(
    "text",
    [
        "De informatie voor ouders op deze balie is er ook in het Engels, Arabisch, Turks, Pools en Oekraïens.",
        "Een advieskaart kun je in de taal van de ouder maken.",
        "je geeft haar een kaart mee (ook in haar eigen taal)",
        "De gemeente ziet de cijfers per gezin.",
        "Op het dashboard ziet de gemeente hoeveel ouders zich aanmeldden.",
        "De monitor toont de aanmeldingen per week.",
        "Gemeenten see the figures of each family with its name.",
        "The monitor shows live figures.",
    ],
)
def test_the_scanner_finds_the_claims_that_were_on_the_desk(text: str) -> None:
    """Texts like those that issue 10 found, and what the monitor does not do: the scanner must be able to fail."""
    assert claims(text)


@pytest.mark.parametrize(
    "text",
    [
        "In which language would you like to talk?",
        "Arabic",
        "Het gesprek kan ook in de eigen taal, met een tolk.",
        "Deze balie toont gemeenten nu nog geen cijfers.",
        "De informatie voor ouders op deze balie, en de advieskaart, zijn er in het Nederlands en het Engels.",
        "Aangehaakt blijven bij de Monitor Kansrijke Start.",
        "De monitoring op de balie laat per periode zien: aanmeldingen.",
        "The gemeenten only see numbers, never names: for example how many parents registered.",
        "De gemeente ziet alleen totalen; kleine aantallen worden niet getoond.",
        "Monitor gemeente (beleidsmedewerker)",
        "De monitor toont aantallen per gemeente en periode, nooit van één gezin.",
        "Without live births the monitor cannot show how many of the expected families the PHB reached.",
    ],
)
def test_the_scanner_lets_true_sentences_pass(text: str) -> None:
    assert claims(text) == []


def test_no_seed_text_message_or_translation_claims_a_language_or_a_monitor_feature_the_desk_does_not_have() -> None:
    texts = seed_texts() + messages()
    assert len(texts) > 1000, "the scan must see the messages and the seed"
    found = [f"{where}: {claim}" for where, text in texts for claim in claims(text)]
    assert found == [], "\n".join(found)


def test_feedback_is_always_whether_the_conversation_took_place_never_how_it_went() -> None:
    """Issue 10, point 16: "how it went" sounds like content; feedback is only the *that*."""
    content_words = ("how it went", "hoe het is gegaan", "hoe het ging")
    found = [
        f"{where}: {text[:80]}"
        for where, text in seed_texts() + messages()
        if any(words in text.casefold() for words in content_words)
    ]
    assert found == [], "\n".join(found)
