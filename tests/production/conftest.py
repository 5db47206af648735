"""The production configuration, started for real on 127.0.0.1 and shared by the tests here:

    Chromium ──https──▶ nginx (deploy/nginx/balie.conf.template, TLS, throwaway certificate)
                          ├──▶ node A: gunicorn (deploy/balie.service), 2 workers × 4 threads
                          └──▶ node B: the same, with its own search index folder
                                   │            │
                       PostgreSQL (the suite's throwaway server)   Redis (rate limits)

Every node runs with BALIE_ENV=production and BALIE_PROXY_HOPS=1. The database is set up the way
the README tells an operator: `flask init` with the production environment.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from balie import create_app
from balie.config import PROJECT_ROOT
from balie.crypto import new_key_text
from balie.extensions import db
from balie.services.accounts.lifecycle import Grant
from tests.production.servers import Certificate, Nginx, Node, RedisServer, tls_certificate
from tests.support.accounts import Account, make_user
from tests.support.databases import PostgresServer, free_port

FLASK = str(PROJECT_ROOT / ".venv" / "bin" / "flask")
DELFT = "GM0503"


@dataclass
class Stack:
    url: str  # https://127.0.0.1:<port>, through nginx
    host: str  # what the browser puts in the Host header
    certificate: Certificate
    nginx: Nginx
    nodes: list[Node]
    redis: RedisServer
    postgres: PostgresServer
    database_url: str
    env: dict[str, str]
    app: Flask  # in this process, on the same database and keys: for accounts and checks
    nurse: Account
    editor: Account
    midwife: Account

    def logged_errors(self) -> list[str]:
        """The error lines the nodes logged (error types and code locations, never personal data)."""
        return [line for node in self.nodes for line in node.log().splitlines() if " ERROR " in line]

    def restart(self, node: Node) -> None:
        node.stop()
        node.start().wait_ready()


def production_env(folder: Path, database_url: str, redis_url: str, public_url: str) -> dict[str, str]:
    """What /etc/balie/balie.env holds on a node (deploy/balie.env.example), with fresh secrets."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "LC_ALL", "HOME", "TMPDIR"}}
    return {
        **keep,
        "BALIE_ENV": "production",
        "BALIE_PROXY_HOPS": "1",
        "BALIE_SECRET_KEY": secrets.token_urlsafe(48),
        "BALIE_DATA_KEYS": new_key_text("k1"),
        "BALIE_AUDIT_KEYS": new_key_text("a1"),
        "BALIE_DATABASE_URL": database_url,
        "BALIE_RATELIMIT_STORAGE_URI": redis_url,
        "BALIE_PUBLIC_BASE_URL": public_url,
        "BALIE_MAIL_DIR": str(folder / "mail"),
        "BALIE_AUDIT_HEAD_FILE": str(folder / "audit-head.json"),
        "BALIE_WORKERS": "2",
        "BALIE_THREADS": "4",
        # Tests type faster than people: the "sent too fast to be a person" check is off, and the
        # per-address registration limit high (the load tests send hundreds from one address).
        # How limits are shared over workers and nodes: test_rate_limits.py.
        "BALIE_SPAM_MIN_SECONDS": "0",
        "BALIE_REGISTRATION_RATE_LIMIT": "100000 per hour",
        "BALIE_REGISTRATION_GLOBAL_LIMIT": "100000 per minute",
    }


def flask_command(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [FLASK, "--app", "wsgi", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def in_process_app(env: dict[str, str], folder: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": env["BALIE_DATABASE_URL"],
            "SECRET_KEY": env["BALIE_SECRET_KEY"],
            "DATA_KEYS": env["BALIE_DATA_KEYS"],
            "AUDIT_KEYS": env["BALIE_AUDIT_KEYS"],
            "AUDIT_HEAD_FILE": str(folder / "in-process-audit-head.json"),
            "SEARCH_INDEX_DIR": str(folder / "in-process-search"),
            "MAIL_DIR": str(folder / "mail"),
        }
    )


@pytest.fixture(scope="session")  # the browser tests run first: one stack for all, not two
def stack(postgres: PostgresServer | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if postgres is None:
        pytest.skip("PostgreSQL tests switched off")
    folder = tmp_path_factory.mktemp("production")
    certificate = tls_certificate(folder / "tls")
    redis = RedisServer(folder / "redis").start()
    nodes: list[Node] = []
    nginx: Nginx | None = None
    try:
        database_url = postgres.url(postgres.create_database())
        a_port, b_port = free_port(), free_port()
        nginx = Nginx(folder / "nginx", certificate, [a_port, b_port])
        env = production_env(folder, database_url, redis.url, nginx.url)
        # Deploying: the schema, reference data and sociale kaart, as the README says.
        flask_command({**env, "BALIE_SEARCH_INDEX_DIR": str(folder / "a" / "search")}, "init")
        nodes = [Node("A", env, folder / "a", a_port).start(), Node("B", env, folder / "b", b_port).start()]
        for node in nodes:
            node.wait_ready()
        nginx.start()
        app = in_process_app(env, folder)
        stack = Stack(
            url=nginx.url,
            host=nginx.host,
            certificate=certificate,
            nginx=nginx,
            nodes=nodes,
            redis=redis,
            postgres=postgres,
            database_url=database_url,
            env=env,
            app=app,
            nurse=make_user(
                app,
                "verpleegkundige@delfland.example",
                [Grant("jgz_staff", organisation_id="940392da-91c8-431a-978d-b8fcb4a95e8d")],
                name="Nina Verpleegkundige",
            ),
            editor=make_user(
                app,
                "redacteur@delft.example",
                [Grant("gemeente_editor", municipality_code=DELFT)],
                totp=False,
                name="Els Redacteur",
            ),
            midwife=make_user(
                app,
                "vera@verloskunde.example",
                [Grant("professional", profession="midwife")],
                totp=False,
                name="Vera Verloskundige",
            ),
        )
        yield stack
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        if nginx is not None:
            nginx.stop()
        for node in nodes:
            node.stop()
        redis.stop()
