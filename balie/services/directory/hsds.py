"""Open Referral HSDS 3.0: export the sociale kaart, and import such an export again.

The export is service-oriented (each service embeds its organisation, service areas,
languages, phones, locations, attributes and change metadata) and validates against the
HSDS 3.0 JSON Schemas. What HSDS has no field for travels as attributes with taxonomy terms
of our own taxonomies (topic, phase, cost, recognition, kind, target group), so importing an
export gives the same directory back.

Two audiences. The public export (open data, ``/sociale-kaart/hsds.json``) holds the active
services and nothing about the region's staff: no "checked by" and no change history, whose
``updated_by`` and "last checked" values name the editor and part of her user id. The region's
own backup (``flask kaart export-hsds``) holds everything, so that ``import-hsds`` restores the
directory as it was, including who checked each service last.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from balie.domain.directory import CategoryRecord, Kaart, LocationRecord, OrganisationRecord, PhoneRecord, ServiceRecord
from balie.domain.languages import contact_language
from balie.models import Category, Municipality, Organisation, PostcodeArea, Service, ServiceChange
from balie.services.directory.editing import slugify
from balie.services.directory.records import record_of

NAMESPACE = uuid.UUID("6f1d4c1e-3b0a-4f5e-9a51-5b0a1e2c7d90")
NATIONAL_URI = "urn:balie:national"
GEMEENTE_URI = "https://identifier.overheid.nl/tooi/id/gemeente/{code}"
TAXONOMIES = {
    "category": ("balie-onderwerp", "Onderwerp (Balie)"),
    "phase": ("balie-fase", "Fase: voor, tijdens en na de zwangerschap (Kansrijke Start)"),
    "cost": ("balie-kosten", "Kosten (Balie)"),
    "recognition": ("nji-erkenning", "Erkenningsniveau Databank Effectieve Jeugdinterventies (NJi)"),
    "kind": ("balie-soort", "Soort aanbod (Balie)"),
    "target_group": ("balie-doelgroep", "Doelgroep (vrije tekst)"),
    "summary_en": ("balie-samenvatting-en", "Naam en één regel in het Engels (vertaling door de redactie)"),
    "response_days": ("balie-reactietermijn", "Binnen hoeveel werkdagen contact (huisbezoek)"),
    "assurer": ("balie-gecontroleerd-door", "Laatst gecontroleerd door"),
    "example": ("balie-voorbeeld", "Voorbeeldgegevens voor de demoregio"),
    "file_name": ("balie-bestandsnaam", "Naam van het bestand in sociale_kaart/ (slug, gebruikt in links)"),
}


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _attribute(
    owner: str,
    link_type: str,
    code: str,
    name: str,
    value: str | None = None,
    description: str = "",
    entity: str = "service",
) -> dict[str, Any]:
    taxonomy, taxonomy_name = TAXONOMIES[link_type]
    term_id = _id("term", taxonomy, code)
    attribute: dict[str, Any] = {
        "id": _id("attribute", owner, link_type, code),
        "link_id": owner,
        "link_type": link_type,
        "link_entity": entity,
        "taxonomy_term_id": term_id,
        "taxonomy_term": {
            "id": term_id,
            "code": code,
            "name": name,
            "description": description or name,
            "taxonomy": taxonomy,
            "taxonomy_id": _id("taxonomy", taxonomy),
            "taxonomy_detail": {"id": _id("taxonomy", taxonomy), "name": taxonomy, "description": taxonomy_name},
        },
    }
    if value is not None:
        attribute["value"] = value
    return attribute


def _language_name(code: str) -> str:
    found = contact_language(code)
    return (found.endonym if found else None) or code


def _phones(owner: str, phones: Iterable[PhoneRecord]) -> list[dict[str, Any]]:
    return [
        {
            "id": _id("phone", owner, str(i)),
            "number": p.number,
            **({"description": p.description} if p.description else {}),
        }
        for i, p in enumerate(phones)
    ]


def _location(service_id: str, index: int, location: LocationRecord, provinces: dict[str, str]) -> dict[str, Any]:
    location_id = _id("location", service_id, str(index))
    found: dict[str, Any] = {"id": location_id, "location_type": "physical"}
    if location.name:
        found["name"] = location.name
    if location.latitude is not None and location.longitude is not None:
        found["latitude"], found["longitude"] = location.latitude, location.longitude
    if location.address and location.city:
        found["addresses"] = [
            {
                "id": _id("address", location_id),
                "location_id": location_id,
                "address_1": location.address,
                "city": location.city,
                "state_province": provinces.get(location.postal_code[:4], ""),
                "postal_code": location.postal_code,
                "country": "NL",
                "address_type": "physical",
            }
        ]
    return {
        "id": _id("service_at_location", service_id, str(index)),
        "service_id": service_id,
        "location_id": location_id,
        "location": found,
    }


def _service(
    service: Service,
    categories: dict[str, Category],
    names: dict[str, str],
    provinces: dict[str, str],
    changes: list[ServiceChange],
    public: bool,
) -> dict[str, Any]:
    record = record_of(service)
    organisation = service.organisation
    out: dict[str, Any] = {
        "id": record.id,
        "organization_id": organisation.id,
        "name": record.name,
        "status": record.status,
        "description": record.description,
        "application_process": record.application_process,
        "fees_description": record.fees_description,
        "eligibility_description": record.eligibility_description,
        "interpretation_services": record.interpretation_services,
        "alert": record.alert,
        "last_modified": service.last_modified.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{service.last_modified.microsecond // 1000:03d}Z",
    }
    for key, value in (("alternate_name", record.alternate_name), ("url", record.url), ("email", record.email)):
        if value:
            out[key] = value
    if record.assured_date:
        out["assured_date"] = record.assured_date.isoformat()
    out["organization"] = {
        "id": organisation.id,
        "name": organisation.name,
        "description": organisation.description,
        **({"alternate_name": organisation.alternate_name} if organisation.alternate_name else {}),
        **({"email": organisation.email} if organisation.email else {}),
        **({"website": organisation.website} if organisation.website else {}),
        "phones": _phones(organisation.id, (PhoneRecord(p.number, p.description) for p in organisation.phones)),
        "attributes": [
            _attribute(organisation.id, "file_name", "text", "Bestandsnaam", organisation.slug, entity="organization")
        ]
        + (
            [_attribute(organisation.id, "example", "yes", "Voorbeeld", entity="organization")]
            if organisation.is_example
            else []
        ),
    }
    out["service_areas"] = (
        [
            {
                "id": _id("service_area", record.id, "national"),
                "service_id": record.id,
                "name": "Heel Nederland",
                "uri": NATIONAL_URI,
            }
        ]
        if record.is_national
        else [
            {
                "id": _id("service_area", record.id, code),
                "service_id": record.id,
                "name": names.get(code, code),
                "uri": GEMEENTE_URI.format(code=code.lower()),
            }
            for code in record.areas
        ]
    )
    out["languages"] = [
        {
            "id": _id("language", record.id, code),
            "service_id": record.id,
            "code": code,
            "name": _language_name(code),
        }
        for code in record.languages
    ]
    out["phones"] = _phones(record.id, record.phones)
    out["service_at_locations"] = [_location(record.id, i, loc, provinces) for i, loc in enumerate(record.locations)]
    attributes = [
        _attribute(record.id, "kind", record.kind, record.kind),
        _attribute(record.id, "cost", record.cost, record.cost),
    ]
    attributes += [
        _attribute(record.id, "category", code, categories[code].name, description=categories[code].description)
        for code in record.categories
    ]
    attributes += [_attribute(record.id, "phase", phase, phase) for phase in record.phases]
    if record.recognition:
        attributes.append(
            _attribute(
                record.id,
                "recognition",
                record.recognition,
                record.recognition,
                str(record.recognition_year) if record.recognition_year else None,
            )
        )
    if record.target_group:
        attributes.append(_attribute(record.id, "target_group", "text", "Doelgroep", record.target_group))
    if record.summary_en:
        attributes.append(_attribute(record.id, "summary_en", "en", "In English", record.summary_en))
    if record.response_days is not None:
        attributes.append(_attribute(record.id, "response_days", "days", "Werkdagen", str(record.response_days)))
    if record.assurer and not public:  # an editor's name and user id: never in open data
        attributes.append(_attribute(record.id, "assurer", "text", "Gecontroleerd door", record.assurer))
    out["attributes"] = attributes
    out["metadata"] = [
        {
            "id": _id("metadata", str(change.id)),
            "resource_id": record.id,
            "resource_type": "service",
            "last_action_date": change.changed_at.date().isoformat(),
            "last_action_type": change.action,
            "field_name": change.field_name,
            "previous_value": change.previous_value,
            "replacement_value": change.replacement_value,
            "updated_by": change.changed_by,
        }
        for change in changes
    ]
    return out


def export(session: Session, *, public: bool) -> list[dict[str, Any]]:
    """The directory as HSDS services: ``public`` for open data (active services, no staff names or ids),
    else the region's own backup (every service, who checked it, the change history)."""
    query = select(Service).options(
        selectinload(Service.organisation).selectinload(Organisation.phones),
        selectinload(Service.areas),
        selectinload(Service.languages),
        selectinload(Service.phones),
        selectinload(Service.locations),
        selectinload(Service.categories),
        selectinload(Service.phases),
    )
    if public:
        query = query.where(Service.status == "active")
    services = session.scalars(query.order_by(Service.id)).all()
    categories = {c.code: c for c in session.scalars(select(Category))}
    names = {m.code: m.name for m in session.scalars(select(Municipality))}
    provinces = {
        row.pc4: row.municipality.province for row in session.scalars(select(PostcodeArea).order_by(PostcodeArea.pc4))
    }
    changes: dict[str, list[ServiceChange]] = {}
    if not public:  # every change names the editor who made it
        for change in session.scalars(select(ServiceChange).order_by(ServiceChange.id)):
            changes.setdefault(change.service_id, []).append(change)
    return [_service(s, categories, names, provinces, changes.get(s.id, []), public) for s in services]


# --- import ------------------------------------------------------------------------------

_GEMEENTE = re.compile(r"/(gm\d{4})$")


def _attributes(service: dict[str, Any], link_type: str) -> list[dict[str, Any]]:
    return [a for a in service.get("attributes", ()) if a.get("link_type") == link_type]


def _codes(service: dict[str, Any], link_type: str) -> tuple[str, ...]:
    return tuple(a["taxonomy_term"]["code"] for a in _attributes(service, link_type))


def _value(service: dict[str, Any], link_type: str) -> str | None:
    found = _attributes(service, link_type)
    return found[0].get("value") if found else None


def _record(service: dict[str, Any]) -> ServiceRecord:
    areas = service.get("service_areas", ())
    national = any(a.get("uri") == NATIONAL_URI for a in areas)
    codes = tuple(match.group(1).upper() for a in areas if (match := _GEMEENTE.search(a.get("uri", ""))))
    locations = []
    for link in service.get("service_at_locations", ()):
        location = link.get("location", {})
        address = (location.get("addresses") or [{}])[0]
        locations.append(
            LocationRecord(
                location.get("name", ""),
                address.get("address_1", ""),
                address.get("postal_code", ""),
                address.get("city", ""),
                location.get("latitude"),
                location.get("longitude"),
            )
        )
    response_days = _value(service, "response_days")
    recognition_year = _value(service, "recognition")
    return ServiceRecord(
        id=service["id"],
        name=service["name"],
        kind=(_codes(service, "kind") or ("general",))[0],
        status=service["status"],
        description=service.get("description", ""),
        areas=() if national else codes,
        is_national=national,
        alternate_name=service.get("alternate_name"),
        url=service.get("url"),
        email=service.get("email"),
        application_process=service.get("application_process", ""),
        fees_description=service.get("fees_description", ""),
        response_days=int(response_days) if response_days else None,
        languages=tuple(language["code"] for language in service.get("languages", ())),
        categories=_codes(service, "category"),
        phones=tuple(PhoneRecord(p["number"], p.get("description", "")) for p in service.get("phones", ())),
        assured_date=date.fromisoformat(service["assured_date"]) if service.get("assured_date") else None,
        assurer=_value(service, "assurer"),
        target_group=_value(service, "target_group") or "",
        eligibility_description=service.get("eligibility_description", ""),
        interpretation_services=service.get("interpretation_services", ""),
        phases=_codes(service, "phase"),
        cost=(_codes(service, "cost") or ("free",))[0],
        recognition=(_codes(service, "recognition") or (None,))[0],
        recognition_year=int(recognition_year) if recognition_year and recognition_year.isdigit() else None,
        alert=service.get("alert", ""),
        summary_en=_value(service, "summary_en") or "",
        locations=tuple(locations),
    )


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _file_name(organisation: dict[str, Any]) -> str | None:
    """The organisation's file name as exported (only a plain slug: it becomes a file name)."""
    for attribute in organisation.get("attributes", ()):
        value = attribute.get("value") if attribute.get("link_type") == "file_name" else None
        if isinstance(value, str) and len(value) <= 80 and _SLUG.match(value):
            return value
    return None


def to_kaart(services: list[dict[str, Any]], slugs: dict[str, str]) -> Kaart:
    """An HSDS service list as directory records (organisations keep their known file names)."""
    organisations: dict[str, dict[str, Any]] = {}
    records: dict[str, list[ServiceRecord]] = {}
    categories: dict[str, CategoryRecord] = {}
    for service in services:
        organisation = service["organization"]
        organisations.setdefault(organisation["id"], organisation)
        records.setdefault(organisation["id"], []).append(_record(service))
        for attribute in _attributes(service, "category"):
            term = attribute["taxonomy_term"]
            description = term.get("description", "")
            categories.setdefault(
                term["code"],
                CategoryRecord(term["code"], term["name"], "" if description == term["name"] else description),
            )
    return Kaart(
        categories=tuple(categories.values()),
        organisations=tuple(
            OrganisationRecord(
                id=org_id,
                slug=slugs.get(org_id) or _file_name(org) or slugify(org["name"]),
                name=org["name"],
                description=org.get("description", ""),
                services=tuple(sorted(records[org_id], key=lambda r: r.name)),
                alternate_name=org.get("alternate_name"),
                website=org.get("website"),
                email=org.get("email"),
                is_example=any(a.get("link_type") == "example" for a in org.get("attributes", ())),
                phones=tuple(PhoneRecord(p["number"], p.get("description", "")) for p in org.get("phones", ())),
            )
            for org_id, org in organisations.items()
        ),
    )


def validation_errors(services: list[dict[str, Any]], schema: dict[str, Any]) -> list[str]:
    """Problems of each exported service against an HSDS service schema (with its definitions)."""
    from jsonschema import FormatChecker
    from jsonschema.validators import validator_for

    validator = validator_for(schema)(schema, format_checker=FormatChecker())
    return [
        f"service {service.get('id')}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
        for service in services
        for error in validator.iter_errors(service)
    ]
