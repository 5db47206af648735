"""Phone numbers (Dutch and foreign) and e-mail addresses, validated by well-kept libraries."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from balie.domain.errors import DomainError

MAX_PHONE_CHARS = 32
MAX_EMAIL_CHARS = 254


class InvalidPhone(DomainError):
    code = "phone_format"


class InvalidEmail(DomainError):
    code = "email_format"


def normalise_phone(text: str, default_region: str = "NL") -> str:
    """Return the number in E.164 (+31612345678); a number without +country is Dutch."""
    text = (text or "").strip()
    if not text or len(text) > MAX_PHONE_CHARS:
        raise InvalidPhone()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone() from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """Dutch numbers as 06 12345678, foreign ones in international form."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 31
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def normalise_email(text: str) -> str:
    text = (text or "").strip()
    if not text or len(text) > MAX_EMAIL_CHARS:
        raise InvalidEmail()
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidEmail() from None
    return result.normalized
