"""`flask init` (run by every `make run`) never undoes what a gemeente editor did in the browser.

In Chromium, Els (editor for Delft) changes the Delft wijkteam's description and phone number and
presses "Still correct" for the Delft food bank outlet. Meanwhile the sociale kaart files change
the same phone number, and the Westland wijkteam's (which nobody touched on the site). Then
`flask init` runs on the same database, as `make run` does:

- the public pages and her edit form still show her text, her number and her check;
- the history shows no import over her fields; the Westland number is the file's;
- the command names the conflict by file, entry and field;
- `flask kaart load --force-files` takes the file's number, and the history says so and who;
- `flask init` again writes nothing: no history row, no new directory version.

At 1280 and 360 px; axe-core finds nothing on the pages she reads; screenshots go to
BALIE_SCREENSHOTS/kaart-ownership/ when BALIE_SCREENSHOTS is set. Pages are read in English (stable texts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import BrowserContext, Page

from balie.clock import today
from balie.services.accounts.lifecycle import Grant
from tests.browser.audit import page_problems
from tests.browser.journey import log_in
from tests.browser.screenshots import screenshot_folder
from tests.browser.serving import serving
from tests.browser.watcher import Watcher
from tests.support.accounts import make_user
from tests.support.directory import (
    DELFT,
    UITGIFTEPUNT_DELFT,
    WIJKTEAM_DELFT,
    WIJKTEAM_WESTLAND,
    WIJKTEAMS_FILE,
    change_kaart_file,
    conflict_lines,
    copy_kaart,
    days_ago,
    directory_app,
    footprint,
    run_command,
    set_service,
)

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
SHOTS = screenshot_folder("kaart-ownership")
MANAGE = "/sociale-kaart/beheer"
FILE_PHONE, ELS_PHONE, NEW_FILE_PHONE = "088 000 00 11", "088 000 00 99", "088 000 00 55"
WESTLAND_PHONE, NEW_WESTLAND_PHONE = "088 000 00 12", "088 000 00 52"
ELS_WORDS = "Nieuw: een avondspreekuur op woensdag."
DELFT_ENTRY = f"{WIJKTEAMS_FILE}: services[0] (Sociaal wijkteam Delft (voorbeeld))"
HER_FIELDS = {"Phone numbers", "What is it?", "Last checked"}


@dataclass
class Site:
    app: Flask
    url: str
    kaart: Path


@pytest.fixture
def site(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Site]:
    """The app on its own database copy, loading the sociale kaart from a copy the test changes."""
    kaart = copy_kaart(tmp_path)
    app = directory_app(sqlite_template_path, tmp_path / "app")
    app.config["SOCIALE_KAART_DIR"] = str(kaart)
    with serving(app) as url:
        yield Site(app, url, kaart)


@pytest.fixture
def browser_context_args(site: Site) -> dict[str, str]:
    """pytest-playwright's context settings: relative URLs go to this test's server."""
    return {"base_url": site.url}


@pytest.fixture
def open_page(new_context: Callable[..., BrowserContext]) -> Iterator[Callable[[int], Page]]:
    watcher = Watcher()

    def opener(width: int) -> Page:
        context = new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        watcher.attach(context)
        page = context.new_page()
        page.goto("/taal/en?next=/")
        return page

    yield opener
    watcher.assert_clean()


def submit(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def main_text(page: Page, path: str) -> str:
    page.goto(path)
    return page.locator("main").inner_text()


def history_rows(page: Page, service_id: str) -> list[dict[str, str]]:
    page.goto(f"{MANAGE}/{service_id}/geschiedenis")
    rows = []
    for row in page.locator("main table tbody tr").all():
        cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
        if len(cells) == 6:
            rows.append(dict(zip(("when", "who", "what", "field", "before", "after"), cells, strict=False)))
    return rows


def long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


@pytest.mark.parametrize("width", [1280, 360])
def test_flask_init_keeps_what_an_editor_did_in_the_browser(
    open_page: Callable[[int], Page], site: Site, width: int
) -> None:
    make_user(
        site.app,
        "els@delft.example",
        [Grant("gemeente_editor", municipality_code=DELFT)],
        totp=False,
        name="Els Editor",
    )
    set_service(site.app, UITGIFTEPUNT_DELFT, assured_date=days_ago(today(), 400))  # due for a check
    page = open_page(width)
    axe = Axe()
    problems: list[str] = []

    def look(name: str) -> None:
        page.locator("main h1").wait_for()
        problems.extend(page_problems(page, axe, name))
        if SHOTS is not None:
            page.screenshot(path=str(SHOTS / f"{name.replace(' ', '-')}-{width}.png"), full_page=True)

    # Els edits a text and a phone number, and presses "Still correct" for another offer.
    log_in(page, "els@delft.example")
    page.goto(f"{MANAGE}/{WIJKTEAM_DELFT}/bewerken")
    description = page.locator("#description")
    description.fill(f"{description.input_value()} {ELS_WORDS}")
    page.locator("#phones").fill(f"{ELS_PHONE} | wijkteam Delft, nieuw nummer")
    submit(page, "main form.form button[type=submit]")
    submit(page, "main button[name=save]")
    submit(page, f"form[action$='/{UITGIFTEPUNT_DELFT}/klopt-nog'] button")
    assert not any("Uitgiftepunt Delft" in item for item in page.locator("main ul.check-list li").all_inner_texts())

    # Meanwhile the files change her number too, and the Westland number nobody touched.
    change_kaart_file(site.kaart, f'"{FILE_PHONE}"', f'"{NEW_FILE_PHONE}"')
    change_kaart_file(site.kaart, f'"{WESTLAND_PHONE}"', f'"{NEW_WESTLAND_PHONE}"')

    output = run_command(site.app, "init")  # what `make run` runs first

    assert conflict_lines(output) == [
        f"{DELFT_ENTRY}: phones: changed in the file and by an editor on the site; the editor's value is kept"
    ]
    public = main_text(page, f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}")
    assert ELS_PHONE in public and ELS_WORDS in public and NEW_FILE_PHONE not in public
    assert f"Last checked on {long_date(today())}" in public
    look("public offering after init")
    assert f"Last checked on {long_date(today())}" in main_text(page, f"/sociale-kaart/aanbod/{UITGIFTEPUNT_DELFT}")
    assert NEW_WESTLAND_PHONE in main_text(page, f"/sociale-kaart/aanbod/{WIJKTEAM_WESTLAND}")
    page.goto(f"{MANAGE}/{WIJKTEAM_DELFT}/bewerken")
    assert page.locator("#phones").input_value().startswith(ELS_PHONE)
    assert page.locator("#description").input_value().endswith(ELS_WORDS)
    look("edit form after init")
    rows = history_rows(page, WIJKTEAM_DELFT)
    assert {row["field"] for row in rows if row["who"].startswith("Els Editor")} >= HER_FIELDS
    assert not [row for row in rows if row["what"] == "Changed by an import" and row["field"] in HER_FIELDS]
    assert not [row for row in history_rows(page, UITGIFTEPUNT_DELFT) if row["what"] == "Changed by an import"]

    forced = run_command(site.app, "kaart", "load", "--force-files")

    assert (
        f"{DELFT_ENTRY}: phones: changed in the file and by an editor on the site; the file's value replaced "
        "the editor's (forced)" in forced
    )
    latest = history_rows(page, WIJKTEAM_DELFT)[0]
    assert latest["what"] == "Overwritten by an import, on purpose" and latest["field"] == "Phone numbers"
    assert latest["who"].startswith("Import of the kaart files, forced by ")
    assert latest["before"].startswith(ELS_PHONE) and latest["after"].startswith(NEW_FILE_PHONE)
    look("history after force-files")
    public = main_text(page, f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}")
    assert NEW_FILE_PHONE in public and ELS_PHONE not in public and ELS_WORDS in public  # only the conflict was forced

    before = footprint(site.app)
    again = run_command(site.app, "init")
    assert conflict_lines(again) == []
    assert footprint(site.app) == before  # no history row, no new directory version
    assert len(history_rows(page, WIJKTEAM_DELFT)) == len(rows) + 1

    assert problems == [], "\n".join(problems)
