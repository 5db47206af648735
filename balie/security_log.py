"""The security log: one JSON object per line, named with the OWASP Logging Vocabulary.

authn_login_success, authn_login_fail, authn_login_lock, authn_login_fail_max, authn_mfa_fail, authn_mfa_enabled,
authn_password_change, session_created, session_expired, session_end, authz_fail,
input_validation_fail, … Never personal values of parents, never passwords, codes or tokens.
"""

from __future__ import annotations

import json
import logging

from flask import has_request_context, request

log = logging.getLogger("balie.security")


def event(name: str, **fields: object) -> None:
    record: dict[str, object] = {"event": name}
    if has_request_context():
        record["ip"] = request.remote_addr
        record["path"] = request.path[:120]
    record.update({key: value for key, value in fields.items() if value is not None})
    log.warning(json.dumps(record, ensure_ascii=True, default=str))
