"""Accounts for staff, as the people who use them notice (issue 10, points 21 and 23).

- The administrator can only give JGZ staff a JGZ organisation (never the food bank), and
  "choose the profession" is said at the profession field.
- After log-in everyone lands on their working page: administrator → users, JGZ staff →
  inbox, gemeente editor → managing the sociale kaart, professional → advice, moderator →
  answers to check; with several roles, the first in that order.
- After setting a password (invitation or reset) the log-in page already holds her e-mail
  address, which is not in the URL and not in the cookie.
"""

from __future__ import annotations

import base64
import re
import zlib
from typing import Any

import pyotp
import pytest
from flask import Flask
from sqlalchemy import func, select

from balie.extensions import db
from balie.models import Invitation, Organisation, Service
from balie.models.base import utcnow
from balie.services.accounts import lifecycle as accounts
from balie.services.accounts.lifecycle import Grant
from tests.support.accounts import DELFLAND, HOFSTAD, admin, csrf, login, make_user
from tests.support.pages import Page
from tests.support.staff import cookie_value, links, location_path, mails_to, only, send_outbox
from tests.web.helpers import english

NEW_PASSWORD = "fietsen langs de vliet in mei"
FOOD_BANK = "Voedselbank Voorbeeldregio (voorbeeld)"


def browser(app: Flask) -> Any:
    return english(app.test_client())


def logged_in(app: Flask, account: Any) -> Any:
    client = browser(app)
    assert login(client, account).status_code == 303
    return client


def organisation_choices(page: Page, field_id: str = "organisation") -> list[str]:
    """The names offered in the organisation list, as the administrator reads them."""
    select_html = page.html.split(f'id="{field_id}"')[1].split("</select>")[0]
    return [name.strip() for name in re.findall(r"<option[^>]*>([^<]*)</option>", select_html) if name.strip() != "–"]


def organisation_id(app: Flask, name: str) -> str:
    with app.app_context():
        found = db.session.scalar(select(Organisation.id).where(Organisation.name == name))
        assert found, name
        return found


# --- point 21: only JGZ organisations for JGZ staff ------------------------------------------


def test_only_jgz_organisations_are_offered_for_jgz_staff(app: Flask) -> None:
    manager = logged_in(app, admin(app))
    page = Page(manager.get("/beheer/uitnodigen"))
    offered = organisation_choices(page)
    assert offered == ["JGZ Delfland (voorbeeld)", "Jeugdgezondheid Hofstad (voorbeeld)"], offered
    with app.app_context():
        every = db.session.scalar(select(func.count()).select_from(Organisation))
        home_visit = set(db.session.scalars(select(Service.organisation_id).where(Service.kind == "phb")))
    assert every and every > 30 and home_visit == {DELFLAND, HOFSTAD}
    assert FOOD_BANK not in page.text

    # The same list when adding a role to an existing user.
    someone = make_user(app, "iemand@balie.example", [Grant("gemeente_editor", municipality_code="GM0503")], totp=False)
    assert organisation_choices(Page(manager.get(f"/beheer/gebruikers/{someone.id}")), "grant-organisation") == offered


def test_a_crafted_invitation_for_the_food_bank_is_refused(app: Flask) -> None:
    food_bank = organisation_id(app, FOOD_BANK)
    manager = logged_in(app, admin(app))
    page = Page(manager.get("/beheer/uitnodigen"))
    response = manager.post(
        "/beheer/uitnodigen",
        data={
            "csrf_token": page.hidden("csrf_token"),
            "name": "Nina Nieuw",
            "email": "nina@voedselbank.example",
            "role": "jgz_staff",
            "organisation": food_bank,
            "municipality": "",
            "profession": "",
        },
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Invitation).where(Invitation.email == "nina@voedselbank.example")) is None
        with pytest.raises(accounts.AccountError):  # and the service refuses it whatever the form offers
            accounts.invite(
                db.session,
                "x@voedselbank.example",
                "X",
                [Grant("jgz_staff", organisation_id=food_bank)],
                None,
                utcnow(),
            )


@pytest.mark.parametrize(
    "role, field, message",
    [
        ("professional", "profession", "Choose the profession for a professional"),
        ("jgz_staff", "organisation", "Choose the organisation for this role"),
        ("gemeente_editor", "municipality", "Choose the gemeente for this role"),
        ("gemeente_monitor", "municipality", "Choose the gemeente for this role"),
        ("jgz_monitor", "organisation", "Choose the organisation for this role"),
    ],
)
def test_the_missing_choice_is_said_at_its_own_field(app: Flask, role: str, field: str, message: str) -> None:
    manager = logged_in(app, admin(app))
    page = Page(manager.get("/beheer/uitnodigen"))
    refused = Page(
        manager.post(
            "/beheer/uitnodigen",
            data={
                "csrf_token": page.hidden("csrf_token"),
                "name": "Piet Huisarts",
                "email": "piet@huisarts.example",
                "role": role,
                "organisation": "",
                "municipality": "",
                "profession": "",
            },
        )
    )
    assert refused.status == 400 and refused.title.startswith("Error:")
    assert refused.errors == [message]
    assert (field, message) in refused.summary_links, refused.summary_links
    error_at = refused.html.index(message, refused.html.index('class="error-message"'))
    assert refused.html.index(f'for="{field}"') < error_at < refused.html.index(f'id="{field}"', error_at)
    assert 'aria-invalid="true"' not in refused.html.split('id="role"')[1].split(">")[0]


# --- point 23: everyone lands on their working page ------------------------------------------

LANDINGS = [
    ([Grant("admin")], "/beheer/gebruikers", "Users"),
    ([Grant("jgz_staff", organisation_id=DELFLAND)], "/inbox", "Inbox"),
    ([Grant("gemeente_editor", municipality_code="GM0503")], "/sociale-kaart/beheer", "Manage the sociale kaart"),
    ([Grant("professional", profession="midwife")], "/advies", None),
    ([Grant("moderator")], "/vraagbaak/opnieuw-bekijken", "Answers to check again"),
    ([Grant("jgz_staff", organisation_id=DELFLAND), Grant("admin")], "/beheer/gebruikers", "Users"),
    ([Grant("professional", profession="midwife"), Grant("jgz_staff", organisation_id=DELFLAND)], "/inbox", "Inbox"),
    ([Grant("moderator"), Grant("gemeente_editor", municipality_code="GM0503")], "/sociale-kaart/beheer", None),
    ([Grant("moderator"), Grant("professional", profession="gp")], "/advies", None),
    ([], "/account", None),
]


@pytest.mark.parametrize(
    "grants, home, title", LANDINGS, ids=[home + f"-{n}" for n, (_, home, _) in enumerate(LANDINGS)]
)
def test_after_login_everyone_lands_on_their_working_page(
    app: Flask, grants: list[Grant], home: str, title: str | None
) -> None:
    account = make_user(app, "wie@balie.example", grants)
    client = browser(app)
    response = login(client, account)
    assert response.status_code == 303 and location_path(response) == home
    page = Page(client.get(home))
    assert page.status == 200
    if title:
        assert page.title.startswith(title), page.title


# --- point 23: the e-mail address is filled in after setting a password ----------------------


def email_value(page: Page) -> str | None:
    tag = re.search(r'<input[^>]*id="email"[^>]*>', page.html)
    assert tag, "no e-mail field"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def cookie_text(client: Any) -> str:
    """What the session cookie holds, decoded (it is signed, not encrypted)."""
    value = cookie_value(client) or ""
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if value.startswith(".") else raw).decode("utf-8", "replace")


def test_the_first_administrator_sets_her_password_and_lands_on_user_management(app: Flask, runner: Any) -> None:
    result = runner.invoke(
        args=["users", "create-admin", "--email", "eerste@balie.example", "--name", "Eerste Beheerder"]
    )
    path = only(re.findall(r"(/uitnodiging/[0-9a-f-]+/[0-9a-f]+)", result.output))
    client = browser(app)
    page = Page(client.get(path))
    accepted = client.post(
        path,
        data={
            "csrf_token": page.hidden("csrf_token"),
            "name": "Eerste Beheerder",
            "password": NEW_PASSWORD,
            "repeat": NEW_PASSWORD,
        },
    )
    assert accepted.status_code == 303 and accepted.headers["Location"] == "/inloggen", "no address in the URL"
    assert "@" not in cookie_text(client) and "eerste" not in cookie_text(client)

    login_page = Page(client.get("/inloggen"))
    assert "Your account is ready." in login_page.text
    assert email_value(login_page) == "eerste@balie.example"
    assert email_value(Page(client.get("/inloggen"))) in (None, ""), "filled in once, not for whoever comes next"

    # She only types her password; then sets up her app and lands on the users page.
    response = client.post(
        "/inloggen",
        data={
            "csrf_token": login_page.hidden("csrf_token"),
            "email": email_value(login_page),
            "password": NEW_PASSWORD,
        },
    )
    assert location_path(response) == "/inloggen/tweede-factor"
    enrol = Page(client.get("/inloggen/tweede-factor"))
    secret = re.search(r'<code class="qr__secret">([A-Z2-7 ]+)</code>', enrol.html).group(1).replace(" ", "")  # type: ignore[union-attr]
    codes = Page(
        client.post(
            "/inloggen/tweede-factor", data={"csrf_token": enrol.hidden("csrf_token"), "code": pyotp.TOTP(secret).now()}
        )
    )
    continue_to = re.search(r'<a class="button" href="([^"]+)"', codes.html)
    assert continue_to and continue_to.group(1) == "/beheer/gebruikers"
    assert Page(client.get("/beheer/gebruikers")).title.startswith("Users")


def test_an_invited_professional_finds_her_address_filled_in_and_lands_on_her_advice(app: Flask) -> None:
    manager = logged_in(app, admin(app))
    page = Page(manager.get("/beheer/uitnodigen"))
    invited = manager.post(
        "/beheer/uitnodigen",
        data={
            "csrf_token": page.hidden("csrf_token"),
            "name": "Vera Verloskundige",
            "email": "vera@praktijk.example",
            "role": "professional",
            "organisation": "",
            "municipality": "",
            "profession": "midwife",
        },
    )
    assert invited.status_code == 303
    send_outbox(app)
    path = only(links(only(mails_to(app, "vera@praktijk.example")), app.config["PUBLIC_BASE_URL"]))
    client = browser(app)
    form = Page(client.get(path))
    client.post(
        path,
        data={
            "csrf_token": form.hidden("csrf_token"),
            "name": "Vera Verloskundige",
            "password": NEW_PASSWORD,
            "repeat": NEW_PASSWORD,
        },
    )
    login_page = Page(client.get("/inloggen"))
    assert email_value(login_page) == "vera@praktijk.example"
    response = client.post(
        "/inloggen", data={"csrf_token": csrf(client), "email": "vera@praktijk.example", "password": NEW_PASSWORD}
    )
    assert location_path(response) == "/advies"


def test_after_a_password_reset_the_address_is_filled_in(app: Flask) -> None:
    account = make_user(
        app, "redacteur@delft.example", [Grant("gemeente_editor", municipality_code="GM0503")], totp=False
    )
    visitor = browser(app)
    asked = Page(visitor.get("/wachtwoord-vergeten"))
    visitor.post("/wachtwoord-vergeten", data={"csrf_token": asked.hidden("csrf_token"), "email": account.email})
    send_outbox(app)
    path = links(mails_to(app, account.email)[-1], app.config["PUBLIC_BASE_URL"])[0]
    client = browser(app)
    form = Page(client.get(path))
    done = client.post(
        path, data={"csrf_token": form.hidden("csrf_token"), "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    )
    assert done.status_code == 303 and done.headers["Location"] == "/inloggen"
    assert "@" not in cookie_text(client)
    login_page = Page(client.get("/inloggen"))
    assert "Your password has been changed." in login_page.text
    assert email_value(login_page) == account.email
    response = client.post(
        "/inloggen", data={"csrf_token": csrf(client), "email": account.email, "password": NEW_PASSWORD}
    )
    assert location_path(response) == "/sociale-kaart/beheer"


def test_a_plain_visit_to_the_login_page_fills_in_nothing(app: Flask) -> None:
    assert email_value(Page(browser(app).get("/inloggen"))) in (None, "")
