"""Searching the sociale kaart: Dutch stems, synonyms, typo tolerance, filters, facets, sorting.

Per process an ``Engine`` keeps a Whoosh searcher on this node's index plus, per facet value,
the set of matching documents. Filters and facet counts are set intersections; Whoosh only
matches and ranks the words. The engine checks at most every few seconds whether the
database holds a newer directory version, and then catches the index up first.
"""

from __future__ import annotations

import heapq
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from whoosh.query import And, Or, Phrase, Query, Term

from balie.search import analysis, spelling
from balie.search.store import IndexStore
from balie.search.synonyms import Alternative, Synonyms
from balie.services import directory_changes, directory_index
from balie.services.directory_index import FACET_FIELDS, NATIONAL, TEXT_FIELDS

FRESHNESS_SECONDS = 2.0
MAX_QUERY_CHARS = 200
SORTS = ("relevance", "name", "checked")
_PHRASE = re.compile(r'"([^"]+)"')


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    municipality_codes: tuple[str, ...] = ()  # from a postcode or a chosen gemeente
    categories: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    costs: tuple[str, ...] = ()
    include_inactive: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class RawResult:
    ids: list[str]
    total: int
    page: int
    pages: int
    facets: dict[str, list[FacetCount]]
    corrections: dict[str, str] = field(default_factory=dict)  # typed word → word searched
    highlight: frozenset[str] = frozenset()
    relaxed: bool = False  # no service had every word: services with some of them


class Engine:
    """A searcher and the facet sets of one index version. Immutable once built."""

    def __init__(self, store: IndexStore, synonyms: Synonyms) -> None:
        index = store.open()
        if index is None:
            raise FileNotFoundError("no search index yet")
        generation = store.current()
        self.version = store.version_of(generation) if generation else -1
        self.synonyms = synonyms
        self.searcher = index.searcher()
        self._lock = threading.Lock()
        reader = self.searcher.reader()
        self.all_docs = frozenset(reader.all_doc_ids())
        sets: dict[str, dict[str, set[int]]] = {name: {} for name in FACET_FIELDS}
        self.id_of: dict[int, str] = {}
        self.name_key: dict[int, str] = {}
        self.checked: dict[int, int] = {}
        for docnum, stored in reader.iter_docs():
            self.id_of[docnum] = stored["id"]
            self.name_key[docnum] = stored.get("name_sort", "")
            self.checked[docnum] = stored.get("checked", 0)
            for name in FACET_FIELDS:
                for value in filter(None, str(stored.get(name, "")).split(",")):
                    sets[name].setdefault(value, set()).add(docnum)
        self.sets = {name: {value: frozenset(docs) for value, docs in values.items()} for name, values in sets.items()}
        frequency: Counter[str] = Counter()
        for name in TEXT_FIELDS:
            for term in reader.field_terms(name):
                frequency[term] += reader.doc_frequency(name, term)
        self.spelling = spelling.build(frequency.items())

    def close(self) -> None:
        self.searcher.close()

    # -- query building --------------------------------------------------------------------

    @staticmethod
    def _any_field(term: str) -> Query:
        return Or([Term(name, term) for name in TEXT_FIELDS])

    def _alternative(self, alternative: Alternative) -> Query:
        if len(alternative) == 1:
            return self._any_field(alternative[0])
        return Or([Phrase("body", list(alternative)), And([self._any_field(t) for t in alternative])])

    def parse(self, text: str) -> tuple[list[Query], set[str], dict[str, str]]:
        """Clauses (one per word or phrase), the terms to highlight, and typo corrections."""
        text = text[:MAX_QUERY_CHARS]
        clauses: list[Query] = []
        highlight: set[str] = set()
        corrections: dict[str, str] = {}
        for phrase in _PHRASE.findall(text):
            stems = analysis.terms(phrase)
            if stems:
                clauses.append(Or([Phrase(name, stems) for name in ("name", "body")]) if len(stems) > 1 else self._any_field(stems[0]))
                highlight.update(stems)
        stems: list[str] = []
        for word in re.findall(analysis.TOKEN_PATTERN, _PHRASE.sub(" ", text)):
            for stem in analysis.terms(word):
                known = stem in self.spelling or any((stem,) in g for g in self.synonyms.groups)
                fixed = stem if known else self.spelling.correct(stem)
                if fixed is None:
                    fixed = stem  # unknown and nothing close: it simply matches nothing
                elif fixed != stem:
                    corrections[word] = fixed
                stems.append(fixed)
        for unit, related in self.synonyms.units(stems):
            alternatives = [unit, *sorted(related)]
            clauses.append(Or([self._alternative(alt) for alt in alternatives]))
            highlight.update(t for alt in alternatives for t in alt)
        return clauses, highlight, corrections

    # -- filters and facets ------------------------------------------------------------------

    def _values(self, name: str, wanted: Iterable[str]) -> frozenset[int]:
        docs: set[int] = set()
        for value in wanted:
            docs |= self.sets[name].get(value, frozenset())
        return frozenset(docs)

    def _filters(self, query: SearchQuery) -> dict[str, frozenset[int]]:
        filters: dict[str, frozenset[int]] = {}
        if query.municipality_codes:
            filters["gemeenten"] = self._values("gemeenten", (*query.municipality_codes, NATIONAL))
        for name, wanted in (
            ("categories", query.categories),
            ("phases", query.phases),
            ("languages", query.languages),
            ("cost", query.costs),
        ):
            if wanted:
                filters[name] = self._values(name, wanted)
        return filters

    def _facets(self, base: frozenset[int], filters: dict[str, frozenset[int]], query: SearchQuery) -> dict[str, list[FacetCount]]:
        selected = {
            "categories": query.categories,
            "phases": query.phases,
            "languages": query.languages,
            "cost": query.costs,
            "gemeenten": query.municipality_codes,
        }
        facets: dict[str, list[FacetCount]] = {}
        for name in ("categories", "phases", "gemeenten", "languages", "cost"):
            # Counts as if this facet's own choice were not made (so alternatives stay visible).
            scope = base
            for other, docs in filters.items():
                if other != name:
                    scope = scope & docs
            counts = [
                FacetCount(value, len(scope & docs), value in selected[name])
                for value, docs in self.sets[name].items()
            ]
            facets[name] = sorted((c for c in counts if c.count or c.selected), key=lambda c: (-c.count, c.value))
        return facets

    # -- search ----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> RawResult:
        with self._lock:
            return self._search(query)

    def _search(self, query: SearchQuery) -> RawResult:
        visible = self.all_docs if query.include_inactive else self.sets["status"].get("active", frozenset())
        clauses, highlight, corrections = self.parse(query.text)
        relaxed = False
        matched = visible
        text_query: Query | None = None
        if clauses:
            text_query = And(clauses) if len(clauses) > 1 else clauses[0]
            matched = visible & frozenset(self.searcher.docs_for_query(text_query))
            if not matched and len(clauses) > 1:
                text_query, relaxed = Or(clauses), True
                matched = visible & frozenset(self.searcher.docs_for_query(text_query))
        filters = self._filters(query)
        final = matched
        for docs in filters.values():
            final = final & docs
        per_page = max(1, min(query.per_page, 100))
        pages = max(1, -(-len(final) // per_page))
        page = min(max(1, query.page), pages)
        wanted = page * per_page
        if not final:
            order: list[int] = []  # (Whoosh reads an empty filter as "no filter")
        elif text_query is not None and query.sort == "relevance":
            hits = self.searcher.search(text_query, filter=set(final), limit=wanted)
            order = [hit.docnum for hit in hits]
        elif query.sort == "checked":
            order = heapq.nsmallest(wanted, final, key=lambda d: (-self.checked[d], self.name_key[d]))
        else:
            order = heapq.nsmallest(wanted, final, key=lambda d: self.name_key[d])
        ids = [self.id_of[d] for d in order[(page - 1) * per_page : wanted]]
        return RawResult(
            ids=ids,
            total=len(final),
            page=page,
            pages=pages,
            facets=self._facets(matched, filters, query),
            corrections=corrections,
            highlight=frozenset(highlight),
            relaxed=relaxed,
        )


RECOGNITION_RANK = {"effective_strong": 4, "effective_good": 3, "effective_first": 2, "well_founded": 1}


def shortlist(
    engine: Engine, municipality_codes: tuple[str, ...], categories: tuple[str, ...], words: tuple[str, ...], limit: int = 3
) -> list[str]:
    """Services for one situation in a gemeente: recognised interventions first, then by name."""
    with engine._lock:
        found = engine._values("categories", categories)
        stems = [stem for word in words for stem in analysis.terms(word)]
        if stems:
            found |= frozenset(engine.searcher.docs_for_query(Or([engine._any_field(t) for t in stems])))
        found &= engine.sets["status"].get("active", frozenset())
        if municipality_codes:
            found &= engine._values("gemeenten", (*municipality_codes, NATIONAL))
        recognised = {
            docnum: RECOGNITION_RANK.get(level, 0)
            for level, docs in engine.sets["recognition"].items()
            for docnum in docs & found
        }
        local = engine._values("gemeenten", municipality_codes) if municipality_codes else frozenset()
        best = heapq.nsmallest(
            limit, found, key=lambda d: (-recognised.get(d, 0), d not in local, engine.name_key[d])
        )
        return [engine.id_of[d] for d in best]


class DirectorySearch:
    """One per app: hands out a fresh engine, catching this node's index up when needed."""

    def __init__(self, index_base: Path | str, synonyms_file: Path | str) -> None:
        self.store = IndexStore(index_base, "sociale-kaart")
        self.synonyms = Synonyms.load(synonyms_file)
        self._engine: Engine | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def engine(self, session: Session) -> Engine:
        now = time.monotonic()
        with self._lock:
            if self._engine is not None and now - self._checked_at < FRESHNESS_SECONDS:
                return self._engine
            self._checked_at = now
            database_version = directory_changes.current_version(session)
            if self._engine is None or database_version > self._engine.version:
                self.sync(session)
            return self._engine  # type: ignore[return-value]

    def sync(self, session: Session) -> int:
        """Bring this node's index up to the database, then reopen it. Safe to call any time."""
        changed = directory_index.catch_up(session, self.store)
        old, self._engine = self._engine, Engine(self.store, self.synonyms)
        if old is not None:
            old.close()
        return changed

    def rebuild(self, session: Session) -> int:
        count = directory_index.rebuild(session, self.store)
        old, self._engine = self._engine, Engine(self.store, self.synonyms)
        if old is not None:
            old.close()
        return count


def snippet(text: str, terms: frozenset[str], words: int = 32) -> Markup:
    """The part of a text with most search terms, terms in <mark>, everything else escaped."""
    spans = list(analysis.words_with_terms(text))
    if not spans:
        return Markup("")
    hits = [i for i, (_s, _e, term) in enumerate(spans) if term in terms]
    start = 0
    if hits:
        best = max(hits, key=lambda i: sum(1 for j in hits if i <= j < i + words))
        start = max(0, best - 4)
    chosen = spans[start : start + words]
    out: list[str] = ["…" if start else ""]
    cursor = chosen[0][0]
    for begin, end, term in chosen:
        out.append(str(escape(text[cursor:begin])))
        word = escape(text[begin:end])
        out.append(f"<mark>{word}</mark>" if term in terms else str(word))
        cursor = end
    if start + words < len(spans):
        out.append("…")
    return Markup("".join(out))
