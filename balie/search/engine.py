"""A search engine over a Whoosh index: matching and ranking on cached postings.

Whoosh analyses (Dutch stems), stores and holds the postings; this engine reads the postings
of the query's terms once, keeps them as numpy arrays (one slot per document) and does the
boolean logic, BM25-like ranking with field boosts, filters and facet counts with array
operations — many times faster than Whoosh's per-document matcher for broad queries.
Used by the sociale kaart and the vraagbaak, each with its own ``IndexSpec``.

``LiveIndex`` keeps one engine per process and, at most every few seconds, compares the
database's version with the version the node's index reflects; a newer database state is
caught up first (every app node keeps its own copy of the index).
"""

from __future__ import annotations

import math
import re
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from whoosh.reading import TermNotFound

from balie.search import analysis, spelling
from balie.search.store import IndexStore
from balie.search.synonyms import Alternative, Synonyms

FRESHNESS_SECONDS = 2.0
MAX_QUERY_CHARS = 200
_PHRASE = re.compile(r'"([^"]+)"')


@dataclass(frozen=True)
class IndexSpec:
    """What an index holds: text fields with their boosts, facet fields, sort fields."""

    name: str
    text_boosts: Mapping[str, float]
    phrase_fields: tuple[str, ...]
    facet_fields: tuple[str, ...]
    sort_field: str  # a stored, case-folded text: sorting "by name"
    date_field: str  # a stored day number: sorting "by date"
    # A query of several words that finds fewer than this many documents with every word is
    # relaxed: documents with some of its words follow, those matching the most words first.
    # 1: relax only when nothing has every word.
    relax_below: int = 1


@dataclass(frozen=True)
class Query:
    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # OR within, AND across
    only: tuple[str, str] | None = None  # (facet field, value) a document must have to be seen at all
    facets: tuple[str, ...] = ()  # which facet counts to compute
    first_value: tuple[str, str] | None = None  # documents with this (field, value) rank first
    sort: str = "relevance"  # relevance / name / date
    page: int = 1
    per_page: int = 20


class QueryLike(Protocol):
    def to_query(self) -> Query: ...


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
    corrections: dict[str, str] = field(default_factory=dict)  # typed word → term searched
    highlight: frozenset[str] = frozenset()
    relaxed: bool = False  # too few had every word: results with some of them follow
    exact: int = 0  # how many documents have every word (before relaxing)
    expanded: tuple[str, ...] = ()  # the topics (synonym groups) searched besides the words typed
    suggestion: str = ""  # the query with its unknown words replaced by the words searched instead


TERM_CACHE = 2048

# A query is a list of units (one per word, phrase or multi-word synonym); a unit matches when
# one of its alternatives matches; an alternative is a tuple of stems that must all occur
# (in a row, when ``phrase``).
Unit = list[tuple[Alternative, bool, float]]  # (stems, in a row?, weight)
SYNONYM_WEIGHT = 0.6  # a synonym finds, but the word typed ranks higher
Mask = np.ndarray


class Engine:
    """A reader on one index version, with facet masks and cached postings. Immutable once built."""

    def __init__(self, store: IndexStore, synonyms: Synonyms, spec: IndexSpec) -> None:
        self.spec = spec
        index = store.open()
        if index is None:
            raise FileNotFoundError("no search index yet")
        generation = store.current()
        self.version = store.version_of(generation) if generation else -1
        self.synonyms = synonyms
        self.searcher = index.searcher()
        # Closed when the last request using this engine lets go of it, never while one reads:
        # a reopen replaces the engine, but searches that hold the old one finish on it.
        self._close = weakref.finalize(self, self.searcher.close)
        self._lock = threading.Lock()
        self.reader = self.searcher.reader()
        size = self.reader.doc_count_all()  # document numbers run 0 … size-1 (deleted ones too)
        self.size = size
        self.doc_count = max(1, self.reader.doc_count())
        self.all_docs: Mask = np.zeros(size, dtype=bool)
        values: dict[str, dict[str, list[int]]] = {name: {} for name in spec.facet_fields}
        self.id_of: dict[int, str] = {}
        names = [""] * size
        self.checked = np.zeros(size, dtype=np.int64)
        for docnum, stored in self.reader.iter_docs():
            self.all_docs[docnum] = True
            self.id_of[docnum] = stored["id"]
            names[docnum] = stored.get(spec.sort_field, "")
            self.checked[docnum] = stored.get(spec.date_field, 0) or 0
            for name in spec.facet_fields:
                for value in filter(None, str(stored.get(name, "")).split(",")):
                    values[name].setdefault(value, []).append(docnum)
        self.name_rank = np.empty(size, dtype=np.int64)
        self.name_rank[sorted(range(size), key=names.__getitem__)] = np.arange(size)
        self.facet_docs = {
            name: {value: np.array(docs, dtype=np.int64) for value, docs in found.items()}
            for name, found in values.items()
        }
        frequency: Counter[str] = Counter()
        for name in spec.text_boosts:
            for term in self.reader.field_terms(name):
                frequency[term] += self.reader.doc_frequency(name, term)
        self.spelling = spelling.build(frequency.items())
        written = _written_words(names, synonyms)
        self.surface = _surface_words(written)
        # Whole words as written, for a typo the stemmer hides: it cuts "somberheid" to "somber" but
        # leaves "somberhied" whole, too far from any stem; one edit away from a written word it is not.
        self.respelling = spelling.build((word.casefold(), count) for word, count in written.items())
        self._scores: dict[str, np.ndarray] = {}
        self._positions: dict[tuple[str, str], dict[int, tuple[int, ...]]] = {}

    def close(self) -> None:
        """Close now (only when nobody else can be using it, e.g. at shutdown)."""
        self._close()

    # -- postings ---------------------------------------------------------------------------

    def term_scores(self, term: str) -> np.ndarray:
        """Per document the weight of the term over all text fields (boosted, BM25-like); 0 = absent."""
        found = self._scores.get(term)
        if found is None:
            found = np.zeros(self.size, dtype=np.float32)
            for name, boost in self.spec.text_boosts.items():
                try:
                    # A list: a term left only in replaced (deleted) documents has no postings.
                    postings = list(self.reader.postings(name, term).items_as("weight"))
                except TermNotFound:
                    continue
                if not postings:
                    continue
                docs, weights = zip(*postings, strict=True)
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
        for name in self.spec.phrase_fields:
            positions = [self._term_positions(name, stem) for stem in stems]
            for docnum in (int(found) for found in np.flatnonzero(candidates & ~matched)):
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
        for alternative, phrase, weight in unit:
            found, score = self._alternative(alternative, phrase)
            mask |= found
            np.maximum(best, score * weight, out=best)
        return mask, best

    # -- query building --------------------------------------------------------------------

    def parse(self, text: str) -> tuple[list[Unit], set[str], dict[str, str]]:
        """Units (one per word or phrase), the terms to highlight, and typo corrections."""
        units, highlight, corrections, _expanded, _respelled = self._parse(text)
        return units, highlight, corrections

    def _parse(self, text: str) -> tuple[list[Unit], set[str], dict[str, str], list[str], dict[str, str]]:
        text = text[:MAX_QUERY_CHARS]
        units: list[Unit] = []
        highlight: set[str] = set()
        corrections: dict[str, str] = {}
        respelled: dict[str, str] = {}  # typed word → the written word it was taken for
        expanded: list[str] = []
        for phrase in _PHRASE.findall(text):
            stems = tuple(analysis.terms(phrase))
            if stems:
                units.append([(stems, True, 1.0)])
                highlight.update(stems)
        stems_found: list[str] = []
        for word in re.findall(analysis.TOKEN_PATTERN, _PHRASE.sub(" ", text)):
            for stem in analysis.terms(word):
                known = stem in self.spelling or self.synonyms.knows(stem)
                fixed = stem if known else self.spelling.correct(stem)
                if fixed is None and (written := self._respell(word)):
                    respelled[word], fixed = written
                if fixed is None:
                    fixed = stem  # unknown and nothing close: it simply matches nothing
                elif fixed != stem:
                    corrections[word] = fixed
                stems_found.append(fixed)
        for unit, related in self.synonyms.units(stems_found):
            alternatives = [unit, *sorted(related)]
            units.append([(alt, False, 1.0 if alt == unit else SYNONYM_WEIGHT) for alt in alternatives])
            highlight.update(t for alt in alternatives for t in alt)
            expanded.extend(h for h in self.synonyms.topics_of(unit) if h not in expanded)
        return units, highlight, corrections, expanded, respelled

    def _respell(self, word: str) -> tuple[str, str] | None:
        """The written word a typo stands for, and its stem, if that stem is in the index."""
        written = self.respelling.correct(word.casefold())
        stems = analysis.terms(written) if written else []
        if len(stems) == 1 and (stems[0] in self.spelling or self.synonyms.knows(stems[0])):
            return str(written), stems[0]
        return None

    def suggest(self, text: str, corrections: Mapping[str, str], respelled: Mapping[str, str] | None = None) -> str:
        """The query as she might have meant it: each corrected word replaced by a known word."""
        if not corrections:
            return ""

        def known(match: re.Match[str]) -> str:
            if respelled and match.group() in respelled:
                return respelled[match.group()]
            term = corrections.get(match.group())
            return match.group() if term is None else self.surface.get(term, term)

        return re.sub(analysis.TOKEN_PATTERN, known, text[:MAX_QUERY_CHARS])

    # -- filters and facets ------------------------------------------------------------------

    def values_mask(self, name: str, wanted: Iterable[str]) -> Mask:
        mask = np.zeros(self.size, dtype=bool)
        for value in wanted:
            docs = self.facet_docs[name].get(value)
            if docs is not None:
                mask[docs] = True
        return mask

    def _filters(self, query: Query) -> dict[str, Mask]:
        return {name: self.values_mask(name, wanted) for name, wanted in query.filters.items() if wanted}

    def _facets(self, base: Mask, filters: dict[str, Mask], query: Query) -> dict[str, list[FacetCount]]:
        facets: dict[str, list[FacetCount]] = {}
        for name in query.facets:
            # Counts as if this facet's own choice were not made (so alternatives stay visible).
            scope = base
            for other, mask in filters.items():
                if other != name:
                    scope = scope & mask
            chosen = query.filters.get(name, ())
            counts = [
                FacetCount(value, int(np.count_nonzero(scope[docs])), value in chosen)
                for value, docs in self.facet_docs[name].items()
            ]
            facets[name] = sorted((c for c in counts if c.count or c.selected), key=lambda c: (-c.count, c.value))
        return facets

    def visible(self, only: tuple[str, str] | None) -> Mask:
        return self.all_docs if only is None else self.values_mask(only[0], (only[1],))

    # -- search ----------------------------------------------------------------------------

    def search(self, query: Query | QueryLike) -> RawResult:
        """Run a query (or an index-specific query object that converts itself)."""
        with self._lock:
            return self._search(query if isinstance(query, Query) else query.to_query())

    def _search(self, query: Query) -> RawResult:
        visible = self.visible(query.only) & self.all_docs
        units, highlight, corrections, expanded, respelled = self._parse(query.text)
        relaxed = False
        matched = visible
        score: np.ndarray[Any, Any] = np.zeros(self.size, dtype=np.float32)
        coverage: np.ndarray[Any, Any] = np.zeros(self.size, dtype=np.int64)  # how many of the query's words match
        filters = self._filters(query)
        filtered = visible
        for mask in filters.values():
            filtered = filtered & mask
        exact = 0
        if units:
            evaluated = [self._unit(unit) for unit in units]
            coverage = np.asarray(np.sum([mask for mask, _ in evaluated], axis=0, dtype=np.int64))
            matched = np.logical_and.reduce([mask for mask, _ in evaluated]) & visible
            exact = int(np.count_nonzero(matched & filtered))
            if exact < self.spec.relax_below and len(units) > 1:
                matched, relaxed = np.logical_or.reduce([mask for mask, _ in evaluated]) & visible, True
            score = np.sum([unit_score for _, unit_score in evaluated], axis=0)
        final = matched & filtered
        candidates = np.flatnonzero(final)
        per_page = max(1, min(query.per_page, 100))
        pages = max(1, -(-len(candidates) // per_page))
        page = min(max(1, query.page), pages)
        first = (
            self.values_mask(query.first_value[0], (query.first_value[1],))
            if query.first_value
            else np.zeros(self.size, dtype=bool)
        )
        keys: tuple[np.ndarray[Any, Any], ...]
        if units and query.sort == "relevance":
            keys = (self.name_rank[candidates], -score[candidates], ~first[candidates])
            if relaxed:
                # Not every document has every word: those with the most of them come first
                # ("first" documents lead only among those matching as many words).
                keys = (*keys, -coverage[candidates])
        elif query.sort == "date":
            keys = (self.name_rank[candidates], -self.checked[candidates], ~first[candidates])
        else:
            keys = (self.name_rank[candidates], ~first[candidates])
        order = candidates[np.lexsort(keys)]
        return RawResult(
            ids=[self.id_of[int(d)] for d in order[(page - 1) * per_page : page * per_page]],
            total=len(candidates),
            page=page,
            pages=pages,
            facets=self._facets(matched, filters, query),
            corrections=corrections,
            highlight=frozenset(highlight),
            relaxed=relaxed,
            exact=exact if units else len(candidates),
            expanded=tuple(expanded),
            suggestion=self.suggest(query.text, corrections, respelled),
        )


class LiveIndex:
    """One per app and index: hands out an engine on this node's up-to-date index."""

    def __init__(
        self,
        store: IndexStore,
        synonyms: Synonyms,
        spec: IndexSpec,
        current_version: Callable[[Session], int],
        catch_up: Callable[[Session, IndexStore], int],
        rebuild: Callable[[Session, IndexStore], int],
    ) -> None:
        self.store, self.synonyms, self.spec = store, synonyms, spec
        self._current_version, self._catch_up, self._rebuild = current_version, catch_up, rebuild
        self._engine: Engine | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def engine(self, session: Session) -> Engine:
        now = time.monotonic()
        with self._lock:
            if self._engine is not None and now - self._checked_at < FRESHNESS_SECONDS:
                return self._engine
            self._checked_at = now
            if self._engine is None or self._current_version(session) > self._engine.version:
                self._reopen(self._catch_up(session, self.store))
            return self._engine  # type: ignore[return-value]

    def _reopen(self, count: int) -> int:
        # The old engine is not closed here: another thread may be searching it right now. It
        # closes itself when the last of them is done (see Engine.__init__).
        self._engine = Engine(self.store, self.synonyms, self.spec)
        return count

    def sync(self, session: Session) -> int:
        """Bring this node's index up to the database, then reopen it. Safe to call any time."""
        with self._lock:
            return self._reopen(self._catch_up(session, self.store))

    def rebuild(self, session: Session) -> int:
        with self._lock:
            return self._reopen(self._rebuild(session, self.store))


def _written_words(names: Iterable[str], synonyms: Synonyms) -> Counter[str]:
    """The words of the names and the synonym list as written, with how often each occurs."""
    counts: Counter[str] = Counter(synonyms.words)
    for name in names:
        counts.update(re.findall(analysis.TOKEN_PATTERN, name))
    for member in synonyms.words:
        if " " in member:
            counts.update(re.findall(analysis.TOKEN_PATTERN, member))
    return counts


def _surface_words(counts: Counter[str]) -> dict[str, str]:
    """A readable word per stem (from the names and the synonym list), for "did you mean"."""
    surface: dict[str, str] = {}
    # Most frequent first, then the shortest: "ouderschap", not "ouderschappen".
    for word, _count in sorted(counts.items(), key=lambda item: (-item[1], len(item[0]), item[0])):
        found = analysis.terms(word)
        if len(found) == 1:
            surface.setdefault(found[0], word.casefold())
    return surface


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
    return Markup("".join(out))  # noqa: S704 - every piece was escaped above
