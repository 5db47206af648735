"""T-31: every route × every role. Who may use what is written down here, once.

POLICY maps every endpoint of the app to the roles that may use it. The matrix test calls
every route (all its methods, with a valid CSRF token) as every role and checks the answer:
allowed roles get the page or the action (2xx, a redirect that is not to the log-in page, or
a form error), everyone else is sent to log in, gets 403 or 404 — never 200 and never a 5xx.
A new endpoint without an entry here makes the test fail: decide who may use it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from balie.clock import today
from balie.extensions import db
from balie.models import PasswordReset, Service, User
from balie.models.base import utcnow
from balie.services.accounts import lifecycle as accounts
from balie.services.accounts import sessions
from balie.services.accounts.lifecycle import Grant
from balie.services.qa import questions as qa
from balie.services.registrations import advice
from tests.support.accounts import DELFLAND, HOFSTAD, Account, admin, login, make_user, nurse
from tests.support.staff import csrf_token, location_path, register_id, sent_to_login

ANONYMOUS, NURSE_A, NURSE_B, ADMIN = "anonymous", "nurse of Delfland", "nurse of Hofstad", "administrator"
EDITOR, EDITOR_ELSEWHERE, PROFESSIONAL = "editor of Delft", "editor of Den Haag", "professional"
ROLES = (ANONYMOUS, NURSE_A, NURSE_B, ADMIN, EDITOR, EDITOR_ELSEWHERE, PROFESSIONAL)

EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {ANONYMOUS}
NOBODY: frozenset[str] = frozenset()
JGZ = frozenset({NURSE_A, NURSE_B})
DELFLAND_ONLY = frozenset({NURSE_A})  # the registration used below was routed to JGZ Delfland
ADMIN_ONLY = frozenset({ADMIN})
EDITORS = frozenset({EDITOR, EDITOR_ELSEWHERE, ADMIN})

POLICY: dict[str, frozenset[str]] = {
    # The public side: the parent's form and information pages.
    "public.home": EVERYONE,
    "public.register_form": EVERYONE,
    "public.register_check": EVERYONE,
    "public.register_send": EVERYONE,
    "public.confirmation": EVERYONE,
    "public.already_born": EVERYONE,
    "public.privacy": EVERYONE,
    "public.accessibility": EVERYONE,
    "public.safety": EVERYONE,
    "public.choose_language": EVERYONE,
    "public.withdraw": EVERYONE,  # with the reference and withdrawal code the parent received
    "health.health": EVERYONE,  # yes/no answers for monitoring, no counts or personal data
    # The sociale kaart is public; editing it is for gemeente editors and administrators.
    "directory.search": EVERYONE,
    "directory.service": EVERYONE,
    "directory.situations": EVERYONE,
    "directory.hsds_export": EVERYONE,  # open data: active offerings, no personal data
    "directory_manage.index": EDITORS,
    "directory_manage.create": EDITORS,
    # The object below is JGZ Delfland's home-visit service: editors may not change those.
    "directory_manage.edit": ADMIN_ONLY,
    "directory_manage.history": ADMIN_ONLY,
    "directory_manage.still_correct": ADMIN_ONLY,
    "directory_manage.retire": ADMIN_ONLY,
    # Her own gemeenten's offers as a spreadsheet; an upload is found only by the one who made it.
    "directory_spreadsheet.download": EDITORS,
    "directory_spreadsheet.upload": EDITORS,
    "directory_spreadsheet.preview": EDITORS,
    # Logging in and everything a person without an account needs.
    "auth.login": EVERYONE,
    "auth.code": NOBODY,  # only a half-finished login (password given): see test_login.py
    "auth.enrol": NOBODY,  # idem, for staff who still have to set up the app
    "auth.logout": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": EVERYONE,  # whoever holds the link
    "auth.accept_invitation": EVERYONE,  # whoever holds the link
    "auth.request_account": EVERYONE,
    # One's own account.
    "account.overview": LOGGED_IN,
    "account.session_list": LOGGED_IN,
    "account.end_session": LOGGED_IN,
    "account.end_other_sessions": LOGGED_IN,
    "account.keep_alive": LOGGED_IN,
    "account.change_password": LOGGED_IN,
    "account.two_factor_setup": LOGGED_IN,
    "account.new_recovery_codes": LOGGED_IN,
    "account.disable_two_factor": LOGGED_IN - {NURSE_A, NURSE_B, ADMIN},  # their second factor is mandatory
    # The JGZ inbox: the own organisation's registrations only.
    "inbox.index": JGZ,
    "inbox.detail": DELFLAND_ONLY,
    "inbox.record_step": DELFLAND_ONLY,
    "inbox.close": DELFLAND_ONLY,  # posted without an outcome: the form error is the answer
    "inbox.reroute": DELFLAND_ONLY,
    "inbox.printable": DELFLAND_ONLY,
    "inbox.export_json": DELFLAND_ONLY,
    "inbox.access_history": DELFLAND_ONLY,
    "inbox.erase": DELFLAND_ONLY,
    "inbox.merge": DELFLAND_ONLY,  # the object is a duplicate of the Delfland registration
    # Professionals: advice cards, registering together with a parent, referring (midwife).
    "advice.overview": frozenset({PROFESSIONAL}),
    "advice.toggle_mail": frozenset({PROFESSIONAL}),
    "advice.new_card": frozenset({PROFESSIONAL}),
    "advice.card": frozenset({PROFESSIONAL}),  # her own card
    "advice.retire_card": frozenset({PROFESSIONAL}),
    "advice.assisted_form": frozenset({PROFESSIONAL}),
    "advice.assisted_check": frozenset({PROFESSIONAL}),
    "advice.assisted_send": frozenset({PROFESSIONAL}),
    "advice.referral_form": frozenset({PROFESSIONAL}),  # a midwife may refer
    "advice.referral_check": frozenset({PROFESSIONAL}),
    "advice.referral_send": frozenset({PROFESSIONAL}),
    "advice.confirmation": frozenset({PROFESSIONAL}),
    # Administration.
    "manage.users": ADMIN_ONLY,
    "manage.user": ADMIN_ONLY,
    "manage.invite": ADMIN_ONLY,
    "manage.add_role": ADMIN_ONLY,
    "manage.remove_role": ADMIN_ONLY,
    "manage.user_action": ADMIN_ONLY,
    "manage.invitations": ADMIN_ONLY,
    "manage.revoke_invitation": ADMIN_ONLY,
    "manage.requests": ADMIN_ONLY,
    "manage.decide": ADMIN_ONLY,
    "manage.access_log_view": ADMIN_ONLY,
    "manage.access_log_export": ADMIN_ONLY,
    "manage.access_log_verify": ADMIN_ONLY,
    # The vraagbaak: every account may ask and answer; the question and answer below are the
    # professional's own, so only she and a moderator (here: the administrator) may edit them.
    "qa.public_faq": EVERYONE,  # the questions moderators chose, for parents
    "qa.index": LOGGED_IN,
    "qa.ask": LOGGED_IN,
    "qa.similar": LOGGED_IN,
    "qa.question": LOGGED_IN,
    "qa.post_answer": LOGGED_IN,
    "qa.answer_action": LOGGED_IN,  # "helpful"; accepting and hiding are checked per answer
    "qa.follow": LOGGED_IN,
    "qa.history": LOGGED_IN,
    "qa.edit_question": frozenset({PROFESSIONAL, ADMIN}),
    "qa.edit_answer": frozenset({PROFESSIONAL, ADMIN}),
    "qa.moderate": ADMIN_ONLY,
    "qa.review_list": ADMIN_ONLY,
    # The monitor's reference figures: monitors only (tests/web/test_monitor_reference_pages.py);
    # none of the roles above holds a monitor role, not even the administrator.
    "monitor_reference.index": NOBODY,
    "monitor_reference.edit": NOBODY,
    "monitor_reference.upload": NOBODY,
    "monitor_reference.births_preview": NOBODY,
    # The monitor page, its downloads and yearly summary: monitors only (tests/web/test_monitor_pages.py).
    "monitor.index": NOBODY,
    "monitor.export": NOBODY,
    "monitor.yearly": NOBODY,
}

# What to post besides the CSRF token (harmless where possible: a form error is an answer too).
POST_DATA: dict[str, dict[str, str]] = {"inbox.record_step": {"step": "contact_attempt"}}
# Routes that change who is logged in or what exists: called after all the others.
LAST = ("directory_manage.retire", "account.end_other_sessions", "auth.logout")
ALLOWED_STATUSES = (200, 204, 302, 303, 400)


def endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


def test_every_endpoint_has_a_policy(app: Flask) -> None:
    missing = sorted(endpoints(app) - POLICY.keys())
    gone = sorted(POLICY.keys() - endpoints(app))
    assert not missing, f"decide who may use these new endpoints and add them to POLICY: {missing}"
    assert not gone, f"these endpoints no longer exist; remove them from POLICY: {gone}"


@dataclass
class World:
    """The people and records the matrix works with."""

    clients: dict[str, Any]
    tokens: dict[str, str]
    values: dict[str, str]
    own_session: dict[str, str]  # role → the public id of another session of that user
    overrides: dict[str, dict[str, str]]


def _people(app: Flask) -> dict[str, Account | None]:
    editor = [Grant("gemeente_editor", municipality_code="GM0503")]
    elsewhere = [Grant("gemeente_editor", municipality_code="GM0518")]
    return {
        ANONYMOUS: None,
        NURSE_A: nurse(app, "a@delfland.example", DELFLAND),
        NURSE_B: nurse(app, "b@hofstad.example", HOFSTAD),
        ADMIN: admin(app),
        EDITOR: make_user(app, "redactie@delft.example", editor, totp=False),
        EDITOR_ELSEWHERE: make_user(app, "redactie@denhaag.example", elsewhere, totp=False),
        PROFESSIONAL: make_user(app, "vk@praktijk.example", [Grant("professional", profession="midwife")], totp=False),
    }


@pytest.fixture
def world(app: Flask, client: Any) -> World:
    registration_id = register_id(app, client, name="ZZCANARY-Matrix")
    duplicate_id = register_id(app, client, name="ZZCANARY-Matrix")  # the same parent again
    erasable_id = register_id(app, client, name="ZZCANARY-Wissen", phone="06 23456789")
    people = _people(app)
    target = make_user(app, "doelwit@balie.example", [Grant("professional", profession="gp")], totp=False)
    secret, now = app.config["SECRET_KEY"], utcnow()
    own_session: dict[str, str] = {}
    with app.app_context(), db.writing():
        revoke = accounts.invite(db.session, "intrekken@balie.example", "In Trekken", [Grant("admin")], None, now)
        accept = accounts.invite(db.session, "welkom@balie.example", "Wel Kom", [Grant("admin")], None, now)
        accounts.start_reset(db.session, target.email, now)
        reset = db.session.scalar(select(PasswordReset).where(PasswordReset.user_id == target.id))
        request = accounts.request_account(
            db.session, "aanvraag@praktijk.example", "Aan Vraag", "midwife", "Praktijk", "", now
        )
        service = db.session.scalar(select(Service).where(Service.organisation_id == DELFLAND, Service.kind == "phb"))
        assert reset is not None and service is not None
        author = people[PROFESSIONAL].id  # type: ignore[union-attr]
        question = qa.ask(
            db.session, author, "Wanneer komt de JGZ op huisbezoek?", "Graag uitleg voor ouders.", (), today(), now
        )
        answer = qa.answer(db.session, question, author, "Rond de 30e week van de zwangerschap.", today(), now)
        card = advice.create_card(db.session, db.session.get(User, author), "nl", "Spreekuur", now)  # type: ignore[arg-type]
        for role, person in people.items():
            if person is not None:
                user = db.session.get(User, person.id)
                _token, record = sessions.start(db.session, user, "Tweede apparaat", now, timedelta(hours=12))  # type: ignore[arg-type]
                own_session[role] = record.public_id
        db.session.commit()
        ids = (revoke.id, accept.id, reset.id, request.id, service.id)
        question_id, answer_id, card_code = question.id, answer.id, card.code

    clients, tokens = {}, {}
    for role, person in people.items():
        browser = app.test_client()
        if person is not None:
            assert login(browser, person).status_code == 303
        clients[role], tokens[role] = browser, csrf_token(browser)

    revoke_id, accept_id, reset_id, request_id, service_id = ids
    values = {
        "registration_id": registration_id,
        "user_id": target.id,
        "invitation_id": revoke_id,
        "request_id": request_id,
        "decision": "afwijzen",
        "action": "sessies-beeindigen",
        "code": "en",
        "service_id": service_id,
        "reset_id": reset_id,
        "signature": "0" * 40,
        "question_id": question_id,
        "answer_id": answer_id,
        "kind": "vraag",
        "target": question_id,
        "file_format": "xlsx",
        "upload_id": "no-such-upload",
    }
    overrides = {
        "auth.accept_invitation": {
            "invitation_id": accept_id,
            "signature": accounts.link_signature(secret, accounts.KIND_INVITATION, accept_id),
        },
        "auth.reset_password": {"signature": accounts.link_signature(secret, accounts.KIND_PASSWORD_RESET, reset_id)},
        "qa.answer_action": {"action": "nuttig"},
        "inbox.merge": {"registration_id": duplicate_id},
        "inbox.erase": {"registration_id": erasable_id},
        "advice.card": {"code": card_code},
        "advice.retire_card": {"code": card_code},
        "monitor_reference.edit": {"code": "GM0503", "year": str(today().year - 1)},
        "monitor.export": {"kind": "csv"},
    }
    return World(clients, tokens, values, own_session, overrides)


def _requests(app: Flask) -> list[tuple[str, str, Any]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule))
    return sorted(found, key=lambda item: (LAST.index(item[0]) if item[0] in LAST else -1, item[0], item[1]))


def _url(app: Flask, world: World, endpoint: str, rule: Any, role: str) -> str:
    values = {**world.values, **world.overrides.get(endpoint, {})}
    if "public_id" in rule.arguments:
        values["public_id"] = world.own_session.get(role, "0" * 16)
    unknown = set(rule.arguments) - values.keys()
    assert not unknown, f"{endpoint}: give the matrix a value for {unknown}"
    return app.url_map.bind("localhost").build(endpoint, {name: values[name] for name in rule.arguments})


def _denied(response: Any) -> bool:
    return sent_to_login(response) or response.status_code in (403, 404)


def _allowed(endpoint: str, response: Any) -> bool:
    if endpoint == "auth.logout":
        return response.status_code == 303 and location_path(response) == "/inloggen"
    if _denied(response):
        return False
    return response.status_code in ALLOWED_STATUSES


def test_every_route_as_every_role(app: Flask, world: World) -> None:
    assert set(POLICY) >= endpoints(app), "see test_every_endpoint_has_a_policy"
    problems: list[str] = []
    calls = 0
    for endpoint, method, rule in _requests(app):
        for role in ROLES:
            browser = world.clients[role]
            url = _url(app, world, endpoint, rule, role)
            data = {"csrf_token": world.tokens[role], **POST_DATA.get(endpoint, {})} if method == "POST" else None
            response = browser.open(url, method=method, data=data)
            response.get_data()
            response.close()  # a streamed response (the CSV export) holds its request context until closed
            calls += 1
            allowed = role in POLICY[endpoint]
            verdict = _allowed(endpoint, response) if allowed else _denied(response) and response.status_code != 200
            if response.status_code >= 500 or not verdict:
                where = response.headers.get("Location", "")
                problems.append(
                    f"{method} {url} as {role}: {response.status_code} {where} (expected "
                    f"{'allow' if allowed else 'deny'})"
                )
    assert calls >= len(ROLES) * 50
    assert not problems, "\n".join(problems)


def test_logging_out_closes_every_staff_page_for_every_role(app: Flask, world: World) -> None:
    """After logout no role reaches a staff page any more."""
    for role, browser in world.clients.items():
        response = browser.post("/uitloggen", data={"csrf_token": world.tokens[role]})
        assert response.status_code == 303 and location_path(response) == "/inloggen"
        for path in ("/account", "/inbox", "/beheer/gebruikers", "/sociale-kaart/beheer"):
            assert sent_to_login(browser.get(path)), (role, path)
