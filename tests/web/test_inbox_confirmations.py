"""What a nurse cannot undo asks first, and the inbox list tells the truth (issue 10, points 6 and 22).

- Closing a registration ("Afgesloten") takes a page of its own: no outcome is chosen for her,
  "Visit(s) held" is not offered before a visit was recorded, and nothing changes until she
  confirms. The step form on the detail page no longer closes.
- Merging a possible duplicate ("Voeg samen") asks first, as erasing does.
- After a duplicate's twin is erased the "Possible duplicate" badge leaves the list; a
  registration received today says "today", one working day ago is singular.

Parents register through the public form for Delft (JGZ Delfland); the nurse reads the pages.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask

from balie.clock import ZONE
from balie.domain import working_days
from tests.support.accounts import DELFLAND, Account, login, nurse
from tests.support.pages import Page
from tests.support.staff import access_rows, csrf_token, location_path, register_id, registration
from tests.web.helpers import english

DELFT = "2611 AB"
TWIN = {"name": "Fenna Tweeling", "phone": "06 24681357"}


@pytest.fixture
def noor(app: Flask) -> Account:
    return nurse(app, "noor@delfland.example", DELFLAND)


def logged_in(app: Flask, account: Account, dutch: bool = False) -> Any:
    client = app.test_client() if dutch else english(app.test_client())
    assert login(client, account).status_code == 303
    return client


def state(app: Flask, registration_id: str) -> tuple[Any, ...]:
    found = registration(app, registration_id)
    return found.status, found.closed_at, found.close_outcome, found.purged_at, found.merged_into_id


def step(client: Any, registration_id: str, name: str) -> None:
    response = client.post(f"/inbox/{registration_id}/stap", data={"csrf_token": csrf_token(client), "step": name})
    assert response.status_code == 303 and location_path(response) == f"/inbox/{registration_id}", name


def radio_values(page: Page, name: str) -> list[tuple[str, bool]]:
    """The radio buttons of a group, in order: (value, checked)."""
    found = []
    for tag in re.findall(r"<input[^>]*>", page.html):
        if 'type="radio"' in tag and f'name="{name}"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            found.append((value.group(1) if value else "", " checked" in tag))
    return found


def list_rows(page: Page) -> dict[str, str]:
    """The inbox list as the nurse reads it: reference → the text of its row."""
    body = page.html.split("<tbody>")[1].split("</tbody>")[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        rows[text.split()[0]] = text
    return rows


# --- closing -------------------------------------------------------------------------------


def test_closing_asks_for_an_outcome_without_choosing_one_and_changes_nothing_before_she_confirms(
    app: Flask, client: Any, noor: Account
) -> None:
    registration_id = register_id(app, client, postcode=DELFT)
    nurse_client = logged_in(app, noor)
    before = state(app, registration_id)

    detail = Page(nurse_client.get(f"/inbox/{registration_id}"))
    assert f'href="/inbox/{registration_id}/afsluiten"' in detail.html and "Close…" in detail.text
    assert not re.search(r'name="step" value="close"', detail.html), "no form on the detail page closes in one click"
    assert 'id="close-outcome"' not in detail.html

    question = Page(nurse_client.get(f"/inbox/{registration_id}/afsluiten"))
    assert question.status == 200
    assert f"Close {registration(app, registration_id).reference}?" in question.title
    assert "Contact attempts: 0. Visits held: 0." in question.text
    assert "This registration has not been handed over to your own dossier." in question.text
    assert re.search(r"From \d{1,2} \w+ \d{4} the personal details are deleted from the desk\.", question.text)
    # Nothing chosen for her, and "Visit(s) held" is not offered: no visit was recorded.
    assert radio_values(question, "outcome") == [("declined", False), ("not_reached", False), ("moved", False)]
    assert "“Visit(s) held” can be chosen once a visit has been recorded." in question.text
    assert state(app, registration_id) == before

    # Confirming without an outcome: an error on the field, nothing stored, nothing logged as a change.
    log_before = len(access_rows(app))
    refused = Page(
        nurse_client.post(f"/inbox/{registration_id}/afsluiten", data={"csrf_token": question.hidden("csrf_token")})
    )
    assert refused.status == 400
    assert refused.title.startswith("Error:")
    assert refused.errors == ["Choose how it ended"]
    assert ("outcome-0", "Choose how it ended") in refused.summary_links
    assert state(app, registration_id) == before
    assert [r.event_code for r in access_rows(app)[log_before:]] == []

    # "Visit(s) held" sent anyway (an old page, a crafted post): refused the same way.
    crafted = Page(
        nurse_client.post(
            f"/inbox/{registration_id}/afsluiten",
            data={"csrf_token": question.hidden("csrf_token"), "outcome": "visits_held"},
        )
    )
    assert crafted.status == 400 and crafted.errors == ["Choose one of the outcomes shown"]
    assert state(app, registration_id) == before

    # She chooses "Parent not reached" and confirms: closed with that outcome.
    done = nurse_client.post(
        f"/inbox/{registration_id}/afsluiten",
        data={"csrf_token": question.hidden("csrf_token"), "outcome": "not_reached"},
    )
    assert done.status_code == 303 and location_path(done) == f"/inbox/{registration_id}"
    closed = registration(app, registration_id)
    assert (closed.status, closed.close_outcome) == ("closed", "not_reached") and closed.closed_at
    page = Page(nurse_client.get(f"/inbox/{registration_id}"))
    assert "Saved: Closed" in page.text and "Closed – Parent not reached" in page.text
    assert "/afsluiten" not in page.html, "a closed registration offers no second closing"
    assert [(r.event_code, r.object_detail) for r in access_rows(app, event_code="registration.status_change")] == [
        ("registration.status_change", "step=close")
    ]
    again = nurse_client.get(f"/inbox/{registration_id}/afsluiten")
    assert again.status_code == 303 and location_path(again) == f"/inbox/{registration_id}"


def test_visits_held_is_offered_once_a_visit_is_recorded(app: Flask, client: Any, noor: Account) -> None:
    registration_id = register_id(app, client, postcode=DELFT)
    nurse_client = logged_in(app, noor)
    for name in ("contact_attempt", "contact_made", "visit_planned", "visit_held"):
        step(nurse_client, registration_id, name)

    question = Page(nurse_client.get(f"/inbox/{registration_id}/afsluiten"))
    assert "Contact attempts: 1. Visits held: 1." in question.text
    assert radio_values(question, "outcome") == [
        ("visits_held", False),
        ("declined", False),
        ("not_reached", False),
        ("moved", False),
    ]
    assert "can be chosen once a visit has been recorded" not in question.text
    response = nurse_client.post(
        f"/inbox/{registration_id}/afsluiten",
        data={"csrf_token": question.hidden("csrf_token"), "outcome": "visits_held"},
    )
    assert response.status_code == 303
    assert registration(app, registration_id).close_outcome == "visits_held"


def test_the_close_page_is_in_dutch_for_a_dutch_nurse(app: Flask, client: Any, noor: Account) -> None:
    registration_id = register_id(app, client, postcode=DELFT)
    nurse_client = logged_in(app, noor, dutch=True)
    assert "Afsluiten…" in Page(nurse_client.get(f"/inbox/{registration_id}")).text
    question = Page(nurse_client.get(f"/inbox/{registration_id}/afsluiten"))
    assert "Hoe is het afgelopen?" in question.text and "Ja, sluit af" in question.text
    assert "„Bezoek(en) afgelegd” kunt u kiezen zodra er een bezoek is vastgelegd." in question.text
    refused = Page(
        nurse_client.post(f"/inbox/{registration_id}/afsluiten", data={"csrf_token": question.hidden("csrf_token")})
    )
    assert refused.title.startswith("Fout:") and refused.errors == ["Kies hoe het is afgelopen"]


# --- merging a duplicate -------------------------------------------------------------------


def twins(app: Flask, client: Any) -> tuple[str, str]:
    """The same pregnancy registered twice: the second is marked as a possible duplicate of the first."""
    first = register_id(app, client, postcode=DELFT, **TWIN)
    second = register_id(app, client, postcode=DELFT, **TWIN)
    assert registration(app, second).duplicate_of_id == first
    return first, second


def test_merging_asks_first_and_nothing_changes_before_she_confirms(app: Flask, client: Any, noor: Account) -> None:
    first, second = twins(app, client)
    references = registration(app, first).reference, registration(app, second).reference
    nurse_client = logged_in(app, noor)
    before = state(app, first), state(app, second)

    detail = Page(nurse_client.get(f"/inbox/{second}"))
    assert f"Merge into {references[0]}" in detail.text
    assert f'href="/inbox/{second}/samenvoegen"' in detail.html
    assert not re.search(r'<form[^>]*action="[^"]*/samenvoegen"', detail.html), "no one-click merge"

    question = Page(nurse_client.get(f"/inbox/{second}/samenvoegen"))
    assert question.status == 200
    assert f"Merge {references[1]} into {references[0]}?" in question.title
    assert f"The personal details of {references[1]} are deleted for good" in question.text
    assert "This cannot be undone." in question.text
    assert "Yes, merge" in question.text and "No, go back" in question.text
    assert (state(app, first), state(app, second)) == before
    assert TWIN["name"] not in question.text, "the question shows no personal details"

    # A post without its form token (made elsewhere) is refused and changes nothing.
    assert nurse_client.post(f"/inbox/{second}/samenvoegen").status_code == 400
    assert (state(app, first), state(app, second)) == before

    done = nurse_client.post(f"/inbox/{second}/samenvoegen", data={"csrf_token": question.hidden("csrf_token")})
    assert done.status_code == 303 and location_path(done) == f"/inbox/{first}"
    assert registration(app, second).purged_at and registration(app, second).merged_into_id == first
    assert registration(app, first).purged_at is None
    assert f"Merged into {references[0]}." in Page(nurse_client.get(f"/inbox/{first}")).text


# --- the list -------------------------------------------------------------------------------


def test_the_duplicate_badge_leaves_the_list_when_the_twin_is_erased(app: Flask, client: Any, noor: Account) -> None:
    first, second = twins(app, client)
    first_reference, second_reference = registration(app, first).reference, registration(app, second).reference
    nurse_client = logged_in(app, noor)

    rows = list_rows(Page(nurse_client.get("/inbox")))
    assert "Possible duplicate" in rows[second_reference] and "Possible duplicate" not in rows[first_reference]

    question = Page(nurse_client.get(f"/inbox/{first}/wissen"))
    erased = nurse_client.post(f"/inbox/{first}/wissen", data={"csrf_token": question.hidden("csrf_token")})
    assert erased.status_code == 303

    rows = list_rows(Page(nurse_client.get("/inbox")))
    assert first_reference not in rows
    assert "Possible duplicate" not in rows[second_reference]
    detail = Page(nurse_client.get(f"/inbox/{second}"))
    assert "This may be the same pregnancy" not in detail.text and "/samenvoegen" not in detail.html


def test_a_registration_received_today_says_today(app: Flask, client: Any, noor: Account) -> None:
    registration_id = register_id(app, client, postcode=DELFT)
    reference = registration(app, registration_id).reference
    rows = list_rows(Page(logged_in(app, noor, dutch=True).get("/inbox")))
    assert "vandaag" in rows[reference] and "werkdag" not in rows[reference]


def next_ordinary_friday(after: date) -> date:
    """A Friday after `after` whose Friday, Monday and Tuesday are all working days."""
    day = after + timedelta(days=(4 - after.weekday()) % 7 or 7)
    while not all(working_days.is_working_day(day + timedelta(days=n)) for n in (0, 3, 4)):
        day += timedelta(days=7)
    return day


@pytest.mark.parametrize(
    "days_later, dutch",
    [
        (1, "nog geen werkdag geleden"),  # the Saturday: received yesterday, no working day since
        (3, "1 werkdag geleden"),  # the Monday
        (4, "2 werkdagen geleden"),  # the Tuesday
    ],
)
def test_waiting_time_in_working_days_reads_right(app: Flask, client: Any, days_later: int, dutch: str) -> None:
    friday = next_ordinary_friday(datetime.now(ZONE).date() + timedelta(days=1))
    with time_machine.travel(datetime.combine(friday, time(10, 0), ZONE), tick=False):
        registration_id = register_id(app, client, postcode=DELFT)
    reference = registration(app, registration_id).reference
    with time_machine.travel(datetime.combine(friday + timedelta(days=days_later), time(11, 0), ZONE), tick=False):
        account = nurse(app, f"dag{days_later}@delfland.example", DELFLAND)
        rows = list_rows(Page(logged_in(app, account, dutch=True).get("/inbox")))
    assert dutch in rows[reference]
    assert "0 werkdagen" not in rows[reference] and "vandaag" not in rows[reference]
