"""Bea, gemeente monitor of Delft, keeps Delft's figures for the monitor, in Chromium, by keyboard.

She finds the empty state, enters last year's live births in the form and reads the expected
target group beside them, uploads a CBS StatLine file with an unknown gemeente and reads that row's
problem, uploads the corrected file, checks the preview (now → new) and confirms; the table shows
the imported births. At 1280 and 360 px with axe-core at zero and no sideways scrolling, and at
320 px without JavaScript. Pages in Dutch; screenshots go to BALIE_SCREENSHOTS/monitor-reference/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page

from balie.clock import today
from balie.services.accounts.lifecycle import Grant
from tests.browser.journey import Looks, log_in
from tests.browser.kaart_pages import open_page  # noqa: F401 - fixture
from tests.browser.keyboard import tab_to
from tests.browser.screenshots import screenshot_folder
from tests.browser.serving import serving
from tests.conftest import make_app
from tests.support.accounts import make_user
from tests.support.databases import copy_sqlite

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = screenshot_folder("monitor-reference")
PAGE = "/monitor/gegevens"
YEAR = today().year - 1
HEADER = '"ID";"RegioS";"Perioden";"LevendGeborenKinderen_2"'


@pytest.fixture
def site(sqlite_template_path: Path, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    folder = tmp_path / "app"
    folder.mkdir()
    app = make_app(copy_sqlite(sqlite_template_path, folder / "balie.sqlite3"), folder)
    with serving(app) as url:
        yield app, url


@pytest.fixture
def browser_context_args(site: tuple[Flask, str]) -> dict[str, object]:
    return {"base_url": site[1]}


def press_enter_on(page: Page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def upload(page: Page, path: Path) -> None:
    page.goto(PAGE)
    page.locator("#file").set_input_files(str(path))
    press_enter_on(page, "main button[name=upload]")


def row_text(page: Page, year: int) -> str:
    return " ".join(page.locator(f"#GM0503-{year}").inner_text().split())


@pytest.mark.parametrize(("width", "javascript"), [(1280, True), (360, True), (320, False)])
def test_bea_enters_and_imports_delfts_births(
    open_page: Callable[[int, bool], Page], site: tuple[Flask, str], tmp_path: Path, width: int, javascript: bool
) -> None:
    app, _url = site
    make_user(app, "bea@delft.example", [Grant("gemeente_monitor", municipality_code="GM0503")], totp=False, name="Bea")
    page = open_page(width, javascript)
    look = Looks(page, SHOTS, width, javascript)
    log_in(page, "bea@delft.example")
    page.goto(PAGE)
    assert "Nog geen gegevens voor Delft." in page.locator("main").inner_text()
    look("empty")

    # Last year's live births, typed in the form; the derived target group beside them.
    press_enter_on(page, f'main a[href="{PAGE}/GM0503/{YEAR}"]')
    tab_to(page, "#live_births")
    page.keyboard.type("1.250")
    look("edit")
    press_enter_on(page, "main form button[type=submit]")
    assert f"Opgeslagen: de gegevens van Delft over {YEAR}." in page.locator("body").inner_text()
    row = row_text(page, YEAR)
    assert "1.250" in row and "206,3" in row and "16,5 % van de levend geborenen" in row and "Bea" in row
    look("entered")

    # A CBS file with an unknown gemeente: that row's problem, nothing to confirm.
    total = f"{YEAR - 1}JJ00"
    broken = tmp_path / "37230ned-fout.csv"
    broken.write_text(f'{HEADER}\n"1";"GM0503    ";"{total}";"1234"\n"2";"GM9999    ";"{total}";"50"\n')
    upload(page, broken)
    assert "Rij 3: onbekende gemeente GM9999." in page.locator("main").inner_text()
    assert page.locator("main button[name=confirm]").count() == 0
    look("file problem")
    press_enter_on(page, "main button[name=cancel]")

    fixed = tmp_path / "37230ned.csv"
    fixed.write_text(f'{HEADER}\n"1";"GM0503    ";"{total}";"1234"\n')
    upload(page, fixed)
    preview = [" ".join(row.inner_text().split()) for row in page.locator("main table tbody tr").all()]
    assert preview == [f"Delft {YEAR - 1} – 1.234"]
    look("file preview")
    press_enter_on(page, "main button[name=confirm]")
    assert "Opgeslagen: levend geborenen voor 1 jaar gewijzigd." in page.locator("body").inner_text()
    row = row_text(page, YEAR - 1)
    assert "1.234" in row and "(CBS-bestand)" in row and "203,6" in row  # 1234 × 16.5 % = 203.61
    look("imported")

    assert look.problems == [], "\n".join(look.problems)
