"""A parent in a real browser (Debian's Chromium through Playwright).

- registers by keyboard only, in Dutch and in English (language switched with the header link);
- the skip link is the first Tab stop and moves focus to the main content;
- after a failed submit, focus is on the error summary and its links move focus to the fields;
- axe-core finds zero violations on every page of the journey, at 1280 px and at 320 px;
- no page scrolls sideways at 320 px;
- everything works with JavaScript switched off;
- nothing is requested from any host but 127.0.0.1, and no Content-Security-Policy violation
  is reported (every test checks this through the `browse` fixture).

The Dutch catalogue is still being written, so the tests find things by id, role, structure
and the `lang` attribute, never by translated text. Organisation names come from the
sociale kaart (data, not translations).
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page

from tests.browser.audit import page_problems
from tests.browser.conftest import LiveServer
from tests.browser.keyboard import focused, is_focused, tab_to
from tests.browser.watcher import Watcher
from tests.support.registration import APELDOORN, HOFSTAD, TWO_GEMEENTEN, due_month, serve_apeldoorn

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")
DELFT = "2611 AB"  # → JGZ Delfland (voorbeeld)
DELFLAND = "JGZ Delfland (voorbeeld)"
NOT_SERVED = "1012 AB"  # Amsterdam: outside the region
# TWO_GEMEENTEN: Hoenderloo lies in Apeldoorn and in Ede; the fixture below lets Hofstad serve Apeldoorn.

CONTINUE = "main form.form button[type=submit]:not([name])"
SEND = "main button[name=send]"
TIMEOUT_MS = 15_000


# ---------------------------------------------------------------------------------------------
# What every browser context is watched for
# ---------------------------------------------------------------------------------------------


class Browse:
    """Opens watched pages: a fresh context (own cookies) per page."""

    def __init__(self, new_context: Callable[..., BrowserContext], watcher: Watcher) -> None:
        self._new_context = new_context
        self.watcher = watcher

    def page(self, width: int = 1280, javascript: bool = True, language: str = "nl") -> Page:
        context = self._new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        self.watcher.attach(context)
        page = context.new_page()
        if language != "nl":
            page.goto(f"/taal/{language}?next=/")
            assert html_lang(page) == language
        return page


@pytest.fixture(autouse=True)
def _border_postcode_served(live_server: LiveServer) -> None:
    serve_apeldoorn(live_server.app)


@pytest.fixture
def browse(new_context: Callable[..., BrowserContext]) -> Iterator[Browse]:
    browse = Browse(new_context, Watcher())
    yield browse
    # Also checked at the end of each test; this catches anything that happened after it.
    browse.watcher.assert_clean()


# ---------------------------------------------------------------------------------------------
# Reading the page (never changing it)
# ---------------------------------------------------------------------------------------------


def html_lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def value_of(page: Page, selector: str) -> str:
    return str(page.locator(selector).input_value())


def reference_in_database(live_server: LiveServer, reference: str) -> dict[str, Any] | None:
    with contextlib.closing(sqlite3.connect(live_server.database_path)) as connection:
        connection.row_factory = sqlite3.Row
        row = connection.execute(
            "SELECT r.language, r.interpreter, r.wants_mail, r.locale, r.advisor_kind, o.name AS organisation"
            " FROM registration r JOIN organisation o ON o.id = r.organisation_id WHERE r.reference = ?",
            (reference,),
        ).fetchone()
    return dict(row) if row else None


# ---------------------------------------------------------------------------------------------
# Keyboard only: Tab, Shift+Tab, typing, Space, Enter and arrow keys
# ---------------------------------------------------------------------------------------------


def type_here(page: Page, selector: str, text: str) -> None:
    """Type into the field that has focus (the selector only checks which one it is)."""
    assert is_focused(page, selector), f"expected focus on {selector}, it is on {focused(page)}"
    page.keyboard.type(text)


def arrow_to(page: Page, selector: str, value: str, key: str = "ArrowDown", limit: int = 40) -> None:
    """In a focused select or radio group: press the arrow key until the value is chosen."""
    assert is_focused(page, selector), f"expected focus on {selector}, it is on {focused(page)}"
    for _ in range(limit):
        if value_of(page, selector) == value:
            return
        page.keyboard.press(key)
    raise AssertionError(f"could not choose {value!r} in {selector} with {key}")


def press_and_wait(page: Page, key: str, ready: str) -> None:
    """Press a key that loads a new page, then wait until that page shows `ready`."""
    page.keyboard.press(key)
    page.locator(ready).first.wait_for()
    page.wait_for_load_state("load")


# ---------------------------------------------------------------------------------------------
# Keyboard-only registration
# ---------------------------------------------------------------------------------------------


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(browse: Browse) -> None:
    page = browse.page()
    for path in ("/", "/aanmelden", "/privacy"):
        page.goto(path)
        page.keyboard.press("Tab")
        assert is_focused(page, "a.skip-link[href='#main']"), f"{path}: first Tab stop is {focused(page)}"
        box = page.locator("a.skip-link").bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is on screen"
        page.keyboard.press("Enter")
        assert is_focused(page, "main#main"), f"{path}: after the skip link focus is on {focused(page)}"
        page.keyboard.press("Tab")
        after_main = page.evaluate(
            """() => { const main = document.getElementById('main');
                       const after = main.compareDocumentPosition(document.activeElement);
                       return !!(after & Node.DOCUMENT_POSITION_FOLLOWING)
                         && !document.activeElement.closest('header'); }"""
        )
        assert after_main, f"{path}: the next Tab stop after the skip link is {focused(page)}"
    page.goto("/aanmelden")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert is_focused(page, "#name"), "on the form the skip link leads straight to the first question"
    browse.watcher.assert_clean()


def test_tab_order_follows_the_form_and_skips_the_honeypot(browse: Browse) -> None:
    page = browse.page()
    page.goto("/aanmelden")
    order: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        element_id = page.evaluate(
            "() => document.activeElement.closest('main form') ? document.activeElement.id : null"
        )
        if element_id:
            order.append(element_id)
        if is_focused(page, CONTINUE):
            break
    assert "website" not in order, "the honeypot must not be a Tab stop"
    fields = [i for i in order if i]  # the button and the links in the form have no id
    assert fields == [
        "name",
        "phone",
        "email",
        "wants_mail",
        "no_fixed_address",
        "postcode",
        "house_number",
        "house_number_addition",
        "due_month",
        "language",
        "interpreter-0",
        "call_times-0",
        "call_times-1",
        "call_times-2",
        "no_voicemail",
        "no_text_messages",
        "only_chosen_times",
        "discreet",
        "advisor_kind",
        "advice_code",
        "note",  # no feedback question: without an advice code there is nobody to hear anything
    ]
    assert is_focused(page, CONTINUE)
    browse.watcher.assert_clean()


def test_a_parent_registers_in_dutch_by_keyboard_only(browse: Browse, live_server: LiveServer) -> None:
    page = browse.page()
    page.goto("/")
    assert html_lang(page) == "nl"

    tab_to(page, "main a.button--start")
    press_and_wait(page, "Enter", "#name")
    assert urlsplit(page.url).path == "/aanmelden"
    assert html_lang(page) == "nl"

    tab_to(page, "#name")
    type_here(page, "#name", "Sam de Vries")
    page.keyboard.press("Tab")
    type_here(page, "#phone", "06 12345678")
    tab_to(page, "#postcode")
    type_here(page, "#postcode", "2611 AC")  # a typing mistake, corrected below with "Change"
    page.keyboard.press("Tab")
    type_here(page, "#house_number", "12")
    tab_to(page, "#due_month")
    arrow_to(page, "#due_month", due_month(2))
    tab_to(page, CONTINUE)
    press_and_wait(page, "Enter", SEND)

    # Check your answers: change the postcode, by keyboard, without losing anything typed.
    tab_to(page, "main button[name=edit][value=postcode]")
    press_and_wait(page, "Enter", "#postcode")
    assert is_focused(page, "#postcode"), f"after 'Change' focus is on {focused(page)}"
    assert value_of(page, "#name") == "Sam de Vries"
    assert value_of(page, "#phone") == "06 12345678"
    assert value_of(page, "#due_month") == due_month(2)
    page.keyboard.press("Control+A")
    page.keyboard.type(DELFT)
    tab_to(page, CONTINUE)
    press_and_wait(page, "Enter", SEND)
    assert DELFLAND in page.locator("main").inner_text()
    assert "Sam de Vries" in page.locator("main dl").inner_text()

    tab_to(page, SEND)
    press_and_wait(page, "Enter", ".reference")
    assert urlsplit(page.url).path == "/aanmelden/bevestiging"
    assert html_lang(page) == "nl"
    reference = page.locator(".reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    assert DELFLAND in page.locator("main").inner_text()
    stored = reference_in_database(live_server, reference)
    assert stored is not None and stored["organisation"] == DELFLAND
    assert stored["locale"] == "nl"
    browse.watcher.assert_clean()


def test_a_parent_registers_in_english_by_keyboard_only(browse: Browse, live_server: LiveServer) -> None:
    page = browse.page()
    page.goto("/")
    assert html_lang(page) == "nl"

    # The language switch in the header, reached by keyboard.
    tab_to(page, "header a[hreflang=en]", limit=5)
    page.keyboard.press("Enter")
    page.locator("html[lang=en]").wait_for(state="attached")
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/"
    assert page.locator("header [aria-current=true]").get_attribute("lang") == "en"

    tab_to(page, "main a.button--start")
    press_and_wait(page, "Enter", "#name")
    assert html_lang(page) == "en"

    tab_to(page, "#name")
    type_here(page, "#name", "Alex")
    tab_to(page, "#email")
    type_here(page, "#email", "alex@example.com")
    page.keyboard.press("Tab")
    assert is_focused(page, "#wants_mail")
    page.keyboard.press("Space")
    assert page.locator("#wants_mail").is_checked()
    page.keyboard.press("Tab")
    assert is_focused(page, "#no_fixed_address")
    page.keyboard.press("Tab")
    type_here(page, "#postcode", "2611ab")
    page.keyboard.press("Tab")
    type_here(page, "#house_number", "7")
    page.keyboard.press("Tab")
    type_here(page, "#house_number_addition", "b")
    tab_to(page, "#due_month")
    arrow_to(page, "#due_month", due_month(4))
    tab_to(page, "#language")
    arrow_to(page, "#language", "en")
    page.keyboard.press("Tab")
    assert is_focused(page, "#interpreter-0:checked"), "Tab lands on the chosen radio button"
    page.keyboard.press("ArrowRight")
    assert page.locator("input[name=interpreter][value=yes]").is_checked()
    page.keyboard.press("Tab")
    assert is_focused(page, "#call_times-0")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # afternoon
    assert page.locator("#call_times-1").is_checked()
    tab_to(page, "#no_voicemail")
    page.keyboard.press("Space")
    tab_to(page, "#advisor_kind")
    arrow_to(page, "#advisor_kind", "midwife")
    tab_to(page, "#note")
    type_here(page, "#note", "Mornings are difficult.")
    tab_to(page, CONTINUE)
    press_and_wait(page, "Enter", SEND)

    assert html_lang(page) == "en"
    answers = page.locator("main dl").inner_text()
    assert "Alex" in answers and "alex@example.com" in answers and "Mornings are difficult." in answers
    assert DELFLAND in page.locator("main").inner_text()

    tab_to(page, SEND)
    press_and_wait(page, "Enter", ".reference")
    assert urlsplit(page.url).path == "/aanmelden/bevestiging"
    assert html_lang(page) == "en"
    reference = page.locator(".reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    assert DELFLAND in page.locator("main").inner_text()
    stored = reference_in_database(live_server, reference)
    assert stored == {
        "language": "en",
        "interpreter": "yes",
        "wants_mail": 1,
        "locale": "en",
        "advisor_kind": "midwife",
        "organisation": DELFLAND,
    }
    browse.watcher.assert_clean()


def test_after_a_failed_submit_focus_is_on_the_error_summary_and_its_links_lead_to_the_fields(
    browse: Browse,
) -> None:
    page = browse.page()
    page.goto("/aanmelden")
    tab_to(page, CONTINUE)
    press_and_wait(page, "Enter", ".error-summary")
    assert is_focused(page, ".error-summary"), f"after a failed submit focus is on {focused(page)}"
    assert page.locator(".error-summary").get_attribute("role") == "alert"

    links = page.locator(".error-summary a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets == ["#name", "#phone", "#postcode", "#house_number", "#due_month"]
    for target in targets:
        field = page.locator(target)
        assert field.get_attribute("aria-invalid") == "true", target
        described_by = (field.get_attribute("aria-describedby") or "").split()
        assert any(page.locator(f"#{i}.error-message").count() == 1 for i in described_by), target

    fixes = {"#name": "Sam", "#phone": "0612345678", "#postcode": DELFT, "#house_number": "3"}
    for position, target in enumerate(targets):
        # From the summary go forward to the first link; from a field, go back up to the next one.
        tab_to(page, f".error-summary a[href='{target}']", backwards=position > 0)
        page.keyboard.press("Enter")
        assert is_focused(page, target), f"the link to {target} put focus on {focused(page)}"
        if target == "#due_month":
            arrow_to(page, target, due_month(1))
        else:
            type_here(page, target, fixes[target])

    tab_to(page, CONTINUE)
    press_and_wait(page, "Enter", SEND)
    assert page.locator(".error-summary").count() == 0
    browse.watcher.assert_clean()


# ---------------------------------------------------------------------------------------------
# axe-core and 320 px on every page of the journey
# ---------------------------------------------------------------------------------------------


def fill_form(page: Page, postcode: str) -> None:
    """Fill in the form with the mouse-free Playwright helpers (not a keyboard test)."""
    page.goto("/aanmelden")
    page.locator("#name").fill("Sam")
    page.locator("#phone").fill("06 12345678")
    page.locator("#postcode").fill(postcode)
    page.locator("#house_number").fill("12")
    page.locator("#due_month").select_option(due_month(3))
    page.locator(CONTINUE).click()


WITHDRAWAL_CODE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


def test_a_reload_of_the_confirmation_no_longer_shows_the_withdrawal_code(browse: Browse) -> None:
    page = browse.page()
    fill_form(page, DELFT)
    page.locator(SEND).click()
    page.locator(".reference").wait_for()
    assert urlsplit(page.url).path == "/aanmelden/bevestiging"
    reference = page.locator(".reference").inner_text().strip()
    code = page.locator("strong.withdrawal-code").inner_text().strip()
    assert REFERENCE.match(reference) and WITHDRAWAL_CODE.match(code), (reference, code)

    page.reload()
    page.locator(".reference").wait_for()
    assert page.locator(".reference").inner_text().strip() == reference, "the reference stays"
    assert page.locator("strong.withdrawal-code").count() == 0
    assert code not in page.content()
    assert page.locator(".withdrawal-code-shown").is_visible(), "a line says it was shown once, and whom to contact"
    assert DELFLAND in page.locator(".withdrawal-code-shown").inner_text()

    # The next person at this computer opens the page in a new tab: no code either.
    other_tab = page.context.new_page()
    other_tab.goto("/aanmelden/bevestiging")
    assert other_tab.locator(".reference").inner_text().strip() == reference
    assert code not in other_tab.content()
    browse.watcher.assert_clean()


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_violations_and_nothing_scrolls_sideways(browse: Browse, width: int, language: str) -> None:
    page = browse.page(width=width, language=language)
    axe = Axe()
    problems: list[str] = []

    def audit(name: str, ready: str = "main h1") -> None:
        page.locator(ready).first.wait_for()
        assert html_lang(page) == language, f"{name}: lang is {html_lang(page)}"
        problems.extend(page_problems(page, axe, name))

    page.goto("/")
    audit("home")
    page.goto("/aanmelden")
    audit("form", "#name")
    page.locator(CONTINUE).click()
    audit("form with errors", ".error-summary")

    fill_form(page, NOT_SERVED)
    audit("not served", "main button[name=edit][value=postcode]")
    assert page.locator(SEND).count() == 0

    fill_form(page, TWO_GEMEENTEN)
    audit("two gemeenten", "input[name=municipality]")
    assert page.locator("input[name=municipality]").count() == 2

    fill_form(page, DELFT)
    audit("check answers", SEND)
    page.locator(SEND).click()
    audit("confirmation", ".reference")
    assert REFERENCE.match(page.locator(".reference").inner_text().strip())
    page.reload()
    audit("confirmation shown again, without the withdrawal code", ".withdrawal-code-shown")

    for path, name in (
        ("/al-geboren", "already born"),
        ("/privacy", "privacy"),
        ("/toegankelijkheid", "accessibility"),
    ):
        page.goto(path)
        audit(name)
    page.goto("/bestaat-niet")
    audit("page not found")

    assert problems == [], "\n".join(problems)
    browse.watcher.assert_clean()


# ---------------------------------------------------------------------------------------------
# Without JavaScript
# ---------------------------------------------------------------------------------------------


def test_every_page_works_without_javascript(browse: Browse, live_server: LiveServer) -> None:
    page = browse.page(javascript=False)
    for path in ("/", "/aanmelden", "/al-geboren", "/privacy", "/toegankelijkheid"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.locator("main h1").is_visible(), path

    # An empty form comes back with the error summary.
    page.goto("/aanmelden")
    page.locator(CONTINUE).click()
    assert page.locator(".error-summary a").count() >= 4

    # Outside the region: a kind page, and back to the form with the input kept.
    fill_form(page, NOT_SERVED)
    page.locator("main button[name=edit][value=postcode]").click()
    assert page.locator("#postcode").input_value() == NOT_SERVED
    assert page.locator("#name").input_value() == "Sam"

    # The language switch is a plain link.
    page.locator("header a[hreflang=en]").click()
    assert html_lang(page) == "en"

    # A postcode in two gemeenten: choose one, check, send, confirmation.
    fill_form(page, TWO_GEMEENTEN)
    page.locator(f"input[name=municipality][value={APELDOORN}]").check()
    page.locator(CONTINUE).click()
    assert HOFSTAD in page.locator("main").inner_text()
    page.locator(SEND).click()
    assert urlsplit(page.url).path == "/aanmelden/bevestiging"
    reference = page.locator(".reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    stored = reference_in_database(live_server, reference)
    assert stored is not None and stored["organisation"] == HOFSTAD
    browse.watcher.assert_clean()
