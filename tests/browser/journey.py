"""Helpers for a staff member's journey through pages in Chromium: logging in, and looking at
each page on the way (axe-core and sideways scrolling where JavaScript runs, and a screenshot when
the test keeps them)."""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.audit import page_problems
from tests.support.accounts import PASSWORD


def log_in(page: Page, email: str) -> None:
    """Password only: for accounts without a second factor."""
    page.goto("/inloggen")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


class Looks:
    """``looks("name")`` once a page is there; ``looks.problems`` holds what axe-core found."""

    def __init__(self, page: Page, shots: Path | None, width: int, javascript: bool) -> None:
        self.page, self.shots, self.javascript = page, shots, javascript
        self.suffix = f"{width}{'' if javascript else '-nojs'}"
        self.axe = Axe()
        self.problems: list[str] = []

    def __call__(self, name: str) -> None:
        self.page.locator("main h1").wait_for()
        if self.javascript:  # axe-core runs as a script in the page
            self.problems.extend(page_problems(self.page, self.axe, name))
        if self.shots is not None:
            self.page.screenshot(path=str(self.shots / f"{name.replace(' ', '-')}-{self.suffix}.png"), full_page=True)
