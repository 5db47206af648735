"""Where a user-supplied "go back to" target may send the browser: a path on this site, nothing else.

Every view that redirects to a target from the request (login's ``next``, the language switch,
the vraagbaak's follow form) passes it through :func:`safe_next`. Pure Python, no Flask, so any
blueprint can import it without importing another blueprint's views.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

# Unicode's line and paragraph separators end a header line for some parsers; control characters
# (C0, DEL, C1) give a 500 in the Location header, or are dropped by browsers ("/\t/evil" is "//evil").
_LINE_BREAKING = {"\u2028", "\u2029"}


def _has_control_character(target: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" or ch in _LINE_BREAKING for ch in target)


def is_local_path(target: str) -> bool:
    """True for a path on this site ("/inbox?page=2"); False for anything a browser could read as another site."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False  # also refuses leading whitespace, "//evil", "/\\evil" and relative targets
    if _has_control_character(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    """The target when it is a path on this site, else the default: never an open redirect or a broken header."""
    return target if target and is_local_path(target) else default
