"""The parent's confirmation in a real browser, with and without JavaScript (issue 10 §25):

- her organisation's phone number is a tap-to-call link (E.164) and its website a link;
- the reference and the withdrawal code each stay on one line at 320 and 360 px;
- "Withdraw my registration" opens the withdrawal form with her reference filled in (the
  code she types herself), and withdrawing with it works;
- axe-core finds nothing at 1280, 360 and 320 px; nothing scrolls sideways; nothing is
  requested from another host.

Without JavaScript the same journey is walked; axe and the line count need a script in the page,
so they run in the JavaScript run (the layout does not depend on scripts).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page

from tests.browser.audit import page_problems
from tests.browser.conftest import LiveServer
from tests.browser.watcher import Watcher
from tests.support.registration import due_month

pytestmark = pytest.mark.browser

CONTINUE = "main form.form button[type=submit]:not([name])"
SEND = "main button[name=send]"
TIMEOUT_MS = 15_000
WIDTHS = (1280, 360, 320)


def audited(page: Page, name: str) -> list[str]:
    axe, problems = Axe(), []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems.extend(page_problems(page, axe, name))
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def lines_of(page: Page, selector: str) -> int:
    """On how many lines the (inline) element is drawn."""
    return int(page.locator(selector).evaluate("e => e.getClientRects().length"))


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_the_confirmation_calls_links_keeps_codes_whole_and_leads_to_withdrawal(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], javascript: bool
) -> None:
    watcher = Watcher()
    context = new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    watcher.attach(context)
    page = context.new_page()
    page.goto(live_server("/taal/en?next=/aanmelden"))
    page.locator("#name").fill("Sam de Vries")
    page.locator("#phone").fill("06 12345678")
    page.locator("#postcode").fill("2611 AB")
    page.locator("#house_number").fill("12")
    page.locator("#due_month").select_option(due_month(3))
    page.locator(CONTINUE).click()
    page.locator(SEND).click()
    page.locator("main strong.withdrawal-code").wait_for()
    reference = page.locator("main strong.reference").inner_text().strip()
    code = page.locator("main strong.withdrawal-code").inner_text().strip()
    problems = audited(page, "confirmation") if javascript else []

    phone = page.locator("main a[href^='tel:']")
    assert phone.count() == 1 and phone.get_attribute("href") == "tel:+31880000001", "tap to call"
    assert phone.inner_text().strip() == "088 000 00 01"
    website = page.locator("main a[href='https://jgz-delfland.example']")
    assert website.inner_text().strip() == "jgz-delfland.example"

    for width in (360, 320) if javascript else ():
        page.set_viewport_size({"width": width, "height": 900})
        for selector in ("main strong.reference", "main strong.withdrawal-code", "main a[href^='tel:']"):
            assert lines_of(page, selector) == 1, f"{selector} breaks over two lines at {width} px"
            box = page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (
                f"{selector} sticks out at {width} px"
            )
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator("main a", has_text="Withdraw my registration").click()
    page.locator("#reference").wait_for()
    assert urlsplit(page.url).path == "/intrekken"
    assert dict(parse_qsl(urlsplit(page.url).query)) == {"kenmerk": reference}, "her reference, and nothing else"
    assert page.locator("#reference").input_value() == reference, "filled in"
    assert page.locator("#code").input_value() == "", "the code she types herself"
    if javascript:
        problems += audited(page, "withdrawal form with the reference filled in")
    page.locator("#code").fill(code)
    page.locator(CONTINUE).click()
    page.locator("main h1").wait_for()
    assert urlsplit(page.url).path == "/intrekken" and page.locator(".error-summary").count() == 0
    assert page.locator("#reference").count() == 0, "withdrawn"
    assert problems == []
    watcher.assert_clean()
