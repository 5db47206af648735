"""The professional routes in tests: professionals, advice cards, a parent registering with a
card's code, samen aanmelden, direct referral, and the nurse's steps — all through the web,
the way people use them.

Apps made here keep their search index in their own folder and have a public address of
their own (so the QR link is recognisably built from ``PUBLIC_BASE_URL``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask
from sqlalchemy import func, select

from balie.domain.due_date import DueMonth
from balie.extensions import db
from balie.models import AccessLogEntry, OutboxMessage, Registration
from balie.services.accounts.lifecycle import Grant
from tests.conftest import make_app
from tests.support.accounts import Account, login, make_user
from tests.support.databases import copy_sqlite
from tests.support.pages import Page
from tests.support.qr import decode_svg, quiet_zone
from tests.support.registration import answers
from tests.support.staff import csrf_token
from tests.web.helpers import fill, form_fields

BASE_URL = "https://balie.voorbeeld.example"
PRO_NAME = "Vera Verloskundige"
DELFT, DEN_HAAG = "2611 AB", "2511 AB"  # → JGZ Delfland (voorbeeld), Jeugdgezondheid Hofstad (voorbeeld)
DELFLAND_NAME = "JGZ Delfland (voorbeeld)"
CODE = re.compile(r"^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$")
WITHDRAWAL_CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def build_app(template: Path, folder: Path, **overrides: Any) -> Flask:
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"SEARCH_INDEX_DIR": str(folder / "search"), "PUBLIC_BASE_URL": BASE_URL, **overrides}
    return make_app(copy_sqlite(template, folder / "balie.sqlite3"), folder, **settings)


def professional(
    app: Flask, email: str = "vera@verloskunde.example", profession: str = "midwife", name: str = PRO_NAME
) -> Account:
    return make_user(app, email, [Grant("professional", profession=profession)], totp=False, name=name)


def signed_in(app: Flask, account: Account, language: str = "en") -> Any:
    """A browser of this person, logged in, with the page language chosen."""
    client = app.test_client()
    client.set_cookie("balie_lang", language)
    assert login(client, account).status_code == 303
    return client


# --- canaries: unique personal values that must never show where they do not belong ---------


@dataclass(frozen=True)
class Parent:
    name: str
    phone: str  # as typed
    email: str
    house_number: str
    addition: str
    note: str

    def answers(self, **overrides: Any) -> dict[str, Any]:
        return answers(
            name=self.name,
            phone=self.phone,
            email=self.email,
            house_number=self.house_number,
            house_number_addition=self.addition,
            note=self.note,
            **overrides,
        )

    def traces(self) -> dict[str, str]:
        """Each personal value as it could appear on a page, field by field."""
        digits = re.sub(r"\D", "", self.phone)
        return {
            "name": self.name,
            "name (part)": self.name.split()[0],
            "phone": self.phone,
            "phone (digits)": digits[-8:],
            "phone (international)": "+31 6 " + digits[-8:-4],
            "e-mail": self.email,
            "e-mail (local part)": self.email.split("@")[0],
            "house number": f"{self.house_number} {self.addition}",
            "house number (bare)": f">{self.house_number}<",
            "house number addition": self.addition,
            "note": self.note,
            "note (part)": self.note.split()[0],
        }


def canary_parent() -> Parent:
    tag = secrets.token_hex(3).upper()
    letters = "".join(secrets.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(4))
    return Parent(
        name=f"ZZCANARY{tag} Moeder",
        phone=f"06 3{secrets.randbelow(10**7):07d}",
        email=f"zzcanary{tag.lower()}@example.com",
        house_number=str(1000 + secrets.randbelow(8999)),
        addition=letters[:3],
        note=f"ZZNOTE{tag} liever na vijven bellen",
    )


# --- advice cards ----------------------------------------------------------------------------


def make_card(client: Any, language: str = "nl", label: str = "") -> str:
    form = Page(client.get("/advies/kaarten/nieuw"))
    assert form.status == 200
    made = client.post(
        "/advies/kaarten/nieuw",
        data={"csrf_token": form.hidden("csrf_token"), "language": language, "label": label},
    )
    assert made.status_code == 303, made.status_code
    path = urlsplit(made.headers["Location"]).path
    assert path.startswith("/advies/kaarten/")
    return path.rsplit("/", 1)[1]


def retire_card(client: Any, code: str) -> None:
    response = client.post(f"/advies/kaarten/{code}/intrekken", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303


# --- the parent's form ------------------------------------------------------------------------


def open_registration(client: Any, query: Mapping[str, str] | None = None) -> Page:
    page = Page(client.get("/aanmelden" + (("?" + urlencode(query)) if query else "")))
    assert page.status == 200
    return page


def check_page(client: Any, form_page: Page, typed: Mapping[str, Any], action: str = "/aanmelden") -> Page:
    """Fill in the form on the page and press Continue (the form posts where its action says)."""
    action_url = _action(form_page, action)
    return Page(client.post(action_url, data=fill(form_page, typed, action)))


def send_from(client: Any, checked: Page, extra: Mapping[str, str] | None = None) -> Any:
    """Press the send button of a check page (with the boxes or radios given ticked)."""
    data = form_fields(checked, "versturen")
    for name, value in (extra or {}).items():
        data.setlist(name, [value])
    data["send"] = "1"
    return client.post(_action(checked, "versturen"), data=data)


def _action(page: Page, contains: str) -> str:
    found = re.search(r'<form method="post" action="([^"]*' + re.escape(contains) + r'[^"]*)"', page.html)
    assert found, f"no form posting to {contains!r}"
    return found.group(1).replace("&amp;", "&")


def register_with_card(
    client: Any,
    code: str | None,
    feedback: bool,
    *,
    prefilled: bool = True,
    lang: str | None = None,
    parent: Parent | None = None,
    **overrides: Any,
) -> Page:
    """A parent registers: the card's link (prefilled) or the code typed; returns the confirmation."""
    query = {}
    if prefilled and code:
        query["code"] = code
    if lang:
        query["lang"] = lang
    form = open_registration(client, query)
    typed = parent.answers(**overrides) if parent else answers(**overrides)
    if code and not prefilled:
        typed["advice_code"] = code
    if feedback:
        typed["feedback_consent"] = "y"
    checked = check_page(client, form, typed)
    assert checked.status == 200, checked.errors
    sent = send_from(client, checked)
    assert sent.status_code == 303, sent.status_code
    return Page(client.get(sent.headers["Location"]))


# --- samen aanmelden and direct referral ------------------------------------------------------


def professional_check(client: Any, path: str, typed: Mapping[str, Any]) -> Page:
    form = Page(client.get(path))
    assert form.status == 200
    return check_page(client, form, typed, path)


def assisted(
    client: Any, parent: Parent | None = None, feedback: bool = False, agrees: bool = True, **overrides: Any
) -> Any:
    typed = parent.answers(**overrides) if parent else answers(**overrides)
    if feedback:
        typed["feedback_consent"] = "y"
    checked = professional_check(client, "/advies/samen-aanmelden", typed)
    assert checked.status == 200, checked.errors
    return send_from(client, checked, {"parent_agrees": "y"} if agrees else None)


def refer(
    client: Any, consent: str | None, parent: Parent | None = None, feedback: bool = False, **overrides: Any
) -> Any:
    typed = parent.answers(**overrides) if parent else answers(**overrides)
    if feedback:
        typed["feedback_consent"] = "y"
    checked = professional_check(client, "/advies/verwijzen", typed)
    assert checked.status == 200, checked.errors
    return send_from(client, checked, {"consent": consent} if consent else None)


# --- the JGZ nurse --------------------------------------------------------------------------


def step(client: Any, registration_id: str, name: str, code: str | None = None) -> Any:
    """The nurse records a step; closing goes through its own confirmation page (with the outcome)."""
    if name == "close":
        data = {"csrf_token": csrf_token(client), "outcome": code or ""}
        response = client.post(f"/inbox/{registration_id}/afsluiten", data=data)
        assert response.status_code == 303, response.status_code
        return response
    data = {"csrf_token": csrf_token(client), "step": name}
    if code is not None:
        data["code"] = code
    response = client.post(f"/inbox/{registration_id}/stap", data=data)
    assert response.status_code == 303, response.status_code
    return response


# --- what the database holds ------------------------------------------------------------------


def newest_registration(app: Flask) -> Registration:
    with app.app_context():
        found = db.session.scalars(
            select(Registration).order_by(Registration.created_at.desc(), Registration.reference)
        ).first()
        assert found is not None
        db.session.expunge(found)
        return found


def by_reference(app: Flask, reference: str) -> Registration:
    with app.app_context():
        found = db.session.scalar(select(Registration).where(Registration.reference == reference))
        assert found is not None, reference
        db.session.expunge(found)
        return found


def counts(app: Flask) -> dict[str, int]:
    """Registrations, outbox rows and access-log 'create' rows: what a stored submit leaves."""
    with app.app_context():
        return {
            "registrations": db.session.scalar(select(func.count()).select_from(Registration)) or 0,
            "outbox": db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
            "creates": db.session.scalar(
                select(func.count())
                .select_from(AccessLogEntry)
                .where(AccessLogEntry.event_code == "registration.create")
            )
            or 0,
        }


def feedback_expiry(due_month_value: str, weeks: int = 6) -> date:
    """The last day of the due month plus six weeks (computed here, not by the app)."""
    month = DueMonth.parse(due_month_value)
    first = month.first_day
    next_month = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return next_month - timedelta(days=1) + timedelta(weeks=weeks)


def english_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def reference_of(confirmation: Page) -> str:
    found = re.search(r'<strong class="reference">([0-9A-Z]{4}-[0-9A-Z]{4})</strong>', confirmation.html)
    assert found, "no reference on the confirmation"
    return found.group(1)


def withdrawal_code_of(confirmation: Page) -> str:
    found = WITHDRAWAL_CODE.search(confirmation.text)
    assert found, "no withdrawal code on the confirmation"
    return found.group(0)


def summary(page: Page) -> dict[str, str]:
    """The rows of the summary lists on a page: label → shown value (text only)."""
    rows = re.findall(r'<dt class="summary__key">(.*?)</dt>\s*<dd class="summary__value">(.*?)</dd>', page.html, re.S)
    return {_text(key): _text(value) for key, value in rows}


def _text(fragment: str) -> str:
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def local_minute(moment: Any) -> str:
    """A stored UTC moment as the pages show it: 3 December 2026 14:05 (Dutch time)."""
    from balie.clock import ZONE

    local = moment.astimezone(ZONE)
    return f"{local.day} {local.strftime('%B')} {local.year} {local:%H:%M}"


# --- the QR code on a card -----------------------------------------------------------------


def qr_link(svg: str, candidates: list[str]) -> str:
    """The link a scanner reads from the card's QR code (painted from the SVG and decoded), which
    must be exactly one of the candidates. The real screen and print check: tests/browser."""
    link = decode_svg(svg)
    assert link in candidates, f"the QR code reads {link!r}, none of {candidates}"
    assert quiet_zone(svg) >= 4, "a quiet zone of four modules round the code"
    return link
