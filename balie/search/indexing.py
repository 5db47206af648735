"""Building and catching up an index from the database, for any kind of document.

``rebuild`` writes a complete new generation and switches to it; ``catch_up`` applies the
records changed since the version the node's index reflects (or builds it when missing).
Both hold the node's index lock, so concurrent processes never write at the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from whoosh.fields import Schema

from balie.search.analysis import ANALYSIS_VERSION
from balie.search.store import IndexStore

Document = dict[str, Any]


@dataclass(frozen=True)
class IndexSource:
    schema: Callable[[], Schema]
    current_version: Callable[[Session], int]
    # (document, version of its last change) for every record, or for those changed since a version.
    documents: Callable[[Session, int | None], Iterable[tuple[Document, int]]]


def _rebuild(session: Session, store: IndexStore, source: IndexSource) -> int:
    version = source.current_version(session)
    generation, index = store.new_generation(source.schema())
    writer = index.writer(limitmb=128)
    count = 0
    for document, _changed in source.documents(session, None):
        writer.add_document(**document)
        count += 1
    writer.commit(optimize=True)
    store.set_version(generation, version)
    store.set_analysis(generation, ANALYSIS_VERSION)
    store.switch_to(generation)
    return count


def rebuild(session: Session, store: IndexStore, source: IndexSource) -> int:
    """A complete new generation, switched to atomically. Returns the number of documents."""
    with store.locked():
        return _rebuild(session, store, source)


def catch_up(session: Session, store: IndexStore, source: IndexSource) -> int:
    """Apply what changed since the index's version; build the index if there is none."""
    with store.locked():
        generation = store.current()
        if generation is None or store.analysis_of(generation) != ANALYSIS_VERSION:
            return _rebuild(session, store, source)  # none yet, or built with an older analysis
        seen = store.version_of(generation)
        version = source.current_version(session)
        if version <= seen:
            return 0
        index = store.open()
        if index is None:
            raise RuntimeError("the search index was just created and cannot be opened")
        writer = index.writer()
        newest, count = version, 0
        for document, changed in source.documents(session, seen):
            writer.update_document(**document)
            newest, count = max(newest, changed), count + 1
        writer.commit()
        store.set_version(generation, newest)
        return count
