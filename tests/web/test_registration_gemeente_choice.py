"""A postcode in two gemeenten: her choice stays through every step, and no choice is an error
like any other (issue 10, point 7). Hoenderloo (7351) lies in Apeldoorn and in Ede; in these
tests Hofstad's home visit covers Apeldoorn (see tests/support/registration.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from balie.extensions import db
from balie.models import Registration
from tests.support.pages import Page
from tests.support.registration import APELDOORN, EDE, HOFSTAD, TWO_GEMEENTEN, answers, serve_apeldoorn
from tests.web.helpers import error_links, fill, focused_fields, form_fields, registration_count

CHOOSE = "Choose the gemeente you live in"


@pytest.fixture
def parent(app: Flask, en_client: Any) -> Any:
    serve_apeldoorn(app)
    return en_client


def question(client: Any, **overrides: Any) -> Page:
    """Her answers with the postcode in two gemeenten: the form asks which gemeente."""
    form = Page(client.get("/aanmelden"))
    page = Page(client.post("/aanmelden", data=fill(form, answers(postcode=TWO_GEMEENTEN, **overrides))))
    assert page.status == 200 and "In which gemeente do you live?" in page.text
    return page


def continue_with(client: Any, page: Page, action: str = "/aanmelden", **changes: str) -> Page:
    data = form_fields(page, action)
    for name, value in changes.items():
        data[name] = value
    return Page(client.post("/aanmelden", data=data))


def checked_gemeente(page: Page) -> list[str]:
    return form_fields(page, "/aanmelden").getlist("municipality")


def assert_gemeente_error(page: Page) -> None:
    assert page.status == 400
    assert page.title.startswith("Error: "), page.title
    assert error_links(page) == ["municipality-0"], "the summary links to the question"
    assert page.errors == [CHOOSE], "and the question itself says what is wrong"
    assert 'aria-describedby="municipality-error"' in page.html


@pytest.mark.parametrize("changed", ["postcode", "name", "municipality"])
def test_the_choice_survives_change_on_the_check_page_and_is_what_gets_sent(app, parent, changed):
    checked = continue_with(parent, question(parent), municipality=APELDOORN)
    assert checked.title.startswith("Check your answers")
    assert "7351 AB 12, Apeldoorn" in checked.text and HOFSTAD in checked.text

    back = Page(parent.post("/aanmelden", data={**form_fields(checked, "versturen"), "edit": changed}))
    assert back.status == 200 and not back.errors
    assert "In which gemeente do you live?" in back.text, "the question is shown again, with her answer"
    assert checked_gemeente(back) == [APELDOORN]
    assert focused_fields(back) == [changed]

    again = continue_with(parent, back)
    assert again.title.startswith("Check your answers"), again.errors
    assert "7351 AB 12, Apeldoorn" in again.text
    sent = parent.post("/aanmelden/versturen", data={**form_fields(again, "versturen"), "send": "1"})
    assert sent.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Registration.municipality_code)).one() == APELDOORN


def test_her_choice_stays_when_another_answer_has_an_error(parent):
    page = continue_with(parent, question(parent), municipality=EDE, name="")
    assert page.status == 400 and error_links(page) == ["name"]
    assert checked_gemeente(page) == [EDE]


def test_continuing_without_choosing_is_an_error_like_any_other(app, parent):
    asked = question(parent)
    assert not asked.title.startswith("Error"), "the first time it is a question: she could not have known"

    page = continue_with(parent, asked)

    assert_gemeente_error(page)
    assert registration_count(app) == 0
    # Choosing then works as usual.
    assert continue_with(parent, page, municipality=APELDOORN).title.startswith("Check your answers")


def test_a_choice_that_is_not_one_of_the_gemeenten_is_an_error(parent):
    assert_gemeente_error(continue_with(parent, question(parent), municipality="GM0503"))


def test_sending_without_a_choice_is_an_error_and_stores_nothing(app, parent):
    tokens = form_fields(Page(parent.get("/aanmelden")), "/aanmelden")
    data = fill(Page(parent.get("/aanmelden")), answers(postcode=TWO_GEMEENTEN))
    for name in ("csrf_token", "submission_token", "started"):
        data[name] = tokens[name]
    page = Page(parent.post("/aanmelden/versturen", data={**data, "send": "1"}))

    assert_gemeente_error(page)
    assert registration_count(app) == 0


def test_a_new_postcode_in_two_gemeenten_is_a_question_again_not_an_error(parent):
    """She answered for one postcode, then typed another one that also lies in two gemeenten."""
    asked = question(parent)
    page = continue_with(parent, asked, postcode="9207 AB")  # Drachten: Opsterland or Smallingerland
    assert page.status == 200 and not page.errors
    assert "Your postcode lies in more than one gemeente" in page.text
    assert "Opsterland" in page.text and "Smallingerland" in page.text
