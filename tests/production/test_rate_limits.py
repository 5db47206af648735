"""Rate limits that mean what they say, over several workers and nodes: with the limits counted in
Redis, "5 registrations per hour from one address" lets exactly 5 through, however the requests
are spread over 2 nodes × 2 gunicorn workers. (With memory:// each process counted on its own:
40 an hour became 80 with 2 workers. Production now refuses memory://.)

And when Redis goes down, registering still works: each process then counts on its own until
Redis is back, and the node logs a security event saying so.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from balie.crypto import new_key_text
from tests.production.servers import Node, NodeClient, RedisServer, wait_until
from tests.support.databases import copy_sqlite, free_port
from tests.support.pages import Page
from tests.support.registration import answers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("production")]  # one stack, one worker

LIMIT = 5
HOST = "balie.test"


@dataclass
class Limited:
    nodes: list[Node]
    redis: RedisServer


@pytest.fixture(scope="module")
def limited(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Limited]:
    """Two nodes (2 workers each) on one SQLite database, production mode, limits in Redis."""
    folder = tmp_path_factory.mktemp("rate-limits")
    redis = RedisServer(folder / "redis").start()
    env = {
        "PATH": "/usr/bin:/bin",
        "BALIE_ENV": "production",
        "BALIE_PROXY_HOPS": "1",
        "BALIE_SECRET_KEY": secrets.token_urlsafe(48),
        "BALIE_DATA_KEYS": new_key_text("k1"),
        "BALIE_AUDIT_KEYS": new_key_text("a1"),
        "BALIE_AUDIT_HEAD_FILE": str(folder / "audit-head.json"),
        "BALIE_DATABASE_URL": copy_sqlite(sqlite_template_path, folder / "balie.sqlite3"),
        "BALIE_RATELIMIT_STORAGE_URI": redis.url,
        "BALIE_REGISTRATION_RATE_LIMIT": f"{LIMIT} per hour",
        "BALIE_SPAM_MIN_SECONDS": "0",
        "BALIE_MAIL_DIR": str(folder / "mail"),
        "BALIE_PUBLIC_BASE_URL": f"https://{HOST}",
        "BALIE_WORKERS": "2",
        "BALIE_THREADS": "4",
    }
    nodes = [Node(name, env, folder / name, free_port()).start() for name in ("A", "B")]
    try:
        for node in nodes:
            node.wait_ready()
        yield Limited(nodes, redis)
    finally:
        for node in nodes:
            node.stop()
        redis.stop()


def send_registration(node: Node, address: str) -> int:
    """One parent's form and "send", on a new connection each time (so it may land on any worker)."""
    client = NodeClient(node, HOST, address)
    form = Page.of(client.get("/aanmelden"))
    tokens = {k: form.hidden(k) for k in ("csrf_token", "submission_token", "started")}
    return client.post("/aanmelden/versturen", {**tokens, **answers(), "send": "1"}).status_code


def test_the_configured_number_is_the_number_accepted_over_workers_and_nodes(limited: Limited) -> None:
    address = "198.51.100.7"
    statuses = [send_registration(limited.nodes[n % 2], address) for n in range(3 * LIMIT)]
    assert statuses.count(303) == LIMIT, statuses
    assert statuses.count(429) == 2 * LIMIT, statuses
    assert statuses[:LIMIT] == [303] * LIMIT
    # Another address has its own count.
    assert send_registration(limited.nodes[0], "198.51.100.8") == 303


def security_events(node: Node, name: str) -> list[dict[str, object]]:
    events = []
    for line in node.log().splitlines():
        if f'"event": "{name}"' in line:
            events.append(json.loads(line[line.index("{") :]))
    return events


def test_registering_works_while_redis_is_down_and_the_node_says_so(limited: Limited) -> None:
    node = limited.nodes[1]
    limited.redis.stop()
    try:
        status = send_registration(node, "198.51.100.9")
        assert status == 303, "a parent can still register"
        down = wait_until(lambda: security_events(node, "ratelimit_storage_down"), "a security event", timeout=60)
        assert down[0]["fallback"] == "per-process memory"
        # Still limited meanwhile, per process: never more than LIMIT per worker (2 workers).
        statuses = [send_registration(node, "198.51.100.10") for _ in range(2 * LIMIT + 2)]
        assert 2 <= statuses.count(429) and statuses.count(303) <= 2 * LIMIT, statuses
    finally:
        limited.redis.start()
