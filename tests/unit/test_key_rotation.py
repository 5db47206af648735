"""Key rotation and tamper resistance on stored registrations (T-40, T-39)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from balie.crypto import KeyRing
from balie.extensions import db
from balie.models import Registration
from balie.models.registration import PERSONAL_FIELDS
from balie.services.operations import key_rotation
from balie.services.registrations import personal_data
from tests.support.registration import register

CANARY_NAME = "ZZCANARY-rotation-name"
CANARY_NOTE = "ZZCANARY-rotation-note"


def register_canaries(client: Any, count: int) -> None:
    for n in range(count):
        register(client, name=f"{CANARY_NAME}-{n}", note=f"{CANARY_NOTE}-{n}", email=f"zzcanary{n}@example.com")


def with_new_primary(app: Flask, key_id: str = "k2") -> tuple[KeyRing, KeyRing]:
    """(old + new ring with the new key first, ring with only the new key)."""
    old: KeyRing = app.extensions["balie.keys"]
    new_key = (key_id, os.urandom(32))
    return KeyRing((new_key, *old.keys)), KeyRing((new_key,))


def registrations() -> list[Registration]:
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


def test_stored_fields_hold_no_plaintext(app: Flask, client: Any) -> None:
    register_canaries(client, 2)
    with app.app_context():
        for registration in registrations():
            for name in PERSONAL_FIELDS:
                sealed = getattr(registration, f"{name}_sealed")
                if sealed is not None:
                    assert b"ZZCANARY" not in sealed and b"zzcanary" not in sealed
            assert personal_data.open_details(registration, app.extensions["balie.keys"]).name.startswith(CANARY_NAME)


def test_database_file_holds_no_canary(app: Flask, client: Any) -> None:
    register_canaries(client, 3)
    path = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    checkpoint = sqlite3.connect(path)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()

    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            data = file.read_bytes()
            assert b"ZZCANARY" not in data, file.name
            assert b"zzcanary" not in data, file.name


def test_rotation_moves_every_row_to_the_new_key_and_can_be_rerun(app: Flask, client: Any) -> None:
    register_canaries(client, 5)
    rotating, only_new = with_new_primary(app)
    with app.app_context():
        before = {r.id: personal_data.open_details(r, app.extensions["balie.keys"]) for r in registrations()}
        old_id = app.extensions["balie.keys"].primary_id

        # The job is stopped after two rows …
        assert key_rotation.rotate_batch(db.session, rotating, limit=2) == 2
        db.session.commit()
        assert sum(r.key_id == old_id for r in registrations()) == 3
        # … and run again until nothing is left.
        done = 0
        while count := key_rotation.rotate_batch(db.session, rotating, limit=2):
            done += count
            db.session.commit()
        assert done == 3
        assert key_rotation.rotate_batch(db.session, rotating, limit=100) == 0

        rows = registrations()
        assert {r.key_id for r in rows} == {"k2"}
        for registration in rows:
            for name in PERSONAL_FIELDS:
                sealed = getattr(registration, f"{name}_sealed")
                if sealed is not None:
                    assert KeyRing.key_id_of(sealed) == "k2"
            # Readable with the new key alone (the old one can be removed), no double encryption.
            after = personal_data.open_details(registration, only_new)
            assert after == before[registration.id]
            assert after.unreadable == ()


def test_swapped_ciphertexts_are_unreadable_not_garbage(app: Flask, client: Any) -> None:
    register_canaries(client, 2)
    keys = app.extensions["balie.keys"]
    with app.app_context():
        first, second = registrations()
        first.name_sealed, second.name_sealed = second.name_sealed, first.name_sealed  # two rows
        first.note_sealed, first.email_sealed = first.email_sealed, first.note_sealed  # two fields
        db.session.commit()

        first_details = personal_data.open_details(first, keys)
        second_details = personal_data.open_details(second, keys)

    assert set(first_details.unreadable) == {"name", "note", "email"}
    assert first_details.name is None and first_details.note is None and first_details.email is None
    assert second_details.unreadable == ("name",)
    assert second_details.name is None
    # Fields that were not touched still open.
    assert first_details.phone == "+31612345678"


def test_a_flipped_byte_in_the_database_makes_that_field_unreadable(app: Flask, client: Any) -> None:
    register_canaries(client, 1)
    keys = app.extensions["balie.keys"]
    with app.app_context():
        [registration] = registrations()
        sealed = bytearray(registration.note_sealed or b"")
        sealed[len(sealed) // 2] ^= 0x04
        registration.note_sealed = bytes(sealed)
        db.session.commit()

        details = personal_data.open_details(registration, keys)

    assert details.unreadable == ("note",)
    assert details.note is None
    assert details.name == f"{CANARY_NAME}-0"


def test_removing_the_old_key_too_early_makes_data_unreadable_not_wrong(app: Flask, client: Any) -> None:
    register_canaries(client, 1)
    _rotating, only_new = with_new_primary(app)
    with app.app_context():
        [registration] = registrations()
        details = personal_data.open_details(registration, only_new)

    assert set(details.unreadable) >= {"name", "phone", "email", "address", "note"}
    assert details.name is None


def test_details_repr_shows_no_personal_values(app: Flask, client: Any) -> None:
    register_canaries(client, 1)
    with app.app_context():
        [registration] = registrations()
        details = personal_data.open_details(registration, app.extensions["balie.keys"])

    assert "ZZCANARY" not in repr(details)
    assert "zzcanary" not in repr(details)
    assert "ZZCANARY" not in repr(registration)
