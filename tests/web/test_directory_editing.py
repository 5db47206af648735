"""A gemeente editor keeps her gemeente's offers in the sociale kaart right, and only those.

Els edits for Delft (GM0503). The real sociale kaart is loaded; the Delft wijkteam is hers,
the Westland wijkteam, national offers and the home-visit service (which drives routing) are not.
Pages are read in English, so the tests do not depend on the Dutch catalogue.
"""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from balie.clock import today
from balie.extensions import db
from balie.models import Service, ServiceChange
from balie.search import engine as search_engine
from balie.search import registry as search_registry
from balie.search.engine import FRESHNESS_SECONDS
from balie.services.accounts.lifecycle import Grant
from balie.services.directory import hsds
from tests.support.accounts import Account, login, make_user
from tests.support.directory import (
    BUDGETCOACH_INACTIVE,
    DELFT,
    GOEDE_START_PHB,
    WIJKTEAM_DELFT,
    WIJKTEAM_WESTLAND,
    days_ago,
    directory_app,
    dispose,
    hsds_schema,
    names,
    results,
    service_values,
    set_service,
)
from tests.support.pages import Page
from tests.web.helpers import english, form_fields

MANAGE = "/sociale-kaart/beheer"
OLD_PHONE = "088 000 00 11"
NEW_PHONE = "088 000 00 99"
WOONURGENTIE = "Spreekuur woonurgentie (voorbeeld)"  # offered in all nine gemeenten of the region
DELFT_OFFERS = {
    "Sociaal wijkteam Delft (voorbeeld)",
    WOONURGENTIE,
    "Uitgiftepunt Delft (voorbeeld)",
    "Budgetcoach aan huis (voorbeeld)",  # inactive, but hers to manage
}


@pytest.fixture
def app(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    """Overrides the suite's `app`: the same, with the search index in this test's own folder."""
    application = directory_app(sqlite_template_path, tmp_path / "app", PROPAGATE_EXCEPTIONS=True)
    yield application
    dispose(application)


@pytest.fixture
def els(app: Flask) -> Account:
    return make_user(
        app, "els@delft.example", [Grant("gemeente_editor", municipality_code=DELFT)], totp=False, name="Els Editor"
    )


@pytest.fixture
def editor(app: Flask, els: Account) -> Any:
    """Els, logged in, pages in English."""
    client = english(app.test_client())
    login(client, els)
    return client


@pytest.fixture
def public(app: Flask) -> Any:
    return english(app.test_client())


def service_id_named(app: Flask, name: str) -> str:
    with app.app_context():
        found = db.session.scalar(select(Service.id).where(Service.name == name))
        assert found, name
        return found


def national_service(app: Flask) -> str:
    return service_id_named(app, "Schuldhulpverlening van de gemeente")


def change_count(app: Flask, service_id: str | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(ServiceChange)
        if service_id:
            query = query.where(ServiceChange.service_id == service_id)
        return db.session.scalar(query) or 0


def edit_form(client: Any, service_id: str) -> Any:
    page = Page(client.get(f"{MANAGE}/{service_id}/bewerken"))
    assert page.status == 200, page.text[:300]
    return form_fields(page, "/bewerken")


def post_edit(client: Any, service_id: str, data: Any, save: bool = False) -> Page:
    if save:
        data = pressing(data, "save")
    return Page(client.post(f"{MANAGE}/{service_id}/bewerken", data=data))


def pressing(fields: Any, button: str) -> Any:
    """The form's fields (every value of multi-valued ones) plus the button she pressed."""
    data = fields.copy()
    data[button] = "1"
    return data


def search_ids(client: Any, **params: Any) -> list[str]:
    return [r.id for r in results(client.get("/sociale-kaart", query_string=params).get_data(as_text=True))]


def long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def history_rows(client: Any, service_id: str) -> list[list[str]]:
    """The history table: [when, who, what, field, before, after] per row."""
    page = client.get(f"{MANAGE}/{service_id}/geschiedenis")
    assert page.status_code == 200
    body = page.get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


# -- what she sees ---------------------------------------------------------------------------------


def test_the_editor_sees_only_the_offers_in_her_gemeente(app: Flask, editor: Any) -> None:
    page = Page(editor.get(MANAGE))

    assert page.status == 200
    listed = {row.split("</a>")[0].split(">")[-1] for row in page.html.split('<tr id="s-')[1:]}
    assert {n.replace("&#39;", "'") for n in listed} == DELFT_OFFERS
    assert "Sociaal wijkteam Westland (voorbeeld)" not in page.text
    assert "Schuldhulpverlening van de gemeente" not in page.text  # national: for administrators
    assert "Goede Start gesprek" not in page.text  # the home visit drives routing: for administrators


def test_the_editor_pages_need_an_editor(app: Flask, public: Any) -> None:
    assert public.get(MANAGE).status_code in (302, 303)
    nurse = make_user(app, "nurse@example.nl", [Grant("professional", profession="midwife")], totp=False)
    login(public, nurse)
    assert public.get(MANAGE).status_code == 403
    assert public.get(f"{MANAGE}/{WIJKTEAM_DELFT}/bewerken").status_code == 403


# -- edit, preview, save ---------------------------------------------------------------------------


def test_an_outdated_phone_number_is_fixed_through_preview_and_save(app: Flask, editor: Any, public: Any) -> None:
    before = service_values(app, WIJKTEAM_DELFT)
    changes_before = change_count(app, WIJKTEAM_DELFT)
    data = edit_form(editor, WIJKTEAM_DELFT)
    assert data["phones"] == f"{OLD_PHONE} | voorbeeldnummer wijkteam Delft"
    data["phones"] = f"{NEW_PHONE} | voorbeeldnummer wijkteam Delft"
    data["description"] += " Nieuw: een avondspreekuur op woensdag."

    preview = post_edit(editor, WIJKTEAM_DELFT, data)

    assert preview.status == 200
    assert "It is not saved yet" in preview.text
    assert f"Phone: {NEW_PHONE}" in preview.text and OLD_PHONE not in preview.text
    assert service_values(app, WIJKTEAM_DELFT) == before  # a preview stores nothing
    assert change_count(app, WIJKTEAM_DELFT) == changes_before
    assert OLD_PHONE in Page(public.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}")).text
    assert search_ids(public, q="avondspreekuur") == []

    saved = editor.post(f"{MANAGE}/{WIJKTEAM_DELFT}/bewerken", data=pressing(form_fields(preview, "/bewerken"), "save"))

    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"{MANAGE}#s-{WIJKTEAM_DELFT}")
    assert "The sociale kaart shows the change now" in Page(editor.get(MANAGE)).text
    public_page = Page(public.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}"))
    assert f"Phone: {NEW_PHONE}" in public_page.text and OLD_PHONE not in public_page.text
    assert f"Last checked on {long_date(today())}." in public_page.text  # an edit is a check
    assert "Els Editor" not in public_page.text  # the public does not see who checked
    assert (
        f"Last checked on {long_date(today())} by Els Editor"
        in Page(editor.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}")).text
    )
    # The search index was updated right after the commit: the new words are found at once.
    assert search_ids(public, q="avondspreekuur") == [WIJKTEAM_DELFT]
    rows = history_rows(editor, WIJKTEAM_DELFT)
    phone_row = next(row for row in rows if row[3] == "Phone numbers")
    when, who, action, _field, old, new = phone_row
    assert when.startswith(long_date(today()))
    assert who.startswith("Els Editor")
    assert action == "Changed"
    assert old == f"{OLD_PHONE} voorbeeldnummer wijkteam Delft"
    assert new == f"{NEW_PHONE} voorbeeldnummer wijkteam Delft"
    assert {row[3] for row in rows if row[1].startswith("Els Editor")} >= {
        "Phone numbers",
        "What is it?",
        "Last checked",
    }


def test_her_english_line_is_saved_with_history_and_shown_on_english_pages_only(
    app: Flask, editor: Any, public: Any
) -> None:
    data = edit_form(editor, WIJKTEAM_DELFT)
    data["summary_en"] = "Neighbourhood team Delft:  help with money, housing and care. "
    preview = post_edit(editor, WIJKTEAM_DELFT, data)

    saved = editor.post(f"{MANAGE}/{WIJKTEAM_DELFT}/bewerken", data=pressing(form_fields(preview, "/bewerken"), "save"))

    assert saved.status_code == 303
    line = "In English (our translation): Neighbourhood team Delft: help with money, housing and care."
    assert line in Page(public.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}", query_string={"lang": "en"})).text
    assert (
        "Neighbourhood team"
        not in Page(public.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}", query_string={"lang": "nl"})).text
    )
    row = next(row for row in history_rows(editor, WIJKTEAM_DELFT) if row[3] == "In English (translation)")
    assert row[4:] == ["–", "Neighbourhood team Delft: help with money, housing and care."]


def test_an_english_line_longer_than_300_characters_is_refused(app: Flask, editor: Any) -> None:
    data = edit_form(editor, WIJKTEAM_DELFT)
    data["summary_en"] = "Neighbourhood team: " + "help " * 70

    page = post_edit(editor, WIJKTEAM_DELFT, data, save=True)

    assert page.status == 400
    assert "Field cannot be longer than 300 characters." in page.text
    assert service_values(app, WIJKTEAM_DELFT)["summary_en"] == ""


def test_going_back_from_the_preview_keeps_her_changes(app: Flask, editor: Any) -> None:
    data = edit_form(editor, WIJKTEAM_DELFT)
    data["phones"] = f"{NEW_PHONE} | voorbeeldnummer wijkteam Delft"
    preview = post_edit(editor, WIJKTEAM_DELFT, data)

    back = Page(
        editor.post(f"{MANAGE}/{WIJKTEAM_DELFT}/bewerken", data=pressing(form_fields(preview, "/bewerken"), "change"))
    )

    assert back.status == 200
    assert form_fields(back, "/bewerken")["phones"] == f"{NEW_PHONE} | voorbeeldnummer wijkteam Delft"
    assert service_values(app, WIJKTEAM_DELFT)["phones"] == [(OLD_PHONE, "voorbeeldnummer wijkteam Delft")]


def test_unticking_a_language_and_a_phase_is_saved(app: Flask, editor: Any, public: Any) -> None:
    data = edit_form(editor, WIJKTEAM_DELFT)
    assert data.getlist("languages") == ["nl", "en", "tr"]
    data.setlist("languages", ["nl", "tr"])
    data.setlist("phases", ["pregnancy", "maternity"])

    preview = post_edit(editor, WIJKTEAM_DELFT, data)
    saved = editor.post(f"{MANAGE}/{WIJKTEAM_DELFT}/bewerken", data=pressing(form_fields(preview, "/bewerken"), "save"))

    assert saved.status_code == 303
    with app.app_context():
        service = db.session.get(Service, WIJKTEAM_DELFT)
        assert sorted(language.code for language in service.languages) == ["nl", "tr"]
        assert sorted(phase.phase for phase in service.phases) == ["maternity", "pregnancy"]
    assert WIJKTEAM_DELFT in search_ids(public, q="wijkteam", taal="tr")
    assert WIJKTEAM_DELFT not in search_ids(public, q="wijkteam", taal="en")


def test_editing_a_shared_offer_keeps_the_other_gemeenten(app: Flask, editor: Any) -> None:
    service_id = service_id_named(app, WOONURGENTIE)
    all_areas = service_values(app, service_id)["areas"]
    assert len(all_areas) == 9
    data = edit_form(editor, service_id)
    assert data.getlist("areas") == [DELFT]  # she only sees (and can untick) her own gemeente
    data["alert"] = "Wachttijd ongeveer 2 weken (voorbeeld)"

    assert post_edit(editor, service_id, data, save=True).status == 303

    assert service_values(app, service_id)["areas"] == all_areas


def test_still_correct_with_one_click(app: Flask, editor: Any, public: Any) -> None:
    set_service(app, WIJKTEAM_DELFT, assured_date=days_ago(today(), 400))
    overview = Page(editor.get(MANAGE))
    to_check = overview.html.split("<h2>")[1]  # the "To check" section
    assert "Sociaal wijkteam Delft (voorbeeld)" in to_check
    assert "Not checked for more than a year" in Page(public.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}")).text

    response = editor.post(f"{MANAGE}/{WIJKTEAM_DELFT}/klopt-nog", data={"csrf_token": overview.hidden("csrf_token")})

    assert response.status_code == 303
    assert service_values(app, WIJKTEAM_DELFT)["assured_date"] == today()
    after = Page(editor.get(MANAGE))
    assert "Sociaal wijkteam Delft (voorbeeld)" not in after.html.split("<h2>")[1]
    assert "marked as checked today" in after.text
    public_page = Page(public.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}"))
    assert "Not checked for more than a year" not in public_page.text
    assert f"Last checked on {long_date(today())}" in public_page.text
    assert any(
        row[2] == "Checked: still correct" and row[3] == "Last checked" for row in history_rows(editor, WIJKTEAM_DELFT)
    )


def test_still_correct_without_a_csrf_token_changes_nothing(app: Flask, editor: Any) -> None:
    set_service(app, WIJKTEAM_DELFT, assured_date=days_ago(today(), 400))

    assert editor.post(f"{MANAGE}/{WIJKTEAM_DELFT}/klopt-nog").status_code == 400

    assert service_values(app, WIJKTEAM_DELFT)["assured_date"] == days_ago(today(), 400)


def test_retiring_asks_first_then_the_offer_leaves_public_search(app: Flask, editor: Any, public: Any) -> None:
    assert WIJKTEAM_DELFT in search_ids(public, q="wijkteam")

    question = Page(editor.get(f"{MANAGE}/{WIJKTEAM_DELFT}/beeindigen"))

    assert question.status == 200
    assert "Stop showing “Sociaal wijkteam Delft (voorbeeld)”?" in question.title
    assert service_values(app, WIJKTEAM_DELFT)["status"] == "active"  # asking changes nothing
    assert WIJKTEAM_DELFT in search_ids(public, q="wijkteam")

    response = editor.post(f"{MANAGE}/{WIJKTEAM_DELFT}/beeindigen", data={"csrf_token": question.hidden("csrf_token")})

    assert response.status_code == 303
    assert service_values(app, WIJKTEAM_DELFT)["status"] == "defunct"
    assert WIJKTEAM_DELFT not in search_ids(public, q="wijkteam")
    assert WIJKTEAM_DELFT not in search_ids(public, q="wijkteam", postcode="2611 AB")
    assert public.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}").status_code == 404
    assert any(row[2] == "No longer shown" and row[3] == "Status" for row in history_rows(editor, WIJKTEAM_DELFT))


def test_a_retirement_holds_even_when_the_index_cannot_be_refreshed_at_once(
    app: Flask, editor: Any, public: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert WIJKTEAM_DELFT in search_ids(public, q="wijkteam")  # the index is built
    with app.app_context():
        live = search_registry.directory()
    canary = "Fatima 06-12345678"

    def failing_sync(session: Any) -> int:
        raise RuntimeError(canary)

    question = Page(editor.get(f"{MANAGE}/{WIJKTEAM_DELFT}/beeindigen"))
    monkeypatch.setattr(live, "sync", failing_sync)
    with caplog.at_level(logging.WARNING, logger="balie.search.registry"):
        response = editor.post(
            f"{MANAGE}/{WIJKTEAM_DELFT}/beeindigen", data={"csrf_token": question.hidden("csrf_token")}
        )
    monkeypatch.undo()

    assert response.status_code == 303  # saved: she is not shown an error for the index
    assert service_values(app, WIJKTEAM_DELFT)["status"] == "defunct"
    assert "RuntimeError" in caplog.text and canary not in caplog.text  # the kind, never the message
    # A search within FRESHNESS_SECONDS may still show it; the first one after that looks at the
    # database again and catches up.
    later = time.monotonic() + FRESHNESS_SECONDS + 1
    monkeypatch.setattr(search_engine, "time", SimpleNamespace(monotonic=lambda: later))
    assert WIJKTEAM_DELFT not in search_ids(public, q="wijkteam")


# -- what she may not touch ---------------------------------------------------------------------------


@pytest.mark.parametrize("whose", ["other gemeente", "national", "home visit"])
def test_offers_outside_her_gemeente_are_404_and_stay_unchanged(app: Flask, editor: Any, whose: str) -> None:
    service_id = {
        "other gemeente": WIJKTEAM_WESTLAND,
        "national": national_service(app),
        "home visit": GOEDE_START_PHB,
    }[whose]
    before = service_values(app, service_id)
    changes_before = change_count(app)
    own = edit_form(editor, WIJKTEAM_DELFT)  # a valid form and a valid CSRF token
    own["service_id"] = service_id
    own["name"] = "Overgenomen door Delft"

    for path in ("bewerken", "geschiedenis", "beeindigen"):
        assert editor.get(f"{MANAGE}/{service_id}/{path}").status_code == 404, path
    assert editor.post(f"{MANAGE}/{service_id}/bewerken", data=own).status_code == 404
    assert editor.post(f"{MANAGE}/{service_id}/bewerken", data=pressing(own, "save")).status_code == 404
    assert editor.post(f"{MANAGE}/{service_id}/klopt-nog", data={"csrf_token": own["csrf_token"]}).status_code == 404
    assert editor.post(f"{MANAGE}/{service_id}/beeindigen", data={"csrf_token": own["csrf_token"]}).status_code == 404

    assert service_values(app, service_id) == before
    assert change_count(app) == changes_before


def test_she_cannot_add_another_gemeente_to_her_offer(app: Flask, editor: Any) -> None:
    before = service_values(app, WIJKTEAM_DELFT)
    data = edit_form(editor, WIJKTEAM_DELFT)
    data.setlist("areas", [DELFT, "GM0518"])  # Den Haag: not hers

    for save in (False, True):
        page = post_edit(editor, WIJKTEAM_DELFT, data, save=save)
        assert page.status == 400
        assert "Choose from your own gemeenten" in page.errors
        assert ("areas-0", "Choose from your own gemeenten") in page.summary_links

    assert service_values(app, WIJKTEAM_DELFT) == before


def test_she_cannot_create_an_offer_for_another_gemeente(app: Flask, editor: Any) -> None:
    data = edit_form(editor, WIJKTEAM_DELFT)
    data.setlist("areas", ["GM0518"])
    data["service_id"] = ""
    data["name"] = "Nieuw aanbod in Den Haag"
    count_before = change_count(app)

    page = Page(editor.post(f"{MANAGE}/nieuw", data=pressing(data, "save")))

    assert page.status == 400
    assert "Choose from your own gemeenten" in page.errors
    assert change_count(app) == count_before
    with app.app_context():
        assert db.session.scalar(select(Service).where(Service.name == "Nieuw aanbod in Den Haag")) is None


def test_she_can_add_a_new_offer_for_delft(app: Flask, editor: Any, public: Any) -> None:
    data = edit_form(editor, WIJKTEAM_DELFT)
    data["service_id"] = ""
    data["name"] = "Inloop voor jonge ouders Tanthof (voorbeeld)"
    data["description"] = "Elke vrijdag een inloop met koffie voor jonge ouders in Tanthof. Dit is een voorbeeld."

    preview = Page(editor.post(f"{MANAGE}/nieuw", data=data))
    assert preview.status == 200 and "It is not saved yet" in preview.text
    saved = editor.post(f"{MANAGE}/nieuw", data=pressing(form_fields(preview, "/nieuw"), "save"))

    assert saved.status_code == 303
    assert "Inloop voor jonge ouders Tanthof (voorbeeld)" in names(
        public.get("/sociale-kaart?q=tanthof").get_data(as_text=True)
    )
    assert "Inloop voor jonge ouders Tanthof (voorbeeld)" in Page(editor.get(MANAGE)).text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter the name of the offer"),
        ("url", "wijkteam-delft punt nl", "Enter a web address starting with https://"),
        ("email", "wijkteam at delft", "Enter an e-mail address like name@example.com"),
        (
            "phones",
            "bel het wijkteam | werkdagen",
            "Write each phone number on its own line, like 015 123 45 67 | weekdays",
        ),
        # the same check as the spreadsheet upload: digits only is not enough, it must be dialable
        ("phones", "015 12 | werkdagen", "015 12 is not a complete phone number: check the digits"),
        (
            "locations",
            "Wijkpost Buitenhof | Voorbeeldlaan 12",
            "Write each location as: name | street and number | postcode | place",
        ),
        ("description", "", "Describe the offer"),
        ("areas", None, "Choose at least one gemeente"),
    ],
)
def test_validation_errors_show_a_message_and_store_nothing(
    app: Flask, editor: Any, field: str, value: str | None, message: str
) -> None:
    before = service_values(app, WIJKTEAM_DELFT)
    changes_before = change_count(app)
    data = edit_form(editor, WIJKTEAM_DELFT)
    if value is None:
        data.poplist(field)
    else:
        data[field] = value

    for save in (False, True):
        page = post_edit(editor, WIJKTEAM_DELFT, data, save=save)
        assert page.status == 400
        assert message in page.errors
        assert any(text == message for _target, text in page.summary_links)
        assert page.title.startswith("Error")
        kept = form_fields(page, "/bewerken")
        if value:
            assert kept[field] == value  # what she typed is still there

    assert service_values(app, WIJKTEAM_DELFT) == before
    assert change_count(app) == changes_before


# -- open data -----------------------------------------------------------------------------------------------


def test_the_open_data_export_does_not_name_the_editor_who_saved_a_change(
    app: Flask, editor: Any, els: Account, public: Any
) -> None:
    data = edit_form(editor, WIJKTEAM_DELFT)
    data["alert"] = "Wachttijd ongeveer 3 weken (voorbeeld)"
    assert post_edit(editor, WIJKTEAM_DELFT, data, save=True).status == 303

    response = public.get("/sociale-kaart/hsds.json")

    assert response.status_code == 200
    services = response.get_json()
    delft = next(s for s in services if s["id"] == WIJKTEAM_DELFT)
    assert delft["alert"] == "Wachttijd ongeveer 3 weken (voorbeeld)" and delft["assured_date"] == today().isoformat()
    published = response.get_data(as_text=True)
    for trace in ("Els Editor", els.id, els.id[:8], els.id.replace("-", ""), els.id.split("-")[-1], els.email):
        assert trace not in published, trace
    assert hsds.validation_errors(services, hsds_schema()) == []
    # The region's own backup still says who checked it, so import-hsds gives it back.
    with app.app_context():
        backup = next(s for s in hsds.export(db.session, public=False) if s["id"] == WIJKTEAM_DELFT)
    checked_by = [a["value"] for a in backup["attributes"] if a["link_type"] == "assurer"]
    assert checked_by == [f"Els Editor ({els.id[:8]})"]


# -- administrators -----------------------------------------------------------------------------------------


def test_an_administrator_can_edit_anything(app: Flask, public: Any) -> None:
    admin = make_user(app, "beheer@balie.example", [Grant("admin")], name="Ada Admin")
    client = english(app.test_client())
    login(client, admin)
    overview = Page(client.get(MANAGE))
    for name in ("Sociaal wijkteam Westland (voorbeeld)", "Schuldhulpverlening van de gemeente", "Goede Start gesprek"):
        assert name in overview.text

    for service_id, alert in (
        (WIJKTEAM_WESTLAND, "Wachttijd ongeveer 6 weken (voorbeeld)"),
        (national_service(app), "Let op: in december andere openingstijden"),
        (GOEDE_START_PHB, "Ook op zaterdag (voorbeeld)"),
        (BUDGETCOACH_INACTIVE, "Gestopt per 1 juli (voorbeeld)"),
    ):
        data = edit_form(client, service_id)
        data["alert"] = alert
        assert post_edit(client, service_id, data, save=True).status == 303
        with app.app_context():
            assert db.session.get(Service, service_id).alert == alert
    assert (
        "Wachttijd ongeveer 6 weken (voorbeeld)" in Page(public.get(f"/sociale-kaart/aanbod/{WIJKTEAM_WESTLAND}")).text
    )
    # A national offer stays national when an administrator saves it.
    assert service_values(app, national_service(app))["areas"] == []
