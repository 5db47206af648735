"""Logging in: password, then the authenticator code (T-18 … T-22, T-38).

What a member of staff (or an attacker) notices: one message for a wrong e-mail or password,
a lock after five failures that no amount of guessing shortens, codes that work once, a
second factor that administrators and JGZ staff cannot skip, and no page at all before it.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from balie.extensions import db
from balie.models import User, UserSession
from balie.models.base import utcnow
from balie.services.accounts import authentication, passwords, two_factor
from balie.services.accounts.lifecycle import Grant
from tests.support.accounts import DELFLAND, HOFSTAD, Account, csrf, make_user, nurse
from tests.support.pages import Page
from tests.support.staff import LOGIN_PATHS, csrf_token, location_path, sent_to_login, sid
from tests.web.helpers import english
from tests.web.test_access_matrix import ANONYMOUS, POLICY

WRONG = "The e-mail address or password is not correct"
LOCKED = "Too many attempts. Wait a few minutes and try again."
CODE_WRONG = "This code is not correct or was already used"


def browser(app: Flask) -> Any:
    return english(app.test_client())


def password_step(client: Any, email: str, password: str) -> Any:
    return client.post("/inloggen", data={"csrf_token": csrf(client), "email": email, "password": password})


def code_step(client: Any, code: str) -> Any:
    return client.post("/inloggen/code", data={"csrf_token": csrf(client, "/inloggen/code"), "code": code})


def professional(app: Flask, email: str = "verloskundige@praktijk.example") -> Account:
    return make_user(app, email, [Grant("professional", profession="midwife")], totp=False, name="Vera Verloskundige")


# --- password ------------------------------------------------------------------------------


def test_a_nurse_logs_in_with_password_and_code_and_sees_her_inbox(app: Flask) -> None:
    account = nurse(app)
    client = browser(app)
    assert sent_to_login(client.get("/inbox"))

    after_password = password_step(client, account.email, account.password)
    assert after_password.status_code == 303 and location_path(after_password) == "/inloggen/code"
    assert sent_to_login(client.get("/inbox")), "a password alone must not open the inbox"

    done = code_step(client, account.code())
    assert done.status_code == 303 and location_path(done) == "/inbox"
    page = Page(client.get("/inbox"))
    assert page.status == 200 and page.title.startswith("Inbox")


def test_the_e_mail_address_is_matched_whatever_its_case_and_spaces(app: Flask) -> None:
    account = nurse(app)
    client = browser(app)
    response = password_step(client, "  VerpleegKundige@Delfland.EXAMPLE ", account.password)
    assert response.status_code == 303 and location_path(response) == "/inloggen/code"


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(app: Flask) -> None:
    account = nurse(app)
    known = Page(password_step(browser(app), account.email, "not the right password at all"))
    unknown = Page(password_step(browser(app), "niemand@nergens.example", "not the right password at all"))

    assert known.status == unknown.status == 400
    assert known.errors == unknown.errors == [WRONG]
    assert known.text.replace(account.email, "@") == unknown.text.replace("niemand@nergens.example", "@")


@pytest.mark.parametrize("who", ["existing account", "unknown address"])
def test_five_failures_lock_the_address_and_no_hash_is_computed_while_locked(
    app: Flask, monkeypatch: pytest.MonkeyPatch, who: str
) -> None:
    account = nurse(app)
    email = account.email if who == "existing account" else "onbekend@balie.example"
    hashed: list[int] = []
    real_verify = passwords.verify
    monkeypatch.setattr(passwords, "verify", lambda stored, given: hashed.append(1) or real_verify(stored, given))
    client = browser(app)

    with time_machine.travel(datetime.now(UTC), tick=False):
        for _ in range(5):
            assert Page(password_step(client, email, "wrong wrong wrong wrong")).errors == [WRONG]
        assert len(hashed) == 5

        for attempt in ("wrong wrong wrong wrong", account.password, "another wrong password here"):
            page = Page(password_step(client, email, attempt))
            assert page.status == 400 and page.errors == [LOCKED]
        assert len(hashed) == 5, "a locked address must be refused before any password hashing"

        # Another address is not affected by the lock.
        assert Page(password_step(client, "iemand-anders@balie.example", "x" * 20)).errors == [WRONG]


def test_the_lock_doubles_with_each_failure_after_it_and_ends_for_the_right_password(app: Flask) -> None:
    account = nurse(app)
    client = browser(app)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        for _ in range(5):
            password_step(client, account.email, "wrong wrong wrong wrong")
        assert Page(password_step(client, account.email, account.password)).errors == [LOCKED]

        clock.shift(timedelta(seconds=61))  # the first lock: 1 minute
        assert Page(password_step(client, account.email, "wrong again, sixth time")).errors == [WRONG]
        clock.shift(timedelta(seconds=119))  # the second lock: 2 minutes
        assert Page(password_step(client, account.email, account.password)).errors == [LOCKED]
        clock.shift(timedelta(seconds=2))
        assert Page(password_step(client, account.email, "wrong again, seventh")).errors == [WRONG]
        clock.shift(timedelta(seconds=239))  # the third lock: 4 minutes
        assert Page(password_step(client, account.email, account.password)).errors == [LOCKED]
        clock.shift(timedelta(seconds=2))

        response = password_step(client, account.email, account.password)
        assert response.status_code == 303 and location_path(response) == "/inloggen/code"
        assert code_step(client, account.code()).status_code == 303
        assert client.get("/inbox").status_code == 200


def test_the_lock_never_grows_beyond_an_hour() -> None:
    durations = [authentication.lock_duration(failures) for failures in range(5, 20)]
    assert durations[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(durations) == timedelta(hours=1) == durations[-1]


def test_a_correct_login_clears_earlier_failures(app: Flask) -> None:
    account = nurse(app)
    client = browser(app)
    for _ in range(4):
        password_step(client, account.email, "wrong wrong wrong wrong")
    assert password_step(client, account.email, account.password).status_code == 303
    other = browser(app)
    for _ in range(4):
        assert Page(password_step(other, account.email, "wrong wrong wrong wrong")).errors == [WRONG]
    assert password_step(other, account.email, account.password).status_code == 303


# --- the second factor --------------------------------------------------------------------


def test_a_code_works_once_even_from_another_browser(app: Flask) -> None:
    account = nurse(app)
    code = account.code()
    first, second = browser(app), browser(app)
    assert password_step(first, account.email, account.password).status_code == 303
    assert location_path(code_step(first, code)) == "/inbox"

    assert password_step(second, account.email, account.password).status_code == 303
    replay = Page(code_step(second, code))
    assert replay.status == 400 and replay.errors == [CODE_WRONG]
    assert sent_to_login(second.get("/inbox"))

    assert location_path(code_step(second, account.code(1))) == "/inbox"


def test_a_thousand_random_codes_open_nothing(app: Flask) -> None:
    account = nurse(app)
    totp = pyotp.TOTP(account.secret)
    with app.app_context():
        user = db.session.get(User, account.id)
        keys, now = app.extensions["balie.keys"], utcnow()
        valid = {totp.at(now + timedelta(seconds=30 * step)) for step in (-1, 0, 1)}
        rng = random.Random(6238)
        guesses: list[str] = []
        while len(guesses) < 1000:
            guess = f"{rng.randrange(10**6):06d}"
            if guess not in valid:
                guesses.append(guess)
        assert [guess for guess in guesses if two_factor.verify(user, guess, keys, now)] == []
        assert two_factor.verify(user, totp.at(now), keys, now), "the real code must still work"


def test_five_wrong_codes_end_the_half_finished_login(app: Flask) -> None:
    account = nurse(app)
    client = browser(app)
    assert password_step(client, account.email, account.password).status_code == 303
    valid = {account.code(step) for step in (-1, 0, 1)}
    wrong = [c for c in ("000000", "111111", "123456", "654321", "999999", "424242") if c not in valid][:5]
    for guess in wrong[:4]:
        page = Page(code_step(client, guess))
        assert page.status == 400 and page.errors == [CODE_WRONG]
    ended = code_step(client, wrong[4])
    assert ended.status_code == 303 and location_path(ended) == "/inloggen"
    assert "Too many wrong codes. Log in again." in Page(client.get("/inloggen")).text

    # Even the right code no longer helps in this session: the password is needed again.
    after = client.post("/inloggen/code", data={"csrf_token": csrf_token(client), "code": account.code()})
    assert sent_to_login(after)
    assert sent_to_login(client.get("/inbox"))
    with app.app_context():
        reasons = db.session.scalars(select(UserSession.ended_reason).where(UserSession.user_id == account.id)).all()
    assert reasons == ["mfa_failures"]


def test_wrong_codes_count_per_account_over_several_logins(app: Flask) -> None:
    """Someone who knows the password cannot keep logging in again to guess more codes."""
    account = nurse(app)
    valid = {account.code(step) for step in (-1, 0, 1)}
    wrong = iter(f"{n:06d}" for n in range(100000, 100100) if f"{n:06d}" not in valid)
    for _login in range(2):  # 2 logins × 5 wrong codes = the account's limit of 10
        client = browser(app)
        password_step(client, account.email, account.password)
        for _ in range(5):
            code_step(client, next(wrong))
    client = browser(app)
    password_step(client, account.email, account.password)
    page = Page(code_step(client, account.code()))
    assert page.status == 400 and page.errors == ["Too many wrong codes. Wait a few minutes and try again."]
    assert sent_to_login(client.get("/inbox"))
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        later = browser(app)
        password_step(later, account.email, account.password)
        assert location_path(code_step(later, account.code())) == "/inbox"


def test_a_recovery_code_works_once(app: Flask) -> None:
    account = nurse(app)
    with app.app_context(), db.writing():
        codes = two_factor.new_recovery_codes(db.session, db.session.get(User, account.id))
        db.session.commit()

    first = browser(app)
    password_step(first, account.email, account.password)
    assert location_path(code_step(first, codes[0])) == "/inbox"
    assert "You have 9 unused recovery codes." in Page(first.get("/account")).text

    second = browser(app)
    password_step(second, account.email, account.password)
    page = Page(code_step(second, codes[0]))
    assert page.status == 400 and page.errors == [CODE_WRONG]
    assert location_path(code_step(second, codes[1].upper().replace("-", " "))) == "/inbox"


@pytest.mark.parametrize(
    "grants, home",
    [([Grant("admin")], "/beheer/gebruikers"), ([Grant("jgz_staff", organisation_id=DELFLAND)], "/inbox")],
    ids=["administrator", "jgz staff"],
)
def test_staff_without_an_app_must_set_it_up_before_any_page(app: Flask, grants: list[Grant], home: str) -> None:
    account = make_user(app, "nieuw@balie.example", grants, totp=False)
    client = browser(app)
    response = password_step(client, account.email, account.password)
    assert response.status_code == 303 and location_path(response) == "/inloggen/tweede-factor"
    for path in (home, "/account", "/account/sessies", "/inbox", "/beheer/gebruikers", "/inloggen/code"):
        assert sent_to_login(client.get(path)), path

    page = Page(client.get("/inloggen/tweede-factor"))
    assert page.status == 200
    assert re.search(r'<div class="qr__image"[^>]*><svg[^>]*>.*</svg>', page.html, re.S), "no QR code shown"
    shown = re.search(r'<code class="qr__secret">([A-Z2-7 ]+)</code>', page.html)
    assert shown, "the key to type in is not shown"
    secret = shown.group(1).replace(" ", "")
    assert len(secret) >= 16

    wrong = Page(
        client.post("/inloggen/tweede-factor", data={"csrf_token": page.hidden("csrf_token"), "code": "000000"})
    )
    assert wrong.status == 400 and wrong.errors
    assert sent_to_login(client.get(home))

    done = Page(
        client.post(
            "/inloggen/tweede-factor", data={"csrf_token": page.hidden("csrf_token"), "code": pyotp.TOTP(secret).now()}
        )
    )
    assert done.status == 200 and "Your recovery codes" in done.title
    assert len(re.findall(r"<li><code>[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}</code></li>", done.html)) == 10
    assert client.get(home).status_code == 200
    with app.app_context():
        assert db.session.get(User, account.id).has_totp  # type: ignore[union-attr]


def test_a_gemeente_editor_is_offered_the_app_but_not_forced(app: Flask) -> None:
    account = make_user(
        app, "redacteur@delft.example", [Grant("gemeente_editor", municipality_code="GM0503")], totp=False
    )
    client = browser(app)
    response = password_step(client, account.email, account.password)
    assert response.status_code == 303 and location_path(response) == "/sociale-kaart/beheer"
    assert client.get("/sociale-kaart/beheer").status_code == 200


# --- T-22: a password alone opens nothing ---------------------------------------------------

# Pages anyone may open (the access matrix's policy); every other page needs a finished login.
PUBLIC_ENDPOINTS = {endpoint for endpoint, allowed in POLICY.items() if ANONYMOUS in allowed} | {
    "auth.code",
    "auth.enrol",
}
DUMMY = {"action": "sessies-beeindigen", "decision": "goedkeuren", "code": "nl", "year": "2025"}


def every_request(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route, path parameters filled with dummy values; logout last."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {name: DUMMY.get(name, "0f" * 16) for name in rule.arguments}
        url = adapter.build(rule.endpoint, values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return sorted(found, key=lambda item: item[0] == "auth.logout")


@pytest.mark.parametrize("pending", ["code", "set-up"])
def test_a_password_alone_opens_no_page(app: Flask, pending: str) -> None:
    if pending == "code":
        account = nurse(app)
    else:
        account = make_user(app, "beheer-zonder-app@balie.example", [Grant("admin")], totp=False)
    client = browser(app)
    first = password_step(client, account.email, account.password)
    assert location_path(first) == ("/inloggen/code" if pending == "code" else "/inloggen/tweede-factor")

    requests = every_request(app)
    assert len(requests) > 40
    for endpoint, method, url in requests:
        data = {"csrf_token": csrf_token(client)} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        where = f"{method} {url} ({endpoint}) → {response.status_code}"
        assert response.status_code < 500, where
        if endpoint in PUBLIC_ENDPOINTS:
            assert 'class="staff-nav"' not in response.get_data(as_text=True), where
            continue
        assert sent_to_login(response) or 400 <= response.status_code < 500, where
        if response.status_code in (302, 303):
            assert location_path(response) in LOGIN_PATHS, where


# --- the session id and where the login leads -------------------------------------------


def test_every_login_gets_a_new_session_id_and_a_planted_one_is_not_adopted(app: Flask) -> None:
    victim = nurse(app)
    attacker = nurse(app, "aanvaller@hofstad.example", HOFSTAD)

    attacker_browser = browser(app)
    password_step(attacker_browser, attacker.email, attacker.password)
    planted = sid(app, attacker_browser)
    assert planted

    victim_browser = browser(app)
    victim_browser.set_cookie("balie_session", attacker_browser.get_cookie("balie_session").value)
    response = password_step(victim_browser, victim.email, victim.password)
    assert "balie_session=" in " ".join(response.headers.getlist("Set-Cookie"))
    after_password = sid(app, victim_browser)
    assert after_password and after_password != planted
    code_step(victim_browser, victim.code())
    assert sid(app, victim_browser) == after_password
    assert victim_browser.get("/inbox").status_code == 200

    # The attacker's copy is no longer any session at all, and certainly not the victim's.
    assert sent_to_login(attacker_browser.get("/inbox"))
    assert sent_to_login(attacker_browser.get("/inloggen/code"))

    # Logging in again in the same browser: yet another id, and the previous one is ended.
    again = browser(app)
    password_step(again, victim.email, victim.password)
    first_id = sid(app, again)
    password_step(again, victim.email, victim.password)
    assert sid(app, again) not in (first_id, None)
    with app.app_context():
        reasons = sorted(
            r or "-"
            for r in db.session.scalars(select(UserSession.ended_reason).where(UserSession.user_id == victim.id))
        )
    assert reasons == ["-", "-", "replaced"]


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "http:/evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_the_page_after_login_is_never_another_site(app: Flask, target: str) -> None:
    account = professional(app)
    client = browser(app)
    client.get("/inloggen", query_string={"next": target})
    response = password_step(client, account.email, account.password)
    assert response.status_code == 303
    assert response.headers["Location"] == "/advies"


def test_the_page_asked_for_before_login_opens_after_the_code(app: Flask) -> None:
    account = nurse(app)
    client = browser(app)
    asked = client.get("/account/sessies")
    assert sent_to_login(asked)
    client.get(asked.headers["Location"])
    password_step(client, account.email, account.password)
    done = code_step(client, account.code())
    assert done.headers["Location"] == "/account/sessies"
