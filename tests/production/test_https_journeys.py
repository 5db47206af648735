"""The journeys that matter, in Chromium over https:// through nginx, against two app nodes on
PostgreSQL and Redis in production mode (the configuration users run):

- a parent's whole registration, from the home page to the confirmation;
- a parent registering with an advice card her midwife made;
- a nurse: log in with her authenticator code → inbox → open → a status step → log out;
- a gemeente editor: edit → preview → save.

Each page is served over TLS, every form is sent without a Referer (the pages say
`Referrer-Policy: no-referrer`) and lands; no request leaves 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response
from sqlalchemy import select

from balie.extensions import db
from balie.models import AdviceCode, Registration, Service
from tests.browser.watcher import Watcher
from tests.production.conftest import Stack
from tests.support.directory import WIJKTEAM_DELFT
from tests.support.registration import due_month

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("production")]  # one stack, one worker

CONTINUE = "main form.form button[type=submit]:not([name])"
SEND = "main button[name=send]"
TIMEOUT_MS = 60_000  # a busy machine is slow, not wrong
REFERENCE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")


class Visits:
    """Browser windows on the stack; every response is recorded, every request watched."""

    def __init__(self, browser: Browser, stack: Stack) -> None:
        self.browser, self.stack = browser, stack
        self.watcher = Watcher()
        self.responses: list[tuple[str, str, int]] = []
        self.contexts: list[BrowserContext] = []

    def window(self, width: int = 1280) -> Page:
        context = self.browser.new_context(
            base_url=self.stack.url, ignore_https_errors=True, viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.watcher.attach(context)
        context.on("response", self._response)
        self.contexts.append(context)
        return context.new_page()

    def _response(self, response: Response) -> None:
        self.responses.append((response.request.method, urlsplit(response.url).path, response.status))

    def posts(self) -> list[tuple[str, int]]:
        return [(path, status) for method, path, status in self.responses if method == "POST"]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def visits(browser: Browser, stack: Stack) -> Iterator[Visits]:
    found = Visits(browser, stack)
    yield found
    found.close()
    found.watcher.assert_clean()
    assert all(url.startswith("https://") for url in found.watcher.requests), "everything over TLS"
    failed = [(m, p, s) for m, p, s in found.responses if s >= 400]
    assert failed == [], f"requests that failed: {failed}"


def in_database(stack: Stack, query: Callable[[], Any]) -> Any:
    with stack.app.app_context():
        try:
            return query()
        finally:
            db.session.remove()


def registration(stack: Stack, reference: str) -> Registration | None:
    return in_database(
        stack, lambda: db.session.scalar(select(Registration).where(Registration.reference == reference))
    )


def fill_parent(page: Page, name: str) -> None:
    page.locator("#name").fill(name)
    page.locator("#phone").fill("06 12345678")
    page.locator("#postcode").fill("2611 AB")
    page.locator("#house_number").fill("12")
    page.locator("#due_month").select_option(due_month(3))


def send_and_confirm(page: Page) -> str:
    page.locator(CONTINUE).click()
    page.locator(SEND).wait_for()
    page.locator(SEND).click()
    page.locator("strong.reference").first.wait_for()
    references = [r.strip() for r in page.locator("strong.reference").all_inner_texts() if REFERENCE.match(r.strip())]
    assert len(references) == 1, references
    return references[0]


def log_in(page: Page, email: str, password: str, code: Callable[[], str] | None = None) -> None:
    page.goto("/inloggen")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator(CONTINUE).click()
    if code is not None:
        page.locator("#code").wait_for()
        page.locator("#code").fill(code())
        page.locator(CONTINUE).click()
    page.locator("nav.staff-nav").wait_for()


def test_a_parent_registers_from_the_home_page(visits: Visits, stack: Stack) -> None:
    page = visits.window()
    response = page.goto("/")
    assert response is not None and response.headers["referrer-policy"] == "no-referrer"
    assert "max-age" in response.headers["strict-transport-security"]
    page.locator("main a[href^='/aanmelden']").first.click()
    page.locator("#name").wait_for()
    fill_parent(page, "Sam de Vries")
    reference = send_and_confirm(page)

    stored = registration(stack, reference)
    assert stored is not None and stored.route == "self" and stored.language == "nl"
    assert ("/aanmelden/versturen", 303) in visits.posts()


def test_a_parent_registers_with_the_advice_card_her_midwife_made(visits: Visits, stack: Stack) -> None:
    midwife = visits.window()
    log_in(midwife, stack.midwife.email, stack.midwife.password)
    midwife.goto("/advies/kaarten/nieuw")
    midwife.locator("#language").select_option("nl")
    midwife.locator("#label").fill("Praktijk De Bron")
    midwife.locator(CONTINUE).click()
    midwife.locator(".advice-card").wait_for()
    code = midwife.locator(".advice-card__code").inner_text().strip()

    parent = visits.window(width=360)  # her own phone
    parent.goto(f"/aanmelden?code={code}")
    assert parent.locator("#advice_code").input_value() == code
    fill_parent(parent, "Noor Bakker")
    reference = send_and_confirm(parent)

    stored = registration(stack, reference)
    card = in_database(stack, lambda: db.session.scalar(select(AdviceCode).where(AdviceCode.code == code)))
    assert stored is not None and card is not None and stored.advice_code_id == card.id
    assert stored.advisor_user_id == stack.midwife.id


def test_a_nurse_logs_in_with_her_code_records_a_step_and_logs_out(visits: Visits, stack: Stack) -> None:
    parent = visits.window()
    parent.goto("/aanmelden")
    fill_parent(parent, "Fatma Yilmaz")
    reference = send_and_confirm(parent)
    registration_id = registration(stack, reference).id  # type: ignore[union-attr]

    nurse = visits.window()
    log_in(nurse, stack.nurse.email, stack.nurse.password, stack.nurse.code)
    assert urlsplit(nurse.url).path == "/inbox"
    nurse.locator(f"main table a[href='/inbox/{registration_id}']").click()
    nurse.locator("main h1").wait_for()
    assert "Fatma Yilmaz" in nurse.locator("main").inner_text()
    nurse.locator("form:has(input[name=step][value=contact_made]) button[type=submit]").click()
    nurse.locator("[role=status].notice--success").wait_for()
    assert in_database(stack, lambda: db.session.get(Registration, registration_id).status) == "contact_made"

    nurse.locator("nav.staff-nav form.staff-nav__logout button").click()
    nurse.locator("#email").wait_for()
    nurse.goto("/inbox")
    assert urlsplit(nurse.url).path == "/inloggen", "after logging out the inbox asks for a login again"
    posted = visits.posts()
    assert ("/inloggen", 303) in posted and ("/inloggen/code", 303) in posted and ("/uitloggen", 303) in posted


def test_a_gemeente_editor_saves_a_change(visits: Visits, stack: Stack) -> None:
    editor = visits.window()
    log_in(editor, stack.editor.email, stack.editor.password)
    editor.goto(f"/sociale-kaart/beheer/{WIJKTEAM_DELFT}/bewerken")
    phones = editor.locator("#phones")
    phones.fill("088 000 00 77 | voorbeeldnummer wijkteam Delft")
    editor.locator(CONTINUE).click()
    editor.locator("main button[name=save]").click()
    editor.locator("[role=status].notice--success").wait_for()

    def phone_numbers() -> list[str]:
        service = db.session.get(Service, WIJKTEAM_DELFT)
        return [phone.number for phone in service.phones]

    assert "088 000 00 77" in in_database(stack, phone_numbers)
    editor.goto(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}")
    assert "088 000 00 77" in editor.locator("main").inner_text()
