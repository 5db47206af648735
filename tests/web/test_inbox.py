"""The JGZ inbox as a nurse uses it (T-31, T-32, T-42 … T-45).

Parents register through the public form; nurses of JGZ Delfland (Delft, 2611 AB) and
Jeugdgezondheid Hofstad ('s-Gravenhage, 2511 AB) pick them up. Personal values are canaries,
so the tests can look for them where they must not be: the list, the access log.
"""

from __future__ import annotations

import functools
import json
import operator
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from balie.config import PROJECT_ROOT
from balie.crypto import KeyRing
from balie.extensions import db
from balie.models import AccessLogEntry, Registration, RegistrationEvent
from tests.support.accounts import DELFLAND, HOFSTAD, Account, login, nurse
from tests.support.pages import Page
from tests.support.registration import due_month
from tests.support.staff import access_rows, csrf_token, location_path, register_id, registration
from tests.web.helpers import english

DELFT, DEN_HAAG = "2611 AB", "2511 AB"
HOFSTAD_NAME = "Jeugdgezondheid Hofstad (voorbeeld)"


def canary() -> dict[str, str]:
    tag = secrets.token_hex(4).upper()
    return {
        "name": f"ZZCANARY{tag} Moeder",
        "phone": f"06 1{secrets.randbelow(10**7):07d}",
        "email": f"zzcanary{tag.lower()}@example.com",
        "note": f"ZZNOTE{tag} bel na vijven",
    }


def values(answers: dict[str, str]) -> list[str]:
    """The strings that must never show outside the detail page (phone: its last 7 digits)."""
    return [answers["name"], answers["email"], answers["note"], answers["phone"].replace(" ", "")[-7:]]


def logged_in(app: Flask, account: Account, code_offset: int = 0) -> Any:
    client = english(app.test_client())
    assert login(client, account, code_offset).status_code == 303
    return client


def listed(page: Page) -> list[str]:
    """The registration ids in the inbox list, in the order shown."""
    return re.findall(r'href="/inbox/([0-9a-f]{32})"', page.html)


def step(client: Any, registration_id: str, name: str, code: str | None = None) -> Any:
    """One step, as the page sends it; closing goes through its own confirmation page."""
    if name == "close":
        return client.post(
            f"/inbox/{registration_id}/afsluiten", data={"csrf_token": csrf_token(client), "outcome": code}
        )
    data = {"csrf_token": csrf_token(client), "step": name}
    if code is not None:
        data["code"] = code
    return client.post(f"/inbox/{registration_id}/stap", data=data)


def events(app: Flask, registration_id: str | None = None) -> list[tuple[str, str | None, str]]:
    with app.app_context():
        query = select(RegistrationEvent).order_by(RegistrationEvent.id)
        if registration_id:
            query = query.where(RegistrationEvent.registration_id == registration_id)
        return [(e.kind, e.code, e.organisation_id) for e in db.session.scalars(query)]


def state(app: Flask, registration_id: str) -> tuple[Any, ...]:
    found = registration(app, registration_id)
    return (
        found.status,
        found.organisation_id,
        found.assigned_user_id,
        found.closed_at,
        found.handed_over_at,
        found.close_outcome,
        len(events(app, registration_id)),
    )


@pytest.fixture
def people(app: Flask) -> dict[str, Account]:
    return {"a": nurse(app, "a@delfland.example", DELFLAND), "b": nurse(app, "b@hofstad.example", HOFSTAD)}


# --- the list ------------------------------------------------------------------------------


def test_a_nurse_sees_only_her_organisations_registrations_without_personal_values(
    app: Flask, client: Any, people: dict[str, Account]
) -> None:
    delft = [canary(), canary()]
    den_haag = canary()
    delft_ids = [register_id(app, client, postcode=DELFT, **answers) for answers in delft]
    den_haag_id = register_id(app, client, postcode=DEN_HAAG, **den_haag)

    page = Page(logged_in(app, people["a"]).get("/inbox"))
    assert page.status == 200
    assert sorted(listed(page)) == sorted(delft_ids)
    assert "2 new registrations" in page.text
    for reference in (registration(app, i).reference for i in delft_ids):
        assert reference in page.text
    assert registration(app, den_haag_id).reference not in page.text
    for value in functools.reduce(operator.iadd, (values(a) for a in (*delft, den_haag)), []):
        assert value not in page.html, value
    assert "2611 AB" not in page.text, "no postcode in the list"

    other = Page(logged_in(app, people["b"]).get("/inbox"))
    assert listed(other) == [den_haag_id] and "1 new registration" in other.text


@pytest.fixture
def full_inbox(app: Flask, client: Any, people: dict[str, Account]) -> dict[str, Any]:
    """27 registrations for Delfland (2 of them a month old) and 1 for Hofstad."""
    old: list[str] = []
    start = datetime.now(UTC)
    with time_machine.travel(start - timedelta(days=30), tick=False) as clock:
        for _ in range(2):
            old.append(register_id(app, client, postcode=DELFT))
            clock.shift(timedelta(minutes=5))
    recent: list[str] = []
    with time_machine.travel(start, tick=False) as clock:
        for n in range(25):
            recent.append(register_id(app, client, postcode=DELFT, due_month=due_month(2 + n % 4)))
            clock.shift(timedelta(seconds=10))
    hofstad = register_id(app, client, postcode=DEN_HAAG)
    return {"old": old, "recent": recent, "hofstad": hofstad, "all": old + recent}


def test_pages_of_25_newest_first_and_other_orders(
    app: Flask, people: dict[str, Account], full_inbox: dict[str, Any]
) -> None:
    nurse_a = logged_in(app, people["a"])
    newest_first = list(reversed(full_inbox["all"]))

    first = Page(nurse_a.get("/inbox"))
    assert "27 registrations" in first.text and "27 new registrations" in first.text
    assert listed(first) == newest_first[:25]
    assert 'href="/inbox?page=2"' in first.html.replace("&amp;", "&")
    second = Page(nurse_a.get("/inbox", query_string={"page": 2}))
    assert listed(second) == newest_first[25:]
    assert listed(Page(nurse_a.get("/inbox", query_string={"page": 99}))) == newest_first[25:]

    oldest = Page(nurse_a.get("/inbox", query_string={"sort": "oldest"}))
    assert listed(oldest) == full_inbox["all"][:25]

    by_due = listed(Page(nurse_a.get("/inbox", query_string={"sort": "due"})))
    by_due += listed(Page(nurse_a.get("/inbox", query_string={"sort": "due", "page": 2})))
    months = [registration(app, i).due_month for i in by_due]
    assert sorted(by_due) == sorted(full_inbox["all"]) and months == sorted(months)  # type: ignore[type-var]


def test_filters_by_status_due_month_waiting_time_and_mine(
    app: Flask, people: dict[str, Account], full_inbox: dict[str, Any]
) -> None:
    nurse_a = logged_in(app, people["a"])
    colleague = logged_in(app, nurse(app, "collega@delfland.example", DELFLAND))
    picked = full_inbox["recent"][:2]
    for registration_id in picked:
        assert step(nurse_a, registration_id, "contact_made").status_code == 303

    def shown(**query: Any) -> set[str]:
        ids: set[str] = set()
        for number in (1, 2):
            ids |= set(listed(Page(nurse_a.get("/inbox", query_string={**query, "page": number}))))
        return ids

    assert shown(status="contact_made") == set(picked)
    assert shown(status="received") == set(full_inbox["all"]) - set(picked)
    assert "25 new registrations" in Page(nurse_a.get("/inbox")).text
    assert shown(mine="y") == set(picked)
    assert listed(Page(colleague.get("/inbox", query_string={"mine": "y"}))) == []

    month = registration(app, full_inbox["recent"][0]).due_month
    assert month is not None
    expected = {i for i in full_inbox["all"] if registration(app, i).due_month == month}
    assert 0 < len(expected) < 27
    assert shown(due=month.strftime("%Y-%m")) == expected

    assert shown(waiting="10") == set(full_inbox["old"])
    assert shown(waiting="2") == set(full_inbox["old"])

    bad = Page(
        nurse_a.get("/inbox", query_string={"status": "<script>", "due": "2026-13", "waiting": "x", "page": "-1"})
    )
    assert bad.status == 200 and "<script>" not in bad.html


# --- one registration ---------------------------------------------------------------------


def test_the_detail_page_shows_the_data_and_the_safety_wishes_and_is_logged_once(
    app: Flask, client: Any, people: dict[str, Account]
) -> None:
    answers = canary()
    registration_id = register_id(
        app,
        client,
        postcode=DELFT,
        call_times=["evening"],
        no_voicemail="y",
        only_chosen_times="y",
        discreet="y",
        **answers,
    )
    nurse_a = logged_in(app, people["a"])
    before = len(access_rows(app))

    page = Page(nurse_a.get(f"/inbox/{registration_id}"))
    assert page.status == 200
    for shown in (answers["name"], answers["email"], answers["note"], "2611 AB 12, Delft"):
        assert shown in page.text, shown
    assert answers["phone"].replace(" ", "")[-7:] in page.html.replace(" ", "")
    panel = re.search(r'<div class="safety-panel"[^>]*>(.*?)</div>', page.html, re.S)
    assert panel, "the safety wishes are not shown"
    for wish in (
        "Do not leave a voicemail message",
        "Only call at the",
        "Early evening",
        "If someone else answers, do not say where you are calling from",
    ):
        assert wish in panel.group(1), wish
    assert page.html.index("safety-panel") < page.html.index(answers["name"]), "the wishes come first"

    rows = access_rows(app)[before:]
    assert len(rows) == 1
    (row,) = rows
    assert (row.event_code, row.action_code, row.outcome, row.actor_role) == (
        "registration.read",
        "R",
        "success",
        "jgz_staff",
    )
    assert (row.object_type, row.object_id, row.actor_user_id, row.actor_org_id) == (
        "registration",
        registration_id,
        people["a"].id,
        DELFLAND,
    )
    everything = " ".join(str(getattr(r, c.name)) for r in access_rows(app) for c in AccessLogEntry.__table__.columns)
    for value in [*values(answers), "2611 AB", "Delft"]:
        assert value not in everything, value


def test_without_safety_wishes_there_is_no_warning_panel(app: Flask, client: Any, people: dict[str, Account]) -> None:
    registration_id = register_id(app, client, postcode=DELFT)
    page = Page(logged_in(app, people["a"]).get(f"/inbox/{registration_id}"))
    assert page.status == 200 and "safety-panel" not in page.html


def test_the_whole_status_flow_leaves_events_and_log_rows(app: Flask, client: Any, people: dict[str, Account]) -> None:
    registration_id = register_id(app, client, postcode=DELFT)
    nurse_a = logged_in(app, people["a"])

    def follow_up_kinds() -> list[str]:
        html = Page(nurse_a.get(f"/inbox/{registration_id}")).html
        assert 'id="follow-up-kind"' in html, "no follow-up choice shown"
        return re.findall(r'<option value="([^"]+)"', html.split('id="follow-up-kind"')[1].split("</select>")[0])

    flow = [
        ("contact_attempt", None, "contact_attempted"),
        ("contact_attempt", None, "contact_attempted"),
        ("contact_made", None, "contact_made"),
        ("visit_planned", None, "visit_planned"),
        ("visit_held", None, "visit_held"),
        ("visit_held", None, "visit_held"),
        ("follow_up", "", "follow_up_arranged"),  # the kind is chosen from the page when it is offered
        ("close", "visits_held", "closed"),
        ("hand_over", None, "closed"),
    ]
    for number, (name, code, status) in enumerate(flow, start=1):
        if name == "follow_up":
            kinds = follow_up_kinds()
            assert "other" in kinds and len(kinds) >= 2
            code = next(kind for kind in kinds if kind != "other")
            html = Page(nurse_a.get(f"/inbox/{registration_id}")).html
            chosen_name = re.search(rf'<option value="{code}">([^<]+)</option>', html).group(1)
        log_before = len(access_rows(app))
        response = step(nurse_a, registration_id, name, code)
        assert response.status_code == 303 and location_path(response) == f"/inbox/{registration_id}", name
        assert registration(app, registration_id).status == status
        assert (
            events(app, registration_id)[-1] == (name, code, DELFLAND) and len(events(app, registration_id)) == number
        )
        (row,) = access_rows(app)[log_before:]
        expected_event = "registration.handover" if name == "hand_over" else "registration.status_change"
        assert (row.event_code, row.action_code, row.object_id, row.object_detail, row.outcome) == (
            expected_event,
            "U",
            registration_id,
            f"step={name}",
            "success",
        )

    # The nurse reads the follow-up kind by its name, on the page and on paper.
    for path in (f"/inbox/{registration_id}", f"/inbox/{registration_id}/afdrukken"):
        assert f"Follow-up arranged: {chosen_name}" in Page(nurse_a.get(path)).text, path
    final = registration(app, registration_id)
    assert final.close_outcome == "visits_held" and final.closed_at and final.handed_over_at
    assert final.assigned_user_id == people["a"].id
    page = Page(nurse_a.get(f"/inbox/{registration_id}"))
    assert "Contact attempts: 2. Visits held: 2." in page.text
    assert "Closed" in page.text and "Visit(s) held" in page.text and "handed over on" in page.text
    assert 'name="step"' not in page.html, "nothing left to record"


@pytest.mark.parametrize(
    "name, code",
    [("visit_held", None), ("follow_up", "voorzorg"), ("contact_made", "x")],
)
def test_an_impossible_step_shows_a_message_and_changes_nothing(
    app: Flask, client: Any, people: dict[str, Account], name: str, code: str | None
) -> None:
    registration_id = register_id(app, client, postcode=DELFT)
    nurse_a = logged_in(app, people["a"])
    before, log_before = state(app, registration_id), len(access_rows(app))
    response = step(nurse_a, registration_id, name, code)
    assert response.status_code == 303
    page = Page(nurse_a.get(response.headers["Location"]))
    assert "This step is not possible now. Choose one of the steps shown." in page.text
    assert state(app, registration_id) == before
    assert [r.event_code for r in access_rows(app)[log_before:]] == ["registration.read"]


def test_a_step_that_does_not_exist_is_refused(app: Flask, client: Any, people: dict[str, Account]) -> None:
    registration_id = register_id(app, client, postcode=DELFT)
    nurse_a = logged_in(app, people["a"])
    before = state(app, registration_id)
    for name in ("reroute", "purge", "", "closed"):
        assert step(nurse_a, registration_id, name).status_code == 400, name
    token = csrf_token(nurse_a)
    for code in ("declined", "visits_held"):  # closing only through its confirmation page
        data = {"csrf_token": token, "step": "close", "code": code}
        assert nurse_a.post(f"/inbox/{registration_id}/stap", data=data).status_code == 400
    assert state(app, registration_id) == before


def test_rerouting_moves_the_registration_to_the_other_organisation(
    app: Flask, client: Any, people: dict[str, Account]
) -> None:
    registration_id = register_id(app, client, postcode=DELFT)
    nurse_a, nurse_b = logged_in(app, people["a"]), logged_in(app, people["b"])
    url = f"/inbox/{registration_id}/doorsturen"

    incomplete = nurse_a.post(url, data={"csrf_token": csrf_token(nurse_a), "organisation": HOFSTAD, "reason": ""})
    assert "Choose an organisation and a reason." in Page(nurse_a.get(incomplete.headers["Location"])).text
    assert registration(app, registration_id).organisation_id == DELFLAND

    response = nurse_a.post(
        url, data={"csrf_token": csrf_token(nurse_a), "organisation": HOFSTAD, "reason": "lives_elsewhere"}
    )
    assert response.status_code == 303 and location_path(response) == "/inbox"
    assert f"The registration has been sent on to {HOFSTAD_NAME}." in Page(nurse_a.get("/inbox")).text
    assert registration_id not in listed(Page(nurse_a.get("/inbox")))
    assert nurse_a.get(f"/inbox/{registration_id}").status_code == 404

    assert registration_id in listed(Page(nurse_b.get("/inbox")))
    page = Page(nurse_b.get(f"/inbox/{registration_id}"))
    assert page.status == 200 and "Sent on to another organisation" in page.text
    moved = registration(app, registration_id)
    assert (moved.organisation_id, moved.status, moved.assigned_user_id) == (HOFSTAD, "received", None)
    assert events(app, registration_id) == [("reroute", "lives_elsewhere", DELFLAND)]
    (row,) = access_rows(app, event_code="registration.reroute")
    assert (row.actor_user_id, row.actor_org_id, row.object_id, row.object_detail) == (
        people["a"].id,
        DELFLAND,
        registration_id,
        f"to={HOFSTAD}",
    )


EXPORT_SCHEMA = {
    "type": "object",
    "required": [
        "schema",
        "reference",
        "id",
        "received_at",
        "organisation",
        "parent",
        "due_month",
        "language",
        "contact_preferences",
        "status",
        "events",
        "privacy_text_version",
    ],
    "properties": {
        "reference": {"type": "string", "pattern": "^[0-9A-Z]{4}-[0-9A-Z]{4}$"},
        "id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
        "organisation": {"type": "object", "required": ["id", "name"]},
        "parent": {
            "type": "object",
            "required": ["name", "phone", "email", "address"],
            "properties": {
                "name": {"type": "string"},
                "phone": {"type": ["string", "null"]},
                "email": {"type": ["string", "null"]},
                "address": {"type": "string"},
            },
        },
        "due_month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
        "contact_preferences": {"type": "object", "required": ["call_times", "no_voicemail"]},
        "events": {"type": "array", "items": {"type": "object", "required": ["kind", "code", "at"]}},
    },
}


def test_print_and_json_export_are_logged(app: Flask, client: Any, people: dict[str, Account]) -> None:
    answers = canary()
    registration_id = register_id(app, client, postcode=DELFT, no_voicemail="y", **answers)
    nurse_a = logged_in(app, people["a"])
    step(nurse_a, registration_id, "contact_made")
    reference = registration(app, registration_id).reference

    printed = Page(nurse_a.get(f"/inbox/{registration_id}/afdrukken"))
    assert (
        printed.status == 200 and answers["name"] in printed.text and "Do not leave a voicemail message" in printed.text
    )

    response = nurse_a.get(f"/inbox/{registration_id}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="aanmelding-{reference}.json"'
    exported = json.loads(response.get_data(as_text=True))
    jsonschema.validate(exported, EXPORT_SCHEMA)
    documented_schema().validate(exported)
    assert exported["reference"] == reference and exported["id"] == registration_id
    assert exported["parent"]["name"] == answers["name"] and exported["parent"]["email"] == answers["email"]
    assert exported["parent"]["address"] == "2611 AB 12"
    assert exported["organisation"]["id"] == DELFLAND and exported["contact_preferences"]["no_voicemail"] is True
    assert [e["kind"] for e in exported["events"]] == ["contact_made"]

    rows = access_rows(app, event_code="registration.export")
    assert [(r.object_id, r.object_detail, r.action_code, r.actor_user_id) for r in rows] == [
        (registration_id, "print", "E", people["a"].id),
        (registration_id, "json", "E", people["a"].id),
    ]


def flip_a_byte(sealed: bytes, _context: str) -> bytes:
    damaged = bytearray(sealed)
    damaged[len(damaged) // 2] ^= 0x04
    return bytes(damaged)


def seal_with_a_key_no_longer_in_the_ring(_sealed: bytes, context: str) -> bytes:
    return KeyRing((("gone", bytes(32)),)).seal("+31611111111", context)


def documented_schema() -> Any:
    schema = json.loads((PROJECT_ROOT / "balie" / "data" / "registration_export.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("damage", [flip_a_byte, seal_with_a_key_no_longer_in_the_ring])
def test_a_phone_number_that_cannot_be_decrypted_is_marked_in_the_export(
    app: Flask, client: Any, people: dict[str, Account], damage: Any
) -> None:
    answers = canary()
    damaged_id = register_id(app, client, postcode=DELFT, **answers)
    normal_id = register_id(app, client, postcode=DELFT, **canary())
    with app.app_context():
        stored = db.session.get(Registration, damaged_id)
        stored.phone_sealed = damage(stored.phone_sealed, f"registration/{damaged_id}/phone")
        db.session.commit()
    nurse_a = logged_in(app, people["a"])

    exported = json.loads(nurse_a.get(f"/inbox/{damaged_id}/export.json").get_data(as_text=True))
    documented_schema().validate(exported)
    assert exported["schema"].endswith("/1.2")
    assert exported["unreadable"] == ["phone"]
    assert exported["parent"]["phone"] is None
    assert exported["parent"]["name"] == answers["name"] and exported["parent"]["email"] == answers["email"]
    assert exported["parent"]["address"] == "2611 AB 12" and exported["note"] == answers["note"]
    assert "Some details cannot be read" in Page(nurse_a.get(f"/inbox/{damaged_id}")).text, "as the detail page says"

    normal = json.loads(nurse_a.get(f"/inbox/{normal_id}/export.json").get_data(as_text=True))
    documented_schema().validate(normal)
    assert normal["unreadable"] == [] and normal["parent"]["phone"]


# --- T-32: another organisation's registration, a random id, a neighbouring id -------------


def inbox_requests(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("inbox.") and "registration_id" in rule.arguments:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, rule.rule))
    return found


def neighbour(registration_id: str) -> str:
    last = int(registration_id[-1], 16)
    return registration_id[:-1] + format((last + 1) % 16, "x")


def test_other_organisations_and_made_up_ids_give_404_and_a_logged_denial(
    app: Flask, client: Any, people: dict[str, Account]
) -> None:
    answers = canary()
    delft_id = register_id(app, client, postcode=DELFT, **answers)
    nurse_b = logged_in(app, people["b"])
    requests = inbox_requests(app)
    assert {endpoint for endpoint, _, _ in requests} >= {
        "inbox.detail",
        "inbox.record_step",
        "inbox.reroute",
        "inbox.printable",
        "inbox.export_json",
        "inbox.access_history",
    }
    before = state(app, delft_id)

    for target in (delft_id, secrets.token_hex(16), neighbour(delft_id)):
        for endpoint, method, rule in requests:
            url = rule.replace("<registration_id>", target)
            data = (
                {
                    "csrf_token": csrf_token(nurse_b),
                    "step": "contact_made",
                    "organisation": HOFSTAD,
                    "reason": "lives_elsewhere",
                }
                if method == "POST"
                else None
            )
            log_before = len(access_rows(app))
            response = nurse_b.open(url, method=method, data=data)
            assert response.status_code == 404, (endpoint, method, target)
            assert answers["name"] not in response.get_data(as_text=True)
            (row,) = access_rows(app)[log_before:]
            assert (row.outcome, row.actor_user_id, row.actor_role, row.actor_org_id, row.object_id) == (
                "denied",
                people["b"].id,
                "jgz_staff",
                HOFSTAD,
                target,
            ), endpoint
    assert state(app, delft_id) == before


def test_a_hostile_id_is_logged_without_its_payload(app: Flask, people: dict[str, Account]) -> None:
    nurse_b = logged_in(app, people["b"])
    assert nurse_b.get("/inbox/abc'%3B--<script>").status_code == 404
    row = access_rows(app, outcome="denied")[-1]
    assert row.object_id == "abc--script"
