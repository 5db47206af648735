"""Migration 0011: "hospital or gynaecologist" grants lose the right to refer directly (on SQLite and
PostgreSQL), and come back as they were after a downgrade."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import text

from balie import migrate
from balie.domain.consent import REFERRING_PROFESSIONS
from balie.extensions import db

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _json(value: object) -> list[dict[str, object]]:
    return json.loads(value) if isinstance(value, str) else value  # type: ignore[return-value]  # PostgreSQL: already decoded


def _professions(app: Flask) -> dict[str, object]:
    with app.app_context(), db.engine.connect() as connection:
        return {
            "grant": connection.execute(
                text("SELECT profession FROM role_grant WHERE user_id = 'u-hospital'")
            ).scalar_one(),
            "request": connection.execute(
                text("SELECT profession FROM account_request WHERE id = 'r-hospital'")
            ).scalar_one(),
            "invitation": _json(
                connection.execute(text("SELECT roles FROM invitation WHERE id = 'i-hospital'")).scalar_one()
            )[0]["profession"],
            "midwife": connection.execute(
                text("SELECT profession FROM role_grant WHERE user_id = 'u-midwife'")
            ).scalar_one(),
        }


def test_hospital_grants_no_longer_refer_after_the_upgrade_and_are_back_after_a_downgrade(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        migrate.downgrade(db.engine, "0010")
        with db.engine.begin() as connection:
            for user_id, profession in (("u-hospital", "hospital"), ("u-midwife", "midwife")):
                connection.execute(
                    text(
                        "INSERT INTO user_account (id, email, name, is_active, created_at, feedback_mail) "
                        "VALUES (:id, :email, 'X', :yes, :now, :no)"
                    ),
                    {"id": user_id, "email": f"{user_id}@example.org", "yes": True, "no": False, "now": NOW},
                )
                connection.execute(
                    text(
                        "INSERT INTO role_grant (user_id, role, profession) VALUES (:id, 'professional', :profession)"
                    ),
                    {"id": user_id, "profession": profession},
                )
            connection.execute(
                text(
                    "INSERT INTO account_request (id, email, name, profession, workplace, motivation, "
                    "created_at, status)"
                    " VALUES ('r-hospital', 'r@example.org', 'R', 'hospital', 'Ziekenhuis', '', :now, 'pending')"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO invitation (id, email, name, roles, created_at, expires_at) VALUES "
                    "('i-hospital', 'i@example.org', 'I', :roles, :now, :now)"
                ),
                {
                    "roles": json.dumps(
                        [
                            {
                                "role": "professional",
                                "organisation_id": None,
                                "municipality_code": None,
                                "profession": "hospital",
                            }
                        ]
                    ),
                    "now": NOW,
                },
            )
        migrate.upgrade(db.engine)
    after = _professions(any_db_app)
    assert after == {
        "grant": "hospital_other",
        "request": "hospital_other",
        "invitation": "hospital_other",
        "midwife": "midwife",
    }
    assert not {after["grant"], after["request"], after["invitation"]} & REFERRING_PROFESSIONS
    assert after["midwife"] in REFERRING_PROFESSIONS

    with any_db_app.app_context():
        migrate.downgrade(db.engine, "0010")
    assert _professions(any_db_app) == {
        "grant": "hospital",
        "request": "hospital",
        "invitation": "hospital",
        "midwife": "midwife",
    }
    with any_db_app.app_context():
        migrate.upgrade(db.engine)
