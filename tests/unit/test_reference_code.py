"""Reference codes a parent reads out on the phone: fixed shape, nothing to confuse, typed back leniently."""

from __future__ import annotations

import re

import pytest

from balie.domain.reference_code import ALPHABET, new_reference, normalise_reference

AMBIGUOUS = set("0O1IL")


def test_new_reference_has_the_shape_k7mq_2qxb() -> None:
    for _ in range(500):
        code = new_reference()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code), code


def test_new_reference_never_uses_characters_that_sound_or_look_alike() -> None:
    seen: set[str] = set()
    for _ in range(2000):
        seen.update(new_reference().replace("-", ""))

    assert not seen & AMBIGUOUS
    assert not set(ALPHABET) & AMBIGUOUS
    # The generator really draws from the whole alphabet (not a few fixed characters).
    assert seen == set(ALPHABET)


def test_new_references_do_not_repeat() -> None:
    codes = [new_reference() for _ in range(2000)]

    assert len(set(codes)) == len(codes)


def test_new_reference_is_its_own_normal_form() -> None:
    for _ in range(200):
        code = new_reference()
        assert normalise_reference(code) == code


@pytest.mark.parametrize(
    "typed",
    ["K7MQ-2QXB", "k7mq-2qxb", "K7MQ2QXB", "k7mq 2qxb", " K7MQ - 2QXB ", "K7-MQ-2Q-XB", "K7MQ\t2QXB", "k7mq\n2qxb"],
)
def test_normalise_reference_accepts_how_people_type_it(typed: str) -> None:
    assert normalise_reference(typed) == "K7MQ-2QXB"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "-",
        "K7MQ",
        "K7MQ-2QX",
        "K7MQ-2QXBA",
        "K7MQ-2QXB-K7MQ",
        "K0MQ-2QXB",  # zero is never used
        "KOMQ-2QXB",  # nor the letter O
        "K1MQ-2QXB",
        "KIMQ-2QXB",
        "KLMQ-2QXB",
        "K7MQ_2QXB",
        "K7MQ/2QXB",
        "K7MQ-2QXÉ",
        "' OR 1=1 --",
    ],
)
def test_normalise_reference_refuses_what_cannot_be_a_code(typed: str) -> None:
    assert normalise_reference(typed) is None


def test_normalise_reference_of_none_is_none() -> None:
    assert normalise_reference(None) is None  # type: ignore[arg-type]
