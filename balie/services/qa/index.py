"""The vraagbaak's search index: one document per question, with its answers' text.

Solved questions rank first; hidden and merged questions are in the index but never shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

from balie.models import Question
from balie.search import indexing
from balie.search.analysis import dutch_analyzer
from balie.search.engine import IndexSpec, LiveIndex, Query
from balie.search.indexing import IndexSource
from balie.search.store import IndexStore
from balie.search.synonyms import Synonyms
from balie.services.qa import questions as qa

SPEC = IndexSpec(
    name=qa.INDEX_NAME,
    text_boosts={"title": 4.0, "topics": 2.0, "body": 1.0, "answers": 1.5},
    phrase_fields=("title", "body", "answers"),
    facet_fields=("tags", "solved", "visible", "pinned"),
    sort_field="title_sort",
    date_field="created",
)


def schema() -> Schema:
    analyzer = dutch_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, field_boost=4.0),
        topics=TEXT(analyzer=analyzer, field_boost=2.0),
        body=TEXT(analyzer=analyzer),
        answers=TEXT(analyzer=analyzer, field_boost=1.5),
        tags=KEYWORD(commas=True, stored=True),
        solved=ID(stored=True),
        visible=ID(stored=True),
        pinned=ID(stored=True),
        title_sort=ID(stored=True, sortable=True),
        created=NUMERIC(stored=True, sortable=True, bits=64),
    )


def document(question: Question) -> dict[str, str | int]:
    return {
        "id": question.id,
        "title": question.title,
        "topics": " ".join(tag.name for tag in question.tags),
        "body": question.body,
        "answers": " ".join(a.body for a in question.answers if not a.hidden),
        "tags": ",".join(tag.code for tag in question.tags),
        "solved": "yes" if question.accepted_answer_id else "no",
        "visible": "no" if question.hidden or question.merged_into_id else "yes",
        "pinned": "yes" if question.pinned else "no",
        "title_sort": question.title.casefold(),
        "created": int(question.created_at.timestamp()),
    }


def _documents(session: Session, since_version: int | None) -> Iterator[tuple[dict[str, str | int], int]]:
    query = select(Question).options(selectinload(Question.tags), selectinload(Question.answers))
    if since_version is not None:
        query = query.where(Question.index_version > since_version)
    for question in session.scalars(query.order_by(Question.id)):
        yield document(question), question.index_version


SOURCE = IndexSource(schema=schema, current_version=qa.current_version, documents=_documents)


def search_query(
    text: str,
    tags: tuple[str, ...] = (),
    solved_only: bool = False,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> Query:
    """Visible questions; solved ones first; tags as facets."""
    return Query(
        text=text,
        filters={"tags": tags, "solved": ("yes",) if solved_only else ()},
        only=("visible", "yes"),
        facets=("tags", "solved"),
        first_value=("solved", "yes"),
        sort={"newest": "date", "title": "name"}.get(sort, "relevance"),
        page=page,
        per_page=per_page,
    )


class QaSearch(LiveIndex):
    def __init__(self, index_base: Path | str, synonyms_file: Path | str) -> None:
        super().__init__(
            IndexStore(index_base, SPEC.name),
            Synonyms.load(synonyms_file),
            SPEC,
            qa.current_version,
            lambda session, store: indexing.catch_up(session, store, SOURCE),
            lambda session, store: indexing.rebuild(session, store, SOURCE),
        )
