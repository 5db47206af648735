"""The sociale kaart in a real browser (Debian's Chromium through Playwright).

- a nurse searches with a word and a postcode, ticks a facet, goes to page 2 and opens an
  offering, by keyboard only;
- axe-core finds zero violations on the search page (with results, without results, with a
  postcode error), an offering, the situatie-wijzer with results and every editor page
  (overview, edit form, form with errors, preview, history, retire confirmation), at 1280 and
  320 px, and no page scrolls sideways;
- a gemeente editor fixes a phone number in the browser and sees it on the public page.

The app runs on its own live server with its search index in a temporary folder. Texts are
found by id, role and structure, or are data from the sociale kaart, never translated texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import BrowserContext, Page

from balie.services.accounts.lifecycle import Grant
from tests.browser.audit import page_problems
from tests.browser.journey import log_in
from tests.browser.keyboard import focused, is_focused, tab_to
from tests.browser.serving import serving
from tests.browser.watcher import Watcher
from tests.support.accounts import make_user
from tests.support.directory import DELFT, DELFT_POSTCODE, WIJKTEAM_DELFT, directory_app

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
SEARCH_BUTTON = "main form[role=search] .search-form__main button[type=submit]"
APPLY_FILTERS = "main .search-layout__filters button[type=submit]"
OLD_PHONE = "088 000 00 11"


@dataclass
class KaartServer:
    app: Flask
    url: str


@pytest.fixture(scope="module")
def kaart_server(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KaartServer]:
    """The app on its own database copy and index folder, served in a background thread."""
    app = directory_app(sqlite_template_path, tmp_path_factory.mktemp("kaart-live"))
    with serving(app) as url:
        yield KaartServer(app, url)


@pytest.fixture(scope="module")
def browser_context_args(kaart_server: KaartServer) -> dict[str, Any]:
    """pytest-playwright's context settings: relative URLs go to this module's server."""
    return {"base_url": kaart_server.url}


@pytest.fixture(scope="module")
def editor_email(kaart_server: KaartServer) -> str:
    email = "els@delft.example"
    make_user(
        kaart_server.app, email, [Grant("gemeente_editor", municipality_code=DELFT)], totp=False, name="Els Editor"
    )
    return email


@pytest.fixture
def open_page(new_context: Callable[..., BrowserContext]) -> Iterator[Callable[..., Page]]:
    watcher = Watcher()

    def opener(width: int = 1280, language: str = "nl") -> Page:
        context = new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        watcher.attach(context)
        page = context.new_page()
        if language != "nl":
            page.goto(f"/taal/{language}?next=/")
        return page

    yield opener
    assert watcher.problems == []


# -- keyboard helpers ----------------------------------------------------------------------------------


def press_and_wait(page: Page, key: str, ready: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.locator(ready).first.wait_for()


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def result_names(page: Page) -> list[str]:
    return [name.strip() for name in page.locator("main ol.results h3 a").all_inner_texts()]


# -- keyboard only --------------------------------------------------------------------------------------


def test_a_nurse_searches_filters_pages_and_opens_an_offer_by_keyboard(open_page: Callable[..., Page]) -> None:
    page = open_page()
    page.goto("/sociale-kaart")

    tab_to(page, "#q")
    page.keyboard.type("ouders")
    page.keyboard.press("Tab")
    assert is_focused(page, "#postcode"), focused(page)
    page.keyboard.type(DELFT_POSTCODE)
    tab_to(page, SEARCH_BUTTON)
    press_and_wait(page, "Enter", "main ol.results")

    assert query(page)["q"] == ["ouders"] and query(page)["postcode"] == [DELFT_POSTCODE]
    unfiltered = int(page.locator("#results").inner_text().split()[0])
    free = "input[name=kosten][value=free]"
    free_count = int(
        page.locator(f"label[for={page.locator(free).get_attribute('id')}] .facet__count").inner_text().strip("()")
    )
    assert 20 < free_count < unfiltered

    tab_to(page, free)
    page.keyboard.press("Space")
    assert page.locator(free).is_checked()
    tab_to(page, APPLY_FILTERS)
    press_and_wait(page, "Enter", "main ol.results")

    assert query(page)["kosten"] == ["free"] and query(page)["postcode"] == [DELFT_POSTCODE]
    assert int(page.locator("#results").inner_text().split()[0]) == free_count
    assert page.locator(free).is_checked()
    first_page = result_names(page)
    assert len(first_page) == 20

    tab_to(page, "main nav.pagination a[rel=next]")
    press_and_wait(page, "Enter", "main ol.results")

    assert query(page)["page"] == ["2"]
    assert (
        query(page)["kosten"] == ["free"]
        and query(page)["q"] == ["ouders"]
        and query(page)["postcode"] == [DELFT_POSTCODE]
    )
    second_page = result_names(page)
    assert len(second_page) == free_count - 20
    assert not set(first_page) & set(second_page)
    assert page.locator("main nav.pagination [aria-current=page]").inner_text().strip() == "2"

    chosen = second_page[0]
    tab_to(page, "main ol.results h3 a")
    press_and_wait(page, "Enter", "main h1")

    assert urlsplit(page.url).path.startswith("/sociale-kaart/aanbod/")
    assert page.locator("main h1").inner_text().strip() == chosen
    assert page.locator("main .summary").count() == 1


# -- axe-core at 1280 and 320 px --------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_violations_on_the_sociale_kaart_pages(
    open_page: Callable[..., Page], kaart_server: KaartServer, editor_email: str, width: int
) -> None:
    page = open_page(width=width)
    axe = Axe()
    problems: list[str] = []

    def audit(name: str, ready: str = "main h1") -> None:
        page.locator(ready).first.wait_for()
        problems.extend(page_problems(page, axe, name))

    page.goto("/sociale-kaart?q=schulden&postcode=2611+AB")
    audit("search with results", "main ol.results")
    page.goto("/sociale-kaart?q=schulden&postcode=2611+AB&categorie=geld-schulden&page=2")
    audit("search with a facet ticked", "#results")
    page.goto("/sociale-kaart?q=xqzwvbn")
    audit("search without results", "#results")
    assert page.locator("main ol.results").count() == 0
    page.goto("/sociale-kaart?q=schulden&postcode=1000+AA")
    audit("search with a postcode error", ".error-summary")
    page.goto(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}")
    audit("offering")
    page.goto("/sociale-kaart/wijzer?situatie=schulden&situatie=geen-netwerk&postcode=2611+AB")
    audit("situatie-wijzer with results", "main section.situation")

    log_in(page, editor_email)
    page.goto("/sociale-kaart/beheer")
    audit("editor overview", "main table")
    page.goto(f"/sociale-kaart/beheer/{WIJKTEAM_DELFT}/bewerken")
    audit("edit form", "#name")
    page.locator("#name").fill("")
    page.locator("#url").fill("geen adres")
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]").click()
    audit("edit form with errors", ".error-summary")
    page.goto(f"/sociale-kaart/beheer/{WIJKTEAM_DELFT}/bewerken")
    page.locator("#alert").fill("Wachttijd ongeveer 3 weken (voorbeeld)")
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]").click()
    audit("preview", "main button[name=save]")
    page.goto(f"/sociale-kaart/beheer/{WIJKTEAM_DELFT}/geschiedenis")
    audit("history", "main table")
    page.goto(f"/sociale-kaart/beheer/{WIJKTEAM_DELFT}/beeindigen")
    audit("retire confirmation", "main form button[type=submit]")

    assert problems == [], "\n".join(problems)


# -- an edit in the browser --------------------------------------------------------------------------------


def test_an_editor_fixes_a_phone_number_and_sees_it_on_the_public_page(
    open_page: Callable[..., Page], editor_email: str
) -> None:
    new_phone = "088 000 00 77"
    public = open_page()
    public.goto(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}")
    assert OLD_PHONE in public.locator("main").inner_text()

    page = open_page()
    log_in(page, editor_email)
    page.goto("/sociale-kaart/beheer")
    with page.expect_navigation():
        page.locator(f"#s-{WIJKTEAM_DELFT} a[href$='/bewerken']").click()
    phones = page.locator("#phones")
    assert phones.input_value().startswith(OLD_PHONE)
    phones.fill(f"{new_phone} | voorbeeldnummer wijkteam Delft")
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]").click()
    assert new_phone in page.locator("main .preview-frame").inner_text()
    public.reload()
    assert OLD_PHONE in public.locator("main").inner_text()  # the preview stores nothing

    with page.expect_navigation():
        page.locator("main button[name=save]").click()
    assert urlsplit(page.url).path == "/sociale-kaart/beheer"
    assert page.locator("[role=status].notice--success").count() == 1

    public.reload()
    text = public.locator("main").inner_text()
    assert new_phone in text and OLD_PHONE not in text
