"""Personal data leaves the desk on time; anonymous counts stay; keys rotate (T-15 … T-17, T-40).

Registrations are made through the public form at moments in the past (time-machine), with a
unique canary in every personal field; `flask purge` then runs "today". On SQLite the raw
database file and its WAL are searched for the canaries and for the purged ciphertexts.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select, update

from balie.crypto import KeyRing
from balie.extensions import db
from balie.models import AccessLogEntry, Registration, RegistrationEvent, User
from balie.models.registration import PERSONAL_FIELDS
from balie.services.registrations import personal_data
from tests.conftest import make_app
from tests.support.accounts import DELFLAND, HOFSTAD, login, nurse
from tests.support.pages import Page
from tests.support.professionals import step
from tests.support.registration import due_month
from tests.support.staff import register_id, registration

UNREADABLE = re.compile(r"niet leesbaar|cannot be read")


def canary(label: str) -> dict[str, str]:
    tag = f"{label}{secrets.token_hex(3).upper()}"
    return {
        "name": f"ZZCANARY{tag}NAAM",
        "email": f"zzcanary{tag.lower()}@example.com",
        "note": f"ZZCANARY{tag}NOTITIE",
        "house_number": str(secrets.randbelow(900) + 100),
    }


def sealed(app: Flask, registration_id: str) -> dict[str, bytes | None]:
    found = registration(app, registration_id)
    return {name: getattr(found, f"{name}_sealed") for name in PERSONAL_FIELDS}


def events_per_organisation(app: Flask) -> dict[str, int]:
    with app.app_context():
        counts = db.session.execute(
            select(RegistrationEvent.organisation_id, func.count()).group_by(RegistrationEvent.organisation_id)
        )
        return {organisation: count for organisation, count in counts}


def purge_rows(app: Flask) -> list[AccessLogEntry]:
    with app.app_context():
        found = list(
            db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.event_code == "registration.purge"))
        )
        db.session.expunge_all()
        return found


@pytest.fixture
def history(any_db_app: Flask) -> dict[str, Any]:
    """Registrations made over the past months, some closed or handed over by a nurse."""
    app = any_db_app
    parent = app.test_client()
    now = datetime.now(UTC)
    made: dict[str, tuple[str, dict[str, str]]] = {}

    def make(label: str, postcode: str = "2611 AB", **extra: Any) -> str:
        answers = canary(label)
        made[label] = (register_id(app, parent, postcode=postcode, **answers, **extra), answers)
        return made[label][0]

    with time_machine.travel(now - timedelta(days=240), tick=False):
        make("overdue", due_month=due_month(0))  # never picked up: past its due month + 6 weeks
        make("overdue_hofstad", postcode="2511 AB", due_month=due_month(0))
    with time_machine.travel(now - timedelta(days=31), tick=False):
        account = nurse(app)
        client = app.test_client()
        assert login(client, account).status_code == 303
        step(client, make("closed_31"), "close", "declined")
        step(client, make("handed_over_31"), "contact_made")
        step(client, made["handed_over_31"][0], "hand_over")
    with time_machine.travel(now - timedelta(days=29), tick=False):
        client = app.test_client()
        assert login(client, account).status_code == 303
        step(client, make("closed_29"), "close", "not_reached")
        step(client, make("handed_over_29"), "hand_over")
    make("fresh")
    make("fresh_hofstad", postcode="2511 AB")
    return {"app": app, "made": made, "nurse": account}


EXPIRED = ("overdue", "overdue_hofstad", "closed_31", "handed_over_31")
KEPT = ("closed_29", "handed_over_29", "fresh", "fresh_hofstad")


def database_files(app: Flask) -> list[Path]:
    path = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    return [file for file in (path, path.with_name(path.name + "-wal")) if file.exists()]


def test_purge_erases_exactly_the_expired_personal_data(history: dict[str, Any]) -> None:
    app, made = history["app"], history["made"]
    ids = {label: registration_id for label, (registration_id, _) in made.items()}
    cipher_before = {label: sealed(app, ids[label]) for label in made}
    assert all(cipher_before[label]["name"] for label in made)
    events_before = events_per_organisation(app)
    assert events_before[DELFLAND] == 5 and HOFSTAD not in events_before
    with app.app_context():
        rows_before = db.session.scalar(select(func.count()).select_from(Registration))

    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "purged 4 registrations" in result.output

    for label in EXPIRED:
        tombstone = registration(app, ids[label])
        assert all(value is None for value in sealed(app, ids[label]).values()), label
        assert tombstone.purged_at is not None and tombstone.due_month is None
        assert tombstone.organisation_id in (DELFLAND, HOFSTAD) and tombstone.municipality_code and tombstone.reference
    keys = app.extensions["balie.keys"]
    for label in KEPT:
        kept = registration(app, ids[label])
        assert kept.purged_at is None and sealed(app, ids[label]) == cipher_before[label], label
        assert personal_data.open_details(kept, keys).name == made[label][1]["name"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == rows_before
    assert events_per_organisation(app) == events_before

    purged = purge_rows(app)
    assert sorted(r.object_id for r in purged) == sorted(ids[label] for label in EXPIRED)
    assert {(r.actor_user_id, r.actor_role, r.action_code, r.outcome) for r in purged} == {
        ("system", "system", "D", "success")
    }

    again = app.test_cli_runner().invoke(args=["purge"])
    assert again.exit_code == 0 and "purged 0 registrations" in again.output
    assert len(purge_rows(app)) == 4
    assert all(sealed(app, ids[label]) == cipher_before[label] for label in KEPT)
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0

    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        files = database_files(app)
        assert files
        content = b"".join(file.read_bytes() for file in files)
        for label, (_, answers) in made.items():
            for value in (answers["name"], answers["email"], answers["note"]):
                assert value.encode() not in content, (label, value)
        for label in EXPIRED:
            for field, cipher in cipher_before[label].items():
                if cipher:
                    assert cipher[-24:] not in content, f"the purged {field} of {label} is still in the file"


def test_after_the_purge_the_nurse_no_longer_finds_the_registration(history: dict[str, Any]) -> None:
    app, made = history["app"], history["made"]
    assert app.test_cli_runner().invoke(args=["purge"]).exit_code == 0
    client = app.test_client()
    assert login(client, history["nurse"]).status_code == 303
    inbox = client.get("/inbox").get_data(as_text=True)
    for label in ("closed_31", "handed_over_31", "overdue"):
        registration_id = made[label][0]
        assert registration_id not in inbox
        assert client.get(f"/inbox/{registration_id}").status_code == 404
    page = Page(client.get(f"/inbox/{made['fresh'][0]}"))
    assert page.status == 200 and made["fresh"][1]["name"] in page.text


# --- key rotation -----------------------------------------------------------------------------


@pytest.fixture
def extra_apps(any_db_app: Flask, tmp_path: Path) -> Iterator[Any]:
    made: list[Flask] = []

    def build(data_keys: str) -> Flask:
        folder = tmp_path / f"keys{len(made)}"
        folder.mkdir()
        other = make_app(any_db_app.config["DATABASE_URL"], folder, DATA_KEYS=data_keys)
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def new_key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def test_rotation_moves_registrations_and_authenticator_secrets_to_the_new_key(
    any_db_app: Flask, extra_apps: Any
) -> None:
    parent = any_db_app.test_client()
    answers = [canary(f"rot{n}") for n in range(3)]
    ids = [register_id(any_db_app, parent, **a) for a in answers]
    account = nurse(any_db_app)
    old_keys = str(any_db_app.config["DATA_KEYS"])
    fresh = new_key("k2")

    both = extra_apps(f"{fresh},{old_keys}")
    result = both.test_cli_runner().invoke(args=["keys", "rotate", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 3 registrations and 1 second-factor secrets with key k2" in result.output
    with both.app_context():
        for found in db.session.scalars(select(Registration)):
            assert found.key_id == "k2"
            assert {
                KeyRing.key_id_of(getattr(found, f"{n}_sealed"))
                for n in PERSONAL_FIELDS
                if getattr(found, f"{n}_sealed")
            } == {"k2"}
        user = db.session.get(User, account.id)
        assert user is not None and user.key_id == "k2" and KeyRing.key_id_of(user.totp_secret_sealed or b"") == "k2"
    again = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert "re-encrypted 0 registrations and 0 second-factor secrets" in again.output

    only_new = extra_apps(fresh)
    client = only_new.test_client()
    assert login(client, account).status_code == 303, "the authenticator secret opens with the new key alone"
    for registration_id, typed in zip(ids, answers, strict=False):
        page = Page(client.get(f"/inbox/{registration_id}"))
        assert page.status == 200 and typed["name"] in page.text and typed["note"] in page.text
        assert not UNREADABLE.search(page.text)

    with any_db_app.app_context():  # the old key alone no longer opens anything: the data really moved
        found = db.session.get(Registration, ids[0])
        assert found is not None
        details = personal_data.open_details(found, any_db_app.extensions["balie.keys"])
        assert details.name is None and {"name", "note", "address"} <= set(details.unreadable)


def test_a_flipped_byte_shows_unreadable_not_garbage(any_db_app: Flask) -> None:
    typed = canary("flip")
    registration_id = register_id(any_db_app, any_db_app.test_client(), **typed)
    original = sealed(any_db_app, registration_id)["name"]
    assert original
    damaged = original[:-5] + bytes([original[-5] ^ 0x01]) + original[-4:]
    with any_db_app.app_context(), db.writing():
        db.session.execute(update(Registration).where(Registration.id == registration_id).values(name_sealed=damaged))
        db.session.commit()

    client = any_db_app.test_client()
    assert login(client, nurse(any_db_app)).status_code == 303
    page = Page(client.get(f"/inbox/{registration_id}"))
    assert page.status == 200
    assert UNREADABLE.search(page.text), "the nurse is not told that data cannot be read"
    assert typed["note"] in page.text and typed["email"] in page.text, "the other fields are still shown"
    assert typed["name"] not in page.text
    name_row = re.search(r"<dt class=\"summary__key\">[^<]*</dt><dd class=\"summary__value\">([^<]*)</dd>", page.html)
    assert name_row and name_row.group(1) == "–", "the damaged name shows as a dash, not as garbage"
    exported = client.get(f"/inbox/{registration_id}/export.json").get_json()
    assert exported["parent"]["name"] is None and exported["note"] == typed["note"]
