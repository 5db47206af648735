"""The page audit shared by the browser tests: axe-core, and no sideways scrolling."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page


def page_problems(page: Page, axe: Axe, name: str) -> list[str]:
    """What axe-core finds on the page as it stands, and whether it scrolls sideways in its window
    (naming the first elements that stick out)."""
    viewport = page.viewport_size
    assert viewport is not None, "the page has no fixed viewport"
    width = viewport["width"]
    problems = [
        f"{name} @{width}: {violation['id']} ({violation['impact']}) {violation['help']} at "
        f"{[node['target'] for node in violation['nodes']]}"
        for violation in axe.run(page).response["violations"]
    ]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        wide = page.evaluate(
            """w => Array.from(document.querySelectorAll('main *'))
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + e.className)""",
            width,
        )
        problems.append(f"{name} @{width}: scrolls sideways ({scroll_width} px wide): {wide}")
    return problems
