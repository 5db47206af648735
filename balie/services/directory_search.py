"""Searching the sociale kaart: Dutch stems, synonyms, typo tolerance, filters, facets, sorting.

Per process an ``Engine`` keeps a Whoosh searcher on this node's index plus, per facet value,
the set of matching documents. Filters and facet counts are set intersections; Whoosh only
matches and ranks the words. The engine checks at most every few seconds whether the
database holds a newer directory version, and then catches the index up first.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from whoosh.reading import TermNotFound

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


FIELD_BOOSTS = {"name": 4.0, "alternate": 2.0, "organisation": 1.5, "topics": 2.0, "body": 1.0}
PHRASE_FIELDS = ("name", "body")
TERM_CACHE = 2048

# A query is a list of units (one per word, phrase or multi-word synonym); a unit matches when
# one of its alternatives matches; an alternative is a tuple of stems that must all occur
# (in a row, when ``phrase``).
Unit = list[tuple[Alternative, bool]]
Mask = np.ndarray


class Engine:
    """A reader on one index version, with facet masks and cached postings. Immutable once built.

    Whoosh analyses and stores; matching and ranking run on postings read from the index and
    kept as numpy arrays (one slot per document), which is many times faster than Whoosh's
    own per-document matcher for the broad queries a sociale kaart gets. Ranking is BM25-like
    with the schema's field boosts; ties go by name.
    """

    def __init__(self, store: IndexStore, synonyms: Synonyms) -> None:
        index = store.open()
        if index is None:
            raise FileNotFoundError("no search index yet")
        generation = store.current()
        self.version = store.version_of(generation) if generation else -1
        self.synonyms = synonyms
        self.searcher = index.searcher()
        self._lock = threading.Lock()
        self.reader = self.searcher.reader()
        size = self.reader.doc_count_all()  # document numbers run 0 … size-1 (deleted ones too)
        self.size = size
        self.doc_count = max(1, self.reader.doc_count())
        self.all_docs: Mask = np.zeros(size, dtype=bool)
        values: dict[str, dict[str, list[int]]] = {name: {} for name in FACET_FIELDS}
        self.id_of: dict[int, str] = {}
        names = [""] * size
        self.checked = np.zeros(size, dtype=np.int64)
        for docnum, stored in self.reader.iter_docs():
            self.all_docs[docnum] = True
            self.id_of[docnum] = stored["id"]
            names[docnum] = stored.get("name_sort", "")
            self.checked[docnum] = stored.get("checked", 0)
            for name in FACET_FIELDS:
                for value in filter(None, str(stored.get(name, "")).split(",")):
                    values[name].setdefault(value, []).append(docnum)
        self.name_rank = np.empty(size, dtype=np.int64)
        self.name_rank[sorted(range(size), key=names.__getitem__)] = np.arange(size)
        self.facet_docs = {
            name: {value: np.array(docs, dtype=np.int64) for value, docs in found.items()} for name, found in values.items()
        }
        frequency: Counter[str] = Counter()
        for name in TEXT_FIELDS:
            for term in self.reader.field_terms(name):
                frequency[term] += self.reader.doc_frequency(name, term)
        self.spelling = spelling.build(frequency.items())
        self._scores: dict[str, np.ndarray] = {}
        self._positions: dict[tuple[str, str], dict[int, tuple[int, ...]]] = {}

    def close(self) -> None:
        self.searcher.close()

    # -- postings ---------------------------------------------------------------------------

    def term_scores(self, term: str) -> np.ndarray:
        """Per document the weight of the term over all text fields (boosted, BM25-like); 0 = absent."""
        found = self._scores.get(term)
        if found is None:
            found = np.zeros(self.size, dtype=np.float32)
            for name, boost in FIELD_BOOSTS.items():
                try:
                    postings = self.reader.postings(name, term).items_as("weight")
                except TermNotFound:
                    continue
                docs, weights = zip(*postings) if postings else ((), ())
                weight = np.asarray(weights, dtype=np.float32)
                idf = math.log(1 + self.doc_count / max(1, len(docs)))
                found[np.asarray(docs, dtype=np.int64)] += boost * idf * weight / (weight + 1.2)
            if len(self._scores) >= TERM_CACHE:
                self._scores.clear()
            self._scores[term] = found
        return found

    def _term_positions(self, name: str, term: str) -> dict[int, tuple[int, ...]]:
        key = (name, term)
        found = self._positions.get(key)
        if found is None:
            try:
                found = {d: tuple(p) for d, p in self.reader.postings(name, term).items_as("positions")}
            except TermNotFound:
                found = {}
            if len(self._positions) >= TERM_CACHE:
                self._positions.clear()
            self._positions[key] = found
        return found

    def _in_a_row(self, stems: Alternative, candidates: Mask) -> Mask:
        matched = np.zeros(self.size, dtype=bool)
        for name in PHRASE_FIELDS:
            positions = [self._term_positions(name, stem) for stem in stems]
            for docnum in np.flatnonzero(candidates & ~matched):
                if any(docnum not in p for p in positions):
                    continue
                following = [set(p[docnum]) for p in positions]
                if any(all(start + i in following[i] for i in range(1, len(stems))) for start in following[0]):
                    matched[docnum] = True
        return matched

    def _alternative(self, alternative: Alternative, phrase: bool) -> tuple[Mask, np.ndarray]:
        """Which documents match the alternative, and its score per document."""
        scores = [self.term_scores(stem) for stem in alternative]
        mask = scores[0] > 0
        for score in scores[1:]:
            mask = mask & (score > 0)
        if phrase and len(alternative) > 1:
            mask = self._in_a_row(alternative, mask)
        total = scores[0] if len(scores) == 1 else np.sum(scores, axis=0)
        return mask, np.where(mask, total, 0.0)

    def _unit(self, unit: Unit) -> tuple[Mask, np.ndarray]:
        mask = np.zeros(self.size, dtype=bool)
        best = np.zeros(self.size, dtype=np.float32)
        for alternative, phrase in unit:
            found, score = self._alternative(alternative, phrase)
            mask |= found
            np.maximum(best, score, out=best)
        return mask, best

    # -- query building --------------------------------------------------------------------

    def parse(self, text: str) -> tuple[list[Unit], set[str], dict[str, str]]:
        """Units (one per word or phrase), the terms to highlight, and typo corrections."""
        text = text[:MAX_QUERY_CHARS]
        units: list[Unit] = []
        highlight: set[str] = set()
        corrections: dict[str, str] = {}
        for phrase in _PHRASE.findall(text):
            stems = tuple(analysis.terms(phrase))
            if stems:
                units.append([(stems, True)])
                highlight.update(stems)
        stems_found: list[str] = []
        for word in re.findall(analysis.TOKEN_PATTERN, _PHRASE.sub(" ", text)):
            for stem in analysis.terms(word):
                known = stem in self.spelling or any((stem,) in g for g in self.synonyms.groups)
                fixed = stem if known else self.spelling.correct(stem)
                if fixed is None:
                    fixed = stem  # unknown and nothing close: it simply matches nothing
                elif fixed != stem:
                    corrections[word] = fixed
                stems_found.append(fixed)
        for unit, related in self.synonyms.units(stems_found):
            alternatives = [unit, *sorted(related)]
            units.append([(alt, False) for alt in alternatives])
            highlight.update(t for alt in alternatives for t in alt)
        return units, highlight, corrections

    # -- filters and facets ------------------------------------------------------------------

    def values_mask(self, name: str, wanted: Iterable[str]) -> Mask:
        mask = np.zeros(self.size, dtype=bool)
        for value in wanted:
            docs = self.facet_docs[name].get(value)
            if docs is not None:
                mask[docs] = True
        return mask

    def _filters(self, query: SearchQuery) -> dict[str, Mask]:
        filters: dict[str, Mask] = {}
        if query.municipality_codes:
            filters["gemeenten"] = self.values_mask("gemeenten", (*query.municipality_codes, NATIONAL))
        for name, wanted in (
            ("categories", query.categories),
            ("phases", query.phases),
            ("languages", query.languages),
            ("cost", query.costs),
        ):
            if wanted:
                filters[name] = self.values_mask(name, wanted)
        return filters

    def _facets(self, base: Mask, filters: dict[str, Mask], query: SearchQuery) -> dict[str, list[FacetCount]]:
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
            for other, mask in filters.items():
                if other != name:
                    scope = scope & mask
            counts = [
                FacetCount(value, int(np.count_nonzero(scope[docs])), value in selected[name])
                for value, docs in self.facet_docs[name].items()
            ]
            facets[name] = sorted((c for c in counts if c.count or c.selected), key=lambda c: (-c.count, c.value))
        return facets

    def visible(self, include_inactive: bool) -> Mask:
        if include_inactive:
            return self.all_docs
        return self.values_mask("status", ("active",))

    # -- search ----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> RawResult:
        with self._lock:
            return self._search(query)

    def _search(self, query: SearchQuery) -> RawResult:
        visible = self.visible(query.include_inactive)
        units, highlight, corrections = self.parse(query.text)
        relaxed = False
        matched = visible
        score = np.zeros(self.size, dtype=np.float32)
        if units:
            evaluated = [self._unit(unit) for unit in units]
            every = np.logical_and.reduce([mask for mask, _ in evaluated]) & visible
            if not every.any() and len(units) > 1:
                every, relaxed = np.logical_or.reduce([mask for mask, _ in evaluated]) & visible, True
            matched = every
            score = np.sum([unit_score for _, unit_score in evaluated], axis=0)
        filters = self._filters(query)
        final = matched
        for mask in filters.values():
            final = final & mask
        candidates = np.flatnonzero(final)
        per_page = max(1, min(query.per_page, 100))
        pages = max(1, -(-len(candidates) // per_page))
        page = min(max(1, query.page), pages)
        if units and query.sort == "relevance":
            order = candidates[np.lexsort((self.name_rank[candidates], -score[candidates]))]
        elif query.sort == "checked":
            order = candidates[np.lexsort((self.name_rank[candidates], -self.checked[candidates]))]
        else:
            order = candidates[np.argsort(self.name_rank[candidates], kind="stable")]
        return RawResult(
            ids=[self.id_of[int(d)] for d in order[(page - 1) * per_page : page * per_page]],
            total=int(len(candidates)),
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
    """Services for one situation in a gemeente.

    Recognised interventions first; then services in the situation's topics; then local before
    national; then how well the situation's words match.
    """
    with engine._lock:
        in_topic = engine.values_mask("categories", categories)
        found = in_topic.copy()
        score = np.zeros(engine.size, dtype=np.float32)
        for word in words:
            stems = tuple(analysis.terms(word))
            if stems:
                mask, word_score = engine._alternative(stems, False)
                found |= mask
                score += word_score
        found &= engine.visible(False)
        if municipality_codes:
            found &= engine.values_mask("gemeenten", (*municipality_codes, NATIONAL))
        recognised = np.zeros(engine.size, dtype=np.int64)
        for level, rank in RECOGNITION_RANK.items():
            docs = engine.facet_docs["recognition"].get(level)
            if docs is not None:
                recognised[docs] = rank
        local = engine.values_mask("gemeenten", municipality_codes) if municipality_codes else np.zeros(engine.size, dtype=bool)
        candidates = np.flatnonzero(found)
        order = candidates[
            np.lexsort((
                engine.name_rank[candidates],
                -score[candidates],
                ~local[candidates],
                ~in_topic[candidates],
                -recognised[candidates],
            ))
        ]
        return [engine.id_of[int(d)] for d in order[:limit]]


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
