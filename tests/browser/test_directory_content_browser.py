"""Offerings whose content changed in issue 12, in a real browser (Debian's Chromium via Playwright).

At 360 and 1280 px: axe-core finds zero violations and nothing scrolls sideways on an offering with
a recognition and its year (Home-Start), one without (the voedselbank), one with a national
information line (Fiom), a new national entry (vrouwenopvang) and the situatie-wijzer with the new
situations ticked; without JavaScript the same texts are there (axe itself needs scripts).
Screenshots go to BALIE_SCREENSHOTS/kaart-content/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.audit import page_problems
from tests.browser.kaart_pages import kaart_url, open_page  # noqa: F401 - fixtures
from tests.browser.screenshots import screenshot_folder

pytestmark = pytest.mark.browser

SHOTS = screenshot_folder("kaart-content")
HOME_START = "7876ffac-655e-44be-9fca-329e400553bb"
VOEDSELBANK = "0849de59-0fbd-443f-b952-dcde12b93b00"
FIOM = "9a3ad76f-d69b-4bf1-9ee3-2366ca3c2fbc"
VROUWENOPVANG = "d3920e28-ca59-41a4-85bc-b77749ae4530"
WIJZER = "/sociale-kaart/wijzer?situatie=alcohol-drugs&situatie=geen-verzekering&situatie=werk-inkomen&postcode=2611+AB"


@pytest.fixture(scope="module")
def browser_context_args(kaart_url: str) -> dict[str, Any]:
    return {"base_url": kaart_url}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [360, 1280])
def test_changed_offerings_read_well_and_pass_axe(open_page: Callable[..., Page], width: int, javascript: bool) -> None:
    page = open_page(width, javascript)
    axe = Axe()
    problems: list[str] = []

    def visit(name: str, url: str, ready: str = "main h1") -> str:
        page.goto(url)
        page.locator(ready).first.wait_for()
        if javascript:  # axe and the sideways-scroll check run as scripts in the page
            problems.extend(page_problems(page, axe, name))
            if SHOTS is not None:
                page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        return page.locator("main").inner_text()

    home_start = visit("home-start", f"/sociale-kaart/aanbod/{HOME_START}")
    assert "vanaf 28 weken zwangerschap" in home_start
    assert "(erkend in 2019)" in home_start
    voedselbank = visit("voedselbank", f"/sociale-kaart/aanbod/{VOEDSELBANK}")
    assert "Databank Effectieve Jeugdinterventies" not in voedselbank
    assert "0800 6160" in visit("fiom", f"/sociale-kaart/aanbod/{FIOM}")
    assert "Veilig Thuis" in visit("vrouwenopvang", f"/sociale-kaart/aanbod/{VROUWENOPVANG}")
    wijzer = visit("wijzer-nieuwe-situaties", WIJZER, "main section.situation")
    assert "Hulp bij alcohol of drugs in de zwangerschap" in wijzer
    assert "Zorg in de zwangerschap zonder verzekering" in wijzer
    assert "Uitkering voor zwangere zelfstandigen (ZEZ)" in wijzer

    assert problems == [], "\n".join(problems)
