"""The language she wants to talk in starts at the page's language (issue 10, point 2).

An English-speaking parent who never touches "In which language would you like to talk?" is
registered as wanting English, on the English pages and from an English advice card; the check
page says plainly which language she chose. Never silently Dutch on a page in another language.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from balie.extensions import db
from balie.models import Registration
from tests.support.pages import Page
from tests.support.professionals import make_card, professional, signed_in
from tests.support.registration import answers
from tests.web.helpers import fill, form_fields

UNTOUCHED = answers(language=None)  # every answer typed, the language question left as it came


def chosen_language(page: Page) -> str:
    return form_fields(page, "/aanmelden").get("language", "")


def talk_in(page: Page) -> str:
    """The check page's line about the language: "<label> <value>"."""
    found = re.search(
        r'<dt class="summary__key">([^<]+)</dt>\s*<dd class="summary__value">([^<]+)</dd>\s*<dd '
        r'class="summary__action">'
        r'<button[^>]*value="language"',
        page.html,
    )
    assert found, "the check page has a line about the language"
    return f"{found.group(1)} {found.group(2)}".replace("&#39;", "'")


def stored_language(app: Flask) -> str:
    with app.app_context():
        return db.session.scalars(select(Registration.language)).one()


def register_untouched(client: Any, form_url: str) -> Page:
    form = Page(client.get(form_url))
    assert form.status == 200
    action = re.search(r'<form method="post" action="([^"]*/aanmelden[^"]*)"', form.html).group(1).replace("&amp;", "&")
    checked = Page(client.post(action, data=fill(form, UNTOUCHED)))
    assert checked.status == 200, checked.errors
    send_action = (
        re.search(r'<form method="post" action="([^"]*versturen[^"]*)"', checked.html).group(1).replace("&amp;", "&")
    )
    sent = client.post(send_action, data={**form_fields(checked, "versturen"), "send": "1"})
    assert sent.status_code == 303
    return checked


@pytest.mark.parametrize(
    ("page_language", "expected", "line"),
    [("en", "en", "You would like to talk in English"), ("nl", "nl", "U wilt praten in Nederlands")],
)
def test_the_language_question_starts_at_the_page_language(app, client, page_language, expected, line):
    client.set_cookie("balie_lang", page_language)
    assert chosen_language(Page(client.get("/aanmelden"))) == expected

    checked = register_untouched(client, "/aanmelden")

    assert talk_in(checked) == line
    assert stored_language(app) == expected


def test_an_english_advice_card_opens_the_form_with_english_chosen(app):
    midwife = signed_in(app, professional(app), language="nl")
    code = make_card(midwife, "en")
    parent = app.test_client()  # her own phone: no language chosen before, the card says English

    checked = register_untouched(parent, f"/aanmelden?code={code}&lang=en")

    assert talk_in(checked) == "You would like to talk in English"
    assert stored_language(app) == "en"


def test_a_form_posted_without_any_language_takes_the_page_language(app, client):
    """Even a form that lost the field (an old page, a script) is not registered as Dutch on an English page."""
    client.set_cookie("balie_lang", "en")
    form = Page(client.get("/aanmelden"))
    data = fill(form, UNTOUCHED)
    data.poplist("language")
    checked = Page(client.post("/aanmelden", data=data))
    assert checked.status == 200, checked.errors
    assert talk_in(checked) == "You would like to talk in English"


def test_a_language_she_chose_is_kept_and_shown(app, client):
    client.set_cookie("balie_lang", "en")
    form = Page(client.get("/aanmelden"))
    checked = Page(client.post("/aanmelden", data=fill(form, answers(language="nl"))))
    assert talk_in(checked) == "You would like to talk in Dutch — Nederlands"
