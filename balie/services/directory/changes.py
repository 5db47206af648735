"""Change history and versioning of the directory.

Every change to a service is recorded field by field (who, when, old → new: HSDS metadata),
and bumps the directory version, which search indexes on every app node follow. The same
field texts are what an import compares to decide who owns a field (directory_ownership).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.domain.directory import ServiceRecord
from balie.models import Category, Municipality, Service, ServiceChange
from balie.services import search_versions
from balie.services.directory.records import record_of


@dataclass(frozen=True)
class TrackedField:
    """A field whose history is kept: the record attributes it is made of, and how the history writes it."""

    attributes: tuple[str, ...]
    text: Callable[[ServiceRecord], str]


def _plain(attribute: str) -> TrackedField:
    return TrackedField((attribute,), lambda record: getattr(record, attribute) or "")


def _codes(attribute: str) -> TrackedField:
    return TrackedField((attribute,), lambda record: ",".join(sorted(getattr(record, attribute))))


# The fields of a service whose history is kept, by the name the history shows.
FIELDS: dict[str, TrackedField] = {
    "name": _plain("name"),
    "alternate_name": _plain("alternate_name"),
    "status": _plain("status"),
    "description": _plain("description"),
    "target_group": _plain("target_group"),
    "eligibility": _plain("eligibility_description"),
    "application_process": _plain("application_process"),
    "fees": _plain("fees_description"),
    "cost": _plain("cost"),
    "recognition": TrackedField(
        ("recognition", "recognition_year"),
        lambda r: f"{r.recognition or ''} {r.recognition_year or ''}".strip(),
    ),
    "alert": _plain("alert"),
    "summary_en": _plain("summary_en"),
    "interpretation": _plain("interpretation_services"),
    "url": _plain("url"),
    "email": _plain("email"),
    "areas": TrackedField(
        ("areas", "is_national"), lambda r: "national" if r.is_national else ",".join(sorted(r.areas))
    ),
    "languages": _codes("languages"),
    "categories": _codes("categories"),
    "phases": _codes("phases"),
    "phones": TrackedField(("phones",), lambda r: "; ".join(f"{p.number} {p.description}".strip() for p in r.phones)),
    "locations": TrackedField(
        ("locations",),
        lambda r: "; ".join(
            ", ".join(filter(None, (loc.name, loc.address, loc.postal_code, loc.city))) for loc in r.locations
        ),
    ),
    "last_checked": TrackedField(
        ("assured_date", "assurer"),
        lambda r: f"{r.assured_date.isoformat() if r.assured_date else ''} {r.assurer or ''}".strip(),
    ),
}
# Which organisation offers it (by name): not a field of the record, an editor can change it.
ORGANISATION = "organisation"


def values(record: ServiceRecord, organisation_name: str) -> dict[str, str]:
    """Every tracked field as the history writes it."""
    return {**{name: field.text(record) for name, field in FIELDS.items()}, ORGANISATION: organisation_name}


def snapshot(service: Service | None) -> dict[str, str]:
    if service is None:
        return {}
    return values(record_of(service), service.organisation.name if service.organisation else "")


def record(
    session: Session, service: Service, before: dict[str, str], action: str, changed_by: str, now: datetime
) -> list[ServiceChange]:
    after = snapshot(service)
    changes = [
        ServiceChange(
            service=service,
            changed_at=now,
            action=action,
            field_name=name,
            previous_value=before.get(name, ""),
            replacement_value=value,
            changed_by=changed_by,
        )
        for name, value in after.items()
        if before.get(name, "") != value
    ]
    session.add_all(changes)
    return changes


INDEX_NAME = "sociale-kaart"


def bump(session: Session, services: list[Service]) -> int:
    """Raise the directory version and stamp the services with it (in the same transaction)."""
    version = search_versions.bump(session, INDEX_NAME)
    for service in services:
        service.index_version = version
    session.flush()
    return version


def current_version(session: Session) -> int:
    return search_versions.current(session, INDEX_NAME)


def history(session: Session, service_id: str) -> list[ServiceChange]:
    return list(
        session.scalars(
            select(ServiceChange)
            .where(ServiceChange.service_id == service_id)
            .order_by(ServiceChange.changed_at.desc(), ServiceChange.id.desc())
        )
    )


def value_names(session: Session, changes: Iterable[ServiceChange]) -> dict[str, dict[str, str]]:
    """The names of the gemeenten ("areas") and topics ("categories") that the changes' values hold
    by code, by field and code: one query each for the whole history, not one per value shown."""
    codes: dict[str, set[str]] = {"areas": set(), "categories": set()}
    for change in changes:
        if change.field_name in codes:
            for value in (change.previous_value, change.replacement_value):
                codes[change.field_name].update(code for code in value.split(",") if code)
    areas = select(Municipality.code, Municipality.name).where(Municipality.code.in_(codes["areas"]))
    categories = select(Category.code, Category.name).where(Category.code.in_(codes["categories"]))
    return {
        "areas": {row.code: row.name for row in session.execute(areas)} if codes["areas"] else {},
        "categories": {row.code: row.name for row in session.execute(categories)} if codes["categories"] else {},
    }
