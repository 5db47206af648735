"""The translations: Dutch is the default language, so its catalogue must be complete.

A developer who adds or changes a string without translating it gets a failing test that
names the string. To fix it:

    flask --app wsgi i18n extract && flask --app wsgi i18n update
    # write the Dutch msgstr in translations/nl/LC_MESSAGES/messages.po
    flask --app wsgi i18n compile
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from balie.domain.languages import CONTACT_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
NL_CATALOGUE = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
LOCALES = ("nl", "en")

# The same keywords as `flask i18n extract` (pybabel extract -k _l).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}

# The word that scares parents off, in every form: kwetsbaar, kwetsbare, kwetsbaarheid.
FORBIDDEN_WORD = re.compile(r"kwetsba+r", re.IGNORECASE)

# A python-format placeholder: %(name)s, %(max)d, %(total)5.1f, and the literal %%.
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?P<type>[diouxXeEfFgGcrsa%])")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def read_catalogue(locale: str) -> Catalog:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=locale)


def translatable(catalogue: Catalog) -> list[Message]:
    return [message for message in catalogue if message.id]


def singulars_and_plurals(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def placeholders(text: str) -> list[str]:
    return sorted(
        f"%({match['name']}){match['type']}" if match["name"] is not None else f"%{match['type']}"
        for match in PLACEHOLDER.finditer(text)
        if match["type"] != "%"
    )


def describe(message: Message) -> str:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return f"{msgid!r}" + (f" (context {message.context!r})" if message.context else "")


def source_messages() -> dict[tuple[str, str | None], str]:
    """Every message in the code and templates, extracted the way `flask i18n extract` does.

    One difference on purpose: pybabel skips folders whose name starts with "_", which
    would leave templates/_macros/ (the error summary of every form) untranslated. Here
    only hidden folders and caches are skipped, so those messages must be translated too.
    """
    with (ROOT / "babel.cfg").open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)

    def directory_filter(path: str) -> bool:
        name = Path(path).name
        return not (name.startswith(".") or name in {"__pycache__", "node_modules"})

    found: dict[tuple[str, str | None], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=directory_filter
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault((msgid, context), f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def nl() -> Catalog:
    return read_catalogue("nl")


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str, str | None], str]:
    return source_messages()


def test_every_dutch_message_is_translated_and_not_fuzzy(nl):
    problems = []
    for message in translatable(nl):
        if message.fuzzy:
            problems.append(f"fuzzy: {describe(message)}")
        elif not all(text.strip() for text in singulars_and_plurals(message.string)):
            problems.append(f"untranslated: {describe(message)}")
    assert not problems, "Dutch catalogue is incomplete:\n" + "\n".join(problems)


def test_the_dutch_catalogue_header_is_not_fuzzy(nl):
    assert not nl.fuzzy, "the Dutch catalogue header is marked fuzzy; gettext would ignore it"


def test_every_translation_keeps_the_placeholders_of_its_msgid(nl):
    problems = []
    for message in translatable(nl):
        expected = placeholders(singulars_and_plurals(message.id)[0])
        for text in singulars_and_plurals(message.string):
            if text and placeholders(text) != expected:
                found = placeholders(text)
                problems.append(f"{describe(message)}: expected {expected}, got {found}: {text!r}")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


def test_every_translation_keeps_the_html_tags_of_its_msgid(nl):
    problems = []
    for message in translatable(nl):
        expected = sorted(HTML_TAG.findall(singulars_and_plurals(message.id)[0]))
        for text in singulars_and_plurals(message.string):
            if text and sorted(HTML_TAG.findall(text)) != expected:
                found = sorted(HTML_TAG.findall(text))
                problems.append(f"{describe(message)}: expected {expected}, got {found}")
    assert not problems, "HTML tags differ:\n" + "\n".join(problems)


def test_the_catalogues_never_say_kwetsbaar():
    hits = [
        f"{path.relative_to(TRANSLATIONS.parent)}:{number}: {line.strip()}"
        for path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FORBIDDEN_WORD.search(line)
    ]
    assert not hits, "the word 'kwetsbaar' scares parents off; use other words:\n" + "\n".join(hits)


def test_the_code_and_templates_never_say_kwetsbaar():
    templates = (path for path in (ROOT / "templates").rglob("*") if path.is_file())
    files = sorted([*(ROOT / "balie").rglob("*.py"), *templates])
    assert files, "no code or templates found"
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FORBIDDEN_WORD.search(line)
    ]
    assert not hits, "the word 'kwetsbaar' scares parents off; use other words:\n" + "\n".join(hits)


def test_extraction_finds_the_messages_of_code_templates_and_macros(extracted):
    """Guards the extraction itself, so the next test cannot pass by finding nothing."""
    msgids = {msgid for msgid, _context in extracted}
    assert {"How may we address you?", "Check your answers", "There is a problem"} <= msgids


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_in_the_source_is_in_the_catalogue(locale, extracted):
    catalogue = read_catalogue(locale)
    missing = [
        f"{msgid!r}" + (f" (context {context!r})" if context else "") + f"  [{where}]"
        for (msgid, context), where in sorted(extracted.items(), key=lambda item: item[1])
        if catalogue.get(msgid, context) is None
    ]
    assert not missing, (
        f"{len(missing)} message(s) in the source are missing from translations/{locale}; run "
        "`flask --app wsgi i18n extract`, `flask --app wsgi i18n update` and translate them:\n" + "\n".join(missing)
    )


def test_the_names_of_contact_languages_are_translated_into_dutch(nl):
    untranslated = [
        language.english_name
        for language in CONTACT_LANGUAGES
        if not ((message := nl.get(language.english_name)) is not None and message.string and not message.fuzzy)
    ]
    assert not untranslated, "language names shown in English on the Dutch form:\n" + "\n".join(untranslated)
