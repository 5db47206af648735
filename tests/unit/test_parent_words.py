"""Everything parents see says "u" (the sociale kaart too), and nothing calls them "kwetsbaar"
(issue 10, points 14 and 17)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jullie|jezelf)\b", re.I)


def texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            # `sources` (provenance: addresses and notes for editors) is never shown on the site.
            if key not in (
                "id",
                "areas",
                "languages",
                "categories",
                "phases",
                "cost",
                "recognition",
                "kind",
                "status",
                "sources",
            ):
                yield from texts(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts(item, f"{where}[{index}]")


def kaart_texts() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in [
        *sorted((ROOT / "sociale_kaart" / "organisaties").glob("*.yaml")),
        ROOT / "sociale_kaart" / "categories.yaml",
    ]:
        found += list(texts(yaml.safe_load(path.read_text(encoding="utf-8")), path.name))
    return found


def test_the_sociale_kaart_says_u_to_parents() -> None:
    informal = [f"{where}: {text.strip()[:80]}" for where, text in kaart_texts() if INFORMAL.search(text)]
    assert informal == [], "\n".join(informal)


def test_the_scan_can_fail() -> None:
    assert INFORMAL.search("Je kunt Veilig Thuis om advies vragen")
    assert INFORMAL.search("Groei en gezondheid van je kind")


def test_no_offering_calls_people_kwetsbaar() -> None:
    phb = [(where, text) for where, text in kaart_texts() if "kwetsba" in text.lower()]
    assert phb == []
