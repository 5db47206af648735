"""Bring the database's directory in line with validated records (from YAML files or HSDS JSON)
without losing what editors changed on the site.

Services are matched by id. Per field, ``directory_ownership`` decides: a field nobody changed on
the site takes the file's value (history action "import"); a field an editor changed keeps her
value; a field changed on the site *and* in the file is a conflict, reported by file, entry and
field, and keeps her value unless the import is forced (history action "overwrite", naming who
forced it). Every change bumps the directory version so search indexes catch up; an import that
changes nothing writes nothing.

A service that left its organisation's file is retired (status defunct), never deleted:
registrations may point to it. Not when an editor changed it on the site (kept, reported as a
conflict) or made it there (it never was in the files).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import or_, select
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
from balie.services.directory import changes as directory_changes
from balie.services.directory.changes import FIELDS, ORGANISATION
from balie.services.directory.kaart_files import ORGANISATIONS_DIR
from balie.services.directory.ownership import FILES_IMPORT, FileValues, Outcome, decide
from balie.services.directory.records import record_of


@dataclass(frozen=True)
class ImportSource:
    """Where the records come from, and so who the history names and whether the files own fields."""

    changed_by: str
    is_files: bool  # the sociale kaart files: their values become the base of the next import
    file_label: str = ""  # an HSDS list: its file name, in reports

    def place(
        self, organisation: OrganisationRecord, index: int | None, name: str, service_id: str, field: str = ""
    ) -> Place:
        if not self.is_files:
            return Place(self.file_label, f"service {service_id} ({name})", field)
        entry = f"services[{index}] ({name})" if index is not None else f"service {service_id} ({name})"
        return Place(f"{ORGANISATIONS_DIR}/{organisation.slug}.yaml", entry, field)

    def forced_by(self, operator: str) -> str:
        return f"{self.changed_by} --force-files ({operator})"


FILES = ImportSource(FILES_IMPORT, is_files=True)


def hsds_list(file_label: str) -> ImportSource:
    """An HSDS service list: it does not own fields (it is a copy of a database, not the files)."""
    return ImportSource("import-hsds", is_files=False, file_label=file_label)


class ConflictKind(enum.Enum):
    CHANGED_ON_BOTH = "changed_on_both"
    NOT_KNOWN = "not_known"
    LEFT_THE_FILE = "left_the_file"


_MESSAGES = {
    (
        ConflictKind.CHANGED_ON_BOTH,
        False,
    ): "changed in the file and by an editor on the site; the editor's value is kept",
    (ConflictKind.NOT_KNOWN, False): "differs from the value on the site, and it is not known which is newer; "
    "the site's value is kept",
    (ConflictKind.LEFT_THE_FILE, False): "is no longer in the file, but an editor changed it on the site; it is kept",
    (ConflictKind.CHANGED_ON_BOTH, True): "changed in the file and by an editor on the site; "
    "the file's value replaced the editor's (forced)",
    (ConflictKind.NOT_KNOWN, True): "differs from the value on the site; the file's value replaced it (forced)",
    (
        ConflictKind.LEFT_THE_FILE,
        True,
    ): "is no longer in the file; retired although an editor changed it on the site (forced)",
}


@dataclass(frozen=True)
class Place:
    """Where in the files, as ``kaart validate`` names it: file, entry and field (never a value)."""

    file: str
    entry: str
    field: str = ""

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.entry, self.field) if part)


@dataclass(frozen=True)
class Conflict:
    """A field (or an entry) the file and the site both changed."""

    place: Place
    kind: ConflictKind
    forced: bool

    def __str__(self) -> str:
        return f"{self.place}: {_MESSAGES[(self.kind, self.forced)]}"


@dataclass(frozen=True)
class ImportCounts:
    organisations: int
    services: int
    changed: int
    retired: int
    kept: tuple[Place, ...] = ()  # fields an editor changed on the site and the file did not: hers stay
    conflicts: tuple[Conflict, ...] = field(default=())


def _phones(records: tuple[PhoneRecord, ...]) -> list[Phone]:
    return [Phone(number=p.number, description=p.description) for p in records]


def _locations(records: tuple[LocationRecord, ...]) -> list[Location]:
    return [
        Location(
            name=r.name,
            address=r.address,
            postal_code=r.postal_code,
            city=r.city,
            latitude=r.latitude,
            longitude=r.longitude,
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
    service.recognition_year = record.recognition_year
    service.summary_en = record.summary_en
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
    if {language.code for language in service.languages} != set(record.languages):
        kept_languages = {language.code: language for language in service.languages}
        service.languages = [kept_languages.get(code) or ServiceLanguage(code=code) for code in record.languages]
    if {p.phase for p in service.phases} != set(record.phases):
        kept_phases = {p.phase: p for p in service.phases}
        service.phases = [kept_phases.get(phase) or ServicePhase(phase=phase) for phase in record.phases]
    if [(p.number, p.description) for p in service.phones] != [(p.number, p.description) for p in record.phones]:
        service.phones = _phones(record.phones)
    current_locations = [
        LocationRecord(loc.name, loc.address, loc.postal_code, loc.city, loc.latitude, loc.longitude)
        for loc in service.locations
    ]
    if current_locations != list(record.locations):
        service.locations = _locations(record.locations)


def _merged(from_file: ServiceRecord, on_site: ServiceRecord, keep: set[str]) -> ServiceRecord:
    """The file's record with the fields in ``keep`` as the site has them."""
    return replace(
        from_file,
        **{
            attribute: getattr(on_site, attribute)
            for name in keep
            if name in FIELDS
            for attribute in FIELDS[name].attributes
        },
    )


def _apply_organisation(session: Session, record: OrganisationRecord) -> tuple[Organisation, bool]:
    """The organisation's own fields come from the file (editors do not change them on the site)."""
    organisation = session.get(Organisation, record.id) or Organisation(id=record.id)
    renamed = organisation.name is not None and organisation.name != record.name
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
    return organisation, renamed


@dataclass
class _Import:
    session: Session
    source: ImportSource
    force: bool
    forced_by: str
    categories: dict[str, Category]
    bases: FileValues
    now: datetime
    changed: dict[str, Service] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[Place] = field(default_factory=list)
    retired: int = 0

    def _apply(
        self, service: Service, record: ServiceRecord, is_example: bool, organisation: Organisation | None
    ) -> None:
        apply_record(service, record, self.categories, is_example)
        if organisation is not None and service.organisation is not organisation:
            service.organisation = organisation

    def _history(self, service: Service, before: dict[str, str], action: str, changed_by: str) -> None:
        if directory_changes.record(self.session, service, before, action, changed_by, self.now):
            self.changed[service.id] = service

    def create(self, organisation: Organisation, org_record: OrganisationRecord, record: ServiceRecord) -> None:
        service = Service(id=record.id)
        organisation.services.append(service)
        apply_record(service, record, self.categories, org_record.is_example)
        self._history(service, {}, "create", self.source.changed_by)
        if self.source.is_files:
            self.bases.remember(service, directory_changes.values(record, org_record.name))

    def update(
        self,
        service: Service,
        organisation: Organisation,
        org_record: OrganisationRecord,
        index: int,
        record: ServiceRecord,
    ) -> None:
        on_site = directory_changes.snapshot(service)
        from_file = directory_changes.values(record, org_record.name)
        taken: set[str] = set()
        forced: set[str] = set()
        new_bases: dict[str, str] = {}
        for name, file_value in from_file.items():
            base = self.bases.base(service.id, name, on_site[name])
            outcome = decide(file_value, on_site[name], base)
            if outcome in (Outcome.SAME, Outcome.FROM_FILE):
                taken.add(name)
                new_bases[name] = file_value
                continue
            if base is not None:
                new_bases[name] = base  # a base read from the history is stored from now on
            place = self.source.place(org_record, index, record.name, record.id, name)
            if outcome is Outcome.KEPT:
                self.kept.append(place)
                continue
            kind = ConflictKind.CHANGED_ON_BOTH if base is not None else ConflictKind.NOT_KNOWN
            self.conflicts.append(Conflict(place, kind, self.force))
            if self.force:
                forced.add(name)
                new_bases[name] = file_value
        site_record = record_of(service)
        before = on_site
        self._apply(
            service,
            _merged(record, site_record, set(from_file) - taken),
            org_record.is_example,
            organisation if ORGANISATION in taken else None,
        )
        self._history(service, before, "import", self.source.changed_by)
        if forced:
            before = directory_changes.snapshot(service)
            self._apply(
                service,
                _merged(record, site_record, set(from_file) - taken - forced),
                org_record.is_example,
                organisation if ORGANISATION in taken | forced else None,
            )
            self._history(service, before, "overwrite", self.forced_by)
        if self.source.is_files:
            self.bases.remember(service, new_bases)

    def left_the_file(self, service: Service, org_record: OrganisationRecord) -> None:
        if service.status == "defunct" or self.bases.made_on_site(service.id):
            return  # already retired, or never in the files
        before = directory_changes.snapshot(service)
        changed_on_site = any(self.bases.base(service.id, name, value) != value for name, value in before.items())
        if changed_on_site:
            place = self.source.place(org_record, None, service.name, service.id)
            self.conflicts.append(Conflict(place, ConflictKind.LEFT_THE_FILE, self.force))
            if not self.force:
                return
        service.status = "defunct"
        self._history(service, before, "retire", self.forced_by if changed_on_site else self.source.changed_by)
        if self.source.is_files:
            self.bases.remember(service, {"status": "defunct"})
        self.retired += 1


def _categories(session: Session, kaart: Kaart) -> dict[str, Category]:
    categories = {c.code: c for c in session.scalars(select(Category))}
    for record in kaart.categories:
        category = categories.get(record.code) or Category(code=record.code)
        category.name, category.description = record.name, record.description
        categories[record.code] = category
        session.add(category)
    return categories


def import_kaart(
    session: Session, kaart: Kaart, source: ImportSource = FILES, *, force: bool = False, operator: str = ""
) -> ImportCounts:
    """Load the records; with ``force`` a conflict takes the file's value, the history naming ``operator``."""
    categories = _categories(session, kaart)
    organisations = {record.id: (record, *_apply_organisation(session, record)) for record in kaart.organisations}
    listed = {s.id: (org, index, s) for org in kaart.organisations for index, s in enumerate(org.services)}
    services = {
        s.id: s
        for s in session.scalars(
            select(Service).where(or_(Service.id.in_(list(listed)), Service.organisation_id.in_(list(organisations))))
        )
    }
    run = _Import(
        session,
        source,
        force,
        source.forced_by(operator or "unknown"),
        categories,
        FileValues(session, list(services)),
        utcnow(),
    )
    for service_id, (org_record, index, record) in listed.items():
        organisation = organisations[org_record.id][1]
        service = services.get(service_id)
        if service is None:
            run.create(organisation, org_record, record)
        else:
            run.update(service, organisation, org_record, index, record)
    for service in services.values():
        if service.id not in listed and service.organisation_id in organisations:
            run.left_the_file(service, organisations[service.organisation_id][0])
    for _record, organisation, renamed in organisations.values():
        if renamed:  # the organisation's name is searched with each of its services
            run.changed.update((s.id, s) for s in organisation.services)
    session.flush()
    if run.changed:
        directory_changes.bump(session, list(run.changed.values()))
    return ImportCounts(
        organisations=len(kaart.organisations),
        services=len(listed),
        changed=len(run.changed),
        retired=run.retired,
        kept=tuple(run.kept),
        conflicts=tuple(run.conflicts),
    )
