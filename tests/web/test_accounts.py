"""Accounts: the password rules, invitations, account requests, password reset (T-18 … T-21).

Links arrive by mail: the outbox is delivered to files with `flask outbox send` and the link
is read from the mail, as the person would click it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from balie.domain import password_policy
from balie.domain.password_policy import PasswordRejected
from balie.extensions import db
from balie.models import User
from balie.models.base import utcnow
from balie.services.accounts import lifecycle as accounts
from balie.services.accounts import passwords
from balie.services.accounts.lifecycle import Grant
from tests.support.accounts import DELFLAND, PASSWORD, Account, admin, csrf, login, nurse
from tests.support.pages import Page
from tests.support.staff import body, links, location_path, mails, mails_to, only, send_outbox, sent_to_login
from tests.web.helpers import english

ARGON2ID = re.compile(r"^\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")
NAME, EMAIL = "Test Gebruiker", "verpleegkundige@delfland.example"
NEW_PASSWORD = "fietsen langs de vliet in mei"
LINK_DEAD = "This link does not work"

# --- the password rules (ASVS 5.0 6.2): length, common passwords, context words ----------------

E = None  # accepted
SHORT, LONG, COMMON = "password_too_short", "password_too_long", "password_common"
REPETITIVE, CONTEXT = "password_repetitive", "password_context"

POLICY_CASES: list[tuple[str, str | None]] = [
    # length, in characters as typed (code points)
    ("", SHORT),
    ("abcdefghijklmn", SHORT),  # 14
    ("abcdefghijklmno", E),  # 15
    ("rustige avond 7", E),  # 15
    ("rustige avond ", SHORT),  # 14, the trailing space counts and is not stripped
    (" rustige avond ", E),  # 15 with spaces at both ends
    (("zeven kleine eendjes " * 7)[:128], E),
    (("zeven kleine eendjes " * 7)[:129], LONG),
    ("z" * 1000, LONG),
    # unicode and emoji, kept as typed
    ("🐣🌷🍼🙂" * 4, E),
    ("🐣🌷🍼🙂" * 3 + "🐣🌷", SHORT),  # 14 emoji
    ("🙂" * 15, REPETITIVE),
    ("Zoë gaat naar Ærø", E),
    ("Привет как дела сегодня", E),
    ("你好世界你好世界你好世界你好世", E),
    ("مرحبا بالعالم الجميل", E),
    ("ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ", REPETITIVE),
    ("e\u0301" * 8, REPETITIVE),  # 16 code points, two different
    # the common-password list (zxcvbn, offline) and its obvious variants
    ("qwerty123456789", COMMON),
    ("QWERTY123456789", COMMON),
    ("1qaz2wsx3edc4rfv", COMMON),
    ("passwordstandard", COMMON),
    ("passwordpassword", COMMON),
    ("PasswordPassword", COMMON),
    ("PASSWORDPASSWORD", COMMON),
    ("passwordpassword1", COMMON),
    ("passwordpassword!", COMMON),
    ("passwordpasswordpassword", COMMON),
    ("iloveyouiloveyou", COMMON),
    ("qwertyuiop12345!", COMMON),
    ("wachtwoord123456", COMMON),
    ("testtesttesttest", COMMON),
    # too few different characters
    ("aaaaaaaaaaaaaaaa", REPETITIVE),
    ("abababababababab", REPETITIVE),
    ("1212121212121212", REPETITIVE),
    # context: the user's name and e-mail, and this desk's own words
    ("verpleegkundige1", CONTEXT),
    ("Verpleegkundige!", CONTEXT),
    ("gebruiker123456", CONTEXT),
    ("Test Gebruiker 1", CONTEXT),
    ("test.gebruiker.verpleegkundige", CONTEXT),
    ("balie balie balie", CONTEXT),
    ("BalieBalie2026!!", CONTEXT),
    ("jgz jgz jgz jgz jgz", CONTEXT),
    ("jgz-balie-2026!", CONTEXT),
    ("jgz-balie-2026!!", E),  # eight characters of its own: enough
    ("huisbezoek jgz 2026", CONTEXT),
    ("ik werk bij de jgz balie", E),  # the words inside a real sentence are fine
    ("Test Gebruiker fietst graag", E),
]


def test_the_policy_table_is_big_enough() -> None:
    assert len(POLICY_CASES) >= 40
    assert {code for _, code in POLICY_CASES} == {E, SHORT, LONG, COMMON, REPETITIVE, CONTEXT}


@pytest.mark.parametrize("password, expected", POLICY_CASES, ids=[f"{i:02d}" for i in range(len(POLICY_CASES))])
def test_password_policy(password: str, expected: str | None) -> None:
    if expected is None:
        passwords.check_policy(password, NAME, EMAIL)
        return
    with pytest.raises(PasswordRejected) as rejected:
        passwords.check_policy(password, NAME, EMAIL)
    assert rejected.value.code == expected


@pytest.mark.parametrize(
    "password, name, email, expected",
    [
        ("fatima el amrani", "Fatima El Amrani", "f.elamrani@hofstad.example", CONTEXT),
        ("fatima2026fatima", "Fatima El Amrani", "f.elamrani@hofstad.example", CONTEXT),
        ("f.elamrani123456", "Fatima El Amrani", "f.elamrani@hofstad.example", CONTEXT),
        ("Test Gebruiker 1", "Ander Persoon", "ander@balie.example", E),  # someone else's name is no context
        ("verpleegkundige1", "Ander Persoon", "ander@balie.example", E),
    ],
)
def test_context_words_are_the_users_own(password: str, name: str, email: str, expected: str | None) -> None:
    words = password_policy.context_words(name, email)
    if expected is None:
        password_policy.check(password, passwords.common_passwords(), words)
    else:
        with pytest.raises(PasswordRejected) as rejected:
            password_policy.check(password, passwords.common_passwords(), words)
        assert rejected.value.code == expected


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2id_and_kept_exactly_as_typed() -> None:
    typed = "  Zoë 🐣 fietst naar Ærø  "
    stored = passwords.hash_password(typed)
    assert ARGON2ID.match(stored), stored
    assert typed not in stored
    assert passwords.verify(stored, typed)
    for other in (typed.strip(), typed.casefold(), unicodedata.normalize("NFD", typed), typed[:-1]):
        assert other != typed and not passwords.verify(stored, other)

    longest = ("zeven kleine eendjes " * 7)[:128]
    assert not passwords.verify(passwords.hash_password(longest), longest[:-1] + "X"), "no truncation"


# --- invitations -------------------------------------------------------------------------


def browser(app: Flask) -> Any:
    return english(app.test_client())


def logged_in(app: Flask, account: Account, code_offset: int = 0) -> Any:
    client = browser(app)
    assert login(client, account, code_offset).status_code == 303
    return client


def password_step(client: Any, email: str, password: str) -> Any:
    return client.post("/inloggen", data={"csrf_token": csrf(client), "email": email, "password": password})


def stored_hash(app: Flask, email: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.email == email))


def invitation_link(app: Flask, email: str) -> str:
    send_outbox(app)
    mail = only(mails_to(app, email))
    found = links(mail, app.config["PUBLIC_BASE_URL"])
    assert len(found) == 1 and found[0].startswith("/uitnodiging/"), body(mail)
    return found[0]


def accept(app: Flask, path: str, name: str, password: str = NEW_PASSWORD, client: Any = None) -> Any:
    client = client or browser(app)
    page = Page(client.get(path))
    assert page.status == 200, page.text
    return client.post(
        path, data={"csrf_token": page.hidden("csrf_token"), "name": name, "password": password, "repeat": password}
    )


def invite_through_the_web(app: Flask, manager: Any, **fields: str) -> Any:
    page = Page(manager.get("/beheer/uitnodigen"))
    assert page.status == 200
    data = {"csrf_token": page.hidden("csrf_token"), "organisation": "", "municipality": "", "profession": "", **fields}
    return manager.post("/beheer/uitnodigen", data=data)


@pytest.mark.real_password_hashing
def test_an_invited_nurse_sets_her_password_and_must_set_up_the_app(app: Flask) -> None:
    manager = logged_in(app, admin(app))
    response = invite_through_the_web(
        app, manager, name="Nina Nieuw", email="Nina.Nieuw@Delfland.example", role="jgz_staff", organisation=DELFLAND
    )
    assert response.status_code == 303 and location_path(response) == "/beheer/uitnodigingen"
    listed = Page(manager.get("/beheer/uitnodigingen"))
    assert "The invitation has been sent. The link works for 7 days." in listed.text
    assert "nina.nieuw@delfland.example" in listed.text

    path = invitation_link(app, "nina.nieuw@delfland.example")
    mail = only(mails_to(app, "nina.nieuw@delfland.example"))
    assert PASSWORD not in body(mail) and "Nina Nieuw" in body(mail)

    client = browser(app)
    created = accept(app, path, "Nina Nieuw", client=client)
    assert created.status_code == 303 and location_path(created) == "/inloggen"
    assert ARGON2ID.match(stored_hash(app, "nina.nieuw@delfland.example") or "")

    assert "Your account is ready." in Page(client.get("/inloggen")).text
    first = password_step(client, "nina.nieuw@delfland.example", NEW_PASSWORD)
    assert location_path(first) == "/inloggen/tweede-factor"
    assert sent_to_login(client.get("/inbox"))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nina.nieuw@delfland.example"))
        assert user is not None and [(g.role, g.organisation_id) for g in user.roles] == [("jgz_staff", DELFLAND)]

    used = Page(browser(app).get(path))
    assert used.status == 404 and LINK_DEAD in used.title
    assert "This invitation has already been used." in used.text


def test_an_invitation_needs_a_password_that_follows_the_rules(app: Flask) -> None:
    with app.app_context(), db.writing():
        invitation = accounts.invite(db.session, "regel@balie.example", "Re Gel", [Grant("admin")], None, utcnow())
        db.session.commit()
        signature = accounts.link_signature(app.config["SECRET_KEY"], "invitation", invitation.id)
        path = f"/uitnodiging/{invitation.id}/{signature}"
    refused = Page(accept(app, path, "Re Gel", "passwordpassword"))
    assert refused.status == 400
    assert refused.errors == ["This password is used by many people. Choose another one."]
    assert stored_hash(app, "regel@balie.example") is None
    assert Page(browser(app).get(path)).status == 200, "a refused password does not use up the link"


def _service_invitation(app: Flask, email: str) -> tuple[str, str]:
    with app.app_context(), db.writing():
        invitation = accounts.invite(
            db.session, email, "Ver Lopen", [Grant("jgz_staff", organisation_id=DELFLAND)], None, utcnow()
        )
        db.session.commit()
        return invitation.id, accounts.link_signature(app.config["SECRET_KEY"], "invitation", invitation.id)


def test_an_invitation_works_for_7_days(app: Flask) -> None:
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        invitation_id, signature = _service_invitation(app, "later@delfland.example")
        clock.shift(timedelta(days=6, hours=23))
        assert browser(app).get(f"/uitnodiging/{invitation_id}/{signature}").status_code == 200
        clock.shift(timedelta(hours=1, seconds=1))
        expired = Page(browser(app).get(f"/uitnodiging/{invitation_id}/{signature}"))
        assert expired.status == 404 and LINK_DEAD in expired.title
        assert "This invitation has expired." in expired.text
        clock.shift(timedelta(days=1))  # 8 days
        client = browser(app)
        response = client.post(
            f"/uitnodiging/{invitation_id}/{signature}",
            data={"csrf_token": csrf(client), "name": "Ver Lopen", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
        )
        assert response.status_code == 404
    assert stored_hash(app, "later@delfland.example") is None


def test_a_tampered_invitation_link_is_refused(app: Flask) -> None:
    invitation_id, signature = _service_invitation(app, "echt@delfland.example")
    other_id, other_signature = _service_invitation(app, "ander@delfland.example")
    flipped = ("1" if signature[0] != "1" else "2") + signature[1:]
    for path in (
        f"/uitnodiging/{invitation_id}/{flipped}",
        f"/uitnodiging/{invitation_id}/{signature[:-1]}",
        f"/uitnodiging/{invitation_id}/{other_signature}",
        f"/uitnodiging/{other_id}/{signature}",
        f"/uitnodiging/{invitation_id[:-1]}{'1' if invitation_id[-1] == '0' else '0'}/{signature}",  # another id
    ):
        page = Page(browser(app).get(path))
        assert page.status == 404 and LINK_DEAD in page.title, path
        client = browser(app)
        response = client.post(
            path,
            data={"csrf_token": csrf(client), "name": "Aan Valler", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
        )
        assert response.status_code == 404, path
    assert stored_hash(app, "echt@delfland.example") is None and stored_hash(app, "ander@delfland.example") is None
    assert browser(app).get(f"/uitnodiging/{invitation_id}/{signature}").status_code == 200


def test_the_first_administrator_gets_a_link_valid_for_24_hours(app: Flask, runner: Any) -> None:
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        result = runner.invoke(
            args=["users", "create-admin", "--email", "eerste@balie.example", "--name", "Eerste Beheerder"]
        )
        assert result.exit_code == 0, result.output
        assert "Open within 24 hours" in result.output
        base = re.escape(app.config["PUBLIC_BASE_URL"].rstrip("/"))
        path = only(re.findall(base + r"(/uitnodiging/[0-9a-f-]+/[0-9a-f]+)", result.output))
        clock.shift(timedelta(hours=23, minutes=59))
        assert browser(app).get(path).status_code == 200
        clock.shift(timedelta(minutes=2))
        assert browser(app).get(path).status_code == 404

    second = runner.invoke(
        args=["users", "create-admin", "--email", "eerste@balie.example", "--name", "Eerste Beheerder"]
    )
    path = only(re.findall(r"(/uitnodiging/[0-9a-f-]+/[0-9a-f]+)", second.output))
    assert location_path(accept(app, path, "Eerste Beheerder")) == "/inloggen"
    client = browser(app)
    assert location_path(password_step(client, "eerste@balie.example", NEW_PASSWORD)) == "/inloggen/tweede-factor"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "eerste@balie.example"))
        assert user is not None and [g.role for g in user.roles] == ["admin"]


def test_a_professional_requests_an_account_and_an_administrator_approves_it(app: Flask) -> None:
    boss = admin(app)
    visitor = browser(app)
    page = Page(visitor.get("/account-aanvragen"))
    sent = Page(
        visitor.post(
            "/account-aanvragen",
            data={
                "csrf_token": page.hidden("csrf_token"),
                "name": "Vera Verloskundige",
                "email": "vera@praktijk.example",
                "profession": "midwife",
                "workplace": "Verloskundigenpraktijk De Vliet",
                "motivation": "",
            },
        )
    )
    assert sent.status == 200 and "Request sent" in sent.title

    send_outbox(app)
    notice = only(mails_to(app, boss.email))
    assert "/beheer/aanvragen" in body(notice)
    assert "Vera" not in body(notice) and "vera@praktijk.example" not in body(notice)
    assert not mails_to(app, "vera@praktijk.example")

    manager = logged_in(app, boss)
    requests = Page(manager.get("/beheer/aanvragen"))
    assert "Vera Verloskundige" in requests.text
    (approve,) = re.findall(r'action="(/beheer/aanvragen/[0-9a-f-]+/goedkeuren)"', requests.html)
    response = manager.post(approve, data={"csrf_token": requests.hidden("csrf_token")})
    assert response.status_code == 303
    assert "Approved: an invitation has been sent." in Page(manager.get("/beheer/aanvragen")).text
    assert manager.post(approve, data={"csrf_token": requests.hidden("csrf_token")}).status_code == 303
    assert "This request has already been handled." in Page(manager.get("/beheer/aanvragen")).text

    path = invitation_link(app, "vera@praktijk.example")
    assert location_path(accept(app, path, "Vera Verloskundige")) == "/inloggen"
    client = browser(app)
    assert location_path(password_step(client, "vera@praktijk.example", NEW_PASSWORD)) == "/advies"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "vera@praktijk.example"))
        assert user is not None and [(g.role, g.profession) for g in user.roles] == [("professional", "midwife")]


# --- password reset ------------------------------------------------------------------------


def ask_reset(app: Flask, email: str) -> Page:
    client = browser(app)
    page = Page(client.get("/wachtwoord-vergeten"))
    return Page(client.post("/wachtwoord-vergeten", data={"csrf_token": page.hidden("csrf_token"), "email": email}))


def reset_link(app: Flask, email: str) -> str:
    send_outbox(app)
    mail = mails_to(app, email)[-1]
    found = only(links(mail, app.config["PUBLIC_BASE_URL"]))
    assert found.startswith("/wachtwoord-herstellen/")
    return found


def set_new_password(app: Flask, path: str, password: str = NEW_PASSWORD, client: Any = None) -> Any:
    client = client or browser(app)
    page = Page(client.get(path))
    assert page.status == 200, page.text
    return client.post(path, data={"csrf_token": page.hidden("csrf_token"), "password": password, "repeat": password})


def test_a_reset_looks_the_same_for_known_and_unknown_addresses(app: Flask) -> None:
    account = nurse(app)
    known, unknown = ask_reset(app, account.email), ask_reset(app, "niemand@nergens.example")
    assert known.status == unknown.status == 200
    assert known.text == unknown.text
    assert "The link works for 30 minutes." in known.text
    send_outbox(app)
    assert len(mails_to(app, account.email)) == 1
    assert not mails_to(app, "niemand@nergens.example") and len(mails(app)) == 1


def test_a_reset_link_works_once_ends_all_sessions_and_keeps_the_second_factor(app: Flask) -> None:
    account = nurse(app)
    open_browser = browser(app)
    assert login(open_browser, account).status_code == 303
    assert open_browser.get("/inbox").status_code == 200

    ask_reset(app, account.email)
    path = reset_link(app, account.email)
    client = browser(app)
    done = set_new_password(app, path, client=client)
    assert done.status_code == 303 and location_path(done) == "/inloggen"

    assert sent_to_login(open_browser.get("/inbox")), "every session ends with a reset"
    assert "Your password has been changed." in Page(client.get("/inloggen")).text
    assert Page(password_step(client, account.email, PASSWORD)).errors == [
        "The e-mail address or password is not correct"
    ]
    response = password_step(client, account.email, NEW_PASSWORD)
    assert location_path(response) == "/inloggen/code", "the reset does not skip the authenticator app"
    assert sent_to_login(client.get("/inbox"))

    again = Page(browser(app).get(path))
    assert again.status == 404 and LINK_DEAD in again.title


def test_a_reset_link_expires_after_30_minutes(app: Flask) -> None:
    account = nurse(app)
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        ask_reset(app, account.email)
        path = reset_link(app, account.email)
        clock.shift(timedelta(minutes=29))
        assert browser(app).get(path).status_code == 200
        clock.shift(timedelta(minutes=1, seconds=1))
        expired = Page(browser(app).get(path))
        assert expired.status == 404 and LINK_DEAD in expired.title
    assert passwords.verify(stored_hash(app, account.email), PASSWORD)


def test_a_reset_refuses_a_weak_password_and_keeps_the_old_one(app: Flask) -> None:
    account = nurse(app)
    ask_reset(app, account.email)
    path = reset_link(app, account.email)
    refused = Page(set_new_password(app, path, "verpleegkundige1"))
    assert refused.status == 400
    assert refused.errors == ["Do not base your password on your name, your e-mail address or the name of this service"]
    assert passwords.verify(stored_hash(app, account.email), PASSWORD)


def test_no_administrator_can_set_someone_elses_password(app: Flask) -> None:
    target = nurse(app)
    before = stored_hash(app, target.email)
    manager = logged_in(app, admin(app))
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("manage.", "directory_manage.")):
            assert not re.search(r"wachtwoord|password|herstel", rule.rule + rule.endpoint), rule.rule

    page = Page(manager.get(f"/beheer/gebruikers/{target.id}"))
    assert page.status == 200
    assert 'type="password"' not in page.html
    assert "An administrator cannot set or see anyone’s password." in page.text

    sneaky = {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD, "new_password": NEW_PASSWORD, "password_hash": "x"}
    token = page.hidden("csrf_token")
    for path in (
        f"/beheer/gebruikers/{target.id}/rollen",
        f"/beheer/gebruikers/{target.id}/wachtwoord",
        f"/beheer/gebruikers/{target.id}/inschakelen",
    ):
        response = manager.post(path, data={"csrf_token": token, **sneaky})
        assert response.status_code < 500
    assert stored_hash(app, target.email) == before
    assert Page(password_step(browser(app), target.email, NEW_PASSWORD)).errors == [
        "The e-mail address or password is not correct"
    ]
