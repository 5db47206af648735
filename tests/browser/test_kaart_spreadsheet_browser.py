"""Els keeps her Delft offers in a spreadsheet, in Chromium, with the keyboard.

She downloads the workbook from "Manage the sociale kaart" (Playwright's download), changes it
(openpyxl, as her spreadsheet program would), uploads it: first a file with a formula and a bad
number, whose problems she reads by row and column and cancels; then the corrected file, whose
two changes she reads field by field and confirms. The history names her for both fields and the
public page shows the new number. At 1280 and 360 px, and without JavaScript; axe-core finds
nothing; screenshots go to BALIE_SCREENSHOTS/kaart-spreadsheet/ when BALIE_SCREENSHOTS is set. Pages in English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page

from balie.services.accounts.lifecycle import Grant
from tests.browser.journey import Looks, log_in
from tests.browser.keyboard import tab_to
from tests.browser.screenshots import screenshot_folder
from tests.browser.serving import serving
from tests.browser.watcher import Watcher
from tests.support.accounts import make_user
from tests.support.directory import DELFT, UITGIFTEPUNT_DELFT, WIJKTEAM_DELFT, directory_app
from tests.support.spreadsheets import cell_of, edited

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 15_000
SHOTS = screenshot_folder("kaart-spreadsheet")
MANAGE = "/sociale-kaart/beheer"
NEW_ALERT = "Wachttijd ongeveer 3 weken"
NEW_PHONE = "088 000 00 99"


@pytest.fixture
def site(sqlite_template_path: Path, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    app = directory_app(sqlite_template_path, tmp_path / "app")
    with serving(app) as url:
        yield app, url


@pytest.fixture
def browser_context_args(site: tuple[Flask, str]) -> dict[str, object]:
    return {"base_url": site[1], "accept_downloads": True}


@pytest.fixture
def open_page(new_context: Callable[..., BrowserContext]) -> Iterator[Callable[[int, bool], Page]]:
    watcher = Watcher()

    def opener(width: int, javascript: bool) -> Page:
        context = new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        watcher.attach(context)
        page = context.new_page()
        page.goto("/taal/en?next=/")
        return page

    yield opener
    watcher.assert_clean()


def press_enter_on(page: Page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def upload(page: Page, path: Path) -> None:
    page.goto(MANAGE)
    page.locator("#file").set_input_files(str(path))
    page.locator("#file").focus()
    press_enter_on(page, "main button[name=upload]")


@pytest.mark.parametrize(("width", "javascript"), [(1280, True), (360, True), (1280, False)])
def test_spreadsheet_round_trip(
    open_page: Callable[[int, bool], Page], site: tuple[Flask, str], tmp_path: Path, width: int, javascript: bool
) -> None:
    app, _url = site
    make_user(app, "els@delft.example", [Grant("gemeente_editor", municipality_code=DELFT)], totp=False, name="Els")
    page = open_page(width, javascript)
    look = Looks(page, SHOTS, width, javascript)
    log_in(page, "els@delft.example")
    page.goto(MANAGE)
    look("manage with spreadsheet")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Excel workbook (.xlsx)").click()
    data = Path(download.value.path()).read_bytes()

    # A file with a formula and a bad number: the problems by row and column, nothing to confirm.
    broken = tmp_path / "kaart-fout.xlsx"
    broken.write_bytes(edited(data, {(WIJKTEAM_DELFT, "melding"): "=1+1", (UITGIFTEPUNT_DELFT, "telefoon"): "12345"}))
    upload(page, broken)
    text = page.locator("main").inner_text()
    formula, phone = cell_of(data, WIJKTEAM_DELFT, "melding"), cell_of(data, UITGIFTEPUNT_DELFT, "telefoon")
    assert "The file has 2 problems. Nothing has been saved." in text
    assert f"Row {formula[1:]}, column {formula[0]} (melding): cell {formula} holds a formula." in text
    assert f"Row {phone[1:]}, column {phone[0]} (telefoon): “12345” is not a valid phone number." in text
    assert page.locator("main button[name=confirm]").count() == 0
    look("spreadsheet problems")
    press_enter_on(page, "main button[name=cancel]")
    assert "Cancelled: nothing from the spreadsheet was saved." in page.locator("body").inner_text()

    # The corrected file: exactly her two changes, then saved when she confirms.
    good = tmp_path / "kaart.xlsx"
    changes = {(WIJKTEAM_DELFT, "melding"): NEW_ALERT, (WIJKTEAM_DELFT, "telefoon"): f"{NEW_PHONE} | werkdagen"}
    good.write_bytes(edited(data, changes))
    upload(page, good)
    [table] = page.locator("main table").all()
    caption = page.locator("main h2").inner_text()
    assert caption == f"Row {cell_of(data, WIJKTEAM_DELFT, 'id')[1:]}: Sociaal wijkteam Delft (voorbeeld)"
    fields = [row.locator("th").inner_text() for row in table.locator("tbody tr").all()]
    assert fields == ["Notice or waiting time", "Phone numbers"]
    assert NEW_ALERT in table.inner_text() and f"{NEW_PHONE} | werkdagen" in table.inner_text()
    look("spreadsheet preview")
    press_enter_on(page, "main button[name=confirm]")
    assert "Saved: 1 offer changed." in page.locator("body").inner_text()
    look("manage after confirming")

    page.goto(f"{MANAGE}/{WIJKTEAM_DELFT}/geschiedenis")
    els_fields = {
        cells[3]
        for row in page.locator("main table tbody tr").all()
        if len(cells := [c.strip() for c in row.locator("td").all_inner_texts()]) == 6 and cells[1].startswith("Els")
    }
    assert els_fields == {"Notice or waiting time", "Phone numbers", "Last checked"}
    page.goto(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}")
    public = page.locator("main").inner_text()
    assert NEW_PHONE in public and NEW_ALERT in public

    assert look.problems == [], "\n".join(look.problems)
