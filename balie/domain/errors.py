"""Domain errors carry a code; the web layer turns the code into a message in the user's language."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. ``code`` names the rule; no personal values are in the message."""

    code = "invalid"

    def __init__(self, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        super().__init__(self.code)
