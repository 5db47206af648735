"""The directory's records as plain values: what a sociale kaart file describes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SERVICE_KIND_HOME_VISIT = "phb"
SERVICE_KINDS = ("phb", "general")
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
# When in the journey a service helps (Kansrijke Start: before, during and after pregnancy).
PHASES = ("before_pregnancy", "pregnancy", "maternity", "first_year", "later")
COSTS = ("free", "contribution", "insured", "varies")
# Levels of the Databank Effectieve Jeugdinterventies (NJi), lowest first.
RECOGNITION_LEVELS = ("well_founded", "effective_first", "effective_good", "effective_strong")


@dataclass(frozen=True)
class LocationRecord:
    name: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class PhoneRecord:
    number: str
    description: str = ""


@dataclass(frozen=True)
class ServiceRecord:
    id: str
    name: str
    kind: str
    status: str
    description: str
    areas: tuple[str, ...]
    alternate_name: str | None = None
    url: str | None = None
    email: str | None = None
    application_process: str = ""
    fees_description: str = ""
    response_days: int | None = None
    languages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    phones: tuple[PhoneRecord, ...] = ()
    assured_date: date | None = None
    assurer: str | None = None
    target_group: str = ""
    eligibility_description: str = ""
    interpretation_services: str = ""
    phases: tuple[str, ...] = ()
    cost: str = "free"
    recognition: str | None = None
    # The year the Erkenningscommissie Interventies gave that recognition (shown beside it).
    recognition_year: int | None = None
    alert: str = ""
    # The editors' English name and one line (a translation; the Dutch fields are the source).
    summary_en: str = ""
    is_national: bool = False
    locations: tuple[LocationRecord, ...] = ()


@dataclass(frozen=True)
class OrganisationRecord:
    id: str
    slug: str
    name: str
    description: str
    services: tuple[ServiceRecord, ...]
    alternate_name: str | None = None
    website: str | None = None
    email: str | None = None
    is_example: bool = False
    phones: tuple[PhoneRecord, ...] = ()


@dataclass(frozen=True)
class CategoryRecord:
    code: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Kaart:
    """Everything in the sociale_kaart folder, validated."""

    categories: tuple[CategoryRecord, ...]
    organisations: tuple[OrganisationRecord, ...] = field(default=())


@dataclass(frozen=True)
class KaartProblem:
    """One problem in one file: where (file, entry, field) and what."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.entry, self.field) if part)
        return f"{where}: {self.message}"


class KaartInvalid(Exception):
    def __init__(self, problems: list[KaartProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
