"""Reference codes a parent can read out on the phone: K7MQ-2QXB.

Neutral on purpose: nothing in the code says what it is for, so a code seen by someone
else (on a screen, in a mail) reveals no pregnancy.
"""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: nothing to confuse when read aloud or written down.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_PATTERN = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def new_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str | None:
    compact = re.sub(r"[\s-]", "", text or "").upper()
    candidate = f"{compact[:4]}-{compact[4:]}"
    return candidate if _PATTERN.match(candidate) else None
