"""The security log: one JSON object per line, named with the OWASP Logging Vocabulary.

authn_login_success, authn_login_fail, authn_login_lock, authn_login_fail_max, authn_mfa_fail, authn_mfa_enabled,
authn_password_change, session_created, session_expired, session_end, authz_fail,
input_validation_fail, … Never personal values of parents, never passwords, codes or tokens.
"""

from __future__ import annotations

import json
import logging
from typing import ClassVar

from flask import has_request_context, request

log = logging.getLogger("balie.security")


def event(name: str, **fields: object) -> None:
    record: dict[str, object] = {"event": name}
    if has_request_context():
        record["ip"] = request.remote_addr
        record["path"] = request.path[:120]
    record.update({key: value for key, value in fields.items() if value is not None})
    log.warning(json.dumps(record, ensure_ascii=True, default=str))


class RateLimitStorageWatch(logging.Handler):
    """Turns Flask-Limiter's notes about its storage into security events: when the shared
    storage (Redis) is unreachable each process counts on its own, which an operator must know."""

    EVENTS: ClassVar[dict[str, str]] = {
        "Rate limit storage unreachable": "ratelimit_storage_down",
        "Rate limit storage recovered": "ratelimit_storage_recovered",
    }

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        for start, name in self.EVENTS.items():
            if message.startswith(start):
                event(name, fallback="per-process memory" if name.endswith("down") else None)


def watch_rate_limit_storage() -> None:
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(h, RateLimitStorageWatch) for h in limiter_log.handlers):
        limiter_log.addHandler(RateLimitStorageWatch(level=logging.INFO))
        if limiter_log.level == logging.NOTSET or limiter_log.level > logging.INFO:
            limiter_log.setLevel(logging.INFO)  # "recovered" is an info note
