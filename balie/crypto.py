"""Encryption of personal fields at rest: AES-256-GCM with key ids and bound context.

A sealed value is ``b"B1" + len(key_id) + key_id + nonce(12) + ciphertext+tag``. The
associated data binds the value to its place (table, row id, field), so a ciphertext
copied to another row or field does not decrypt. Keys come from configuration as
``id:base64`` pairs; the first key encrypts, every key decrypts (rotation without downtime).
The same key-ring form holds the access log's audit keys, which sign (HMAC-SHA256) instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"B1"
NONCE_BYTES = 12


class UnreadableData(Exception):
    """A sealed value could not be opened (tampered, moved, or its key is gone)."""

    def __init__(self) -> None:
        super().__init__("personal data could not be decrypted")


@dataclass(frozen=True)
class KeyRing:
    """Keys of one purpose (data encryption, or the access log's chain), primary first. Never printed."""

    keys: tuple[tuple[str, bytes], ...] = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        pairs: list[tuple[str, bytes]] = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep or not key_id or not key_id.isalnum() or len(key_id) > 16:
                raise ValueError("each key is 'id:base64' with a short alphanumeric id")
            try:
                raw = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"key {key_id!r} is not valid base64") from None
            if len(raw) != 32:
                raise ValueError(f"key {key_id!r} must be 32 bytes (AES-256)")
            if any(key_id == known for known, _ in pairs):
                raise ValueError(f"key id {key_id!r} appears twice")
            pairs.append((key_id, raw))
        if not pairs:
            raise ValueError("no key given")
        return cls(tuple(pairs))

    @property
    def primary_id(self) -> str:
        return self.keys[0][0]

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(key_id for key_id, _ in self.keys)

    def raw_keys(self) -> tuple[bytes, ...]:
        return tuple(raw for _, raw in self.keys)

    def _key(self, key_id: str) -> bytes | None:
        return next((raw for known, raw in self.keys if known == key_id), None)

    def sign(self, message: bytes) -> str:
        """HMAC-SHA256 of `message` with the primary key, as hex."""
        return hmac.new(self.keys[0][1], message, hashlib.sha256).hexdigest()

    def mac(self, message: bytes, key_id: str) -> str | None:
        """HMAC-SHA256 of `message` with the key `key_id`, as hex; None when the ring lacks that key."""
        raw = self._key(key_id)
        return None if raw is None else hmac.new(raw, message, hashlib.sha256).hexdigest()

    def seal(self, plaintext: str, context: str) -> bytes:
        key_id, raw = self.keys[0]
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(raw).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        kid = key_id.encode("ascii")
        return MAGIC + bytes([len(kid)]) + kid + nonce + ciphertext

    def open(self, sealed: bytes, context: str) -> str:
        key_id = self.key_id_of(sealed)
        raw = self._key(key_id) if key_id else None
        if raw is None or key_id is None:
            raise UnreadableData()
        start = 3 + len(key_id)
        nonce, ciphertext = sealed[start : start + NONCE_BYTES], sealed[start + NONCE_BYTES :]
        try:
            return AESGCM(raw).decrypt(nonce, ciphertext, context.encode("utf-8")).decode("utf-8")
        except (InvalidTag, ValueError, UnicodeDecodeError):
            raise UnreadableData() from None

    @staticmethod
    def key_id_of(sealed: bytes) -> str | None:
        if len(sealed) < 3 or sealed[:2] != MAGIC:
            return None
        length = sealed[2]
        try:
            return sealed[3 : 3 + length].decode("ascii")
        except UnicodeDecodeError:
            return None

    def reseal(self, sealed: bytes, context: str) -> bytes:
        """Re-encrypt with the primary key (no-op when it already uses it)."""
        if self.key_id_of(sealed) == self.primary_id:
            return sealed
        return self.seal(self.open(sealed, context), context)


def new_key_text(key_id: str) -> str:
    """A fresh key in configuration form, for `flask keys new`."""
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"
