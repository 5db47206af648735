"""Searching the sociale kaart: the directory's index spec and queries on the shared engine.

Dutch stems, synonyms and typo tolerance come from ``balie.search``; here: what a search in
the sociale kaart filters on (postcode/gemeente incl. national offers, topic, phase, language,
cost), the situatie-wijzer's short lists, and the per-app live index.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from balie.domain.directory import PHASES
from balie.search import analysis
from balie.search.engine import Engine, FacetCount, IndexSpec, LiveIndex, Query, RawResult, snippet
from balie.search.store import IndexStore
from balie.search.synonyms import Synonyms
from balie.services.directory import changes as directory_changes
from balie.services.directory import index as directory_index
from balie.services.directory.index import FACET_FIELDS, NATIONAL

SORTS = ("relevance", "name", "checked")
SPEC = IndexSpec(
    name="sociale-kaart",
    text_boosts={"name": 4.0, "alternate": 2.0, "organisation": 1.5, "topics": 2.0, "body": 1.0},
    phrase_fields=("name", "body"),
    facet_fields=FACET_FIELDS,
    sort_field="name_sort",
    date_field="checked",
    relax_below=5,  # a sentence rarely has every word in one offer: show those with most of them too
)
RECOGNITION_RANK = {"effective_strong": 4, "effective_good": 3, "effective_first": 2, "well_founded": 1}
__all__ = [
    "DirectorySearch",
    "Engine",
    "FacetCount",
    "RawResult",
    "SearchQuery",
    "in_time_order",
    "shortlist",
    "snippet",
]


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

    def to_query(self) -> Query:
        return Query(
            text=self.text,
            filters={
                "gemeenten": (*self.municipality_codes, NATIONAL) if self.municipality_codes else (),
                "categories": self.categories,
                "phases": self.phases,
                "languages": self.languages,
                "cost": self.costs,
            },
            only=None if self.include_inactive else ("status", "active"),
            facets=("categories", "phases", "gemeenten", "languages", "cost"),
            sort={"checked": "date", "name": "name"}.get(self.sort, "relevance"),
            page=self.page,
            per_page=self.per_page,
        )


def search(engine: Engine, query: SearchQuery) -> RawResult:
    return engine.search(query.to_query())


def in_time_order(counts: list[FacetCount]) -> list[FacetCount]:
    """Phase facet values as the phases follow each other (before pregnancy, pregnancy, …), not by count."""
    rank = {phase: i for i, phase in enumerate(PHASES)}
    return sorted(counts, key=lambda c: (rank.get(c.value, len(rank)), c.value))


def shortlist(
    engine: Engine,
    municipality_codes: tuple[str, ...],
    categories: tuple[str, ...],
    words: tuple[str, ...],
    limit: int = 3,
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
        found &= engine.visible(("status", "active"))
        if municipality_codes:
            found &= engine.values_mask("gemeenten", (*municipality_codes, NATIONAL))
        recognised = np.zeros(engine.size, dtype=np.int64)
        for level, rank in RECOGNITION_RANK.items():
            docs = engine.facet_docs["recognition"].get(level)
            if docs is not None:
                recognised[docs] = rank
        local = (
            engine.values_mask("gemeenten", municipality_codes)
            if municipality_codes
            else np.zeros(engine.size, dtype=bool)
        )
        candidates = np.flatnonzero(found)
        order = candidates[
            np.lexsort(
                (
                    engine.name_rank[candidates],
                    -score[candidates],
                    ~local[candidates],
                    ~in_topic[candidates],
                    -recognised[candidates],
                )
            )
        ]
        return [engine.id_of[int(d)] for d in order[:limit]]


class DirectorySearch(LiveIndex):
    """The sociale kaart's live index on this app node."""

    def __init__(self, index_base: Path | str, synonyms_file: Path | str) -> None:
        super().__init__(
            IndexStore(index_base, SPEC.name),
            Synonyms.load(synonyms_file),
            SPEC,
            directory_changes.current_version,
            directory_index.catch_up,
            directory_index.rebuild,
        )
