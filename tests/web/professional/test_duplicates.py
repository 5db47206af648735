"""Duplicates without a BSN (issue 6 §6): the same pregnancy registered by the parent and by her
midwife is flagged to the JGZ as a possible duplicate, and can be merged.

Same organisation, same due month, and the same name (however it is spelled: case, accents,
spaces, hyphens) with the same phone number or the same e-mail address.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from balie.domain.consent import REFERRAL_TEXT_VERSION
from balie.extensions import db
from balie.models import AccessLogEntry
from tests.support.accounts import DELFLAND, HOFSTAD, Account, login, nurse
from tests.support.pages import Page
from tests.support.professionals import (
    DEN_HAAG,
    PRO_NAME,
    assisted,
    by_reference,
    make_card,
    newest_registration,
    professional,
    refer,
    register_with_card,
    signed_in,
    step,
    summary,
)
from tests.support.registration import due_month
from tests.support.staff import csrf_token

POSSIBLE_DUPLICATE = "Possible duplicate"


def staff(app: Flask, email: str, organisation: str) -> Any:
    client = app.test_client()
    client.set_cookie("balie_lang", "en")
    login(client, nurse(app, email, organisation))
    return client


@pytest.fixture
def jgz(app: Flask) -> Any:
    return staff(app, "a@delfland.example", DELFLAND)


def parent_registers(app: Flask, **answers: Any) -> Any:
    client = app.test_client()
    client.set_cookie("balie_lang", "en")
    register_with_card(client, None, feedback=False, **answers)
    return newest_registration(app)


def inbox_row(page: Page, registration_id: str) -> str | None:
    found = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*href="/inbox/{registration_id}"(?:(?!</tr>).)*</tr>', page.html, re.S)
    return found.group(0) if found else None


def flagged(jgz: Any, registration_id: str) -> bool:
    row = inbox_row(Page(jgz.get("/inbox")), registration_id)
    assert row is not None, "the registration is in the list"
    return POSSIBLE_DUPLICATE in row


# The parent's own spelling, and her midwife's.
SAME_BY_PHONE = (
    {"name": "Zoë van den Berg", "phone": "06 12345678", "email": ""},
    {"name": "ZOE  VANDENBERG", "phone": "+31 6 1234 5678", "email": "zoe.werk@example.com"},
)
SAME_BY_EMAIL = (
    {"name": "Anne-Marie Jansen", "phone": "06 11111111", "email": "Anne.Jansen@Example.com"},
    {"name": "anne marie jansen", "phone": "06 22222222", "email": "anne.jansen@example.com"},
)


@pytest.mark.parametrize("parent_answers, midwife_answers", [SAME_BY_PHONE, SAME_BY_EMAIL], ids=["phone", "e-mail"])
@pytest.mark.parametrize("route", ["referral", "assisted"])
def test_the_same_pregnancy_registered_by_the_parent_and_her_midwife_is_flagged(
    app: Flask, pro: Any, jgz: Any, parent_answers: dict[str, str], midwife_answers: dict[str, str], route: str
) -> None:
    original = parent_registers(app, **parent_answers)
    sent = refer(pro, "in_person", **midwife_answers) if route == "referral" else assisted(pro, **midwife_answers)
    assert sent.status_code == 303
    duplicate = newest_registration(app)

    assert flagged(jgz, duplicate.id), "the later one is flagged"
    assert not flagged(jgz, original.id), "the first one is the original"
    detail = Page(jgz.get(f"/inbox/{duplicate.id}"))
    assert f"This may be the same pregnancy as registration {original.reference}" in detail.text
    assert f'href="/inbox/{original.id}"' in detail.html, "with a link to the original"
    assert f"/inbox/{duplicate.id}/samenvoegen" in detail.html, "and a merge button"
    assert "may be the same pregnancy" not in Page(jgz.get(f"/inbox/{original.id}")).text


@pytest.mark.parametrize(
    "difference, midwife_answers",
    [
        ("due month", {"name": "Zoë van den Berg", "phone": "06 12345678", "due_month": due_month(4)}),
        ("organisation", {"name": "Zoë van den Berg", "phone": "06 12345678", "postcode": DEN_HAAG}),
        ("name", {"name": "Zoë de Vries", "phone": "06 12345678"}),
        ("name part", {"name": "Zoë van den Bergh", "phone": "06 12345678"}),
        ("phone and e-mail", {"name": "Zoë van den Berg", "phone": "06 87654321", "email": "ander@example.com"}),
    ],
)
def test_a_different_due_month_organisation_name_or_contact_is_not_a_duplicate(
    app: Flask, pro: Any, difference: str, midwife_answers: dict[str, str]
) -> None:
    original = parent_registers(
        app, name="Zoë van den Berg", phone="06 12345678", email="zoe@example.com", due_month=due_month(3)
    )
    answers = {"due_month": due_month(3), "email": "", **midwife_answers}
    assert refer(pro, "by_phone", **answers).status_code == 303
    other = newest_registration(app)
    assert other.duplicate_of_id is None, difference

    organisation = HOFSTAD if difference == "organisation" else DELFLAND
    client = staff(app, f"n@{organisation[:4]}.example", organisation)
    assert not flagged(client, other.id), difference
    assert "may be the same pregnancy" not in Page(client.get(f"/inbox/{other.id}")).text
    if difference != "organisation":
        assert not flagged(client, original.id)


def test_merging_moves_the_advisor_and_consent_to_the_original_and_erases_the_duplicate(
    app: Flask, pro: Any, vera: Account, jgz: Any
) -> None:
    original = parent_registers(app, name="Zoë van den Berg", phone="06 12345678")
    assert original.advisor_user_id is None
    assert refer(pro, "by_phone", feedback=True, name="zoe van den berg", phone="0612345678").status_code == 303
    duplicate = newest_registration(app)
    assert duplicate.duplicate_of_id == original.id

    merged = jgz.post(f"/inbox/{duplicate.id}/samenvoegen", data={"csrf_token": csrf_token(jgz)})
    assert merged.status_code == 303 and merged.headers["Location"].endswith(f"/inbox/{original.id}")
    page = Page(jgz.get(merged.headers["Location"]))
    assert f"Merged into {original.reference}" in page.text

    kept = by_reference(app, original.reference)
    assert kept.advisor_user_id == vera.id
    assert (kept.route, kept.consent_method, kept.consent_text_version) == (
        "referral",
        "by_phone",
        REFERRAL_TEXT_VERSION,
    )
    assert kept.feedback_consent is True and kept.feedback_until == duplicate.feedback_until
    assert kept.name_sealed is not None, "the original keeps her details"
    rows = summary(page)
    assert rows["Advised or referred by"] == f"{PRO_NAME} (Midwife (verloskundige))"
    assert rows["Feedback to that professional"].startswith("Yes, process only")

    gone = by_reference(app, duplicate.reference)
    assert gone.merged_into_id == original.id and gone.purged_at is not None
    for field in ("name", "phone", "email", "address", "note", "contact_preferences"):
        assert getattr(gone, f"{field}_sealed") is None, field
    assert gone.duplicate_key_phone is None and gone.duplicate_key_email is None
    with app.app_context():
        purge = db.session.scalars(
            select(AccessLogEntry).where(
                AccessLogEntry.event_code == "registration.purge", AccessLogEntry.object_id == duplicate.id
            )
        ).all()
    assert len(purge) == 1 and purge[0].authorization_basis.startswith("duplicate-merge")

    listing = Page(jgz.get("/inbox"))
    assert inbox_row(listing, duplicate.id) is None, "the duplicate leaves the list"
    assert inbox_row(listing, original.id) is not None and POSSIBLE_DUPLICATE not in listing.text
    assert jgz.get(f"/inbox/{duplicate.id}").status_code == 404

    # The midwife's feedback now follows the original.
    step(jgz, original.id, "contact_made")
    overview = Page(pro.get("/advies"))
    assert overview.text.count("Contact made") == 1 and duplicate.reference not in overview.text


def test_merging_keeps_the_advisor_the_original_already_had(app: Flask, pro: Any, jgz: Any) -> None:
    ilse_account = professional(app, "ilse@kraamzorg.example", profession="maternity_care", name="Ilse Kraam")
    card = make_card(signed_in(app, ilse_account), "nl")
    client = app.test_client()
    register_with_card(client, card, feedback=False, name="Zoë van den Berg", phone="06 12345678")
    original = newest_registration(app)
    assert refer(pro, "in_person", feedback=True, name="Zoe van den Berg", phone="06 12345678").status_code == 303
    duplicate = newest_registration(app)
    assert duplicate.duplicate_of_id == original.id

    assert jgz.post(f"/inbox/{duplicate.id}/samenvoegen", data={"csrf_token": csrf_token(jgz)}).status_code == 303
    kept = by_reference(app, original.reference)
    assert kept.advisor_user_id == ilse_account.id and kept.feedback_consent is False, "what she chose herself stays"
    assert kept.route == "self" and kept.consent_method is None


def test_another_organisations_nurse_cannot_merge(app: Flask, pro: Any, jgz: Any) -> None:
    original = parent_registers(app, name="Zoë van den Berg", phone="06 12345678")
    assert refer(pro, "in_person", name="Zoe van den Berg", phone="06 12345678").status_code == 303
    duplicate = newest_registration(app)
    assert duplicate.duplicate_of_id == original.id

    other = staff(app, "b@hofstad.example", HOFSTAD)
    response = other.post(f"/inbox/{duplicate.id}/samenvoegen", data={"csrf_token": csrf_token(other)})
    assert response.status_code == 404
    unchanged = by_reference(app, duplicate.reference)
    assert unchanged.merged_into_id is None and unchanged.purged_at is None and unchanged.name_sealed is not None
    assert by_reference(app, original.reference).advisor_user_id is None
    assert flagged(jgz, duplicate.id), "still waiting for her own organisation"
