"""Logging in and setting up the authenticator app as use cases, without any view or request (issue 11,
seam 2): a second entry point (a CLI, the coming API) gets the same rules by calling these services.

Each test works in an app context only for the database session; nothing here goes through HTTP.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pyotp
import pytest
from flask import Flask

from balie.crypto import KeyRing, UnreadableData
from balie.extensions import db
from balie.models import User, UserSession
from balie.models.base import utcnow
from balie.services.accounts import authentication, sessions, two_factor
from balie.services.accounts.authentication import CodeStatus, LoginAttempt, NextStep
from balie.services.accounts.lifecycle import Grant
from tests.support.accounts import PASSWORD, make_user

LIFETIME = timedelta(hours=10)
KEYS = KeyRing.parse("k1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=")  # 32 bytes: a ring of this test's own


def code_at(secret: str, now: datetime) -> str:
    return pyotp.TOTP(secret).at(now)


def wrong_code(secret: str, now: datetime) -> str:
    """Six digits that are certainly none of the codes accepted around `now` (one step either side)."""
    accepted = {pyotp.TOTP(secret).at(now + timedelta(seconds=30 * step)) for step in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in itertools.count()) if c not in accepted)


def attempt(email: str, password: str = PASSWORD, **extra: str) -> LoginAttempt:
    return LoginAttempt(email, password, "127.0.0.1", user_agent="Mozilla/5.0 (X11; Linux) Firefox/140.0", **extra)


def new_account(app: Flask, email: str, grants: list[Grant], *, secret: str | None = None) -> str:
    """An account with no authenticator app, or (with `secret`) one set up under this test's key ring."""
    account = make_user(app, email, grants, totp=False)
    if secret is not None:
        with app.app_context(), db.writing():
            user = db.session.get(User, account.id)
            assert user is not None
            earlier = utcnow() - timedelta(minutes=5)  # so every code from now on is still unused
            assert two_factor.enable(db.session, user, secret, code_at(secret, earlier), KEYS, earlier)
            db.session.commit()
    return account.id


# --- the password step: where the login goes next ---------------------------------------------------


def test_a_user_without_a_second_factor_is_logged_in_by_the_password(app: Flask) -> None:
    new_account(app, "vraagbaak@example.org", [Grant("moderator")])
    with app.app_context(), db.writing():
        now = utcnow()
        login = authentication.log_in(db.session, attempt("Vraagbaak@example.org"), KEYS, now, LIFETIME)
        assert login.next_step is NextStep.DONE
        assert login.record is not None and login.token
        assert login.record.mfa_passed and login.record.user.last_login_at == now
        assert login.record.device == "Firefox Linux"
        assert login.record.expires_at == now + LIFETIME
        assert sessions.load(db.session, login.token, now) is login.record


def test_a_user_with_an_authenticator_app_is_asked_for_its_code(app: Flask) -> None:
    secret = pyotp.random_base32()
    new_account(app, "verpleegkundige@example.org", [Grant("moderator")], secret=secret)
    with app.app_context(), db.writing():
        now = utcnow()
        login = authentication.log_in(db.session, attempt("verpleegkundige@example.org"), KEYS, now, LIFETIME)
        assert login.next_step is NextStep.CODE and login.record is not None
        assert not login.record.mfa_passed and login.record.user.last_login_at is None

        outcome = authentication.enter_code(db.session, login.record, code_at(secret, now), KEYS, now)
        assert outcome.status is CodeStatus.OK
        assert login.record.mfa_passed and login.record.user.last_login_at == now
        again = authentication.enter_code(db.session, login.record, code_at(secret, now), KEYS, now)
        assert again.status is CodeStatus.WRONG  # a code works once


def test_a_role_that_needs_a_second_factor_must_set_the_app_up_first(app: Flask) -> None:
    new_account(app, "beheer@example.org", [Grant("admin")])
    with app.app_context(), db.writing():
        login = authentication.log_in(db.session, attempt("beheer@example.org"), KEYS, utcnow(), LIFETIME)
        assert login.next_step is NextStep.ENROL
        assert login.record is not None and not login.record.mfa_passed


def test_a_wrong_password_starts_no_session(app: Flask) -> None:
    account_id = new_account(app, "beheer@example.org", [Grant("admin")])
    with app.app_context(), db.writing():
        now = utcnow()
        login = authentication.log_in(
            db.session, attempt("beheer@example.org", "not the password"), KEYS, now, LIFETIME
        )
        assert login.next_step is NextStep.AGAIN
        assert login.record is None and login.token is None and login.outcome.account_id == account_id
        assert sessions.active(db.session, account_id, now) == []


def test_logging_in_again_in_the_same_browser_replaces_its_session(app: Flask) -> None:
    account_id = new_account(app, "vraagbaak@example.org", [Grant("moderator")])
    with app.app_context(), db.writing():
        now = utcnow()
        first = authentication.log_in(db.session, attempt("vraagbaak@example.org"), KEYS, now, LIFETIME)
        assert first.token is not None and first.record is not None
        second = authentication.log_in(
            db.session, attempt("vraagbaak@example.org", session_token=first.token), KEYS, now, LIFETIME
        )
        assert second.token != first.token
        assert first.record.ended_reason == "replaced"
        assert [s.id for s in sessions.active(db.session, account_id, now)] == [second.record.id]  # type: ignore[union-attr]


def test_too_many_wrong_codes_end_the_login_session(app: Flask) -> None:
    secret = pyotp.random_base32()
    new_account(app, "verpleegkundige@example.org", [Grant("moderator")], secret=secret)
    with app.app_context(), db.writing():
        now = utcnow()
        login = authentication.log_in(db.session, attempt("verpleegkundige@example.org"), KEYS, now, LIFETIME)
        assert login.record is not None
        outcomes = [
            authentication.enter_code(db.session, login.record, wrong_code(secret, now), KEYS, now)
            for _ in range(authentication.MAX_CODE_FAILURES)
        ]
        assert [o.failures for o in outcomes] == list(range(1, authentication.MAX_CODE_FAILURES + 1))
        assert [o.session_ended for o in outcomes] == [False] * (authentication.MAX_CODE_FAILURES - 1) + [True]
        assert sessions.load(db.session, login.token, now) is None  # log in again


# --- setting up the authenticator app on a session ----------------------------------------------------


def _pending_login(app: Flask, email: str) -> tuple[UserSession, datetime]:
    new_account(app, email, [Grant("admin")])
    now = utcnow()
    login = authentication.log_in(db.session, attempt(email), KEYS, now, LIFETIME)
    assert login.record is not None and login.next_step is NextStep.ENROL
    return login.record, now


def test_the_enrolment_secret_stays_the_same_across_visits_and_is_stored_sealed(app: Flask) -> None:
    with app.app_context(), db.writing():
        record, _now = _pending_login(app, "beheer@example.org")
        secret = two_factor.enrolment_secret(record, KEYS)
        assert two_factor.is_enrolling(record)
        assert two_factor.enrolment_secret(record, KEYS) == secret  # a reload shows the same QR code
        assert record.pending_totp_sealed is not None and secret.encode() not in record.pending_totp_sealed
        qr = two_factor.enrolment_qr(secret, "beheer@example.org", "Balie Test")
        assert "<svg" in qr


def test_the_first_right_code_turns_the_app_on_and_completes_the_login(app: Flask) -> None:
    with app.app_context(), db.writing():
        record, now = _pending_login(app, "beheer@example.org")
        secret = two_factor.enrolment_secret(record, KEYS)

        assert authentication.enrol_at_login(db.session, record, wrong_code(secret, now), KEYS, now) is None
        assert not record.mfa_passed and not record.user.has_totp and two_factor.is_enrolling(record)

        codes = authentication.enrol_at_login(db.session, record, code_at(secret, now), KEYS, now)
        assert codes is not None and len(codes) == two_factor.RECOVERY_CODES
        assert record.mfa_passed and record.user.has_totp and not two_factor.is_enrolling(record)
        assert two_factor.remaining_recovery_codes(db.session, record.user) == two_factor.RECOVERY_CODES
        # the next login asks for the code of the app just set up
        later = now + timedelta(seconds=30)
        login = authentication.log_in(db.session, attempt("beheer@example.org"), KEYS, later, LIFETIME)
        assert login.next_step is NextStep.CODE and login.record is not None
        assert authentication.enter_code(db.session, login.record, code_at(secret, later), KEYS, later).status is (
            CodeStatus.OK
        )


def test_starting_again_replaces_the_secret_being_set_up(app: Flask) -> None:
    """The account page: after the password again, a new secret; a code of the old one no longer counts."""
    with app.app_context(), db.writing():
        record, now = _pending_login(app, "beheer@example.org")
        old = two_factor.start_enrolment(record, KEYS)
        new = two_factor.start_enrolment(record, KEYS)
        assert new != old and two_factor.pending_secret(record, KEYS) == new
        if code_at(old, now) != code_at(new, now):  # two random secrets; equal codes would prove nothing
            assert two_factor.confirm_enrolment(db.session, record, code_at(old, now), KEYS, now) is None
        assert two_factor.confirm_enrolment(db.session, record, code_at(new, now), KEYS, now) is not None
        assert record.user.has_totp and not two_factor.is_enrolling(record)
        assert not record.mfa_passed  # turning the app on is not a login


def test_nothing_is_confirmed_when_nothing_is_being_set_up(app: Flask) -> None:
    with app.app_context(), db.writing():
        record, now = _pending_login(app, "beheer@example.org")
        assert two_factor.pending_secret(record, KEYS) is None
        assert two_factor.confirm_enrolment(db.session, record, "123456", KEYS, now) is None
        assert not record.user.has_totp


def test_a_secret_being_set_up_belongs_to_its_session(app: Flask) -> None:
    """Sealed with the session's id bound in: copied onto another session it does not open."""
    with app.app_context(), db.writing():
        record, now = _pending_login(app, "beheer@example.org")
        two_factor.start_enrolment(record, KEYS)
        _token, other = sessions.start(db.session, record.user, "browser", now, LIFETIME)
        other.pending_totp_sealed = record.pending_totp_sealed
        with pytest.raises(UnreadableData):
            two_factor.pending_secret(other, KEYS)


def test_the_e_mail_address_is_filled_in_only_for_an_active_account(app: Flask) -> None:
    account_id = new_account(app, "vraagbaak@example.org", [Grant("moderator")])
    with app.app_context(), db.writing():
        assert authentication.known_email(db.session, account_id) == "vraagbaak@example.org"
        assert authentication.known_email(db.session, None) is None
        user = db.session.get(User, account_id)
        assert user is not None
        user.is_active = False
        assert authentication.known_email(db.session, account_id) is None
