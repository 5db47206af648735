"""What a nurse reads on an offering's page of the real sociale kaart (issue 12, corrections).

Pages are read in Dutch, as the nurses and parents read them; names and ids come from the files in
sociale_kaart/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.support.directory import directory_app, dispose, results
from tests.support.pages import Page

HOME_START = "7876ffac-655e-44be-9fca-329e400553bb"
HOME_START_EXAMPLE = "bedb56c4-4cd9-4587-b1e3-bf15e6ac8300"
TRIPLE_P = "57513ca5-7aee-43b0-bd6f-53538adeb7af"
VOEDSELBANK = "0849de59-0fbd-443f-b952-dcde12b93b00"
JURIDISCH_LOKET = "c5186be3-7cf5-4453-b620-baec477b2b39"
STOPPEN_MET_ROKEN_VERLOSKUNDIGE = "c46fb32a-02a0-46e5-b906-2997355d4c9b"
ROOKVRIJE_OUDERS = "f6320ac7-9d7e-474e-883e-5c6a6d80e492"
VOORZORG = "69ba30e8-c312-494e-a7fe-790d77c51ba5"
ERKENNING = "fc3fc1fd-b2d2-433c-8f93-6cd5cdccc113"
BABYSTARTPAKKET = "0e81e77b-5e95-4279-b089-18587ecf5b0e"
SIRIZ_GESPREKKEN = "b5bf1d76-337c-4942-9e1a-c457e92a0c05"
SIRIZ_OPVANG = "b32f0fd1-3730-4fd3-837e-9c4d042ae4cd"
FIOM = "9a3ad76f-d69b-4bf1-9ee3-2366ca3c2fbc"
STEVIG_OUDERSCHAP = "bc7dcfe3-66c7-4b32-9bf3-7e8d79df9e6c"
SCHULDHULP = "6617f44b-c867-402a-8aff-a7c5ac5d8584"
BIJSTANDSUITKERING = "0deab754-d981-43c2-91a2-2a41fdb29079"


@pytest.fixture(scope="module")
def kaart_app(sqlite_template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = directory_app(sqlite_template_path, tmp_path_factory.mktemp("kaart-content"))
    yield app
    dispose(app)


@pytest.fixture
def nurse(kaart_app: Flask) -> Any:
    """Someone reading the public kaart in Dutch."""
    client = kaart_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    return client


def offering(client: Any, service_id: str) -> str:
    page = Page(client.get(f"/sociale-kaart/aanbod/{service_id}"))
    assert page.status == 200, page.text[:300]
    return page.text


@pytest.mark.parametrize("service_id", [VOEDSELBANK, JURIDISCH_LOKET])
def test_offerings_that_are_not_youth_interventions_show_no_recognition_line(nurse: Any, service_id: str) -> None:
    text = offering(nurse, service_id)
    assert "Databank Effectieve Jeugdinterventies" not in text
    assert "Niet beoordeeld" not in text
    assert "Erkende interventie" not in text


def test_triple_p_shows_its_recognition_and_the_year(nurse: Any) -> None:
    text = offering(nurse, TRIPLE_P)
    assert "Niet beoordeeld" not in text
    assert "Erkend: effectief volgens eerste aanwijzingen (erkend in 2018)" in text


@pytest.mark.parametrize("service_id", [HOME_START, HOME_START_EXAMPLE])
def test_home_start_starts_at_28_weeks_and_shows_its_recognition_year(nurse: Any, service_id: str) -> None:
    text = offering(nurse, service_id)
    assert "vanaf 28 weken zwangerschap" in text
    assert "vanaf de zwangerschap" not in text
    assert "effectief volgens goede aanwijzingen (erkend in 2019)" in text


def test_rookvrije_start_is_named_as_the_professionals_care_path_not_as_the_midwifes_service(nurse: Any) -> None:
    text = offering(nurse, STOPPEN_MET_ROKEN_VERLOSKUNDIGE)
    assert "zorgpad Rookvrije Start; dat is een aanpak voor professionals, geen apart aanbod voor ouders" in text
    assert "telefonische coaching van Rookvrije Ouders" in text


def test_rookvrije_ouders_is_an_offering_of_its_own_with_telephone_coaching(nurse: Any) -> None:
    text = offering(nurse, ROOKVRIJE_OUDERS)
    assert "Een stoppen-met-rokencoach belt u" in text
    assert "zwangere vrouwen, hun partners, ouders" in text
    page = Page(nurse.get("/sociale-kaart", query_string={"q": "rookvrije ouders"}))
    assert [r.id for r in results(page.html)][:1] == [ROOKVRIJE_OUDERS]


def test_voorzorg_and_the_young_mother_situation_name_the_same_age_limit(nurse: Any) -> None:
    assert "tot 25 jaar" in offering(nurse, VOORZORG)
    wijzer = Page(nurse.get("/sociale-kaart/wijzer")).text
    assert "Jonge moeder (tot 25 jaar)" in wijzer
    assert "jonger dan 23" not in wijzer


def test_erkenning_says_recognition_since_2023_gives_joint_authority(nurse: Any) -> None:
    text = offering(nurse, ERKENNING)
    assert "op of na 1 januari 2023, dan hebben beide ouders ook samen het gezag" in text
    assert "zonder aanvraag bij de rechtbank" in text


def test_babystartpakket_is_requested_by_a_professional_for_a_low_income(nurse: Any) -> None:
    text = offering(nurse, BABYSTARTPAKKET)
    assert "vraagt het eerste pakket aan via de website van de stichting; ouders kunnen dat niet zelf" in text
    assert "laag inkomen (rond het minimum)" in text


def test_siriz_names_its_background_and_that_the_shelter_is_for_young_women(nurse: Any) -> None:
    assert "werkt vanuit christelijke waarden; iedereen kan er terecht" in offering(nurse, SIRIZ_GESPREKKEN)
    assert "De opvang is voor jonge vrouwen" in offering(nurse, SIRIZ_OPVANG)


def test_fiom_names_the_national_information_point_and_the_choice_network(nurse: Any) -> None:
    text = offering(nurse, FIOM)
    assert "Informatiepunt Onbedoelde Zwangerschap" in text
    assert "landelijke netwerk keuzehulp dat Fiom coördineert" in text
    assert "0800 6160" in text


def test_the_cost_says_free_once(nurse: Any) -> None:
    """The file's "Gratis." repeats the cost kind: the page says it once; a fee text that adds something stays."""
    html = Page(nurse.get(f"/sociale-kaart/aanbod/{HOME_START}")).html
    cost = re.search(r'Kosten</dt><dd class="summary__value">([^<]*)</dd>', html)
    assert cost is not None and cost.group(1).strip() == "Gratis"


def test_stevig_ouderschap_names_about_four_visits_in_pregnancy_and_six_after(nurse: Any) -> None:
    text = offering(nurse, STEVIG_OUDERSCHAP)

    assert "In de zwangerschap zijn er ongeveer vier bezoeken" in text
    assert "ongeveer zes bezoeken, verspreid over de eerste twee jaar" in text
    assert "zes tot tien" not in text


def test_debt_help_names_the_three_working_days_for_a_threatening_situation(nurse: Any) -> None:
    text = offering(nurse, SCHULDHULP)

    assert "Het eerste gesprek is binnen vier weken." in text
    assert "Bij een bedreigende situatie, zoals een aangekondigde huisuitzetting" in text
    assert "binnen drie werkdagen" in text


def test_social_assistance_is_an_offering_of_its_own(nurse: Any) -> None:
    text = offering(nurse, BIJSTANDSUITKERING)

    assert "Bijstandsuitkering (algemene bijstand)" in text
    assert "Bent u jonger dan 27 jaar, dan zoekt u na uw melding eerst 4 weken" in text
    assert "werk.nl" in text
    found = [r.name for r in results(Page(nurse.get("/sociale-kaart", query_string={"q": "bijstandsuitkering"})).html)]
    assert found[0] == "Bijstandsuitkering (algemene bijstand)"
