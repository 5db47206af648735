"""Migration 0015 gives registrations that still hold their due month the band they had when
they registered; purged ones stay unknown. Down and up again, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from sqlalchemy import inspect, select, update

from balie import migrate
from balie.extensions import db
from balie.models import Registration
from balie.services.audit import access_log
from balie.services.operations import retention
from tests.support.monitoring import Parent, local, register


def test_the_upgrade_fills_in_the_band_from_the_due_month_and_the_dutch_date(any_db_app: Flask) -> None:
    with any_db_app.app_context(), db.writing():
        made = {
            # 11 weeks by 15 Oct (197 days ahead)
            "early": register(db.session, Parent(local(date(2026, 4, 1)), "2026-10")),
            # 00:30 on 1 June in the Netherlands is still 31 May in UTC: by the Dutch date the due month has passed
            "after": register(db.session, Parent(local(date(2026, 6, 1), 0, 30), "2026-05")),
            "late": register(db.session, Parent(local(date(2026, 6, 10)), "2026-07")),  # 35 weeks
            "purged": register(db.session, Parent(local(date(2026, 4, 1)), "2026-10")),
        }
        retention.erase(db.session, made["purged"], datetime(2026, 5, 1, tzinfo=UTC), access_log.SYSTEM, "test")
        ids = {name: registration.id for name, registration in made.items()}
        db.session.commit()
        stored = {
            rid: phase for rid, phase in db.session.execute(select(Registration.id, Registration.pregnancy_phase))
        }
        # the submission stored the band itself, before anything was purged
        assert [stored[ids[name]] for name in ("early", "after", "late", "purged")] == [
            "before_12",
            "after_due_month",
            "weeks_28_35",
            "before_12",
        ]
        db.session.execute(update(Registration).values(pregnancy_phase=None))
        db.session.commit()
        db.session.remove()
        migrate.downgrade(db.engine, "0014")
        columns = {column["name"] for column in inspect(db.engine).get_columns("registration")}
        assert "pregnancy_phase" not in columns
        migrate.upgrade(db.engine)
        bands = {rid: phase for rid, phase in db.session.execute(select(Registration.id, Registration.pregnancy_phase))}
    assert {name: bands[ids[name]] for name in ids} == {
        "early": "before_12",
        "after": "after_due_month",
        "late": "weeks_28_35",
        "purged": None,  # its due month is gone: the monitor counts it as unknown
    }
