"""Spam protection without third parties: a honeypot and a signed, time-stamped form token.

The timing token is signed with the app's secret and bound to the form's submission token,
so it cannot be reused for another submission or forged. A submission faster than a person
can type, or with the honeypot filled, is not stored; a stale token (older than a day)
re-shows the form with the input kept, never a silent drop and never a fake thank-you.
"""

from __future__ import annotations

import enum
import secrets
import time

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "balie.registration-form"


class Verdict(enum.Enum):
    OK = "ok"
    TOO_FAST = "too_fast"
    HONEYPOT = "honeypot"
    STALE = "stale"
    TAMPERED = "tampered"


class FormGuard:
    def __init__(self, secret: str, min_seconds: float, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self.min_seconds = min_seconds
        self.max_age_seconds = max_age_seconds

    @staticmethod
    def new_submission_token() -> str:
        return secrets.token_urlsafe(24)

    def timing_token(self, submission_token: str) -> str:
        return self._serializer.dumps(submission_token)

    def check(self, submission_token: str, timing_token: str, honeypot: str) -> Verdict:
        if honeypot:
            return Verdict.HONEYPOT
        try:
            bound, issued = self._serializer.loads(
                timing_token or "", max_age=self.max_age_seconds, return_timestamp=True
            )
        except SignatureExpired:
            return Verdict.STALE
        except BadSignature:
            return Verdict.TAMPERED
        if not submission_token or bound != submission_token:
            return Verdict.TAMPERED
        if time.time() - issued.timestamp() < self.min_seconds:
            return Verdict.TOO_FAST
        return Verdict.OK
