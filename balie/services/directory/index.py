"""The sociale kaart's search index: schema, documents, full rebuild and catch-up.

The database is the truth. Each service is one document; the index records which directory
version it reflects and catches up with the services changed since (``index_version``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

from balie.models import Service, ServiceArea
from balie.search import indexing
from balie.search.analysis import dutch_analyzer
from balie.search.indexing import IndexSource
from balie.search.store import IndexStore
from balie.services.directory import changes as directory_changes

NATIONAL = "national"
NO_DATE = 0


def schema() -> Schema:
    analyzer = dutch_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        name=TEXT(analyzer=analyzer, field_boost=4.0),
        alternate=TEXT(analyzer=analyzer, field_boost=2.0),
        organisation=TEXT(analyzer=analyzer, field_boost=1.5),
        topics=TEXT(analyzer=analyzer, field_boost=2.0),
        body=TEXT(analyzer=analyzer),
        categories=KEYWORD(commas=True, stored=True),
        phases=KEYWORD(commas=True, stored=True),
        gemeenten=KEYWORD(commas=True, stored=True),
        languages=KEYWORD(commas=True, stored=True),
        cost=ID(stored=True),
        status=ID(stored=True),
        recognition=ID(stored=True),
        name_sort=ID(stored=True, sortable=True),
        checked=NUMERIC(stored=True, sortable=True, bits=32),
    )


TEXT_FIELDS = ("name", "alternate", "organisation", "topics", "body")
FACET_FIELDS = ("categories", "phases", "gemeenten", "languages", "cost", "status", "recognition")


def document(service: Service) -> dict[str, str | int]:
    body = " ".join(
        part
        for part in (
            service.description,
            service.target_group,
            service.eligibility_description,
            service.application_process,
            service.alert,
        )
        if part
    )
    return {
        "id": service.id,
        "name": service.name,
        "alternate": service.alternate_name or "",
        "organisation": service.organisation.name,
        "topics": " ".join(f"{c.name} {c.description}" for c in service.categories),
        "body": body,
        "categories": ",".join(c.code for c in service.categories),
        "phases": ",".join(p.phase for p in service.phases),
        "gemeenten": NATIONAL if service.is_national else ",".join(a.municipality_code for a in service.areas),
        "languages": ",".join(language.code for language in service.languages),
        "cost": service.cost,
        "status": service.status,
        "recognition": service.recognition or "none",
        "name_sort": service.name.casefold(),
        "checked": service.assured_date.toordinal() if service.assured_date else NO_DATE,
    }


def _services(session: Session, since_version: int | None = None) -> list[Service]:
    query = select(Service).options(
        selectinload(Service.organisation),
        selectinload(Service.categories),
        selectinload(Service.phases),
        selectinload(Service.areas).load_only(ServiceArea.municipality_code),
        selectinload(Service.languages),
    )
    if since_version is not None:
        query = query.where(Service.index_version > since_version)
    return list(session.scalars(query.order_by(Service.id)))


def _documents(session: Session, since_version: int | None) -> Iterator[tuple[dict[str, str | int], int]]:
    for service in _services(session, since_version):
        yield document(service), service.index_version


SOURCE = IndexSource(schema=schema, current_version=directory_changes.current_version, documents=_documents)


def rebuild(session: Session, store: IndexStore) -> int:
    """Write a complete new generation and switch to it. Returns the number of documents."""
    return indexing.rebuild(session, store, SOURCE)


def catch_up(session: Session, store: IndexStore) -> int:
    """Apply the services changed since the index's version; build the index if there is none."""
    return indexing.catch_up(session, store, SOURCE)


def is_stale(checked: date | None, today: date) -> bool:
    """Not checked for 12 months: shown with a warning."""
    return checked is None or (today - checked).days > 365
