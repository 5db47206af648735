"""Browser tests: the app served by a real (threaded) werkzeug server on 127.0.0.1, driven by
Debian's Chromium through Playwright. Never a downloaded browser (see TOOLCHAIN.md)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from tests.browser.serving import serving
from tests.conftest import make_app
from tests.support.databases import copy_sqlite


@dataclass
class LiveServer:
    app: Flask
    url: str
    database_path: Path

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on its own copy of the database, served in a background thread for the session."""
    folder = tmp_path_factory.mktemp("live")
    database_path = folder / "balie.sqlite3"
    app = make_app(copy_sqlite(sqlite_template_path, database_path), folder, SPAM_MIN_SECONDS=0)
    with serving(app) as url:
        yield LiveServer(app=app, url=url, database_path=database_path)


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """pytest-playwright's base_url: page.goto("/aanmelden") goes to the live server."""
    return live_server.url
