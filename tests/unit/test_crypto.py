"""Personal fields at rest (T-40): AES-256-GCM, bound to their place, readable across key rotation."""

from __future__ import annotations

import base64
import os

import pytest

from balie.crypto import MAGIC, KeyRing, UnreadableData, new_key_text

CONTEXT = "registration/0123abcd/name"
CANARY = "ZZCANARY-Fatma Yılmaz"


def key_text(key_id: str, raw: bytes | None = None) -> str:
    return f"{key_id}:{base64.b64encode(raw or os.urandom(32)).decode()}"


@pytest.fixture
def k1() -> str:
    return key_text("k1")


@pytest.fixture
def k2() -> str:
    return key_text("k2")


def test_round_trip(k1: str) -> None:
    ring = KeyRing.parse(k1)

    for value in (CANARY, "", "a" * 5000, "اسم", "名前 🙂", "line\nbreak"):
        assert ring.open(ring.seal(value, CONTEXT), CONTEXT) == value


def test_sealed_value_says_which_key_it_uses(k1: str) -> None:
    ring = KeyRing.parse(k1)
    sealed = ring.seal(CANARY, CONTEXT)

    assert sealed.startswith(MAGIC)
    assert KeyRing.key_id_of(sealed) == "k1"


def test_ciphertext_contains_no_plaintext(k1: str) -> None:
    ring = KeyRing.parse(k1)
    sealed = ring.seal(CANARY, CONTEXT)

    assert CANARY.encode() not in sealed
    assert b"ZZCANARY" not in sealed
    assert "ZZCANARY".encode("utf-16-le") not in sealed
    assert b"ZZCANARY" not in base64.b64encode(sealed)
    # The context is bound in, not stored: the row id is not in the value either.
    assert b"0123abcd" not in sealed


def test_same_value_sealed_twice_looks_different(k1: str) -> None:
    # Otherwise equal names in two rows could be recognised from the database.
    ring = KeyRing.parse(k1)

    assert ring.seal(CANARY, CONTEXT) != ring.seal(CANARY, CONTEXT)


@pytest.mark.parametrize(
    "other_context",
    [
        "registration/0123abce/name",  # another row
        "registration/0123abcd/phone",  # another field
        "registration/0123abcd/name ",
        "registration//name",
        "",
    ],
)
def test_a_value_moved_to_another_row_or_field_does_not_open(k1: str, other_context: str) -> None:
    ring = KeyRing.parse(k1)
    sealed = ring.seal(CANARY, CONTEXT)

    with pytest.raises(UnreadableData):
        ring.open(sealed, other_context)


def test_every_flipped_byte_is_detected(k1: str) -> None:
    ring = KeyRing.parse(k1)
    sealed = ring.seal(CANARY, CONTEXT)

    for position in range(len(sealed)):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(UnreadableData):
            ring.open(bytes(tampered), CONTEXT)


@pytest.mark.parametrize("cut", [0, 1, 2, 3, 5, 10, 16, 20])
def test_truncated_values_do_not_open(k1: str, cut: int) -> None:
    ring = KeyRing.parse(k1)
    sealed = ring.seal(CANARY, CONTEXT)

    with pytest.raises(UnreadableData):
        ring.open(sealed[:cut], CONTEXT)
    with pytest.raises(UnreadableData):
        ring.open(sealed[: len(sealed) - 1 - cut], CONTEXT)


@pytest.mark.parametrize("junk", [b"", b"B1", b"plain text name", b"B1\x02k1" + b"\x00" * 40, b"\xff" * 64])
def test_junk_does_not_open(k1: str, junk: bytes) -> None:
    with pytest.raises(UnreadableData):
        KeyRing.parse(k1).open(junk, CONTEXT)


def test_another_key_with_the_same_id_does_not_open(k1: str) -> None:
    sealed = KeyRing.parse(k1).seal(CANARY, CONTEXT)

    with pytest.raises(UnreadableData):
        KeyRing.parse(key_text("k1")).open(sealed, CONTEXT)


def test_unreadable_data_message_reveals_nothing(k1: str) -> None:
    ring = KeyRing.parse(k1)
    sealed = ring.seal(CANARY, CONTEXT)

    with pytest.raises(UnreadableData) as raised:
        ring.open(sealed, "registration/other/name")

    assert "ZZCANARY" not in str(raised.value)
    assert "0123abcd" not in str(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_rotation_old_values_open_after_adding_a_new_primary_key(k1: str, k2: str) -> None:
    old_ring = KeyRing.parse(k1)
    sealed_with_k1 = old_ring.seal(CANARY, CONTEXT)

    new_ring = KeyRing.parse(f"{k2},{k1}")

    assert new_ring.primary_id == "k2"
    assert new_ring.key_ids == ("k2", "k1")
    assert new_ring.open(sealed_with_k1, CONTEXT) == CANARY
    # New values use the new primary key.
    assert KeyRing.key_id_of(new_ring.seal(CANARY, CONTEXT)) == "k2"


def test_reseal_moves_a_value_to_the_primary_key(k1: str, k2: str) -> None:
    sealed_with_k1 = KeyRing.parse(k1).seal(CANARY, CONTEXT)
    new_ring = KeyRing.parse(f"{k2},{k1}")

    resealed = new_ring.reseal(sealed_with_k1, CONTEXT)

    assert KeyRing.key_id_of(resealed) == "k2"
    assert new_ring.open(resealed, CONTEXT) == CANARY
    # After k1 is removed the resealed value still opens, the old one no longer does.
    only_k2 = KeyRing.parse(k2)
    assert only_k2.open(resealed, CONTEXT) == CANARY
    with pytest.raises(UnreadableData):
        only_k2.open(sealed_with_k1, CONTEXT)


def test_reseal_twice_does_not_encrypt_twice(k1: str, k2: str) -> None:
    new_ring = KeyRing.parse(f"{k2},{k1}")
    once = new_ring.reseal(KeyRing.parse(k1).seal(CANARY, CONTEXT), CONTEXT)

    twice = new_ring.reseal(once, CONTEXT)

    assert twice == once  # a rerun of the rotation job leaves finished values alone
    assert KeyRing.parse(k2).open(twice, CONTEXT) == CANARY


def test_reseal_keeps_the_binding_to_the_place(k1: str, k2: str) -> None:
    new_ring = KeyRing.parse(f"{k2},{k1}")
    resealed = new_ring.reseal(KeyRing.parse(k1).seal(CANARY, CONTEXT), CONTEXT)

    with pytest.raises(UnreadableData):
        new_ring.open(resealed, "registration/0123abcd/phone")


def test_reseal_of_a_tampered_value_raises_instead_of_sealing_garbage(k1: str, k2: str) -> None:
    sealed = bytearray(KeyRing.parse(k1).seal(CANARY, CONTEXT))
    sealed[-1] ^= 0x80

    with pytest.raises(UnreadableData):
        KeyRing.parse(f"{k2},{k1}").reseal(bytes(sealed), CONTEXT)


def test_parse_skips_blank_parts_and_spaces(k1: str, k2: str) -> None:
    ring = KeyRing.parse(f" {k2} , , {k1} ,")

    assert ring.key_ids == ("k2", "k1")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " , ",
        "k1",  # no separator
        ":" + base64.b64encode(b"x" * 32).decode(),  # no id
        "k-1:" + base64.b64encode(b"x" * 32).decode(),  # id not alphanumeric
        "k 1:" + base64.b64encode(b"x" * 32).decode(),
        "averyveryverylongkeyid:" + base64.b64encode(b"x" * 32).decode(),  # id longer than 16
        "k1:not base64!",
        "k1:" + base64.b64encode(b"x" * 16).decode(),  # AES-128: too short
        "k1:" + base64.b64encode(b"x" * 31).decode(),
        "k1:" + base64.b64encode(b"x" * 33).decode(),
        "k1:" + base64.urlsafe_b64encode(b"\xfb" * 32).decode(),  # url-safe alphabet is not accepted
        "k1:",
    ],
)
def test_parse_refuses_bad_key_text(text: str) -> None:
    with pytest.raises(ValueError):
        KeyRing.parse(text)


def test_parse_refuses_the_same_id_twice(k1: str) -> None:
    with pytest.raises(ValueError, match="twice"):
        KeyRing.parse(f"{k1},{key_text('k1')}")


def test_parse_error_never_contains_key_material() -> None:
    secret_short = base64.b64encode(b"S" * 16).decode()
    secret_bad = "U0VDUkVUU0VDUkVU!!!"
    for text in (
        f"k1:{secret_short}",
        f"k1:{secret_bad}",
        f"k-1:{secret_short}",
        f"k1:{secret_short},k1:{secret_short}",
    ):
        with pytest.raises(ValueError) as raised:
            KeyRing.parse(text)
        message = str(raised.value)
        assert secret_short not in message
        assert "U0VDUkVU" not in message


def test_repr_and_str_never_contain_key_material(k1: str, k2: str) -> None:
    ring = KeyRing.parse(f"{k1},{k2}")
    encoded = [part.split(":", 1)[1] for part in (k1, k2)]

    for text in (repr(ring), str(ring), f"{ring}", repr([ring]), repr({"keys": ring})):
        for value in encoded:
            assert value not in text
        for raw in ring.raw_keys():
            assert repr(raw) not in text
            assert raw.hex() not in text


def test_new_key_text_is_accepted_and_fresh() -> None:
    first, second = new_key_text("k3"), new_key_text("k3")

    assert first != second
    ring = KeyRing.parse(first)
    assert ring.primary_id == "k3"
    assert ring.open(ring.seal(CANARY, CONTEXT), CONTEXT) == CANARY


def test_the_primary_key_signs_and_every_listed_key_checks(k1: str, k2: str) -> None:
    """The same key-ring form signs the access log (HMAC-SHA256): the primary signs, old keys still check."""
    old, rotated = KeyRing.parse(k1), KeyRing.parse(f"{k2},{k1}")
    message = b"row 12"
    assert rotated.sign(message) == rotated.mac(message, "k2") != old.sign(message)
    assert rotated.mac(message, "k1") == old.sign(message)
    assert old.mac(message, "k2") is None
    assert KeyRing.parse(key_text("k1")).mac(message, "k1") != old.sign(message)  # same id, other bytes
