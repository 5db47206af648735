"""Read-only questions to the directory used by the public pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from balie.domain.directory import SERVICE_KIND_HOME_VISIT
from balie.models import Municipality, Service, ServiceArea


def home_visit_services(session: Session) -> list[Service]:
    """The active home-visit services, with their organisations and gemeenten."""
    return list(
        session.scalars(
            select(Service)
            .where(Service.kind == SERVICE_KIND_HOME_VISIT, Service.status == "active")
            .options(selectinload(Service.organisation), selectinload(Service.areas).joinedload(ServiceArea.municipality))
            .order_by(Service.name)
        )
    )


def region_municipalities(session: Session, ggd_codes: tuple[str, ...]) -> list[Municipality]:
    return list(
        session.scalars(select(Municipality).where(Municipality.ggd_code.in_(ggd_codes)).order_by(Municipality.name))
    )
