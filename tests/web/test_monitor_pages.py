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
from balie.services.monitoring.scope import service_area_codes
from balie.services.registrations import inbox
from tests.support.accounts import DELFLAND, HOFSTAD, login, make_user
from tests.support.disclosure_attacker import subtract
from tests.support.monitoring import DELFT, DELFT_POSTCODE, DEN_HAAG, DEN_HAAG_POSTCODE, Parent, local, register, steps
from tests.support.pages import Page

CAVEAT = "PHB's die de JGZ buiten de balie om registreert, tellen niet mee."


@dataclass(frozen=True)
class Monitors:
    delft: object
    den_haag: object
    region: object


def _d(month: int, day: int) -> date:
    return date(2026, month, day)


# More months for the attacker (on her own, in Dutch, nothing yet): six a month in Delft in January,
# February, April and July to December, and in Den Haag in April to June.
MORE_MONTHS = {DELFT: (1, 2, 4, 7, 8, 9, 10, 11, 12), DEN_HAAG: (4, 5, 6)}
POSTCODES = {DELFT: DELFT_POSTCODE, DEN_HAAG: DEN_HAAG_POSTCODE}


def make_history(app: Flask, small_month: bool = False, more_months: bool = False) -> None:
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
        for gemeente, months in MORE_MONTHS.items() if more_months else ():
            for month in months:
                for n in range(6):
                    due = f"{2026 + (month + 4) // 12}-{(month + 4) % 12 + 1:02d}"  # five months on
                    register(session, Parent(local(_d(month, 3 + n)), due, postcode=POSTCODES[gemeente]))
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
    # The tables' notes read Dutch too (they once stayed English: their literals were not marked).
    assert "Een adviesbriefje hoort niet bij een gemeente" in page.text
    assert "Werkdagen van aanmelding tot het eerste contact." in page.text
    assert "An advice card has no gemeente" not in page.text
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
    assert cells(page, "timeliness")["Mediaan"] == ["–"]  # nobody reached yet: no median, not "< 5"


# --- the attacker: every view of a year, subtraction across tables, periods and gemeenten ---------

PERIODS = [f"2026-{m:02d}" for m in range(1, 13)] + [f"2026-Q{q}" for q in range(1, 5)] + ["2026-H1", "2026-H2", "2026"]
ROUTE_ROWS = {
    "Zelf aangemeld": {"self"},
    "Zelf aangemeld, met de code van een adviesbriefje": {"self_with_code"},
    "Samen met een professional aangemeld": {"assisted"},
    "Direct verwezen door een professional": {"referral"},
    "Via een professional": {"assisted", "referral"},
    "Totaal": {"self", "self_with_code", "assisted", "referral"},
}
CONTACT_ATOMS = ("made", "declined", "not_reached", "moved", "withdrawn", "handed_over", "waiting")
CONTACT_ROWS = {
    "Contact gelegd": {"made"},
    "Afgezien": {"declined"},
    "Niet bereikt": {"not_reached"},
    "Verhuisd": {"moved"},
    "Ingetrokken door de ouder": {"withdrawn"},
    "Overgedragen aan het eigen dossier van de organisatie": {"handed_over"},
    "Wacht nog op contact": {"waiting"},
    "Totaal": set(CONTACT_ATOMS),
}
GEMEENTEN = (DELFT, DEN_HAAG)  # the others of the region have no registration: known zeros


def months_of(period: str) -> list[str]:
    if len(period) == 7 and period[5] != "Q" and period[5] != "H":
        return [period]
    if "-Q" in period:
        q = int(period[-1])
        return [f"2026-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
    if "-H" in period:
        h = int(period[-1])
        return [f"2026-{m:02d}" for m in range(6 * h - 5, 6 * h + 1)]
    return [f"2026-{m:02d}" for m in range(1, 13)]


def model() -> dict:
    """What the attacker knows of the tables' make-up: each published figure's base cells."""
    cells: dict = {}
    for place in (*GEMEENTEN, "all"):
        where = GEMEENTEN if place == "all" else (place,)
        for period in PERIODS:
            for table, rows in (("routes", ROUTE_ROWS), ("contact", CONTACT_ROWS)):
                for label, atoms in rows.items():
                    cells[(table, label, place, period)] = frozenset(
                        (table, atom, g, m) for atom in atoms for g in where for m in months_of(period)
                    )
    return cells


def read_every_view(client) -> tuple[dict, int]:
    """Every number the region monitor can read in a year, and how many hidden counts she met
    (checking on the way that a share of a hidden count is hidden the same way)."""
    published: dict = {}
    hidden = 0
    for place in (*GEMEENTEN, "all"):
        for period in PERIODS:
            page = Page(client.get(f"/monitor?gemeente={place}&period={period}"))
            if 'id="table-funnel"' not in page.html or "Breder getoond" in page.text:
                continue  # empty, refused or widened (a widened view is read under its own scope)
            for table, rows in (("routes", ROUTE_ROWS), ("contact", CONTACT_ROWS)):
                shown = cells(page, table)
                for label in rows:
                    text, share = shown[label]
                    if text.isdigit():
                        published[(table, label, place, period)] = int(text)
                    else:
                        hidden += 1
                        assert share == text, (table, label, place, period, text, share)
            registrations = cells(page, "funnel")["Aanmeldingen"][0]
            if registrations.isdigit():  # the same number as the totals of the routes and the contact table
                published[("routes", "Totaal", place, period)] = int(registrations)
                published[("contact", "Totaal", place, period)] = int(registrations)
    return published, hidden


def test_no_small_cell_of_the_year_can_be_worked_out_from_every_view_together(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Delft's one registration of May is "< 5" wherever it shows; an attacker who reads every view
    # of the year (each gemeente and all, every month, quarter, half-year and the year) and subtracts
    # totals, periods, gemeenten and tables from one another must not find it.
    after_the_history(monkeypatch)
    make_history(app, small_month=True, more_months=True)
    monitor = make_user(app, "regio@ggd.example", [Grant(roles.REGION_MONITOR)], totp=False)
    client = app.test_client()
    login(client, monitor)
    published, hidden = read_every_view(client)
    assert hidden > 0  # some counts are hidden, and so are their shares
    cells_of = model()
    true_cells = {  # by hand, from the history above
        ("routes", "self", DELFT, "2026-03"): 10,
        ("routes", "self", DELFT, "2026-05"): 1,
        ("routes", "self", DELFT, "2026-06"): 5,
        ("routes", "self", DEN_HAAG, "2026-03"): 5,
        ("contact", "made", DELFT, "2026-03"): 5,
        ("contact", "waiting", DELFT, "2026-03"): 5,
        ("contact", "waiting", DELFT, "2026-05"): 1,
        ("contact", "waiting", DELFT, "2026-06"): 5,
        ("contact", "waiting", DEN_HAAG, "2026-03"): 5,
    }
    for gemeente, months in MORE_MONTHS.items():
        for month in months:
            true_cells[("routes", "self", gemeente, f"2026-{month:02d}")] = 6
            true_cells[("contact", "waiting", gemeente, f"2026-{month:02d}")] = 6
    values = {key: sum(true_cells.get(c, 0) for c in members) for key, members in cells_of.items()}
    small = {key for key, v in values.items() if 0 < v < 5}
    may = ("routes", "Zelf aangemeld", DELFT, "2026-05")
    assert may in small
    assert all(values[key] == v for key, v in published.items())  # the pages print the true counts
    assert published[("routes", "Totaal", "all", "2026")] == 93  # 10 + 1 + 5 + 9 x 6 in Delft, 5 + 3 x 6 in Den Haag
    assert published[("routes", "Zelf aangemeld", DELFT, "2026-Q4")] == 18
    learned = subtract(cells_of, published)
    assert not (small & learned.keys()), sorted(small & learned.keys())

    # The attack can succeed: had only the small cells been hidden, May falls out of the quarter.
    naive = {key: v for key, v in values.items() if key not in small}
    assert may in subtract(cells_of, naive)


def test_a_jgz_monitor_sees_the_service_area_of_her_organisation(app: Flask, monitors: Monitors) -> None:
    with app.app_context():
        area = service_area_codes(db.session, [DELFLAND])
    assert DELFT in area and DEN_HAAG not in area  # JGZ Delfland visits Delft, not Den Haag
    manager = make_user(
        app, "manager@delfland.example", [Grant(roles.JGZ_MONITOR, organisation_id=DELFLAND)], totp=False
    )
    client = app.test_client()
    login(client, manager)
    page = Page(client.get("/monitor?period=2026-Q1"))
    assert DELFT in page.options("gemeente") and DEN_HAAG not in page.options("gemeente")
    assert client.get("/monitor?gemeente=GM0518&period=2026-Q1").status_code == 404
    delft = Page(client.get("/monitor?gemeente=GM0503&period=2026-Q1"))
    assert cells(delft, "funnel")["Aanmeldingen"] == ["10"]


def after_the_history(monkeypatch: pytest.MonkeyPatch, day: date = date(2027, 1, 1)) -> None:
    """The monitor counts as of the start of ``day`` (the history runs into December 2026)."""
    monkeypatch.setattr("balie.services.monitoring.report.today", lambda: day)


def test_a_new_registration_and_a_new_step_show_the_next_day(
    app: Flask, monitors: Monitors, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The figures are those as of the start of the day: a change shows the next day, not before.
    client = app.test_client()
    login(client, monitors.den_haag)
    after_the_history(monkeypatch, date(2027, 1, 1))
    assert cells(Page(client.get("/monitor?period=2026-03")), "funnel")["Aanmeldingen"] == ["5"]
    nurse = make_user(app, "nurse@hofstad.example", [Grant(roles.JGZ_STAFF, organisation_id=HOFSTAD)], totp=False)
    with app.app_context(), db.writing():
        made = [
            register(db.session, Parent(local(_d(3, 20 + n)), "2026-10", postcode=DEN_HAAG_POSTCODE)) for n in range(5)
        ]
        for registration in made:
            steps(
                db.session,
                inbox.Staff(nurse.id, frozenset({HOFSTAD})),
                registration,
                (Step.CONTACT_MADE, None, local(_d(3, 28))),
            )
        db.session.commit()
    same_day = Page(client.get("/monitor?period=2026-03"))
    assert cells(same_day, "funnel")["Aanmeldingen"] == ["5"] and cells(same_day, "funnel")["Contact gelegd"] == ["0"]
    assert "Cijfers tot en met gisteren (bijgewerkt " in same_day.text
    after_the_history(monkeypatch, date(2027, 1, 2))
    funnel = cells(Page(client.get("/monitor?period=2026-03")), "funnel")
    assert funnel["Aanmeldingen"] == ["10"] and funnel["Contact gelegd"] == ["5"]
