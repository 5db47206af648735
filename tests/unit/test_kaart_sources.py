"""Every recognition, and every entry checked since sources were required, says where it was checked.

Issue 12: a nurse must be able to rely on the kaart. An entry that shows a recognition names the
year it was given and a source; an entry checked on or after 2026-12-03 (when `sources` came in)
names a source with its checked date for what was changed or added.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from balie.config import PROJECT_ROOT

ORGANISATIONS = PROJECT_ROOT / "sociale_kaart" / "organisaties"
SOURCES_REQUIRED_FROM = "2026-12-03"
# Recognised, but no public source found that names the year: the page shows the level only.
RECOGNITION_YEAR_UNKNOWN = {"Stevig Ouderschap"}


def services() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(ORGANISATIONS.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [(f"{path.name}: {s['name']}", s) for s in document["services"]]
    return found


def _label(item: tuple[str, dict[str, Any]]) -> str:
    return item[0]


@pytest.mark.parametrize("entry", [e for e in services() if e[1].get("recognition")], ids=_label)
def test_a_recognition_names_its_year_and_a_source(entry: tuple[str, dict[str, Any]]) -> None:
    _, service = entry
    assert service.get("sources"), "a recognition needs a source"
    if service["name"] not in RECOGNITION_YEAR_UNKNOWN:
        assert isinstance(service.get("recognition_year"), int)


@pytest.mark.parametrize(
    "entry",
    [e for e in services() if str((e[1].get("last_checked") or {}).get("date", "")) >= SOURCES_REQUIRED_FROM],
    ids=_label,
)
def test_an_entry_checked_since_sources_were_required_cites_them(entry: tuple[str, dict[str, Any]]) -> None:
    _, service = entry
    sources = service.get("sources") or []
    assert sources, "changed or added claims need their source"
    assert all(s["url"].startswith("https://") or s["url"].startswith("http://") for s in sources)
    assert all(s["checked"] >= SOURCES_REQUIRED_FROM for s in sources)


@pytest.mark.parametrize(
    "entry",
    [e for e in services() if e[1].get("areas") == "national" and e[1].get("status") == "active"],
    ids=_label,
)
def test_a_national_offering_has_its_english_line(entry: tuple[str, dict[str, Any]]) -> None:
    """Issue 12: the national entries carry an English name and one line, shown as a translation."""
    _, service = entry
    line = service.get("summary_en") or ""
    name, colon, rest = line.partition(": ")
    assert colon and name and rest.endswith("."), f"'English name: one line.' expected, got {line!r}"
    assert len(line) <= 300
