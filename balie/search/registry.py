"""The app's search indexes, created on first use (never while the app is being built)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import current_app

from balie.extensions import db
from balie.search.engine import LiveIndex
from balie.services.directory.search import DirectorySearch
from balie.services.qa.index import QaSearch

T = TypeVar("T", bound=LiveIndex)

log = logging.getLogger(__name__)


def _synonyms() -> Path:
    return Path(current_app.config["SOCIALE_KAART_DIR"]) / "synonyms.yaml"


def _get(key: str, make: Callable[[str, Path], T]) -> T:
    found = current_app.extensions.get(key)
    if found is None:
        found = current_app.extensions.setdefault(key, make(current_app.config["SEARCH_INDEX_DIR"], _synonyms()))
    return found


def directory() -> DirectorySearch:
    return _get("balie.directory_search", DirectorySearch)


def vraagbaak() -> QaSearch:
    return _get("balie.qa_search", QaSearch)


def all_indexes() -> list[LiveIndex]:
    return [directory(), vraagbaak()]


def unshared_indexes(folder: Path) -> list[LiveIndex]:
    """Every index, as a private set in `folder` rather than this node's copy (a restore drill's)."""
    return [DirectorySearch(folder, _synonyms()), QaSearch(folder, _synonyms())]


def refresh_after_commit(live: LiveIndex) -> None:
    """Bring this node's copy of `live` up to date after a committed change. The change itself
    is safe in the database, so a failure here is only logged (its kind, never its message,
    which could quote content): searches on this node look at the database again at most
    FRESHNESS_SECONDS later and catch up then, as other nodes always do."""
    try:
        live.sync(db.session)
    except Exception as exc:  # noqa: BLE001
        log.warning("search index %s not updated after a change: %s", live.spec.name, type(exc).__name__)
