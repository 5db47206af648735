"""Sealing and opening a registration's personal fields with the data keys."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from balie.crypto import KeyRing, UnreadableData
from balie.domain.registration import ContactPreferences
from balie.models.registration import PERSONAL_FIELDS, Registration


@dataclass(frozen=True)
class PersonalDetails:
    """Decrypted personal fields; ``unreadable`` lists fields whose ciphertext failed to open."""

    name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)
    address: str | None = field(default=None, repr=False)  # None also without a fixed address
    reachable_at: str | None = field(default=None, repr=False)  # without a fixed address: where she can be reached
    note: str | None = field(default=None, repr=False)
    preferences: ContactPreferences = field(default_factory=ContactPreferences, repr=False)
    unreadable: tuple[str, ...] = ()


def _context(registration: Registration, name: str) -> str:
    return f"registration/{registration.id}/{name}"


def seal(registration: Registration, keys: KeyRing, values: dict[str, str | None]) -> None:
    """Encrypt each given field into its ``*_sealed`` column (None stays None)."""
    for name in PERSONAL_FIELDS:
        if name not in values:
            continue
        value = values[name]
        sealed = keys.seal(value, _context(registration, name)) if value is not None else None
        setattr(registration, f"{name}_sealed", sealed)
    registration.key_id = keys.primary_id


def open_details(registration: Registration, keys: KeyRing) -> PersonalDetails:
    values: dict[str, str | None] = {}
    unreadable: list[str] = []
    for name in PERSONAL_FIELDS:
        sealed = getattr(registration, f"{name}_sealed")
        if sealed is None:
            values[name] = None
            continue
        try:
            values[name] = keys.open(sealed, _context(registration, name))
        except UnreadableData:
            values[name] = None
            unreadable.append(name)
    preferences_text = values.pop("contact_preferences")
    preferences = (
        ContactPreferences.from_dict(json.loads(preferences_text)) if preferences_text else ContactPreferences()
    )
    return PersonalDetails(**values, preferences=preferences, unreadable=tuple(unreadable))


def reseal(registration: Registration, keys: KeyRing) -> bool:
    """Re-encrypt with the primary key. Returns whether anything changed."""
    if registration.key_id == keys.primary_id:
        return False
    for name in PERSONAL_FIELDS:
        sealed = getattr(registration, f"{name}_sealed")
        if sealed is not None:
            setattr(registration, f"{name}_sealed", keys.reseal(sealed, _context(registration, name)))
    registration.key_id = keys.primary_id
    return True


def erase(registration: Registration) -> None:
    for name in PERSONAL_FIELDS:
        setattr(registration, f"{name}_sealed", None)
    registration.no_fixed_address = None  # her housing situation goes with her details
