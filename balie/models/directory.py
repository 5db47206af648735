"""The sociale kaart (directory), aligned with Open Referral HSDS 3.0.

organisation 1—n service; service n—n gemeente (service area); service 1—n phone,
language; service n—n category (taxonomy term). Ids are UUIDs as HSDS requires.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from balie.domain.directory import SERVICE_KIND_HOME_VISIT
from balie.models.base import Base, UTCDateTime, new_uuid, utcnow
from balie.models.reference import Municipality

__all__ = [
    "SERVICE_KIND_HOME_VISIT",
    "Category",
    "Location",
    "Organisation",
    "Phone",
    "SearchVersion",
    "Service",
    "ServiceChange",
    "ServiceFileValue",
    "ServicePhase",
]

service_category = Table(
    "service_category",
    Base.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column("category_code", ForeignKey("category.code"), primary_key=True),
)


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    slug: Mapped[str] = mapped_column(String(80), unique=True)  # the YAML file name
    name: Mapped[str] = mapped_column(String(200))
    alternate_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))
    is_example: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    services: Mapped[list[Service]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Service.name"
    )
    # Organisation-wide numbers; a service's own numbers hang on the service.
    phones: Mapped[list[Phone]] = relationship(back_populates="organisation", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Category(Base):
    """A term of the directory's own taxonomy (HSDS taxonomy_term)."""

    __tablename__ = "category"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<Category {self.code}>"


class Service(Base):
    __tablename__ = "service"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    alternate_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="general", index=True)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    url: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    application_process: Mapped[str] = mapped_column(Text, default="")  # how to refer: the next step
    fees_description: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[str] = mapped_column(String(16), default="free")  # free / contribution / insured / varies
    target_group: Mapped[str] = mapped_column(Text, default="")  # for whom
    eligibility_description: Mapped[str] = mapped_column(Text, default="")
    interpretation_services: Mapped[str] = mapped_column(Text, default="")
    # Databank Effectieve Jeugdinterventies (NJi): well_founded / effective_first / effective_good /
    # effective_strong, or empty when not assessed.
    recognition: Mapped[str | None] = mapped_column(String(24))
    recognition_year: Mapped[int | None] = mapped_column(Integer)  # when that recognition was given
    alert: Mapped[str] = mapped_column(Text, default="")  # waiting time, temporary notices
    # A translation by the editors for parents who read English: the name and one line, shown
    # (marked as a translation) beside the Dutch content on pages in another language.
    summary_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    is_national: Mapped[bool] = mapped_column(default=False)  # offered in every gemeente
    is_example: Mapped[bool] = mapped_column(default=False)  # demo data, clearly marked
    # Home visit only: within how many working days the organisation makes contact.
    response_days: Mapped[int | None] = mapped_column(Integer)
    assured_date: Mapped[date | None] = mapped_column(Date)  # last checked
    assurer: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The directory version at its last change: search indexes catch up from here.
    index_version: Mapped[int] = mapped_column(Integer, default=0, index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="services")
    areas: Mapped[list[ServiceArea]] = relationship(back_populates="service", cascade="all, delete-orphan")
    phones: Mapped[list[Phone]] = relationship(back_populates="service", cascade="all, delete-orphan")
    languages: Mapped[list[ServiceLanguage]] = relationship(back_populates="service", cascade="all, delete-orphan")
    categories: Mapped[list[Category]] = relationship(secondary=service_category)
    phases: Mapped[list[ServicePhase]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ServicePhase.phase"
    )
    locations: Mapped[list[Location]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="Location.name"
    )

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.kind} {self.status}>"


class ServiceArea(Base):
    """HSDS service_area: here one CBS gemeente per row."""

    __tablename__ = "service_area"
    __table_args__ = (UniqueConstraint("service_id", "municipality_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)

    service: Mapped[Service] = relationship(back_populates="areas")
    municipality: Mapped[Municipality] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ServiceArea {self.service_id} {self.municipality_code}>"


class Phone(Base):
    __tablename__ = "phone"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200), default="")

    organisation: Mapped[Organisation | None] = relationship(back_populates="phones")
    service: Mapped[Service | None] = relationship(back_populates="phones")

    def __repr__(self) -> str:
        return f"<Phone {self.id}>"


class ServiceLanguage(Base):
    """A language the service is offered in (without an interpreter), ISO 639 code."""

    __tablename__ = "service_language"
    __table_args__ = (UniqueConstraint("service_id", "code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(8))

    service: Mapped[Service] = relationship(back_populates="languages")

    def __repr__(self) -> str:
        return f"<ServiceLanguage {self.code}>"


class ServicePhase(Base):
    """When in the journey the service helps: before pregnancy … the first year and later."""

    __tablename__ = "service_phase"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    phase: Mapped[str] = mapped_column(String(20), primary_key=True)

    service: Mapped[Service] = relationship(back_populates="phases")

    def __repr__(self) -> str:
        return f"<ServicePhase {self.phase}>"


class Location(Base):
    """HSDS location with its (physical) address; coordinates are optional."""

    __tablename__ = "location"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    latitude: Mapped[float | None] = mapped_column()
    longitude: Mapped[float | None] = mapped_column()

    service: Mapped[Service] = relationship(back_populates="locations")

    def __repr__(self) -> str:
        return f"<Location {self.id}>"


class ServiceChange(Base):
    """One changed field of a service: who, when, old → new (HSDS metadata)."""

    __tablename__ = "service_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(16))  # create / update / retire / verify / import
    field_name: Mapped[str] = mapped_column(String(40))
    previous_value: Mapped[str] = mapped_column(Text, default="")
    replacement_value: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(200))  # user name and id, or "import"

    service: Mapped[Service] = relationship()  # also orders the INSERTs after the service's

    def __repr__(self) -> str:
        return f"<ServiceChange {self.service_id} {self.field_name}>"


class ServiceFileValue(Base):
    """What the sociale kaart files last said of one field of a service, as the history writes it.

    The base of the three-way comparison an import makes: a field whose value in the database
    differs from this was changed on the site (by an editor), and an import keeps it.
    """

    __tablename__ = "service_file_value"

    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    field_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")

    service: Mapped[Service] = relationship()  # also orders the INSERTs after the service's

    def __repr__(self) -> str:
        return f"<ServiceFileValue {self.service_id} {self.field_name}>"


class SearchVersion(Base):
    """Per search index a counter, bumped with every change to what it indexes.

    Each app node's copy of the index records the version it reflects and catches up when the
    database holds a newer one.
    """

    __tablename__ = "search_version"

    index_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<SearchVersion {self.index_name} {self.version}>"
