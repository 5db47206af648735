"""Routing (T-03): a postcode leads to one JGZ organisation, asks which gemeente, or says kindly that
the desk does not serve it. Total and deterministic."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from balie.config import region_ggd_codes
from balie.extensions import db
from balie.models import Municipality, PostcodeArea, Service
from balie.services.registrations.routing import (
    ChooseMunicipality,
    NotServed,
    Routed,
    UnknownPostcode,
    home_visit_service,
    municipalities_for_pc4,
    route,
)
from tests.support.registration import APELDOORN, EDE, serve_apeldoorn

DELFLAND = "JGZ Delfland (voorbeeld)"
HOFSTAD = "Jeugdgezondheid Hofstad (voorbeeld)"
REGION = ("GG7014",)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session
        db.session.rollback()


def organisation_name(outcome: Any) -> str:
    assert isinstance(outcome, Routed), outcome
    return outcome.service.organisation.name


def test_region_setting_is_ggd_haaglanden(app: Flask) -> None:
    assert region_ggd_codes(app.config) == REGION


@pytest.mark.parametrize("pc4", ["2611", "2612", "2613", "2623", "2628"])
def test_delft_routes_to_jgz_delfland(session: Session, pc4: str) -> None:
    outcome = route(session, pc4, REGION)

    assert organisation_name(outcome) == DELFLAND
    assert outcome.municipality.code == "GM0503"
    assert outcome.municipality.name == "Delft"
    assert outcome.service.kind == "phb"
    assert outcome.organisation_id == outcome.service.organisation.id


@pytest.mark.parametrize("pc4", ["2511", "2512", "2564", "2591"])
def test_den_haag_routes_to_hofstad(session: Session, pc4: str) -> None:
    outcome = route(session, pc4, REGION)

    assert organisation_name(outcome) == HOFSTAD
    assert outcome.municipality.code == "GM0518"
    assert outcome.municipality.name == "'s-Gravenhage"


def test_a_postcode_in_two_gemeenten_asks_which_one(session: Session) -> None:
    outcome = route(session, "7351", REGION)

    assert isinstance(outcome, ChooseMunicipality)
    assert [(m.code, m.name) for m in outcome.options] == [(APELDOORN, "Apeldoorn"), (EDE, "Ede")]


def test_an_unknown_choice_asks_again(session: Session) -> None:
    # A tampered or stale choice is not silently replaced by a guess.
    for chosen in ("GM0503", "GM9999", "", "Apeldoorn"):
        assert isinstance(route(session, "7351", REGION, chosen), ChooseMunicipality)


def test_choosing_the_served_gemeente_routes_to_its_organisation(app: Flask, session: Session) -> None:
    serve_apeldoorn(app)
    outcome = route(session, "7351", REGION, APELDOORN)

    assert organisation_name(outcome) == HOFSTAD
    assert outcome.municipality.name == "Apeldoorn"


def test_choosing_the_gemeente_outside_the_region_is_not_served(app: Flask, session: Session) -> None:
    serve_apeldoorn(app)
    outcome = route(session, "7351", REGION, EDE)

    assert isinstance(outcome, NotServed)
    assert outcome.municipality.name == "Ede"
    assert outcome.in_region is False
    # The parent is told which GGD-regio to turn to instead.
    assert outcome.municipality.ggd_code != "GG7014"
    assert outcome.municipality.ggd_name


def test_a_choice_is_ignored_where_the_postcode_has_one_gemeente(session: Session) -> None:
    assert organisation_name(route(session, "2611", REGION, "GM0518")) == DELFLAND


def test_amsterdam_is_not_served_outside_the_region(session: Session) -> None:
    outcome = route(session, "1012", REGION)

    assert isinstance(outcome, NotServed)
    assert outcome.municipality.code == "GM0363"
    assert outcome.in_region is False


def test_unknown_pc4_raises_unknown_postcode(session: Session) -> None:
    known = set(session.scalars(select(PostcodeArea.pc4)))
    unknown = [pc4 for pc4 in ("1000", "1001", "9999") if pc4 not in known]
    assert unknown, "test data changed: pick a PC4 that is not in the reference data"

    for pc4 in unknown:
        with pytest.raises(UnknownPostcode) as raised:
            route(session, pc4, REGION)
        assert raised.value.code == "postcode_unknown"


@pytest.mark.parametrize("pc4", ["", "0000", "abcd", "26", "26111"])
def test_nonsense_pc4_is_unknown(session: Session, pc4: str) -> None:
    with pytest.raises(UnknownPostcode):
        route(session, pc4, REGION)


def test_a_retired_home_visit_service_is_not_routed_to(session: Session) -> None:
    service = home_visit_service(session, "GM0503")
    assert service is not None
    covered = {area.municipality_code for area in service.areas}
    session.execute(update(Service).where(Service.id == service.id).values(status="inactive"))
    session.expire_all()

    outcome = route(session, "2611", REGION)

    assert isinstance(outcome, NotServed)
    assert outcome.municipality.code == "GM0503"
    assert outcome.in_region is True  # the kind "your gemeente is in our region, but…" page
    for code in covered:
        assert home_visit_service(session, code) is None
    # The other organisation is unaffected.
    assert organisation_name(route(session, "2511", REGION)) == HOFSTAD


@pytest.mark.parametrize("status", ["defunct", "temporarily closed"])
def test_other_non_active_statuses_are_not_routed_to(session: Session, status: str) -> None:
    service = home_visit_service(session, "GM0518")
    assert service is not None
    session.execute(update(Service).where(Service.id == service.id).values(status=status))
    session.expire_all()

    outcome = route(session, "2511", REGION)

    assert isinstance(outcome, NotServed) and outcome.in_region


def test_a_general_service_is_never_a_routing_target(session: Session) -> None:
    service = home_visit_service(session, "GM0503")
    assert service is not None
    session.execute(update(Service).where(Service.id == service.id).values(kind="general"))
    session.expire_all()

    assert isinstance(route(session, "2611", REGION), NotServed)


def test_a_different_region_setting_changes_the_not_served_page(session: Session) -> None:
    outcome = route(session, "1012", ("GG3406",))  # GGD Amsterdam

    assert isinstance(outcome, NotServed) and outcome.in_region


def _outcome_key(outcome: Any) -> tuple[Any, ...]:
    if isinstance(outcome, Routed):
        return ("routed", outcome.municipality.code, outcome.service.id)
    if isinstance(outcome, ChooseMunicipality):
        return ("choose", tuple(m.code for m in outcome.options))
    assert isinstance(outcome, NotServed)
    return ("not served", outcome.municipality.code, outcome.in_region)


def _region_pc4s(session: Session) -> list[str]:
    return sorted(
        set(
            session.scalars(
                select(PostcodeArea.pc4)
                .join(Municipality, Municipality.code == PostcodeArea.municipality_code)
                .where(Municipality.ggd_code.in_(REGION))
            )
        )
    )


def test_every_region_postcode_reaches_exactly_one_organisation(session: Session) -> None:
    pc4s = _region_pc4s(session)
    assert len(pc4s) > 100

    problems = []
    for pc4 in pc4s:
        outcome = route(session, pc4, REGION)
        if isinstance(outcome, ChooseMunicipality):
            # Each choice inside the region leads to exactly one organisation.
            for option in outcome.options:
                chosen = route(session, pc4, REGION, option.code)
                if option.ggd_code in REGION and not isinstance(chosen, Routed):
                    problems.append((pc4, option.code))
        elif not isinstance(outcome, Routed):
            problems.append((pc4, _outcome_key(outcome)))
    assert not problems, f"{len(problems)} of {len(pc4s)} region PC4s not routed: {problems[:20]}"


def test_routing_is_deterministic_over_repeated_runs(session: Session) -> None:
    pc4s = _region_pc4s(session)

    runs = []
    for _ in range(3):
        outcomes = {}
        for pc4 in pc4s:
            outcome = route(session, pc4, REGION)
            outcomes[pc4] = _outcome_key(outcome)
            if isinstance(outcome, ChooseMunicipality):
                for option in outcome.options:
                    outcomes[f"{pc4}/{option.code}"] = _outcome_key(route(session, pc4, REGION, option.code))
        runs.append(outcomes)
        session.expire_all()  # no help from the identity map on the next run

    assert runs[0] == runs[1] == runs[2]
    assert len(runs[0]) >= len(pc4s)


def test_routing_is_total_for_every_pc4(session: Session) -> None:
    """Every four-digit number gives an outcome or UnknownPostcode, never another error."""
    counts = {"routed": 0, "choose": 0, "not served": 0, "unknown": 0}
    for number in range(1000, 10000):
        try:
            outcome = route(session, str(number), REGION)
        except UnknownPostcode:
            counts["unknown"] += 1
            continue
        counts[_outcome_key(outcome)[0]] += 1

    assert counts["routed"] > 100, counts
    assert counts["choose"] > 0, counts
    assert counts["not served"] > 3000, counts
    assert sum(counts.values()) == 9000


def test_municipalities_for_pc4_lists_every_gemeente_in_code_order(session: Session) -> None:
    assert [m.code for m in municipalities_for_pc4(session, "7351")] == [APELDOORN, EDE]
    assert [m.code for m in municipalities_for_pc4(session, "2611")] == ["GM0503"]
    assert municipalities_for_pc4(session, "1000") == []
