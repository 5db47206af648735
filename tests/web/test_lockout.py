"""A lock-out that slows attackers down but cannot be used to keep a nurse out.

Every request names its client address (REMOTE_ADDR), so one test client plays an attacker at
one address, a botnet of hundreds, or the nurse at her office. What the tests check is what the
people notice: the attacker gets his guesses refused (and costs no password hashing while
locked), the nurse with her password and authenticator code always gets in, an unknown e-mail
address looks exactly like hers, and the operator sees one security event for a sustained attack.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from argon2 import PasswordHasher
from flask import Flask

from balie.services.accounts import authentication, passwords
from balie.services.accounts.lifecycle import Grant
from tests.support.accounts import Account, make_user, nurse
from tests.support.pages import Page
from tests.support.staff import location_path, sent_to_login
from tests.web.helpers import english
from tests.web.test_accounts import NEW_PASSWORD, ask_reset, reset_link, set_new_password

WRONG = "The e-mail address or password is not correct"
LOCKED = "Too many attempts. Wait a few minutes and try again."
CODE_NEEDED = "Enter the code from your authenticator app as well"
WRONG_UNDER_ATTACK = "The e-mail address, password or code is not correct"
CODE_LOCKED = "Too many wrong codes. Wait a few minutes and try again."
UNDER_ATTACK_NOTICE = "Someone has tried many times to log in with this e-mail address."
RESET_HINT = (
    "No authenticator app, or does it still not work? Choose a new password . Then you can log in again straight away."
)

ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"  # where the nurse usually works
NEW_PLACE = "192.0.2.55"  # somewhere she never logged in from before
UNKNOWN = "niemand@nergens.example"


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts password hash checks. Uses a light argon2id profile so that hundreds of attempts
    run in seconds: only the cost changes, not what is checked or when."""
    light = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(passwords, "_HASHER", light)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", light.hash("balie-dummy-password-for-timing"))
    calls: list[int] = []
    real_verify = passwords.verify
    monkeypatch.setattr(passwords, "verify", lambda stored, given: calls.append(1) or real_verify(stored, given))
    yield calls


class Desk:
    """One browser that can appear at any client address."""

    def __init__(self, app: Flask) -> None:
        self.client = english(app.test_client())
        self.token = Page(self.client.get("/inloggen")).hidden("csrf_token")

    def login(self, email: str, password: str, address: str, code: str | None = None) -> Any:
        data = {"csrf_token": self.token, "email": email, "password": password}
        if code is not None:
            data["code"] = code
        return self.client.post("/inloggen", data=data, environ_base={"REMOTE_ADDR": address})

    def code_step(self, code: str, address: str) -> Any:
        token = Page(self.client.get("/inloggen/code", environ_base={"REMOTE_ADDR": address})).hidden("csrf_token")
        data = {"csrf_token": token, "code": code}
        return self.client.post("/inloggen/code", data=data, environ_base={"REMOTE_ADDR": address})

    def sees_inbox(self) -> bool:
        return self.client.get("/inbox").status_code == 200


def botnet(count: int, start: int = 0) -> list[str]:
    return [f"10.{(n // 250) % 250}.{n % 250}.{n // 62500 + 1}" for n in range(start, start + count)]


def attack(app: Flask, email: str, addresses: list[str], tries: int = 1) -> None:
    """Wrong passwords (with a guessed code, as a clever attacker would) from every address."""
    desk = Desk(app)
    for address in addresses:
        for n in range(tries):
            assert desk.login(email, f"guess {address} {n} password", address, code="123456").status_code == 400


def nurse_logs_in(app: Flask, account: Account, address: str, code_step: int = 0) -> Desk:
    """Password and code: in one step while the account is under attack, else in two steps."""
    desk = Desk(app)
    code = account.code(code_step)
    response = desk.login(account.email, account.password, address, code=code)
    if location_path(response) == "/inloggen/code":
        response = desk.code_step(code, address)
    assert response.status_code == 303 and location_path(response) == "/inbox", Page(response).errors
    assert desk.sees_inbox()
    return desk


def security_events(caplog: pytest.LogCaptureFixture, name: str) -> list[dict[str, Any]]:
    found = [json.loads(r.getMessage()) for r in caplog.records if r.name == "balie.security"]
    return [event for event in found if event["event"] == name]


def same_page(mine: Page, theirs: Page, my_email: str, their_email: str) -> bool:
    return mine.status == theirs.status and mine.text.replace(my_email, "@") == theirs.text.replace(their_email, "@")


# --- (1) one attacker at one address ---------------------------------------------------------


def test_an_attacker_at_one_address_is_locked_out_without_hashing_and_the_nurse_elsewhere_is_not(
    any_db_app: Flask, hashed: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    app = any_db_app
    account = nurse(app)
    attacker = Desk(app)
    caplog.set_level(logging.WARNING, logger="balie.security")
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        for n in range(5):
            assert Page(attacker.login(account.email, f"wrong guess number {n}", ATTACKER)).errors == [WRONG]
        assert len(hashed) == 5
        assert len(security_events(caplog, "authn_login_lock")) == 1

        for guess in ("another wrong guess", account.password):
            page = Page(attacker.login(account.email, guess, ATTACKER, code=account.code()))
            assert page.status == 400 and page.errors == [LOCKED]
        assert len(hashed) == 5, "no password is hashed while the address is locked"

        # The nurse at her office is not slowed down at all.
        nurse_logs_in(app, account, OFFICE)

        # The lock grows: 1 minute, then 2 after the next failure.
        clock.shift(timedelta(seconds=61))
        assert Page(attacker.login(account.email, "sixth wrong guess", ATTACKER)).errors == [WRONG]
        assert len(security_events(caplog, "authn_login_lock")) == 2
        clock.shift(timedelta(seconds=61))
        assert Page(attacker.login(account.email, "still locked guess", ATTACKER)).errors == [LOCKED]
        clock.shift(timedelta(seconds=60))
        assert Page(attacker.login(account.email, "seventh wrong guess", ATTACKER)).errors == [WRONG]
        assert len(hashed) == 8  # 5 + the sixth + the nurse + the seventh


def test_an_ipv6_client_counts_as_its_slash_64() -> None:
    network = authentication.client_network
    assert network("2001:db8:1:2::1") == network("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64"
    assert network("2001:db8:1:3::1") != network("2001:db8:1:2::1")
    assert network("::ffff:198.51.100.7") == network("198.51.100.7") == "198.51.100.7"
    assert network("198.51.100.7") != network("198.51.100.8")


# --- (2) hundreds of addresses ---------------------------------------------------------------


def test_two_hundred_addresses_do_not_keep_the_nurse_out_and_her_page_looks_like_an_unknown_address(
    app: Flask, hashed: list[int]
) -> None:
    account = nurse(app)
    attack(app, account.email, botnet(200))
    attack(app, UNKNOWN, botnet(200))

    # A password alone is not enough now, and is not even checked.
    desk = Desk(app)
    before = len(hashed)
    mine = Page(desk.login(account.email, account.password, NEW_PLACE))
    theirs = Page(desk.login(UNKNOWN, account.password, NEW_PLACE))
    assert len(hashed) == before
    assert mine.status == 400 and mine.errors == [CODE_NEEDED] and UNDER_ATTACK_NOTICE in mine.text
    assert 'name="code"' in mine.html and 'autocomplete="one-time-code"' in mine.html
    assert same_page(mine, theirs, account.email, UNKNOWN)

    # Right password with a wrong code, wrong password with the right code: the same answer,
    # the same as for an unknown address, and she is not logged in.
    answers = [
        Page(desk.login(account.email, account.password, NEW_PLACE, code="000000")),
        Page(desk.login(account.email, "not her password at all", NEW_PLACE, code=account.code())),
        Page(desk.login(UNKNOWN, account.password, NEW_PLACE, code=account.code())),
    ]
    assert [page.errors for page in answers] == [[WRONG_UNDER_ATTACK]] * 3
    assert same_page(answers[0], answers[1], account.email, account.email)
    assert same_page(answers[0], answers[2], account.email, UNKNOWN)
    assert sent_to_login(desk.client.get("/inbox"))

    # Both right: straight into her inbox, no second step.
    done = desk.login(account.email, account.password, NEW_PLACE, code=account.code())
    assert done.status_code == 303 and location_path(done) == "/inbox"
    assert desk.sees_inbox()


def test_someone_with_the_password_still_gets_only_ten_code_guesses_while_under_attack(
    app: Flask, hashed: list[int]
) -> None:
    account = nurse(app)
    attack(app, account.email, botnet(20))
    valid = {account.code(step) for step in (-1, 0, 1)}
    guesses = [f"{n:06d}" for n in range(200000, 200020) if f"{n:06d}" not in valid][:10]
    thief = Desk(app)
    for guess, address in zip(guesses, botnet(10, start=500), strict=False):
        assert Page(thief.login(account.email, account.password, address, code=guess)).errors == [WRONG_UNDER_ATTACK]
    refused = Page(thief.login(account.email, account.password, NEW_PLACE, code=account.code()))
    assert refused.errors == [WRONG_UNDER_ATTACK] and sent_to_login(thief.client.get("/inbox"))
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=2), tick=False):
        nurse_logs_in(app, account, OFFICE)


# --- (3) an attack every hour for a day -----------------------------------------------------


def test_an_attack_every_hour_for_a_day_never_keeps_her_out(app: Flask, hashed: list[int]) -> None:
    account = nurse(app)
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        attack(app, account.email, [OFFICE], tries=5)  # even from her own office, at first
        for hour in range(25):
            clock.shift(timedelta(hours=1))
            attack(app, account.email, [ATTACKER])  # the old trick: one wrong password an hour
            attack(app, account.email, botnet(8, start=8 * hour), tries=3)
            nurse_logs_in(app, account, OFFICE)
            nurse_logs_in(app, account, NEW_PLACE, code_step=1)  # a code works once


# --- (4) a completed reset -----------------------------------------------------------------


def test_a_completed_reset_clears_every_lock_of_her_account(any_db_app: Flask, hashed: list[int]) -> None:
    app = any_db_app
    account = nurse(app)
    attack(app, account.email, [OFFICE], tries=6)  # her office address is locked for her account
    attack(app, account.email, botnet(30))  # and the account is under attack
    desk = Desk(app)
    assert Page(desk.login(account.email, account.password, OFFICE, code=account.code())).errors == [LOCKED]

    ask_reset(app, account.email)
    assert set_new_password(app, reset_link(app, account.email)).status_code == 303

    # From the address that was locked, with the new password: the ordinary two steps again.
    response = desk.login(account.email, NEW_PASSWORD, OFFICE)
    assert response.status_code == 303 and location_path(response) == "/inloggen/code"
    assert location_path(desk.code_step(account.code(), OFFICE)) == "/inbox"
    assert desk.sees_inbox()


# --- (5) the security log ----------------------------------------------------------------------


def test_a_sustained_attack_is_logged_once_without_addresses_or_passwords(
    app: Flask, hashed: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    account = nurse(app)
    caplog.set_level(logging.WARNING, logger="balie.security")
    attack(app, account.email, botnet(60))
    attack(app, UNKNOWN, botnet(60))

    sustained = security_events(caplog, "authn_login_fail_max")
    assert [(event.get("user_id"), event["maxlimit"]) for event in sustained] == [(account.id, 20), (None, 20)]
    failures = security_events(caplog, "authn_login_fail")
    assert len(failures) == 120
    assert {event.get("user_id") for event in failures} == {account.id, None}
    logged = caplog.text.casefold()
    assert account.email not in logged and UNKNOWN not in logged and "guess" not in logged


# --- (6) an account without an authenticator app --------------------------------------------


def test_a_professional_under_attack_is_sent_to_the_reset_and_the_reset_lets_her_in(
    app: Flask, hashed: list[int]
) -> None:
    account = make_user(
        app, "verloskundige@praktijk.example", [Grant("professional", profession="midwife")], totp=False
    )
    attack(app, account.email, botnet(20))
    attack(app, UNKNOWN, botnet(20))
    desk = Desk(app)
    refused = Page(desk.login(account.email, account.password, NEW_PLACE))
    assert refused.status == 400 and refused.errors == [CODE_NEEDED]
    assert UNDER_ATTACK_NOTICE in refused.text and RESET_HINT in refused.text
    assert '<a href="/wachtwoord-vergeten">Choose a new password</a>' in refused.html
    unknown = Page(desk.login(UNKNOWN, account.password, NEW_PLACE))
    assert same_page(refused, unknown, account.email, UNKNOWN)
    with_any_code = Page(desk.login(account.email, account.password, NEW_PLACE, code="123456"))
    assert with_any_code.errors == [WRONG_UNDER_ATTACK] and sent_to_login(desk.client.get("/account"))

    ask_reset(app, account.email)
    assert set_new_password(app, reset_link(app, account.email)).status_code == 303
    response = desk.login(account.email, NEW_PASSWORD, NEW_PLACE)
    assert response.status_code == 303 and location_path(response) == "/advies"
    assert desk.client.get("/advies").status_code == 200
