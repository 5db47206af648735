"""Relevance on the real sociale kaart: what parents and nurses type, and the offer they need in the top 5.

Queries are real sentences and typos (issue 12); each row names the offer (as shipped in
sociale_kaart/) that must be among the first five results. Other query sets (English, new
needs) extend this module with tables of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from balie.extensions import db
from balie.search import registry as search_registry
from balie.services.directory.search import SearchQuery
from tests.support.directory import directory_app, dispose, links, names, query_of, total
from tests.support.pages import Page
from tests.web.helpers import english

SEARCH = "/sociale-kaart"
DEBT_HELP = "Schuldhulpverlening van de gemeente"
VEILIG_THUIS = "Advies en melding bij huiselijk geweld en kindermishandeling"
NU_NIET_ZWANGER = "Gesprek over kinderwens en anticonceptie (Nu Niet Zwanger)"

# (what she types, an offer that must be in the top 5)
SENTENCE_AND_TYPO_QUERIES: list[tuple[str, str]] = [
    # sentences
    ("ik kan mijn rekeningen niet betalen", DEBT_HELP),
    ("ik kan mijn rekeningen niet betalen", "Een maatje bij geldzorgen"),
    ("ik kan de huur niet betalen", DEBT_HELP),
    ("ik zit in de schulden", DEBT_HELP),
    ("niet nog een keer zwanger", NU_NIET_ZWANGER),
    ("ik wil niet weer zwanger worden", NU_NIET_ZWANGER),
    ("mijn vriend slaat me", VEILIG_THUIS),
    ("mijn partner slaat mij", VEILIG_THUIS),
    ("ik ben bang voor mijn man", VEILIG_THUIS),
    ("ik voel me zo somber sinds de bevalling", "POP-poli: zorg bij psychische klachten rond de zwangerschap"),
    ("waar kan ik hulp krijgen bij borstvoeding", "Hulp bij borstvoedingsproblemen"),
    ("ik heb geen geld voor eten", "Voedselpakket van de voedselbank"),
    ("ik wil stoppen met roken", "Stoppen met roken in de zwangerschap"),
    ("ik spreek geen nederlands", "Taalhuis: Nederlands leren en hulp met de computer"),
    ("mijn man drinkt te veel", "Hulp bij alcohol of drugs in de zwangerschap"),
    ("mijn vriend blowt elke dag", "Hulp bij alcohol of drugs in de zwangerschap"),
    # typos
    ("ouderschp", "Stevig Ouderschap"),
    ("stevig ouderschp", "Stevig Ouderschap"),
    ("opvoding", "Positief Opvoeden (Triple P)"),
    ("borstvoding", "Hulp bij borstvoedingsproblemen"),
    ("huisvesing", "Urgentie voor een woning"),
    ("schuldn", DEBT_HELP),
    ("kraamzrg", "Kraamzorg thuis"),
    ("verloskundge", "Verloskundige begeleiding bij zwangerschap en bevalling"),
    ("anticonceptei", NU_NIET_ZWANGER),
    ("voedselbnk", "Voedselpakket van de voedselbank"),
    ("huislijk geweld", VEILIG_THUIS),
    # a typo in the part of the word the stemmer cuts off: "somberheid" is stemmed to "somber",
    # "somberhied" is left whole
    ("somberhied", "Praktijkondersteuner GGZ (POH-GGZ)"),
    ("somberheit", "Praktijkondersteuner GGZ (POH-GGZ)"),
]


@pytest.fixture(scope="module")
def kaart_app(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app on the shipped sociale kaart for the read-only searches of this module."""
    app = directory_app(sqlite_template_path, tmp_path_factory.mktemp("relevance"))
    yield app
    dispose(app)


@pytest.fixture
def visitor(kaart_app: Flask) -> Any:
    return english(kaart_app.test_client())


def search(client: Any, **params: Any) -> Page:
    page = Page(client.get(SEARCH, query_string=params))
    assert page.status == 200, page.text[:500]
    return page


@pytest.mark.parametrize(("query", "expected"), SENTENCE_AND_TYPO_QUERIES)
def test_the_offer_she_needs_is_in_the_top_five(visitor: Any, query: str, expected: str) -> None:
    found = names(search(visitor, q=query).html)

    assert expected in found[:5], f"{query!r}: top 5 is {found[:5]}"


@pytest.mark.parametrize(
    ("query", "topic"),
    [
        ("ik kan mijn rekeningen niet betalen", "debts"),
        ("mijn vriend slaat me", "domestic violence"),
        ("niet nog een keer zwanger", "contraception"),
        ("mijn man drinkt te veel", "addiction"),
    ],
)
def test_a_sentence_says_which_topic_was_searched_too(visitor: Any, query: str, topic: str) -> None:
    """On an English page the topic is named in English (the synonym list's topics in synonyms_en.yaml)."""
    page = search(visitor, q=query)

    assert f"We also searched for: {topic}." in page.text


def test_a_dutch_page_names_the_topic_in_dutch(kaart_app: Flask) -> None:
    client = kaart_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    page = search(client, q="mijn vriend slaat me")

    assert "We zochten ook op: huiselijk geweld." in page.text


def test_a_keyword_that_is_its_own_topic_gets_no_also_searched_line(visitor: Any) -> None:
    assert "We also searched for" not in search(visitor, q="schulden").text


def test_a_typo_offers_the_word_meant_as_a_link_that_searches_it(visitor: Any) -> None:
    page = search(visitor, q="ouderschp", postcode="2611 AB")

    assert "Did you mean: ouderschap ?" in page.text  # the suggestion, not the unknown word
    assert "ouderschp ?" not in page.text
    suggestion = next(link for link in links(page.html) if query_of(link).get("q") == ["ouderschap"])
    assert query_of(suggestion)["postcode"] == ["2611 AB"]  # the rest of her search is kept
    corrected = Page(visitor.get(suggestion))
    assert "Did you mean" not in corrected.text
    assert names(corrected.html)[0] == "Stevig Ouderschap"


def test_a_typo_at_the_end_of_a_word_offers_the_whole_word_meant(visitor: Any) -> None:
    page = search(visitor, q="somberhied")

    assert "Did you mean: somberheid ?" in page.text
    assert names(page.html), "the corrected word finds offers"
    assert "Nothing found" not in page.text


def test_the_baby_drinking_badly_is_not_taken_for_alcohol(visitor: Any) -> None:
    """Only "who drinks" phrases stand for addiction: a baby that drinks badly is about feeding."""
    page = search(visitor, q="de baby drinkt slecht")

    assert names(page.html)[0] == "Hulp bij borstvoedingsproblemen"
    assert "We also searched for: addiction" not in page.text
    assert "Hulp bij alcohol of drugs in de zwangerschap" not in names(page.html)[:3]


def test_few_offers_with_every_word_are_followed_by_those_with_some(visitor: Any) -> None:
    page = search(visitor, q="schulden en somber")

    found = total(page.html)
    notice = next(line for line in page.text.split("Only ")[1:] if "offers matched all your words" in line)
    exact = int(notice.split()[0])
    assert 0 < exact < found  # some had both words, more follow with one of them
    assert "those matching the most first" in page.text


def test_offers_with_every_word_come_before_those_with_only_some(kaart_app: Flask) -> None:
    with kaart_app.app_context():
        engine = search_registry.directory().engine(db.session)
        result = engine.search(SearchQuery(text="ik heb schulden en ben somber", per_page=100))
        units, _highlight, _corrections = engine.parse("ik heb schulden en ben somber")
        docnum = {found: number for number, found in engine.id_of.items()}
        has_every_word = [all(bool(engine._unit(unit)[0][docnum[i]]) for unit in units) for i in result.ids]

    assert len(units) == 2 and result.relaxed
    assert result.total > result.exact > 0
    assert has_every_word == [True] * result.exact + [False] * (result.total - result.exact)
