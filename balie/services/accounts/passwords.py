"""Password hashing (argon2id, RFC 9106 low-memory profile) and the common-password list."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from balie.domain import password_policy

_HASHER = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4
# Verified against for unknown accounts, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("balie-dummy-password-for-timing")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (shipped with zxcvbn, offline)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


def check_policy(password: str, name: str, email: str, extra_words: tuple[str, ...] = ()) -> None:
    password_policy.check(password, common_passwords(), password_policy.context_words(name, email, extra_words))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not an account exists (a dummy hash when there is none)."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
