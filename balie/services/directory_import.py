"""Bring the database's directory in line with the validated sociale kaart files."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.domain.directory import Kaart, OrganisationRecord, PhoneRecord, ServiceRecord
from balie.models import (
    Category,
    Organisation,
    Phone,
    Service,
    ServiceArea,
    ServiceLanguage,
)


@dataclass(frozen=True)
class ImportCounts:
    organisations: int
    services: int
    retired: int


def _phones(records: tuple[PhoneRecord, ...]) -> list[Phone]:
    return [Phone(number=p.number, description=p.description) for p in records]


def _apply_service(service: Service, record: ServiceRecord, categories: dict[str, Category]) -> None:
    service.name = record.name
    service.alternate_name = record.alternate_name
    service.kind = record.kind
    service.status = record.status
    service.description = record.description
    service.url = record.url
    service.email = record.email
    service.application_process = record.application_process
    service.fees_description = record.fees_description
    service.response_days = record.response_days
    service.assured_date = record.assured_date
    service.assurer = record.assurer
    service.categories = [categories[code] for code in record.categories]
    wanted_areas = set(record.areas)
    service.areas = [a for a in service.areas if a.municipality_code in wanted_areas] + [
        ServiceArea(municipality_code=code)
        for code in record.areas
        if code not in {a.municipality_code for a in service.areas}
    ]
    service.languages = [ServiceLanguage(code=code) for code in record.languages]
    service.phones = _phones(record.phones)


def _apply_organisation(
    session: Session, record: OrganisationRecord, categories: dict[str, Category]
) -> tuple[Organisation, int]:
    organisation = session.get(Organisation, record.id) or Organisation(id=record.id)
    organisation.slug = record.slug
    organisation.name = record.name
    organisation.alternate_name = record.alternate_name
    organisation.description = record.description
    organisation.website = record.website
    organisation.email = record.email
    organisation.is_example = record.is_example
    organisation.phones = _phones(record.phones)
    session.add(organisation)
    existing = {s.id: s for s in organisation.services}
    for service_record in record.services:
        service = existing.pop(service_record.id, None) or Service(id=service_record.id)
        if service not in organisation.services:
            organisation.services.append(service)
        _apply_service(service, service_record, categories)
    # A service that left the file is retired, not deleted: registrations may point to it.
    for service in existing.values():
        service.status = "defunct"
    return organisation, len(existing)


def import_kaart(session: Session, kaart: Kaart) -> ImportCounts:
    categories = {c.code: c for c in session.scalars(select(Category))}
    for record in kaart.categories:
        category = categories.get(record.code) or Category(code=record.code)
        category.name, category.description = record.name, record.description
        categories[record.code] = category
        session.add(category)
    retired = 0
    for record in kaart.organisations:
        _organisation, gone = _apply_organisation(session, record, categories)
        retired += gone
    session.flush()
    return ImportCounts(
        organisations=len(kaart.organisations),
        services=sum(len(o.services) for o in kaart.organisations),
        retired=retired,
    )
