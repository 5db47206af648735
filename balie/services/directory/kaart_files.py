"""Read and validate the sociale kaart files (YAML, one file per organisation).

Every problem names the file, the entry and the field, so an editor can fix it without
reading code: ``organisaties/jgz-kust.yaml: services[0] (Goede Start gesprek): areas[2]: …``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from balie.domain.directory import (
    SERVICE_KIND_HOME_VISIT,
    CategoryRecord,
    Kaart,
    KaartInvalid,
    KaartProblem,
    LocationRecord,
    OrganisationRecord,
    PhoneRecord,
    ServiceRecord,
)
from balie.domain.situations import Situation

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
ORGANISATIONS_DIR = "organisaties"
CATEGORIES_FILE = "categories.yaml"
NATIONAL = "national"


class _TextDateLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so the schema sees what the editor typed."""


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _schema_validator() -> Draft202012Validator:
    with open(DATA_DIR / "sociale_kaart.schema.json", encoding="utf-8") as handle:
        # The format checker catches dates like 2026-02-30 that the pattern lets through.
        return Draft202012Validator(json.load(handle), format_checker=Draft202012Validator.FORMAT_CHECKER)


def known_municipality_codes() -> frozenset[str]:
    with open(DATA_DIR / "gemeenten_2024.csv", encoding="utf-8", newline="") as handle:
        return frozenset(row["GemeentecodeGM"] for row in csv.DictReader(handle))


def _read_yaml(path: Path, label: str, problems: list[KaartProblem]) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=_TextDateLoader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        problems.append(KaartProblem(label, where, "", "is not valid YAML"))
        return None
    if document is None:  # an emptied file must not silently drop out of the check
        problems.append(KaartProblem(label, "", "", "is empty"))
    return document


def _entry_label(document: Any, path: list[Any]) -> tuple[str, str]:
    """Split a JSON path into (entry, field): services[0] (name) / areas[2]."""
    if len(path) >= 2 and path[0] == "services" and isinstance(path[1], int):
        services = document.get("services") if isinstance(document, dict) else None
        name = ""
        if isinstance(services, list) and path[1] < len(services) and isinstance(services[path[1]], dict):
            name = str(services[path[1]].get("name", ""))
        entry = f"services[{path[1]}]" + (f" ({name})" if name else "")
        rest = path[2:]
    else:
        entry, rest = "organisation", path
    field = ""
    for part in rest:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return entry, field


def _schema_problems(document: Any, label: str, validator: Draft202012Validator) -> list[KaartProblem]:
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        if error.validator == "oneOf" and error.context:
            # "areas: national" or a list: report what is wrong inside the list, not "no schema matched".
            error = max(error.context, key=lambda e: len(e.absolute_path))
        entry, field = _entry_label(document, list(error.absolute_path))
        if error.validator == "additionalProperties":
            message = "unknown field (check the spelling against sociale_kaart/README.md)"
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            field = ".".join(filter(None, [field, ",".join(map(str, extra))]))
        elif error.validator == "required":
            message = error.message.replace("is a required property", "is required")
        else:
            message = error.message
        problems.append(KaartProblem(label, entry, field, message))
    return problems


def _phones(items: Iterable[dict[str, Any]] | None) -> tuple[PhoneRecord, ...]:
    return tuple(PhoneRecord(str(p["number"]), str(p.get("description", ""))) for p in items or ())


def _service(data: dict[str, Any]) -> ServiceRecord:
    checked = data.get("last_checked") or {}
    return ServiceRecord(
        id=data["id"],
        name=data["name"],
        kind=data["kind"],
        status=data["status"],
        description=data["description"].strip(),
        areas=() if data["areas"] == NATIONAL else tuple(data["areas"]),
        is_national=data["areas"] == NATIONAL,
        alternate_name=data.get("alternate_name"),
        url=data.get("url"),
        email=data.get("email"),
        application_process=str(data.get("application_process", "")).strip(),
        fees_description=str(data.get("fees", "")).strip(),
        response_days=data.get("response_days"),
        languages=tuple(data.get("languages", ())),
        categories=tuple(data.get("categories", ())),
        phones=_phones(data.get("phones")),
        assured_date=date.fromisoformat(checked["date"]) if checked.get("date") else None,
        assurer=checked.get("by"),
        target_group=_text(data, "target_group"),
        eligibility_description=_text(data, "eligibility"),
        interpretation_services=_text(data, "interpretation"),
        phases=tuple(data.get("phases", ())),
        cost=data.get("cost", "free"),
        recognition=data.get("recognition"),
        recognition_year=data.get("recognition_year"),
        alert=_text(data, "alert"),
        summary_en=_text(data, "summary_en"),
        locations=tuple(LocationRecord(**location) for location in data.get("locations", ())),
    )


def _text(data: dict[str, Any], key: str) -> str:
    return " ".join(str(data.get(key, "")).split())


def _organisation(slug: str, data: dict[str, Any]) -> OrganisationRecord:
    return OrganisationRecord(
        id=data["id"],
        slug=slug,
        name=data["name"],
        description=data["description"].strip(),
        services=tuple(_service(s) for s in data["services"]),
        alternate_name=data.get("alternate_name"),
        website=data.get("website"),
        email=data.get("email"),
        is_example=bool(data.get("example", False)),
        phones=_phones(data.get("phones")),
    )


def _read_categories(folder: Path, problems: list[KaartProblem]) -> tuple[CategoryRecord, ...]:
    document = _read_yaml(folder / CATEGORIES_FILE, CATEGORIES_FILE, problems)
    if document is None:
        return ()
    records = []
    if not isinstance(document, list):
        problems.append(KaartProblem(CATEGORIES_FILE, "", "", "must be a list of categories"))
        return ()
    for index, item in enumerate(document):
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            problems.append(KaartProblem(CATEGORIES_FILE, f"[{index}]", "code/name", "both are required"))
            continue
        records.append(CategoryRecord(str(item["code"]), str(item["name"]), str(item.get("description", ""))))
    return tuple(records)


def _cross_checks(
    organisations: list[tuple[str, OrganisationRecord]],
    categories: tuple[CategoryRecord, ...],
    municipalities: frozenset[str],
) -> list[KaartProblem]:
    problems: list[KaartProblem] = []
    category_codes = {c.code for c in categories}
    seen_ids: dict[str, str] = {}
    home_visit_owner: dict[str, str] = {}
    for label, org in organisations:
        for record_id, entry in [(org.id, "organisation")] + [
            (s.id, f"services[{i}] ({s.name})") for i, s in enumerate(org.services)
        ]:
            if record_id in seen_ids:
                problems.append(KaartProblem(label, entry, "id", f"is also used in {seen_ids[record_id]}"))
            seen_ids[record_id] = label
        for index, service in enumerate(org.services):
            entry = f"services[{index}] ({service.name})"
            for position, code in enumerate(service.areas):
                if code not in municipalities:
                    problems.append(
                        KaartProblem(label, entry, f"areas[{position}]", f"{code} is not a CBS gemeente code (2024)")
                    )
            for position, code in enumerate(service.categories):
                if code not in category_codes:
                    problems.append(
                        KaartProblem(label, entry, f"categories[{position}]", f"{code} is not in {CATEGORIES_FILE}")
                    )
            if service.kind == SERVICE_KIND_HOME_VISIT:
                if service.response_days is None:
                    problems.append(KaartProblem(label, entry, "response_days", "is required for a home-visit service"))
                if service.status == "active":
                    for code in service.areas:
                        owner = home_visit_owner.get(code)
                        if owner:
                            problems.append(
                                KaartProblem(
                                    label,
                                    entry,
                                    "areas",
                                    f"{code} already has an active home-visit service in {owner}",
                                )
                            )
                        home_visit_owner[code] = label
    return problems


def read_kaart(folder: Path | str) -> Kaart:
    """Read and validate the whole folder; raise KaartInvalid with every problem found."""
    folder = Path(folder)
    problems: list[KaartProblem] = []
    categories = _read_categories(folder, problems)
    validator = _schema_validator()
    organisations: list[tuple[str, OrganisationRecord]] = []
    for path in sorted((folder / ORGANISATIONS_DIR).glob("*.yaml")):
        label = f"{ORGANISATIONS_DIR}/{path.name}"
        document = _read_yaml(path, label, problems)
        if document is None:
            continue
        found = _schema_problems(document, label, validator)
        problems.extend(found)
        if not found:
            organisations.append((label, _organisation(path.stem, document)))
    problems.extend(_cross_checks(organisations, categories, known_municipality_codes()))
    if problems:
        raise KaartInvalid(problems)
    return Kaart(categories=categories, organisations=tuple(org for _, org in organisations))


SITUATIONS_FILE = "situaties.yaml"


def read_situations(folder: Path | str) -> list[Situation]:
    """The situatie-wijzer's situations (sociale_kaart/situaties.yaml); empty when absent."""
    path = Path(folder) / SITUATIONS_FILE
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or []
    return [
        Situation(
            code=str(item["code"]),
            label=str(item["label"]),
            hint=str(item.get("hint", "")),
            categories=tuple(item.get("categories", ())),
            terms=tuple(item.get("terms", ())),
        )
        for item in raw
    ]
