"""Routing is a directory query: PC4 → gemeente(n) → active home-visit service → organisation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.domain.directory import SERVICE_KIND_HOME_VISIT
from balie.domain.errors import DomainError
from balie.models import Municipality, PostcodeArea, Service, ServiceArea


class UnknownPostcode(DomainError):
    code = "postcode_unknown"


class UnknownMunicipality(DomainError):
    """Without a fixed address she chooses one of the region's gemeenten; this is none of them."""

    code = "municipality_unknown"


@dataclass(frozen=True)
class Routed:
    municipality: Municipality
    service: Service

    @property
    def organisation_id(self) -> str:
        return self.service.organisation_id


@dataclass(frozen=True)
class ChooseMunicipality:
    """The PC4 lies in more than one gemeente: the parent says which is hers."""

    options: tuple[Municipality, ...]


@dataclass(frozen=True)
class NotServed:
    """No active home-visit service covers this gemeente; ``in_region`` tells which kind page."""

    municipality: Municipality
    in_region: bool


Outcome = Routed | ChooseMunicipality | NotServed


def municipalities_for_pc4(session: Session, pc4: str) -> list[Municipality]:
    rows = session.scalars(
        select(PostcodeArea).where(PostcodeArea.pc4 == pc4).order_by(PostcodeArea.municipality_code)
    ).all()
    return [row.municipality for row in rows]


def home_visit_service(session: Session, municipality_code: str) -> Service | None:
    """The active home-visit service whose service area covers the gemeente (one at most)."""
    return session.scalars(
        select(Service)
        .join(ServiceArea, ServiceArea.service_id == Service.id)
        .where(
            ServiceArea.municipality_code == municipality_code,
            Service.kind == SERVICE_KIND_HOME_VISIT,
            Service.status == "active",
        )
        .order_by(Service.id)
        .limit(1)
    ).first()


def route(
    session: Session, pc4: str, region_ggd_codes: tuple[str, ...], chosen_municipality: str | None = None
) -> Outcome:
    options = municipalities_for_pc4(session, pc4)
    if not options:
        raise UnknownPostcode()
    if len(options) > 1:
        chosen = next((m for m in options if m.code == chosen_municipality), None)
        if chosen is None:
            return ChooseMunicipality(tuple(options))
        options = [chosen]
    return _served(session, options[0], region_ggd_codes)


def route_municipality(
    session: Session, municipality_code: str, region_ggd_codes: tuple[str, ...]
) -> Routed | NotServed:
    """No fixed address: the gemeente she chose (one of the region's) → its home-visit service."""
    municipality = session.get(Municipality, municipality_code) if municipality_code else None
    if municipality is None or municipality.ggd_code not in region_ggd_codes:
        raise UnknownMunicipality()
    return _served(session, municipality, region_ggd_codes)


def _served(session: Session, municipality: Municipality, region_ggd_codes: tuple[str, ...]) -> Routed | NotServed:
    service = home_visit_service(session, municipality.code)
    if service is None:
        return NotServed(municipality, in_region=municipality.ggd_code in region_ggd_codes)
    return Routed(municipality, service)
