"""Fixtures of the database tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from balie import migrate
from balie.extensions import db
from balie.services.operations.reference_data import load_reference_data
from tests.conftest import make_app
from tests.support.directory import dispose


@pytest.fixture
def empty_database(any_db_app: Flask, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database of the same kind as ``any_db_app``'s, with the schema and reference
    data, no sociale kaart."""
    if any_db_app.config["DATABASE_URL"].startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        server = request.getfixturevalue("postgres")
        url = server.url(server.create_database())
    fresh = make_app(url, tmp_path / "empty", SEARCH_INDEX_DIR=str(tmp_path / "empty" / "search"))
    with fresh.app_context(), db.writing():
        migrate.upgrade(db.engine)
        load_reference_data(db.session)
        db.commit()
    dispose(fresh)
    return url
