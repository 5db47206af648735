"""Keyboard helpers shared by the browser tests: where focus is, and Tab until it is somewhere."""

from __future__ import annotations

from playwright.sync_api import Page


def focused(page: Page) -> str:
    """A short description of the focused element, for failure messages."""
    return str(
        page.evaluate(
            """() => { const e = document.activeElement;
                       if (!e) return 'nothing';
                       return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                         + (e.getAttribute('name') ? '[name=' + e.getAttribute('name') + ']' : '')
                         + (e.getAttribute('href') ? '[href=' + e.getAttribute('href') + ']' : ''); }"""
        )
    )


def is_focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector))


def tab_to(page: Page, selector: str, backwards: bool = False, limit: int = 400) -> None:
    """Press Tab (or Shift+Tab) until the element matching the selector has focus."""
    key = "Shift+Tab" if backwards else "Tab"
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        if is_focused(page, selector):
            return
        passed.append(focused(page))
    raise AssertionError(f"{selector} was not reached with {key}; passed {passed[-20:]}")
