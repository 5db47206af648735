"""The monitor page as its users see it, against a hand-counted history (issue 13).

The history (made through the real services, ``tests/support/monitoring.py``), 2026:

    Delft (GM0503)    March  10 registrations, on her own: 5 in Dutch, 5 in Arabic with an interpreter;
                             1-5 contact made, one visit each, closed "visits held" (no follow-up needed);
                             6-10 nothing yet (waiting)
                      May    1 registration (nothing yet): a small month
                      June   5 registrations in Dutch (nothing yet)
    Den Haag (GM0518) March  5 registrations in Dutch (nothing yet)

Hand count, Delft, first quarter: 10 registrations (10 on her own, 0 through a professional),
contact made 5, still waiting 5, families with a visit 5 (all with 1 visit), no follow-up needed 5,
in another language 5 (50 %), with an interpreter 5 (50 %). Delft, May: 1 registration, fewer
than 5: shown widened to the second quarter (6). Den Haag: 5 registrations in March.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from balie.domain import roles
from balie.domain.status_flow import Step
from balie.extensions import db
from balie.models import AccessLogEntry
from balie.services.accounts.lifecycle import Grant
from balie.services.registrations import inbox
from tests.support.accounts import DELFLAND, login, make_user
from tests.support.monitoring import DELFT, DEN_HAAG, DEN_HAAG_POSTCODE, Parent, local, register, steps
from tests.support.pages import Page

CAVEAT = "PHB's die de JGZ buiten de balie om registreert, tellen niet mee."


@dataclass(frozen=True)
class Monitors:
    delft: object
    den_haag: object
    region: object


def _d(month: int, day: int) -> date:
    return date(2026, month, day)


def make_history(app: Flask, small_month: bool = False) -> None:
    nurse = make_user(app, "nurse@delfland.example", [Grant(roles.JGZ_STAFF, organisation_id=DELFLAND)], totp=False)
    delfland = inbox.Staff(nurse.id, frozenset({DELFLAND}))
    with app.app_context(), db.writing():
        session = db.session
        for n in range(10):
            other = n >= 5
            made = register(
                session,
                Parent(
                    local(_d(3, 2 + n)),
                    "2026-10",
                    language="ar" if other else "nl",
                    interpreter="yes" if other else "no",
                ),
            )
            if n < 5:
                steps(
                    session,
                    delfland,
                    made,
                    (Step.CONTACT_MADE, None, local(_d(3, 20))),
                    (Step.VISIT_HELD, None, local(_d(3, 25))),
                    (Step.CLOSE, "visits_held", local(_d(3, 26))),
                )
        if small_month:
            register(session, Parent(local(_d(5, 12)), "2026-11"))
        for n in range(5):
            register(session, Parent(local(_d(6, 2 + n)), "2026-12"))
        for n in range(5):
            register(session, Parent(local(_d(3, 2 + n)), "2026-10", postcode=DEN_HAAG_POSTCODE))
        db.session.commit()


@pytest.fixture
def monitors(app: Flask) -> Monitors:
    make_history(app)
    return Monitors(
        make_user(app, "beleid@delft.example", [Grant(roles.GEMEENTE_MONITOR, municipality_code=DELFT)], totp=False),
        make_user(
            app, "beleid@denhaag.example", [Grant(roles.GEMEENTE_MONITOR, municipality_code=DEN_HAAG)], totp=False
        ),
        make_user(app, "regio@ggd.example", [Grant(roles.REGION_MONITOR)], totp=False),
    )


def cells(page: Page, table: str) -> dict[str, list[str]]:
    """A data table as she reads it: row label -> the cells' texts."""
    html = page.html.split(f'id="table-{table}"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", html, re.S)
    return {label: re.findall(r"<td[^>]*>(.*?)</td>", rest) for label, rest in rows}


def test_delft_first_quarter_as_counted_by_hand(app: Flask, monitors: Monitors) -> None:
    client = app.test_client()
    landed = login(client, monitors.delft)
    assert landed.headers["Location"].endswith("/monitor")
    page = Page(client.get("/monitor?gemeente=GM0503&period=2026-Q1"))
    assert CAVEAT in page.text
    funnel = cells(page, "funnel")
    assert funnel["Aanmeldingen"] == ["10"]
    assert funnel["Contact gelegd"] == ["5"]
    assert funnel["Gezinnen met een bezoek"] == ["5"]
    assert funnel["Geen vervolg nodig"] == ["5"]
    equity = cells(page, "equity")
    assert equity["In een andere taal dan Nederlands"] == ["5", "50%"]
    assert equity["Met een tolk"] == ["5", "50%"]
    assert equity["Via een professional"] == ["0", "0%"]


def log_rows(app: Flask) -> list[tuple[str, str, str, str | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.event_code == "monitor.view").order_by(AccessLogEntry.seq)
        ).all()
        return [(row.object_id or "", row.outcome, row.actor_role, row.object_detail) for row in rows]


def test_every_view_is_in_the_access_log_with_its_gemeente_and_period(app: Flask, monitors: Monitors) -> None:
    client = app.test_client()
    login(client, monitors.delft)
    client.get("/monitor?gemeente=GM0503&period=2026-Q1")
    client.get("/monitor?gemeente=GM0503&period=2026-02")
    assert log_rows(app) == [
        ("GM0503/2026-Q1", "success", "gemeente_monitor", "show"),
        ("GM0503/2026-02", "success", "gemeente_monitor", "empty"),
    ]


def test_an_empty_period_explains_itself(app: Flask, monitors: Monitors) -> None:
    client = app.test_client()
    login(client, monitors.delft)
    page = Page(client.get("/monitor?gemeente=GM0503&period=2026-02"))
    assert "Nog geen aanmeldingen in deze periode." in page.text
    assert 'id="table-funnel"' not in page.html
    assert CAVEAT in page.text


def test_a_gemeente_monitor_of_den_haag_never_sees_delft(app: Flask, monitors: Monitors) -> None:
    client = app.test_client()
    login(client, monitors.den_haag)
    page = Page(client.get("/monitor?period=2026-03"))
    assert page.options("gemeente") == [DEN_HAAG]  # Delft is not even in the filter
    assert cells(page, "funnel")["Aanmeldingen"] == ["5"]  # Den Haag's five of March, not Delft's ten
    refused = client.get("/monitor?gemeente=GM0503&period=2026-03")
    assert refused.status_code == 404
    assert log_rows(app)[-1] == ("GM0503/2026-03", "denied", "gemeente_monitor", None)


def test_the_region_monitor_sees_every_gemeente_and_all_together(app: Flask, monitors: Monitors) -> None:
    client = app.test_client()
    login(client, monitors.region)
    page = Page(client.get("/monitor?gemeente=all&period=2026-03"))
    options = page.options("gemeente")
    assert options[0] == "all" and DELFT in options and DEN_HAAG in options
    assert cells(page, "funnel")["Aanmeldingen"] == ["15"]  # Delft 10 + Den Haag 5
    assert cells(page, "routes")["Zelf aangemeld"] == ["15", "100%"]


def test_a_small_month_is_shown_widened_and_says_so(app: Flask) -> None:
    make_history(app, small_month=True)
    monitor = make_user(
        app, "beleid@delft.example", [Grant(roles.GEMEENTE_MONITOR, municipality_code=DELFT)], totp=False
    )
    client = app.test_client()
    login(client, monitor)
    page = Page(client.get("/monitor?gemeente=GM0503&period=2026-05"))
    assert "Breder getoond dan u vroeg." in page.text
    assert "Delft had minder dan 5 aanmeldingen in mei 2026" in page.text
    assert "U ziet daarom Delft, Kwartaal 2 2026." in page.text  # May 1 + June 5 = 6
    assert log_rows(app)[-1][3] == "widened-to=GM0503/2026-Q2"
