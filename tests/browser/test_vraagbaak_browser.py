"""The vraagbaak in a real browser (Debian's Chromium through Playwright).

- a midwife logs in, types her question's title and sees similar questions: live while typing
  with JavaScript, as a step before the form without it; she posts the question by keyboard;
- a colleague answers, the asker accepts the answer and follows the tag, by keyboard;
- axe-core finds zero violations on every vraagbaak page (index, both ask steps, the privacy
  guard's error, the question page as asker and as moderator, history, review list, and the
  parents' FAQ in Dutch and English), at 1280 and at 320 px, and nothing scrolls sideways;
- nothing is requested from another host, and no Content-Security-Policy violation or script
  error happens.

The app has its own database copy and search index folder (never the repository's instance).
Page texts are found by structure (ids, form actions, classes), not by translated wording.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from balie.clock import today
from balie.extensions import db
from balie.models import Service, User
from balie.models.base import utcnow
from balie.search import registry as search_registry
from balie.services.accounts.lifecycle import Grant
from balie.services.qa import questions as qa
from tests.browser.audit import page_problems
from tests.browser.keyboard import focused, is_focused, tab_to
from tests.browser.serving import serving
from tests.browser.watcher import Watcher
from tests.conftest import make_app
from tests.support.accounts import Account, make_user
from tests.support.databases import copy_sqlite

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
ASK = "/vraagbaak/vragen/nieuw"
EXISTING = "Mag ik als kraamverzorgende een cliënt zelf aanmelden bij de JGZ?"
EXISTING_ANSWER = "Ja, met uitdrukkelijke toestemming van de zwangere. Gebruik het formulier van de JGZ."
NEW_TITLE = "Mag ik mijn cliënt zelf aanmelden bij de JGZ als kraamverzorgende?"


# ---------------------------------------------------------------------------------------------
# The app, with a few people and one answered question, served on 127.0.0.1
# ---------------------------------------------------------------------------------------------


@dataclass
class Vraagbaak:
    url: str
    database: Path
    asker: Account
    colleague: Account
    moderator: Account
    existing_id: str

    def __call__(self, path: str) -> str:
        return self.url + path

    def sql(self, statement: str, *args: str) -> list[tuple[object, ...]]:
        with contextlib.closing(sqlite3.connect(self.database)) as connection:
            return list(connection.execute(statement, args).fetchall())


def _content(app: object, asker: Account, colleague: Account, moderator: Account) -> str:
    """One question as a professional finds it: answered, accepted, owned, pinned, public, edited."""
    with app.app_context(), db.writing():  # type: ignore[attr-defined]
        now, day = utcnow(), today()
        service = db.session.scalars(select(Service).where(Service.status == "active").order_by(Service.name)).first()
        assert service is not None
        question = qa.ask(
            db.session, colleague.id, EXISTING, "Ik werk in de **kraamzorg**.", ("aanmelden", "kraamzorg"), day, now
        )
        answer = qa.answer(
            db.session,
            question,
            moderator.id,
            EXISTING_ANSWER + f"\n\nZie [dit aanbod](/sociale-kaart/aanbod/{service.id}).",
            day,
            now,
        )
        hidden = qa.answer(db.session, question, asker.id, "Een antwoord dat verborgen is.", day, now)
        mod = qa.Actor(moderator.id, True)
        qa.accept(db.session, question, answer, mod)
        owner = db.session.get(User, moderator.id)
        assert owner is not None
        qa.set_owner(db.session, answer, mod, owner, day - timedelta(days=1), now)  # overdue: "to be checked again"
        qa.moderate_answer(db.session, hidden, mod, hidden=True)
        qa.edit_question(
            db.session,
            question,
            qa.Actor(colleague.id, False),
            EXISTING,
            "Ik werk in de **kraamzorg** in Delft.",
            ("aanmelden", "kraamzorg"),
            day,
            now,
        )
        for action in ("pin", "publish"):
            qa.moderate_question(
                db.session,
                question,
                mod,
                action,
                today=day,
                parent_text=qa.ParentText(
                    "Mag mijn kraamverzorgende mij aanmelden?",
                    "Ja, als u dat **zelf** goed vindt.",
                    "May a maternity carer register a client herself?",
                    "Yes, with the **explicit consent** of the pregnant woman.",
                ),
            )
        question_id = question.id
        db.session.commit()
        search_registry.vraagbaak().sync(db.session)
        return question_id


@pytest.fixture(scope="module")
def vraagbaak(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vraagbaak]:
    folder = tmp_path_factory.mktemp("vraagbaak-live")
    database = folder / "balie.sqlite3"
    app = make_app(
        copy_sqlite(sqlite_template_path, database), folder, SEARCH_INDEX_DIR=str(folder / "search"), SPAM_MIN_SECONDS=0
    )
    midwife = [Grant("professional", profession="midwife")]
    asker = make_user(app, "anna@verloskunde.example", midwife, totp=False, name="Anna Asker")
    colleague = make_user(app, "bram@kraamzorg.example", midwife, totp=False, name="Bram Beantwoorder")
    moderator = make_user(app, "mo@balie.example", [Grant("moderator")], totp=False, name="Mo Moderator")
    existing_id = _content(app, asker, colleague, moderator)
    with serving(app) as url:
        yield Vraagbaak(url, database, asker, colleague, moderator, existing_id)


# ---------------------------------------------------------------------------------------------
# Watched browser contexts
# ---------------------------------------------------------------------------------------------


class Browse:
    def __init__(self, browser: Browser, site: Vraagbaak) -> None:
        self.browser, self.site, self.watcher = browser, site, Watcher()
        self.contexts: list[BrowserContext] = []

    def page(self, account: Account | None = None, width: int = 1280, javascript: bool = True) -> Page:
        context = self.browser.new_context(
            base_url=self.site.url, viewport={"width": width, "height": 900}, java_script_enabled=javascript
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.watcher.attach(context)
        self.contexts.append(context)
        page = context.new_page()
        if account is not None:
            log_in(page, account)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browse(browser: Browser, vraagbaak: Vraagbaak) -> Iterator[Browse]:
    browse = Browse(browser, vraagbaak)
    yield browse
    browse.close()
    browse.watcher.assert_clean()


# ---------------------------------------------------------------------------------------------
# Keyboard helpers
# ---------------------------------------------------------------------------------------------


def press_enter_and_wait(page: Page, ready: str) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(ready).first.wait_for()


def log_in(page: Page, account: Account) -> None:
    page.goto("/inloggen")
    tab_to(page, "#email")
    page.keyboard.type(account.email)
    tab_to(page, "#password")
    page.keyboard.type(account.password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path != "/inloggen", f"login failed for {account.email}"


# ---------------------------------------------------------------------------------------------
# The whole flow, by keyboard
# ---------------------------------------------------------------------------------------------


def test_ask_see_similar_answer_accept_and_follow(browse: Browse, vraagbaak: Vraagbaak) -> None:
    asker = browse.page(vraagbaak.asker)
    asker.goto("/vraagbaak")
    tab_to(asker, f"main a[href='{ASK}']")
    press_enter_and_wait(asker, "#titel")

    # Step 1, with JavaScript: similar questions appear while she types, without leaving the page.
    tab_to(asker, "#titel")
    asker.keyboard.type(NEW_TITLE, delay=5)
    live = asker.locator("#similar-questions .similar a", has_text=EXISTING)
    live.wait_for()
    assert urlsplit(asker.url).path == ASK and not urlsplit(asker.url).query
    assert asker.locator("#similar-questions").get_attribute("aria-live") == "polite"

    # Enter continues to step 2: the same list from the server, her title kept.
    press_enter_and_wait(asker, "#title")
    assert asker.locator("#title").input_value() == NEW_TITLE
    assert asker.locator(".similar a", has_text=EXISTING).count() == 1
    tab_to(asker, "#body")
    asker.keyboard.type("Ik help regelmatig zwangeren in de kraamzorg. Mag dat ook rechtstreeks?")
    tab_to(asker, "input[name=tags][value=aanmelden]")
    asker.keyboard.press("Space")
    assert asker.locator("input[name=tags][value=aanmelden]").is_checked()
    tab_to(asker, "main form[method=post] button[type=submit]")
    press_enter_and_wait(asker, "main h1")
    assert asker.locator("main h1").inner_text().strip() == NEW_TITLE
    match = re.search(r"/vraagbaak/vragen/([0-9a-f-]{36})$", asker.url)
    assert match, asker.url
    question_id = match.group(1)

    # A colleague answers.
    colleague = browse.page(vraagbaak.colleague)
    colleague.goto(f"/vraagbaak/vragen/{question_id}")
    tab_to(colleague, "#body")
    colleague.keyboard.type(
        "Ja, met uitdrukkelijke toestemming van je cliënt. Het formulier staat op de site van de JGZ."
    )
    tab_to(colleague, f"form[action='/vraagbaak/vragen/{question_id}/antwoorden'] button[type=submit]")
    press_enter_and_wait(colleague, "article.answer")
    assert "uitdrukkelijke toestemming" in colleague.locator("article.answer").inner_text()

    # The asker accepts it.
    asker.goto(f"/vraagbaak/vragen/{question_id}")
    tab_to(asker, "form[action$='/accepteren'] button")
    press_enter_and_wait(asker, "article.answer--accepted")
    assert "uitdrukkelijke toestemming" in asker.locator("article.answer--accepted").inner_text()
    assert vraagbaak.sql("SELECT accepted_answer_id IS NOT NULL FROM question WHERE id = ?", question_id) == [(1,)]

    # And follows the tag "aanmelden".
    asker.goto("/vraagbaak")
    follow = "form[action='/vraagbaak/volgen/tag/aanmelden'] button"
    before = asker.locator(follow).inner_text()
    tab_to(asker, follow)
    press_enter_and_wait(asker, follow)
    assert asker.locator(follow).inner_text() != before
    assert vraagbaak.sql(
        "SELECT count(*) FROM subscription WHERE user_id = ? AND kind = 'tag' AND target = 'aanmelden'",
        vraagbaak.asker.id,
    ) == [(1,)]


def test_without_javascript_similar_questions_are_a_step(browse: Browse, vraagbaak: Vraagbaak) -> None:
    page = browse.page(vraagbaak.asker, javascript=False)
    page.goto(ASK)
    tab_to(page, "#titel")
    page.keyboard.type("Kraamverzorgende cliënt aanmelden")
    page.wait_for_timeout(600)  # longer than the script's pause: without JavaScript nothing appears
    assert page.locator("#similar-questions .similar").count() == 0
    press_enter_and_wait(page, "#title")
    assert "titel=" in page.url
    assert page.locator(".similar a", has_text=EXISTING).count() == 1
    assert page.locator("#title").input_value() == "Kraamverzorgende cliënt aanmelden"
    # The similar question opens, with its accepted answer.
    page.locator(".similar a", has_text=EXISTING).click()
    page.locator("article.answer--accepted").wait_for()
    assert EXISTING_ANSWER in page.locator("article.answer--accepted").inner_text()


def test_the_privacy_guard_refuses_and_keeps_what_was_typed(browse: Browse, vraagbaak: Vraagbaak) -> None:
    page = browse.page(vraagbaak.asker)
    before = vraagbaak.sql("SELECT count(*) FROM question")
    page.goto(f"{ASK}?titel={quote('Hoe meld ik deze cliënt aan?')}")
    page.locator("#body").fill("Ze heeft BSN 111222333 en belt vanaf 06-12345678.")
    page.locator("main form[method=post] button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    assert is_focused(page, ".error-summary"), f"focus is on {focused(page)}"
    error = page.locator("#body-error").inner_text()
    assert "111222333" in error and "06-12345678" in error
    assert page.locator("#title").input_value() == "Hoe meld ik deze cliënt aan?"
    assert vraagbaak.sql("SELECT count(*) FROM question") == before


# ---------------------------------------------------------------------------------------------
# axe-core at 1280 and 320 px
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_violations_on_the_vraagbaak(browse: Browse, vraagbaak: Vraagbaak, width: int) -> None:
    axe = Axe()
    problems: list[str] = []

    def audit(page: Page, name: str, ready: str = "main h1") -> None:
        page.locator(ready).first.wait_for()
        problems.extend(page_problems(page, axe, name))

    question = f"/vraagbaak/vragen/{vraagbaak.existing_id}"
    asker = browse.page(vraagbaak.asker, width=width)
    asker.goto("/vraagbaak")
    audit(asker, "index")
    asker.goto("/vraagbaak?q=aanmelden")
    audit(asker, "search results with tag facets", ".facet")
    asker.goto(ASK)
    audit(asker, "ask step 1", "#titel")
    asker.locator("#titel").type("Kraamverzorgende cliënt aanmelden")
    asker.locator("#similar-questions .similar").wait_for()
    audit(asker, "ask step 1 with the live list", "#similar-questions .similar")
    asker.goto(f"{ASK}?titel={quote('Kraamverzorgende cliënt aanmelden')}")
    audit(asker, "ask step 2 with similar questions", ".similar")
    asker.locator("#body").fill("Geboren op 12-03-1995, mail ouder@example.nl")
    asker.locator("main form[method=post] button[type=submit]").click()
    audit(asker, "ask with the privacy guard's error", ".error-summary")
    asker.goto(question)
    audit(asker, "question as asker", "article.answer--accepted")
    asker.goto(f"{question}/geschiedenis")
    audit(asker, "history")

    moderator = browse.page(vraagbaak.moderator, width=width)
    moderator.goto(question)
    moderator.locator("article.answer--hidden").wait_for()
    moderator.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    audit(moderator, "question as moderator, moderation panel open", "form[action$='/moderatie']")
    moderator.goto("/vraagbaak/opnieuw-bekijken")
    audit(moderator, "review list")
    assert moderator.locator("main a", has_text=EXISTING).count() == 1

    parent = browse.page(width=width)
    parent.goto("/veelgestelde-vragen")
    audit(parent, "public FAQ (Dutch)")
    assert parent.locator("main h2", has_text="Mag mijn kraamverzorgende mij aanmelden?").count() == 1
    parent.goto("/veelgestelde-vragen?lang=en")
    audit(parent, "public FAQ (English)")
    assert parent.locator("main h2", has_text="May a maternity carer register a client herself?").count() == 1
    assert parent.locator("html").get_attribute("lang") == "en"

    assert problems == [], "\n".join(problems)
