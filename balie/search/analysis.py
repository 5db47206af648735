"""Dutch text analysis: tokens, lower case, accents folded, stop words out, Snowball stems.

Whoosh's own Dutch stemmer stems queries and documents differently ("huis" missed
"huizen"). The snowballstemmer package's Porter-style Dutch stemmer is used for both sides,
plus the two Dutch spelling alternations it leaves (huizen/huis, brieven/brief) and a final
double consonant (gezinnen/gezin). Not its newer "dutch" (Kraaij-Pohlmann) stemmer: that one
takes "ge" out of words (gezin → zin, begeleiding → beleid, gemeente → meen) and stems
"schulden" to "schul" but "schuld" to "schuld".
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import snowballstemmer
from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

# Raise when the analysis changes: every node then rebuilds its indexes by itself.
ANALYSIS_VERSION = 3
TOKEN_PATTERN = r"\w+(?:['’]\w+)*"  # noqa: S105 - a word pattern, not a password
# A Snowball stemmer keeps its working state in the object: one per thread (gunicorn --threads).
_stemmers = threading.local()
_ALTERNATION = {"z": "s", "v": "f"}  # huiz(en) → huis, briev(en) → brief
# Whoosh's Dutch list plus words of typed sentences that name no topic ("waar kan ik m'n ... ").
STOP_WORDS = frozenset(stoplists["nl"]) | frozenset(
    {"ik", "je", "jij", "mijn", "wil", "graag"}
    | {"m'n", "z'n", "d'r", "mn", "zn", "we", "wij", "jullie", "waar", "welke", "wanneer", "mag", "weet"}
    | {"kun", "kunt", "wel", "even", "echt", "heel", "erg", "gewoon", "soms", "steeds", "eigenlijk", "misschien"}
    | {"zoek", "zoeken", "krijg", "krijgen", "voel", "voelt", "voelen", "sinds", "hele"}
)


def _stemmer() -> Any:
    found = getattr(_stemmers, "dutch", None)
    if found is None:
        found = _stemmers.dutch = snowballstemmer.stemmer("dutch_porter")
    return found


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    base = _stemmer().stemWord(word)
    if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "aeiouy":
        base = base[:-1]  # gezinn(en) → gezin, less(en) → les
    if len(base) >= 4 and base[-1] in _ALTERNATION:
        base = base[:-1] + _ALTERNATION[base[-1]]
    return base


def dutch_analyzer() -> Analyzer:
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_WORDS, minsize=2)
        | StemFilter(stemfn=stem, cachesize=-1)
    )


_ANALYZER = dutch_analyzer()
_WORDS = re.compile(TOKEN_PATTERN, re.UNICODE)


def terms(text: str) -> list[str]:
    """The index terms (stems) of a text, in order."""
    return [token.text for token in _ANALYZER(text or "")]


def words_with_terms(text: str) -> Iterator[tuple[int, int, str | None]]:
    """(start, end, term or None for a stop word) for every word in the text, for highlighting."""
    for match in _WORDS.finditer(text or ""):
        analysed = terms(match.group())
        yield match.start(), match.end(), analysed[0] if analysed else None
