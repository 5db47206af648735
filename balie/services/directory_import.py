"""Bring the database's directory in line with validated records (from YAML files or HSDS JSON).

Services are matched by id. A changed service gets its history recorded (action "import")
and the directory version is bumped so search indexes catch up. A service that left its
organisation's file is retired (status defunct), never deleted: registrations may point to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.domain.directory import Kaart, LocationRecord, OrganisationRecord, PhoneRecord, ServiceRecord
from balie.models import (
    Category,
    Location,
    Organisation,
    Phone,
    Service,
    ServiceArea,
    ServiceLanguage,
    ServicePhase,
)
from balie.models.base import utcnow
from balie.services import directory_changes

IMPORTED_BY = "import"


@dataclass(frozen=True)
class ImportCounts:
    organisations: int
    services: int
    changed: int
    retired: int


def _phones(records: tuple[PhoneRecord, ...]) -> list[Phone]:
    return [Phone(number=p.number, description=p.description) for p in records]


def _locations(records: tuple[LocationRecord, ...]) -> list[Location]:
    return [
        Location(
            name=r.name, address=r.address, postal_code=r.postal_code, city=r.city,
            latitude=r.latitude, longitude=r.longitude,
        )
        for r in records
    ]


def apply_record(service: Service, record: ServiceRecord, categories: dict[str, Category], is_example: bool) -> None:
    """Set every field of the service from the record (collections are replaced as a whole)."""
    service.name = record.name
    service.alternate_name = record.alternate_name
    service.kind = record.kind
    service.status = record.status
    service.description = record.description
    service.url = record.url
    service.email = record.email
    service.application_process = record.application_process
    service.fees_description = record.fees_description
    service.cost = record.cost
    service.target_group = record.target_group
    service.eligibility_description = record.eligibility_description
    service.interpretation_services = record.interpretation_services
    service.recognition = record.recognition
    service.alert = record.alert
    service.is_national = record.is_national
    service.is_example = is_example
    service.response_days = record.response_days
    service.assured_date = record.assured_date
    service.assurer = record.assurer
    service.categories = [categories[code] for code in record.categories]
    kept = {a.municipality_code: a for a in service.areas}
    service.areas = [kept.get(code) or ServiceArea(municipality_code=code) for code in record.areas]
    # Rows for values that stay are kept: a new row next to the old one breaks the unique key.
    if {l.code for l in service.languages} != set(record.languages):
        kept_languages = {l.code: l for l in service.languages}
        service.languages = [kept_languages.get(code) or ServiceLanguage(code=code) for code in record.languages]
    if {p.phase for p in service.phases} != set(record.phases):
        kept_phases = {p.phase: p for p in service.phases}
        service.phases = [kept_phases.get(phase) or ServicePhase(phase=phase) for phase in record.phases]
    if [(p.number, p.description) for p in service.phones] != [(p.number, p.description) for p in record.phones]:
        service.phones = _phones(record.phones)
    current_locations = [LocationRecord(l.name, l.address, l.postal_code, l.city, l.latitude, l.longitude) for l in service.locations]
    if current_locations != list(record.locations):
        service.locations = _locations(record.locations)


def _apply_organisation(
    session: Session, record: OrganisationRecord, categories: dict[str, Category], now: datetime
) -> tuple[list[Service], int]:
    organisation = session.get(Organisation, record.id) or Organisation(id=record.id)
    renamed = organisation.name != record.name
    organisation.slug = record.slug
    organisation.name = record.name
    organisation.alternate_name = record.alternate_name
    organisation.description = record.description
    organisation.website = record.website
    organisation.email = record.email
    organisation.is_example = record.is_example
    if [(p.number, p.description) for p in organisation.phones] != [(p.number, p.description) for p in record.phones]:
        organisation.phones = _phones(record.phones)
    session.add(organisation)
    existing = {s.id: s for s in organisation.services}
    changed: list[Service] = []
    for service_record in record.services:
        service = existing.pop(service_record.id, None)
        is_new = service is None
        if service is None:
            service = session.get(Service, service_record.id) or Service(id=service_record.id)
            organisation.services.append(service)
        before = directory_changes.snapshot(None if is_new else service)
        apply_record(service, service_record, categories, record.is_example)
        action = "create" if is_new else "import"
        if directory_changes.record(session, service, before, action, IMPORTED_BY, now) or renamed:
            changed.append(service)
    for service in existing.values():  # left the file: retire
        if service.status != "defunct":
            before = directory_changes.snapshot(service)
            service.status = "defunct"
            directory_changes.record(session, service, before, "retire", IMPORTED_BY, now)
            changed.append(service)
    return changed, len(existing)


def import_kaart(session: Session, kaart: Kaart) -> ImportCounts:
    categories = {c.code: c for c in session.scalars(select(Category))}
    for record in kaart.categories:
        category = categories.get(record.code) or Category(code=record.code)
        category.name, category.description = record.name, record.description
        categories[record.code] = category
        session.add(category)
    now = utcnow()
    changed: list[Service] = []
    retired = 0
    for record in kaart.organisations:
        services, gone = _apply_organisation(session, record, categories, now)
        changed.extend(services)
        retired += gone
    session.flush()
    if changed:
        directory_changes.bump(session, changed)
    return ImportCounts(
        organisations=len(kaart.organisations),
        services=sum(len(o.services) for o in kaart.organisations),
        changed=len(changed),
        retired=retired,
    )
