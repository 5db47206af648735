"""Advice cards (issue 6 §1, §5; T-08): a professional prints a card with a QR code in the
parent's language; the parent registers with the code, prefilled or typed, and chooses
whether the professional may hear how it went (default: no).

A professional (midwife Vera) works in English on her own screen; the cards speak the
parent's language. Personal values are canaries, so the tests can look for them where they
must never be.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from balie.domain.consent import FEEDBACK_TEXT_VERSION
from balie.domain.registration import PRIVACY_TEXT_VERSION
from balie.extensions import db
from balie.models import AdviceCode, Registration
from balie.registration.spam import FormGuard
from tests.conftest import TEST_SECRET
from tests.support.accounts import Account
from tests.support.pages import Page
from tests.support.professionals import (
    BASE_URL,
    CODE,
    DELFLAND_NAME,
    PRO_NAME,
    WITHDRAWAL_CODE,
    build_app,
    canary_parent,
    check_page,
    counts,
    english_date,
    feedback_expiry,
    make_card,
    newest_registration,
    open_registration,
    professional,
    qr_link,
    reference_of,
    register_with_card,
    retire_card,
    send_from,
    signed_in,
)
from tests.support.registration import answers, due_month
from tests.web.helpers import error_links, form_fields

UNKNOWN_CODE_ERROR = "We do not know this code. Check it, or leave the field empty"
TITLES = {"nl": "Een gesprek over u en uw baby", "en": "A conversation about you and your baby"}


def parent_browser(app: Flask, language: str | None = "en") -> Any:
    client = app.test_client()
    if language:
        client.set_cookie("balie_lang", language)
    return client


# --- reading the card -------------------------------------------------------------------------


def html_lang(page: Page) -> str:
    found = re.search(r'<html[^>]*\blang="([^"]+)"', page.html)
    assert found
    return found.group(1)


def qr_svg(page: Page) -> str:
    found = re.search(r'<div class="advice-card__qr"[^>]*>\s*(<svg\b.*?</svg>)\s*</div>', page.html, re.S)
    assert found, "no inline SVG QR code on the card"
    return found.group(1)


def card_link(code: str, language: str) -> str:
    return f"{BASE_URL}/aanmelden?code={code}&lang={language}"


def shown_code(page: Page) -> str:
    found = re.search(r'<p class="advice-card__code">([^<]*)</p>', page.html)
    assert found, "no code printed on the card"
    return found.group(1).strip()


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


# --- making a card ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_professional_makes_a_card_with_a_qr_code_to_the_form_in_the_cards_language(
    app: Flask, pro: Any, language: str
) -> None:
    form = Page(pro.get("/advies/kaarten/nieuw"))
    assert form.status == 200 and form.title.startswith("Make an advice card")
    assert form.options("language") == ["nl", "en"]

    code = make_card(pro, language, label="Praktijk De Bron")
    assert CODE.match(code), code
    card = Page(pro.get(f"/advies/kaarten/{code}"))
    assert card.status == 200
    assert html_lang(card) == language, "the card speaks the parent's language"
    assert card.title.startswith(TITLES[language])
    other = TITLES["en" if language == "nl" else "nl"]
    assert other not in card.text

    svg = qr_svg(card)
    assert "<script" not in svg and "<img" not in card.html, "an inline SVG, no image or script from elsewhere"
    other_language = "en" if language == "nl" else "nl"
    candidates = [
        card_link(code, language),
        card_link(code, other_language),
        f"http://127.0.0.1:5000/aanmelden?code={code}&lang={language}",
    ]
    assert qr_link(svg, candidates) == card_link(code, language)
    assert shown_code(card) == code, "the code to type in is printed under the QR code"
    assert BASE_URL in card.text, "the address to type in, for a parent without a camera"

    overview = Page(pro.get("/advies"))
    assert code in overview.text and "Praktijk De Bron" in overview.text


def test_a_card_is_only_shown_to_the_professional_who_made_it(app: Flask, pro: Any) -> None:
    code = make_card(pro, "nl")
    colleague = signed_in(app, professional(app, "ilse@verloskunde.example", name="Ilse Ander"))
    assert colleague.get(f"/advies/kaarten/{code}").status_code == 404
    assert code not in Page(colleague.get("/advies")).html
    assert app.test_client().get(f"/advies/kaarten/{code}").status_code in (302, 303), "anonymous: log in first"


def test_the_card_and_its_link_never_carry_anything_about_a_parent(app: Flask, pro: Any) -> None:
    code = make_card(pro, "en")
    before = Page(pro.get(f"/advies/kaarten/{code}"))
    link = qr_link(qr_svg(before), [card_link(code, "en")])
    assert dict(parse_qsl(urlsplit(link).query)) == {"code": code, "lang": "en"}, "only the code and the language"
    assert make_card(pro, "en") != code, "every card has its own random code"

    parent = canary_parent()
    confirmation = register_with_card(parent_browser(app), code, feedback=True, parent=parent)
    assert confirmation.status == 200

    after = Page(pro.get(f"/advies/kaarten/{code}"))
    assert qr_svg(after) == qr_svg(before) and shown_code(after) == code, "a registration changes nothing on the card"
    for page in (after, Page(pro.get("/advies"))):
        for field, value in parent.traces().items():
            assert value not in page.html, f"{field} of the parent shows on the professional's page"


# --- the parent opens the link ----------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_opening_the_link_prefills_the_code_and_the_whole_registration_speaks_the_cards_language(
    app: Flask, pro: Any, vera: Account, language: str
) -> None:
    code = make_card(pro, language)
    link = qr_link(qr_svg(Page(pro.get(f"/advies/kaarten/{code}"))), [card_link(code, language)])
    parent = parent_browser(app, language=None)  # a phone that never visited the desk

    form = Page(parent.get(path_of(link)))
    assert form.status == 200 and html_lang(form) == language
    fields = form_fields(form, "/aanmelden")
    assert fields.get("advice_code") == code, "the code is filled in"
    assert "feedback_consent" not in fields, "the feedback box is not ticked by default"

    checked = check_page(parent, form, {**answers(), "feedback_consent": "y"})
    assert checked.status == 200, checked.errors
    assert html_lang(checked) == language, "the check page is in the card's language too"
    assert PRO_NAME in checked.text, "she sees whose code it is"
    sent = send_from(parent, checked)
    assert sent.status_code == 303
    confirmation = Page(parent.get(sent.headers["Location"]))
    assert html_lang(confirmation) == language, "and so is the confirmation"

    stored = newest_registration(app)
    assert stored.advisor_user_id == vera.id and stored.feedback_consent is True
    assert stored.locale == language, "her mail (if she wants one) comes in her language"

    # She prefers the other language: the switch in the header works on the card's page too.
    other = "en" if language == "nl" else "nl"
    switch = re.search(rf'<a href="(/taal/{other}\?[^"]+)"', form.html)
    assert switch, "a link to the other language"
    moved = parent.get(switch.group(1).replace("&amp;", "&"))
    assert moved.status_code == 303
    switched = Page(parent.get(moved.headers["Location"]))
    assert html_lang(switched) == other, "her choice wins over the card's language"
    assert form_fields(switched, "/aanmelden").get("advice_code") == code, "and the code stays filled in"


def test_a_parent_registers_with_the_code_typed_in_her_own_way(app: Flask, pro: Any, vera: Account) -> None:
    code = make_card(pro, "nl")
    typed = f" {code[:4].lower()} {code[4:].lower()} "
    confirmation = register_with_card(parent_browser(app), typed, feedback=True, prefilled=False)
    assert confirmation.title.startswith("Registration received")
    stored = newest_registration(app)
    with app.app_context():
        card_id = db.session.scalar(select(AdviceCode.id).where(AdviceCode.code == code))
    assert (stored.advice_code_id, stored.advisor_user_id, stored.route) == (card_id, vera.id, "self")
    assert stored.feedback_consent is True
    assert stored.feedback_text_version == FEEDBACK_TEXT_VERSION, "the version of the text she agreed to"
    assert stored.privacy_text_version == PRIVACY_TEXT_VERSION
    assert stored.feedback_until == feedback_expiry(due_month())
    assert stored.helped_by_user_id is None and stored.consent_method is None


@pytest.mark.parametrize("kind", ["unknown", "withdrawn", "mistyped"])
@pytest.mark.parametrize("how", ["typed", "prefilled"])
def test_an_unknown_or_withdrawn_code_gives_a_clear_error_and_stores_nothing(
    app: Flask, pro: Any, kind: str, how: str
) -> None:
    code = make_card(pro, "en")
    if kind == "withdrawn":
        retire_card(pro, code)
    wrong = {"unknown": "ZZZZ2222", "withdrawn": code, "mistyped": code[:7]}[kind]
    parent = parent_browser(app)
    before = counts(app)
    form = open_registration(parent, {"code": wrong} if how == "prefilled" else None)
    typed = {**answers(name="Sam Prins", note="bel mij"), "feedback_consent": "y"}
    if how == "typed":
        typed["advice_code"] = wrong

    checked = check_page(parent, form, typed)
    assert checked.status == 400
    assert checked.errors == [UNKNOWN_CODE_ERROR]
    assert error_links(checked) == ["advice_code"], "the error summary leads to the code field"
    kept = form_fields(checked, "/aanmelden")
    assert kept.get("name") == "Sam Prins" and kept.get("feedback_consent") == "y", "nothing she typed is lost"

    # Straight to the send step (a stale check page, or a robot): refused the same way.
    fields = form_fields(form, "/aanmelden")
    for name, value in typed.items():
        fields.setlist(name, [value])
    sent = parent.post("/aanmelden/versturen", data=fields)
    assert sent.status_code == 400 and Page(sent).errors == [UNKNOWN_CODE_ERROR]
    assert counts(app) == before, "nothing stored, nothing queued, nothing logged as created"


def test_without_the_tick_the_professional_hears_nothing_and_the_receipt_says_so(
    app: Flask, pro: Any, vera: Account
) -> None:
    code = make_card(pro, "en")
    confirmation = register_with_card(parent_browser(app), code, feedback=False)
    stored = newest_registration(app)
    assert stored.advisor_user_id == vera.id, "who advised is known: she used the code"
    assert (stored.feedback_consent, stored.feedback_text_version, stored.feedback_until) == (False, None, None)
    assert f"{PRO_NAME} will not hear anything about your registration." in confirmation.text
    assert "will only hear" not in confirmation.text


def test_the_receipt_says_what_was_shared_with_whom_what_the_professional_hears_and_how_to_withdraw(
    app: Flask, pro: Any
) -> None:
    code = make_card(pro, "en")
    confirmation = register_with_card(parent_browser(app), code, feedback=True, due_month=due_month(2))
    assert confirmation.status == 200
    text = confirmation.text
    assert "What was shared, with whom" in text
    assert f"Only {DELFLAND_NAME} received your details" in text
    until = english_date(feedback_expiry(due_month(2)))
    hears = re.search(rf"{PRO_NAME} will only hear (.*?) until {until}\.", text)
    assert hears, "what the professional will hear, and until when"
    assert "visit" in hears.group(1) and re.search(r"never what you talked about", hears.group(1), re.I)
    codes = WITHDRAWAL_CODE.findall(text)
    assert len(codes) == 1, "one withdrawal code"
    reference = reference_of(confirmation)
    links = re.findall(r'href="(/intrekken[^"]*)"', confirmation.html)
    assert links == [f"/intrekken?kenmerk={reference}"], "the link to withdraw, her reference filled in (not the code)"

    plain = register_with_card(parent_browser(app), None, feedback=True)
    assert "will only hear" not in plain.text and "will not hear anything" not in plain.text, "nobody advised her"
    assert newest_registration(app).feedback_consent is False, "a tick without a code means nothing"


# --- T-08: feedback consent and advisor fields cannot be injected ----------------------------

SMUGGLED_KEYS = (
    "Feedback_Consent",
    "FEEDBACK_CONSENT",
    "feedback-consent",
    "feedback_consent[]",
    "feedback_consent ",
    "feedbackconsent",
    " feedback_consent",
    "feedback_consent\x00",
    "data[feedback_consent]",
)
SMUGGLED_TEXT = (
    "feedback_consent=1",
    "&feedback_consent=y",
    "feedback_consent=y&advisor_user_id={pro}",
    '"feedback_consent": true',
)


@pytest.fixture
def t08(sqlite_template_path: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    application = build_app(sqlite_template_path, tmp_path / "t08")
    vera = professional(application)
    pro = signed_in(application, vera)
    active = make_card(pro, "nl")
    withdrawn = make_card(pro, "en")
    retire_card(pro, withdrawn)
    with application.app_context():
        card_ids = {c.code: c.id for c in db.session.scalars(select(AdviceCode))}
    yield {"app": application, "pro": vera.id, "active": active, "withdrawn": withdrawn, "card_ids": card_ids}
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def code_text(kind: str, active: str, withdrawn: str) -> str:
    return {
        "none": "",
        "blank": "   ",
        "valid": active,
        "messy": f"{active[:4].lower()}-{active[4:].lower()}",
        "withdrawn": withdrawn,
        "unknown": "QQQQ7777",
        "short": active[:5],
    }[kind]


@st.composite
def attempts(draw: st.DrawFn, pro_id: str, card_ids: list[str]) -> dict[str, Any]:
    ids = st.sampled_from([pro_id, *card_ids, "1", "true"])
    extras = st.lists(
        st.one_of(
            st.tuples(st.sampled_from(["advisor_user_id", "helped_by_user_id", "advice_code_id", "advisor"]), ids),
            st.tuples(st.sampled_from(["route"]), st.sampled_from(["assisted", "referral", "self"])),
            st.tuples(st.sampled_from(["consent", "consent_method"]), st.sampled_from(["in_person", "by_phone"])),
            st.tuples(
                st.sampled_from(["parent_agrees", "feedback_text_version", "feedback_until"]),
                st.sampled_from(["y", "1", "2099-12-31"]),
            ),
            st.tuples(st.sampled_from(SMUGGLED_KEYS), st.sampled_from(["y", "1", "on", "true"])),
        ),
        max_size=5,
    )
    return {
        "code": draw(st.sampled_from(["valid", "valid", "messy", "none", "blank", "withdrawn", "unknown", "short"])),
        "prefilled": draw(st.booleans()),
        # The box itself: ticked (what a browser sends), not posted at all, or posted empty.
        "box": draw(st.sampled_from(["y", "y", None, "", "false"])),
        "query": draw(extras | st.just([("feedback_consent", "1")])),
        "body": draw(extras),
        "hidden_in": draw(st.sampled_from([None, "name", "note", "advisor_kind_note"])),
        "smuggled": draw(st.sampled_from(SMUGGLED_TEXT)),
        "post_query": draw(st.booleans()),
        "via_check": draw(st.booleans()),
        "advisor_kind": draw(st.sampled_from(["", "midwife", "gp"])),
    }


def test_t08_feedback_consent_and_advisor_cannot_be_injected(t08: dict[str, Any]) -> None:
    """200 generated attempts: the only way to a stored 'yes' is the ticked box with a valid code;
    there is never an advisor without a code."""
    app: Flask = t08["app"]
    client = app.test_client()
    client.set_cookie("balie_lang", "en")
    guard = FormGuard(TEST_SECRET, 0, 24 * 3600)
    active_id = t08["card_ids"][t08["active"]]
    tally = {"stored": 0, "consented": 0, "refused": 0}

    plain = {
        "prefilled": False,
        "box": None,
        "query": [],
        "body": [],
        "hidden_in": None,
        "smuggled": SMUGGLED_TEXT[0],
        "post_query": False,
        "via_check": False,
        "advisor_kind": "",
    }

    # The three outcomes are always tried (explicit examples run first, whatever the random draw),
    # so the tally below is a fixed floor, not a bet on how often the generator hits a case.
    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(case=attempts(t08["pro"], list(t08["card_ids"].values())))
    @example(case={**plain, "code": "valid", "box": "y"})  # stored, with consent
    @example(case={**plain, "code": "none", "box": "y", "via_check": True})  # stored, no code: no consent
    @example(case={**plain, "code": "unknown", "box": "y"})  # refused
    def attempt(case: dict[str, Any]) -> None:
        code = code_text(case["code"], t08["active"], t08["withdrawn"])
        query = [(k, v) for k, v in case["query"]]
        if case["prefilled"] and code:
            query.append(("code", code))
        form = Page(client.get("/aanmelden?" + urlencode(query)))
        assert form.status == 200
        fields = form_fields(form, "/aanmelden")
        assert "feedback_consent" not in fields, "never ticked by the address"
        assert fields.get("advice_code", "") == (
            "".join(ch for ch in code.upper() if ch.isalnum()) if case["prefilled"] else ""
        )
        smuggled = case["smuggled"].format(pro=t08["pro"])
        typed = answers(advisor_kind=case["advisor_kind"])
        if case["hidden_in"] == "name":
            typed["name"] = f"Sam {smuggled}"[:80]
        elif case["hidden_in"] in ("note", "advisor_kind_note"):
            typed["note"] = smuggled
        for name, value in typed.items():
            fields.setlist(name, [value])
        if not case["prefilled"]:
            fields.setlist("advice_code", [code])
        if case["box"] is not None:
            fields.setlist("feedback_consent", [case["box"]])
        for name, value in case["body"]:
            fields.add(name, value)
        submission = guard.new_submission_token()
        fields.setlist("submission_token", [submission])
        fields.setlist("started", [guard.timing_token(submission)])
        suffix = ("?" + urlencode(case["query"])) if case["post_query"] else ""

        ticked = case["box"] == "y"
        given_code = bool(code.strip())
        valid = case["code"] in ("valid", "messy")
        before = counts(app)["registrations"]
        if case["via_check"]:
            checked = Page(client.post("/aanmelden" + suffix, data=fields))
            if given_code and not valid:
                assert checked.status == 400 and UNKNOWN_CODE_ERROR in checked.errors
            else:
                assert checked.status == 200, checked.errors
                fields = form_fields(checked, "versturen")
                for name, value in case["body"]:
                    fields.add(name, value)
        fields["send"] = "1"
        sent = client.post("/aanmelden/versturen" + suffix, data=fields)
        after = counts(app)["registrations"]

        if given_code and not valid:
            assert sent.status_code == 400 and after == before, "an unknown code stores nothing"
            tally["refused"] += 1
            return
        assert sent.status_code == 303, Page(sent).errors
        assert after == before + 1
        stored = newest_registration(app)
        assert stored.route == "self"
        assert stored.feedback_consent is (ticked and valid), case
        assert stored.advisor_user_id == (t08["pro"] if valid else None), case
        assert stored.advice_code_id == (active_id if valid else None)
        assert (
            stored.helped_by_user_id is None and stored.consent_method is None and stored.consent_text_version is None
        )
        assert stored.feedback_text_version == (FEEDBACK_TEXT_VERSION if ticked and valid else None)
        assert (stored.feedback_until is not None) is (ticked and valid)
        tally["stored"] += 1
        tally["consented"] += int(stored.feedback_consent)

    attempt()
    with app.app_context():
        rows = db.session.scalars(select(Registration)).all()
        assert not [r for r in rows if r.feedback_consent and r.advice_code_id is None], "a yes without a code"
        assert not [r for r in rows if r.advisor_user_id is not None and r.advice_code_id is None], (
            "an advisor without a code"
        )
        assert all(r.feedback_text_version == FEEDBACK_TEXT_VERSION for r in rows if r.feedback_consent)
    # Every outcome was reached (the explicit examples guarantee it while the desk works).
    assert tally["stored"] >= 2 and tally["consented"] >= 1 and tally["refused"] >= 1, tally
