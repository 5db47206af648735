"""pg_dump and pg_restore get the database password in their environment only, and what they
print about a failure is their own error line, never a DETAIL or CONTEXT line quoting data."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from balie.services.operations import postgres_tools

URL = "postgresql+psycopg://balie:s3cr%40t-pw@db.example:5433/balie?sslmode=require"


def test_the_password_travels_in_the_environment_not_in_the_connection_string() -> None:
    conninfo, environment = postgres_tools.connection_arguments(URL)
    assert "s3cr" not in conninfo
    assert {"host=db.example", "port=5433", "user=balie", "dbname=balie", "sslmode=require"} <= set(conninfo.split())
    assert environment["PGPASSWORD"] == "s3cr@t-pw"
    assert postgres_tools.safe_url(URL) == "postgresql+psycopg://balie:***@db.example:5433/balie?sslmode=require"


def test_a_failing_tool_reports_its_error_line_without_the_password_or_quoted_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        seen["command"], seen["env"] = command, kwargs["env"]
        stderr = (
            "pg_restore: error: could not execute query: ERROR:  duplicate key value violates unique constraint\n"
            "DETAIL:  Key (reference)=(PARENT-NAME) already exists.\n"
            'CONTEXT:  COPY registration, line 1: "PARENT-NAME 0612345678"\n'
        )
        return subprocess.CompletedProcess(command, 1, "", stderr)

    monkeypatch.setattr(postgres_tools, "find_tool", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", fake_run)
    with pytest.raises(postgres_tools.ToolFailed) as failed:
        postgres_tools.run("pg_restore", URL, ["--no-owner", "dump.file"])

    assert not any("s3cr" in part for part in seen["command"])
    assert seen["env"]["PGPASSWORD"] == "s3cr@t-pw"
    message = str(failed.value)
    assert "duplicate key value violates unique constraint" in message
    assert "PARENT-NAME" not in message and "0612345678" not in message and "s3cr" not in message


def test_only_scratch_databases_are_dropped() -> None:
    with pytest.raises(ValueError):
        postgres_tools.drop_scratch_database("postgresql+psycopg://balie@db.example/balie")
