"""Sessions end on the server (T-27 … T-30): logout, time-outs, ending sessions, no caching.

Each test checks what a copied or left-open browser gets afterwards: the log-in page, never
the inbox. A cookie copy that still works *before* the event shows the test can fail.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from flask import Flask

from balie.extensions import db
from balie.models import UserSession
from balie.services.accounts.lifecycle import Grant
from tests.support.accounts import PASSWORD, Account, admin, csrf, login, make_user, nurse
from tests.support.pages import Page
from tests.support.staff import (
    copy_browser,
    csrf_token,
    location_path,
    open_sessions,
    register_id,
    sent_to_login,
    sid,
)
from tests.web.helpers import english

CANARY = "ZZCANARY-Sessie-Moeder"
NEW_PASSWORD = "een nieuwe zin om te onthouden 2026"


def browser(app: Flask, agent: str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0") -> Any:
    client = english(app.test_client())
    client.environ_base["HTTP_USER_AGENT"] = agent
    return client


def logged_in(app: Flask, account: Account, code_offset: int = 0, **kwargs: Any) -> Any:
    client = browser(app, **kwargs)
    response = login(client, account, code_offset)
    assert response.status_code == 303, response.status_code
    return client


def public_id(app: Flask, client: Any) -> str:
    token = sid(app, client)
    assert token
    with app.app_context():
        record = db.session.get(UserSession, hashlib.sha256(token.encode()).hexdigest())
        assert record is not None
        return record.public_id


def editor(app: Flask) -> Account:
    return make_user(app, "redacteur@delft.example", [Grant("gemeente_editor", municipality_code="GM0503")], totp=False)


def test_a_cookie_copied_before_logout_is_refused_after_it(app: Flask, client: Any) -> None:
    registration_id = register_id(app, client, name=CANARY)
    account = nurse(app)
    nurse_browser = logged_in(app, account)
    detail = f"/inbox/{registration_id}"
    assert CANARY in nurse_browser.get(detail).get_data(as_text=True)

    thief = copy_browser(app, nurse_browser)
    assert CANARY in thief.get(detail).get_data(as_text=True), (
        "the copy works before logout (else this test proves nothing)"
    )

    out = nurse_browser.post("/uitloggen", data={"csrf_token": csrf_token(nurse_browser)})
    assert out.status_code == 303 and location_path(out) == "/inloggen"
    assert "You are logged out." in Page(nurse_browser.get("/inloggen")).text

    replayed = english(copy_browser(app, thief))
    for path in (detail, "/inbox", "/account"):
        response = replayed.get(path)
        assert sent_to_login(response), path
    page = Page(replayed.get(detail, follow_redirects=True))
    assert page.title.startswith("Log in")
    assert CANARY not in page.html and 'class="staff-nav"' not in page.html
    assert open_sessions(app, account.id) == []


def test_jgz_staff_are_logged_out_after_15_idle_minutes(app: Flask) -> None:
    account = nurse(app)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        client = logged_in(app, account)
        for _ in range(3):  # active every 14 minutes: stays logged in
            clock.shift(timedelta(minutes=14))
            assert client.get("/inbox").status_code == 200
        clock.shift(timedelta(minutes=15, seconds=1))
        response = client.get("/inbox")
        assert sent_to_login(response)
        page = Page(client.get(response.headers["Location"]))
        assert page.title.startswith("Log in")
        assert "You were logged out because you were inactive for a while." in page.text
        assert sent_to_login(client.get("/inbox")), "activity after the time-out must not revive the session"
    with app.app_context():
        assert [s.ended_reason for s in db.session.query(UserSession).filter_by(user_id=account.id)] == ["idle"]


def test_a_gemeente_editor_may_be_idle_for_an_hour(app: Flask) -> None:
    account = editor(app)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        client = logged_in(app, account)
        clock.shift(timedelta(minutes=59))
        assert client.get("/account").status_code == 200
        clock.shift(timedelta(minutes=59))
        assert client.get("/account").status_code == 200
        clock.shift(timedelta(minutes=60, seconds=1))
        assert sent_to_login(client.get("/account"))


def test_the_idle_time_for_staff_is_configurable(app_with: Callable[..., Flask]) -> None:
    strict = app_with(SESSION_IDLE_MINUTES_PERSONAL_DATA=5)
    account = nurse(strict)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        client = logged_in(strict, account)
        clock.shift(timedelta(minutes=4, seconds=50))
        assert client.get("/inbox").status_code == 200
        clock.shift(timedelta(minutes=5, seconds=10))
        assert sent_to_login(client.get("/inbox"))


def test_every_session_ends_after_12_hours_however_active(app: Flask) -> None:
    account = nurse(app)
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = logged_in(app, account)
        elapsed = timedelta(0)
        while elapsed + timedelta(minutes=14) < timedelta(hours=12):
            clock.shift(timedelta(minutes=14))
            elapsed += timedelta(minutes=14)
            assert client.get("/account").status_code == 200, elapsed
        clock.move_to(start + timedelta(hours=12, seconds=1))
        assert sent_to_login(client.get("/account"))


def test_a_user_sees_her_sessions_and_ends_another_one(app: Flask) -> None:
    account = nurse(app)
    office = logged_in(app, account, agent="Mozilla/5.0 (Windows NT 10.0) Firefox/140.0")
    phone = logged_in(app, account, 1, agent="Mozilla/5.0 (Linux; Android 15) Chrome/140.0 Mobile")
    phone_id, office_id = public_id(app, phone), public_id(app, office)

    page = Page(office.get("/account/sessies"))
    assert page.status == 200
    assert "Firefox Windows (this device)" in page.text
    assert "Chrome Android" in page.text and "Chrome Android (this device)" not in page.text
    actions = set(re.findall(r'action="/account/sessies/([0-9a-f]+)/beeindigen"', page.html))
    assert actions == {phone_id, office_id}

    ended = office.post(f"/account/sessies/{phone_id}/beeindigen", data={"csrf_token": page.hidden("csrf_token")})
    assert ended.status_code == 303 and location_path(ended) == "/account/sessies"
    assert "The session has been ended." in Page(office.get("/account/sessies")).text
    assert sent_to_login(phone.get("/inbox"))
    assert office.get("/inbox").status_code == 200
    assert [s.public_id for s in open_sessions(app, account.id)] == [office_id]


def test_a_user_cannot_end_someone_elses_session(app: Flask) -> None:
    mine, theirs = nurse(app), nurse(app, "collega@delfland.example")
    me, colleague = logged_in(app, mine), logged_in(app, theirs)
    response = me.post(f"/account/sessies/{public_id(app, colleague)}/beeindigen", data={"csrf_token": csrf_token(me)})
    assert response.status_code == 404
    assert colleague.get("/inbox").status_code == 200


def test_ending_all_other_sessions_keeps_this_one(app: Flask) -> None:
    account = nurse(app)
    here, there = logged_in(app, account), logged_in(app, account, 1)
    response = here.post("/account/sessies/andere-beeindigen", data={"csrf_token": csrf_token(here)})
    assert response.status_code == 303
    assert sent_to_login(there.get("/inbox"))
    assert here.get("/inbox").status_code == 200


def test_an_administrator_ends_all_sessions_of_a_user_and_disables_the_account(app: Flask) -> None:
    boss, account = admin(app), nurse(app)
    manager = logged_in(app, boss)
    desk, laptop = logged_in(app, account), logged_in(app, account, 1)

    page = Page(manager.get(f"/beheer/gebruikers/{account.id}"))
    assert "2 active sessions" in page.text
    token = page.hidden("csrf_token")
    response = manager.post(f"/beheer/gebruikers/{account.id}/sessies-beeindigen", data={"csrf_token": token})
    assert response.status_code == 303
    assert "2 sessions have been ended." in Page(manager.get(response.headers["Location"])).text
    assert sent_to_login(desk.get("/inbox")) and sent_to_login(laptop.get("/inbox"))
    assert manager.get("/beheer/gebruikers").status_code == 200, "the administrator's own session goes on"

    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=90), tick=False):
        again = logged_in(app, account)
        assert again.get("/inbox").status_code == 200
        response = manager.post(f"/beheer/gebruikers/{account.id}/uitschakelen", data={"csrf_token": token})
        assert response.status_code == 303
        assert "disabled" in Page(manager.get(f"/beheer/gebruikers/{account.id}")).text
        assert sent_to_login(again.get("/inbox"))

        stranger = browser(app)
        refused = Page(
            stranger.post(
                "/inloggen", data={"csrf_token": csrf(stranger), "email": account.email, "password": PASSWORD}
            )
        )
        assert refused.status == 400 and refused.errors == ["The e-mail address or password is not correct"]

        manager.post(f"/beheer/gebruikers/{account.id}/inschakelen", data={"csrf_token": token})
        retry = browser(app)
        response = retry.post(
            "/inloggen", data={"csrf_token": csrf(retry), "email": account.email, "password": PASSWORD}
        )
        assert response.status_code == 303 and location_path(response) == "/inloggen/code"


def test_a_password_change_ends_the_other_sessions(app: Flask) -> None:
    account = nurse(app)
    here, there = logged_in(app, account), logged_in(app, account, 1)
    page = Page(here.get("/account/wachtwoord"))
    response = here.post(
        "/account/wachtwoord",
        data={
            "csrf_token": page.hidden("csrf_token"),
            "current": PASSWORD,
            "password": NEW_PASSWORD,
            "repeat": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303 and location_path(response) == "/account"
    assert "Your password has been changed." in Page(here.get("/account")).text
    assert sent_to_login(there.get("/inbox"))
    assert here.get("/inbox").status_code == 200

    old = browser(app)
    refused = Page(old.post("/inloggen", data={"csrf_token": csrf(old), "email": account.email, "password": PASSWORD}))
    assert refused.errors == ["The e-mail address or password is not correct"]
    new = browser(app)
    accepted = new.post("/inloggen", data={"csrf_token": csrf(new), "email": account.email, "password": NEW_PASSWORD})
    assert location_path(accepted) == "/inloggen/code"


def test_a_wrong_current_password_changes_nothing(app: Flask) -> None:
    account = nurse(app)
    here, there = logged_in(app, account), logged_in(app, account, 1)
    page = Page(here.get("/account/wachtwoord"))
    wrong = Page(
        here.post(
            "/account/wachtwoord",
            data={
                "csrf_token": page.hidden("csrf_token"),
                "current": "not my password at all",
                "password": NEW_PASSWORD,
                "repeat": NEW_PASSWORD,
            },
        )
    )
    assert wrong.status == 400 and wrong.errors == ["Your current password is not correct"]
    assert there.get("/inbox").status_code == 200


def test_staff_pages_are_never_stored_by_the_browser(app: Flask, client: Any) -> None:
    registration_id = register_id(app, client)
    staff = logged_in(app, nurse(app))
    manager = logged_in(app, admin(app))
    pages = [
        (staff, "/inbox"),
        (staff, f"/inbox/{registration_id}"),
        (staff, f"/inbox/{registration_id}/afdrukken"),
        (staff, f"/inbox/{registration_id}/export.json"),
        (staff, f"/inbox/{registration_id}/toegang"),
        (staff, "/account"),
        (staff, "/account/sessies"),
        (manager, "/beheer/gebruikers"),
        (manager, "/beheer/toegangslog"),
        (manager, "/beheer/toegangslog.csv"),
    ]
    for who, path in pages:
        response = who.get(path)
        response.get_data()
        response.close()  # the CSV export streams: close it, or its request context lingers
        assert response.status_code == 200, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path
