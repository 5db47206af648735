"""Every way a registration can be wrong: the form comes back with a clear message at the
field, an error summary at the top linking to it, everything she typed still there — and
nothing is stored. Checked at both steps (the send step validates again)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.pages import Page
from tests.support.registration import answers, open_form
from tests.web.helpers import assert_kept, error_links, fill, form_fields, outbox_count, registration_count

STEPS = ["/aanmelden", "/aanmelden/versturen"]


def typed_answers(**overrides: Any) -> dict[str, Any]:
    """A full registration (every field used), with the given fields changed."""
    base = {
        "name": "Sam de Vries",
        "phone": "06 12345678",
        "email": "sam@example.com",
        "house_number_addition": "b",
        "language": "tr",
        "interpreter": "yes",
        "call_times": ["afternoon"],
        "no_text_messages": "y",
        "only_chosen_times": "y",
        "advisor_kind": "gp",
        "note": "Ik werk overdag.\r\nBellen na 17 uur graag.",
    }
    base.update(overrides)
    return answers(**base)


# (id, changed fields, field the summary links to, message at the field, fields that cannot
#  show what was posted because it is not one of their options)
CASES = [
    ("missing name", {"name": ""}, "name", "Enter how we may address you", ()),
    ("name of only spaces", {"name": "   "}, "name", "Enter how we may address you", ()),
    (
        "neither phone nor e-mail",
        {"phone": "", "email": ""},
        "phone",
        "Enter a phone number or an e-mail address, or both",
        (),
    ),
    ("phone too short", {"phone": "12345"}, "phone", "Enter a phone number we can call", ()),
    ("phone with letters", {"phone": "06-BELLEN-NU"}, "phone", "Enter a phone number we can call", ()),
    ("phone far too long", {"phone": "06" + "1" * 40}, "phone", "Enter a phone number we can call", ()),
    ("e-mail without domain", {"email": "sam@"}, "email", "Enter an e-mail address like name@example.com", ()),
    ("e-mail without @", {"email": "sam.example.com"}, "email", "Enter an e-mail address like name@example.com", ()),
    ("missing postcode", {"postcode": ""}, "postcode", "Enter your postcode", ()),
    ("postcode of only spaces", {"postcode": "   "}, "postcode", "Enter your postcode", ()),
    ("postcode of five digits", {"postcode": "12345"}, "postcode", "Enter a postcode like 2511 AB", ()),
    ("postcode starting with 0", {"postcode": "0000 AA"}, "postcode", "Enter a postcode like 2511 AB", ()),
    ("postcode with unused letters", {"postcode": "2611 SA"}, "postcode", "Enter a postcode like 2511 AB", ()),
    ("only four digits", {"postcode": "2611"}, "postcode", "Enter a postcode like 2511 AB", ()),
    ("unknown postcode", {"postcode": "2600 AA"}, "postcode", "We do not know this postcode", ()),
    ("missing house number", {"house_number": ""}, "house_number", "Enter your house number", ()),
    ("house number of only spaces", {"house_number": "  "}, "house_number", "Enter your house number", ()),
    ("house number 0", {"house_number": "0"}, "house_number", "Enter a house number like 12", ()),
    ("house number with letters", {"house_number": "12a"}, "house_number", "Enter a house number like 12", ()),
    (
        "addition too long",
        {"house_number_addition": "ABCDEFG"},
        "house_number_addition",
        "Enter an addition of at most 6 letters or digits",
        (),
    ),
    (
        "addition with symbols",
        {"house_number_addition": "#3"},
        "house_number_addition",
        "Enter an addition of at most 6 letters or digits",
        (),
    ),
    ("no due month", {"due_month": ""}, "due_month", "Choose the month in which your baby is expected", ()),
    (
        "due month long ago",
        {"due_month": "2020-01"},
        "due_month",
        "Choose the month in which your baby is expected",
        ("due_month",),
    ),
    (
        "due date that does not exist",
        {"due_month": "2024-02-30"},
        "due_month",
        "Choose the month in which your baby is expected",
        ("due_month",),
    ),
    (
        "due month far ahead",
        {"due_month": "2099-01"},
        "due_month",
        "Choose the month in which your baby is expected",
        ("due_month",),
    ),
    (
        "due month with a plus sign",
        {"due_month": "2027-+2"},
        "due_month",
        "Choose the month in which your baby is expected",
        ("due_month",),
    ),
    ("note of 501 characters", {"note": "x" * 501}, "note", "Use at most 500 characters", ()),
    ("name of 81 characters", {"name": "S" * 81}, "name", "Use at most 80 characters", ()),
    ("bell character in the name", {"name": "Sam\x07"}, "name", "Remove the special characters from this field", ()),
    ("NUL in the name", {"name": "Sam\x00"}, "name", "Remove the special characters from this field", ()),
    (
        "right-to-left override in the name",
        {"name": "Sam\u202eevil"},
        "name",
        "Remove the special characters from this field",
        (),
    ),
    (
        "newline in the name",
        {"name": "Sam\r\nBcc: x@evil.example"},
        "name",
        "Remove the special characters from this field",
        (),
    ),
    (
        "escape character in the note",
        {"note": "hallo\x1b[31m"},
        "note",
        "Remove the special characters from this field",
        (),
    ),
    (
        "confirmation mail without e-mail",
        {"email": "", "wants_mail": "y"},
        "email",
        "Enter your e-mail address to get a confirmation by e-mail",
        (),
    ),
    ("language not offered", {"language": "xx"}, "language", "Choose a language from the list", ("language",)),
    (
        "interpreter neither yes nor no",
        {"interpreter": "maybe"},
        "interpreter-0",
        "Choose whether you would like an interpreter",
        ("interpreter",),
    ),
    ("call time not offered", {"call_times": ["midnight"]}, "call_times-0", "Choose from the list", ("call_times",)),
    ("advisor not offered", {"advisor_kind": "neighbour"}, "advisor_kind", "Choose from the list", ("advisor_kind",)),
]


@pytest.mark.parametrize("step", STEPS, ids=["check step", "send step"])
@pytest.mark.parametrize(
    ("changes", "target", "message", "not_shown"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_wrong_answer_is_shown_at_the_field_with_everything_kept(
    app, en_client, step, changes, target, message, not_shown
):
    typed = typed_answers(**changes)
    tokens = open_form(en_client)
    page = Page(en_client.post(step, data={**tokens, **typed}))

    assert page.status == 400
    assert page.title.startswith("Error:")
    assert "There is a problem" in page.text
    assert error_links(page) == [target], page.summary_links
    link_text = dict(page.summary_links)[target]
    assert link_text.startswith(message)
    assert any(error.startswith(message) for error in page.errors), page.errors
    field_id = target.removesuffix("-0")
    assert f'id="{field_id}-error"' in page.html, "the message sits at the field"
    if not target.endswith("-0"):
        control = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', page.html).group(0)
        assert 'aria-invalid="true"' in control
        assert f"{field_id}-error" in control, "the field is described by its message"
    assert_kept(page, {k: v for k, v in typed.items() if k not in not_shown})
    assert form_fields(page, "/aanmelden")["submission_token"] == tokens["submission_token"]
    assert registration_count(app) == 0 and outbox_count(app) == 0


@pytest.mark.parametrize("step", STEPS, ids=["check step", "send step"])
def test_several_mistakes_are_listed_in_the_order_of_the_form(app, en_client, step):
    typed = typed_answers(name="", phone="123", postcode="nope", note="y" * 600)
    page = Page(en_client.post(step, data={**open_form(en_client), **typed}))
    assert page.status == 400
    assert error_links(page) == ["name", "phone", "postcode", "note"]
    assert len(page.errors) == 4
    assert_kept(page, typed)
    assert registration_count(app) == 0


def test_after_correcting_the_mistake_she_can_send(app, en_client):
    form = Page(en_client.get("/aanmelden"))
    wrong = Page(en_client.post("/aanmelden", data=fill(form, typed_answers(phone="0612"))))
    assert wrong.status == 400
    corrected = form_fields(wrong, "/aanmelden")
    corrected["phone"] = "06 12345678"
    checked = Page(en_client.post("/aanmelden", data=corrected))
    assert checked.status == 200, checked.errors
    sent = en_client.post("/aanmelden/versturen", data=form_fields(checked, "/aanmelden/versturen"))
    assert sent.status_code == 303
    assert registration_count(app) == 1


@pytest.mark.parametrize(
    "phone",
    [
        "0612345678",
        "06-12345678",
        "+31 6 12345678",
        "0031612345678",
        "070 123 4567",
        "+32 470 12 34 56",
        "+90 532 123 45 67",
    ],
)
def test_dutch_and_foreign_phone_numbers_are_accepted(app, en_client, phone):
    page = Page(en_client.post("/aanmelden", data={**open_form(en_client), **typed_answers(phone=phone)}))
    assert page.status == 200, page.errors
    assert page.title.startswith("Check your answers")


@pytest.mark.parametrize("postcode", ["2611AB", "2611 ab", "2611ab", " 2611 AB ", "2611-AB", "2611\u00a0AB"])
def test_postcodes_in_the_usual_ways_of_typing_are_accepted(app, en_client, postcode):
    page = Page(en_client.post("/aanmelden", data={**open_form(en_client), **typed_answers(postcode=postcode)}))
    assert page.status == 200, page.errors
    assert "2611 AB" in page.text


def test_a_name_with_letters_from_any_script_is_fine(app, en_client):
    for name in ("Zoë", "محمد", "Ægir Þórsson", "Nguyễn Thị", "خانم\u200cها", "O'Brien-Smit"):
        page = Page(en_client.post("/aanmelden", data={**open_form(en_client), **typed_answers(name=name)}))
        assert page.status == 200, (name, page.errors)
        assert name in page.text
