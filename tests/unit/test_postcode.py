"""Postcodes and house numbers as a parent types them: spacing and case do not matter, nonsense is refused."""

from __future__ import annotations

import pytest

from balie.domain.postcode import (
    HouseNumber,
    InvalidHouseNumber,
    InvalidPostcode,
    Postcode,
    parse_pc4,
)


@pytest.mark.parametrize(
    "typed",
    [
        "2611AB",
        "2611 AB",
        "2611 ab",
        "2611ab",
        "2611\u00a0AB",  # no-break space, as pasted from a web page or a PDF
        "  2611   AB  ",
        "2611\tAB",
        "2611-AB",
        "2611\u202fAB",  # narrow no-break space
    ],
)
def test_valid_postcode_notations_give_the_same_postcode(typed: str) -> None:
    postcode = Postcode.parse(typed)

    assert postcode == Postcode("2611", "AB")
    assert str(postcode) == "2611 AB"
    assert postcode.pc4 == "2611"


@pytest.mark.parametrize(
    "typed",
    [
        "0123 AB",  # a Dutch postcode never starts with 0
        "1234 SA",  # letter pairs PostNL never issues
        "1234 SD",
        "1234 SS",
        "1234 sa",
        "12345",
        "",
        "   ",
        "ABCD EF",
        "2611",
        "2611 A",
        "2611 ABC",
        "261 AB",
        "26111 AB",
        "2611 A1",
        "2611 ÄB",
        "２６１１ AB",  # full-width digits
        "2611 AB 12",
    ],
)
def test_invalid_postcodes_are_refused(typed: str) -> None:
    with pytest.raises(InvalidPostcode) as raised:
        Postcode.parse(typed)

    assert raised.value.code == "postcode_format"


def test_none_is_refused_like_an_empty_field() -> None:
    with pytest.raises(InvalidPostcode):
        Postcode.parse(None)  # type: ignore[arg-type]


def test_postcode_error_message_does_not_repeat_the_input() -> None:
    with pytest.raises(InvalidPostcode) as raised:
        Postcode.parse("9999 SS")

    assert "9999" not in str(raised.value)
    assert "SS" not in str(raised.value)


def test_postcode_repr_never_shows_the_value() -> None:
    postcode = Postcode.parse("2611 AB")

    for text in (repr(postcode), repr([postcode]), repr({"p": postcode})):
        assert "2611" not in text
        assert "AB" not in text


@pytest.mark.parametrize(
    ("typed", "pc4"),
    [("2611", "2611"), ("2611 AB", "2611"), ("2611ab", "2611"), (" 9999 ", "9999"), ("26 11", "2611")],
)
def test_pc4_search_accepts_four_digits_with_or_without_letters(typed: str, pc4: str) -> None:
    assert parse_pc4(typed) == pc4


@pytest.mark.parametrize("typed", ["", "0123", "261", "ABCD", "26A1", "２６１１"])
def test_pc4_search_refuses_what_is_not_four_digits(typed: str) -> None:
    with pytest.raises(InvalidPostcode):
        parse_pc4(typed)


@pytest.mark.parametrize(
    ("number", "addition", "expected"),
    [
        ("12", "", "12"),
        (" 12 ", "", "12"),
        ("1", "", "1"),
        ("99999", "", "99999"),
        ("12", "a", "12 A"),
        ("12", "A", "12 A"),
        ("12", " bis ", "12 BIS"),
        ("12", "2-hoog", "12 2HOOG"),
        ("12", "3", "12 3"),
        ("12", "ABCDEF", "12 ABCDEF"),
        ("12", "zw\u00a01", "12 ZW1"),
    ],
)
def test_house_numbers_with_and_without_addition(number: str, addition: str, expected: str) -> None:
    house = HouseNumber.parse(number, addition)

    assert str(house) == expected


def test_house_number_keeps_number_and_addition_apart() -> None:
    house = HouseNumber.parse("12", "a")

    assert (house.number, house.addition) == ("12", "A")


@pytest.mark.parametrize("number", ["", "0", "012", "123456", "12a", "-1", "1.5", "twaalf", "١٢", "12 14"])
def test_invalid_house_numbers_are_refused(number: str) -> None:
    with pytest.raises(InvalidHouseNumber) as raised:
        HouseNumber.parse(number)

    assert raised.value.code == "house_number_format"


@pytest.mark.parametrize("addition", ["ABCDEFG", "a/b", "#1", "é", "1½"])
def test_invalid_additions_are_refused_with_their_own_message(addition: str) -> None:
    with pytest.raises(InvalidHouseNumber) as raised:
        HouseNumber.parse("12", addition)

    assert raised.value.code == "house_number_addition_format"


def test_house_number_repr_never_shows_the_value() -> None:
    house = HouseNumber.parse("4321", "ZQ")

    for text in (repr(house), repr([house])):
        assert "4321" not in text
        assert "ZQ" not in text


def test_house_number_error_message_does_not_repeat_the_input() -> None:
    with pytest.raises(InvalidHouseNumber) as raised:
        HouseNumber.parse("12", "SECRET7")

    assert "SECRET" not in str(raised.value)
