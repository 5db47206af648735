"""After samen aanmelden or a direct referral (issue 10 §4): the professional reads a page written
to her, with a slip in the parent's language to hand over or read out, and the parent, if she
asked for it, gets her reference and withdrawal code by e-mail — a mail that reveals no
pregnancy to whoever else reads her mailbox.

The professional's page is in Dutch here and the parent wants to talk English (or the other way
round), so that the two languages cannot be mixed up unnoticed.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from balie.extensions import db
from balie.mailer import FileTransport
from balie.models import OutboxMessage
from balie.outbox_worker import run_pass
from tests.support.accounts import Account
from tests.support.pages import Page
from tests.support.professionals import (
    BASE_URL,
    DELFLAND_NAME,
    WITHDRAWAL_CODE,
    assisted,
    canary_parent,
    newest_registration,
    professional_check,
    refer,
    signed_in,
)

# Words that would tell whoever reads the parent's mailbox that she is pregnant (as tests/unit/test_outbox.py).
REVEALING_WORDS = (
    "zwanger",
    "pregnan",
    "baby",
    "huisbezoek",
    "prenata",
    "geboorte",
    "bevalling",
    "jgz",
    "jeugd",
    "phb",
)
DELFLAND_PHONE_URI = "tel:+31880000001"  # "088 000 00 01" in sociale_kaart/organisaties/jgz-delfland-voorbeeld.yaml


def parts(page: Page) -> tuple[str, str, str]:
    """The professional's part, the slip's language and the slip's text."""
    found = re.search(r'<section class="slip" lang="(\w+)"[^>]*>(.*?)</section>', page.html, re.S)
    assert found, "no slip on the page"
    professional_part = page.html[: found.start()]
    return text_of(professional_part), found.group(1), text_of(found.group(2))


def text_of(fragment: str) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def withdraw(app: Flask, reference: str, code: str) -> Page:
    """The parent withdraws on her own phone with what she was given."""
    client = app.test_client()
    client.set_cookie("balie_lang", "en")
    form = Page(client.get(f"/intrekken?kenmerk={reference}"))
    return Page(
        client.post("/intrekken", data={"csrf_token": form.hidden("csrf_token"), "reference": reference, "code": code})
    )


@pytest.fixture
def vera_nl(app: Flask, vera: Account) -> Any:
    """Vera's browser with the pages in Dutch."""
    return signed_in(app, vera, language="nl")


def test_after_a_referral_by_phone_she_reads_what_to_do_and_a_slip_in_english_to_read_out(
    app: Flask, vera_nl: Any
) -> None:
    sent = refer(vera_nl, "by_phone", language="en")
    assert sent.status_code == 303
    page = Page(vera_nl.get(sent.headers["Location"]))
    stored = newest_registration(app)
    assert page.status == 200 and page.title.startswith(f"Verstuurd naar {DELFLAND_NAME}")
    to_her, slip_language, slip = parts(page)

    # Written to the professional, in her language.
    assert "Uw doorverwijzing is opgeslagen en verstuurd." in to_her
    assert "Geef haar nu het kenmerk en de intrekcode" in to_her
    assert "Zij is niet bij u: lees het briefje hieronder aan haar voor." in to_her, "consent by phone: read it out"
    assert "niemand kan hem later nog opzoeken, u ook niet" in to_her
    assert "Zij krijgt deze codes niet per e-mail." in to_her
    assert "Niets: zij vond het niet goed dat u hoort of het gesprek heeft plaatsgevonden." in to_her
    assert "In het Engels (English). Als u deze pagina afdrukt, wordt alleen het briefje afgedrukt." in to_her
    for addressed_to_the_parent in ("Uw kenmerk", "Uw intrekcode", "Your withdrawal code"):
        assert addressed_to_the_parent not in to_her
    assert WITHDRAWAL_CODE.findall(to_her) == [], "the code is on the slip, once"

    # The slip: in English, to her, with everything she needs.
    assert slip_language == "en"
    [code] = WITHDRAWAL_CODE.findall(slip)
    assert f"Your registration with {DELFLAND_NAME}" in slip
    assert f"Your reference {stored.reference} Your withdrawal code {code}" in slip
    assert f"A nurse of {DELFLAND_NAME} contacts you within 5 working days to make an appointment." in slip
    assert (
        f"You can withdraw your registration at any time at {BASE_URL}/intrekken with your reference and your "
        "withdrawal code." in slip
    )
    assert "anyone who has your reference and your withdrawal code can withdraw your registration" in slip
    assert "e-mail" not in slip, "no mail is promised when none goes out"
    assert f'href="{DELFLAND_PHONE_URI}"' in page.html, "her organisation's number, to tap and call"
    for word in ("zwanger", "pregnan", "baby"):
        assert word not in slip.lower(), "a slip left on the table tells nobody she is pregnant"

    # What she was given works.
    assert withdraw(app, stored.reference, code).status == 200
    assert newest_registration(app).withdrawn_at is not None


def test_the_codes_are_shown_once_a_reload_keeps_the_reference_and_says_where_she_can_ask(
    app: Flask, vera_nl: Any
) -> None:
    sent = refer(vera_nl, "in_person", language="en")
    first = Page(vera_nl.get(sent.headers["Location"]))
    again = Page(vera_nl.get(sent.headers["Location"]))
    stored = newest_registration(app)
    assert len(WITHDRAWAL_CODE.findall(first.text)) == 1
    assert WITHDRAWAL_CODE.findall(again.text) == [], "not a second time, not on the slip either"
    to_her, _language, slip = parts(again)
    assert stored.reference in to_her and stored.reference in slip
    assert f"Dan kan zij contact opnemen met {DELFLAND_NAME} en haar kenmerk noemen." in to_her
    assert f"To withdraw your registration, contact {DELFLAND_NAME} and mention your reference." in slip
    assert "withdrawal code" not in slip


def test_samen_aanmelden_in_person_gives_a_dutch_slip_to_hand_over(app: Flask, pro: Any) -> None:
    sent = assisted(pro, feedback=True, language="nl")
    page = Page(pro.get(sent.headers["Location"]))
    to_her, slip_language, slip = parts(page)
    assert "The registration has been saved and sent." in to_her
    assert "Print the slip below and give it to her." in to_her, "in person: hand it over"
    assert "Only whether the JGZ contacted her, whether a visit took place and whether support was arranged" in to_her
    assert "In Dutch (Nederlands). When you print this page, only the slip is printed." in to_her
    assert slip_language == "nl"
    assert "Uw kenmerk" in slip and "Uw intrekcode" in slip
    assert f"Een jeugdverpleegkundige van {DELFLAND_NAME} neemt binnen 5 werkdagen contact met u op" in slip


def test_a_parent_who_talks_arabic_gets_a_dutch_slip_and_the_page_says_why(app: Flask, pro: Any) -> None:
    sent = refer(pro, "in_person", language="ar")
    to_her, slip_language, slip = parts(Page(pro.get(sent.headers["Location"])))
    assert slip_language == "nl" and "Uw kenmerk" in slip
    assert (
        "She would like to talk in Arabic (العربية). The desk has no pages in that language, so the slip is in Dutch"
        in to_her
    )


def test_the_professionals_form_says_what_the_mail_holds_before_she_ticks_it(app: Flask, pro: Any) -> None:
    for path in ("/advies/samen-aanmelden", "/advies/verwijzen"):
        form = Page(pro.get(path))
        assert "Send me my reference and withdrawal code by e-mail" in form.text
        assert "Anyone who can read your e-mail could use the code to withdraw your registration." in form.text
    own = Page(app.test_client().get("/aanmelden"))
    assert "withdrawal code" not in own.text, "her own form keeps its own mail, with the reference only"


# --- the mail -----------------------------------------------------------------------------------


def deliver(app: Flask) -> list[EmailMessage]:
    with app.app_context():
        run_pass(FileTransport(Path(app.config["MAIL_DIR"])), worker="test")
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for path in sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    ]


def to_parent(mails: list[EmailMessage], address: str) -> list[EmailMessage]:
    return [mail for mail in mails if mail["To"] == address]


@pytest.mark.parametrize("route", ["referral", "assisted"])
def test_she_gets_her_reference_and_withdrawal_code_by_mail_in_her_language_and_nothing_more(
    app: Flask, vera_nl: Any, route: str
) -> None:
    parent = canary_parent()
    typed = {"language": "en", "wants_mail": "y"}
    sent = refer(vera_nl, "by_phone", parent, **typed) if route == "referral" else assisted(vera_nl, parent, **typed)
    assert sent.status_code == 303
    page = Page(vera_nl.get(sent.headers["Location"]))
    stored = newest_registration(app)
    [shown_code] = WITHDRAWAL_CODE.findall(page.text)
    to_her, _language, slip = parts(page)
    assert "Zij krijgt ook een korte e-mail met haar kenmerk en haar intrekcode" in to_her
    assert "You will also get a short e-mail with your reference and your withdrawal code." in slip

    [mail] = to_parent(deliver(app), parent.email)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    assert mail["Subject"] == "Your reference and withdrawal code for Balie Voorbeeldregio"
    assert f"Your reference: {stored.reference}" in content
    assert f"Your withdrawal code: {shown_code}" in content, "the same code as on the slip"
    assert f"{BASE_URL}/intrekken?kenmerk={stored.reference}&lang=en" in content
    visible = f"{mail['Subject']}\n{content}".lower()
    for word in REVEALING_WORDS:
        assert word not in visible, f"{word!r} would reveal a pregnancy to whoever reads her mail"
    for field, value in parent.traces().items():
        if field != "e-mail" and field != "e-mail (local part)":
            assert value not in content, f"her {field} in the mail"
    assert DELFLAND_NAME not in content and "Vera" not in content, "no organisation, no professional"
    with app.app_context():
        stored_payloads = [str(m.payload) for m in db.session.scalars(select(OutboxMessage))]
    assert not any(shown_code in payload for payload in stored_payloads), "the code is not stored in the outbox"
    assert withdraw(app, stored.reference, shown_code).status == 200, "the mailed code works"


def test_the_mail_speaks_dutch_when_she_talks_dutch(app: Flask, pro: Any) -> None:
    parent = canary_parent()
    refer(pro, "in_person", parent, language="nl", wants_mail="y")
    [mail] = to_parent(deliver(app), parent.email)
    assert mail["Subject"] == "Uw kenmerk en intrekcode voor Balie Voorbeeldregio"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and "Uw intrekcode: " in body.get_content()


def test_nothing_is_mailed_to_her_without_an_address_or_without_the_tick(app: Flask, pro: Any) -> None:
    assert (
        refer(pro, "in_person", name="Noor Bakker", phone="06 45678901", language="en").status_code == 303
    )  # phone only
    parent = canary_parent()
    assert (
        refer(pro, "in_person", parent, language="en").status_code == 303
    )  # an address, but she did not ask for the mail
    mails = deliver(app)
    assert len(mails) == 2 and all(mail["To"] == "aanmeldingen@jgz-delfland.example" for mail in mails), (
        "only the organisation's"
    )

    refused = professional_check(
        pro, "/advies/verwijzen", {**parent.answers(language="en"), "email": "", "wants_mail": "y"}
    )
    assert refused.status == 400 and "Enter your e-mail address to get a confirmation by e-mail" in refused.errors
