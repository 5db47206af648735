"""The feedback question says *whether* the conversation took place, and is asked only when there is
someone to hear it: a professional's code (from the card's link or typed), or the professional's own
routes. Withdrawing speaks of an advisor only when there is one."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.support.pages import Page
from tests.support.professionals import (
    check_page,
    make_card,
    open_registration,
    reference_of,
    register_with_card,
    withdrawal_code_of,
)
from tests.support.registration import answers
from tests.web.professional.test_advice_cards import parent_browser

LABEL = "The professional who gave me the code may hear whether the conversation took place"


def has_question(page: Page) -> bool:
    """A feedback checkbox she can tick (not a hidden copy of an earlier answer)."""
    return any('type="checkbox"' in tag for tag in re.findall(r'<input[^>]*name="feedback_consent"[^>]*>', page.html))


def test_without_a_code_nobody_is_asked_about(app: Flask) -> None:
    client = parent_browser(app)
    form = open_registration(client)
    assert not has_question(form) and "may hear" not in form.text
    checked = check_page(client, form, answers())
    assert checked.status == 200, checked.errors
    assert not has_question(checked) and "may hear" not in checked.text


def test_the_card_link_asks_on_the_form_and_a_typed_code_asks_on_the_check_page(app: Flask, pro: Any) -> None:
    code = make_card(pro, "en")
    client = parent_browser(app)
    form = open_registration(client, {"code": code})
    assert has_question(form) and LABEL in form.text
    assert "how it went" not in form.text
    assert "Never what you talked about." in form.text

    typed = parent_browser(app)
    plain = open_registration(typed)
    assert not has_question(plain)
    checked = check_page(typed, plain, answers(advice_code=code))
    assert checked.status == 200, checked.errors
    assert has_question(checked) and LABEL in checked.text, "she is asked once the code is known"

    wrong = check_page(parent_browser(app), plain, answers(advice_code="ZZZZ-ZZZZ"))
    assert not has_question(wrong) or wrong.status == 400


def test_the_withdrawal_result_speaks_of_an_advisor_only_when_there_is_one(app: Flask, pro: Any) -> None:
    def withdraw(confirmation: Page) -> Page:
        client = parent_browser(app)
        form = Page(client.get("/intrekken"))
        assert "The professional who advised you hears nothing more" not in form.text
        return Page(
            client.post(
                "/intrekken",
                data={
                    "csrf_token": form.hidden("csrf_token"),
                    "reference": reference_of(confirmation),
                    "code": withdrawal_code_of(confirmation),
                },
            )
        )

    alone = withdraw(register_with_card(parent_browser(app), None, feedback=False))
    assert alone.title.startswith("Your registration is withdrawn")
    assert "professional who advised you" not in alone.text and "Nobody will hear anything" not in alone.text
    assert "has been asked to delete your details" in alone.text
    assert (
        "30 days after the JGZ has closed your registration, and at the latest 6 weeks after the month your baby is due"
        in alone.text
    )

    code = make_card(pro, "en")
    advised = withdraw(register_with_card(parent_browser(app), code, feedback=True))
    assert "The professional who advised you will no longer hear whether the conversation took place." in advised.text
