"""Staff pages in a real browser (Debian's Chromium), issue 10 points 6, 19, 20, 22 and 23.

- Point 19: the inbox uses the width of the screen. At 1280 px every column is inside the
  window and nothing in the table is cut off; references and dates stay on one line. At 360 px
  each registration is a block with every value under its column's name, all text inside the
  window, and the page never scrolls sideways. Parent pages keep their reading column.
- Point 6: a nurse closes a registration and merges a duplicate by keyboard only: nothing is
  preselected, leaving the outcome open gives an error, nothing changes before she confirms.
- Point 20: the access history and an offering's history read in words, dates on one line.
- Point 23: after accepting an invitation the log-in page holds her e-mail address; she types
  only her password and lands on her working page.
axe-core finds nothing on any of these pages at 360 and 1280 px.

Set BALIE_SCREENSHOTS to a folder to keep a screenshot of every page at both widths.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page

from balie.extensions import db
from balie.models.base import utcnow
from balie.services.accounts import lifecycle as accounts
from balie.services.accounts.lifecycle import Grant
from tests.browser.audit import page_problems
from tests.browser.keyboard import focused, is_focused, tab_to
from tests.browser.serving import serving
from tests.browser.watcher import Watcher
from tests.conftest import TEST_SECRET, make_app
from tests.support.accounts import DELFLAND, Account, make_user
from tests.support.databases import copy_sqlite
from tests.support.directory import DELFT, WIJKTEAM_DELFT
from tests.support.staff import register_id, registration

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
WIDE, NARROW = 1280, 360
TWIN = {"name": "Fenna Tweeling", "phone": "06 24681357"}
NEW_PASSWORD = "fietsen langs de vliet in mei"


@dataclass
class Site:
    app: Flask
    url: str
    nurse: Account  # each test logs in with its own nurse: an app code works only once
    closer: Account
    reader: Account
    editor: Account
    admin: Account
    to_close: str
    first_twin: str
    second_twin: str
    invitation_path: str


def _prepare(app: Flask) -> dict[str, object]:
    client = app.test_client()
    # Long language names (with an interpreter) are what used to be cut off.
    for number, language in enumerate(("zgh", "ti", "fa", "en", "nl")):
        register_id(
            app,
            client,
            postcode="2611 AB",
            name=f"Moeder {language}",
            phone=f"06 1000000{number}",
            language=language,
            interpreter="yes" if language != "nl" else "no",
        )
    to_close = register_id(app, client, postcode="2611 AB", name="Sanne Sluiten", phone="06 20000000")
    first_twin = register_id(app, client, postcode="2611 AB", **TWIN)
    second_twin = register_id(app, client, postcode="2611 AB", **TWIN)
    nurses = {
        role: make_user(
            app, f"{role}@delfland.example", [Grant("jgz_staff", organisation_id=DELFLAND)], name=f"Noor {role.title()}"
        )
        for role in ("nurse", "closer", "reader")
    }
    editor = make_user(
        app, "els@delft.example", [Grant("gemeente_editor", municipality_code=DELFT)], totp=False, name="Els Editor"
    )
    with app.app_context(), db.writing():
        invitation = accounts.invite(
            db.session,
            "vera@praktijk.example",
            "Vera Verloskundige",
            [Grant("professional", profession="midwife")],
            None,
            utcnow(),
        )
        # One that stays open, for the administrator's list.
        accounts.invite(
            db.session,
            "karin.kraamzorg-met-een-lang-adres@kraamzorg-delft.example",
            "Karin Kraamzorg",
            [Grant("professional", profession="maternity_care")],
            None,
            utcnow(),
        )
        db.session.commit()
        signature = accounts.link_signature(TEST_SECRET, accounts.KIND_INVITATION, invitation.id)
        invitation_path = f"/uitnodiging/{invitation.id}/{signature}"
    admin = make_user(app, "beheer@balie.example", [Grant("admin")], name="Bart Beheer")
    return {
        **nurses,
        "editor": editor,
        "admin": admin,
        "to_close": to_close,
        "first_twin": first_twin,
        "second_twin": second_twin,
        "invitation_path": invitation_path,
    }


@pytest.fixture(scope="module")
def site(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("staff-layout")
    app = make_app(copy_sqlite(sqlite_template_path, folder / "balie.sqlite3"), folder, SPAM_MIN_SECONDS=0)
    prepared = _prepare(app)
    with serving(app) as url:
        yield Site(app=app, url=url, **prepared)  # type: ignore[arg-type]


class Browse:
    def __init__(self, browser: Browser, site: Site) -> None:
        self.browser, self.site, self.watcher, self.axe = browser, site, Watcher(), Axe()
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []
        folder = os.environ.get("BALIE_SCREENSHOTS")
        self.shots = Path(folder) if folder else None

    def page(self) -> Page:
        context = self.browser.new_context(base_url=self.site.url, viewport={"width": WIDE, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        self.watcher.attach(context)
        self.contexts.append(context)
        return context.new_page()

    def audit(self, page: Page, name: str, ready: str = "main h1") -> None:
        """axe-core and no sideways scrolling at 1280 and 360 px; a screenshot of each when asked."""
        page.locator(ready).first.wait_for()
        for width in (WIDE, NARROW):
            page.set_viewport_size({"width": width, "height": 900})
            self.problems.extend(page_problems(page, self.axe, name))
            if self.shots:
                self.shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=str(self.shots / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{width}.png"), full_page=True
                )
        page.set_viewport_size({"width": WIDE, "height": 900})

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browse(browser: Browser, site: Site) -> Iterator[Browse]:
    browse = Browse(browser, site)
    yield browse
    browse.close()
    browse.watcher.assert_clean()


def path(page: Page) -> str:
    return urlsplit(page.url).path


def press_and_wait(page: Page, key: str, ready: str = "main h1") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.locator(ready).first.wait_for()


def log_in(page: Page, account: Account) -> None:
    page.goto("/inloggen")
    page.locator("#email").fill(account.email)
    page.locator("#password").fill(account.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if account.secret:
        page.locator("#code").fill(account.code())
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    assert not path(page).startswith("/inloggen"), f"log-in failed for {account.email}"


# What the geometry checks measure, in the page itself.
CELLS_OUTSIDE = """() => [...document.querySelectorAll('main table th, main table td')]
    .filter(cell => { const box = cell.getBoundingClientRect();
                      return box.width > 1 && (box.left < -0.5 || box.right > window.innerWidth + 0.5); })
    .map(cell => cell.textContent.trim())"""
CUT_OFF = """() => [...document.querySelectorAll('main table td')]
    .filter(cell => cell.scrollWidth > cell.clientWidth + 1).map(cell => cell.textContent.trim())"""
WRAPPER_SCROLLS = (
    """() => [...document.querySelectorAll('main .table-wrapper')].some(w => w.scrollWidth > w.clientWidth + 1)"""
)
WRAPPED = """selector => [...document.querySelectorAll(selector)]
    .filter(element => element.getClientRects().length !== 1).map(element => element.textContent.trim())"""
TEXT_OUTSIDE = """() => [...document.querySelectorAll('main table td')].filter(cell => {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            // text for screen readers only does not count
            if (!node.textContent.trim() || node.parentElement.closest('.visually-hidden')) continue;
            const range = document.createRange(); range.selectNodeContents(node);
            const outside = box => box.left < -0.5 || box.right > window.innerWidth + 0.5;
            if ([...range.getClientRects()].some(box => box.width > 0 && outside(box)))
                return true;
        }
        return false;
    }).map(cell => cell.textContent.trim())"""
LABEL_OVERFLOWS = """() => [...document.querySelectorAll('main table tbody td[data-label]')]
    .filter(cell => cell.scrollHeight > cell.clientHeight + 1).map(cell => cell.dataset.label)"""
LABELS = """() => [...document.querySelectorAll('main table tbody td[data-label]')].map(cell =>
    [cell.dataset.label, getComputedStyle(cell, '::before').content, getComputedStyle(cell, '::before').display])"""


def assert_wide_table_fits(page: Page, no_wrap: str, width: int = WIDE) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    assert page.evaluate(CELLS_OUTSIDE) == [], "a column is outside the window"
    assert page.evaluate(CUT_OFF) == [], "a cell's content is cut off"
    assert not page.evaluate(WRAPPER_SCROLLS), "the table needs sideways scrolling"
    assert page.evaluate(WRAPPED, no_wrap) == [], "a reference or date breaks over two lines"
    assert page.locator("main table thead").first.is_visible()
    page.set_viewport_size({"width": WIDE, "height": 900})


def assert_stacked_table_readable(page: Page) -> None:
    page.set_viewport_size({"width": NARROW, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW, "the page scrolls sideways"
    assert page.evaluate(TEXT_OUTSIDE) == [], "text of a cell is outside the window"
    assert page.evaluate(LABEL_OVERFLOWS) == [], "a column name runs into the next line"
    assert not page.evaluate(WRAPPER_SCROLLS)
    for label, before, display in page.evaluate(LABELS):
        assert before == f'"{label}"' and display != "none", (label, before, display)
    page.set_viewport_size({"width": WIDE, "height": 900})


# ---------------------------------------------------------------------------------------------
# Point 19 (and 22): the inbox at 1280 and 360 px
# ---------------------------------------------------------------------------------------------


def test_the_inbox_shows_every_column_at_1280_and_every_value_at_360(browse: Browse, site: Site) -> None:
    page = browse.page()
    log_in(page, site.nurse)
    assert path(page) == "/inbox"
    page.locator("main table").wait_for()
    rows = page.locator("main table tbody tr")
    assert rows.count() == 8

    for width in (WIDE, 960):  # 960 px: the narrowest window that still shows the table as a table
        assert_wide_table_fits(page, "main table a.nowrap, main table .table__nowrap", width)
    headers = page.locator("main table thead th").all_inner_texts()
    assert headers == ["Kenmerk", "Ontvangen", "Status", "Gemeente", "Uitgerekend", "Taal"], headers
    taal = page.locator("main table thead th").nth(5).bounding_box()
    assert taal and taal["x"] + taal["width"] <= WIDE, "the Taal column is inside the window"
    assert page.locator("main").bounding_box()["width"] > 1000  # type: ignore[index]
    assert "vandaag" in rows.first.inner_text()
    badges = page.locator("main table tbody tr:has(.badge--warning)").all_inner_texts()
    assert len(badges) == 1 and "Mogelijk dubbel" in badges[0], badges  # only the second of the twins
    assert "Tamazight" in page.locator("main table").inner_text()
    browse.audit(page, "inbox", "main table")

    assert_stacked_table_readable(page)
    page.set_viewport_size({"width": NARROW, "height": 900})
    first = rows.first.bounding_box()
    assert first and first["width"] <= NARROW
    assert (
        not page.locator("main table thead").first.is_visible()
        or page.locator("main table thead").first.bounding_box()["height"] <= 1
    )  # type: ignore[index]
    page.set_viewport_size({"width": WIDE, "height": 900})

    # The table keeps its meaning for a screen reader when its rows are stacked.
    page.set_viewport_size({"width": NARROW, "height": 900})
    snapshot = page.locator("main table").aria_snapshot()
    page.set_viewport_size({"width": WIDE, "height": 900})
    assert "- table" in snapshot and "- row" in snapshot and "cell" in snapshot, snapshot
    assert browse.problems == [], "\n".join(browse.problems)


def test_parent_pages_keep_their_reading_column(browse: Browse) -> None:
    page = browse.page()
    for address in ("/", "/aanmelden"):
        page.goto(address)
        box = page.locator("main").bounding_box()
        assert box and box["width"] <= 768, (address, box)


# ---------------------------------------------------------------------------------------------
# Point 6: closing and merging by keyboard, with a confirmation
# ---------------------------------------------------------------------------------------------


def test_a_nurse_closes_and_merges_by_keyboard_and_each_asks_first(browse: Browse, site: Site) -> None:
    page = browse.page()
    log_in(page, site.closer)
    reference = registration(site.app, site.to_close).reference
    page.goto(f"/inbox/{site.to_close}")
    browse.audit(page, "registration detail")

    tab_to(page, "main a#close-link")
    press_and_wait(page, "Enter", "main form")
    assert path(page) == f"/inbox/{site.to_close}/afsluiten"
    assert page.locator("main h1").inner_text() == f"{reference} afsluiten?"
    assert page.locator("main input[name=outcome]").count() == 3, "no “Bezoek(en) afgelegd” without a recorded visit"
    assert page.locator("main input[name=outcome]:checked").count() == 0, "nothing chosen for her"
    assert registration(site.app, site.to_close).status == "received"
    browse.audit(page, "close: choose the outcome")

    # "Ja, sluit af" without an outcome: an error, and still not closed.
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page, "Enter", ".error-summary")
    assert page.title().startswith("Fout:")
    assert is_focused(page, ".error-summary"), focused(page)
    assert page.locator(".error-summary a").inner_text() == "Kies hoe het is afgelopen"
    assert page.locator("main .error-message").inner_text().endswith("Kies hoe het is afgelopen")
    assert registration(site.app, site.to_close).status == "received"
    browse.audit(page, "close: no outcome chosen", ".error-summary")

    # She follows the error to the choice, picks "Ouder niet bereikt" and confirms.
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    assert is_focused(page, "#outcome-0"), focused(page)
    page.keyboard.press("ArrowDown")  # moves to and chooses the second outcome
    assert page.locator("main input[name=outcome]:checked").get_attribute("value") == "not_reached"
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page, "Enter")
    assert path(page) == f"/inbox/{site.to_close}"
    assert "Afgesloten – Ouder niet bereikt" in page.locator("main h1 + p").inner_text()
    closed = registration(site.app, site.to_close)
    assert (closed.status, closed.close_outcome) == ("closed", "not_reached")

    # Merging the second registration of the same pregnancy: a question first.
    first_reference = registration(site.app, site.first_twin).reference
    second_reference = registration(site.app, site.second_twin).reference
    page.goto(f"/inbox/{site.second_twin}")
    tab_to(page, f"main a[href='/inbox/{site.second_twin}/samenvoegen']")
    press_and_wait(page, "Enter", "main form")
    assert page.locator("main h1").inner_text() == f"{second_reference} samenvoegen met {first_reference}?"
    assert "Dit kunt u niet ongedaan maken." in page.locator("main").inner_text()
    assert registration(site.app, site.second_twin).purged_at is None
    browse.audit(page, "merge: the question")
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page, "Enter")
    assert path(page) == f"/inbox/{site.first_twin}"
    assert registration(site.app, site.second_twin).purged_at is not None
    assert browse.problems == [], "\n".join(browse.problems)


# ---------------------------------------------------------------------------------------------
# Point 20: the histories, in words and with dates on one line
# ---------------------------------------------------------------------------------------------


def test_the_histories_read_in_words_with_dates_on_one_line(browse: Browse, site: Site) -> None:
    page = browse.page()
    log_in(page, site.reader)
    registration_id = site.first_twin
    for _ in range(2):
        page.goto(f"/inbox/{registration_id}")
    page.goto(f"/inbox/{registration_id}/afdrukken")
    page.goto(f"/inbox/{registration_id}/toegang")
    page.locator("main table").wait_for()
    what = page.locator("main table tbody tr td:nth-child(4)").all_inner_texts()
    assert "Afgedrukt" in what and any(re.fullmatch(r"Bekeken \(\d+ keer\)", text) for text in what), what
    assert not re.search(r"registration\.|success|\(full\)", page.locator("main table").inner_text())
    for width in (WIDE, 960):
        assert_wide_table_fits(page, "main table .table__nowrap", width)
    assert_stacked_table_readable(page)
    browse.audit(page, "who looked", "main table")

    editor = browse.page()
    log_in(editor, site.editor)
    assert path(editor) == "/sociale-kaart/beheer", "the editor lands on her kaart page"
    assert_wide_table_fits(editor, "main table .table__nowrap")
    assert_stacked_table_readable(editor)
    browse.audit(editor, "manage the sociale kaart", "main table")
    editor.goto(f"/sociale-kaart/beheer/{WIJKTEAM_DELFT}/geschiedenis")
    table_text = editor.locator("main table").inner_text()
    assert "Delft" in table_text and "GM0503" not in table_text
    for width in (WIDE, 960):
        assert_wide_table_fits(editor, "main table .table__nowrap", width)
    assert_stacked_table_readable(editor)
    browse.audit(editor, "offering history", "main table")
    assert browse.problems == [], "\n".join(browse.problems)


# ---------------------------------------------------------------------------------------------
# Point 23: after the invitation, the log-in page knows her address
# ---------------------------------------------------------------------------------------------


def test_after_accepting_an_invitation_she_types_only_her_password(browse: Browse, site: Site) -> None:
    page = browse.page()
    page.goto(site.invitation_path)
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#repeat").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert path(page) == "/inloggen" and urlsplit(page.url).query == ""
    assert page.locator("#email").input_value() == "vera@praktijk.example"
    browse.audit(page, "log in with the address filled in", "#email")
    tab_to(page, "#password")
    page.keyboard.type(NEW_PASSWORD)
    press_and_wait(page, "Enter")
    assert path(page) == "/advies", "a professional lands on her advice page"
    assert browse.problems == [], "\n".join(browse.problems)


# ---------------------------------------------------------------------------------------------
# Points 19, 21, 23: the administrator's pages
# ---------------------------------------------------------------------------------------------


def test_the_administrators_pages_are_wide_and_stack_on_a_phone(browse: Browse, site: Site) -> None:
    page = browse.page()
    log_in(page, site.admin)
    assert path(page) == "/beheer/gebruikers", "the administrator lands on user management"
    for address, name in (
        ("/beheer/gebruikers", "users"),
        ("/beheer/uitnodigingen", "invitations"),
        ("/beheer/toegangslog", "access log"),
    ):
        page.goto(address)
        page.locator("main table").wait_for()
        for width in (WIDE, 960):
            assert_wide_table_fits(page, "main table .table__nowrap", width)
        assert_stacked_table_readable(page)
        browse.audit(page, name, "main table")

    # Inviting a professional without a profession: the error sits at the profession field.
    page.goto("/beheer/uitnodigen")
    offered = page.locator("#organisation option").all_inner_texts()
    assert offered == ["–", "JGZ Delfland (voorbeeld)", "Jeugdgezondheid Hofstad (voorbeeld)"], offered
    page.locator("#name").fill("Piet Huisarts")
    page.locator("#email").fill("piet@huisarts.example")
    page.locator("#role").select_option("professional")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    error = page.locator("main .field--error")
    assert error.count() == 1 and error.locator("#profession").count() == 1
    assert error.locator(".error-message").inner_text().endswith("Kies het beroep voor een professional")
    browse.audit(page, "invite without a profession", ".error-summary")
    assert browse.problems == [], "\n".join(browse.problems)
