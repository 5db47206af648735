"""Phone numbers and e-mail addresses: every way a parent writes a real number works, nonsense does not."""

from __future__ import annotations

import pytest

from balie.domain.contact import (
    MAX_EMAIL_CHARS,
    InvalidEmail,
    InvalidPhone,
    display_phone,
    normalise_email,
    normalise_phone,
)


@pytest.mark.parametrize(
    "typed",
    [
        "0612345678",
        "06 12345678",
        "06-12345678",
        "06 12 34 56 78",
        "(06) 12345678",
        " 06 12345678 ",
        "+31612345678",
        "+31 6 12345678",
        "+31 (0)6 12345678",
        "0031612345678",
        "0031 6 1234 5678",
    ],
)
def test_dutch_mobile_in_any_notation_is_one_number(typed: str) -> None:
    assert normalise_phone(typed) == "+31612345678"


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("015 212 34 56", "+31152123456"),  # Delft
        ("(015) 2123456", "+31152123456"),
        ("015-2123456", "+31152123456"),
        ("070 123 4567", "+31701234567"),  # Den Haag
        ("+31 70 123 4567", "+31701234567"),
        ("0031 70 1234567", "+31701234567"),
        ("088 000 00 01", "+31880000001"),
    ],
)
def test_dutch_landlines_are_accepted(typed: str, e164: str) -> None:
    assert normalise_phone(typed) == e164


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+32 470 12 34 56", "+32470123456"),  # Belgium
        ("0032 470 12 34 56", "+32470123456"),
        ("+48 512 345 678", "+48512345678"),  # Poland
        ("0048512345678", "+48512345678"),
        ("+90 532 123 45 67", "+905321234567"),  # Turkey
        ("+90 (532) 123-45-67", "+905321234567"),
    ],
)
def test_foreign_numbers_with_country_code_are_accepted(typed: str, e164: str) -> None:
    assert normalise_phone(typed) == e164


def test_a_number_without_country_code_is_read_as_dutch() -> None:
    # 0470… is not a valid Dutch number, so a Belgian mobile needs its +32.
    with pytest.raises(InvalidPhone):
        normalise_phone("0470 12 34 56")


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "12345",
        "06 1234",
        "06 123456789",  # one digit too many
        "+31 6 1234567890",
        "abc",
        "06-CALL-ME",
        "+999 123456",  # no such country code
        "+",
        "00",
        "0000000000",
        "+32 12",
        "1" * 40,  # longer than anyone's number
        "06 12345678 " + "0" * 30,  # a long tail after a real number
    ],
)
def test_invalid_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidPhone) as raised:
        normalise_phone(typed)

    assert raised.value.code == "phone_format"


def test_none_is_refused() -> None:
    with pytest.raises(InvalidPhone):
        normalise_phone(None)  # type: ignore[arg-type]


def test_phone_error_does_not_repeat_the_number() -> None:
    with pytest.raises(InvalidPhone) as raised:
        normalise_phone("06 9876")

    assert "9876" not in str(raised.value)


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+31612345678", "06 12345678"),
        ("+31152123456", "015 212 3456"),
        ("+31701234567", "070 123 4567"),
        ("+32470123456", "+32 470 12 34 56"),
        ("+48512345678", "+48 512 345 678"),
        ("+905321234567", "+90 532 123 45 67"),
    ],
)
def test_display_phone_dutch_nationally_foreign_internationally(e164: str, shown: str) -> None:
    assert display_phone(e164) == shown


def test_display_phone_round_trips_through_normalise() -> None:
    for typed in ("06 12345678", "+32 470 12 34 56", "070 123 4567", "+90 532 123 45 67"):
        shown = display_phone(normalise_phone(typed))
        assert normalise_phone(shown) == normalise_phone(typed)


def test_display_phone_shows_unparseable_text_unchanged() -> None:
    # Old or damaged values are shown as they are rather than crashing the inbox.
    assert display_phone("not a number") == "not a number"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sam@example.com", "sam@example.com"),
        ("  sam@example.com  ", "sam@example.com"),
        ("sam@EXAMPLE.COM", "sam@example.com"),  # the domain is case-insensitive
        ("Sam.Jansen+jgz@Example.NL", "Sam.Jansen+jgz@example.nl"),  # the local part is kept as typed
        ("fatma.yılmaz@example.com", "fatma.yılmaz@example.com"),
        ("sam@bücher.example", "sam@bücher.example"),
    ],
)
def test_email_is_normalised(typed: str, stored: str) -> None:
    assert normalise_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "sam",
        "sam@",
        "@example.com",
        "sam@example",
        "sam@@example.com",
        "a@b@example.com",
        "sam@exa mple.com",
        "sam @example.com",
        "sam@example..com",
        ".sam@example.com",
        "sam@example.com\nBcc: x@example.org",
        "<sam@example.com>",
        "Sam <sam@example.com>",
        "x" * (MAX_EMAIL_CHARS - len("@example.com") + 1) + "@example.com",
    ],
)
def test_invalid_email_is_refused(typed: str) -> None:
    with pytest.raises(InvalidEmail) as raised:
        normalise_email(typed)

    assert raised.value.code == "email_format"


def test_email_error_does_not_repeat_the_address() -> None:
    with pytest.raises(InvalidEmail) as raised:
        normalise_email("zzsecret@")

    assert "zzsecret" not in str(raised.value)
