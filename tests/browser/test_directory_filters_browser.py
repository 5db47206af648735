"""The sociale kaart's filters on a phone and a wide screen, in a real browser (Chromium).

- at 360 px the results start on the first screen: the filters wait behind a closed "Filters"
  disclosure below the search box, which opens by keyboard (with and without JavaScript);
- at 1280 px the filters are simply there, no disclosure to open;
- axe-core finds zero violations on these pages and on the "postcode outside the region"
  page, and no page scrolls sideways.

Screenshots go to BALIE_SCREENSHOTS/search-english/ when BALIE_SCREENSHOTS is set.

Texts are found by id, role and structure, or are data from the sociale kaart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import BrowserContext, Page

from tests.browser.audit import page_problems
from tests.browser.keyboard import focused, is_focused, tab_to
from tests.browser.screenshots import screenshot_folder
from tests.browser.serving import serving
from tests.browser.watcher import Watcher
from tests.support.directory import directory_app

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
PHONE = {"width": 360, "height": 740}
WIDE = {"width": 1280, "height": 900}
SHOTS = screenshot_folder("search-english")
TOGGLE = "main summary.filters__toggle"
FREE = "main input[name=kosten][value=free]"
APPLY = "main .search-layout__filters button[type=submit]"


@pytest.fixture(scope="module")
def kaart_url(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app: Flask = directory_app(sqlite_template_path, tmp_path_factory.mktemp("kaart-filters"))
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser_context_args(kaart_url: str) -> dict[str, Any]:
    return {"base_url": kaart_url}


@pytest.fixture
def open_page(new_context: Callable[..., BrowserContext]) -> Iterator[Callable[..., Page]]:
    watcher = Watcher()

    def opener(viewport: dict[str, int], javascript: bool = True) -> Page:
        context = new_context(viewport=viewport, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        watcher.attach(context)
        page = context.new_page()
        page.goto("/taal/en?next=/")
        return page

    yield opener
    assert watcher.problems == []


def shoot(page: Page, name: str) -> None:
    """Screenshots for a person to look at, when BALIE_SCREENSHOTS is set."""
    if SHOTS is None:
        return
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-first-screen.png"))


def top_of(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return float(box["y"])


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_phone_the_results_come_first_and_the_filters_open_by_keyboard(
    open_page: Callable[..., Page], javascript: bool
) -> None:
    page = open_page(PHONE, javascript)
    page.goto("/sociale-kaart?q=breastfeeding")
    page.locator("main ol.results").wait_for()
    shoot(page, f"phone-closed-{'js' if javascript else 'nojs'}")

    assert page.locator("main details.filters").get_attribute("open") is None
    assert not page.locator(FREE).is_visible()
    assert top_of(page, TOGGLE) < top_of(page, "#results")  # below the search box, above the results
    assert top_of(page, "main ol.results h3 a") + 40 < PHONE["height"]  # the first result on the first screen
    assert "borstvoeding" in page.locator("main ol.results h3 a").first.inner_text().lower()

    tab_to(page, TOGGLE)
    page.keyboard.press("Enter")
    assert page.locator(FREE).is_visible()
    shoot(page, f"phone-open-{'js' if javascript else 'nojs'}")
    tab_to(page, FREE)
    page.keyboard.press("Space")
    tab_to(page, APPLY)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator("#results").wait_for()

    assert "kosten=free" in page.url
    assert page.locator(TOGGLE).inner_text().strip() == "Filters (1 chosen)"
    assert top_of(page, "#results") < PHONE["height"]
    tab_to(page, TOGGLE)
    page.keyboard.press("Enter")
    assert page.locator(FREE).is_checked(), focused(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_wide_screen_the_filters_are_simply_there(open_page: Callable[..., Page], javascript: bool) -> None:
    page = open_page(WIDE, javascript)
    page.goto("/sociale-kaart?q=breastfeeding")
    page.locator("main ol.results").wait_for()
    shoot(page, f"wide-{'js' if javascript else 'nojs'}")

    assert page.locator(FREE).is_visible()
    assert not page.locator(TOGGLE).is_visible()
    tab_to(page, FREE)
    assert is_focused(page, FREE)


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["360", "1280"])
def test_axe_finds_no_violations_with_the_filters_closed_open_and_outside_the_region(
    open_page: Callable[..., Page], viewport: dict[str, int]
) -> None:
    page = open_page(viewport)
    axe = Axe()
    problems: list[str] = []

    page.goto("/sociale-kaart?q=domestic+violence")
    page.locator("main ol.results").wait_for()
    problems += page_problems(page, axe, "english search")
    if page.locator(TOGGLE).is_visible():
        page.locator(TOGGLE).click()
        problems += page_problems(page, axe, "filters open")
    page.goto("/sociale-kaart?q=debt&postcode=1011+AB")
    page.locator("#outside-region").wait_for()
    shoot(page, f"outside-region-{viewport['width']}")
    problems += page_problems(page, axe, "postcode outside the region")
    page.goto("/sociale-kaart/wijzer?situatie=schulden&postcode=1011+AB")
    page.locator("#outside-region").wait_for()
    problems += page_problems(page, axe, "situation guide outside the region")

    assert problems == []
