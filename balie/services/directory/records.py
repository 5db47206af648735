"""A service of the directory as a plain record: what a sociale kaart file says of it."""

from __future__ import annotations

from balie.domain.directory import LocationRecord, PhoneRecord, ServiceRecord
from balie.models import Service


def record_of(service: Service) -> ServiceRecord:
    """The service as a record (to fill the edit form, or to write it back to a file)."""
    return ServiceRecord(
        id=service.id,
        name=service.name,
        kind=service.kind,
        status=service.status,
        description=service.description,
        areas=tuple(sorted(a.municipality_code for a in service.areas)),
        alternate_name=service.alternate_name,
        url=service.url,
        email=service.email,
        application_process=service.application_process,
        fees_description=service.fees_description,
        response_days=service.response_days,
        languages=tuple(language.code for language in service.languages),
        categories=tuple(c.code for c in service.categories),
        phones=tuple(PhoneRecord(p.number, p.description) for p in service.phones),
        assured_date=service.assured_date,
        assurer=service.assurer,
        target_group=service.target_group,
        eligibility_description=service.eligibility_description,
        interpretation_services=service.interpretation_services,
        phases=tuple(p.phase for p in service.phases),
        cost=service.cost,
        recognition=service.recognition,
        recognition_year=service.recognition_year,
        alert=service.alert,
        summary_en=service.summary_en,
        is_national=service.is_national,
        locations=tuple(
            LocationRecord(loc.name, loc.address, loc.postal_code, loc.city, loc.latitude, loc.longitude)
            for loc in service.locations
        ),
    )
