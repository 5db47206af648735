"""Issue 10, points 5 and 9 in Debian's Chromium, and the pages whose texts changed, at 360 and 1280 px.

- tapping text in main does not paint the page: main keeps its background, outline and shadow;
  the skip link still shows where focus is;
- "Exit this page" (button or Shift three times) replaces the desk page in the history with the
  neutral site: history.length stays the same and Back does not return to the desk page. The
  neutral site is never reached: Playwright answers for it. Without JavaScript it is a plain link;
- axe-core finds nothing on the changed pages, and nothing scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, Route

from tests.browser.audit import page_problems
from tests.browser.conftest import LiveServer
from tests.browser.watcher import Watcher

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
WIDTHS = [360, 1280]


@pytest.fixture
def exit_url(live_server: LiveServer) -> str:
    return str(live_server.app.config["EXIT_PAGE_URL"])


@pytest.fixture
def open_page(new_context: Callable[..., BrowserContext], exit_url: str) -> Iterator[Callable[..., Page]]:
    """A fresh context (own cookies). The neutral site is answered by Playwright, never fetched; every
    other request must stay on 127.0.0.1 (the watcher)."""
    watchers: list[tuple[Watcher, list[str]]] = []

    def make(width: int = 1280, javascript: bool = True) -> Page:
        context = new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        reached: list[str] = []

        def neutral(route: Route) -> None:
            reached.append(route.request.url)
            route.fulfill(
                status=200, content_type="text/html", body="<!doctype html><title>Weer</title><p>Het weer</p>"
            )

        context.route(exit_url + "**", neutral)
        watcher = Watcher()
        watcher.attach(context)
        watchers.append((watcher, reached))
        return context.new_page()

    yield make
    for watcher, reached in watchers:
        watcher.problems = [p for p in watcher.problems if not any(url in p for url in reached)]
        assert watcher.problems == [], "\n".join(watcher.problems)


def style_of(page: Page, selector: str) -> dict[str, Any]:
    return page.eval_on_selector(
        selector,
        "e => { const s = getComputedStyle(e); return {background: s.backgroundColor,"
        " outline: s.outlineStyle + ' ' + s.outlineWidth, shadow: s.boxShadow}; }",
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_tapping_text_in_main_leaves_the_page_as_it_was(open_page: Callable[..., Page], width: int) -> None:
    page = open_page(width)
    page.goto("/")
    before = style_of(page, "main")
    page.locator("main p.lead").click()
    assert page.evaluate("document.activeElement.id") == "main", "main takes focus when tapped (tabindex=-1)"
    assert style_of(page, "main") == before, "and is not painted yellow"
    assert before["background"] in ("rgba(0, 0, 0, 0)", "transparent")

    page.goto("/")  # a fresh page: the skip link is the first Tab stop
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    skip = style_of(page, ".skip-link")
    assert skip["background"] == "rgb(255, 221, 0)", "the skip link shows focus"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["width"] > 0, "on the screen"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_exit_button_replaces_the_page_in_the_history(
    open_page: Callable[..., Page], exit_url: str, width: int
) -> None:
    page = open_page(width)
    page.goto("/aanmelden")
    length = page.evaluate("history.length")  # about:blank, then the form
    button = page.locator("#exit-this-page")
    assert button.is_visible() and "Verlaat deze pagina" in button.inner_text()
    button.click()
    page.wait_for_url(exit_url + "**")
    assert page.evaluate("history.length") == length, "replaced, not added"
    page.go_back()
    assert page.url == "about:blank", f"Back leads away from the desk, not to it: {page.url}"


def test_shift_three_times_leaves_the_page(open_page: Callable[..., Page], exit_url: str) -> None:
    page = open_page()
    page.goto("/privacy")
    length = page.evaluate("history.length")
    page.keyboard.press("Shift")
    status = page.locator("#exit-this-page-status")
    assert "nog 2 keer" in status.inner_text(), "a screen reader hears what the first press did"
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(exit_url + "**")
    assert page.evaluate("history.length") == length
    page.go_back()
    assert page.url == "about:blank"


def test_typing_with_shift_does_not_leave_the_page(open_page: Callable[..., Page]) -> None:
    page = open_page()
    page.goto("/aanmelden")
    page.locator("#name").click()
    page.keyboard.type("Sam De Vries-Ab")  # capitals typed with Shift, with other keys in between
    page.keyboard.press("Shift")
    page.keyboard.type("x")
    page.keyboard.press("Shift")
    assert page.url.endswith("/aanmelden")


@pytest.mark.parametrize("width", WIDTHS)
def test_without_javascript_the_exit_button_is_a_link_to_the_neutral_site(
    open_page: Callable[..., Page], exit_url: str, width: int
) -> None:
    page = open_page(width, javascript=False)
    page.goto("/")
    page.locator("#exit-this-page").click()
    page.wait_for_url(exit_url + "**")
    assert page.locator("p").inner_text() == "Het weer"


@pytest.mark.parametrize("width", [320, 360, 1280])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_changed_parent_pages_pass_axe_and_do_not_scroll_sideways(
    open_page: Callable[..., Page], width: int, language: str
) -> None:
    page = open_page(width)
    page.goto(f"/taal/{language}?next=/")
    axe = Axe()
    problems: list[str] = []
    for path in (
        "/",
        "/privacy",
        "/veilig-gebruiken",
        "/toegankelijkheid",
        "/intrekken",
        "/aanmelden",
        "/veelgestelde-vragen",
    ):
        page.goto(path)
        page.locator("main h1").wait_for()
        assert page.locator("#exit-this-page").is_visible(), path
        problems.extend(page_problems(page, axe, path))
    assert problems == [], "\n".join(problems)
