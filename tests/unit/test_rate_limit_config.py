"""Rate limits that mean what they say: production refuses per-process counting (memory://),
and a shared storage that goes down is reported as a security event while limits fall back.

The limit counted across 2 gunicorn workers on Redis: tests/production/test_rate_limits.py.
"""

from __future__ import annotations

import base64
import logging

import pytest

from balie import create_app, security_log
from balie.config import ConfigError

PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": "a-production-secret-key-of-more-than-32-bytes-0123456789",
    "DATA_KEYS": "k1:" + base64.b64encode(bytes(range(32))).decode(),
    "AUDIT_KEYS": "a1:" + base64.b64encode(bytes(range(32, 64))).decode(),
    "DATABASE_URL": "sqlite://",
    "PUBLIC_BASE_URL": "https://balie.voorbeeldregio.example",
}


def test_production_refuses_memory_storage_with_a_message_that_says_why() -> None:
    with pytest.raises(
        ConfigError, match=r"BALIE_RATELIMIT_STORAGE_URI=redis://.*several gunicorn workers or app nodes"
    ):
        create_app({**PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://"})


def test_production_starts_with_redis_storage() -> None:
    app = create_app({**PRODUCTION, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    assert app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True


def test_development_may_count_in_memory() -> None:
    assert create_app({"DATABASE_URL": "sqlite://"}).config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_an_unreachable_storage_and_its_recovery_are_security_events(caplog: pytest.LogCaptureFixture) -> None:
    security_log.watch_rate_limit_storage()
    limiter_log = logging.getLogger("flask-limiter")
    with caplog.at_level(logging.INFO, logger="balie.security"):
        limiter_log.warning("Rate limit storage unreachable - falling back to in-memory storage")
        limiter_log.info("Rate limit storage recovered")
    events = [r.getMessage() for r in caplog.records if r.name == "balie.security"]
    assert any('"event": "ratelimit_storage_down"' in e and "per-process memory" in e for e in events)
    assert any('"event": "ratelimit_storage_recovered"' in e for e in events)
