"""The monitor page in a real browser (Debian's Chromium), issue 13.

A gemeente monitor logs in and lands on the monitor: the caveat, the funnel as bars with its table,
the reach over the months as a line with its table. axe-core finds nothing and nothing scrolls
sideways at 1280, 360 and 320 px, with and without JavaScript. A region monitor chooses a gemeente
and a period with the keyboard only. Set BALIE_SCREENSHOTS to keep a screenshot at each width.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from balie.domain import roles
from balie.services.accounts.lifecycle import Grant
from tests.browser.audit import page_problems
from tests.browser.keyboard import tab_to
from tests.browser.screenshots import screenshot_folder
from tests.browser.serving import serving
from tests.browser.watcher import Watcher
from tests.conftest import make_app
from tests.support.accounts import Account, make_user
from tests.support.databases import copy_sqlite
from tests.support.monitoring import DELFT
from tests.web.test_monitor_pages import make_history

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 15_000
WIDTHS = (1280, 360, 320)


@dataclass
class Site:
    url: str
    delft: Account
    region: Account


@pytest.fixture(scope="module")
def site(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("monitor")
    app = make_app(copy_sqlite(sqlite_template_path, folder / "balie.sqlite3"), folder, SPAM_MIN_SECONDS=0)
    make_history(app, more_months=True)
    delft = make_user(app, "beleid@delft.example", [Grant(roles.GEMEENTE_MONITOR, municipality_code=DELFT)], totp=False)
    region = make_user(app, "regio@ggd.example", [Grant(roles.REGION_MONITOR)], totp=False)
    with serving(app) as url:
        yield Site(url, delft, region)


def open_page(browser: Browser, site: Site, watcher: Watcher, javascript: bool = True) -> Page:
    context = browser.new_context(
        base_url=site.url, viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    context.set_default_timeout(TIMEOUT_MS)
    watcher.attach(context)
    return context.new_page()


def log_in(page: Page, account: Account) -> None:
    page.goto("/inloggen")
    page.locator("#email").fill(account.email)
    page.locator("#password").fill(account.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def audit(page: Page, name: str, javascript: bool = True) -> list[str]:
    """axe-core and no sideways scrolling at each width; without JavaScript (axe cannot run) the
    page's parts are measured from outside: nothing in main reaches past the window."""
    problems: list[str] = []
    folder = screenshot_folder("monitor")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        if javascript:
            problems += page_problems(page, Axe(), f"{name} @{width}")
        else:
            for part in ("main h1", "main form.filter", "#chart-funnel", "#table-funnel", "#caveat"):
                box = page.locator(part).first.bounding_box() if part != "#chart-funnel" else None
                if box and box["x"] + box["width"] > width + 1:
                    problems.append(f"{name} @{width}: {part} reaches past the window")
        if folder:
            page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_gemeente_monitor_lands_on_her_figures_readable_at_every_width(
    browser: Browser, site: Site, javascript: bool
) -> None:
    watcher = Watcher()
    page = open_page(browser, site, watcher, javascript)
    log_in(page, site.delft)
    assert urlsplit(page.url).path == "/monitor"
    page.goto("/monitor?gemeente=GM0503&period=2026-Q1")
    main = page.locator("main")
    assert "PHB's die de JGZ buiten de balie om registreert, tellen niet mee." in main.inner_text()
    chart = page.locator("#funnel ~ figure svg[role=img]").first
    assert chart.get_attribute("aria-labelledby") == "chart-funnel-title chart-funnel-desc"
    assert "Aanmeldingen: 22" in page.locator("#chart-funnel-desc").text_content()  # 10 in March, 6 + 6 before
    assert page.locator("#table-funnel caption").inner_text() == "Van adviesbriefje tot vervolg"
    assert page.locator("#chart-reach-title").count() == 1
    problems = audit(page, f"monitor-delft-q1-{'js' if javascript else 'nojs'}", javascript)
    assert problems == []
    page.context.close()
    watcher.assert_clean()


def test_a_region_monitor_chooses_gemeente_and_period_by_keyboard(browser: Browser, site: Site) -> None:
    watcher = Watcher()
    page = open_page(browser, site, watcher)
    log_in(page, site.region)
    page.goto("/monitor?period=2026")
    tab_to(page, "#gemeente")
    page.keyboard.type("Delft")  # a list jumps to the option typed
    tab_to(page, "#period")
    page.keyboard.type("Kwartaal 1 2026")
    tab_to(page, "main form.filter button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    chosen = parse_qs(urlsplit(page.url).query)
    assert chosen == {"gemeente": [DELFT], "period": ["2026-Q1"]}
    assert "Cijfers van Delft, Kwartaal 1 2026." in page.locator("main").inner_text()
    assert audit(page, "monitor-region-keyboard") == []
    page.context.close()
    watcher.assert_clean()
