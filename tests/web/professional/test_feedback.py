"""Process-only feedback to the advising professional, its expiry, the parent's withdrawal and
the optional link-only mail (issue 6 §4, §5; T-44).

Midwife Vera advises with a card, registers together with parents and refers. A nurse of JGZ
Delfland records the steps. Vera may see only *that* something happened — received, contact
made, visit held, follow-up arranged, closed — never what, and only when the parent agreed.
Personal values are canaries, looked for field by field on Vera's page and in every mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from balie.clock import ZONE
from balie.extensions import db
from balie.models import AccessLogEntry, Organisation, OutboxMessage, RegistrationEvent
from balie.services.registrations import inbox
from balie.web.labels import FEEDBACK_EVENT_LABELS, OUTCOME_LABELS, STEP_LABELS
from tests.support.accounts import DELFLAND, Account, login, nurse
from tests.support.pages import Page
from tests.support.professionals import (
    BASE_URL,
    PRO_NAME,
    Parent,
    assisted,
    build_app,
    by_reference,
    canary_parent,
    english_date,
    feedback_expiry,
    make_card,
    newest_registration,
    professional,
    refer,
    reference_of,
    register_with_card,
    signed_in,
    step,
    withdrawal_code_of,
)
from tests.support.registration import due_month
from tests.support.staff import body, csrf_token, mails, send_outbox

RECEIVED, CONTACT, VISIT, FOLLOW_UP, CLOSED = (
    str(FEEDBACK_EVENT_LABELS[k]) for k in ("received", "contact_made", "visit_held", "follow_up_arranged", "closed")
)
ALL_EVENTS = [RECEIVED, CONTACT, VISIT, FOLLOW_UP, CLOSED]
NO_FEEDBACK = "No feedback"
REFUSED = "The reference and the withdrawal code do not match. Check both and try again."


@pytest.fixture
def jgz(app: Flask) -> Any:
    """A nurse of JGZ Delfland, logged in (English pages)."""
    client = app.test_client()
    client.set_cookie("balie_lang", "en")
    login(client, nurse(app))
    return client


def parent_browser(app: Flask) -> Any:
    client = app.test_client()
    client.set_cookie("balie_lang", "en")
    return client


# --- reading Vera's page ----------------------------------------------------------------------


@dataclass
class Item:
    title: str
    events: list[str]
    html: str


def items(page: Page) -> list[Item]:
    """The advices and referrals on 'My advice and referrals', with the events shown for each."""
    assert page.status == 200
    found = []
    for chunk in page.html.split('<li class="card">')[1:]:
        title = re.search(r'<h3 class="card__title">(.*?)</h3>', chunk, re.S)
        assert title
        timeline = re.search(r'<ol class="timeline">(.*?)</ol>', chunk, re.S)
        events = []
        if timeline:
            for entry in re.findall(r"<li>(.*?)</li>", timeline.group(1), re.S):
                events.append(" ".join(re.sub(r'<span class="timeline__when">.*?</span>', "", entry).split()))
        found.append(Item(" ".join(re.sub(r"<[^>]+>", " ", title.group(1)).split()), events, chunk))
    return found


def overview(client: Any) -> Page:
    return Page(client.get("/advies"))


def item_for(page: Page, reference: str | None = None, title: str | None = None) -> Item:
    matches = [
        i for i in items(page) if (reference is None or reference in i.title) and (title is None or title in i.title)
    ]
    assert len(matches) == 1, [i.title for i in items(page)]
    return matches[0]


def assert_no_trace_of(page: Page, parent: Parent) -> None:
    for field, value in parent.traces().items():
        assert value not in page.html, f"the parent's {field} shows on the professional's page"


def follow_up_kind(app: Flask) -> tuple[str, str]:
    with app.app_context():
        kind = inbox.follow_up_kinds(db.session)[0]
        return kind.code, kind.name


def all_steps(client: Any, registration_id: str, kind: str) -> None:
    """Everything a nurse may record, including what the professional must never learn."""
    for name, code in (
        ("contact_attempt", None),
        ("contact_made", None),
        ("visit_planned", None),
        ("visit_held", None),
        ("visit_held", None),
        ("visit_held", None),
        ("follow_up", kind),
        ("hand_over", None),
        ("close", "declined"),
    ):
        step(client, registration_id, name, code)


def feedback_rows(app: Flask) -> int:
    with app.app_context():
        return (
            db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "feedback_update")
            )
            or 0
        )


def mail_on(client: Any) -> None:
    response = client.post("/advies/meldingen", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert "Stop the e-mails about news" in overview(client).text


def feedback_mails(app: Flask, address: str) -> list[EmailMessage]:
    return [m for m in mails(app) if address in str(m["To"])]


def assert_link_only(mail: EmailMessage, forbidden: list[str]) -> None:
    """A feedback mail: only the allowlisted text and one link to 'My advice and referrals'."""
    text = body(mail)
    links = re.findall(r"https?://\S+", text)
    assert links == [f"{BASE_URL}/advies"], links
    headers = " ".join(f"{k}: {v}" for k, v in mail.items())
    for value in forbidden:
        assert value not in text and value not in headers, value
    for label in [*ALL_EVENTS, *map(str, STEP_LABELS.values()), *map(str, OUTCOME_LABELS.values())]:
        assert label.casefold() not in text.casefold(), f"the mail says what happened: {label}"


# --- what the professional sees ---------------------------------------------------------------


def test_the_overview_shows_only_process_events_and_nothing_personal_or_about_content(
    app: Flask, pro: Any, jgz: Any
) -> None:
    code = make_card(pro, "en")
    kind_code, kind_name = follow_up_kind(app)
    parents = {name: canary_parent() for name in ("card", "card-no", "assisted", "referral", "referral-no")}

    register_with_card(parent_browser(app), code, feedback=True, parent=parents["card"])
    carded = newest_registration(app)
    register_with_card(parent_browser(app), code, feedback=False, parent=parents["card-no"])
    carded_no = newest_registration(app)
    assert assisted(pro, parents["assisted"], feedback=True).status_code == 303
    helped = newest_registration(app)
    assert refer(pro, "by_phone", parents["referral"], feedback=True).status_code == 303
    referred = newest_registration(app)
    assert refer(pro, "in_person", parents["referral-no"], feedback=False).status_code == 303
    referred_no = newest_registration(app)

    first = overview(pro)
    assert [i.events for i in items(first) if i.events] == [[RECEIVED]] * 3, "received, and nothing more yet"

    for registration in (carded, carded_no, helped, referred, referred_no):
        all_steps(jgz, registration.id, kind_code)

    page = overview(pro)
    listed = items(page)
    assert len(listed) == 4, "a parent who registered with the card without agreeing is not there at all"
    assert all(carded_no.reference not in i.html for i in listed)
    card_item = item_for(page, title="Registered with your advice card")
    assert card_item.events == ALL_EVENTS, "each event once: the that, not how often"
    assert carded.reference not in page.html, "the parent's reference is hers (Vera did not see it)"
    for registration in (helped, referred):
        assert item_for(page, reference=registration.reference).events == ALL_EVENTS
    declined_feedback = item_for(page, reference=referred_no.reference)
    assert declined_feedback.events == [] and NO_FEEDBACK in declined_feedback.html, "without consent: no events"

    # Field by field: nothing personal, nothing about content, no counts.
    for parent in parents.values():
        assert_no_trace_of(page, parent)
    assert "2611" not in page.html, "no postcode"
    assert kind_name not in page.html and kind_code not in page.html, "not which follow-up"
    for outcome_code, outcome_label in OUTCOME_LABELS.items():
        assert str(outcome_label) not in page.text, "not how it was closed"
        assert re.search(rf"\b{outcome_code}\b", page.text) is None, outcome_code
    for hidden in ("contact_attempt", "visit_planned", "hand_over"):
        assert str(STEP_LABELS[hidden]) not in page.text, f"{hidden} is not for the professional"
    assert "Visits held" not in page.text and "Contact attempts" not in page.text
    assert page.text.count(VISIT) == 3, "'visit held' once per item, never a number of visits"
    assert not re.search(r"\b[23]\s*(visits|times|x)\b", page.text, re.I)


def test_feedback_expires_six_weeks_after_the_due_month(app: Flask, pro: Any, vera: Account, jgz: Any) -> None:
    code = make_card(pro, "en")
    mail_on(pro)
    due = due_month(1)
    confirmation = register_with_card(parent_browser(app), code, feedback=True, due_month=due)
    registration = newest_registration(app)
    until = feedback_expiry(due)
    assert registration.feedback_until == until
    assert f"until {english_date(until)}" in confirmation.text, "the receipt says until when"
    step(jgz, registration.id, "contact_made")
    step(jgz, registration.id, "visit_held")
    assert item_for(overview(pro)).events == [RECEIVED, CONTACT, VISIT]
    mails_before = feedback_rows(app)
    assert mails_before == 2

    last_day = datetime.combine(until, time(20, 0), tzinfo=ZONE)
    with time_machine.travel(last_day, tick=False):
        assert item_for(overview(signed_in(app, vera))).events == [RECEIVED, CONTACT, VISIT], "still on the last day"

    with time_machine.travel(last_day + timedelta(hours=5), tick=False):  # the next day, 01:00
        expired = item_for(overview(signed_in(app, vera)))
        assert expired.events == [] and NO_FEEDBACK in expired.html, "after the expiry date: gone"
        nurse_now = app.test_client()
        nurse_now.set_cookie("balie_lang", "en")
        login(nurse_now, nurse(app, "laat@delfland.example"))
        step(nurse_now, registration.id, "follow_up", follow_up_kind(app)[0])
        assert feedback_rows(app) == mails_before, "no mail about news she may no longer hear"


# --- the parent withdraws ---------------------------------------------------------------------


def test_withdrawal_stops_feedback_at_once_and_asks_the_organisation_to_delete(
    app: Flask, pro: Any, vera: Account, jgz: Any
) -> None:
    code = make_card(pro, "en")
    mail_on(pro)
    parent = canary_parent()
    confirmation = register_with_card(parent_browser(app), code, feedback=True, parent=parent)
    reference, withdrawal = reference_of(confirmation), withdrawal_code_of(confirmation)
    registration = by_reference(app, reference)
    step(jgz, registration.id, "contact_made")
    assert item_for(overview(pro)).events == [RECEIVED, CONTACT]
    send_outbox(app)
    before = len(mails(app))

    # Days later, on another device: the withdrawal page, with the two codes from her receipt.
    device = parent_browser(app)
    form = Page(device.get("/intrekken"))
    assert form.status == 200 and form.title.startswith("Withdraw your registration")
    done = Page(
        device.post(
            "/intrekken",
            data={
                "csrf_token": form.hidden("csrf_token"),
                "reference": reference.lower().replace("-", " "),
                "code": withdrawal,
            },
        )
    )
    assert done.status == 200 and done.title.startswith("Your registration is withdrawn")

    stopped = item_for(overview(pro))
    assert stopped.events == [] and NO_FEEDBACK in stopped.html, "feedback stops immediately"
    step(jgz, registration.id, "visit_held")
    assert item_for(overview(pro)).events == [], "and stays stopped"

    # The organisation gets a mail with a link only.
    send_outbox(app)
    new = mails(app)[before:]
    with app.app_context():
        organisation_mail = db.session.get(Organisation, DELFLAND).email
    assert [str(m["To"]) for m in new] == [organisation_mail], "one mail, to the organisation; none to Vera"
    text = body(new[0])
    assert re.findall(r"https?://\S+", text) == [f"{BASE_URL}/inbox"]
    for value in [*parent.traces().values(), reference, registration.id, withdrawal, PRO_NAME]:
        assert value not in text and value not in str(new[0]["Subject"]), value

    # The inbox marks it, and the nurse can delete it now — after a confirmation page.
    listing = Page(jgz.get("/inbox"))
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{registration.id}(?:(?!</tr>).)*</tr>", listing.html, re.S)
    assert row and "Withdrawn" in row.group(0)
    detail = Page(jgz.get(f"/inbox/{registration.id}"))
    assert "The parent has withdrawn this registration" in detail.text
    assert f'href="/inbox/{registration.id}/wissen"' in detail.html
    confirm = Page(jgz.get(f"/inbox/{registration.id}/wissen"))
    assert confirm.status == 200 and reference in confirm.title
    assert by_reference(app, reference).name_sealed is not None, "nothing is deleted by opening the page"
    erased = jgz.post(f"/inbox/{registration.id}/wissen", data={"csrf_token": confirm.hidden("csrf_token")})
    assert erased.status_code == 303

    gone = by_reference(app, reference)
    for field in ("name", "phone", "email", "address", "note", "contact_preferences"):
        assert getattr(gone, f"{field}_sealed") is None, field
    assert gone.purged_at is not None and gone.duplicate_key_phone is None
    with app.app_context():
        purge = db.session.scalars(
            select(AccessLogEntry).where(
                AccessLogEntry.event_code == "registration.purge", AccessLogEntry.object_id == registration.id
            )
        ).all()
    assert len(purge) == 1 and purge[0].action_code == "D" and purge[0].actor_role == "jgz_staff"
    assert registration.id not in Page(jgz.get("/inbox")).html, "it leaves the list"
    assert jgz.get(f"/inbox/{registration.id}").status_code == 404


def test_a_wrong_withdrawal_code_is_refused_without_saying_whether_the_reference_exists(app: Flask, pro: Any) -> None:
    code = make_card(pro, "en")
    confirmation = register_with_card(parent_browser(app), code, feedback=True)
    reference, withdrawal = reference_of(confirmation), withdrawal_code_of(confirmation)
    other = register_with_card(parent_browser(app), code, feedback=True)

    def attempt(ref: str, withdrawal_code: str) -> Page:
        client = parent_browser(app)
        token = Page(client.get("/intrekken")).hidden("csrf_token")
        return Page(client.post("/intrekken", data={"csrf_token": token, "reference": ref, "code": withdrawal_code}))

    wrong_code = attempt(reference, "AAAA-BBBB-CCCC")
    unknown_reference = attempt("ZZZZ-9999", "AAAA-BBBB-CCCC")
    someone_elses_code = attempt(reference, withdrawal_code_of(other))
    for page in (wrong_code, unknown_reference, someone_elses_code):
        assert page.status == 400
        assert page.errors == [REFUSED]

    def without_inputs(page: Page) -> str:
        html = re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", page.html)
        return re.sub(r'value="[^"]*"', "", html)

    assert without_inputs(wrong_code) == without_inputs(unknown_reference), "the same answer either way"
    assert by_reference(app, reference).withdrawn_at is None
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "registration_withdrawn")
            )
            == 0
        )
    assert [i.events for i in items(overview(pro))] == [[RECEIVED], [RECEIVED]], "feedback goes on"
    assert attempt(reference, withdrawal).title.startswith("Your registration is withdrawn"), "the right code works"


# --- the optional mail --------------------------------------------------------------------------


def test_the_optional_mail_carries_only_a_link_and_never_comes_without_consent(
    app: Flask, pro: Any, vera: Account, jgz: Any
) -> None:
    code = make_card(pro, "en")
    register_with_card(parent_browser(app), code, feedback=True)
    before_mail_on = newest_registration(app)
    step(jgz, before_mail_on.id, "contact_made")
    assert feedback_rows(app) == 0, "no mails until she asks for them"

    mail_on(pro)
    parent = canary_parent()
    confirmation = register_with_card(parent_browser(app), code, feedback=True, parent=parent)
    consented = by_reference(app, reference_of(confirmation))
    quiet_parent = canary_parent()
    register_with_card(parent_browser(app), code, feedback=False, parent=quiet_parent)
    not_consented = newest_registration(app)
    assert assisted(pro, canary_parent(), feedback=False).status_code == 303
    helped_no = newest_registration(app)

    for registration in (not_consented, helped_no):
        step(jgz, registration.id, "contact_made")
        step(jgz, registration.id, "visit_held")
    assert feedback_rows(app) == 0, "no consent: no mail, whatever happens"

    step(jgz, consented.id, "contact_made")
    step(jgz, consented.id, "visit_held")
    assert feedback_rows(app) == 2
    step(jgz, consented.id, "visit_held")
    assert feedback_rows(app) == 2, "a second visit is no news: the mail must not count visits"

    send_outbox(app)
    sent = feedback_mails(app, vera.email)
    assert len(sent) == 2
    forbidden = [*parent.traces().values(), *quiet_parent.traces().values(), consented.reference, consented.id]
    for mail in sent:
        assert_link_only(mail, forbidden)
    assert len({(str(m["Subject"]), body(m)) for m in sent}) == 1, "every feedback mail says the same"


# --- T-44: feedback mail only with consent and when asked for; content allowlisted ----------

STEPS = [
    "contact_attempt",
    "contact_made",
    "visit_planned",
    "visit_held",
    "visit_held",
    "follow_up",
    "close",
    "hand_over",
]
USUAL_PATH = ["contact_made", "visit_planned", "visit_held", "visit_held", "follow_up", "close"]
FEEDBACK_KIND = {"contact_made": "contact", "visit_held": "visit", "follow_up": "follow_up", "close": "closed"}


def test_t44_feedback_mails_only_with_consent_and_mail_on_and_only_a_link(
    sqlite_template_path: Path, tmp_path: Path
) -> None:
    app = build_app(sqlite_template_path, tmp_path / "t44")
    try:
        wants = professional(app, "wil@verloskunde.example", name="Wil Mail")
        quiet = professional(app, "stil@verloskunde.example", name="Stil Geenmail")
        clients = {True: signed_in(app, wants), False: signed_in(app, quiet)}
        mail_on(clients[True])
        codes = {flag: make_card(client, "en") for flag, client in clients.items()}
        address = {True: wants.email, False: quiet.email}
        jgz = app.test_client()
        jgz.set_cookie("balie_lang", "en")
        login(jgz, nurse(app))
        kind = follow_up_kind(app)[0]
        tally = {"expected": 0, "examples": 0}
        forbidden: list[str] = []

        def event_count(registration_id: str) -> int:
            with app.app_context():
                return (
                    db.session.scalar(
                        select(func.count())
                        .select_from(RegistrationEvent)
                        .where(RegistrationEvent.registration_id == registration_id)
                    )
                    or 0
                )

        @settings(
            max_examples=100,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(
            consent=st.booleans(),
            wants_mail=st.booleans(),
            steps=st.one_of(
                st.integers(min_value=1, max_value=6).map(lambda n: USUAL_PATH[:n]),  # how it usually goes
                st.lists(st.sampled_from(STEPS), max_size=6),  # and anything else a nurse may press
            ),
            withdraw_at=st.none() | st.integers(min_value=0, max_value=6),
        )
        # Always tried, whatever the draw: the usual path with consent and mail (4 mails: contact,
        # visit, follow-up, closed), and the same withdrawn half-way (mails stop).
        @example(consent=True, wants_mail=True, steps=USUAL_PATH, withdraw_at=None)
        @example(consent=True, wants_mail=True, steps=USUAL_PATH, withdraw_at=3)
        def run(consent: bool, wants_mail: bool, steps: list[str], withdraw_at: int | None) -> None:
            parent = canary_parent()
            confirmation = register_with_card(parent_browser(app), codes[wants_mail], feedback=consent, parent=parent)
            reference, withdrawal = reference_of(confirmation), withdrawal_code_of(confirmation)
            registration_id = by_reference(app, reference).id
            forbidden.extend([*parent.traces().values(), reference, registration_id])
            before = feedback_rows(app)
            expected, heard, withdrawn = 0, set(), False
            for position, name in enumerate([*steps, None]):
                if withdraw_at == position and not withdrawn:
                    device = parent_browser(app)
                    token = Page(device.get("/intrekken")).hidden("csrf_token")
                    assert (
                        device.post(
                            "/intrekken", data={"csrf_token": token, "reference": reference, "code": withdrawal}
                        ).status_code
                        == 200
                    )
                    withdrawn = True
                if name is None:
                    break
                events = event_count(registration_id)
                step(
                    jgz, registration_id, name, kind if name == "follow_up" else ("moved" if name == "close" else None)
                )
                accepted = event_count(registration_id) > events
                news = FEEDBACK_KIND.get(name)
                if accepted and news and news not in heard:
                    heard.add(news)
                    expected += int(consent and wants_mail and not withdrawn)
            assert feedback_rows(app) - before == expected, (consent, wants_mail, steps, withdraw_at)
            tally["expected"] += expected
            tally["examples"] += 1

        run()
        assert tally["expected"] >= 4 + 2, tally  # the explicit examples reach the mails while the desk works
        send_outbox(app)
        sent = feedback_mails(app, "@verloskunde.example")
        assert len(sent) == tally["expected"], "every queued feedback mail delivered, no others"
        assert {str(m["To"]) for m in sent} == {address[True]}, "only to the professional who asked for mail"
        for mail in sent:
            assert_link_only(mail, forbidden)
        assert len({(str(m["Subject"]), body(m)) for m in sent}) == 1, "content never depends on the registration"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
