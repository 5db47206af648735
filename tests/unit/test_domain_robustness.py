"""Whatever a parent (or a robot) types, the domain parsers answer with a value or their own
rule error: never a crash that would become a 500 (T-01), never the input in the message."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from balie.domain.contact import InvalidEmail, InvalidPhone, normalise_email, normalise_phone
from balie.domain.due_date import DueMonth, DueMonthOutOfRange
from balie.domain.postcode import HouseNumber, InvalidHouseNumber, InvalidPostcode, Postcode
from balie.domain.reference_code import normalise_reference

ANY_TEXT = st.text(max_size=60)
POSTCODE_LIKE = st.from_regex(r"\A[ 0-9]{0,2}[0-9]{2,4}[ \u00a0-]{0,2}[A-Za-z]{0,3}\s?\Z")
SETTINGS = settings(max_examples=300, deadline=None)


def _independent_postcode_oracle(text: str) -> str | None:
    compact = re.sub(r"[\s\u00a0\u2000-\u200b\u202f-]", "", text).upper()
    match = re.fullmatch(r"([1-9][0-9]{3})([A-Z]{2})", compact, flags=re.ASCII)
    if not match or match.group(2) in {"SA", "SD", "SS"}:
        return None
    return f"{match.group(1)} {match.group(2)}"


@SETTINGS
@given(st.one_of(ANY_TEXT, POSTCODE_LIKE))
def test_postcode_parse_agrees_with_an_independent_oracle(text: str) -> None:
    expected = _independent_postcode_oracle(text)
    try:
        parsed = str(Postcode.parse(text))
    except InvalidPostcode as error:
        assert expected is None, f"{text!r} should be accepted as {expected}"
        assert str(error) == "postcode_format"
    else:
        assert parsed == expected


@SETTINGS
@given(ANY_TEXT, ANY_TEXT)
def test_house_number_parse_never_crashes(number: str, addition: str) -> None:
    try:
        house = HouseNumber.parse(number, addition)
    except InvalidHouseNumber as error:
        assert str(error) in {"house_number_format", "house_number_addition_format"}
    else:
        assert re.fullmatch(r"[1-9][0-9]{0,4}( [A-Z0-9]{1,6})?", str(house))


@SETTINGS
@given(st.one_of(ANY_TEXT, st.from_regex(r"\A[0-9+ ]{4}-[0-9 ]{1,3}\Z")))
def test_due_month_parse_gives_a_real_month_or_the_rule(text: str) -> None:
    try:
        month = DueMonth.parse(text)
    except DueMonthOutOfRange as error:
        assert str(error) == "due_month_range"
    else:
        assert month.first_day <= month.last_day  # a real calendar month
        assert str(month) == text.strip()


@SETTINGS
@given(st.one_of(ANY_TEXT, st.from_regex(r"\A(\+|00)?[0-9 ()-]{6,16}\Z")))
def test_phone_normalise_gives_e164_or_the_rule(text: str) -> None:
    try:
        e164 = normalise_phone(text)
    except InvalidPhone as error:
        assert str(error) == "phone_format"
    else:
        assert re.fullmatch(r"\+[1-9][0-9]{6,14}", e164)


@SETTINGS
@given(st.one_of(ANY_TEXT, st.emails()))
def test_email_normalise_gives_an_address_or_the_rule(text: str) -> None:
    try:
        address = normalise_email(text)
    except InvalidEmail as error:
        assert str(error) == "email_format"
    else:
        assert address.count("@") == 1
        assert "\n" not in address and "\r" not in address


@SETTINGS
@given(ANY_TEXT)
def test_reference_normalise_never_crashes(text: str) -> None:
    result = normalise_reference(text)
    assert result is None or re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", result)
