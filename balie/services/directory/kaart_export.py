"""Writing the directory back to sociale kaart files (YAML, one per organisation).

The inverse of ``kaart_files.read_kaart``: reading the written folder gives the same
records, so editors' changes made on the site can be taken back into the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from balie.domain.directory import PhoneRecord, ServiceRecord
from balie.models import Category, Organisation, Service
from balie.services.directory.kaart_files import CATEGORIES_FILE, NATIONAL, ORGANISATIONS_DIR
from balie.services.directory.records import record_of


class _Dumper(yaml.SafeDumper):
    """Long texts as folded blocks; keys in the order written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > 80 and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _phones(phones: tuple[PhoneRecord, ...]) -> list[dict[str, str]]:
    return [{"number": p.number, **({"description": p.description} if p.description else {})} for p in phones]


def service_document(record: ServiceRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": record.id, "name": record.name}
    optional: list[tuple[str, Any]] = [
        ("alternate_name", record.alternate_name),
        ("kind", record.kind),
        ("status", record.status),
        ("description", record.description),
        ("target_group", record.target_group),
        ("eligibility", record.eligibility_description),
        ("application_process", record.application_process),
        ("phases", list(record.phases)),
        ("cost", record.cost),
        ("fees", record.fees_description),
        ("recognition", record.recognition),
        ("recognition_year", record.recognition_year),
        ("alert", record.alert),
        ("summary_en", record.summary_en),
        ("interpretation", record.interpretation_services),
        ("response_days", record.response_days),
        ("areas", NATIONAL if record.is_national else list(record.areas)),
        ("languages", list(record.languages)),
        ("categories", list(record.categories)),
        ("url", record.url),
        ("email", record.email),
        ("phones", _phones(record.phones)),
        (
            "locations",
            [
                {
                    key: value
                    for key, value in (
                        ("name", loc.name),
                        ("address", loc.address),
                        ("postal_code", loc.postal_code),
                        ("city", loc.city),
                        ("latitude", loc.latitude),
                        ("longitude", loc.longitude),
                    )
                    if value not in (None, "")
                }
                for loc in record.locations
            ],
        ),
    ]
    for key, value in optional:
        if value not in (None, "", [], ()):
            doc[key] = value
    if record.assured_date:
        doc["last_checked"] = {
            "date": record.assured_date.isoformat(),
            **({"by": record.assurer} if record.assurer else {}),
        }
    return doc


def organisation_document(organisation: Organisation) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": organisation.id, "name": organisation.name}
    for key, value in (
        ("alternate_name", organisation.alternate_name),
        ("description", organisation.description),
        ("website", organisation.website),
        ("email", organisation.email),
        ("example", organisation.is_example or None),
        ("phones", _phones(tuple(PhoneRecord(p.number, p.description) for p in organisation.phones))),
    ):
        if value not in (None, "", [], ()):
            doc[key] = value
    doc.setdefault("description", "")
    doc["services"] = [service_document(record_of(service)) for service in organisation.services]
    return doc


def export_folder(session: Session, folder: Path | str) -> int:
    """Write categories.yaml and one file per organisation; returns the number of files."""
    folder = Path(folder)
    (folder / ORGANISATIONS_DIR).mkdir(parents=True, exist_ok=True)
    categories = [
        {"code": c.code, "name": c.name, **({"description": c.description} if c.description else {})}
        for c in session.scalars(select(Category).order_by(Category.code))
    ]
    with open(folder / CATEGORIES_FILE, "w", encoding="utf-8") as handle:
        yaml.dump(categories, handle, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    organisations = session.scalars(
        select(Organisation)
        .options(selectinload(Organisation.services).selectinload(Service.areas))
        .order_by(Organisation.slug)
    ).all()
    for organisation in organisations:
        with open(folder / ORGANISATIONS_DIR / f"{organisation.slug}.yaml", "w", encoding="utf-8") as handle:
            yaml.dump(
                organisation_document(organisation),
                handle,
                Dumper=_Dumper,
                allow_unicode=True,
                sort_keys=False,
                width=100,
            )
    return len(organisations) + 1
