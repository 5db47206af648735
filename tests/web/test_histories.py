"""Histories in words, not codes (issue 10, point 20).

- "Who looked at this registration": what happened in plain Dutch ("Bekeken", "Stap vastgelegd:
  contact geprobeerd", "Afgedrukt", "Gedownload"), the same look by the same person several times
  in a row on one line, and no raw codes ("registration.read (full)", "success").
- The change history of an offering: phases, gemeenten, cost and languages by their names
  ("Eerste jaar, Later", "Delft", "Eigen bijdrage"), not "first_year,later", "GM0503", "contribution".

Pages are read in Dutch, as the nurse and the editor read them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from balie.services.accounts.lifecycle import Grant
from tests.support.accounts import DELFLAND, HOFSTAD, login, make_user, nurse
from tests.support.directory import DELFT, WIJKTEAM_DELFT, directory_app, dispose
from tests.support.pages import Page
from tests.support.staff import csrf_token, register_id, registration
from tests.web.helpers import form_fields

RAW_CODES = re.compile(r"registration\.|access_log\.|\bsuccess\b|\bdenied\b|\(full\)|step=|route=")


def table(page: Page) -> list[list[str]]:
    """The rows of the page's table, each a list of cell texts as shown."""
    body = page.html.split("<tbody>")[1].split("</tbody>")[0]
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_who_looked_says_what_happened_in_dutch_and_folds_repeated_looks(app: Flask, client: Any) -> None:
    registration_id = register_id(app, client, postcode="2611 AB")
    reference = registration(app, registration_id).reference
    noor = nurse(app, "noor@delfland.example", DELFLAND)
    nurse_client = app.test_client()  # Dutch pages
    assert login(nurse_client, noor).status_code == 303
    for _ in range(3):
        assert nurse_client.get(f"/inbox/{registration_id}").status_code == 200
    assert nurse_client.get(f"/inbox/{registration_id}/afdrukken").status_code == 200
    assert nurse_client.get(f"/inbox/{registration_id}/export.json").status_code == 200
    stepped = nurse_client.post(
        f"/inbox/{registration_id}/stap", data={"csrf_token": csrf_token(nurse_client), "step": "contact_attempt"}
    )
    assert stepped.status_code == 303
    assert nurse_client.get(f"/inbox/{registration_id}").status_code == 200
    # A nurse of another organisation tries the same registration.
    hanna = nurse(app, "hanna@hofstad.example", HOFSTAD)
    other = app.test_client()
    assert login(other, hanna).status_code == 303
    assert other.get(f"/inbox/{registration_id}").status_code == 404

    page = Page(nurse_client.get(f"/inbox/{registration_id}/toegang"))
    assert page.status == 200 and f"Wie heeft {reference} bekeken" in page.title
    rows = table(page)
    what = [(row[1], row[3]) for row in rows]
    name = "Test Gebruiker"
    assert what == [
        ("De ouder (formulier)", "Aangemeld door de ouder"),
        (name, "Bekeken (3 keer)"),
        (name, "Afgedrukt"),
        (name, "Gedownload"),
        (name, "Stap vastgelegd: contact geprobeerd"),
        (name, "Bekeken"),
        (name, "Geprobeerd te openen: geweigerd, geen toegang"),
    ], what
    assert rows[1][2] == "JGZ-medewerker"
    # The folded line shows when it started and ended: "3 december 2026 14:05–14:05".
    assert re.fullmatch(r"\d{1,2} \w+ \d{4} \d{2}:\d{2}–\d{2}:\d{2}", rows[1][0]), rows[1][0]
    assert re.fullmatch(r"\d{1,2} \w+ \d{4} \d{2}:\d{2}", rows[2][0]), rows[2][0]
    shown = " ".join(" ".join(row) for row in rows)
    assert not RAW_CODES.search(shown), RAW_CODES.search(shown)


def test_the_access_history_is_in_english_for_an_english_reader(app: Flask, client: Any) -> None:
    registration_id = register_id(app, client, postcode="2611 AB")
    noor = nurse(app, "noor@delfland.example", DELFLAND)
    nurse_client = app.test_client()
    nurse_client.set_cookie("balie_lang", "en")
    assert login(nurse_client, noor).status_code == 303
    nurse_client.get(f"/inbox/{registration_id}")
    nurse_client.get(f"/inbox/{registration_id}")
    rows = table(Page(nurse_client.get(f"/inbox/{registration_id}/toegang")))
    assert [row[3] for row in rows] == ["Registered by the parent", "Viewed (2 times)"]


# --- the change history of an offering ---------------------------------------------------------


@pytest.fixture
def kaart_app(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    application = directory_app(sqlite_template_path, tmp_path / "app")
    yield application
    dispose(application)


def test_the_change_history_of_an_offering_shows_names_and_labels(kaart_app: Flask) -> None:
    els = make_user(
        kaart_app,
        "els@delft.example",
        [Grant("gemeente_editor", municipality_code=DELFT)],
        totp=False,
        name="Els Editor",
    )
    editor = kaart_app.test_client()  # Dutch pages
    login(editor, els)
    manage = f"/sociale-kaart/beheer/{WIJKTEAM_DELFT}"
    data = form_fields(Page(editor.get(f"{manage}/bewerken")), "/bewerken")
    data.setlist("phases", ["later", "first_year"])
    data.setlist("languages", ["nl", "en", "ar"])
    data["cost"] = "contribution"
    data["save"] = "1"
    saved = editor.post(f"{manage}/bewerken", data=data)
    assert saved.status_code == 303, Page(saved).errors

    page = Page(editor.get(f"{manage}/geschiedenis"))
    assert page.status == 200, page.text[:500]
    rows = table(page)
    mine = {row[3]: (row[4], row[5]) for row in rows if row[1].startswith("Els Editor")}
    assert mine["Fase"][1] == "Eerste jaar, Later"
    assert mine["Kosten"][1] == "Eigen bijdrage"
    assert mine["Talen"][1] == "Arabisch (العربية), Engels (English), Nederlands"
    loaded = {row[3]: row[5] for row in rows if not row[1].startswith("Els Editor")}
    assert {row[1] for row in rows if not row[1].startswith("Els Editor")} == {"Import van de kaartbestanden"}
    assert loaded["Gemeenten"] == "Delft"
    assert re.fullmatch(r"\d{1,2} \w+ \d{4}.*", mine["Laatst gecontroleerd"][1]), mine["Laatst gecontroleerd"]
    shown = " ".join(" ".join(row) for row in rows)
    for code in ("first_year", "GM0503", "contribution", "free", ",later", "before_pregnancy"):
        assert code not in shown, code
