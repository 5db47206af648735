"""A guard that keeps client personal data out of the vraagbaak.

It finds what would identify a client in a professional's post: a BSN (9 digits passing the
11-test), phone numbers, e-mail addresses, a postcode with a house number, full dates
that may be birth dates (a date next to words about birth, or a year in which a parent may
have been born), and names: a capitalised word after a form of address or a word for a client
("mevrouw Jansen", "mw. de Vries", "dhr. Yilmaz", "cliënte Fatima", "mijn cliënt Sanne"), and
a common first name written with a capital (names.txt in balie/data/first_names, GNU FDL).
A date in a policy sentence ("sinds 1 juli 2022") passes; so do "mevrouw de verloskundige",
hospitals named after a person ("het Reinier de Graaf", "Sophia Kinderziekenhuis") and first
names that are also an ordinary word ("Roos", "Dan") unless a surname follows.

What it cannot find: a surname on its own, a name written in lower case, a first name that is
not on the list, and a description that makes someone recognisable without any name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import phonenumbers

KINDS = ("bsn", "phone", "email", "address", "birth_date", "name")

_BSN = re.compile(r"(?<![\d-])(?:\d{4}[ .-]?\d{2}[ .-]?\d{3}|\d{3}[ .-]?\d{3}[ .-]?\d{3})(?![\d-]|\.\d)")
# Ids in links (a sociale kaart entry, a question) are not personal data, but their digit runs can pass
# the 11-test or look like a phone number: they are blanked out before scanning.
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Upper-case letters (as in an address), or lower case written against the digits ("2611ab").
_POSTCODE = re.compile(r"\b[1-9]\d{3}(?: ?[A-Z]{2}|[a-z]{2})\b")
_HOUSE_NUMBER = re.compile(r"\b\d{1,5}(?:[ -]?[a-zA-Z]{1,2})?\b")
_HOUSE_NUMBER_LABEL = re.compile(r"^[\s,:]*(?:huisnummer|huisnr\.?|house number)", re.IGNORECASE)
MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "maart": 3,
    "mrt": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "augustus": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "october": 10,
}
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WRITTEN_DATE = re.compile(
    r"\b(\d{1,2})(?:e|ste|de)?\s+(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(\d{4})\b",
    re.IGNORECASE,
)
_BIRTH_WORDS = re.compile(
    r"geboren|geb\.|geboorte|geboortedatum|verjaardag|jarig|born|birth|dob\b|leeftijd", re.IGNORECASE
)
BIRTH_CONTEXT_CHARS = 40
# A date right after one of these words starts or ends a period ("sinds 1 juli 2022", "kinderen geboren
# vanaf 1 januari 2025"): a policy date, not someone's date of birth.
_POLICY_BEFORE = re.compile(
    r"\b(?:sinds|per|vanaf|tot(?: en met)?|t/m|m\.i\.v\.|met ingang van|since|from|as of|until)\s+$", re.IGNORECASE
)


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str  # what was found, to show the writer (it is her own text)


def elf_proof(digits: str) -> bool:
    """The BSN 11-test: 9×d1 + 8×d2 + … + 2×d8 − 1×d9 is a multiple of 11 (and not all zeros)."""
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def _bsns(text: str) -> list[Finding]:
    found = []
    for match in _BSN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if elf_proof(digits):
            found.append(Finding("bsn", match.group()))
    return found


def _phones(text: str) -> list[Finding]:
    return [
        Finding("phone", match.raw_string)
        for match in phonenumbers.PhoneNumberMatcher(text, "NL", leniency=phonenumbers.Leniency.VALID)
        if len(re.sub(r"\D", "", match.raw_string)) >= 9
    ]


def _addresses(text: str) -> list[Finding]:
    found = []
    for match in _POSTCODE.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()]
        after = _HOUSE_NUMBER_LABEL.sub(" ", text[match.end() : match.end() + 40])[:12]
        if _HOUSE_NUMBER.search(after) or re.search(r"[A-Za-z]\s+\d{1,5}[a-zA-Z]?\s*,?\s*$", before):
            found.append(Finding("address", match.group()))
    return found


def _plausible_birth_year(year: int, today: date) -> bool:
    """A year in which a parent may have been born (12 to 60 years ago)."""
    return today.year - 60 <= year <= today.year - 12


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _dates(text: str, today: date) -> list[Finding]:
    found = []
    candidates: list[tuple[re.Match[str], int, int, int]] = []
    for match in _NUMERIC_DATE.finditer(text):
        day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if year < 100:
            year += 1900 if year > today.year % 100 else 2000
        candidates.append((match, year, month, day))
    for match in _ISO_DATE.finditer(text):
        candidates.append((match, int(match.group(1)), int(match.group(2)), int(match.group(3))))
    for match in _WRITTEN_DATE.finditer(text):
        candidates.append((match, int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1))))
    for match, year, month, day in candidates:
        if not _valid(year, month, day) or _POLICY_BEFORE.search(text[max(0, match.start() - 20) : match.start()]):
            continue
        around = text[max(0, match.start() - BIRTH_CONTEXT_CHARS) : match.end() + BIRTH_CONTEXT_CHARS]
        if _BIRTH_WORDS.search(around) or _plausible_birth_year(year, today):
            found.append(Finding("birth_date", match.group()))
    return found


def scan(text: str, today: date) -> list[Finding]:
    """Everything in the text that looks like a client's personal data (empty: the text passes)."""
    text = _UUID.sub(lambda match: "x" * len(match.group()), text or "")
    findings = _bsns(text) + _emails(text) + _addresses(text) + _dates(text, today) + _names(text)
    taken = {f.text for f in findings}
    findings += [f for f in _phones(text) if not any(f.text in t or t in f.text for t in taken)]
    return findings


def _emails(text: str) -> list[Finding]:
    return [Finding("email", match.group()) for match in _EMAIL.finditer(text)]


# --- names -------------------------------------------------------------------------------------

NAMES_FILE = Path(__file__).resolve().parent.parent / "data" / "first_names" / "names.txt"
# Forms of address and words for a client, followed by a name ("mevrouw Jansen", "cliënte Fatima").
# "heer" counts only after "de" ("de heer Bakker"). Compared lower case, without a full stop.
HONORIFICS = frozenset(
    {
        "mevrouw",
        "mevr",
        "mw",
        "mej",
        "juffrouw",
        "meneer",
        "mnr",
        "dhr",
        "mrs",
        "ms",
        "mr",
        "miss",
        "cliënte",
        "cliënt",
        "cliente",
        "client",
        "patiënte",
        "patiënt",
        "patiente",
        "patient",
    }
)
# Words between a first name or form of address and a surname: "mevrouw de Vries", "Fatima el Amrani".
PARTICLES = frozenset(
    {"van", "de", "der", "den", "het", "'t", "ten", "ter", "te", "el", "al", "la", "le", "da", "di", "du", "dos", "op"}
)
# A capitalised word after a person's name that makes it the name of an institution or a place.
INSTITUTION_WORDS = frozenset(
    {
        "ziekenhuis",
        "kinderziekenhuis",
        "gasthuis",
        "mc",
        "umc",
        "medisch",
        "kliniek",
        "centrum",
        "huis",
        "school",
        "stichting",
        "fonds",
        "instituut",
        "straat",
        "weg",
        "laan",
        "plein",
        "kade",
        "park",
        "polikliniek",
        "hospital",
    }
)
# Institutions in the region (and well known ones elsewhere) that carry a person's name.
PUBLIC_NAMES = ("Reinier de Graaf", "Jeroen Bosch", "Albert Schweitzer", "Erasmus MC", "Juliana Kinderziekenhuis")
_WORD = re.compile(r"[^\W\d_][^\W\d_]*(?:['’-][^\W\d_]+)*")


@functools.cache
def first_names() -> tuple[frozenset[str], frozenset[str]]:
    """(names, names that are also an ordinary word): the second only count before a surname."""
    plain: set[str] = set()
    ambiguous: set[str] = set()
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, mark = line.partition(" ")
            (ambiguous if mark.strip() == "*" else plain).add(name)
    return frozenset(plain), frozenset(ambiguous)


def _capitalised(word: str) -> bool:
    return (word[:1].isupper() and not word.isupper()) or (len(word) > 1 and word[:1].isupper() and word[1:].islower())


def _surname_end(words: list[re.Match[str]], start: int, text: str) -> int | None:
    """The index of the capitalised word that starts a surname at ``start`` (after any particles),
    in the same run of words (no full stop or comma between), or None."""
    index = start
    while index < len(words) and words[index].group().lower() in PARTICLES and _adjacent(words, index, text):
        index += 1
    if (
        index < len(words)
        and _adjacent(words, index, text)
        and _capitalised(words[index].group())
        and words[index].group().lower() not in INSTITUTION_WORDS
    ):
        return index
    return None


def _adjacent(words: list[re.Match[str]], index: int, text: str) -> bool:
    """Only spaces (or a full stop after an abbreviation such as "mw.") between this word and the one before."""
    gap = text[words[index - 1].end() : words[index].start()] if index > 0 else ""
    return gap.strip() == "" or (gap.strip() == "." and words[index - 1].group().lower() in HONORIFICS)


def _names(text: str) -> list[Finding]:
    plain, ambiguous = first_names()
    masked = text
    for public in PUBLIC_NAMES:
        masked = re.sub(re.escape(public), lambda match: "x" * len(match.group()), masked)
    words = list(_WORD.finditer(masked))
    found: list[Finding] = []
    index = 0
    while index < len(words):
        word = words[index].group()
        lowered = word.lower()
        end: int | None = None
        if lowered in HONORIFICS or (lowered == "heer" and index > 0 and words[index - 1].group().lower() == "de"):
            end = _surname_end(words, index + 1, masked)
        elif _capitalised(word) and not _after_saint(words, index):
            bare = re.sub(r"['’]s$", "", word)
            after = words[index + 1].group().lower() if index + 1 < len(words) else ""
            if after in INSTITUTION_WORDS:
                end = None
            elif bare in plain:
                end = _surname_end(words, index + 1, masked)
                end = index if end is None or _institution_follows(words, end) else end
            elif bare in ambiguous:
                end = _surname_end(words, index + 1, masked)
                if end is not None and _institution_follows(words, end):
                    end = None
        if end is not None:
            while (more := _surname_end(words, end + 1, masked)) is not None and not _institution_follows(words, more):
                end = more  # the rest of the name: "Fatima el Amrani", "mevrouw De Vries-Bakker"
            found.append(Finding("name", text[words[index].start() : words[end].end()]))
            index = end + 1
        else:
            index += 1
    return found


def _after_saint(words: list[re.Match[str]], index: int) -> bool:
    return index > 0 and words[index - 1].group().lower() in {"sint", "st"}


def _institution_follows(words: list[re.Match[str]], index: int) -> bool:
    return index + 1 < len(words) and words[index + 1].group().lower() in INSTITUTION_WORDS
