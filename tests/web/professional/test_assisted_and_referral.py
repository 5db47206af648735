"""Samen aanmelden and direct referral with explicit consent (issue 6 §2, §3, §4).

Midwife Vera fills in the form with the parent on her own screen. For samen aanmelden the
parent reads the consent text and the fields on the check page and ticks that she agrees; for
a direct referral Vera records how the pregnant woman agreed — or that she did not, and then
nothing at all is stored. Only midwives and hospitals may refer directly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask

from balie.domain.consent import ASSISTED_TEXT_VERSION, FEEDBACK_TEXT_VERSION, REFERRAL_TEXT_VERSION
from tests.support.accounts import Account, login, nurse
from tests.support.pages import Page
from tests.support.professionals import (
    DELFLAND_NAME,
    PRO_NAME,
    WITHDRAWAL_CODE,
    assisted,
    canary_parent,
    counts,
    english_date,
    feedback_expiry,
    local_minute,
    make_card,
    newest_registration,
    professional,
    professional_check,
    refer,
    reference_of,
    register_with_card,
    send_from,
    signed_in,
    summary,
)
from tests.support.registration import answers, due_month
from tests.support.staff import csrf_token
from tests.web.helpers import error_links, form_fields

ASSISTED_PATH, REFERRAL_PATH = "/advies/samen-aanmelden", "/advies/verwijzen"
PARENT_MUST_AGREE = "The parent must read this and agree before you send it"
RECORD_CONSENT = "Record whether and how she agreed"
NOTHING = {"registrations": 0, "outbox": 0, "creates": 0}


def version_shown(page: Page) -> str:
    found = re.search(r"Version of this text: ([\w-]+)", page.text)
    assert found, "the check page names the version of the consent text"
    return found.group(1)


def ticked_values(page: Page, name: str) -> list[str]:
    return form_fields(page, "versturen").getlist(name)


# --- samen aanmelden ----------------------------------------------------------------------------


def test_samen_aanmelden_shows_the_parent_the_consent_text_and_everything_that_is_shared(app: Flask, pro: Any) -> None:
    form = Page(pro.get(ASSISTED_PATH))
    assert form.status == 200 and form.title.startswith("Register together with the parent")
    assert "advice_code" not in form.html, "no code field: the professional is known"

    parent = canary_parent()
    checked = professional_check(pro, ASSISTED_PATH, {**parent.answers(), "feedback_consent": "y"})
    assert checked.status == 200, checked.errors
    panel = checked.html.split('class="consent-panel"', 1)[1]
    assert "For the parent: please read this" in checked.text
    said = " ".join(re.sub(r"<[^>]+>", " ", panel.split("</div>")[0]).split())
    assert re.search(r"go only to the youth health care \(JGZ\) of your gemeente", said), said
    assert re.search(
        r"The professional who helps you will only hear whether .*the conversation took place.*Never what you "
        r"talked about\.",
        said,
    ), said
    assert re.search(r"withdraw .*code on the confirmation", said), said
    assert 'name="parent_agrees"' in panel and "checked" not in panel.split('name="parent_agrees"')[1].split(">")[0]
    assert ticked_values(checked, "parent_agrees") == [], "she ticks it herself, on this page"

    shown = summary(checked)
    assert shown["Name"] == parent.name
    assert shown["E-mail address"] == parent.email
    assert parent.house_number in shown["Address"] and "2611 AB" in shown["Address"]
    assert re.sub(r"\D", "", shown["Phone number"]).endswith(re.sub(r"\D", "", parent.phone)[-8:])
    assert shown["Note"] == parent.note
    assert shown["You (the professional) may hear whether the conversation took place"] == "Yes"
    assert DELFLAND_NAME in checked.text, "and where it goes"

    without = professional_check(pro, ASSISTED_PATH, parent.answers())
    assert "The professional who helps you will not hear anything about it." in without.text


def test_samen_aanmelden_without_the_parents_tick_is_refused_and_stores_nothing(app: Flask, pro: Any) -> None:
    parent = canary_parent()
    refused = Page(assisted(pro, parent, agrees=False))
    assert refused.status == 400
    assert refused.errors == [PARENT_MUST_AGREE]
    assert error_links(refused) == ["parent_agrees"]
    assert summary(refused)["Name"] == parent.name, "the check page stays, with everything"
    assert counts(app) == NOTHING

    for value in ("", "false"):  # posted empty is no tick either
        data = form_fields(refused, "versturen")
        data["parent_agrees"] = value
        data["send"] = "1"
        assert pro.post(f"{ASSISTED_PATH}/versturen", data=data).status_code == 400
    assert counts(app) == NOTHING


def test_samen_aanmelden_with_the_parents_tick_records_who_helped_when_and_which_text(
    app: Flask, pro: Any, vera: Account
) -> None:
    parent = canary_parent()
    checked = professional_check(pro, ASSISTED_PATH, {**parent.answers(), "feedback_consent": "y"})
    moment = (datetime.now(UTC) + timedelta(minutes=1)).replace(microsecond=0)
    with time_machine.travel(moment, tick=False):  # (a cookie signed in the future is refused: stay there)
        sent = send_from(pro, checked, {"parent_agrees": "y"})
        assert sent.status_code == 303 and sent.headers["Location"].endswith("/advies/bevestiging")
        receipt = Page(pro.get(sent.headers["Location"]))
        reloaded = Page(pro.get(sent.headers["Location"]))

    stored = newest_registration(app)
    assert stored.route == "assisted"
    assert stored.helped_by_user_id == vera.id and stored.advisor_user_id == vera.id
    assert stored.consent_text_version == ASSISTED_TEXT_VERSION == version_shown(checked), "the text she read"
    assert stored.created_at == moment, "when"
    assert stored.consent_method is None and stored.advice_code_id is None
    assert (stored.feedback_consent, stored.feedback_text_version) == (True, FEEDBACK_TEXT_VERSION)
    assert counts(app) == {"registrations": 1, "outbox": 1, "creates": 1}

    assert receipt.status == 200 and reference_of(receipt) == stored.reference
    assert len(WITHDRAWAL_CODE.findall(receipt.text)) == 1, "the parent gets her withdrawal code"
    # Once: a reload on the professional's screen shows the reference only.
    assert reference_of(reloaded) == stored.reference and WITHDRAWAL_CODE.findall(reloaded.text) == []
    assert "The withdrawal code was shown only once" in reloaded.text
    assert "Only whether the JGZ contacted her, whether a visit took place" in receipt.text, (
        "written to the professional"
    )


# --- direct referral --------------------------------------------------------------------------


@pytest.mark.parametrize("profession", ["gp", "maternity_care", "social_team", "other"])
def test_only_midwives_and_hospitals_may_refer_directly(app: Flask, profession: str) -> None:
    other = signed_in(app, professional(app, f"{profession}@zorg.example", profession=profession, name="Dr Huis"))
    overview = Page(other.get("/advies"))
    assert overview.status == 200
    assert REFERRAL_PATH not in overview.html, "no referral button"
    assert other.get(REFERRAL_PATH).status_code == 403
    data = {**answers(), "consent": "in_person", "send": "1", "submission_token": "t" * 32}
    token = csrf_token(other)
    for path in (REFERRAL_PATH, f"{REFERRAL_PATH}/versturen"):
        assert other.post(path, data={**data, "csrf_token": token}).status_code == 403, path
        assert other.post(path, data=data).status_code == 403, f"{path} without a form token"
    assert counts(app) == NOTHING
    assert other.get(ASSISTED_PATH).status_code == 200, "samen aanmelden is for every professional"


@pytest.mark.parametrize("profession", ["midwife", "clinical_midwife", "gynaecologist"])
def test_the_verloskundig_zorgverlener_sees_the_referral_route(app: Flask, profession: str) -> None:
    client = signed_in(app, professional(app, f"{profession}@zorg.example", profession=profession))
    assert REFERRAL_PATH in Page(client.get("/advies")).html
    form = Page(client.get(REFERRAL_PATH))
    assert form.status == 200 and form.title.startswith("Refer directly to the JGZ")


@pytest.mark.parametrize("profession", ["hospital_other", "gp", "maternity_care", "social_team", "other"])
def test_other_professionals_in_and_outside_the_hospital_cannot_refer(app: Flask, profession: str) -> None:
    """The standpoint of 30 October 2025 covers the verloskundig zorgverlener only: a hospital nurse
    or social worker advises or registers together, but does not refer on her own."""
    client = signed_in(app, professional(app, f"{profession}@zorg.example", profession=profession))
    overview = Page(client.get("/advies"))
    assert REFERRAL_PATH not in overview.html
    assert client.get(REFERRAL_PATH).status_code == 403
    told = "Ask the administrator of the desk to change your profession." in overview.text
    assert told is (profession == "hospital_other"), "only the old hospital group is told why the button is gone"


def test_the_account_request_and_the_admin_offer_the_three_referring_professions_apart(app: Flask) -> None:
    page = Page(app.test_client().get("/account-aanvragen"))
    offered = re.findall(r'<option[^>]*value="(\w+)"', page.html)
    assert {"midwife", "clinical_midwife", "gynaecologist", "hospital_other"} <= set(offered)
    assert "hospital" not in offered, "no profession that mixes referring and non-referring staff"


def test_the_referral_check_page_says_exactly_what_goes_to_the_jgz_and_that_no_has_no_consequences(
    app: Flask, pro: Any
) -> None:
    parent = canary_parent()
    checked = professional_check(pro, REFERRAL_PATH, {**parent.answers(), "feedback_consent": "y"})
    assert checked.status == 200, checked.errors
    assert "Consent for the referral" in checked.text
    panel = re.search(r'<div class="consent-panel">(.*?)</div>', checked.html, re.S)
    assert panel, "the consent text is on the page, to read to her"
    said = " ".join(re.sub(r"<[^>]+>", " ", panel.group(1)).split())
    # What the PHB is and why she advises it, as the standpoint asks.
    assert re.search(
        r"What it is: a nurse of the youth health care \(JGZ\) can talk with you before your baby is born", said
    ), said
    assert "you decide whether you want it" in said
    assert "Why I advise it: say in your own words why you advise the conversation for her." in said
    # Everything that goes to the JGZ, including what the old text left out, and no "Nothing else".
    fields = re.search(
        r"What goes to the JGZ of your gemeente: ([^.]*)\. Also that I may hear whether the conversation took "
        r"place\. That is all\.",
        said,
    )
    assert fields, f"the text says everything that goes to the JGZ: {said}"
    for named in (
        "your name",
        "phone number",
        "e-mail address",
        "postcode",
        "house number",
        "month your baby is due",
        "language",
        "whether you want an interpreter",
        "when they can best call you",
        "keep in mind",
        "the note",
        "my name and profession",
        "that you agreed to this referral",
    ):
        assert named in fields.group(1), named
    assert "Nothing else" not in said
    assert re.search(r"Saying no has no consequences for (her|your) care\.", said)
    assert version_shown(checked) == REFERRAL_TEXT_VERSION
    assert re.findall(r'<input[^>]*name="consent"[^>]*value="(\w+)"', checked.html) == ["in_person", "by_phone", "no"]
    assert ticked_values(checked, "consent") == [], "nothing is chosen for her"

    # What she was shown is what the JGZ receives: each value on the nurse's page was on this one.
    shown = summary(checked)
    sent = send_from(pro, checked, {"consent": "in_person"})
    assert sent.status_code == 303
    stored = newest_registration(app)
    jgz = nurse(app)
    client = app.test_client()
    client.set_cookie("balie_lang", "en")
    login(client, jgz)
    received = summary(Page(client.get(f"/inbox/{stored.id}")))
    assert received["Name"] == shown["Name"] == parent.name
    assert received["E-mail address"] == shown["E-mail address"] == parent.email
    assert received["Note"] == shown["Note"] == parent.note
    assert re.sub(r"\D", "", received["Phone number"])[-8:] == re.sub(r"\D", "", shown["Phone number"])[-8:]
    assert parent.house_number in received["Address"] and parent.house_number in shown["Address"]
    assert received["Baby due"] == shown["Baby due"]


def test_when_she_says_no_nothing_is_stored_and_the_page_says_it_has_no_consequences(app: Flask, pro: Any) -> None:
    parent = canary_parent()
    declined = Page(refer(pro, "no", parent, feedback=True))
    assert declined.status == 200
    assert declined.title.startswith("Not referred")
    assert "Nothing has been stored or sent." in declined.text
    assert "saying no has no consequences for her care" in declined.text
    assert counts(app) == NOTHING, "no registration, no mail, no access-log row"
    for value in parent.traces().values():
        assert value not in declined.html
    overview = Page(pro.get("/advies"))
    assert "No registrations through your advice yet." in overview.text


@pytest.mark.parametrize("method", ["in_person", "by_phone"])
def test_a_referral_with_consent_records_how_by_whom_when_and_which_text(
    app: Flask, pro: Any, vera: Account, method: str
) -> None:
    checked = professional_check(pro, REFERRAL_PATH, answers(name="Noor Bakker"))
    moment = (datetime.now(UTC) + timedelta(minutes=1)).replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        sent = send_from(pro, checked, {"consent": method})
        assert sent.status_code == 303
        receipt = Page(pro.get(sent.headers["Location"]))
    stored = newest_registration(app)
    assert stored.route == "referral"
    assert stored.consent_method == method
    assert stored.advisor_user_id == vera.id, "by whom"
    assert stored.created_at == moment, "when"
    assert stored.consent_text_version == REFERRAL_TEXT_VERSION == version_shown(checked)
    assert stored.helped_by_user_id is None and stored.feedback_consent is False
    assert counts(app) == {"registrations": 1, "outbox": 1, "creates": 1}

    assert reference_of(receipt) == stored.reference
    assert (
        "What you will hear Nothing: she did not agree that you may hear whether the conversation took place."
        in receipt.text
    )


@pytest.mark.parametrize("answer", [None, "", "maybe", "yes"])
def test_a_referral_without_a_consent_answer_is_refused(app: Flask, pro: Any, answer: str | None) -> None:
    checked = professional_check(pro, REFERRAL_PATH, answers(name="Noor Bakker"))
    data = form_fields(checked, "versturen")
    if answer is not None:
        data["consent"] = answer
    data["send"] = "1"
    refused = Page(pro.post(f"{REFERRAL_PATH}/versturen", data=data))
    assert refused.status == 400
    assert refused.errors == [RECORD_CONSENT]
    assert error_links(refused) == ["consent-0"]
    assert summary(refused)["Name"] == "Noor Bakker"
    assert counts(app) == NOTHING


@pytest.mark.parametrize("route", ["assisted", "referral"])
def test_a_double_submit_makes_one_registration(app: Flask, pro: Any, route: str) -> None:
    path = ASSISTED_PATH if route == "assisted" else REFERRAL_PATH
    checked = professional_check(pro, path, answers(name="Noor Bakker"))
    extra = {"parent_agrees": "y"} if route == "assisted" else {"consent": "by_phone"}
    first = send_from(pro, checked, extra)
    second = send_from(pro, checked, extra)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert counts(app) == {"registrations": 1, "outbox": 1, "creates": 1}
    assert reference_of(Page(pro.get(second.headers["Location"]))) == newest_registration(app).reference


# --- what the JGZ sees ------------------------------------------------------------------------


def test_the_inbox_shows_who_advised_or_referred_the_route_the_consent_and_the_feedback_choice(
    app: Flask, pro: Any, vera: Account
) -> None:
    due = due_month(2)
    assert refer(pro, "by_phone", feedback=True, name="Noor Bakker", due_month=due).status_code == 303
    referral = newest_registration(app)
    assert assisted(pro, feedback=False, name="Ilse Smit").status_code == 303
    helped = newest_registration(app)
    code = make_card(pro, "nl")
    register_with_card(app.test_client(), code, feedback=True, name="Sara Kok")
    carded = newest_registration(app)
    register_with_card(app.test_client(), None, feedback=False, name="Eva Berg")
    alone = newest_registration(app)

    client = app.test_client()
    client.set_cookie("balie_lang", "en")
    login(client, nurse(app))

    page = Page(client.get(f"/inbox/{referral.id}"))
    rows = summary(page)
    assert rows["How registered"] == "Direct referral by a professional, with consent"
    assert rows["Advised or referred by"] == f"{PRO_NAME} (Midwife (verloskundige))"
    assert rows["Feedback to that professional"] == f"Yes, process only, until {english_date(feedback_expiry(due))}"
    assert (
        rows["Consent recorded"]
        == f"{local_minute(referral.created_at)}, by phone – text version {REFERRAL_TEXT_VERSION}"
    )

    rows = summary(Page(client.get(f"/inbox/{helped.id}")))
    assert rows["How registered"] == "Together with a professional (samen aanmelden)"
    assert rows["Advised or referred by"] == f"{PRO_NAME} (Midwife (verloskundige))"
    assert rows["Feedback to that professional"] == "No"
    assert rows["Consent recorded"] == f"{local_minute(helped.created_at)} – text version {ASSISTED_TEXT_VERSION}"

    rows = summary(Page(client.get(f"/inbox/{carded.id}")))
    assert rows["How registered"].startswith("By the parent")
    assert rows["Advised or referred by"] == f"{PRO_NAME} (Midwife (verloskundige)) – advice card"
    assert rows["Feedback to that professional"].startswith("Yes, process only, until ")
    assert "Consent recorded" not in rows

    rows = summary(Page(client.get(f"/inbox/{alone.id}")))
    assert rows["How registered"].startswith("By the parent")
    assert "Advised or referred by" not in rows and "Feedback to that professional" not in rows


def test_a_referral_without_a_fixed_address_tells_her_what_goes_instead_of_a_postcode(app: Flask, pro: Any) -> None:
    typed = {
        **canary_parent().answers(),
        "no_fixed_address": "y",
        "postcode": "",
        "house_number": "",
        "no_address_municipality": "GM0503",
    }
    checked = professional_check(pro, REFERRAL_PATH, typed)
    assert checked.status == 200, checked.errors
    panel = re.search(r'<div class="consent-panel">(.*?)</div>', checked.html, re.S)
    assert panel
    said = " ".join(re.sub(r"<[^>]+>", " ", panel.group(1)).split())
    assert "that you have no fixed address now, the gemeente where you are staying" in said
    assert "postcode" not in said and "house number" not in said
