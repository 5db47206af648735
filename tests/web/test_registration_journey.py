"""The parent's registration, as she goes through it: form → check → send → confirmation.

Also what happens around it: the postcode in two gemeenten, outside the region, changing an
answer, double submits, a slow parent, robots, floods, oversized requests, headers, language.
Texts are asserted in English (the parent chose English); Dutch is checked through `lang`.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from balie.extensions import db
from balie.models import OutboxMessage, Registration
from balie.services.registrations.personal_data import open_details
from tests.support.pages import Page
from tests.support.registration import APELDOORN, EDE, TWO_GEMEENTEN, answers, open_form, serve_apeldoorn
from tests.web.helpers import (
    assert_kept,
    english,
    fill,
    focused_fields,
    form_fields,
    outbox_count,
    registration_count,
)

DELFLAND = "JGZ Delfland (voorbeeld)"
HOFSTAD = "Jeugdgezondheid Hofstad (voorbeeld)"


def full_answers(**overrides: Any) -> dict[str, Any]:
    """A registration that uses every field of the form."""
    return answers(
        **{
            "name": "Sam de Vries",
            "phone": "06 12345678",
            "email": "sam@example.com",
            "house_number_addition": "a",
            "language": "ar",
            "interpreter": "yes",
            "call_times": ["morning", "evening"],
            "no_voicemail": "y",
            "discreet": "y",
            "advisor_kind": "midwife",
            "note": "Graag na vijven bellen.\r\nDank je wel!",
            "wants_mail": "y",
            **overrides,
        }
    )


def start(client: Any, **overrides: Any) -> tuple[Page, dict[str, Any]]:
    """Open the form and post her answers to the first step."""
    typed = full_answers(**overrides)
    form = Page(client.get("/aanmelden"))
    assert form.status == 200
    return Page(client.post("/aanmelden", data=fill(form, typed))), typed


def send_checked(client: Any, checked: Page, **kwargs: Any) -> Any:
    return client.post("/aanmelden/versturen", data=form_fields(checked, "/aanmelden/versturen"), **kwargs)


def only_registration(app: Any) -> Registration:
    with app.app_context():
        return db.session.scalars(select(Registration)).one()


# --- the whole journey --------------------------------------------------------------------


def test_a_parent_registers_from_the_home_page_to_the_confirmation(app, en_client):
    home = Page(en_client.get("/"))
    assert home.status == 200
    assert 'href="/aanmelden"' in home.html

    checked, _typed = start(en_client)
    assert checked.status == 200, checked.errors
    assert checked.title.startswith("Check your answers")
    for shown in (
        "Sam de Vries",
        "06 12345678",
        "sam@example.com",
        "2611 AB 12 A, Delft",
        DELFLAND,
        "Goede Start gesprek",
    ):
        assert shown in checked.text
    assert registration_count(app) == 0, "nothing is stored before she presses send"

    sent = send_checked(en_client, checked)
    assert sent.status_code == 303
    assert urlsplit(sent.headers["Location"]).path == "/aanmelden/bevestiging"
    confirmation = Page(en_client.get(sent.headers["Location"]))

    row = only_registration(app)
    assert confirmation.status == 200
    assert "Registration received" in confirmation.text
    assert row.reference in confirmation.text
    assert DELFLAND in confirmation.text
    assert "within 5 working days" in confirmation.text
    assert row.reference not in sent.headers["Location"], "no reference (or anything personal) in a URL"

    # What the organisation gets is what she typed, normalised.
    details = open_details(row, app.extensions["balie.keys"])
    assert (details.name, details.phone, details.email) == ("Sam de Vries", "+31612345678", "sam@example.com")
    assert details.address == "2611 AB 12 A"
    assert details.note == "Graag na vijven bellen.\r\nDank je wel!"
    assert details.preferences.call_times == ("morning", "evening")
    assert details.preferences.no_voicemail and details.preferences.discreet
    assert not details.preferences.no_text_messages
    assert (row.language, row.interpreter, row.advisor_kind) == ("ar", "yes", "midwife")
    assert row.municipality_code == "GM0503" and row.wants_mail
    with app.app_context():
        kinds = sorted(m.kind for m in db.session.scalars(select(OutboxMessage)))
    assert kinds == ["new_registration", "parent_confirmation"]


def test_without_the_mail_box_ticked_only_the_organisation_is_told(app, en_client):
    checked, _typed = start(en_client, wants_mail=None)
    assert send_checked(en_client, checked).status_code == 303
    assert registration_count(app) == 1
    assert outbox_count(app) == 1
    assert not only_registration(app).wants_mail


def test_a_postcode_typed_in_an_unusual_way_is_understood(app, en_client):
    checked, _typed = start(en_client, postcode=" 26 11-ab ")
    assert checked.status == 200, checked.errors
    assert DELFLAND in checked.text
    assert send_checked(en_client, checked).status_code == 303
    assert registration_count(app) == 1


# --- routing: two gemeenten, outside the region ---------------------------------------------


def test_a_postcode_in_two_gemeenten_asks_which_one_and_keeps_everything(app, en_client):
    serve_apeldoorn(app)
    page, typed = start(en_client, postcode=TWO_GEMEENTEN)
    assert page.status == 200
    assert "Your postcode lies in more than one gemeente" in page.text
    assert "In which gemeente do you live?" in page.text
    assert f'value="{APELDOORN}"' in page.html and f'value="{EDE}"' in page.html
    assert "Apeldoorn" in page.text and "Ede" in page.text
    assert "municipality" not in form_fields(page, "/aanmelden"), "no gemeente is chosen for her"
    assert focused_fields(page) == ["municipality"]
    assert not page.title.startswith("Error"), "a question, not an error: she could not have known"
    assert_kept(page, typed)
    assert registration_count(app) == 0

    choice = form_fields(page, "/aanmelden")
    choice["municipality"] = APELDOORN
    checked = Page(en_client.post("/aanmelden", data=choice))
    assert checked.status == 200, checked.errors
    assert HOFSTAD in checked.text
    assert "7351 AB 12 A, Apeldoorn" in checked.text

    sent = send_checked(en_client, checked)
    assert sent.status_code == 303
    confirmation = Page(en_client.get(sent.headers["Location"]))
    assert HOFSTAD in confirmation.text
    assert "within 3 working days" in confirmation.text
    row = only_registration(app)
    assert row.municipality_code == APELDOORN
    assert row.reference in confirmation.text


def test_choosing_the_gemeente_outside_the_region_gets_the_kind_page(app, en_client):
    serve_apeldoorn(app)
    page, _typed = start(en_client, postcode=TWO_GEMEENTEN)
    choice = form_fields(page, "/aanmelden")
    choice["municipality"] = EDE
    outcome = Page(en_client.post("/aanmelden", data=choice))
    assert outcome.status == 200
    assert "You live in Ede" in outcome.text
    assert "Gelderland-Midden" in outcome.text
    assert registration_count(app) == 0


def test_a_postcode_outside_the_region_gets_a_kind_page_and_nothing_is_stored(app, en_client):
    page, typed = start(en_client, postcode="1012 AB")
    assert page.status == 200
    assert "Amsterdam" in page.title
    assert "You live in Amsterdam" in page.text
    assert "GGD Amsterdam" in page.text
    assert "Nothing has been saved" in page.text
    assert "Wassenaar" in page.text, "it says which gemeenten this desk is for"
    # An English reader learns the two Dutch words she has to act on.
    assert "gemeente (municipality)" in page.text and "consultatiebureau (the child health clinic)" in page.text
    assert registration_count(app) == 0

    # Even a robot posting straight to the send step stores nothing.
    tokens = open_form(en_client)
    direct = Page(en_client.post("/aanmelden/versturen", data={**tokens, **typed}))
    assert "You live in Amsterdam" in direct.text
    assert registration_count(app) == 0 and outbox_count(app) == 0

    # "Change your postcode" brings back her form, everything kept, the postcode focused.
    change = form_fields(page, "/aanmelden")
    change["edit"] = "postcode"
    again = Page(en_client.post("/aanmelden", data=change))
    assert again.status == 200
    assert again.title.startswith("Register for the conversation")
    assert focused_fields(again) == ["postcode"]
    assert_kept(again, typed)


# --- changing an answer, double submits -----------------------------------------------------


@pytest.mark.parametrize("field", ["name", "note", "due_month", "call_times"])
def test_change_on_the_check_page_brings_back_the_form_with_her_answers(app, en_client, field):
    checked, typed = start(en_client)
    data = form_fields(checked, "/aanmelden/versturen")
    data["edit"] = field
    page = Page(en_client.post("/aanmelden", data=data))
    assert page.status == 200
    assert page.title.startswith("Register for the conversation")
    assert not page.errors
    assert_kept(page, typed)
    focus = "call_times" if field == "call_times" else field
    assert focused_fields(page) == [focus]
    assert registration_count(app) == 0


def test_a_changed_answer_is_what_gets_sent(app, en_client):
    checked, _typed = start(en_client)
    data = form_fields(checked, "/aanmelden/versturen")
    data["edit"] = "note"
    form = Page(en_client.post("/aanmelden", data=data))
    changed = form_fields(form, "/aanmelden")
    changed["note"] = "Liever een e-mail."
    checked_again = Page(en_client.post("/aanmelden", data=changed))
    assert "Liever een e-mail." in checked_again.text
    assert send_checked(en_client, checked_again).status_code == 303
    details = open_details(only_registration(app), app.extensions["balie.keys"])
    assert details.note == "Liever een e-mail."


def test_a_double_submit_and_a_refresh_of_the_post_give_one_registration_and_one_reference(app, en_client):
    checked, _typed = start(en_client)
    responses = [send_checked(en_client, checked) for _ in range(3)]  # double click, then F5 on the POST
    assert [r.status_code for r in responses] == [303, 303, 303]
    assert registration_count(app) == 1
    assert outbox_count(app) == 2
    reference = only_registration(app).reference
    for response in responses:
        page = Page(en_client.get(response.headers["Location"]))
        assert reference in page.text
    # A refresh of the confirmation page stores nothing either.
    assert reference in Page(en_client.get("/aanmelden/bevestiging")).text
    assert registration_count(app) == 1


def test_resending_from_another_browser_tab_with_the_same_form_shows_the_same_reference(app, en_client):
    checked, _typed = start(en_client)
    first = send_checked(en_client, checked)
    reference = only_registration(app).reference
    # The confirmation cookie is gone (another tab, a restarted browser): the retry finds it.
    en_client.delete_cookie("balie_session")
    retry_form = form_fields(checked, "/aanmelden/versturen")
    retry_form["csrf_token"] = open_form(en_client)["csrf_token"]
    retry = en_client.post("/aanmelden/versturen", data=retry_form)
    assert first.status_code == retry.status_code == 303
    assert reference in Page(en_client.get(retry.headers["Location"])).text
    assert registration_count(app) == 1


def test_the_confirmation_is_shown_for_two_hours_only(app, en_client):
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        checked, _typed = start(en_client)
        send_checked(en_client, checked)
        reference = only_registration(app).reference

        clock.shift(timedelta(hours=1, minutes=59))
        assert reference in Page(en_client.get("/aanmelden/bevestiging")).text

        clock.shift(timedelta(minutes=1, seconds=1))
        later = Page(en_client.get("/aanmelden/bevestiging"))
    assert later.status == 200
    assert reference not in later.html
    assert DELFLAND not in later.text
    assert "There is no confirmation to show here" in later.text


WITHDRAWAL_CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
SHOWN_ONCE = "The withdrawal code was shown only once, right after the registration was sent."


def withdrawal_code_on(page: Page) -> str | None:
    found = re.search(r'<strong class="withdrawal-code">([^<]+)</strong>', page.html)
    return found.group(1) if found else None


def test_the_withdrawal_code_is_shown_once_then_only_the_reference(app, en_client):
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        checked, _typed = start(en_client)
        sent = send_checked(en_client, checked)
        reference = only_registration(app).reference

        first = Page(en_client.get(sent.headers["Location"]))
        code = withdrawal_code_on(first)
        assert reference in first.text and code and WITHDRAWAL_CODE.fullmatch(code)
        assert "The withdrawal code is shown only this once." in first.text
        assert SHOWN_ONCE not in first.text

        # A reload, or the next person at this phone or computer: the reference, never the code.
        clock.shift(timedelta(minutes=5))
        second = Page(en_client.get("/aanmelden/bevestiging"))
        assert second.status == 200
        assert reference in second.text and DELFLAND in second.text
        assert code not in second.html and withdrawal_code_on(second) is None
        assert WITHDRAWAL_CODE.findall(second.text) == []
        assert SHOWN_ONCE in second.text
        assert f"Did you not write it down? Contact {DELFLAND} and mention your reference." in second.text
        assert f'href="/intrekken?kenmerk={reference}"' in second.html, (
            "she can still withdraw with a code she wrote down"
        )

        # After the window: nothing at all.
        clock.shift(timedelta(hours=2))
        later = Page(en_client.get("/aanmelden/bevestiging"))
    assert reference not in later.html and code not in later.html
    assert "There is no confirmation to show here" in later.text


def test_a_double_click_still_shows_the_code_once_but_sending_again_later_does_not_bring_it_back(app, en_client):
    checked, _typed = start(en_client)
    first, second = send_checked(en_client, checked), send_checked(en_client, checked)  # before any page showed
    assert first.status_code == second.status_code == 303
    reference = only_registration(app).reference
    shown = Page(en_client.get(second.headers["Location"]))
    code = withdrawal_code_on(shown)
    assert reference in shown.text and code, "she has not seen the code yet: it is shown"

    # Back to the check page and "Send" again (the same form): the same confirmation, without the code.
    again = send_checked(en_client, checked)
    assert again.status_code == 303
    page = Page(en_client.get(again.headers["Location"]))
    assert reference in page.text and SHOWN_ONCE in page.text
    assert code not in page.html
    assert registration_count(app) == 1


# --- a slow parent: expired CSRF token (T-09) -----------------------------------------------


@pytest.mark.parametrize("how", ["clock", "cookie"])
@pytest.mark.parametrize("step", ["form", "check page"])
def test_an_expired_page_comes_back_with_her_answers_and_the_next_post_succeeds(app, en_client, how, step):
    limit = int(app.config["WTF_CSRF_TIME_LIMIT"])
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        form = Page(en_client.get("/aanmelden"))
        typed = full_answers()
        url, data = "/aanmelden", fill(form, typed)
        if step == "check page":
            checked = Page(en_client.post(url, data=data))
            url, data = "/aanmelden/versturen", form_fields(checked, "/aanmelden/versturen")
        if how == "clock":
            clock.shift(timedelta(seconds=limit + 1))
        else:
            en_client.delete_cookie("balie_session")

        page = Page(en_client.post(url, data=data))
        assert page.status == 400
        assert "this page had expired" in page.text
        assert "Your answers are still here" in page.text
        assert_kept(page, typed)
        assert page.hidden("csrf_token") != data["csrf_token"], "a fresh token"
        assert form_fields(page, "/aanmelden")["website"] == ""
        assert registration_count(app) == 0

        checked = Page(en_client.post("/aanmelden", data=form_fields(page, "/aanmelden")))
        assert checked.status == 200, checked.errors
        assert send_checked(en_client, checked).status_code == 303
    assert registration_count(app) == 1


def test_a_post_without_any_token_is_refused_kindly(app, en_client):
    page = Page(en_client.post("/aanmelden/versturen", data=full_answers()))
    assert page.status == 400
    assert_kept(page, full_answers())
    assert registration_count(app) == 0


# --- robots: honeypot, too fast, stale or tampered timing token (T-06) -----------------------


def test_a_filled_honeypot_stores_nothing_and_shows_the_form_again(app, en_client):
    form = Page(en_client.get("/aanmelden"))
    typed = full_answers()
    data = fill(form, {**typed, "website": "http://cheap-pills.example"})
    page = Page(en_client.post("/aanmelden/versturen", data=data))
    assert page.status == 400
    assert page.title.startswith("Register for the conversation")
    assert "We could not send your registration yet" in page.text
    assert form_fields(page, "/aanmelden")["website"] == "", "the robot's text is not echoed"
    assert "cheap-pills" not in page.html
    assert_kept(page, typed)
    assert registration_count(app) == 0 and outbox_count(app) == 0


def test_a_robot_that_fills_the_honeypot_and_follows_the_check_page_stores_nothing(app, en_client):
    form = Page(en_client.get("/aanmelden"))
    data = fill(form, {**full_answers(), "website": "http://cheap-pills.example"})
    checked = Page(en_client.post("/aanmelden", data=data))
    response = send_checked(en_client, checked)
    assert response.status_code == 400
    assert registration_count(app) == 0


def test_the_honeypot_is_hidden_from_people_and_screen_readers(app, en_client):
    html = Page(en_client.get("/aanmelden")).html
    container = re.search(r'<div class="honeypot" aria-hidden="true">(.*?)</div>', html, re.S)
    assert container, "the honeypot sits in an aria-hidden container"
    field = re.search(r"<input[^>]*name=\"website\"[^>]*>", container.group(1))
    assert field and 'tabindex="-1"' in field.group(0) and 'autocomplete="off"' in field.group(0)


def test_posting_faster_than_a_person_can_type_stores_nothing_but_a_person_gets_through(app_with):
    app = app_with(SPAM_MIN_SECONDS=3)
    client = english(app.test_client())
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        form = Page(client.get("/aanmelden"))
        typed = full_answers()
        fast = Page(client.post("/aanmelden/versturen", data=fill(form, typed)))
        assert fast.status == 400
        assert "We could not send your registration yet" in fast.text
        assert_kept(fast, typed)
        assert registration_count(app) == 0

        clock.shift(timedelta(seconds=20))  # a person reads the check page
        checked = Page(client.post("/aanmelden", data=form_fields(fast, "/aanmelden")))
        assert send_checked(client, checked).status_code == 303
    assert registration_count(app) == 1


def _tamper(signed: str) -> str:
    return signed[:-3] + ("AAA" if not signed.endswith("AAA") else "BBB")


@pytest.mark.parametrize("variant", ["garbage", "signature changed", "from another form", "missing"])
def test_a_tampered_timing_token_re_presents_the_form_with_her_input(app, en_client, variant):
    form = Page(en_client.get("/aanmelden"))
    typed = full_answers()
    data = fill(form, typed)
    if variant == "garbage":
        data["started"] = "not-a-token"
    elif variant == "signature changed":
        data["started"] = _tamper(data["started"])
    elif variant == "from another form":
        data["started"] = Page(en_client.get("/aanmelden")).hidden("started")
    else:
        del data["started"]
    page = Page(en_client.post("/aanmelden/versturen", data=data))
    assert page.status == 400
    assert "We could not send your registration yet" in page.text
    assert_kept(page, typed)
    assert registration_count(app) == 0

    checked = Page(en_client.post("/aanmelden", data=form_fields(page, "/aanmelden")))
    assert send_checked(en_client, checked).status_code == 303
    assert registration_count(app) == 1


def test_a_day_old_timing_token_re_presents_the_form_with_fresh_tokens(app, en_client):
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        old = Page(en_client.get("/aanmelden"))
        typed = full_answers()
        data = fill(old, typed)
        clock.shift(timedelta(hours=25))
        data["csrf_token"] = open_form(en_client)["csrf_token"]  # the page itself was reloaded
        page = Page(en_client.post("/aanmelden/versturen", data=data))
        assert page.status == 400
        assert "We could not send your registration yet" in page.text
        assert_kept(page, typed)
        assert page.hidden("submission_token") != data["submission_token"]
        assert page.hidden("started") != data["started"]
        assert registration_count(app) == 0

        checked = Page(en_client.post("/aanmelden", data=form_fields(page, "/aanmelden")))
        assert send_checked(en_client, checked).status_code == 303
    assert registration_count(app) == 1


# --- rate limit (T-07) ----------------------------------------------------------------------


def _post_new(client: Any, **kwargs: Any) -> Any:
    tokens = open_form(client)
    return client.post("/aanmelden/versturen", data={**tokens, **full_answers()}, **kwargs)


def test_the_rate_limit_keeps_her_input_and_cannot_be_reset_with_headers(app_with):
    app = app_with(REGISTRATION_RATE_LIMIT="5 per hour")
    client = english(app.test_client())
    assert [_post_new(client).status_code for _ in range(5)] == [303] * 5

    started = time.perf_counter()
    blocked = Page(_post_new(client))
    elapsed = time.perf_counter() - started
    assert blocked.status == 429
    assert "Many registrations were sent from your internet connection" in blocked.text
    assert_kept(blocked, full_answers())
    assert elapsed < 1.0

    for spoofed in ("203.0.113.7", "198.51.100.1, 127.0.0.1"):
        response = _post_new(client, headers={"X-Forwarded-For": spoofed, "X-Real-IP": spoofed})
        assert response.status_code == 429
    assert registration_count(app) == 5

    other = english(app.test_client())
    response = _post_new(other, environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert response.status_code == 303
    assert registration_count(app) == 6


def test_fifteen_parents_behind_one_shared_address_all_get_through(app_with):
    from balie.config import Config

    app = app_with(REGISTRATION_RATE_LIMIT=Config.REGISTRATION_RATE_LIMIT)
    statuses = [_post_new(app.test_client()).status_code for _ in range(15)]
    assert statuses == [303] * 15
    assert registration_count(app) == 15


# --- request size (T-05) --------------------------------------------------------------------


def post_multipart(client: Any, url: str, data: dict[str, str]) -> Any:
    """A multipart body built in memory (the test client would spool a big one to a file)."""
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_one_mebibyte_request_is_refused_quickly(app, en_client, encoding):
    tokens = open_form(en_client)
    data = {**tokens, **answers(note="x" * (1024 * 1024))}
    started = time.perf_counter()
    if encoding == "multipart":
        response = post_multipart(en_client, "/aanmelden/versturen", data)
    else:
        response = en_client.post("/aanmelden/versturen", data=data)
    elapsed = time.perf_counter() - started
    assert response.status_code == 413
    assert "Too much information at once" in Page(response).text
    assert elapsed < 1.0
    assert registration_count(app) == 0


def test_ten_thousand_form_fields_are_refused(app, en_client):
    tokens = open_form(en_client)
    data = {**tokens, **answers(), **{f"f{i}": "x" for i in range(10_000)}}
    started = time.perf_counter()
    response = post_multipart(en_client, "/aanmelden/versturen", data)
    assert response.status_code == 413
    assert time.perf_counter() - started < 1.0
    assert registration_count(app) == 0


def test_a_hundred_kibibyte_name_is_a_field_error(app, en_client):
    tokens = open_form(en_client)
    page = Page(en_client.post("/aanmelden/versturen", data={**tokens, **answers(name="x" * 100 * 1024)}))
    assert page.status == 400
    assert "Use at most 80 characters" in page.errors
    assert registration_count(app) == 0


# --- security headers (T-36, T-30) ----------------------------------------------------------


def assert_strict_headers(response: Any, page: bool = True) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {part.strip().split(" ")[0]: part.strip() for part in csp.split(";") if part.strip()}
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives.get("default-src") == "default-src 'self'"
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'"
    assert directives.get("object-src") == "object-src 'none'"
    assert "script-src" in directives and "*" not in directives["script-src"]
    assert int(re.search(r"max-age=(\d+)", headers.get("Strict-Transport-Security", "")).group(1)) >= 31536000
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") in {"no-referrer", "strict-origin-when-cross-origin", "same-origin"}
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin"
    if page:
        assert "no-store" in headers.get("Cache-Control", "")


def assert_no_inline_code(html: str) -> None:
    """With this CSP an inline script or style would simply not work: there must be none."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.I)
    assert not re.search(r"<style\b", html, re.I)
    assert not re.search(r"\sstyle\s*=", html, re.I)
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)
    assert "javascript:" not in html.lower()


def test_security_headers_on_every_kind_of_page(app_with, monkeypatch):
    app = app_with(REGISTRATION_RATE_LIMIT="1 per hour")
    client = app.test_client()
    tokens = open_form(client)
    responses = {
        "form 200": client.get("/aanmelden"),
        "home 200": client.get("/"),
        "check 200": client.post("/aanmelden", data={**tokens, **answers()}),
        "errors 400": client.post("/aanmelden", data={**tokens, **answers(name="")}),
        "404": client.get("/does-not-exist"),
        "405": client.get("/aanmelden/versturen"),
        "413": client.post("/aanmelden/versturen", data={**tokens, "note": "x" * (1024 * 1024)}),
    }
    client.post("/aanmelden/versturen", data={**tokens, **answers()})
    responses["429"] = client.post("/aanmelden/versturen", data={**open_form(client), **answers()})

    from balie.services.directory import queries as directory_queries

    def broken(_session: Any) -> Any:
        raise RuntimeError("ZZCANARY the directory is gone")

    monkeypatch.setattr(directory_queries, "home_visit_services", broken)
    responses["500"] = client.get("/")

    expected = {
        "form 200": 200,
        "home 200": 200,
        "check 200": 200,
        "errors 400": 400,
        "404": 404,
        "405": 405,
        "413": 413,
        "429": 429,
        "500": 500,
    }
    assert {name: r.status_code for name, r in responses.items()} == expected
    for name, response in responses.items():
        assert_strict_headers(response)
        assert response.mimetype == "text/html", name
        assert_no_inline_code(response.get_data(as_text=True))
    assert "ZZCANARY" not in responses["500"].get_data(as_text=True)


def test_static_files_get_the_headers_but_may_be_cached(client):
    response = client.get("/static/css/balie.css")
    response.close()
    assert response.status_code == 200
    assert_strict_headers(response, page=False)
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_session_and_language_cookies_are_http_only_and_same_site(client):
    set_cookies = client.get("/aanmelden").headers.getlist("Set-Cookie")
    set_cookies += client.get("/taal/en?next=/aanmelden").headers.getlist("Set-Cookie")
    assert {header.split("=", 1)[0] for header in set_cookies} == {"balie_session", "balie_lang"}
    for header in set_cookies:
        assert "HttpOnly" in header and "SameSite=Lax" in header


# --- language (T-38) ------------------------------------------------------------------------


def html_lang(page: Page) -> str:
    return re.search(r'<html[^>]*\blang="([^"]+)"', page.html).group(1)


def test_dutch_is_the_default_language(client):
    page = Page(client.get("/aanmelden"))
    assert html_lang(page) == "nl"
    months = [m for m in re.findall(r'<option value="\d{4}-\d{2}"[^>]*>([^<]+)</option>', page.html)]
    assert months and all(m[0].islower() for m in months), "Dutch month names: 'maart 2027'"


def test_choosing_english_sticks_and_the_page_says_so(client):
    response = client.get("/taal/en?next=/aanmelden")
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/aanmelden"
    page = Page(client.get("/aanmelden"))
    assert html_lang(page) == "en"
    assert page.title.startswith("Register for the conversation")
    months = re.findall(r'<option value="\d{4}-\d{2}"[^>]*>([^<]+)</option>', page.html)
    assert months and all(m[0].isupper() for m in months), "English month names: 'March 2027'"

    back = client.get("/taal/nl?next=/aanmelden")
    assert back.status_code == 303
    assert html_lang(Page(client.get("/aanmelden"))) == "nl"


def test_lang_in_the_address_works_without_a_cookie(client):
    page = Page(client.get("/aanmelden?lang=en"))
    assert html_lang(page) == "en"
    assert page.title.startswith("Register for the conversation")
    assert html_lang(Page(client.get("/aanmelden"))) == "nl", "it is not remembered"


def test_an_unknown_language_keeps_dutch(client):
    response = client.get("/taal/xx?next=/aanmelden")
    assert response.status_code == 303
    assert html_lang(Page(client.get("/aanmelden?lang=zz"))) == "nl"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "///evil.example",
    ],
)
def test_the_language_switch_never_redirects_to_another_site(client, target):
    response = client.get("/taal/en", query_string={"next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    parts = urlsplit(location.replace("\t", "").replace("\n", "").replace("\r", ""))
    assert parts.netloc in {"", "localhost"}, location
    assert parts.scheme in {"", "http", "https"}, location
    assert not location.replace("\t", "").replace("\n", "").startswith("//"), location
    assert "\\" not in location


def test_the_language_switch_keeps_her_on_her_page(client):
    response = client.get("/taal/en", query_string={"next": "/privacy?x=1"})
    assert response.headers["Location"] == "/privacy?x=1"


# --- page weight ----------------------------------------------------------------------------


def test_the_registration_page_weighs_at_most_40_kb(client):
    response = client.get("/aanmelden")
    html = response.get_data()
    page = html.decode()
    references = re.findall(r'<link[^>]+href="(/[^"]+)"', page) + re.findall(
        r'<(?:script|img)[^>]+src="(/[^"]+)"', page
    )
    assert any(ref.endswith(".css") for ref in references)
    total = len(html)
    for reference in set(references):
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        total += len(asset.get_data())
        asset.close()
    assert total <= 40 * 1024, f"{total} bytes"
