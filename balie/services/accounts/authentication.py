"""Checking a login, with lock-outs that slow an attacker down but cannot keep the owner out.

Failures are counted in three ways, each under a hash (known and unknown e-mail addresses
alike, so the counts reveal no accounts):

- per *pair* of e-mail address and client address (an IPv6 client counts as its /64): after
  five failures that client address is locked for that account, 1 minute doubling to 1 hour,
  and no password is hashed while the lock holds. Logins from other addresses go on as usual.
- per *account*, over all client addresses: from 20 failures (forgotten after a day without
  any) the account is under attack. A password alone is then never enough and never shows
  whether it was right: password and authenticator code are checked together in one step,
  and only both right let her in. Guessing both at once is hopeless, so the owner always gets
  in. An account without an authenticator app gets in after a completed password reset.
- wrong authenticator codes per account, only ever from someone who gave the right password.

A completed password reset clears all three for that account.

After the password, `log_in` starts a new server-side session and says where the login goes on
(`NextStep`): the authenticator code, setting up the app (a role that needs a second factor), or
done. `enter_code` and `enrol_at_login` are that second step; each completes the login itself.
"""

from __future__ import annotations

import enum
import hashlib
import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from balie.crypto import KeyRing
from balie.domain import roles
from balie.models import LoginThrottle, User, UserSession
from balie.services.accounts import passwords, sessions, two_factor

LOCK_AFTER_FAILURES = 5  # per pair of e-mail address and client address
UNDER_ATTACK_AFTER_FAILURES = 20  # per account, over all client addresses
MFA_LOCK_AFTER_FAILURES = 10  # wrong codes per account
MAX_CODE_FAILURES = 5  # wrong codes in one login session: that session ends, log in again
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
FORGET_AFTER = timedelta(days=1)


class LoginStatus(enum.Enum):
    OK = "ok"
    INVALID = "invalid"  # wrong e-mail, password or code, or a disabled account: one message for all
    LOCKED = "locked"  # this client address is locked for this e-mail address: nothing was checked
    CODE_NEEDED = "code_needed"  # under attack and no code given: nothing was checked


class CodeStatus(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


class NextStep(enum.Enum):
    """Where a login goes after the password."""

    AGAIN = "again"  # refused: the login form again
    CODE = "code"  # the code from the authenticator app
    ENROL = "enrol"  # set up the authenticator app first: a role that needs a second factor
    DONE = "done"  # logged in


@dataclass(frozen=True)
class LoginAttempt:
    email: str
    password: str = field(repr=False)
    client_address: str | None
    code: str = field(default="", repr=False)  # only read while the account is under attack
    user_agent: str = ""  # names the new session coarsely ("Firefox Linux") in the user's session list
    session_token: str | None = field(default=None, repr=False)  # the browser's session so far: replaced


@dataclass(frozen=True)
class LoginOutcome:
    status: LoginStatus
    user: User | None = None  # only when the login succeeded
    account_id: str | None = None  # the account of the e-mail address, if any: for the security log only
    under_attack: bool = False  # the login form asks for password and code together
    lock_started: bool = False  # this failure locked the client address for this account
    attack_started: bool = False  # this failure put the account under attack

    @property
    def both_factors_checked(self) -> bool:
        return self.status is LoginStatus.OK and self.under_attack


@dataclass(frozen=True)
class Login:
    """A login after its first step: a new session unless refused, and where it goes on."""

    outcome: LoginOutcome
    next_step: NextStep
    token: str | None = field(default=None, repr=False)  # the new session's cookie token
    record: UserSession | None = None  # the new session


@dataclass(frozen=True)
class CodeOutcome:
    """The second step of a login: the code, and what it did to the login session."""

    status: CodeStatus
    failures: int = 0  # wrong codes in this login session so far
    session_ended: bool = False  # too many wrong codes: the session ended, log in again


def normalise_email(email: str) -> str:
    return (email or "").strip().casefold()


def throttle_key(email: str) -> str:
    """The account's key: all failures for this e-mail address, from anywhere."""
    return hashlib.sha256(("login:" + normalise_email(email)).encode("utf-8")).hexdigest()


def client_network(address: str | None) -> str:
    """What a client address counts as: an IPv4 address, or the /64 an IPv6 client gets whole."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return (address or "").strip()[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def pair_key(email: str, address: str | None) -> str:
    joined = f"pair:{normalise_email(email)}\n{client_network(address)}"
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def mfa_key(user_id: str) -> str:
    """Wrong second-factor codes count per account, over all its login attempts."""
    return hashlib.sha256(f"mfa:{user_id}".encode()).hexdigest()


def lock_duration(failures: int) -> timedelta:
    steps = max(failures - LOCK_AFTER_FAILURES, 0)
    return min(FIRST_LOCK * (2**steps), LONGEST_LOCK)


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def _fresh(throttle: LoginThrottle | None, now: datetime) -> LoginThrottle | None:
    """A count is forgotten a day after its last failure."""
    return throttle if throttle is not None and throttle.updated_at >= now - FORGET_AFTER else None


def is_locked(session: Session, key: str, now: datetime) -> bool:
    throttle = session.get(LoginThrottle, key)
    return throttle is not None and throttle.locked_until is not None and throttle.locked_until > now


def is_under_attack(session: Session, account_key: str, now: datetime) -> bool:
    throttle = _fresh(session.get(LoginThrottle, account_key), now)
    return throttle is not None and throttle.failures >= UNDER_ATTACK_AFTER_FAILURES


def _locked_row(session: Session, key: str, account_key: str | None, now: datetime) -> LoginThrottle:
    """The row for `key`, created if need be and locked until the commit, so that concurrent
    failures (several app nodes on PostgreSQL) are all counted and never collide on insert."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(LoginThrottle)
        .values(key_hash=key, account_key=account_key, failures=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["key_hash"])
    )
    throttle = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    if throttle is None:  # pragma: no cover - inserted just before, in this transaction
        raise RuntimeError("login throttle row vanished inside its transaction")
    return throttle


def record_failure(
    session: Session,
    key: str,
    now: datetime,
    lock_after: int | None = LOCK_AFTER_FAILURES,
    account_key: str | None = None,
) -> int:
    """Count one failure; from `lock_after` failures on, lock with back-off. Returns the count."""
    throttle = _locked_row(session, key, account_key, now)
    if _fresh(throttle, now) is None:
        throttle.failures, throttle.locked_until = 0, None
    throttle.failures += 1
    throttle.updated_at = now
    if lock_after is not None and throttle.failures >= lock_after:
        throttle.locked_until = now + lock_duration(throttle.failures - lock_after + LOCK_AFTER_FAILURES)
    session.flush()
    return throttle.failures


def clear_failures(session: Session, key: str) -> None:
    throttle = session.get(LoginThrottle, key)
    if throttle is not None:
        session.delete(throttle)


def clear_account(session: Session, user: User) -> None:
    """After a completed password reset: the account, every pair of it and its wrong codes."""
    account = throttle_key(user.email)
    session.execute(
        delete(LoginThrottle).where(
            or_(LoginThrottle.account_key == account, LoginThrottle.key_hash.in_((account, mfa_key(user.id))))
        )
    )


def _settle_code(session: Session, user: User, found: two_factor.CodeMatch | None, now: datetime) -> CodeStatus:
    """Someone who gave the right password gave this code: wrong codes count per account."""
    key = mfa_key(user.id)
    if is_locked(session, key, now):
        return CodeStatus.LOCKED
    if found is None:
        record_failure(session, key, now, MFA_LOCK_AFTER_FAILURES)
        return CodeStatus.WRONG
    found.use(user, now)
    clear_failures(session, key)
    return CodeStatus.OK


def check_code(session: Session, user: User, code: str, keys: KeyRing, now: datetime) -> CodeStatus:
    """The second step of a login, reached only with the right password."""
    if is_locked(session, mfa_key(user.id), now):
        return CodeStatus.LOCKED  # nothing checked while locked
    return _settle_code(session, user, two_factor.match(session, user, code, keys, now), now)


def _password_and_code(
    session: Session, user: User | None, password_ok: bool, code: str, keys: KeyRing, now: datetime
) -> bool:
    """Under attack: both are checked whatever the password was, so neither the answer nor the
    time it takes shows whether the password was right."""
    found = two_factor.match(session, user, code, keys, now) if user is not None else None
    if not password_ok or user is None or not user.has_totp:
        return False  # no authenticator app: only a password reset lets her in now
    return _settle_code(session, user, found, now) is CodeStatus.OK


def check_login(session: Session, attempt: LoginAttempt, keys: KeyRing, now: datetime) -> LoginOutcome:
    account, pair = throttle_key(attempt.email), pair_key(attempt.email, attempt.client_address)
    user = user_by_email(session, attempt.email)
    known = user.id if user is not None else None
    under_attack = is_under_attack(session, account, now)
    if is_locked(session, pair, now):
        return LoginOutcome(LoginStatus.LOCKED, account_id=known, under_attack=under_attack)  # no hash computed
    if under_attack and not attempt.code.strip():
        return LoginOutcome(LoginStatus.CODE_NEEDED, account_id=known, under_attack=True)  # no hash computed
    usable = user is not None and user.is_active and user.password_hash is not None
    password_ok = passwords.verify(user.password_hash if usable and user else None, attempt.password) and usable
    if under_attack:
        accepted = _password_and_code(session, user, password_ok, attempt.code, keys, now)
    else:
        accepted = password_ok
    if accepted and user is not None:
        clear_failures(session, pair)
        if passwords.needs_rehash(user.password_hash or ""):
            user.password_hash = passwords.hash_password(attempt.password)
        return LoginOutcome(LoginStatus.OK, user, known, under_attack)
    pair_failures = record_failure(session, pair, now, LOCK_AFTER_FAILURES, account_key=account)
    account_failures = record_failure(session, account, now, None, account_key=account)
    return LoginOutcome(
        LoginStatus.INVALID,
        account_id=known,
        under_attack=account_failures >= UNDER_ATTACK_AFTER_FAILURES,
        lock_started=pair_failures >= LOCK_AFTER_FAILURES,
        attack_started=account_failures == UNDER_ATTACK_AFTER_FAILURES,
    )


def complete_login(record: UserSession, now: datetime) -> None:
    """Both factors given (or none needed): the session is logged in."""
    record.mfa_passed = True
    record.pending_totp_sealed = None
    record.user.last_login_at = now


def _next_step(outcome: LoginOutcome) -> NextStep:
    user = outcome.user
    if user is None:
        return NextStep.AGAIN
    if outcome.both_factors_checked:
        return NextStep.DONE
    if user.has_totp:
        return NextStep.CODE
    if roles.needs_second_factor(grant.role for grant in user.roles):
        return NextStep.ENROL
    return NextStep.DONE


def log_in(session: Session, attempt: LoginAttempt, keys: KeyRing, now: datetime, lifetime: timedelta) -> Login:
    """The password step. Accepted, it starts a new session (a new id at every login, the browser's
    old one ends) that lasts `lifetime`, and completes the login where no second step follows."""
    outcome = check_login(session, attempt, keys, now)
    step = _next_step(outcome)
    if outcome.user is None:
        return Login(outcome, step)
    device = sessions.device_label(attempt.user_agent)
    token, record = sessions.replace(session, attempt.session_token, outcome.user, device, now, lifetime)
    if step is NextStep.DONE:
        complete_login(record, now)
    return Login(outcome, step, token, record)


def enter_code(session: Session, record: UserSession, code: str, keys: KeyRing, now: datetime) -> CodeOutcome:
    """The second step of a login on `record`: the right code completes it; wrong codes count per
    account (`MFA_LOCK_AFTER_FAILURES`) and per session, which ends after `MAX_CODE_FAILURES`."""
    status = check_code(session, record.user, code, keys, now)
    if status is CodeStatus.OK:
        complete_login(record, now)
    if status is not CodeStatus.WRONG:
        return CodeOutcome(status)
    record.mfa_failures += 1
    ended = record.mfa_failures >= MAX_CODE_FAILURES
    if ended:
        sessions.end(record, "mfa_failures", now)
    return CodeOutcome(status, record.mfa_failures, ended)


def enrol_at_login(session: Session, record: UserSession, code: str, keys: KeyRing, now: datetime) -> list[str] | None:
    """The second step of a login that must set up the authenticator app: the first code confirms
    the app and completes the login. Returns the recovery codes to show once; None if the code is wrong."""
    codes = two_factor.confirm_enrolment(session, record, code, keys, now)
    if codes is not None:
        complete_login(record, now)
    return codes


def known_email(session: Session, user_id: object) -> str | None:
    """The e-mail address of an active account, to fill in on the login form after its owner set a password."""
    user = session.get(User, user_id) if isinstance(user_id, str) else None
    return user.email if user is not None and user.is_active else None


def forget_old_throttles(session: Session, now: datetime) -> int:
    result = session.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < now - FORGET_AFTER))
    return result.rowcount or 0  # type: ignore[attr-defined]
