"""Fixtures for the web tests: an English-speaking parent, and apps with other settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from balie.extensions import db
from tests.conftest import make_app
from tests.support.databases import copy_sqlite
from tests.web.helpers import english


@pytest.fixture
def en_client(client: Any) -> Any:
    """The test client of `app`, with English chosen as the page language."""
    return english(client)


@pytest.fixture
def app_with(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on its own fresh database with some settings changed."""
    made: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        folder = tmp_path / f"app{len(made)}"
        folder.mkdir()
        application = make_app(copy_sqlite(sqlite_template_path, folder / "balie.sqlite3"), folder, **overrides)
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
