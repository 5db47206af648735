"""Driving the registration form through the Flask test client."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from balie.clock import today
from balie.domain.due_date import allowed_months
from balie.extensions import db
from balie.models import ServiceArea
from tests.support.pages import Page

# A postcode area that really lies in two gemeenten (CBS counts addresses of PC4 7351 in both):
# Hoenderloo, in Apeldoorn or in Ede. Since the CBS correction of the reference data no PC4 of
# the demo region lies in two gemeenten, so `serve_apeldoorn` lets a test pretend the region
# reaches Hoenderloo: Hofstad's home visit then covers Apeldoorn; Ede stays outside the region.
TWO_GEMEENTEN = "7351 AB"
APELDOORN, EDE = "GM0200", "GM0228"
HOFSTAD_HOME_VISIT = "3094b087-c5ae-4c35-9016-b9777e80f2e6"  # sociale_kaart/organisaties/jgz-hofstad-voorbeeld.yaml
HOFSTAD = "Jeugdgezondheid Hofstad (voorbeeld)"


def serve_apeldoorn(app: Flask) -> None:
    """Hofstad's home visit also covers Apeldoorn in this test's database (idempotent)."""
    with app.app_context():
        covered = db.session.scalar(
            select(ServiceArea).where(
                ServiceArea.service_id == HOFSTAD_HOME_VISIT, ServiceArea.municipality_code == APELDOORN
            )
        )
        if covered is None:
            db.session.add(ServiceArea(service_id=HOFSTAD_HOME_VISIT, municipality_code=APELDOORN))
            db.session.commit()
        db.session.remove()


def due_month(offset: int = 3) -> str:
    return str(allowed_months(today())[offset])


def answers(**overrides: Any) -> dict[str, Any]:
    """A valid registration for Delft (2611 AB), phone only."""
    base: dict[str, Any] = {
        "name": "Sam",
        "phone": "06 12345678",
        "email": "",
        "postcode": "2611 AB",
        "house_number": "12",
        "house_number_addition": "",
        "due_month": due_month(),
        "language": "nl",
        "interpreter": "no",
        "advisor_kind": "",
        "note": "",
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def open_form(client: Any) -> dict[str, str]:
    """GET the form; return its tokens (csrf, submission, timing)."""
    page = Page(client.get("/aanmelden"))
    assert page.status == 200
    return {name: page.hidden(name) for name in ("csrf_token", "submission_token", "started")}


def check(client: Any, tokens: dict[str, str] | None = None, **overrides: Any) -> Page:
    tokens = tokens or open_form(client)
    return Page(client.post("/aanmelden", data={**tokens, **answers(**overrides)}))


def send(client: Any, tokens: dict[str, str] | None = None, **overrides: Any) -> Any:
    """Post straight to the send step (what the check page's button does)."""
    tokens = tokens or open_form(client)
    return client.post("/aanmelden/versturen", data={**tokens, **answers(**overrides), "send": "1"})


def register(client: Any, **overrides: Any) -> Page:
    """The whole journey: form → check → send → confirmation page."""
    tokens = open_form(client)
    checked = check(client, tokens, **overrides)
    assert checked.status == 200, checked.errors
    sent = client.post("/aanmelden/versturen", data=checked.form("versturen"))
    assert sent.status_code == 303, sent.status_code
    return Page(client.get(sent.headers["Location"]))
