"""The sociale kaart searched in English, a postcode outside the region, and the filters' order.

The public kaart is linked from the English parent pages; its content is Dutch. English words are
searched as the Dutch words they stand for (sociale_kaart/synonyms_en.yaml). Each query below is
what an English-speaking parent or nurse types; the offer named (from the shipped sociale kaart)
must be among the first five results.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from balie.domain.directory import PHASES
from tests.support.directory import directory_app, dispose, names
from tests.support.pages import Page
from tests.web.helpers import english

SEARCH = "/sociale-kaart"
AMSTERDAM_POSTCODE = "1011 AB"  # Amsterdam: a real postcode, GGD Amsterdam, not this desk's region

ENGLISH_QUERIES = [
    ("breastfeeding", "Hulp bij borstvoedingsproblemen"),
    ("breastfeeding", "Hulp en bijeenkomsten over borstvoeding"),
    ("interpreter", "Begeleiding van asielzoekers en statushouders"),
    ("domestic violence", "Advies en melding bij huiselijk geweld en kindermishandeling"),
    ("my partner hits me", "Advies en melding bij huiselijk geweld en kindermishandeling"),
    ("debt", "Schuldhulpverlening van de gemeente"),
    ("help with debts", "Een maatje bij geldzorgen"),
    ("baby clothes", "Babystartpakket"),
    ("midwife", "Verloskundige begeleiding bij zwangerschap en bevalling"),
    ("depression after birth", "POP-poli: zorg bij psychische klachten rond de zwangerschap"),
    ("postnatal depression", "Praktijkondersteuner GGZ (POH-GGZ)"),
    ("housing", "Urgentie voor een woning"),
    ("homeless and pregnant", "Opvang voor zwangere vrouwen zonder woonplek (Siriz)"),
    ("stop smoking", "Stoppen met roken in de zwangerschap"),
    ("unplanned pregnancy", "Hulp bij een onbedoelde zwangerschap (Fiom)"),
    ("learn Dutch", "Taalhuis: Nederlands leren en hulp met de computer"),
    ("suicidal thoughts", "Hulp bij gedachten aan zelfdoding"),
    ("food bank", "Uitgiftepunt Delft (voorbeeld)"),
    ("child benefit", "Kinderbijslag"),
    ("register the birth", "Aangifte van de geboorte en erkenning van het kind"),
    ("parenting support", "Stevig Ouderschap"),
    ("refugee", "Begeleiding van asielzoekers en statushouders"),
    ("lonely no family", "Home-Start: een vrijwilliger aan huis"),
    ("baby clinic", "Consultatiebureau (JGZ 0-4 jaar)"),
    ("my husband drinks too much", "Hulp bij alcohol of drugs in de zwangerschap"),
    ("low mood", "Praktijkondersteuner GGZ (POH-GGZ)"),
    ("social assistance", "Bijstandsuitkering (algemene bijstand)"),
]


@pytest.fixture(scope="module")
def kaart_app(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = directory_app(sqlite_template_path, tmp_path_factory.mktemp("kaart-en"))
    yield app
    dispose(app)


@pytest.fixture
def visitor(kaart_app: Flask) -> Any:
    """Someone who chose English on the parent pages and followed the link to the kaart."""
    return english(kaart_app.test_client())


def search(client: Any, expected_status: int = 200, **params: Any) -> Page:
    page = Page(client.get(SEARCH, query_string=params))
    assert page.status == expected_status, page.text[:500]
    return page


@pytest.mark.parametrize(("query", "expected"), ENGLISH_QUERIES, ids=[f"{q}→{e}" for q, e in ENGLISH_QUERIES])
def test_an_english_query_finds_the_offer_in_the_top_five(visitor: Any, query: str, expected: str) -> None:
    found = names(search(visitor, q=query).html)

    assert expected in found[:5], found[:5]


def test_debt_no_longer_finds_the_home_visit_and_is_not_taken_for_a_typo(visitor: Any) -> None:
    page = search(visitor, q="debt")

    found = names(page.html)
    assert found == names(search(visitor, q="schulden").html)  # what the Dutch word finds
    assert "Schuldhulpverlening van de gemeente" in found[:3]
    assert not any("huisbezoek" in name.lower() for name in found)
    assert "look like them" not in page.text


def test_the_dutch_words_found_are_marked_in_the_snippets(visitor: Any) -> None:
    page = search(visitor, q="breastfeeding")

    assert re.search(r"<mark>borstvoeding\w*</mark>", page.html, re.IGNORECASE)


def test_the_english_search_page_reads_english_around_the_dutch_content(visitor: Any) -> None:
    page = search(visitor, q="breastfeeding")

    for text in ("What are you looking for?", "Postcode", "Filters", "Apply filters", "Sort by", "results"):
        assert text in page.text
    for dutch in ("Wat zoekt u", "Filters toepassen", "Sorteren op", "resultaten"):
        assert dutch not in page.text


VEILIG_THUIS = "f788c8cf-72de-43f4-b3f7-d56b1ad53bcc"


@pytest.mark.parametrize(
    ("url", "english_texts", "dutch_texts"),
    [
        (
            f"{SEARCH}/aanbod/{VEILIG_THUIS}",
            ("Back to the sociale kaart", "How to refer or apply", "For whom", "Last checked on"),
            ("Terug naar de sociale kaart", "Doorverwijzen of aanmelden", "Voor wie", "Laatst gecontroleerd"),
        ),
        (
            f"{SEARCH}/wijzer?situatie=schulden&postcode=2611+AB",
            ("Situation guide", "Which situations apply?", "Show support", "Next step:"),
            ("Situatiewijzer", "Toon aanbod", "Volgende stap:"),
        ),
    ],
    ids=["offering", "situation guide"],
)
def test_the_other_kaart_pages_read_english_around_the_dutch_content(
    visitor: Any, url: str, english_texts: tuple[str, ...], dutch_texts: tuple[str, ...]
) -> None:
    page = Page(visitor.get(url))

    assert page.status == 200
    for text in english_texts:
        assert text in page.text
    for text in dutch_texts:
        assert text not in page.text


SCHULDHULP = "6617f44b-c867-402a-8aff-a7c5ac5d8584"


def test_a_national_offer_shows_its_english_line_marked_as_a_translation(visitor: Any) -> None:
    page = search(visitor, q="debt")

    assert "In English (our translation): Debt help from the gemeente: a first talk" in page.text
    # The English line is marked English, the Dutch content around it Dutch (for screen readers).
    assert re.search(r'<span lang="en">Debt help from the gemeente:', page.html)
    assert re.search(rf'href="/sociale-kaart/aanbod/{SCHULDHULP}" lang="nl">Schuldhulpverlening', page.html)
    assert re.search(r'<p class="result__snippet" lang="nl">', page.html)


def test_the_offering_page_gives_the_english_line_and_says_the_description_is_dutch(visitor: Any) -> None:
    page = Page(visitor.get(f"{SEARCH}/aanbod/{SCHULDHULP}"))

    assert "In English (our translation): Debt help from the gemeente" in page.text
    assert "The description below is in Dutch, as the organisation gave it." in page.text
    assert re.search(r'<h1 lang="nl">Schuldhulpverlening van de gemeente</h1>', page.html)


def test_a_dutch_page_has_no_translation_line_and_no_language_marks(kaart_app: Flask) -> None:
    client = kaart_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    page = search(client, q="schulden")

    assert "Debt help from the gemeente" not in page.text
    assert "In English" not in page.text
    assert 'lang="nl"' not in page.html.split("<main", 1)[1]


# -- a postcode outside the region ---------------------------------------------------------------


def test_a_postcode_outside_the_region_says_so_and_that_only_national_offers_are_shown(visitor: Any) -> None:
    page = search(visitor, q="schulden", postcode=AMSTERDAM_POSTCODE)

    assert "Postcode 1011 AB is in Amsterdam, outside the region of this desk (Voorbeeldregio)" in page.text
    assert "you see only offers available nationwide" in page.text
    found = names(page.html)
    assert "Schuldhulpverlening van de gemeente" in found  # national
    assert not any("(voorbeeld)" in name for name in found)  # no local offers of the region


def test_the_outside_region_message_is_in_dutch_for_a_dutch_page(kaart_app: Flask) -> None:
    page = search(kaart_app.test_client(), q="schulden", postcode=AMSTERDAM_POSTCODE)

    assert "Postcode 1011 AB ligt in Amsterdam, buiten de regio van deze balie (Voorbeeldregio)" in page.text
    assert "u ziet alleen aanbod dat in heel Nederland beschikbaar is" in page.text


def test_the_situation_guide_says_so_too(visitor: Any) -> None:
    page = Page(visitor.get(f"{SEARCH}/wijzer", query_string={"situatie": "schulden", "postcode": AMSTERDAM_POSTCODE}))

    assert "Postcode 1011 AB is in Amsterdam, outside the region of this desk (Voorbeeldregio)" in page.text
    assert "Schuldhulpverlening van de gemeente" in names(page.html)
    assert not any("(voorbeeld)" in name for name in names(page.html))


def test_a_postcode_in_the_region_gets_no_outside_message(visitor: Any) -> None:
    page = search(visitor, q="schulden", postcode="2611 AB")
    guide = Page(visitor.get(f"{SEARCH}/wijzer", query_string={"situatie": "schulden", "postcode": "2611 AB"}))

    assert "outside the region" not in page.text
    assert "outside the region" not in guide.text


# -- the filters ---------------------------------------------------------------------------------


def test_the_phase_filter_lists_phases_in_time_order(visitor: Any) -> None:
    page = search(visitor, q="zwanger")

    shown = re.findall(r'name="fase" value="([^"]+)"', page.html)
    assert len(shown) >= 3
    assert shown == sorted(shown, key=PHASES.index)


def test_the_filters_sit_in_a_closed_disclosure_that_counts_the_chosen_ones(visitor: Any) -> None:
    plain = search(visitor, q="schulden")
    chosen = search(visitor, q="schulden", kosten=["free"], fase=["pregnancy"])

    assert re.search(
        r'<details class="filters" id="filters">\s*<summary class="filters__toggle">Filters</summary>', plain.html
    )
    assert re.search(r"<summary class=\"filters__toggle\">Filters \(2 chosen\)</summary>", chosen.html)


def test_after_a_search_the_place_is_one_of_the_filters_and_keeps_its_value(visitor: Any) -> None:
    page = search(visitor, q="schulden", postcode="2611 AB")

    filters = page.html[page.html.index('<details class="filters"') : page.html.index("</details>")]
    assert '<summary class="filters__toggle">Filters (1 chosen)</summary>' in filters
    assert re.search(r'<input[^>]*id="postcode"[^>]*value="2611 AB"', filters)
    assert page.html.count('id="postcode"') == 1
