"""Password rules per OWASP ASVS 5.0: long enough, not common, not about us. No composition rules."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from balie.domain.errors import DomainError

MIN_LENGTH = 15
MAX_LENGTH = 128
# Words an attacker tries first for this desk; the user's own name and e-mail are added per user.
DESK_WORDS = ("balie", "jgz", "gemeente", "huisbezoek", "consultatiebureau", "wachtwoord", "password")


class PasswordRejected(DomainError):
    code = "password_rejected"


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def context_words(name: str, email: str, extra: Iterable[str] = ()) -> list[str]:
    local = email.partition("@")[0]
    parts = re.split(r"[\s._@-]+", f"{name} {local}")
    return [word for word in (*DESK_WORDS, *parts, local, *extra) if len(word) >= 3]


def _repeated_unit(text: str) -> str:
    """The shortest piece the text is a repetition of ("passwordpassword" → "password")."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def check(password: str, common: frozenset[str], words: Iterable[str] = ()) -> None:
    """Raise PasswordRejected with a code naming the rule; the password itself is never kept."""
    length = len(password)
    if length < MIN_LENGTH:
        raise PasswordRejected("password_too_short")
    if length > MAX_LENGTH:
        raise PasswordRejected("password_too_long")
    folded = _normalise(password)
    core = folded.strip("0123456789!?.")
    if folded in common or core in common or _repeated_unit(core) in common:
        raise PasswordRejected("password_common")
    if len(set(folded)) < 4:
        raise PasswordRejected("password_repetitive")
    # A password that is mostly the user's name, e-mail or this desk's words (once or repeated)
    # is guessable: take every one of them out and see how much is left.
    rest = folded
    for word in sorted((_normalise(w) for w in words), key=len, reverse=True):  # "f.elamrani" before "amrani"
        if word:
            rest = rest.replace(word, "")
    if len(rest) < 8:
        raise PasswordRejected("password_context")
