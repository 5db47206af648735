"""The administrator gives the monitor's roles in the browser (issue 13), and what the holder notices.

A monitor lands on the monitor page; she logs in without a second factor (aggregates only), and her
scope is the gemeente she was given, nothing else.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from balie.config import region_ggd_codes
from balie.extensions import db
from balie.models import User
from balie.services.monitoring.scope import monitor_scope
from tests.support.accounts import HOFSTAD, admin, login, make_user
from tests.support.pages import Page
from tests.support.staff import location_path


def option_labels(page: Page, field_id: str) -> list[str]:
    """The choices of a list as the administrator reads them."""
    select_html = page.html.split(f'id="{field_id}"')[1].split("</select>")[0]
    return [" ".join(label.split()) for label in re.findall(r"<option[^>]*>([^<]*)</option>", select_html)]


def test_the_administrator_gives_a_gemeente_monitor_role_and_she_sees_delft_only(app: Flask) -> None:
    manager = app.test_client()
    assert login(manager, admin(app)).status_code == 303
    someone = make_user(app, "beleid@delft.example", [], totp=False, name="Bea Beleid")

    form = Page(manager.get(f"/beheer/gebruikers/{someone.id}"))
    assert "Monitor gemeente (beleidsmedewerker)" in option_labels(form, "grant-role")
    added = manager.post(
        f"/beheer/gebruikers/{someone.id}/rollen",
        data={
            "csrf_token": form.hidden("csrf_token"),
            "grant-role": "gemeente_monitor",
            "grant-organisation": "",
            "grant-municipality": "GM0503",
            "grant-profession": "",
        },
    )
    assert added.status_code == 303
    page = Page(manager.get(f"/beheer/gebruikers/{someone.id}"))
    assert "Monitor gemeente (beleidsmedewerker) – Delft" in page.text

    monitor = app.test_client()
    landed = login(monitor, someone)  # no authenticator code asked: aggregates only
    assert landed.status_code == 303 and location_path(landed) == "/monitor"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "beleid@delft.example"))
        assert user is not None
        assert monitor_scope(db.session, user.roles, region_ggd_codes(app.config)).municipality_codes == {"GM0503"}
    for staff_page in ("/inbox", "/beheer/gebruikers", "/sociale-kaart/beheer", "/advies"):
        assert monitor.get(staff_page).status_code == 403, staff_page


def test_the_invitation_form_offers_the_three_monitor_roles_in_dutch(app: Flask) -> None:
    manager = app.test_client()
    login(manager, admin(app))
    offered = option_labels(Page(manager.get("/beheer/uitnodigen")), "role")
    for label in (
        "Monitor gemeente (beleidsmedewerker)",
        "Monitor regio (alle gemeenten van de regio)",
        "Monitor JGZ-organisatie (cijfers van het werkgebied)",
    ):
        assert label in offered


def test_a_jgz_monitor_is_given_for_a_jgz_organisation(app: Flask) -> None:
    manager = app.test_client()
    login(manager, admin(app))
    someone = make_user(app, "manager@hofstad.example", [], totp=False)
    form = Page(manager.get(f"/beheer/gebruikers/{someone.id}"))
    manager.post(
        f"/beheer/gebruikers/{someone.id}/rollen",
        data={
            "csrf_token": form.hidden("csrf_token"),
            "grant-role": "jgz_monitor",
            "grant-organisation": HOFSTAD,
            "grant-municipality": "",
            "grant-profession": "",
        },
    )
    assert (
        "Monitor JGZ-organisatie (cijfers van het werkgebied) – Jeugdgezondheid Hofstad (voorbeeld)"
        in Page(manager.get(f"/beheer/gebruikers/{someone.id}")).text
    )
