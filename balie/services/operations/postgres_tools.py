"""PostgreSQL's own tools (pg_dump, pg_restore) run against a database URL, and scratch databases.

The password goes to the tools in the ``PGPASSWORD`` environment variable, never on their
command line (which other users of the machine can read) and never in what is printed.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from psycopg.conninfo import make_conninfo
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

TOOL_FOLDERS = "/usr/lib/postgresql"
SCRATCH_PREFIX = "balie_drill_"
_ERROR_LINE = re.compile(r"^(pg_dump|pg_restore): (error|fatal): ")


class ToolFailed(Exception):
    """A PostgreSQL tool is missing or ended with an error; the message holds its error lines only."""


def find_tool(name: str) -> str:
    """The tool on PATH, else the newest one in /usr/lib/postgresql/*/bin (Debian's layout)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path(TOOL_FOLDERS).glob(f"*/bin/{name}"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
        reverse=True,
    )
    if not candidates:
        raise ToolFailed(f"{name} not found on PATH or in {TOOL_FOLDERS}/*/bin (apt-get install postgresql-client)")
    return str(candidates[0])


def safe_url(url: str | URL) -> str:
    """The URL as it may be printed: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def connection_arguments(url: str | URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment that carries it."""
    parsed = make_url(url)
    params: dict[str, str] = {
        key: value for key, value in parsed.query.items() if isinstance(value, str) and key != "password"
    }
    parts = {"host": parsed.host, "port": parsed.port, "user": parsed.username, "dbname": parsed.database}
    for key, value in parts.items():
        if value is not None:
            params[key] = str(value)
    environment = dict(os.environ)  # without a password in the URL: PGPASSWORD or ~/.pgpass, as libpq does
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    return make_conninfo(**params), environment


def _error_lines(stderr: str) -> str:
    # Only the tools' own error lines: DETAIL and CONTEXT lines may quote a row's values.
    lines = [line.strip()[:300] for line in stderr.splitlines() if _ERROR_LINE.match(line.strip())]
    return "; ".join(lines[:3]) or "no error message"


def run(tool: str, url: str | URL, arguments: Sequence[str]) -> None:
    """Run pg_dump or pg_restore with ``--dbname`` for `url`; ToolFailed with its error lines."""
    conninfo, environment = connection_arguments(url)
    command = [find_tool(tool), f"--dbname={conninfo}", *arguments]
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603 - no shell
    if completed.returncode != 0:
        raise ToolFailed(f"{tool} failed: {_error_lines(completed.stderr)}")


def dump_as_sql(file: Path) -> Iterator[bytes]:
    """The SQL text of a custom-format dump (decompressed), in chunks; no database needed."""
    command = [find_tool("pg_restore"), "--file=-", str(file)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:  # noqa: S603 - no shell
        stdout: IO[bytes] = process.stdout  # type: ignore[assignment]
        while chunk := stdout.read(1 << 20):
            yield chunk
        stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        if process.wait() != 0:
            raise ToolFailed(f"pg_restore failed: {_error_lines(stderr)}")


def _server_url(url: str | URL) -> URL:
    return make_url(url).set(database="postgres")


def create_scratch_database(url: str | URL) -> URL:
    """A new, empty database on the same server as `url` (named balie_drill_<random>)."""
    name = f"{SCRATCH_PREFIX}{secrets.token_hex(6)}"
    engine = create_engine(_server_url(url), isolation_level="AUTOCOMMIT", hide_parameters=True)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    except Exception as exc:  # noqa: BLE001 - reported by kind; the message may hold the URL
        raise ToolFailed(
            f"could not create a scratch database ({type(exc).__name__}): the database user needs CREATEDB"
        ) from None
    finally:
        engine.dispose()
    return make_url(url).set(database=name)


def drop_scratch_database(url: str | URL) -> None:
    name = make_url(url).database or ""
    if not re.fullmatch(f"{SCRATCH_PREFIX}[0-9a-f]+", name):
        raise ValueError("only scratch databases made by create_scratch_database are dropped")
    engine = create_engine(_server_url(url), isolation_level="AUTOCOMMIT", hide_parameters=True)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
