"""Dutch postcodes (1234 AB) and house numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from balie.domain.errors import DomainError

_POSTCODE = re.compile(r"^([1-9][0-9]{3})([A-Z]{2})$")
_PC4 = re.compile(r"^[1-9][0-9]{3}$")
_HOUSE_NUMBER = re.compile(r"^[1-9][0-9]{0,4}$")
_ADDITION = re.compile(r"^[A-Z0-9]{1,6}$")
# PostNL never issues these letter pairs.
_UNUSED_LETTERS = frozenset({"SA", "SD", "SS"})
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f-]+")


class InvalidPostcode(DomainError):
    code = "postcode_format"


class InvalidHouseNumber(DomainError):
    code = "house_number_format"


@dataclass(frozen=True)
class Postcode:
    digits: str
    letters: str

    @classmethod
    def parse(cls, text: str) -> Postcode:
        compact = _SPACES.sub("", text or "").upper()
        match = _POSTCODE.match(compact)
        if not match or match.group(2) in _UNUSED_LETTERS:
            raise InvalidPostcode()
        return cls(match.group(1), match.group(2))

    @property
    def pc4(self) -> str:
        return self.digits

    def __str__(self) -> str:
        return f"{self.digits} {self.letters}"

    def __repr__(self) -> str:  # a full postcode is personal data together with a number
        return "Postcode(…)"


def parse_pc4(text: str) -> str:
    """Four digits, for searches that do not need the full postcode."""
    compact = _SPACES.sub("", text or "").upper()[:4]
    if not _PC4.match(compact):
        raise InvalidPostcode()
    return compact


@dataclass(frozen=True)
class HouseNumber:
    number: str
    addition: str = ""

    @classmethod
    def parse(cls, number: str, addition: str = "") -> HouseNumber:
        number = (number or "").strip()
        addition = _SPACES.sub("", addition or "").upper()
        if not _HOUSE_NUMBER.match(number):
            raise InvalidHouseNumber("house_number_format")
        if addition and not _ADDITION.match(addition):
            raise InvalidHouseNumber("house_number_addition_format")
        return cls(number, addition)

    def __str__(self) -> str:
        return f"{self.number} {self.addition}".strip()

    def __repr__(self) -> str:
        return "HouseNumber(…)"
