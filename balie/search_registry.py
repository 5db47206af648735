"""The app's search engines, created on first use (never while the app is being built)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from balie.services.directory_search import DirectorySearch

KEY = "balie.directory_search"


def directory() -> DirectorySearch:
    found = current_app.extensions.get(KEY)
    if found is None:
        found = DirectorySearch(
            current_app.config["SEARCH_INDEX_DIR"], Path(current_app.config["SOCIALE_KAART_DIR"]) / "synonyms.yaml"
        )
        current_app.extensions[KEY] = found
    return found
