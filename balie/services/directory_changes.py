"""Change history and versioning of the directory.

Every change to a service is recorded field by field (who, when, old → new: HSDS metadata),
and bumps the directory version, which search indexes on every app node follow.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.models import Service, ServiceChange
from balie.services import search_versions

# Fields whose history is kept, as (name shown in the history, how to read it from a Service).
TRACKED = {
    "name": lambda s: s.name,
    "alternate_name": lambda s: s.alternate_name or "",
    "status": lambda s: s.status,
    "description": lambda s: s.description,
    "target_group": lambda s: s.target_group,
    "eligibility": lambda s: s.eligibility_description,
    "application_process": lambda s: s.application_process,
    "fees": lambda s: s.fees_description,
    "cost": lambda s: s.cost,
    "recognition": lambda s: s.recognition or "",
    "alert": lambda s: s.alert,
    "interpretation": lambda s: s.interpretation_services,
    "url": lambda s: s.url or "",
    "email": lambda s: s.email or "",
    "areas": lambda s: "national" if s.is_national else ",".join(sorted(a.municipality_code for a in s.areas)),
    "languages": lambda s: ",".join(sorted(language.code for language in s.languages)),
    "categories": lambda s: ",".join(sorted(c.code for c in s.categories)),
    "phases": lambda s: ",".join(sorted(p.phase for p in s.phases)),
    "phones": lambda s: "; ".join(f"{p.number} {p.description}".strip() for p in s.phones),
    "locations": lambda s: "; ".join(
        ", ".join(filter(None, (loc.name, loc.address, loc.postal_code, loc.city))) for loc in s.locations
    ),
    "last_checked": lambda s: f"{s.assured_date.isoformat() if s.assured_date else ''} {s.assurer or ''}".strip(),
}


def snapshot(service: Service | None) -> dict[str, str]:
    if service is None:
        return {}
    return {name: read(service) for name, read in TRACKED.items()}


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
