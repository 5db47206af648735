"""Dutch text analysis: tokens, lower case, accents folded, stop words out, Snowball stems.

Whoosh's own Dutch stemmer stems queries and documents differently ("huis" missed
"huizen"); the snowballstemmer package's Dutch stemmer is used instead, for both sides.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

import snowballstemmer
from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

TOKEN_PATTERN = r"\w+(?:['’]\w+)*"
_stemmer = snowballstemmer.stemmer("dutch")
STOP_WORDS = frozenset(stoplists["nl"]) | frozenset({"ik", "je", "jij", "mijn", "wil", "graag"})


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


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
