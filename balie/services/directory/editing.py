"""Gemeente editors keep their gemeenten's offerings right: create, edit, retire, confirm.

An editor may work on a general (not home-visit) service that is offered in at least one of
her gemeenten; she can change which of HER gemeenten it covers, never the others. National
offerings and home-visit services (which drive routing) are for administrators. Every change
is recorded per field and bumps the directory version (search indexes follow).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from balie.domain.directory import SERVICE_KIND_HOME_VISIT, ServiceRecord
from balie.domain.errors import DomainError
from balie.models import Category, Organisation, Service, ServiceArea
from balie.models.base import new_uuid
from balie.services.directory import changes as directory_changes
from balie.services.directory.importing import apply_record
from balie.services.directory.records import record_of  # noqa: F401 - the edit form is filled from it

STALE_AFTER = timedelta(days=365)
_RECORD_COLLECTIONS = (Service.phones, Service.languages, Service.categories, Service.phases, Service.locations)
EDITABLE_STATUSES = ("active", "temporarily closed", "inactive")


class NotEditable(DomainError):
    code = "not_editable"


class AreaOutsideScope(DomainError):
    code = "area_outside_scope"


@dataclass(frozen=True)
class EditorScope:
    """What an editor may touch: her gemeenten, or everything for an administrator."""

    municipality_codes: frozenset[str]
    is_admin: bool
    label: str  # who, for the change history: "name (user id)"

    def can_edit(self, service: Service) -> bool:
        if self.is_admin:
            return True
        if service.is_national or service.kind == SERVICE_KIND_HOME_VISIT:
            return False
        return bool({a.municipality_code for a in service.areas} & self.municipality_codes)


def editable_services(session: Session, scope: EditorScope) -> list[Service]:
    query = select(Service).options(
        selectinload(Service.organisation),
        selectinload(Service.areas).joinedload(ServiceArea.municipality),
        # All a record holds, in a few queries (a spreadsheet compares thousands of them):
        *(selectinload(collection) for collection in _RECORD_COLLECTIONS),
    )
    if not scope.is_admin:
        query = query.join(ServiceArea).where(
            ServiceArea.municipality_code.in_(scope.municipality_codes),
            Service.kind != SERVICE_KIND_HOME_VISIT,
            Service.is_national.is_(False),
        )
    return sorted(set(session.scalars(query)), key=lambda s: (s.status != "active", s.name.casefold()))


def to_check(services: list[Service], today: date) -> list[Service]:
    """Active services not confirmed for a year (or never), oldest first."""
    stale = [
        s for s in services if s.status == "active" and (s.assured_date is None or today - s.assured_date > STALE_AFTER)
    ]
    return sorted(stale, key=lambda s: s.assured_date or date.min)


def get_editable(session: Session, scope: EditorScope, service_id: str) -> Service:
    service = session.get(Service, service_id)
    if service is None or not scope.can_edit(service):
        raise NotEditable()
    return service


def _areas_for(scope: EditorScope, existing: Service | None, chosen: tuple[str, ...]) -> tuple[str, ...]:
    if scope.is_admin:
        return chosen
    if not set(chosen) <= scope.municipality_codes:
        raise AreaOutsideScope()
    kept = {a.municipality_code for a in existing.areas} - scope.municipality_codes if existing else set()
    return tuple(sorted(kept | set(chosen)))


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "organisatie"


def organisation_for(session: Session, organisation_id: str | None, new_name: str | None) -> Organisation:
    if new_name:
        existing = session.scalar(select(Organisation).where(Organisation.name == new_name.strip()))
        if existing is not None:
            return existing
        slug, suffix = slugify(new_name), 1
        while session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
            suffix += 1
            slug = f"{slugify(new_name)}-{suffix}"
        organisation = Organisation(id=new_uuid(), slug=slug, name=new_name.strip(), description="")
        session.add(organisation)
        return organisation
    found = session.get(Organisation, organisation_id or "")
    if found is None:
        raise NotEditable("organisation_unknown")
    return found


def build(
    session: Session,
    scope: EditorScope,
    record: ServiceRecord,
    existing: Service | None,
    category_codes: set[str] | None = None,
) -> ServiceRecord:
    """Check the record against the editor's scope; returns it with the areas she may set."""
    if existing is not None and not scope.can_edit(existing):
        raise NotEditable()
    if not scope.is_admin and (record.kind == SERVICE_KIND_HOME_VISIT or record.is_national):
        raise NotEditable()
    areas = _areas_for(scope, existing, record.areas)
    if not areas and not record.is_national:
        raise AreaOutsideScope("areas_missing")
    if category_codes is None:
        category_codes = set(session.scalars(select(Category.code)))
    unknown = set(record.categories) - category_codes
    if unknown:
        raise NotEditable("category_unknown")
    return replace(record, areas=areas)


def save(
    session: Session,
    scope: EditorScope,
    record: ServiceRecord,
    organisation: Organisation,
    existing: Service | None,
    now: datetime,
) -> Service:
    service = _save_one(session, scope, record, organisation, existing, now)
    directory_changes.bump(session, [service])
    return service


def save_many(
    session: Session, scope: EditorScope, items: list[tuple[Service, ServiceRecord]], now: datetime
) -> list[Service]:
    """Changes to several existing offers at once (a spreadsheet upload): each checked and recorded
    per field exactly as a browser edit is; one flush and one version bump for all of them."""
    categories = {c.code: c for c in session.scalars(select(Category))}
    saved = []
    for existing, record in items:
        record = build(session, scope, record, existing, set(categories))
        before = directory_changes.snapshot(existing)
        apply_record(existing, record, categories, existing.organisation.is_example)
        directory_changes.record(session, existing, before, "update", scope.label, now)
        saved.append(existing)
    if saved:
        directory_changes.bump(session, saved)
    return saved


def _save_one(
    session: Session,
    scope: EditorScope,
    record: ServiceRecord,
    organisation: Organisation,
    existing: Service | None,
    now: datetime,
) -> Service:
    record = build(session, scope, record, existing)
    before = directory_changes.snapshot(existing)
    service = _apply(session, record, organisation, existing)
    directory_changes.record(session, service, before, "create" if existing is None else "update", scope.label, now)
    return service


def confirm_still_correct(session: Session, scope: EditorScope, service: Service, today: date, now: datetime) -> None:
    if not scope.can_edit(service):
        raise NotEditable()
    before = directory_changes.snapshot(service)
    service.assured_date = today
    service.assurer = scope.label
    directory_changes.record(session, service, before, "verify", scope.label, now)
    directory_changes.bump(session, [service])


def retire(session: Session, scope: EditorScope, service: Service, now: datetime) -> None:
    if not scope.can_edit(service):
        raise NotEditable()
    before = directory_changes.snapshot(service)
    service.status = "defunct"
    directory_changes.record(session, service, before, "retire", scope.label, now)
    directory_changes.bump(session, [service])


def preview(
    session: Session, scope: EditorScope, record: ServiceRecord, organisation: Organisation, existing: Service | None
) -> Service:
    """The service as it would be saved, for the preview page. The caller rolls back afterwards."""
    return _apply(session, build(session, scope, record, existing), organisation, existing)


def _apply(session: Session, record: ServiceRecord, organisation: Organisation, existing: Service | None) -> Service:
    categories = {c.code: c for c in session.scalars(select(Category))}  # before the new row exists
    service = existing or Service(id=record.id or new_uuid())
    apply_record(service, record, categories, organisation.is_example)
    service.organisation = organisation
    if existing is None:
        session.add(service)
    session.flush()
    return service
