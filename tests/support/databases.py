"""Test databases: a migrated SQLite template copied per test, and a throwaway PostgreSQL server."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from balie import create_app
from balie.extensions import db

PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    """A free port on 127.0.0.1 for a server a test starts.

    Drawn below the kernel's ephemeral range (32768 and up on Debian), so no outgoing connection
    takes it between the check and the server's start. With pytest-xdist each worker draws only
    ports of its own residue (gw0: even, gw1: odd, …), so two workers never pick the same one.
    (Not `bind(0)`: Linux hands bind(0) odd ports only, so an even-residue worker would wait forever.)
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    draw = random.Random()
    for _ in range(1000):
        port = draw.randrange(20000 + index % count, 32000, count)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port between 20000 and 32000 on 127.0.0.1")


def initialise(database_url: str, mail_dir: Path) -> None:
    """Schema, reference data and the sociale kaart, exactly as `flask init` does."""
    # The index and the access-log head go next to the mail folder: never into the repository's instance folder.
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "MAIL_DIR": str(mail_dir),
            "SEARCH_INDEX_DIR": str(mail_dir.parent / "search"),
            "AUDIT_HEAD_FILE": str(mail_dir.parent / "audit-head.json"),
        }
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init"])
    if result.exit_code != 0:
        raise RuntimeError(f"flask init failed: {result.output}")
    with app.app_context():
        db.engine.dispose()


def sqlite_template(folder: Path) -> Path:
    path = folder / "template.sqlite3"
    initialise(f"sqlite:///{path}", folder / "mail")
    return path


def copy_sqlite(template: Path, target: Path) -> str:
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temporary folder, run as the postgres user."""

    def __init__(self) -> None:
        if not PG_BIN_CANDIDATES:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bin = PG_BIN_CANDIDATES[0]
        self.folder = Path(tempfile.mkdtemp(prefix="balie-pg-"))
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> PostgresServer:
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.resume()
        return self

    def pause(self) -> None:
        """Stop the server the hard way (as a crash or a restart would): connections break."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")

    def resume(self) -> None:
        options = f"-k {self.folder} -c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off -c full_page_writes=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "-t",
            "300",
            "start",
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(statement)

    def create_database(self, template: str | None = None) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return name

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        for _ in range(20):
            try:
                shutil.rmtree(self.folder)
                return
            except OSError:
                time.sleep(0.1)
