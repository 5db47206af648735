"""The needs issue 12 added to the sociale kaart, searched as a nurse or parent types them.

Each query must put the expected offering in the first five results of the public search. The
list is module-level so the relevance set of the issue (at least 40 queries overall) can include it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.support.directory import directory_app, dispose, results
from tests.support.pages import Page

VERSLAVINGSZORG = "a0a2de17-792c-46f4-b82c-75a1b5918fee"
MAATSCHAPPELIJKE_OPVANG = "f8dadb58-2056-4af0-b53c-d362f294b3c6"
VROUWENOPVANG = "d3920e28-ca59-41a4-85bc-b77749ae4530"
ONVERZEKERBARE_VREEMDELINGEN = "040819e9-ebd4-4310-b49f-004d642ee0f5"
CLIENTONDERSTEUNING = "a12879fd-dbb7-4c57-9978-cbbfeadb1507"
WAZO = "108abe1a-746d-4c16-84d9-c270edf0f6b3"
ZEZ = "97e702ee-f59f-49ca-9bea-e76af202edf2"
CRISISDIENST = "d5eabe6b-8878-440b-a1ad-2608ce1ceb47"
MOEDER_BABY_UNIT = "e404abe8-9b46-425c-9a9b-60abb0b65c69"
WEKENPRIK = "f11e6cdf-4c1b-49ce-90a4-13340ae660fd"
ROOKVRIJE_OUDERS = "f6320ac7-9d7e-474e-883e-5c6a6d80e492"
FIOM = "9a3ad76f-d69b-4bf1-9ee3-2366ca3c2fbc"
ERKENNING = "fc3fc1fd-b2d2-433c-8f93-6cd5cdccc113"

# (what is typed, the offering that must be in the top 5)
CONTENT_QUERIES: list[tuple[str, str]] = [
    ("verslavingszorg", VERSLAVINGSZORG),
    ("alcohol zwangerschap", VERSLAVINGSZORG),
    ("drugs", VERSLAVINGSZORG),
    ("vrouwenopvang", VROUWENOPVANG),
    ("blijf van mijn lijf", VROUWENOPVANG),
    ("dakloos", MAATSCHAPPELIJKE_OPVANG),
    ("briefadres", MAATSCHAPPELIJKE_OPVANG),
    ("onverzekerd", ONVERZEKERBARE_VREEMDELINGEN),
    ("ongedocumenteerd", ONVERZEKERBARE_VREEMDELINGEN),
    ("cak", ONVERZEKERBARE_VREEMDELINGEN),
    ("cliëntondersteuning", CLIENTONDERSTEUNING),
    ("licht verstandelijke beperking", CLIENTONDERSTEUNING),
    ("lvb", CLIENTONDERSTEUNING),
    ("zwangerschapsverlof", WAZO),
    ("wazo", WAZO),
    ("zez", ZEZ),
    ("zzp zwanger", ZEZ),
    ("kinkhoest", WEKENPRIK),
    ("22 wekenprik", WEKENPRIK),
    ("crisisdienst", CRISISDIENST),
    ("psychische crisis", CRISISDIENST),
    ("moeder-baby-unit", MOEDER_BABY_UNIT),
    ("rookvrije ouders", ROOKVRIJE_OUDERS),
    ("informatiepunt onbedoelde zwangerschap", FIOM),
    ("gezamenlijk gezag", ERKENNING),
]


@pytest.fixture(scope="module")
def kaart_app(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = directory_app(sqlite_template_path, tmp_path_factory.mktemp("kaart-queries"))
    yield app
    dispose(app)


@pytest.fixture
def visitor(kaart_app: Flask) -> Any:
    client = kaart_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    return client


@pytest.mark.parametrize(("query", "expected"), CONTENT_QUERIES, ids=[q for q, _ in CONTENT_QUERIES])
def test_the_new_need_is_found_in_the_top_five(visitor: Any, query: str, expected: str) -> None:
    page = Page(visitor.get("/sociale-kaart", query_string={"q": query}))
    assert page.status == 200
    top = [r.id for r in results(page.html)][:5]
    assert expected in top, f"{query!r}: top 5 is {[r.name for r in results(page.html)][:5]}"
