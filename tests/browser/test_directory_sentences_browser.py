"""Sentences and typos in the sociale kaart search, in a real browser (Debian's Chromium).

A parent types a sentence: the page says which topic was searched too ("We zochten ook op")
and the offer she needs is listed. She makes a typo: the page suggests the word meant
("Bedoelde u: ouderschap?") as a link, and following it searches that word. At 360 and 1280
px the journey works with and without JavaScript; with it, axe-core finds nothing and nothing
scrolls sideways (axe itself needs scripts). Screenshots go to BALIE_SCREENSHOTS/search-sentences/
when BALIE_SCREENSHOTS is set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.audit import page_problems
from tests.browser.kaart_pages import kaart_url, open_page  # noqa: F401 - fixtures
from tests.browser.screenshots import screenshot_folder

pytestmark = pytest.mark.browser

SEARCH_BUTTON = "main form[role=search] .search-form__main button[type=submit]"
SHOTS = screenshot_folder("search-sentences")


@pytest.fixture(scope="module")
def browser_context_args(kaart_url: str) -> dict[str, Any]:
    return {"base_url": kaart_url}


def search_for(page: Page, text: str) -> None:
    page.locator("#q").fill(text)
    with page.expect_navigation():
        page.locator(SEARCH_BUTTON).click()
    page.locator("#results").wait_for()


def result_names(page: Page) -> list[str]:
    return [name.strip() for name in page.locator("main ol.results h3 a").all_inner_texts()]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [360, 1280])
def test_a_sentence_and_a_typo_are_explained_and_the_suggestion_works(
    open_page: Callable[..., Page], width: int, javascript: bool
) -> None:
    page = open_page(width, javascript)
    axe = Axe()
    problems: list[str] = []
    shot = f"{width}-{'js' if javascript else 'nojs'}"
    page.goto("/sociale-kaart")

    search_for(page, "mijn vriend slaat me")
    also = page.locator("#also-searched")
    assert " ".join(also.inner_text().split()) == "We zochten ook op: huiselijk geweld."
    assert "Advies en melding bij huiselijk geweld en kindermishandeling" in result_names(page)[:5]
    if javascript:  # axe runs in the page: only where scripts run (the pages are the same without)
        problems.extend(page_problems(page, axe, "sentence"))
    if javascript and SHOTS is not None:
        page.screenshot(path=str(SHOTS / f"sentence-{shot}.png"), full_page=True)
        also.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"sentence-{shot}-notice.png"))

    search_for(page, "ouderschp")
    did_you_mean = page.locator("#did-you-mean")
    assert " ".join(did_you_mean.inner_text().split()).startswith("Bedoelde u: ouderschap?")
    assert "ouderschp" not in did_you_mean.inner_text()
    if javascript:
        problems.extend(page_problems(page, axe, "typo"))
    if javascript and SHOTS is not None:
        page.screenshot(path=str(SHOTS / f"typo-{shot}.png"), full_page=True)
        did_you_mean.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"typo-{shot}-notice.png"))
    with page.expect_navigation():
        did_you_mean.get_by_role("link", name="ouderschap").click()
    page.locator("#results").wait_for()
    assert parse_qs(urlsplit(page.url).query)["q"] == ["ouderschap"]
    assert page.locator("#did-you-mean").count() == 0
    assert page.locator("#q").input_value() == "ouderschap"
    assert result_names(page)[0] == "Stevig Ouderschap"

    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [360, 1280])
def test_in_english_the_topic_and_the_offers_english_line_are_english(
    open_page: Callable[..., Page], width: int, javascript: bool
) -> None:
    """A parent on the English pages types a sentence: the topic is named in English, and the national
    offer she needs shows its English line, marked as a translation beside the Dutch text."""
    page = open_page(width, javascript)
    axe = Axe()
    problems: list[str] = []
    shot = f"{width}-{'js' if javascript else 'nojs'}"
    page.goto("/sociale-kaart")
    with page.expect_navigation():  # she chose English with the language switch
        page.locator("nav.language-switch").get_by_role("link", name="English").click()

    search_for(page, "my boyfriend takes drugs")
    assert " ".join(page.locator("#also-searched").inner_text().split()) == "We also searched for: addiction."
    first = page.locator("main ol.results li.result").first
    assert first.locator("h3").inner_text().strip() == "Hulp bij alcohol of drugs in de zwangerschap"
    line = " ".join(first.locator(".translation").inner_text().split())
    assert line.startswith("In English (our translation): Help with alcohol or drugs in pregnancy:")
    assert first.locator('.translation [lang="en"]').count() == 1
    assert first.locator('h3 a[lang="nl"]').count() == 1
    if javascript:
        problems.extend(page_problems(page, axe, "english"))
    if javascript and SHOTS is not None:
        page.screenshot(path=str(SHOTS / f"english-{shot}.png"), full_page=True)

    with page.expect_navigation():
        first.locator("h3 a").click()
    assert "In English (our translation): Help with alcohol" in " ".join(page.locator("main").inner_text().split())
    assert page.get_by_text("The description below is in Dutch, as the organisation gave it.").is_visible()
    if javascript:
        problems.extend(page_problems(page, axe, "english offer"))
    if javascript and SHOTS is not None:
        page.screenshot(path=str(SHOTS / f"english-offer-{shot}.png"), full_page=True)

    assert problems == [], "\n".join(problems)
