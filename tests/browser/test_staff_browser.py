"""The staff side in a real browser (Debian's Chromium through Playwright).

- a JGZ nurse's day, by keyboard: she logs in with her password and the code from her
  authenticator app, sees the number of new registrations, opens one (the parent's safety
  wishes are shown first), records contact attempted, contact made, visit planned, visit held,
  follow-up arranged (of a kind she chooses), closes it with "visit(s) held" (chosen on its own
  confirmation page, where nothing is preselected) and hands it over,
  with the status and the timeline checked after each step; then the printable page and "who
  looked at this registration";
- a colleague logs out with the header button; a browser given the session cookie copied
  before the log-out gets the log-in page, not the inbox;
- axe-core finds zero violations on every page visited and on every other staff page (log-in
  and code pages with and without errors, the forced app set-up with its QR code, recovery
  codes, the account pages, the administrator's pages, forgotten password, an invalid link, an
  invitation, an account request and the idle time-out warning), at 1280 and at 320 px, and no
  page scrolls sideways at 320 px;
- nothing is requested from another host, and no Content-Security-Policy violation or script
  error happens.

The app has its own database copy and search index folder. Parents register beforehand through
the public form (two for JGZ Delfland, one of them with safety wishes, one for Hofstad). Texts
are found by id, structure or data, never by translated wording.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
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
from tests.support.accounts import DELFLAND, HOFSTAD, Account, csrf, login, make_user
from tests.support.databases import copy_sqlite
from tests.support.staff import SESSION_COOKIE, register_id

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
WIDTHS = (1280, 320)
DELFT, DEN_HAAG = "2611 AB", "2511 AB"
NURSE_NAME = "Noor Verpleegkundige"
WRONG_PASSWORD = "not the password at all 99"


# ---------------------------------------------------------------------------------------------
# The app, with staff, registrations, an account request and an invitation, on 127.0.0.1
# ---------------------------------------------------------------------------------------------


@dataclass
class StaffSite:
    app: Flask
    url: str
    nurse: Account  # JGZ Delfland: the nurse's day
    colleague: Account  # JGZ Delfland: logs out, her cookie is replayed
    hofstad: Account  # Jeugdgezondheid Hofstad: the code page with an error
    newcomer: Account  # JGZ Delfland without an app yet: the forced set-up
    midwife: Account  # a professional without an app: the account pages
    admin: Account
    targeted: Account  # JGZ Delfland: her account comes under attack
    with_wishes: str  # Delfland registration with safety wishes
    plain: str  # Delfland registration without
    elsewhere: str  # Hofstad registration
    invitation_path: str


def _prepare(app: Flask) -> dict[str, object]:
    client = app.test_client()
    with_wishes = register_id(
        app,
        client,
        postcode=DELFT,
        name="Fatima Veilig",
        call_times=["evening"],
        no_voicemail="y",
        only_chosen_times="y",
        discreet="y",
    )
    plain = register_id(app, client, postcode=DELFT, name="Sanne Gewoon")
    elsewhere = register_id(app, client, postcode=DEN_HAAG, name="Lotte Hofstad")
    people = {
        "nurse": make_user(
            app, "noor@delfland.example", [Grant("jgz_staff", organisation_id=DELFLAND)], name=NURSE_NAME
        ),
        "colleague": make_user(
            app, "iris@delfland.example", [Grant("jgz_staff", organisation_id=DELFLAND)], name="Iris Collega"
        ),
        "hofstad": make_user(
            app, "hanna@hofstad.example", [Grant("jgz_staff", organisation_id=HOFSTAD)], name="Hanna Hofstad"
        ),
        "newcomer": make_user(
            app, "nieuw@delfland.example", [Grant("jgz_staff", organisation_id=DELFLAND)], totp=False, name="Nina Nieuw"
        ),
        "midwife": make_user(
            app,
            "mila@verloskunde.example",
            [Grant("professional", profession="midwife")],
            totp=False,
            name="Mila Vroedvrouw",
        ),
        "admin": make_user(app, "beheer@balie.example", [Grant("admin")], name="Bart Beheer"),
        "targeted": make_user(
            app, "olga@delfland.example", [Grant("jgz_staff", organisation_id=DELFLAND)], name="Olga Doelwit"
        ),
    }
    with app.app_context(), db.writing():
        now = utcnow()
        accounts.request_account(
            db.session,
            "kees@kraamzorg.example",
            "Kees Kraamzorg",
            "maternity_care",
            "Kraamzorg Delft (voorbeeld)",
            "Ik begeleid kraamgezinnen in Delft.",
            now,
        )
        invitation = accounts.invite(
            db.session,
            "piet@huisarts.example",
            "Piet Huisarts",
            [Grant("professional", profession="gp")],
            people["admin"].id,
            now,
        )
        db.session.commit()
        signature = accounts.link_signature(TEST_SECRET, accounts.KIND_INVITATION, invitation.id)
        invitation_path = f"/uitnodiging/{invitation.id}/{signature}"
    # The Hofstad nurse opens her registration (through the test client), so the access log has rows.
    hofstad_client = app.test_client()
    assert login(hofstad_client, people["hofstad"]).status_code == 303
    assert hofstad_client.get(f"/inbox/{elsewhere}").status_code == 200
    return {
        **people,
        "with_wishes": with_wishes,
        "plain": plain,
        "elsewhere": elsewhere,
        "invitation_path": invitation_path,
    }


@pytest.fixture(scope="module")
def site(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaffSite]:
    folder = tmp_path_factory.mktemp("staff-live")
    app = make_app(
        copy_sqlite(sqlite_template_path, folder / "balie.sqlite3"),
        folder,
        SEARCH_INDEX_DIR=str(folder / "search"),
        SPAM_MIN_SECONDS=0,
    )
    prepared = _prepare(app)
    with serving(app) as url:
        yield StaffSite(app=app, url=url, **prepared)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Watched browser contexts and the audit at both widths
# ---------------------------------------------------------------------------------------------


class Browse:
    def __init__(self, browser: Browser, site: StaffSite) -> None:
        self.browser, self.site, self.watcher = browser, site, Watcher()
        self.contexts: list[BrowserContext] = []
        self.axe = Axe()
        self.problems: list[str] = []
        self.audited: list[str] = []

    def context(self) -> BrowserContext:
        context = self.browser.new_context(base_url=self.site.url, viewport={"width": WIDTHS[0], "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        self.watcher.attach(context)
        self.contexts.append(context)
        return context

    def page(self) -> Page:
        return self.context().new_page()

    def audit(self, page: Page, name: str, ready: str = "main h1") -> None:
        """axe-core at 1280 and at 320 px, and no sideways scrolling at 320 px."""
        page.locator(ready).first.wait_for()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            self.problems.extend(page_problems(page, self.axe, name))
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        self.audited.append(name)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browse(browser: Browser, site: StaffSite) -> Iterator[Browse]:
    browse = Browse(browser, site)
    yield browse
    browse.close()
    browse.watcher.assert_clean()


# ---------------------------------------------------------------------------------------------
# Keyboard helpers
# ---------------------------------------------------------------------------------------------


def press_and_wait(page: Page, key: str, ready: str = "main h1") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.locator(ready).first.wait_for()


def path(page: Page) -> str:
    return urlsplit(page.url).path


def log_in_by_keyboard(page: Page, account: Account, audit: Callable[[Page, str, str], None] | None = None) -> None:
    page.goto("/inloggen")
    if audit:
        audit(page, "log in", "#email")
    tab_to(page, "#email")
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    assert is_focused(page, "#password"), focused(page)
    page.keyboard.type(account.password)
    press_and_wait(page, "Enter", "#code")
    assert path(page) == "/inloggen/code"
    if audit:
        audit(page, "code", "#code")
    if not is_focused(page, "#code"):
        tab_to(page, "#code")
    page.keyboard.type(account.code())
    press_and_wait(page, "Enter")


def log_in(page: Page, account: Account) -> None:
    """Password and (when the account has one) the app's code, by filling the fields."""
    page.goto("/inloggen")
    page.locator("#email").fill(account.email)
    page.locator("#password").fill(account.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if account.secret:
        assert path(page) == "/inloggen/code"
        page.locator("#code").fill(account.code())
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    assert not path(page).startswith("/inloggen"), f"log-in failed for {account.email}"


def submit(page: Page, form: str = "main form.form") -> None:
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").first.click()


# ---------------------------------------------------------------------------------------------
# 1. A nurse's day, by keyboard
# ---------------------------------------------------------------------------------------------


def step_button(step: str) -> str:
    return f"main form.step-form:has(input[name=step][value={step}]) button[type=submit]"


def timeline(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("main ol.timeline li").all_inner_texts()]


def status_of(page: Page) -> str:
    classes = page.locator("main h1 + p .badge").get_attribute("class") or ""
    match = re.search(r"badge--([a-z_]+)", classes)
    assert match, classes
    return match.group(1)


def new_count(page: Page) -> int:
    match = re.search(r"\d+", page.locator("main p.lead").inner_text())
    return int(match.group(0)) if match else 0


def test_a_nurses_day_by_keyboard(browse: Browse, site: StaffSite) -> None:
    page = browse.page()
    log_in_by_keyboard(page, site.nurse, browse.audit)

    # The inbox: her own organisation's two registrations, both new; not Hofstad's.
    assert path(page) == "/inbox"
    browse.audit(page, "inbox", "main table")
    assert new_count(page) == 2
    listed = page.locator("main table tbody a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(listed) == sorted([f"/inbox/{site.with_wishes}", f"/inbox/{site.plain}"])

    # She opens the registration with safety wishes.
    tab_to(page, f"main table a[href='/inbox/{site.with_wishes}']")
    press_and_wait(page, "Enter")
    assert path(page) == f"/inbox/{site.with_wishes}"
    panel = page.locator("main .safety-panel")
    assert panel.is_visible() and panel.locator("li").count() == 3
    assert status_of(page) == "received" and timeline(page) == []
    browse.audit(page, "registration, new")

    steps = [
        ("contact_attempt", "contact_attempted"),
        ("contact_made", "contact_made"),
        ("visit_planned", "visit_planned"),
        ("visit_held", "visit_held"),
        ("follow_up", "follow_up_arranged"),
        ("close", "closed"),
        ("hand_over", "closed"),
    ]
    closed_with = ""
    for number, (step, status) in enumerate(steps, start=1):
        label = "" if step == "close" else page.locator(step_button(step)).inner_text().strip()
        chosen = ""
        if step == "follow_up":
            tab_to(page, "#follow-up-kind")
            first = page.locator("#follow-up-kind").input_value()
            page.keyboard.press("ArrowDown")  # a kind other than the first
            kind = page.locator("#follow-up-kind").input_value()
            assert kind != first
            chosen = page.locator("#follow-up-kind option:checked").inner_text().strip()
            page.keyboard.press("Tab")
            assert is_focused(page, step_button(step)), focused(page)
        elif step == "close":
            # Closing asks first, on a page of its own, with no outcome chosen for her.
            tab_to(page, "main a#close-link")
            press_and_wait(page, "Enter", "main form")
            assert path(page) == f"/inbox/{site.with_wishes}/afsluiten"
            assert page.locator("main input[name=outcome]:checked").count() == 0
            browse.audit(page, "close: choose the outcome")
            tab_to(page, "#outcome-0")
            page.keyboard.press("Space")
            assert page.locator("main input[name=outcome]:checked").get_attribute("value") == "visits_held"
            chosen = closed_with = page.locator("label[for=outcome-0]").inner_text().strip()
            tab_to(page, "main form button[type=submit]")
        else:
            tab_to(page, step_button(step))
        press_and_wait(page, "Enter")

        assert path(page) == f"/inbox/{site.with_wishes}"
        assert page.locator("[role=status].notice--success").count() == 1, f"no confirmation after {step}"
        assert status_of(page) == status, step
        entries = timeline(page)
        assert len(entries) == number, (step, entries)
        assert label in entries[-1] and chosen in entries[-1], (step, entries[-1])
        browse.audit(page, f"registration after {step}")

    # Closed with "visit(s) held" and handed over: nothing left to record.
    assert closed_with and closed_with in page.locator("main h1 + p").inner_text()
    assert page.locator("main form.step-form").count() == 0
    assert page.locator("main .safety-panel").is_visible()

    # The printable page, and who looked at this registration.
    tab_to(page, f"main a[href='/inbox/{site.with_wishes}/afdrukken']")
    press_and_wait(page, "Enter")
    assert page.locator("main .safety-panel").is_visible() and len(timeline(page)) == len(steps)
    browse.audit(page, "printable page")
    tab_to(page, f"main a[href='/inbox/{site.with_wishes}']")
    press_and_wait(page, "Enter", "main ol.timeline")
    tab_to(page, f"main a[href='/inbox/{site.with_wishes}/toegang']")
    press_and_wait(page, "Enter", "main table")
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 2 + len(steps)  # the first look, a look after each step, the print
    assert sum(NURSE_NAME in text for text in rows.all_inner_texts()) >= 2 + len(steps)
    browse.audit(page, "who looked", "main table")

    # Back in the inbox (through the staff menu), one registration is still new.
    tab_to(page, "nav.staff-nav a[href='/inbox']")
    press_and_wait(page, "Enter", "main table")
    assert new_count(page) == 1
    browse.audit(page, "inbox at the end of the day", "main table")
    assert browse.problems == [], "\n".join(browse.problems)


# ---------------------------------------------------------------------------------------------
# 2. Log out; the copied session cookie no longer works
# ---------------------------------------------------------------------------------------------


def test_a_session_cookie_replayed_after_logout_is_refused(browse: Browse, site: StaffSite) -> None:
    page = browse.page()
    log_in_by_keyboard(page, site.colleague)
    assert path(page) == "/inbox"
    stolen = [cookie for cookie in page.context.cookies() if cookie["name"] == SESSION_COOKIE]
    assert stolen, "no session cookie"

    # Before the log-out the copy works (so the refusal below is the log-out's doing).
    thief = browse.context()
    thief.add_cookies(stolen)  # type: ignore[arg-type]
    thief_page = thief.new_page()
    thief_page.goto("/inbox")
    assert path(thief_page) == "/inbox"

    # She logs out with the button in the header, by keyboard.
    tab_to(page, "nav.staff-nav form button[type=submit]")
    press_and_wait(page, "Enter", "#email")
    assert path(page) == "/inloggen" and page.locator("nav.staff-nav").count() == 0
    assert page.locator("[role=status].notice--success").count() == 1
    browse.audit(page, "log-in page after logging out")

    # A new browser given the copied cookie is sent to the log-in page.
    replay = browse.context()
    replay.add_cookies(stolen)  # type: ignore[arg-type]
    replay_page = replay.new_page()
    response = replay_page.goto("/inbox")
    assert response is not None and response.ok
    assert path(replay_page) == "/inloggen", replay_page.url
    assert replay_page.locator("#email").count() == 1 and replay_page.locator("main table").count() == 0
    assert replay_page.locator("nav.staff-nav").count() == 0
    thief_page.goto("/inbox")
    assert path(thief_page) == "/inloggen"
    assert browse.problems == [], "\n".join(browse.problems)


# ---------------------------------------------------------------------------------------------
# 2b. Under attack from many addresses: password and code in one step, by keyboard
# ---------------------------------------------------------------------------------------------


def test_a_nurse_whose_account_is_under_attack_logs_in_with_password_and_code_in_one_step(
    browse: Browse, site: StaffSite
) -> None:
    attacker = site.app.test_client()
    token = csrf(attacker)
    for n in range(20):
        data = {"csrf_token": token, "email": site.targeted.email, "password": f"{WRONG_PASSWORD} {n}"}
        assert attacker.post("/inloggen", data=data, environ_base={"REMOTE_ADDR": f"10.9.8.{n + 1}"}).status_code == 400

    page = browse.page()
    page.goto("/inloggen")
    tab_to(page, "#email")
    page.keyboard.type(site.targeted.email)
    page.keyboard.press("Tab")
    page.keyboard.type(site.targeted.password)
    press_and_wait(page, "Enter", ".error-summary")
    assert path(page) == "/inloggen" and page.locator("#code").count() == 1
    assert page.locator("label[for=code]").count() == 1
    assert page.locator(".error-summary a[href='#code']").count() == 1
    browse.audit(page, "log in under attack: password and code", "#code")

    tab_to(page, "#password")
    page.keyboard.type(site.targeted.password)
    page.keyboard.press("Tab")
    assert is_focused(page, "#code"), focused(page)
    page.keyboard.type(site.targeted.code())
    press_and_wait(page, "Enter")
    assert path(page) == "/inbox", "password and code in one step open the inbox, without a second step"
    assert browse.problems == [], "\n".join(browse.problems)


# ---------------------------------------------------------------------------------------------
# 3. Every other staff page
# ---------------------------------------------------------------------------------------------


def wrong_code(secret: str) -> str:
    """Six digits that are not a valid code of this secret right now (nor just before or after)."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + 30 * offset) for offset in range(-2, 3)}
    return next(code for code in (str(digit) * 6 for digit in range(10)) if code not in valid)


def test_axe_finds_no_violations_on_the_other_staff_pages(browse: Browse, site: StaffSite) -> None:
    # Logged out: log in (with errors), the code page (with an error), forgotten password,
    # an invalid link, an invitation and an account request.
    page = browse.page()
    page.goto("/inloggen")
    browse.audit(page, "log in", "#email")
    page.locator("#email").fill(site.hofstad.email)
    page.locator("#password").fill(WRONG_PASSWORD)
    submit(page)
    browse.audit(page, "log in with an error", ".error-summary")
    page.locator("#password").fill(site.hofstad.password)
    submit(page)
    assert path(page) == "/inloggen/code"
    browse.audit(page, "code", "#code")
    page.locator("#code").fill(wrong_code(site.hofstad.secret or ""))
    submit(page)
    browse.audit(page, "code with an error", ".error-summary")

    anonymous = browse.page()
    anonymous.goto("/wachtwoord-vergeten")
    browse.audit(anonymous, "forgot password", "#email")
    anonymous.locator("#email").fill("")
    submit(anonymous)
    browse.audit(anonymous, "forgot password with an error", ".error-summary")
    anonymous.locator("#email").fill(site.midwife.email)
    submit(anonymous)
    browse.audit(anonymous, "forgot password: sent")
    anonymous.goto("/wachtwoord-herstellen/onbekend/ongeldig")
    browse.audit(anonymous, "invalid link")
    anonymous.goto(site.invitation_path)
    browse.audit(anonymous, "invitation", "#password")
    anonymous.locator("#password").fill("kort")
    submit(anonymous)
    browse.audit(anonymous, "invitation with errors", ".error-summary")
    anonymous.goto("/account-aanvragen")
    browse.audit(anonymous, "request an account", "#email")
    submit(anonymous)
    browse.audit(anonymous, "request an account with errors", ".error-summary")

    # A new JGZ colleague must set up the app: QR code, a wrong code, then her recovery codes.
    newcomer = browse.page()
    newcomer.goto("/inloggen")
    newcomer.locator("#email").fill(site.newcomer.email)
    newcomer.locator("#password").fill(site.newcomer.password)
    submit(newcomer)
    assert path(newcomer) == "/inloggen/tweede-factor"
    assert newcomer.locator("main .qr__image svg").is_visible()
    browse.audit(newcomer, "forced app set-up with QR code", ".qr__image svg")
    secret = newcomer.locator("main .qr__secret").inner_text().replace(" ", "")
    newcomer.locator("#code").fill(wrong_code(secret))
    submit(newcomer)
    browse.audit(newcomer, "forced app set-up with an error", ".error-summary")
    newcomer.locator("#code").fill(pyotp.TOTP(secret).now())
    submit(newcomer)
    assert newcomer.locator("main .recovery-codes li").count() >= 8
    browse.audit(newcomer, "recovery codes", ".recovery-codes")
    with newcomer.expect_navigation():
        newcomer.locator("main a.button").click()
    assert path(newcomer) == "/inbox"
    newcomer.goto("/account")
    browse.audit(newcomer, "my account (with an app)")

    # A midwife's own account: overview, sessions, password (with errors), the app in two steps.
    midwife = browse.page()
    log_in(midwife, site.midwife)
    midwife.goto("/account")
    browse.audit(midwife, "my account (without an app)")
    midwife.goto("/account/sessies")
    browse.audit(midwife, "sessions", "main table")
    midwife.goto("/account/wachtwoord")
    browse.audit(midwife, "change password", "#current")
    midwife.locator("#current").fill(WRONG_PASSWORD)
    midwife.locator("#password").fill("kort")
    submit(midwife)
    browse.audit(midwife, "change password with errors", ".error-summary")
    midwife.goto("/account/tweede-factor")
    browse.audit(midwife, "app set-up, step 1", "input[type=password]")
    midwife.locator("main input[type=password]").fill(WRONG_PASSWORD)
    submit(midwife)
    browse.audit(midwife, "app set-up, step 1 with an error", ".error-summary")
    midwife.locator("main input[type=password]").fill(site.midwife.password)
    submit(midwife)
    assert midwife.locator("main .qr__image svg").is_visible()
    browse.audit(midwife, "app set-up, step 2 with QR code", ".qr__image svg")
    own_secret = midwife.locator("main .qr__secret").inner_text().replace(" ", "")
    midwife.locator("main form.form input:not([type=hidden])").fill(wrong_code(own_secret))
    submit(midwife)
    browse.audit(midwife, "app set-up, step 2 with an error", ".error-summary")
    midwife.locator("main form.form input:not([type=hidden])").fill(pyotp.TOTP(own_secret).now())
    submit(midwife)
    browse.audit(midwife, "recovery codes after the app set-up", ".recovery-codes")

    # The administrator's pages.
    admin = browse.page()
    log_in(admin, site.admin)
    assert path(admin) == "/beheer/gebruikers"
    browse.audit(admin, "users", "main table")
    admin.goto("/beheer/uitnodigen")
    browse.audit(admin, "invite", "#email")
    admin.locator("#email").fill("geen adres")
    submit(admin)
    browse.audit(admin, "invite with errors", ".error-summary")
    admin.goto(f"/beheer/gebruikers/{site.nurse.id}")
    admin.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    browse.audit(admin, "user detail, add-a-role open")
    admin.goto("/beheer/uitnodigingen")
    assert admin.locator("main table tbody tr").count() >= 1
    browse.audit(admin, "invitations", "main table")
    admin.goto("/beheer/aanvragen")
    assert admin.locator("main section.card").count() == 1
    browse.audit(admin, "account requests", "main section.card")
    admin.goto("/beheer/toegangslog")
    assert admin.locator("main table tbody tr td code").count() >= 1
    browse.audit(admin, "access log", "main table")
    admin.goto("/beheer/toegangslog/controle")
    assert admin.locator("main .notice--success").count() == 1
    browse.audit(admin, "access log check")

    # The idle time-out warning: the first long timer (the warning) fires after 0.3 s.
    newcomer.add_init_script(
        """(() => {
             const original = window.setTimeout;
             let shortened = false;
             window.setTimeout = function (callback, delay, ...rest) {
               if (!shortened && delay > 60000) { shortened = true; delay = 300; }
               return original.call(window, callback, delay, ...rest);
             };
           })();"""
    )
    newcomer.goto("/account")
    dialog = newcomer.locator("#session-timeout")
    dialog.locator("[data-keepalive]").wait_for(state="visible")
    assert dialog.is_visible() and dialog.locator("[role=alertdialog]").is_visible()
    assert is_focused(newcomer, "#session-timeout [data-keepalive]"), focused(newcomer)
    browse.audit(newcomer, "idle time-out warning", "#session-timeout [data-keepalive]")
    newcomer.locator("#session-timeout [data-keepalive]").focus()
    for key in ("Tab", "Shift+Tab"):  # a modal dialog keeps the keyboard focus inside
        newcomer.keyboard.press(key)
        assert is_focused(newcomer, "#session-timeout [data-keepalive]"), (
            f"{key} left the dialog for {focused(newcomer)}"
        )
    with newcomer.expect_response(lambda r: r.url.endswith("/account/verlengen")) as kept:
        newcomer.keyboard.press("Enter")
    assert kept.value.status == 204
    dialog.wait_for(state="hidden")
    assert path(newcomer) == "/account"

    assert len(browse.audited) >= 30
    assert browse.problems == [], "\n".join(browse.problems)
