"""Read-only questions to the directory used by the public pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from balie.domain.directory import SERVICE_KIND_HOME_VISIT
from balie.models import Category, Municipality, Organisation, Service, ServiceArea


def home_visit_services(session: Session) -> list[Service]:
    """The active home-visit services, with their organisations and gemeenten."""
    return list(
        session.scalars(
            select(Service)
            .where(Service.kind == SERVICE_KIND_HOME_VISIT, Service.status == "active")
            .options(
                selectinload(Service.organisation), selectinload(Service.areas).joinedload(ServiceArea.municipality)
            )
            .order_by(Service.name)
        )
    )


def jgz_organisations(session: Session) -> list[Organisation]:
    """The JGZ organisations: those with a home-visit service (the kind routing sends registrations
    to), whatever that service's status, so staff can still be added while it is paused."""
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.services.any(Service.kind == SERVICE_KIND_HOME_VISIT))
            .order_by(Organisation.name)
        )
    )


def region_municipalities(session: Session, ggd_codes: tuple[str, ...]) -> list[Municipality]:
    return list(
        session.scalars(select(Municipality).where(Municipality.ggd_code.in_(ggd_codes)).order_by(Municipality.name))
    )


def municipality_names(session: Session, codes: tuple[str, ...]) -> list[str]:
    return list(
        session.scalars(select(Municipality.name).where(Municipality.code.in_(codes)).order_by(Municipality.name))
    )


def _service_options():  # type: ignore[no-untyped-def]
    return (
        selectinload(Service.organisation).selectinload(Organisation.phones),
        selectinload(Service.categories),
        selectinload(Service.phases),
        selectinload(Service.languages),
        selectinload(Service.phones),
        selectinload(Service.locations),
        selectinload(Service.areas).joinedload(ServiceArea.municipality),
    )


def services_by_ids(session: Session, ids: list[str]) -> list[Service]:
    """The services in the given order (search results come as ids)."""
    if not ids:
        return []
    found = {s.id: s for s in session.scalars(select(Service).where(Service.id.in_(ids)).options(*_service_options()))}
    return [found[i] for i in ids if i in found]


def service(session: Session, service_id: str) -> Service | None:
    return session.scalar(select(Service).where(Service.id == service_id).options(*_service_options()))


def categories(session: Session) -> dict[str, Category]:
    return {c.code: c for c in session.scalars(select(Category).order_by(Category.name))}
