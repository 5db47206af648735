"""Templates read the versions of the consent texts from the constants (issue 11, seam 6).

The version shown under a consent text is the version stored with the registration. A copy of
the version in a template (``'referral-2026-11'``) goes stale the day the text and its constant
change: the parent would read one version and the registration would record another.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from balie.domain import consent, registration

ROOT = Path(__file__).resolve().parents[2]
CONSENT_VERSIONS = {name: value for name, value in vars(consent).items() if name.endswith("_TEXT_VERSION")}
DATE = re.compile(r"\d{4}-\d{2}")


def version_pattern(version: str) -> re.Pattern[str]:
    """'referral-2026-12' → referral-dddd-dd: this version and any older or newer copy of it."""
    parts = [re.escape(part) for part in DATE.split(version)]
    return re.compile(r"\b" + r"\d{4}-\d{2}".join(parts) + r"\b")


PATTERNS = [version_pattern(version) for version in CONSENT_VERSIONS.values()]


def literal_versions(text: str) -> list[str]:
    found = [match.group(0) for pattern in PATTERNS for match in pattern.finditer(text)]
    return found + ([registration.PRIVACY_TEXT_VERSION] if registration.PRIVACY_TEXT_VERSION in text else [])


def test_every_consent_text_has_a_version_with_a_date() -> None:
    assert set(CONSENT_VERSIONS) >= {"ASSISTED_TEXT_VERSION", "REFERRAL_TEXT_VERSION", "FEEDBACK_TEXT_VERSION"}
    assert all(DATE.search(version) for version in CONSENT_VERSIONS.values()), CONSENT_VERSIONS


def test_no_template_copies_a_text_version() -> None:
    copies = {
        path.relative_to(ROOT).as_posix(): found
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.is_file() and (found := literal_versions(path.read_text(encoding="utf-8")))
    }
    assert not copies, f"templates must show consent_versions.<text> (or the version the view passes): {copies}"


def test_no_code_outside_the_domain_copies_a_consent_version() -> None:
    """Views, services and helpers use the constants too (migrations may name historical versions)."""
    copies = {}
    for path in sorted((ROOT / "balie").rglob("*.py")):
        if path == ROOT / "balie/domain/consent.py" or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if found := [match.group(0) for pattern in PATTERNS for match in pattern.finditer(text)]:
            copies[path.relative_to(ROOT).as_posix()] = found
    assert not copies, copies


def test_templates_get_every_consent_version_from_the_constants(app: Flask) -> None:
    exposed = app.jinja_env.globals["consent_versions"]
    assert sorted(exposed.values()) == sorted(CONSENT_VERSIONS.values())


def test_the_scan_catches_a_copy_of_an_old_version() -> None:
    """What check.html once held, and spellings of it that must not slip through."""
    assert literal_versions("{{ _('Version of this text: %(version)s', version='referral-2026-11') }}") == [
        "referral-2026-11"
    ]
    assert literal_versions("Versie assisted-2027-03.") == ["assisted-2027-03"]
    assert literal_versions(f"Version {registration.PRIVACY_TEXT_VERSION}") == [registration.PRIVACY_TEXT_VERSION]
    assert literal_versions("version=consent_versions.referral") == []
