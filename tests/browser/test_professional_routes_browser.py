"""The professional routes in a real browser (Debian's Chromium through Playwright), each end to
end, with axe-core reporting zero violations on every page at 1280 px and at 320 px:

- a midwife makes an advice card and opens its print page; its QR code, screenshotted on the
  screen at 1280, 360 and 320 px and in print media, decodes to the card's exact link; a parent
  opens that link in her own browser (not logged in), registers with the code filled in and
  agrees to feedback;
  a nurse records the visit; the midwife sees the process events; the parent withdraws; the
  nurse sees the withdrawal and erases the details (after a confirmation page);
- samen aanmelden on the midwife's screen, then her confirmation with a slip for the parent that
  is all that is printed;
- a direct referral with consent "by phone" (flagged as a possible duplicate of the parent's
  own registration): the midwife's page in Dutch tells her to read the slip out, the slip is in
  English (the parent's language) and carries the reference and withdrawal code, which a reload
  no longer shows; and a referral where she says no.

This module runs its own live server: the card's QR link is built from PUBLIC_BASE_URL, which
must be the address the browser can reach.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import BrowserContext, Page

from balie.extensions import db
from balie.services.accounts.lifecycle import Grant
from tests.browser.audit import page_problems
from tests.browser.serving import serving
from tests.browser.watcher import Watcher
from tests.support.accounts import DELFLAND, Account, make_user
from tests.support.databases import free_port
from tests.support.professionals import build_app, professional
from tests.support.qr import decode_one_png
from tests.support.registration import due_month

pytestmark = pytest.mark.browser

CONTINUE = "main form.form button[type=submit]:not([name])"
SEND = "main button[name=send]"
TIMEOUT_MS = 15_000
WIDTHS = (1280, 320)


@dataclass
class Server:
    app: Flask
    url: str


@pytest.fixture(scope="module")
def server(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("professional-routes")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = build_app(sqlite_template_path, folder, SPAM_MIN_SECONDS=0, PUBLIC_BASE_URL=url)
    with serving(app, port):
        yield Server(app, url)


@pytest.fixture(scope="module")
def browser_context_args(server: Server) -> dict[str, Any]:
    """Pages open relative to this module's own server (not the shared one)."""
    return {"base_url": server.url}


# ---------------------------------------------------------------------------------------------
# Watching every page: foreign requests, CSP reports, script errors, and axe at two widths
# ---------------------------------------------------------------------------------------------


@dataclass
class Audit(Watcher):
    """Watches every context and audits pages at both widths."""

    axe: Axe = field(default_factory=Axe)
    pages: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.set_default_timeout(TIMEOUT_MS)
        self.attach(context)
        return context

    def __call__(self, page: Page, name: str, ready: str = "main h1") -> None:
        """axe-core at 1280 px and at 320 px (where nothing may scroll sideways)."""
        page.locator(ready).first.wait_for()
        self.pages.append(name)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            self.problems.extend(page_problems(page, self.axe, name))
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def audit() -> Audit:
    return Audit()


@pytest.fixture
def browser_of(new_context: Callable[..., BrowserContext], audit: Audit) -> Callable[[], Page]:
    """A new browser window with its own cookies (another person, or another device)."""

    def open_one() -> Page:
        return audit.watch(new_context(viewport={"width": 1280, "height": 900})).new_page()

    return open_one


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------

_counter = iter(range(1000))


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def a_midwife(server: Server) -> Account:
    return professional(server.app, f"{unique('vera')}@verloskunde.example", name="Vera Verloskundige")


def a_nurse(server: Server) -> Account:
    return make_user(server.app, f"{unique('nurse')}@delfland.example", [Grant("jgz_staff", organisation_id=DELFLAND)])


def log_in(page: Page, account: Account) -> None:
    page.goto("/inloggen")
    page.locator("#email").fill(account.email)
    page.locator("#password").fill(account.password)
    page.locator(CONTINUE).click()
    if account.secret:
        page.locator("#code").wait_for()
        page.locator("#code").fill(account.code())
        page.locator(CONTINUE).click()
    page.locator("nav.staff-nav").wait_for()


def html_lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def fill_parent(page: Page, name: str, phone: str = "06 12345678", feedback: bool = True) -> None:
    page.locator("#name").fill(name)
    page.locator("#phone").fill(phone)
    page.locator("#postcode").fill("2611 AB")
    page.locator("#house_number").fill("12")
    page.locator("#due_month").select_option(due_month(3))
    if feedback:
        page.locator("#feedback_consent").check()


def continue_to_check(page: Page) -> None:
    page.locator(CONTINUE).click()
    page.locator(SEND).wait_for()


def text_of(page: Page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def reference_on(page: Page) -> str:
    """The one reference on the page (the professional's page shows it to her and on the slip)."""
    references = [r.strip() for r in page.locator("strong.reference").all_inner_texts()]
    found = {r for r in references if re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", r)}
    assert len(found) == 1, references
    return found.pop()


def withdrawal_code_on(page: Page) -> str:
    found = [
        r.strip()
        for r in page.locator("strong.withdrawal-code").all_inner_texts()
        if re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", r.strip())
    ]
    assert len(found) == 1
    return found[0]


def scanned(page: Page, selector: str) -> str:
    """What a scanner reads from the element as the page shows it (a screenshot of just that part)."""
    return decode_one_png(page.locator(selector).screenshot())


def qr_side_mm(page: Page, selector: str) -> float:
    """The drawn size of a square element in millimetres (96 CSS px to the inch, as printed)."""
    box = page.locator(selector).bounding_box()
    assert box is not None
    assert abs(box["width"] - box["height"]) < 1, f"a QR code is square, not {box}"
    return box["width"] * 25.4 / 96


def registration_id(server: Server, reference: str) -> str:
    from sqlalchemy import select

    from balie.models import Registration

    with server.app.app_context():
        found = db.session.scalar(select(Registration.id).where(Registration.reference == reference))
        assert found
        return found


def timeline(page: Page) -> list[str]:
    """The events shown on the professional's page, without their dates."""
    return [
        " ".join(
            str(item.evaluate("e => e.textContent.replace(e.querySelector('.timeline__when').textContent, '')")).split()
        )
        for item in page.locator("ol.timeline li").all()
    ]


def labels(server: Server, locale: str, codes: list[str]) -> list[str]:
    from flask_babel import force_locale

    from balie.web.labels import FEEDBACK_EVENT_LABELS

    with server.app.test_request_context(), force_locale(locale):
        return [str(FEEDBACK_EVENT_LABELS[code]) for code in codes]


def record_step(page: Page, step: str) -> None:
    page.locator(f"form:has(input[name=step][value={step}]) button[type=submit]").click()
    page.locator(".notice--success").wait_for()


# ---------------------------------------------------------------------------------------------
# The routes
# ---------------------------------------------------------------------------------------------


def test_advice_card_from_print_to_feedback_and_withdrawal(
    server: Server, browser_of: Callable[[], Page], audit: Audit
) -> None:
    midwife = browser_of()
    log_in(midwife, a_midwife(server))
    midwife.goto("/advies")
    audit(midwife, "overview (empty)")

    midwife.locator("main a[href='/advies/kaarten/nieuw']").click()
    midwife.locator("#language").wait_for()
    audit(midwife, "card form")
    midwife.locator("#language").select_option("en")
    midwife.locator("#label").fill("Praktijk De Bron")
    midwife.locator(CONTINUE).click()
    midwife.locator(".advice-card").wait_for()
    assert html_lang(midwife) == "en", "the card is in the parent's language"
    audit(midwife, "card page", ".advice-card")
    code = midwife.locator(".advice-card__code").inner_text().strip()
    link = f"{server.url}/aanmelden?code={code}&lang=en"
    for width in (1280, 360, 320):  # what a phone's camera reads from the screen
        midwife.set_viewport_size({"width": width, "height": 900})
        assert scanned(midwife, ".advice-card__qr") == link, f"the QR code on the screen at {width} px"
    midwife.set_viewport_size({"width": 1280, "height": 900})
    midwife.emulate_media(media="print")
    assert midwife.locator(".advice-card").is_visible()
    assert scanned(midwife, ".advice-card__qr") == link, "the QR code on the printed card"
    assert qr_side_mm(midwife, ".advice-card__qr svg") >= 35, "big enough to scan from paper"
    assert not midwife.locator("main p.no-print").is_visible(), "printing leaves the screen-only parts out"
    assert not midwife.locator("header").is_visible()
    midwife.emulate_media(media="screen")

    # The parent scans the QR code: her own phone, not logged in.
    parent = browser_of()
    parent.goto(link)
    parent.locator("#name").wait_for()
    assert html_lang(parent) == "en"
    assert parent.locator("#advice_code").input_value() == code
    assert not parent.locator("#feedback_consent").is_checked(), "no feedback unless she ticks it"
    audit(parent, "form with code", "#name")
    fill_parent(parent, "Sam de Vries")
    continue_to_check(parent)
    assert html_lang(parent) == "en"
    assert "Vera Verloskundige" in text_of(parent)
    audit(parent, "check page (with code)", SEND)
    parent.locator(SEND).click()
    parent.locator("strong.reference").first.wait_for()
    assert html_lang(parent) == "en"
    audit(parent, "confirmation with receipt")
    receipt = text_of(parent)
    assert "What was shared, with whom" in receipt and "Vera Verloskundige will only hear" in receipt
    reference, withdrawal = reference_on(parent), withdrawal_code_on(parent)

    # A nurse records contact and a visit; the midwife sees only that.
    nurse = browser_of()
    log_in(nurse, a_nurse(server))
    the_id = registration_id(server, reference)
    nurse.goto(f"/inbox/{the_id}")
    audit(nurse, "inbox detail (advice card)")
    assert "Vera Verloskundige" in text_of(nurse), "who advised"
    record_step(nurse, "contact_made")
    record_step(nurse, "visit_held")
    midwife.goto("/advies")
    assert timeline(midwife) == labels(server, "nl", ["received", "contact_made", "visit_held"])
    assert "Sam de Vries" not in text_of(midwife)
    audit(midwife, "overview with process events")

    # The parent withdraws, from another device; a mistyped code first.
    device = browser_of()
    device.goto("/taal/en?next=/intrekken")
    device.locator("#reference").wait_for()
    audit(device, "withdraw page", "#reference")
    device.locator(CONTINUE).click()
    device.locator(".error-summary").wait_for()
    audit(device, "withdraw page with empty fields", ".error-summary")
    device.locator("#reference").fill(reference)
    device.locator("#code").fill("AAAA-BBBB-CCCC")
    device.locator(CONTINUE).click()
    device.locator(".error-summary").wait_for()
    audit(device, "withdraw page with a wrong code", ".error-summary")
    device.locator("#code").fill(withdrawal)
    device.locator(CONTINUE).click()
    device.locator("main h1").wait_for()
    assert device.locator(".error-summary").count() == 0
    audit(device, "withdrawn")

    midwife.goto("/advies")
    assert midwife.locator("ol.timeline li").count() == 0, "feedback stopped at once"

    nurse.goto("/inbox")
    assert nurse.locator(f"tr:has(a[href='/inbox/{the_id}']) .badge--warning").count() == 1
    audit(nurse, "inbox with a withdrawn registration")
    nurse.goto(f"/inbox/{the_id}")
    audit(nurse, "inbox detail (withdrawn)")
    nurse.locator(f"main a[href='/inbox/{the_id}/wissen']").click()
    nurse.locator("button.button--warning").wait_for()
    audit(nurse, "erase confirmation")
    nurse.locator("button.button--warning").click()
    nurse.locator(".notice--success").wait_for()
    assert nurse.locator(f"a[href='/inbox/{the_id}']").count() == 0
    audit.assert_clean()


def test_samen_aanmelden_on_the_professionals_screen(
    server: Server, browser_of: Callable[[], Page], audit: Audit
) -> None:
    midwife = browser_of()
    log_in(midwife, a_midwife(server))
    midwife.goto("/advies/samen-aanmelden")
    midwife.locator("#name").wait_for()
    assert midwife.locator("#advice_code").count() == 0
    audit(midwife, "samen aanmelden form", "#name")
    midwife.locator(CONTINUE).click()
    midwife.locator(".error-summary").wait_for()
    audit(midwife, "samen aanmelden form with errors", ".error-summary")
    fill_parent(midwife, "Ilse Smit", phone="06 23456789")
    continue_to_check(midwife)
    assert midwife.locator(".consent-panel #parent_agrees").count() == 1
    assert not midwife.locator("#parent_agrees").is_checked()
    audit(midwife, "samen aanmelden check page with the consent panel", SEND)
    midwife.locator(SEND).click()
    midwife.locator(".error-summary").wait_for()
    assert midwife.locator("#parent_agrees").get_attribute("aria-invalid") == "true"
    audit(midwife, "samen aanmelden check page without the parent's tick", ".error-summary")
    midwife.locator(".error-summary a").first.click()
    assert midwife.evaluate("document.activeElement.id") == "parent_agrees", "the error leads to her box"
    midwife.locator("#parent_agrees").check()
    midwife.locator(SEND).click()
    midwife.locator("strong.reference").first.wait_for()
    assert urlsplit(midwife.url).path == "/advies/bevestiging"
    audit(midwife, "samen aanmelden: the professional's confirmation with the slip")
    code, reference = withdrawal_code_on(midwife), reference_on(midwife)
    assert html_lang(midwife) == "nl" and midwife.locator("main .slip").get_attribute("lang") == "nl"
    printed = printed_slip(midwife)
    assert code in printed and reference in printed
    audit.assert_clean()


def printed_slip(page: Page) -> str:
    """What comes out of the printer: the slip alone, none of what is written to the professional."""
    page.emulate_media(media="print")
    try:
        assert page.locator("main .slip").is_visible()
        assert not page.locator("main .confirmation-panel").is_visible(), "the professional's part is not printed"
        assert not page.locator("header").is_visible() and not page.locator("main a.button").is_visible()
        visible = " ".join(page.locator("main").inner_text().split())  # inner_text leaves out what is hidden
        assert visible == " ".join(page.locator("main .slip").inner_text().split()), "only the slip is printed"
        return visible
    finally:
        page.emulate_media(media="screen")


def test_direct_referral_by_phone_and_a_no(server: Server, browser_of: Callable[[], Page], audit: Audit) -> None:
    # The parent registered herself already: the referral will be flagged as a possible duplicate.
    parent = browser_of()
    parent.goto("/aanmelden")
    fill_parent(parent, "Zoë van den Berg", phone="06 34567890", feedback=False)
    continue_to_check(parent)
    parent.locator(SEND).click()
    parent.locator("strong.reference").first.wait_for()
    original = reference_on(parent)

    midwife = browser_of()
    log_in(midwife, a_midwife(server))
    midwife.goto("/advies")
    midwife.locator("main a[href='/advies/verwijzen']").click()
    midwife.locator("#name").wait_for()
    audit(midwife, "referral form", "#name")
    fill_parent(midwife, "ZOE VAN DEN BERG", phone="+31 6 3456 7890")
    midwife.locator("#language").select_option("en")  # she wants to talk English
    continue_to_check(midwife)
    assert midwife.locator(".consent-panel input[name=consent]").count() == 3
    audit(midwife, "referral check page with the consent panel", SEND)
    midwife.locator(SEND).click()
    midwife.locator(".error-summary").wait_for()
    audit(midwife, "referral check page without a consent answer", ".error-summary")
    midwife.locator("#consent-1").check()  # by phone
    midwife.locator(SEND).click()
    midwife.locator("strong.reference").first.wait_for()
    audit(midwife, "referral: the professional's confirmation with an English slip")
    referred, code = reference_on(midwife), withdrawal_code_on(midwife)
    # Written to her, in Dutch, and by phone: read the slip out. The slip is in English.
    assert html_lang(midwife) == "nl"
    assert midwife.locator("main h1").inner_text().strip() == "Verstuurd naar JGZ Delfland (voorbeeld)"
    assert "lees het briefje hieronder aan haar voor" in text_of(midwife)
    assert midwife.locator("main .slip").get_attribute("lang") == "en"
    printed = printed_slip(midwife)
    assert f"Your reference {referred} Your withdrawal code {code}" in printed
    assert "A nurse of JGZ Delfland (voorbeeld) contacts you within 5 working days" in printed
    assert "Verstuurd" not in printed and "lees het briefje" not in printed
    midwife.reload()
    midwife.locator("strong.reference").first.wait_for()
    assert code not in text_of(midwife), "the withdrawal code only on the first view"
    assert reference_on(midwife) == referred

    nurse = browser_of()
    log_in(nurse, a_nurse(server))
    nurse.goto("/inbox")
    duplicate_id = registration_id(server, referred)
    assert nurse.locator(f"tr:has(a[href='/inbox/{duplicate_id}']) .badge--warning").count() == 1
    audit(nurse, "inbox with a possible duplicate")
    nurse.goto(f"/inbox/{duplicate_id}")
    page_text = text_of(nurse)
    assert original in page_text, "the notice names the original"
    assert "Vera Verloskundige" in page_text
    audit(nurse, "inbox detail (referral, consent by phone, possible duplicate)")

    # She says no: nothing is stored, and the page says so.
    midwife.goto("/advies/verwijzen")
    fill_parent(midwife, "Noor Bakker", phone="06 45678901", feedback=False)
    continue_to_check(midwife)
    midwife.locator("#consent-2").check()  # no
    midwife.locator(SEND).click()
    midwife.locator("main h1").wait_for()
    assert urlsplit(midwife.url).path == "/advies/verwijzen/versturen"
    assert midwife.locator("strong.reference").count() == 0
    audit(midwife, "referral declined")
    audit.assert_clean()
