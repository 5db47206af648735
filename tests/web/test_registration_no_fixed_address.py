"""Registering without a fixed address (issue 10, point 10): a woman in a shelter, with a secret
address or a briefadres, or homeless, ticks "I have no fixed address now", chooses the gemeente
where she stays and may say where she can be reached. She is routed like anyone else; the nurse
of that organisation sees "No fixed address" and the place; the place is sealed, logged when
read, never in a log line, and purged with the rest of her details."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from balie.config import PROJECT_ROOT
from balie.extensions import db
from balie.models import Registration
from balie.services.registrations.personal_data import open_details
from tests.support.accounts import DELFLAND, HOFSTAD, login, nurse
from tests.support.pages import Page
from tests.support.registration import answers, due_month
from tests.support.staff import access_rows
from tests.web.helpers import error_links, fill, form_fields, registration_count

DELFLAND_NAME = "JGZ Delfland (voorbeeld)"
HOFSTAD_NAME = "Jeugdgezondheid Hofstad (voorbeeld)"
DELFT, ZOETERMEER, AMSTERDAM = "GM0503", "GM0637", "GM0363"
REGION = [
    "'s-Gravenhage",
    "Delft",
    "Leidschendam-Voorburg",
    "Midden-Delfland",
    "Pijnacker-Nootdorp",
    "Rijswijk (ZH.)",
    "Wassenaar",
    "Westland",
    "Zoetermeer",
]


def place() -> str:
    return f"ZZPLACE{secrets.token_hex(3).upper()} Opvang De Haven"


def without_address(**overrides: Any) -> dict[str, Any]:
    """Her answers with the box ticked and no postcode or house number."""
    typed: dict[str, Any] = {
        "no_fixed_address": "y",
        "postcode": "",
        "house_number": "",
        "no_address_municipality": DELFT,
    }
    return answers(**{**typed, **overrides})


def check(client: Any, typed: dict[str, Any]) -> Page:
    form = Page(client.get("/aanmelden"))
    return Page(client.post("/aanmelden", data=fill(form, typed)))


def send(client: Any, checked: Page) -> Any:
    return client.post("/aanmelden/versturen", data={**form_fields(checked, "versturen"), "send": "1"})


def stored(app: Flask) -> Registration:
    with app.app_context():
        found = db.session.scalars(select(Registration)).one()
        db.session.expunge(found)
        return found


def test_the_form_offers_the_box_and_the_gemeenten_of_the_region(en_client):
    form = Page(en_client.get("/aanmelden"))
    assert "I have no fixed address now" in form.text
    assert "In which gemeente are you staying?" in form.text
    assert "Where can we reach you? (optional)" in form.text
    options = form.options("no_address_municipality")
    assert options[0] == "" and len(options) == 1 + len(REGION)
    names = [text for text in REGION if f">{text}</option>".replace("'", "&#39;") in form.html]
    assert names == REGION


def test_she_registers_without_postcode_and_is_routed_by_her_gemeente(app, en_client):
    where = place()
    checked = check(en_client, without_address(reachable_at=f"  {where} "))
    assert checked.status == 200, checked.errors
    assert checked.title.startswith("Check your answers")
    assert "No fixed address, Delft" in checked.text
    assert "Where we can reach you" in checked.text and where in checked.text
    assert DELFLAND_NAME in checked.text

    sent = send(en_client, checked)
    assert sent.status_code == 303
    confirmation = Page(en_client.get(sent.headers["Location"]))
    assert DELFLAND_NAME in confirmation.text

    row = stored(app)
    assert (row.organisation_id, row.municipality_code, row.no_fixed_address) == (DELFLAND, DELFT, True)
    assert row.address_sealed is None
    assert where.encode() not in row.reachable_at_sealed, "sealed, not in the clear"
    details = open_details(row, app.extensions["balie.keys"])
    assert details.address is None and details.reachable_at == where


def test_another_gemeente_goes_to_its_own_organisation(app, en_client):
    checked = check(en_client, without_address(no_address_municipality=ZOETERMEER))
    assert HOFSTAD_NAME in checked.text and "No fixed address, Zoetermeer" in checked.text
    assert send(en_client, checked).status_code == 303
    assert stored(app).organisation_id == HOFSTAD


def test_with_the_box_ticked_the_address_fields_are_ignored(app, en_client):
    """Without JavaScript she sees every field: what she typed there does not count."""
    checked = check(en_client, without_address(postcode="1012 AB", house_number="twelve", house_number_addition="???"))
    assert checked.status == 200, checked.errors
    assert DELFLAND_NAME in checked.text and "1012" not in checked.text
    assert send(en_client, checked).status_code == 303
    row = stored(app)
    assert row.address_sealed is None and row.municipality_code == DELFT


def test_without_the_box_the_gemeente_and_place_are_ignored(app, en_client):
    checked = check(en_client, answers(no_address_municipality=ZOETERMEER, reachable_at="Opvang"))
    assert checked.status == 200, checked.errors
    assert DELFLAND_NAME in checked.text and "Opvang" not in checked.text
    assert send(en_client, checked).status_code == 303
    row = stored(app)
    assert row.no_fixed_address is False and row.reachable_at_sealed is None and row.municipality_code == DELFT


def test_no_gemeente_chosen_is_an_error_and_the_postcode_is_not_asked(app, en_client):
    page = check(en_client, without_address(no_address_municipality=""))
    assert page.status == 400 and page.title.startswith("Error: ")
    assert error_links(page) == ["no_address_municipality"]
    assert page.errors == ["Choose the gemeente where you are staying"]
    assert form_fields(page, "/aanmelden").get("no_fixed_address") == "y", "the box stays ticked"
    assert registration_count(app) == 0


@pytest.mark.parametrize("gemeente", [AMSTERDAM, "GM9999", "Delft"])
def test_a_gemeente_outside_the_region_is_refused_at_both_steps(app, en_client, gemeente):
    page = check(en_client, without_address(no_address_municipality=gemeente))
    assert page.status == 400 and error_links(page) == ["no_address_municipality"]
    assert page.errors == ["Choose a gemeente from the list"]

    data = fill(Page(en_client.get("/aanmelden")), without_address(no_address_municipality=gemeente))
    sent = Page(en_client.post("/aanmelden/versturen", data={**data, "send": "1"}))
    assert sent.status == 400 and sent.errors == ["Choose a gemeente from the list"]
    assert registration_count(app) == 0


def test_a_place_too_long_or_with_control_characters_is_a_field_error(app, en_client):
    for bad, message in (
        ("x" * 101, "Use at most 100 characters"),
        ("Opvang\u202e", "Remove the special characters from this field"),
    ):
        page = check(en_client, without_address(reachable_at=bad))
        assert page.status == 400 and page.errors == [message]
    assert registration_count(app) == 0


def test_change_on_the_check_page_keeps_the_box_gemeente_and_place(en_client):
    where = place()
    checked = check(en_client, without_address(no_address_municipality=ZOETERMEER, reachable_at=where))
    for edit in ("no_fixed_address", "reachable_at"):
        back = Page(en_client.post("/aanmelden", data={**form_fields(checked, "versturen"), "edit": edit}))
        kept = form_fields(back, "/aanmelden")
        assert (kept["no_fixed_address"], kept["no_address_municipality"], kept["reachable_at"]) == (
            "y",
            ZOETERMEER,
            where,
        )


def test_the_nurse_sees_no_fixed_address_and_the_place_and_the_look_is_logged(app, en_client, caplog):
    caplog.set_level(logging.DEBUG)
    where = place()
    assert send(en_client, check(en_client, without_address(reachable_at=where))).status_code == 303
    registration_id = stored(app).id
    nurse_client = app.test_client()
    nurse_client.set_cookie("balie_lang", "en")
    assert login(nurse_client, nurse(app)).status_code == 303

    listing = Page(nurse_client.get("/inbox"))
    assert "no fixed address" in listing.text and where not in listing.html, "the list names no place"
    detail = Page(nurse_client.get(f"/inbox/{registration_id}"))
    assert "<strong>No fixed address</strong>, Delft" in detail.html
    assert "Where she can be reached" in detail.text and where in detail.text
    printed = Page(nurse_client.get(f"/inbox/{registration_id}/afdrukken"))
    assert printed.status == 200 and "No fixed address" in printed.text and where in printed.text
    exported = json.loads(nurse_client.get(f"/inbox/{registration_id}/export.json").get_data(as_text=True))
    schema = json.loads((PROJECT_ROOT / "balie" / "data" / "registration_export.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(exported)
    assert exported["schema"].endswith("/1.2")
    assert exported["parent"]["no_fixed_address"] is True and exported["parent"]["reachable_at"] == where
    assert exported["parent"]["address"] is None and exported["municipality_code"] == DELFT

    reads = access_rows(app, object_id=registration_id)
    assert {r.event_code for r in reads} >= {"registration.create", "registration.read", "registration.export"}
    assert where not in caplog.text, "the place never appears in a log line"

    # Another organisation's nurse does not find it at all.
    other = app.test_client()
    assert login(other, nurse(app, "verpleegkundige@hofstad.example", HOFSTAD)).status_code == 303
    assert other.get(f"/inbox/{registration_id}").status_code == 404


def test_the_place_and_the_mark_are_purged_like_her_other_details(app, en_client):
    with time_machine.travel(datetime.now(UTC) - timedelta(days=240), tick=False):
        checked = check(en_client, without_address(reachable_at=place(), due_month=due_month(0)))
        assert send(en_client, checked).status_code == 303
    before = stored(app)
    assert before.reachable_at_sealed is not None and before.no_fixed_address is True

    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output

    after = stored(app)
    assert after.purged_at is not None
    assert after.reachable_at_sealed is None and after.name_sealed is None
    assert after.no_fixed_address is None, "her housing situation goes with her details"


def test_what_she_reads_was_shared_names_no_postcode_she_did_not_give(en_client):
    confirmation = Page(en_client.get(send(en_client, check(en_client, without_address())).headers["Location"]))
    assert "that you have no fixed address now with the gemeente" in confirmation.text
    assert "postcode and house number" not in confirmation.text


def test_without_an_advisor_withdrawing_speaks_of_no_professional(en_client):
    confirmation = Page(en_client.get(send(en_client, check(en_client, answers())).headers["Location"]))
    assert (
        "You can withdraw your registration at any time. The JGZ is then asked to delete your details."
        in confirmation.text
    )
    main = confirmation.html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "professional" not in main.casefold() and "hears nothing more" not in main
