"""Migration 0017: the sociale kaart's waiting spreadsheet uploads survive as pending uploads of
their kind, and a monitor's births file goes when the migration is undone. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import inspect, text

from balie import migrate
from balie.extensions import db
from balie.services import pending_uploads

NOW = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)


def test_waiting_spreadsheets_survive_down_and_up_and_births_files_go_down(any_db_app: Flask) -> None:
    with any_db_app.app_context(), db.writing():
        sheet = pending_uploads.store(db.session, "directory_spreadsheet", "els", "kaart.xlsx", {"rows": 3}, NOW)
        pending_uploads.store(db.session, "cbs_births", "bea", "37230ned.csv", {"births": []}, NOW)
        sheet_id = sheet.id
        db.session.commit()
        db.session.remove()
        migrate.downgrade(db.engine, "0016")
        tables = inspect(db.engine).get_table_names()
        assert "pending_upload" not in tables and "directory_upload" in tables
        with db.engine.connect() as connection:
            kept = connection.execute(text("SELECT id, user_id, file_name FROM directory_upload")).all()
        assert [tuple(row) for row in kept] == [(sheet_id, "els", "kaart.xlsx")]
        migrate.upgrade(db.engine)
        found = pending_uploads.pending(db.session, "directory_spreadsheet", "els", sheet_id, NOW)
        assert found.content == {"rows": 3} and found.kind == "directory_spreadsheet"
