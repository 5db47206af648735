"""The registration form in Chromium, at 360 and 1280 px, with and without JavaScript (issue 10):

- an English-speaking parent who leaves the language question alone is registered as wanting
  English, on the English page and from an English advice card, and the check page says so;
- a postcode in two gemeenten: no choice is an error with the error summary, and her choice
  survives "Change" on the check page up to the stored registration;
- "I have no fixed address now": the gemeente and the place instead of postcode and house number
  (with JavaScript the box shows the fields that apply; without it all are shown), routed to
  the organisation of her gemeente.

Every page passes axe-core and does not scroll sideways. Set BALIE_SCREENSHOTS to a folder to
keep a screenshot of each page looked at.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.audit import page_problems
from tests.browser.conftest import LiveServer
from tests.browser.test_registration_browser import (  # fixtures and helpers of the journey tests
    CONTINUE,
    DELFLAND,
    REFERENCE,
    SEND,
    Browse,
    _border_postcode_served,  # noqa: F401 - autouse: Hofstad serves Apeldoorn
    browse,  # noqa: F401 - fixture
    html_lang,
)
from tests.support.professionals import make_card, professional, signed_in
from tests.support.registration import APELDOORN, HOFSTAD, TWO_GEMEENTEN, due_month

pytestmark = pytest.mark.browser

WIDTHS = [360, 1280]
DELFT_GEMEENTE = "GM0503"


def stored(live_server: LiveServer, reference: str) -> dict[str, Any]:
    with contextlib.closing(sqlite3.connect(live_server.database_path)) as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute(
            "SELECT r.language, r.municipality_code, r.no_fixed_address, r.address_sealed IS NULL AS no_address,"
            " r.reachable_at_sealed IS NOT NULL AS has_place, o.name AS organisation"
            " FROM registration r JOIN organisation o ON o.id = r.organisation_id WHERE r.reference = ?",
            (reference,),
        ).fetchone()
    assert row is not None, reference
    return dict(row)


class Look:
    """axe-core and sideways scrolling on each page, and a screenshot when asked for. Without
    JavaScript axe cannot run in the page (the same pages are audited with JavaScript)."""

    def __init__(self, page: Page, name: str, javascript: bool = True) -> None:
        self.page, self.name, self.axe, self.javascript = page, name, Axe(), javascript
        self.problems: list[str] = []

    def __call__(self, step: str, ready: str = "main h1") -> None:
        self.page.locator(ready).first.wait_for()
        if self.javascript:
            self.problems += page_problems(self.page, self.axe, f"{self.name}: {step}")
        folder = os.environ.get("BALIE_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            width = self.page.viewport_size["width"] if self.page.viewport_size else 0
            slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{step}-{width}".lower()).strip("-")
            self.page.screenshot(path=str(Path(folder) / f"{slug}.png"), full_page=True)

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


def answer_form(page: Page, postcode: str | None = None) -> None:
    """Her name, phone and due month (and postcode); the language question is left alone."""
    page.locator("#name").fill("Alex")
    page.locator("#phone").fill("06 12345678")
    if postcode is not None:
        page.locator("#postcode").fill(postcode)
        page.locator("#house_number").fill("12")
    page.locator("#due_month").select_option(due_month(3))


def summary_line(page: Page, field: str) -> str:
    """The check page's line whose "Change" button edits ``field``: "label: value"."""
    row = page.locator(f"main .summary__row:has(button[name=edit][value={field}])")
    return f"{row.locator('dt').inner_text().strip()}: {row.locator('dd.summary__value').inner_text().strip()}"


def summary_links(page: Page) -> list[str]:
    links = page.locator(".error-summary a")
    return [str(links.nth(i).get_attribute("href")) for i in range(links.count())]


def send(page: Page) -> str:
    page.locator(SEND).click()
    page.locator(".reference").wait_for()
    assert urlsplit(page.url).path == "/aanmelden/bevestiging"
    reference = page.locator(".reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    return reference


# --- point 2: the language she talks in starts at the page language ---------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_an_english_parent_who_leaves_the_language_alone_is_registered_as_english(
    browse: Browse, live_server: LiveServer, width: int
) -> None:
    page = browse.page(width=width, language="en")
    look = Look(page, "language english page")
    page.goto("/aanmelden")
    assert page.locator("#language").input_value() == "en", "English is chosen on the English page"
    answer_form(page, "2611 AB")
    page.locator(CONTINUE).click()
    look("check", SEND)

    assert summary_line(page, "language") == "You would like to talk in: English"
    reference = send(page)
    assert stored(live_server, reference)["language"] == "en"
    look.assert_clean()
    browse.watcher.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_from_an_english_advice_card_the_language_is_english(
    browse: Browse, live_server: LiveServer, width: int
) -> None:
    midwife = signed_in(
        live_server.app, professional(live_server.app, f"vera{width}@verloskunde.example"), language="nl"
    )
    code = make_card(midwife, "en")

    page = browse.page(width=width)  # her own phone: Dutch unless the card says otherwise
    look = Look(page, "language advice card")
    page.goto(f"/aanmelden?code={code}&lang=en")
    assert html_lang(page) == "en"
    look("form", "#name")
    answer_form(page, "2611 AB")
    page.locator(CONTINUE).click()
    look("check", SEND)

    assert summary_line(page, "language") == "You would like to talk in: English"
    reference = send(page)
    assert stored(live_server, reference)["language"] == "en"
    look.assert_clean()
    browse.watcher.assert_clean()


# --- point 7: a postcode in two gemeenten -------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", WIDTHS)
def test_no_gemeente_chosen_is_an_error_and_the_choice_survives_change(
    browse: Browse, live_server: LiveServer, width: int, javascript: bool
) -> None:
    page = browse.page(width=width, javascript=javascript)
    look = Look(page, f"two gemeenten {'js' if javascript else 'no-js'}", javascript)
    page.goto("/aanmelden")
    answer_form(page, TWO_GEMEENTEN)
    page.locator(CONTINUE).click()
    look("question", "input[name=municipality]")
    assert not page.title().startswith("Fout"), "the first time it is a question"

    page.locator(CONTINUE).click()  # without choosing
    look("no choice", ".error-summary")
    assert page.title().startswith("Fout: "), page.title()
    assert summary_links(page) == ["#municipality-0"]
    assert page.locator("#municipality-error").inner_text().strip().endswith("Kies de gemeente waar u woont")
    if javascript:
        assert page.evaluate("document.activeElement.classList.contains('error-summary')"), "focus on the summary"

    page.locator("label[for=municipality-0]").click()  # Apeldoorn
    page.locator(CONTINUE).click()
    look("check", SEND)
    assert "7351 AB 12, Apeldoorn" in summary_line(page, "postcode")
    assert HOFSTAD in page.locator("main").inner_text()

    page.locator("main button[name=edit][value=postcode]").click()
    page.locator("#postcode").wait_for()
    assert page.locator(f"input[name=municipality][value={APELDOORN}]").is_checked(), "her choice is still there"
    page.locator(CONTINUE).click()
    page.locator(SEND).wait_for()
    assert "7351 AB 12, Apeldoorn" in summary_line(page, "postcode")

    reference = send(page)
    row = stored(live_server, reference)
    assert (row["municipality_code"], row["organisation"]) == (APELDOORN, HOFSTAD)
    look.assert_clean()
    browse.watcher.assert_clean()


# --- point 10: no fixed address ---------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", WIDTHS)
def test_without_a_fixed_address_she_registers_with_her_gemeente(
    browse: Browse, live_server: LiveServer, width: int, javascript: bool
) -> None:
    page = browse.page(width=width, javascript=javascript)
    look = Look(page, f"no fixed address {'js' if javascript else 'no-js'}", javascript)
    page.goto("/aanmelden")
    gemeente, postcode = page.locator("#no_address_municipality"), page.locator("#postcode")
    if javascript:
        assert postcode.is_visible() and not gemeente.is_visible(), "at first: the address"
    else:
        assert postcode.is_visible() and gemeente.is_visible(), "without JavaScript every field is shown"
    look("form", "#name")

    answer_form(page)
    page.locator("label[for=no_fixed_address]").click()
    if javascript:
        assert gemeente.is_visible() and not postcode.is_visible(), "ticked: the gemeente instead of the address"
    gemeente.select_option(DELFT_GEMEENTE)
    page.locator("#reachable_at").fill("Via de opvang")
    look("form ticked", "#no_address_municipality")
    page.locator(CONTINUE).click()
    look("check", SEND)

    assert summary_line(page, "no_fixed_address") == "Adres: Geen vast adres, Delft"
    assert summary_line(page, "reachable_at") == "Waar we u kunnen bereiken: Via de opvang"
    assert DELFLAND in page.locator("main").inner_text()

    reference = send(page)
    assert DELFLAND in page.locator("main").inner_text()
    row = stored(live_server, reference)
    assert row == {
        "language": "nl",
        "municipality_code": DELFT_GEMEENTE,
        "no_fixed_address": 1,
        "no_address": 1,
        "has_place": 1,
        "organisation": DELFLAND,
    }
    look.assert_clean()
    browse.watcher.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_without_a_gemeente_the_error_points_to_it_not_to_the_postcode(browse: Browse, width: int) -> None:
    page = browse.page(width=width)
    look = Look(page, "no fixed address error")
    page.goto("/aanmelden")
    answer_form(page)
    page.locator("label[for=no_fixed_address]").click()
    page.locator(CONTINUE).click()
    look("no gemeente", ".error-summary")

    assert page.title().startswith("Fout: ")
    assert summary_links(page) == ["#no_address_municipality"]
    assert page.locator("#no_address_municipality").is_visible(), "the box stays ticked, the field in view"
    assert not page.locator("#postcode").is_visible()
    page.locator(".error-summary a").click()
    assert page.evaluate("document.activeElement.id") == "no_address_municipality"
    look.assert_clean()
    browse.watcher.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_nurse_sees_no_fixed_address_and_where_she_can_be_reached(
    browse: Browse, live_server: LiveServer, width: int
) -> None:
    from tests.support.accounts import nurse
    from tests.support.staff import register_id

    where = f"Opvang De Haven {width}"
    parent = live_server.app.test_client()
    registration_id = register_id(
        live_server.app,
        parent,
        no_fixed_address="y",
        postcode="",
        house_number="",
        no_address_municipality=DELFT_GEMEENTE,
        reachable_at=where,
    )
    account = nurse(live_server.app, f"verpleegkundige{width}@delfland.example")

    page = browse.page(width=width)
    look = Look(page, "nurse")
    page.goto("/inloggen")
    page.locator("#email").fill(account.email)
    page.locator("#password").fill(account.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.locator("#code").fill(account.code())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    page.goto("/inbox")
    look("inbox", "main table")
    row = page.locator(f"main tr:has(a[href='/inbox/{registration_id}'])")
    assert "geen vast adres" in row.inner_text() and where not in page.content()
    page.goto(f"/inbox/{registration_id}")
    look("detail")
    details = page.locator("main dl.summary").first.inner_text()
    assert "Geen vast adres, Delft" in details and f"Waar zij bereikbaar is\n{where}" in details
    page.goto(f"/inbox/{registration_id}/afdrukken")
    look("print")
    assert "Geen vast adres, Delft" in page.locator("main").inner_text() and where in page.locator("main").inner_text()
    look.assert_clean()
    browse.watcher.assert_clean()
