"""Every "go back to" target from the request leads to a page on this site, and never to a 500.

The entry points that redirect to a user-supplied target: the page after logging in (``?next=``,
with and without the authenticator code), the language switch (``/taal/<code>?next=``) and the
vraagbaak's follow form (``next``). Each gets the same table of nasty targets: a header injected
with CR/LF, characters a browser drops ("/\\t/evil" is "//evil"), other sites, backslashes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from balie.extensions import db
from balie.services.accounts.lifecycle import Grant
from tests.conftest import make_app
from tests.support.accounts import Account, csrf, login, make_user, nurse
from tests.support.databases import copy_sqlite

NASTY = [
    "/ok\r\nSet-Cookie: x=1",
    "/ok\nLocation: https://evil.example",
    "/ok\rX: y",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\x00/evil.example",
    "/ok\x7f",
    "/ok\x85X: y",  # NEL, a C1 control character
    "/ok\u2028X: y",  # Unicode line separator
    "/ok\u2029X: y",  # Unicode paragraph separator
    " /ok",
    "\t/ok",
    " //evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
]
ENCODED_CRLF = "/%0d%0aX: y"  # percent signs, not a line break: it stays a harmless path on this site


def assert_stays_on_this_site(response: Any, expected: str) -> None:
    assert response.status_code == 303, response.status_code
    location = response.headers["Location"]
    assert not any(unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" for ch in location), repr(location)
    assert "\\" not in location and not location.startswith("//"), location
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc) == ("", ""), location
    assert location == expected


@dataclass
class Site:
    app: Flask
    midwife: Account
    midwife_cookie: str


@pytest.fixture(scope="module")
def site(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One app and one professional for the whole table (argon2 is slow on purpose)."""
    folder = tmp_path_factory.mktemp("redirect-targets")
    app = make_app(copy_sqlite(sqlite_template_path, folder / "balie.sqlite3"), folder)
    midwife = make_user(app, "vera@verloskunde.example", [Grant("professional", profession="midwife")], totp=False)
    client = app.test_client()
    login(client, midwife)
    cookie = client.get_cookie("balie_session")
    assert cookie is not None
    yield Site(app, midwife, cookie.value)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def log_in_after_asking_for(app: Flask, account: Account, target: str, code_offset: int = 0) -> Any:
    client = app.test_client()
    client.get("/inloggen", query_string={"next": target})
    return login(client, account, code_offset)


def follow_tag(site: Site, target: str) -> Any:
    client = site.app.test_client()
    client.set_cookie("balie_session", site.midwife_cookie)
    token = csrf(client, "/vraagbaak")
    return client.post("/vraagbaak/volgen/tag/huisbezoek", data={"csrf_token": token, "next": target})


# --- login → next -------------------------------------------------------------------------


@pytest.mark.parametrize("target", NASTY)
def test_after_login_a_nasty_next_opens_her_own_start_page(site: Site, target: str) -> None:
    assert_stays_on_this_site(log_in_after_asking_for(site.app, site.midwife, target), "/advies")


def test_after_login_an_encoded_line_break_stays_a_path_here(site: Site) -> None:
    assert_stays_on_this_site(log_in_after_asking_for(site.app, site.midwife, ENCODED_CRLF), "/%0d%0aX:%20y")


def test_after_the_code_the_page_she_asked_for_opens_and_a_header_injection_does_not(app: Flask) -> None:
    account = nurse(app)
    assert_stays_on_this_site(log_in_after_asking_for(app, account, "/inbox?page=2"), "/inbox?page=2")
    assert_stays_on_this_site(
        log_in_after_asking_for(app, account, "/ok\r\nSet-Cookie: x=1", 1), "/inbox"
    )  # a fresh code


# --- language switch ----------------------------------------------------------------------


@pytest.mark.parametrize("target", NASTY)
def test_the_language_switch_with_a_nasty_next_goes_home(site: Site, target: str) -> None:
    response = site.app.test_client().get("/taal/en", query_string={"next": target})
    assert_stays_on_this_site(response, "/")


def test_the_language_switch_keeps_a_good_target_and_a_harmless_path(site: Site) -> None:
    client = site.app.test_client()
    assert_stays_on_this_site(client.get("/taal/en", query_string={"next": "/inbox?page=2"}), "/inbox?page=2")
    assert_stays_on_this_site(client.get("/taal/en", query_string={"next": ENCODED_CRLF}), "/%0d%0aX:%20y")


# --- vraagbaak follow ---------------------------------------------------------------------


# The follow form's own page in front of the nasty part: these once gave a 500 too.
IN_THE_VRAAGBAAK = ["/vraagbaak\r\nSet-Cookie: x=1", "/vraagbaak/\u2028x", "/vraagbaak\x7f", "/vraagbaak\\evil.example"]


@pytest.mark.parametrize("target", NASTY + IN_THE_VRAAGBAAK)
def test_following_with_a_nasty_next_goes_back_to_the_vraagbaak(site: Site, target: str) -> None:
    assert_stays_on_this_site(follow_tag(site, target), "/vraagbaak")


def test_following_goes_back_to_the_page_she_came_from(site: Site) -> None:
    assert_stays_on_this_site(follow_tag(site, "/vraagbaak?tag=huisbezoek&page=2"), "/vraagbaak?tag=huisbezoek&page=2")
    assert_stays_on_this_site(follow_tag(site, ENCODED_CRLF), "/%0d%0aX:%20y")
    assert_stays_on_this_site(follow_tag(site, ""), "/vraagbaak")
