"""The sociale kaart files: the real folder validates, and every mistake an editor makes is named
by file, entry and field, so she can fix it without reading code."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from balie.config import PROJECT_ROOT
from balie.domain.directory import SERVICE_KIND_HOME_VISIT, KaartInvalid, KaartProblem
from balie.services.directory.kaart_files import read_kaart

KAART = PROJECT_ROOT / "sociale_kaart"
DELFLAND = "organisaties/jgz-delfland-voorbeeld.yaml"
HOFSTAD = "organisaties/jgz-hofstad-voorbeeld.yaml"
DELFLAND_SERVICE = "services[0] (Goede Start gesprek)"
HOFSTAD_SERVICE = "services[0] (Kennismakingsgesprek voor aanstaande ouders)"
DELFLAND_SERVICE_ID = "f9ed7aba-c728-4d96-a9a3-0a3cbbef0639"
HOFSTAD_SERVICE_ID = "3094b087-c5ae-4c35-9016-b9777e80f2e6"
DELFLAND_ORG_ID = "940392da-91c8-431a-978d-b8fcb4a95e8d"
HOFSTAD_ORG_ID = "1b85dbb9-3b36-4227-95dd-40ca7283ffca"


EXAMPLE_JGZ = {"JGZ Delfland (voorbeeld)", "Jeugdgezondheid Hofstad (voorbeeld)"}


@pytest.fixture
def kaart(tmp_path: Path) -> Path:
    """A copy of the real sociale kaart that a test may break."""
    folder = tmp_path / "sociale_kaart"
    shutil.copytree(KAART, folder)
    return folder


@pytest.fixture
def jgz_only_kaart(tmp_path: Path) -> Path:
    """A minimal kaart: categories.yaml and the two example JGZ files (they use one category only)."""
    folder = tmp_path / "jgz_only"
    (folder / "organisaties").mkdir(parents=True)
    shutil.copyfile(KAART / "categories.yaml", folder / "categories.yaml")
    for name in (DELFLAND, HOFSTAD):
        shutil.copyfile(KAART / name, folder / name)
    return folder


def home_visit_organisations(folder: Path) -> set[str]:
    """Names of the organisations with a home-visit service, as read from the folder."""
    return {
        org.name
        for org in read_kaart(folder).organisations
        if any(service.kind == SERVICE_KIND_HOME_VISIT for service in org.services)
    }


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test data changed: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(folder: Path) -> list[KaartProblem]:
    with pytest.raises(KaartInvalid) as raised:
        read_kaart(folder)
    return raised.value.problems


def the_problem(folder: Path) -> KaartProblem:
    problems = problems_of(folder)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_the_real_sociale_kaart_validates() -> None:
    kaart = read_kaart(KAART)

    names = {org.name for org in kaart.organisations}
    assert EXAMPLE_JGZ <= names
    assert len(names) >= 30  # the national offerings plus the Voorbeeldregio's examples
    assert "prenataal-huisbezoek" in {c.code for c in kaart.categories}
    home_visit_areas = [
        code
        for org in kaart.organisations
        for service in org.services
        if service.kind == SERVICE_KIND_HOME_VISIT and service.status == "active"
        for code in service.areas
    ]
    # The nine gemeenten of GGD Haaglanden, each with exactly one home-visit service.
    assert sorted(home_visit_areas) == sorted(
        ["GM0503", "GM0603", "GM1783", "GM1842", "GM1926", "GM0518", "GM0629", "GM0637", "GM1916"]
    )


def test_the_real_kaart_reads_values_as_typed() -> None:
    delfland = next(org for org in read_kaart(KAART).organisations if org.slug == "jgz-delfland-voorbeeld")
    service = delfland.services[0]

    assert delfland.id == DELFLAND_ORG_ID
    assert delfland.is_example
    assert service.id == DELFLAND_SERVICE_ID
    assert service.response_days == 5
    assert service.assured_date == date(2026, 11, 1)
    assert service.areas[0] == "GM0503"
    assert not service.description.endswith("\n")


def test_unchanged_copy_validates(kaart: Path) -> None:
    files = sorted(p.stem for p in (kaart / "organisaties").glob("*.yaml"))

    organisations = read_kaart(kaart).organisations

    assert sorted(org.slug for org in organisations) == files
    assert organisations == read_kaart(KAART).organisations


def test_unknown_gemeente_code_names_file_entry_and_field(kaart: Path) -> None:
    edit(kaart, DELFLAND, "areas: [GM0503, GM0603,", "areas: [GM0503, GM9999,")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (DELFLAND, DELFLAND_SERVICE, "areas[1]")
    assert "GM9999" in problem.message
    assert str(problem) == f"{DELFLAND}: {DELFLAND_SERVICE}: areas[1]: {problem.message}"


def test_badly_written_gemeente_code_is_refused(kaart: Path) -> None:
    edit(kaart, DELFLAND, "areas: [GM0503,", "areas: [Delft,")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry) == (DELFLAND, DELFLAND_SERVICE)
    assert problem.field in {"areas", "areas[0]"}
    assert "Delft" in problem.message


def test_missing_required_service_field(kaart: Path) -> None:
    edit(kaart, DELFLAND, "    status: active\n", "")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry) == (DELFLAND, DELFLAND_SERVICE)
    assert "'status'" in problem.message
    assert "required" in problem.message


def test_missing_required_organisation_field(kaart: Path) -> None:
    edit(kaart, HOFSTAD, "name: Jeugdgezondheid Hofstad (voorbeeld)\n", "")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry) == (HOFSTAD, "organisation")
    assert "'name' is required" in problem.message


def test_unknown_field_is_named(kaart: Path) -> None:
    edit(kaart, DELFLAND, "    response_days: 5\n", "    response_days: 5\n    reponse_days: 5\n")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (DELFLAND, DELFLAND_SERVICE, "reponse_days")
    assert "unknown field" in problem.message


def test_unknown_organisation_field_is_named(kaart: Path) -> None:
    edit(kaart, HOFSTAD, "example: true\n", "example: true\nwebsite_url: https://x.example\n")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (HOFSTAD, "organisation", "website_url")
    assert "unknown field" in problem.message


def test_unknown_field_inside_a_phone(kaart: Path) -> None:
    edit(kaart, DELFLAND, "    description: voorbeeldnummer", "    omschrijving: voorbeeldnummer")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry) == (DELFLAND, "organisation")
    assert problem.field == "phones[0].omschrijving"


def test_duplicate_service_id_across_files(kaart: Path) -> None:
    edit(kaart, HOFSTAD, f"id: {HOFSTAD_SERVICE_ID}", f"id: {DELFLAND_SERVICE_ID}")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (HOFSTAD, HOFSTAD_SERVICE, "id")
    assert DELFLAND in problem.message


def test_duplicate_organisation_id_across_files(kaart: Path) -> None:
    edit(kaart, HOFSTAD, f"id: {HOFSTAD_ORG_ID}", f"id: {DELFLAND_ORG_ID}")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (HOFSTAD, "organisation", "id")
    assert DELFLAND in problem.message


def test_copied_file_is_caught_twice_over(kaart: Path) -> None:
    # An editor copies a file as a starting point and forgets to change anything.
    shutil.copyfile(kaart / DELFLAND, kaart / "organisaties" / "jgz-westland.yaml")

    problems = problems_of(kaart)

    in_copy = [p for p in problems if p.file == "organisaties/jgz-westland.yaml"]
    assert {(p.entry, p.field) for p in in_copy if p.field == "id"} == {
        ("organisation", "id"),
        (DELFLAND_SERVICE, "id"),
    }
    assert any(p.field == "areas" and "GM0503" in p.message for p in in_copy)


def test_two_active_home_visit_services_for_one_gemeente(kaart: Path) -> None:
    edit(kaart, HOFSTAD, "areas: [GM0518,", "areas: [GM0503, GM0518,")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (HOFSTAD, HOFSTAD_SERVICE, "areas")
    assert "GM0503" in problem.message
    assert DELFLAND in problem.message


def test_an_inactive_home_visit_service_may_overlap_an_active_one(kaart: Path) -> None:
    # A gemeente moving to another organisation: the old service is kept, retired.
    edit(kaart, HOFSTAD, "areas: [GM0518,", "areas: [GM0503, GM0518,")
    edit(kaart, HOFSTAD, "    status: active\n", "    status: inactive\n")

    hofstad = next(org for org in read_kaart(kaart).organisations if org.id == HOFSTAD_ORG_ID)

    assert hofstad.services[0].status == "inactive"
    assert "GM0503" in hofstad.services[0].areas
    # Only the two example files hold home-visit services, and both are still read.
    assert home_visit_organisations(kaart) == EXAMPLE_JGZ
    assert sorted(
        p.name for p in (kaart / "organisaties").glob("*-voorbeeld.yaml") if "kind: phb" in p.read_text()
    ) == [
        "jgz-delfland-voorbeeld.yaml",
        "jgz-hofstad-voorbeeld.yaml",
    ]


def test_home_visit_service_without_response_days(kaart: Path) -> None:
    edit(kaart, DELFLAND, "    response_days: 5\n", "")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (DELFLAND, DELFLAND_SERVICE, "response_days")
    assert "home-visit" in problem.message


def test_general_service_needs_no_response_days(kaart: Path) -> None:
    edit(kaart, DELFLAND, "    kind: phb\n", "    kind: general\n")
    edit(kaart, DELFLAND, "    response_days: 5\n", "")

    delfland = next(org for org in read_kaart(kaart).organisations if org.id == DELFLAND_ORG_ID)

    assert (delfland.services[0].kind, delfland.services[0].response_days) == ("general", None)
    assert home_visit_organisations(kaart) == {"Jeugdgezondheid Hofstad (voorbeeld)"}


@pytest.mark.parametrize("days", ["0", "31", "vijf", "2.5"])
def test_response_days_out_of_range(kaart: Path, days: str) -> None:
    edit(kaart, DELFLAND, "    response_days: 5\n", f"    response_days: {days}\n")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (DELFLAND, DELFLAND_SERVICE, "response_days")


def test_invalid_yaml_names_the_file_and_line(kaart: Path) -> None:
    edit(kaart, HOFSTAD, "fees: Gratis\n", "fees: [Gratis\n")

    problem = the_problem(kaart)

    assert problem.file == HOFSTAD
    assert problem.entry.startswith("line ")
    assert int(problem.entry.removeprefix("line ")) > 1
    assert "not valid YAML" in problem.message


def test_invalid_yaml_in_one_file_does_not_hide_problems_in_another(kaart: Path) -> None:
    edit(kaart, HOFSTAD, "fees: Gratis\n", "fees: [Gratis\n")
    edit(kaart, DELFLAND, "areas: [GM0503,", "areas: [GM9999,")

    problems = problems_of(kaart)

    assert {p.file for p in problems} == {HOFSTAD, DELFLAND}


def test_invalid_yaml_in_categories(kaart: Path) -> None:
    (kaart / "categories.yaml").write_text("- code: x\n  name: [oops\n", encoding="utf-8")

    problems = problems_of(kaart)

    assert any(p.file == "categories.yaml" and "not valid YAML" in p.message for p in problems)


def test_category_without_name(jgz_only_kaart: Path) -> None:
    # Only the home-visit category is kept, so the example JGZ files (which use only that one) stay valid.
    assert len(read_kaart(jgz_only_kaart).organisations) == 2
    (jgz_only_kaart / "categories.yaml").write_text(
        "- code: prenataal-huisbezoek\n  name: Prenataal huisbezoek\n- code: zonder-naam\n", encoding="utf-8"
    )

    problem = the_problem(jgz_only_kaart)

    assert (problem.file, problem.entry) == ("categories.yaml", "[1]")
    assert "required" in problem.message


def test_unknown_category(kaart: Path) -> None:
    edit(kaart, DELFLAND, "categories: [prenataal-huisbezoek]", "categories: [prenataal-huisbezoekk]")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (DELFLAND, DELFLAND_SERVICE, "categories[0]")
    assert "prenataal-huisbezoekk" in problem.message
    assert "categories.yaml" in problem.message


def test_unknown_status_is_refused(kaart: Path) -> None:
    edit(kaart, DELFLAND, "    status: active\n", "    status: actief\n")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (DELFLAND, DELFLAND_SERVICE, "status")


def test_impossible_checked_date_is_a_problem_not_a_crash(kaart: Path) -> None:
    edit(kaart, DELFLAND, 'date: "2026-11-01"', 'date: "2026-02-30"')

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (DELFLAND, DELFLAND_SERVICE, "last_checked.date")
    assert "2026-02-30" in problem.message


def test_unquoted_date_is_read_as_typed(kaart: Path) -> None:
    edit(kaart, DELFLAND, 'date: "2026-11-01"', "date: 2026-11-01")

    delfland = next(org for org in read_kaart(kaart).organisations if org.slug == "jgz-delfland-voorbeeld")

    assert delfland.services[0].assured_date == date(2026, 11, 1)


def test_bad_email_of_organisation(kaart: Path) -> None:
    edit(kaart, DELFLAND, "email: aanmeldingen@jgz-delfland.example", "email: aanmeldingen-at-jgz-delfland")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry, problem.field) == (DELFLAND, "organisation", "email")


def test_an_emptied_file_is_reported_not_skipped(kaart: Path) -> None:
    (kaart / HOFSTAD).write_text("# leeg gemaakt\n", encoding="utf-8")

    problem = the_problem(kaart)

    assert problem.file == HOFSTAD
    assert "empty" in problem.message


def test_a_file_that_is_a_list_is_refused(kaart: Path) -> None:
    (kaart / HOFSTAD).write_text("- name: x\n", encoding="utf-8")

    problem = the_problem(kaart)

    assert (problem.file, problem.entry) == (HOFSTAD, "organisation")


def test_every_problem_is_reported_at_once(kaart: Path) -> None:
    edit(kaart, DELFLAND, "areas: [GM0503,", "areas: [GM9999,")
    edit(kaart, DELFLAND, "categories: [prenataal-huisbezoek]", "categories: [onbekend]")
    edit(kaart, HOFSTAD, "    response_days: 3\n", "")

    with pytest.raises(KaartInvalid) as raised:
        read_kaart(kaart)

    where = {(p.file, p.field) for p in raised.value.problems}
    assert where == {(DELFLAND, "areas[0]"), (DELFLAND, "categories[0]"), (HOFSTAD, "response_days")}
    # The exception text, as `flask kaart validate` prints it: one line per problem.
    lines = str(raised.value).splitlines()
    assert len(lines) == 3
    assert all(line.startswith("organisaties/") for line in lines)
