"""The sociale kaart as a nurse searches it: real Dutch words on the real sociale kaart data.

Texts are asserted in English (the English page language is chosen) so the tests do not depend
on the Dutch catalogue, which is still being written; offer names come from the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from balie.clock import today
from balie.extensions import db
from balie.models import Service
from balie.services.directory import hsds
from tests.support.directory import (
    BUDGETCOACH_INACTIVE,
    DELFT,
    DELFT_POSTCODE,
    SCHULDHULP_DEN_HAAG,
    SCHULDHULP_ZOETERMEER,
    WIJKTEAM_DELFT,
    WIJKTEAM_WESTLAND,
    ZWANGERSCHAPSGROEP_CLOSED,
    days_ago,
    directory_app,
    dispose,
    hsds_schema,
    links,
    names,
    query_of,
    results,
    set_service,
    total,
)
from tests.support.pages import Page
from tests.web.helpers import english

SEARCH = "/sociale-kaart"


@pytest.fixture(scope="module")
def kaart_app(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the read-only searches of this module (nothing here changes the database)."""
    app = directory_app(sqlite_template_path, tmp_path_factory.mktemp("kaart"))
    yield app
    dispose(app)


@pytest.fixture
def visitor(kaart_app: Flask) -> Any:
    """Someone searching without logging in, pages in English."""
    return english(kaart_app.test_client())


@pytest.fixture
def changing_app(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    """An app of its own for tests that change offers."""
    app = directory_app(sqlite_template_path, tmp_path / "app")
    yield app
    dispose(app)


def search(client: Any, expected_status: int = 200, **params: Any) -> Page:
    page = Page(client.get(SEARCH, query_string=params))
    assert page.status == expected_status, page.text[:500]
    return page


def result_ids(page: Page) -> list[str]:
    return [r.id for r in results(page.html)]


# -- relevance -----------------------------------------------------------------------------------


def test_schulden_finds_debt_help_on_the_first_page(visitor: Any) -> None:
    page = search(visitor, q="schulden")

    found = names(page.html)
    assert "Schuldhulpverlening van de gemeente" in found[:3]
    assert {"Een maatje bij geldzorgen", "Hulp bij de thuisadministratie"} <= set(found)
    assert len(found) == 20  # a full first page of debt-related offers
    assert "<mark>schulden</mark>" in page.html


def test_schuld_and_schulden_find_the_same_offers(visitor: Any) -> None:
    assert result_ids(search(visitor, q="schuld")) == result_ids(search(visitor, q="schulden"))


def test_huis_and_huizen_find_the_same_housing_offers(visitor: Any) -> None:
    huis = search(visitor, q="huis")
    huizen = search(visitor, q="huizen")

    assert result_ids(huis) == result_ids(huizen)
    assert {"Urgentie voor een woning", "Spreekuur woonurgentie (voorbeeld)"} <= set(names(huizen.html)[:5])
    # "huizen" is a real word: no "did you mean" for it.
    assert "Did you mean" not in huizen.text


def test_a_typo_still_finds_stevig_ouderschap_first(visitor: Any) -> None:
    page = search(visitor, q="stevig ouderschp")

    assert names(page.html)[0] == "Stevig Ouderschap"
    assert "Did you mean: stevig ouderschap ?" in page.text  # the suggestion, not the unknown word


def test_correctly_spelled_words_get_no_correction_notice(visitor: Any) -> None:
    page = search(visitor, q="stevig ouderschap")

    assert names(page.html)[0] == "Stevig Ouderschap"
    assert "Did you mean" not in page.text


def test_geen_netwerk_finds_home_start_and_support_parents(visitor: Any) -> None:
    found = names(search(visitor, q="geen netwerk").html)

    assert found[0] == "Home-Start: een vrijwilliger aan huis"
    assert "Steunouder of steungezin" in found[:5]


def test_nonsense_finds_nothing_and_says_so(visitor: Any) -> None:
    page = search(visitor, q="xqzwvbn")

    assert results(page.html) == []
    assert "0 results" in page.text
    assert "Nothing found" in page.text


# -- where: postcode and gemeente ------------------------------------------------------------------


def test_a_delft_postcode_drops_other_gemeenten_local_offers_but_keeps_national_ones(visitor: Any) -> None:
    everywhere = result_ids(search(visitor, q="schulden"))
    delft = search(visitor, q="schulden", postcode=DELFT_POSTCODE)

    assert {SCHULDHULP_DEN_HAAG, SCHULDHULP_ZOETERMEER} <= set(everywhere)
    found = names(delft.html)
    assert SCHULDHULP_DEN_HAAG not in result_ids(delft)
    assert SCHULDHULP_ZOETERMEER not in result_ids(delft)
    assert "Schuldhulp Den Haag (voorbeeld)" not in delft.text
    assert found[0] == "Schuldhulpverlening van de gemeente"  # national: for Delft too
    assert "Een maatje bij geldzorgen" in found


def test_four_digits_are_enough(visitor: Any) -> None:
    assert result_ids(search(visitor, q="wijkteam", postcode="2611")) == result_ids(
        search(visitor, q="wijkteam", postcode=DELFT_POSTCODE)
    )


def test_a_delft_postcode_shows_the_delft_wijkteam_not_westland(visitor: Any) -> None:
    ids = result_ids(search(visitor, q="wijkteam", postcode=DELFT_POSTCODE))

    assert WIJKTEAM_DELFT in ids
    assert WIJKTEAM_WESTLAND not in ids


def test_choosing_a_gemeente_filters_like_its_postcode(visitor: Any) -> None:
    by_gemeente = search(visitor, q="wijkteam", gemeente=DELFT)
    by_postcode = search(visitor, q="wijkteam", postcode=DELFT_POSTCODE)

    assert result_ids(by_gemeente) == result_ids(by_postcode)
    westland = result_ids(search(visitor, q="wijkteam", gemeente="GM1783"))
    assert WIJKTEAM_WESTLAND in westland and WIJKTEAM_DELFT not in westland


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("1000 AA", "We do not know this postcode"),  # well-formed, but no such postcode area
        ("Delft", "Enter a postcode like 2611 AB"),
    ],
)
def test_a_bad_postcode_is_a_field_error_not_a_silent_search(visitor: Any, postcode: str, message: str) -> None:
    page = search(visitor, expected_status=400, q="schulden", postcode=postcode)

    assert any(message in error for error in page.errors)
    assert ("postcode", page.errors[0]) in page.summary_links
    assert results(page.html) == []
    assert 'value="schulden"' in page.html  # what she typed is kept


# -- facets, sorting, pagination ------------------------------------------------------------------


def facet_counts(page: Page, param: str) -> dict[str, tuple[int, bool]]:
    """value → (count shown, ticked) for one facet's checkboxes."""
    found: dict[str, tuple[int, bool]] = {}
    pattern = re.compile(
        r'<input class="choice__input" type="checkbox" id="f-'
        + param
        + r'-\d+" name="'
        + param
        + r'" value="([^"]+)"( checked)?>\s*<label[^>]*>[^<]*<span class="facet__count">\((\d+)\)</span>'
    )
    for value, checked, count in pattern.findall(page.html):
        found[value] = (int(count), bool(checked))
    return found


def test_facets_show_counts(visitor: Any) -> None:
    page = search(visitor, q="schulden")

    topics = facet_counts(page, "categorie")
    assert topics["geld-schulden"][0] >= 5
    assert not any(ticked for _, ticked in topics.values())
    assert f'Geld en schulden <span class="facet__count">({topics["geld-schulden"][0]})</span>' in page.html
    # Every offer has exactly one cost code: the cost counts add up to the number found.
    assert sum(count for count, _ in facet_counts(page, "kosten").values()) == total(page.html)
    assert facet_counts(page, "fase") and facet_counts(page, "taal")


def test_a_ticked_facet_narrows_the_results_and_keeps_the_other_counts(kaart_app: Flask, visitor: Any) -> None:
    before = search(visitor, q="schulden")
    after = search(visitor, q="schulden", categorie="geld-schulden")

    topics_after = facet_counts(after, "categorie")
    count, ticked = topics_after["geld-schulden"]
    assert ticked
    assert total(after.html) == count < total(before.html)
    # Drill sideways: the other topics keep the counts they had, so she can widen her choice...
    assert topics_after == {
        value: (n, value == "geld-schulden") for value, (n, _) in facet_counts(before, "categorie").items()
    }
    # ...while the other facets count within the chosen topic.
    assert sum(n for n, _ in facet_counts(after, "kosten").values()) == count
    assert SCHULDHULP_DEN_HAAG in result_ids(after)
    with kaart_app.app_context():
        topics = {r.id: {c.code for c in db.session.get(Service, r.id).categories} for r in results(before.html)}
    assert all("geld-schulden" in topics[i] for i in result_ids(after))
    assert any("geld-schulden" not in found for found in topics.values())  # the choice did narrow


def test_two_facets_combine(visitor: Any) -> None:
    page = search(visitor, q="schulden", categorie="geld-schulden", taal="ar")

    ids = result_ids(page)
    assert SCHULDHULP_DEN_HAAG in ids  # money and debts, Arabic spoken
    assert SCHULDHULP_ZOETERMEER not in ids  # Dutch only
    assert facet_counts(page, "taal")["ar"][1]


def test_sorting_by_name(visitor: Any) -> None:
    found = names(search(visitor, q="schulden", sort="name").html)

    assert found == sorted(found, key=str.casefold)
    assert found != names(search(visitor, q="schulden").html)


def test_sorting_by_last_checked(kaart_app: Flask, visitor: Any) -> None:
    page = search(visitor, q="wijkteam", sort="checked")
    ids = result_ids(page)
    with kaart_app.app_context():
        checked = [db.session.get(Service, i).assured_date for i in ids]
    assert len(ids) >= 4
    assert checked == sorted(checked, reverse=True)
    assert checked[0] > checked[-1]


def test_pagination_with_plain_links_that_keep_the_filters(visitor: Any) -> None:
    first = search(visitor, q="ouders", kosten="free", sort="name")
    next_links = [link for link in links(first.html) if "page=2" in link]

    assert next_links, "a second page"
    query = query_of(next_links[0])
    assert query == {"q": ["ouders"], "kosten": ["free"], "sort": ["name"], "page": ["2"]}
    second = Page(visitor.get(next_links[0]))
    assert second.status == 200
    assert 'aria-current="page">2<' in second.html
    first_names, second_names = names(first.html), names(second.html)
    assert second_names and not set(first_names) & set(second_names)
    assert first_names + second_names == sorted(first_names + second_names, key=str.casefold)
    assert facet_counts(second, "kosten")["free"][1]  # the filter is still ticked


def test_a_page_number_past_the_end_shows_the_last_page(visitor: Any) -> None:
    page = search(visitor, q="schulden", page=999)

    assert page.status == 200
    assert results(page.html)


# -- what the public sees --------------------------------------------------------------------------


def every_listed_offer(client: Any, **params: Any) -> set[str]:
    first = search(client, sort="name", **params)
    found = set(result_ids(first))
    for number in range(2, -(-total(first.html) // 20) + 1):
        found |= set(result_ids(search(client, sort="name", page=number, **params)))
    return found


def test_inactive_and_temporarily_closed_offers_never_appear_publicly(visitor: Any) -> None:
    hidden = {BUDGETCOACH_INACTIVE, ZWANGERSCHAPSGROEP_CLOSED}  # so in the sociale kaart files

    listed = every_listed_offer(visitor)
    assert len(listed) == total(search(visitor).html) > 40
    assert not listed & hidden
    for words in ("budgetcoach", "zwangerschapsgroep", "schulden", "zwanger"):
        assert not set(result_ids(search(visitor, q=words))) & hidden
    assert not every_listed_offer(visitor, gemeente="GM0518") & hidden
    for service_id in hidden:
        assert visitor.get(f"/sociale-kaart/aanbod/{service_id}").status_code == 404


def test_an_offer_that_closes_disappears_from_search_and_its_page(changing_app: Flask) -> None:
    client = english(changing_app.test_client())
    assert WIJKTEAM_DELFT in result_ids(search(client, q="wijkteam"))
    assert client.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}").status_code == 200

    set_service(changing_app, WIJKTEAM_DELFT, status="temporarily closed")

    assert WIJKTEAM_DELFT not in result_ids(search(client, q="wijkteam"))
    assert WIJKTEAM_DELFT not in every_listed_offer(client)
    assert client.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}").status_code == 404


def test_an_active_offer_has_a_public_page_with_the_next_step(visitor: Any) -> None:
    page = Page(visitor.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}"))

    assert page.status == 200
    assert "Sociaal wijkteam Delft (voorbeeld)" in page.title
    assert "How to refer or apply" in page.text
    assert "088 000 00 11" in page.text
    assert "Delft" in page.text


def test_an_unknown_offer_is_404(visitor: Any) -> None:
    assert visitor.get("/sociale-kaart/aanbod/no-such-offer").status_code == 404


def test_an_offer_not_checked_for_a_year_carries_a_warning(changing_app: Flask) -> None:
    client = english(changing_app.test_client())
    set_service(changing_app, WIJKTEAM_DELFT, assured_date=days_ago(today(), 400))
    set_service(changing_app, WIJKTEAM_WESTLAND, assured_date=days_ago(today(), 30))

    listing = search(client, q="wijkteam", sort="name")

    items = listing.html.split('<li class="result">')[1:]
    delft = next(item for item in items if WIJKTEAM_DELFT in item)
    westland = next(item for item in items if WIJKTEAM_WESTLAND in item)
    assert "Not checked for more than a year" in delft
    assert "Not checked for more than a year" not in westland
    stale_page = Page(client.get(f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}"))
    fresh_page = Page(client.get(f"/sociale-kaart/aanbod/{WIJKTEAM_WESTLAND}"))
    assert "Not checked for more than a year" in stale_page.text
    assert "Check with the organisation before you refer" in stale_page.text
    assert "Not checked for more than a year" not in fresh_page.text
    assert "Last checked on" in fresh_page.text


def test_snippets_mark_the_words_found_and_escape_html(changing_app: Flask) -> None:
    client = english(changing_app.test_client())
    set_service(
        changing_app,
        WIJKTEAM_DELFT,
        description='Hulp bij <b>schulden</b> & <script>alert("x")</script> voor gezinnen in Delft.',
    )

    page = search(client, q="schulden gezinnen", postcode=DELFT_POSTCODE)

    item = next(i for i in page.html.split('<li class="result">')[1:] if WIJKTEAM_DELFT in i)
    snippet = item.split('<p class="result__snippet" lang="nl">')[1].split("</p>")[0]
    assert "<mark>schulden</mark>" in snippet
    assert "<mark>gezinnen</mark>" in snippet
    assert "&lt;b&gt;" in snippet and "&lt;script&gt;" in snippet and "&amp;" in snippet
    assert "<script>" not in page.html.split("<main")[1] and "<b>" not in snippet


# -- the situatie-wijzer ----------------------------------------------------------------------------


def test_the_situation_guide_gives_a_short_list_per_situation_with_the_next_step(visitor: Any) -> None:
    page = Page(
        visitor.get(
            "/sociale-kaart/wijzer",
            query_string={"situatie": ["schulden", "geen-netwerk", "wonen"], "postcode": DELFT_POSTCODE},
        )
    )

    assert page.status == 200
    sections = page.html.split('<section class="situation"')[1:]
    assert len(sections) == 3
    per_situation = [results(section) for section in sections]
    assert all(1 <= len(found) <= 3 for found in per_situation)
    assert all(
        section.count("result__next") == len(found) for section, found in zip(sections, per_situation, strict=False)
    )
    debts, network, housing = ([r.name for r in found] for found in per_situation)
    assert "Schuldhulpverlening van de gemeente" in debts
    assert "Home-Start: een vrijwilliger aan huis" in network
    assert "Spreekuur woonurgentie (voorbeeld)" in housing  # local Delft offer
    shown = {r.id for found in per_situation for r in found}
    assert not shown & {SCHULDHULP_DEN_HAAG, SCHULDHULP_ZOETERMEER, BUDGETCOACH_INACTIVE}
    assert "Next step:" in page.text


def test_the_situation_guide_with_a_bad_postcode_shows_the_error(visitor: Any) -> None:
    page = Page(visitor.get("/sociale-kaart/wijzer", query_string={"situatie": "schulden", "postcode": "1000 AA"}))

    assert page.status == 400
    assert any("We do not know this postcode" in e for e in page.errors)
    assert '<section class="situation"' not in page.html


# -- open data ------------------------------------------------------------------------------------------


def test_the_open_data_export_validates_against_hsds(visitor: Any, kaart_app: Flask) -> None:
    schema = hsds_schema()
    response = visitor.get("/sociale-kaart/hsds.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    services = response.get_json()
    assert hsds.validation_errors(services, schema) == []
    assert {s["status"] for s in services} == {"active"}
    ids = {s["id"] for s in services}
    assert WIJKTEAM_DELFT in ids and BUDGETCOACH_INACTIVE not in ids
    assert all("metadata" in s and s["metadata"] == [] for s in services)  # no change history in open data


def test_a_word_that_was_removed_from_an_offer_finds_nothing_and_breaks_nothing(changing_app: Flask) -> None:
    client = english(changing_app.test_client())
    set_service(changing_app, WIJKTEAM_DELFT, description="Het wijkteam heeft een avondspreekuur op woensdag.")
    assert result_ids(search(client, q="avondspreekuur")) == [WIJKTEAM_DELFT]

    set_service(changing_app, WIJKTEAM_DELFT, description="Het wijkteam helpt inwoners van Delft.")

    page = search(client, q="avondspreekuur")  # the word is only in the replaced version of the offer
    assert results(page.html) == []
    assert "0 results" in page.text
    assert WIJKTEAM_DELFT in result_ids(search(client, q="wijkteam inwoners delft"))
