"""Fixtures for browser tests of the public sociale kaart: a live server with the shipped kaart, and
pages at a chosen width with or without JavaScript (console errors and failed requests fail the test).

A test module imports both fixtures and points Playwright at the server:

    @pytest.fixture(scope="module")
    def browser_context_args(kaart_url: str) -> dict[str, Any]:
        return {"base_url": kaart_url}
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.serving import serving
from tests.browser.watcher import Watcher
from tests.support.directory import directory_app

TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def kaart_url(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = directory_app(sqlite_template_path, tmp_path_factory.mktemp("kaart-live"))
    with serving(app) as url:
        yield url


@pytest.fixture
def open_page(new_context: Callable[..., BrowserContext]) -> Iterator[Callable[..., Page]]:
    watcher = Watcher()

    def opener(width: int, javascript: bool) -> Page:
        context = new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        watcher.attach(context)
        return context.new_page()

    yield opener
    assert watcher.problems == []
