"""An editor's offers as a spreadsheet: download, upload, compare, confirm.

The sheet has one row per offer (by its id) and one column per field an editor keeps up to date
in bulk; topics, phases, languages and locations stay in the browser form. Uploading reads and
checks every row against her scope and the same rules as the browser form, and compares it with
the database: the result (changes per field, problems per row and column) is kept server-side in
``pending_upload`` (balie.services.pending_uploads) until she confirms. Confirming applies each
changed offer through the editing service, so the history records every field with her name, as
for a browser edit.
A file with any problem cannot be confirmed: she corrects it and uploads it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.domain.contact import InvalidEmail, InvalidPhone, normalise_email, normalise_phone
from balie.domain.directory import PhoneRecord, ServiceRecord
from balie.domain.errors import DomainError
from balie.models import Municipality, PendingUpload, Service
from balie.services import pending_uploads
from balie.services.directory import changes as directory_changes
from balie.services.directory import editing
from balie.services.directory import spreadsheet_files as files
from balie.services.directory.editing import EditorScope
from balie.services.directory.records import record_of
from balie.services.pending_uploads import UploadGone

UPLOAD_KIND = "directory_spreadsheet"
# The file's values for status and cost, in the editors' language (the file format is Dutch).
STATUS_WORDS = {"actief": "active", "tijdelijk gesloten": "temporarily closed", "niet actief": "inactive"}
COST_WORDS = {"gratis": "free", "eigen bijdrage": "contribution", "verzekerd": "insured", "verschilt": "varies"}
LIST_SEPARATOR = ";"
PHONE_SEPARATOR = "|"


class ChangedMeanwhile(DomainError):
    code = "changed_meanwhile"


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # the change history's name of the field
    text: Callable[[ServiceRecord, Service, dict[str, str]], str]  # the cell for a service
    max_length: int = 0
    required: bool = False


def _plain(attribute: str) -> Callable[[ServiceRecord, Service, dict[str, str]], str]:
    return lambda record, service, names: getattr(record, attribute) or ""


def _word(words: dict[str, str], code: str) -> str:
    return next((word for word, value in words.items() if value == code), code)


def _phones_text(record: ServiceRecord) -> str:
    return f" {LIST_SEPARATOR} ".join(
        f"{p.number} {PHONE_SEPARATOR} {p.description}" if p.description else p.number for p in record.phones
    )


COLUMNS: tuple[Column, ...] = (
    Column("id", "", lambda r, s, n: r.id),
    Column("naam", "name", _plain("name"), 200, required=True),
    Column("organisatie", "organisation", lambda r, s, n: s.organisation.name if s.organisation else ""),
    Column("status", "status", lambda r, s, n: _word(STATUS_WORDS, r.status)),
    Column("omschrijving", "description", _plain("description"), 4000, required=True),
    Column("voor wie", "target_group", _plain("target_group"), 1000),
    Column("voorwaarden", "eligibility", _plain("eligibility_description"), 2000),
    Column("aanmelden", "application_process", _plain("application_process"), 4000, required=True),
    Column("kosten", "cost", lambda r, s, n: _word(COST_WORDS, r.cost)),
    Column("kosten toelichting", "fees", _plain("fees_description"), 500),
    Column("melding", "alert", _plain("alert"), 500),
    Column("website", "url", _plain("url"), 300),
    Column("e-mail", "email", _plain("email"), 200),
    Column("telefoon", "phones", lambda r, s, n: _phones_text(r), 1000),
    Column("gemeenten", "areas", lambda r, s, n: f"{LIST_SEPARATOR} ".join(n.get(c, c) for c in r.areas)),
)
HEADERS = tuple(c.header for c in COLUMNS)
BY_HEADER = {c.header: c for c in COLUMNS}


def _services(session: Session, scope: EditorScope) -> list[Service]:
    return [s for s in editing.editable_services(session, scope) if s.status != "defunct"]


def _municipality_names(session: Session) -> dict[str, str]:
    return {row.code: row.name for row in session.execute(select(Municipality.code, Municipality.name))}


def _row(service: Service, record: ServiceRecord, names: dict[str, str], scope: EditorScope) -> list[str]:
    # Her gemeenten only: the others an offer covers are not hers to change, and stay as they are.
    if not scope.is_admin:
        record = replace(record, areas=tuple(c for c in record.areas if c in scope.municipality_codes))
    return [column.text(record, service, names) for column in COLUMNS]


def download(session: Session, scope: EditorScope, file_format: str) -> bytes:
    names = _municipality_names(session)
    rows = [_row(s, record_of(s), names, scope) for s in _services(session, scope)]
    return files.write(file_format, HEADERS, rows)


@dataclass
class _Reading:
    """One upload being checked: what is known, and what was found."""

    scope: EditorScope
    names: dict[str, str]
    problems: list[files.Problem]
    header: list[str]  # the file's columns, in its order

    def problem(self, code: str, row: int, header: str = "", value: str = "") -> None:
        column = self.header.index(header) + 1 if header in self.header else 0
        self.problems.append(files.Problem(code, row, column, value[:200]))

    def areas(self, row: int, text: str) -> tuple[str, ...]:
        by_name = {name.casefold(): code for code, name in self.names.items()}
        codes = []
        for part in filter(None, (p.strip() for p in text.split(LIST_SEPARATOR))):
            code = part.upper() if part.upper() in self.names else by_name.get(part.casefold())
            if code is None:
                self.problem("gemeente_unknown", row, "gemeenten", part)
            elif not self.scope.is_admin and code not in self.scope.municipality_codes:
                self.problem("gemeente_not_yours", row, "gemeenten", part)
            else:
                codes.append(code)
        if not text.strip():
            self.problem("gemeenten_missing", row, "gemeenten")
        return tuple(sorted(set(codes)))

    def phones(self, row: int, text: str) -> tuple[PhoneRecord, ...]:
        found = []
        for part in filter(None, (p.strip() for p in text.split(LIST_SEPARATOR))):
            number, _, description = (x.strip() for x in part.partition(PHONE_SEPARATOR))
            try:
                normalise_phone(number)
            except InvalidPhone:
                self.problem("phone_invalid", row, "telefoon", number)
            found.append(PhoneRecord(number, description))
        return tuple(found)

    def record(self, row: int, cells: dict[str, str], old: ServiceRecord) -> ServiceRecord:
        """The row as a record (old values where the row says nothing new); problems noted."""
        for header, text in cells.items():
            column = BY_HEADER[header]
            if column.required and not text:
                self.problem("required", row, header)
            if column.max_length and len(text) > column.max_length:
                self.problem("too_long", row, header, str(column.max_length))
        status = STATUS_WORDS.get(cells["status"].casefold())
        if status is None:
            self.problem("status_unknown", row, "status", cells["status"])
        cost = COST_WORDS.get(cells["kosten"].casefold())
        if cost is None:
            self.problem("cost_unknown", row, "kosten", cells["kosten"])
        url = cells["website"] or None
        if url and not url.startswith(("https://", "http://")):
            self.problem("url_invalid", row, "website", url)
        email = cells["e-mail"] or None
        if email:
            try:
                normalise_email(email)
            except InvalidEmail:
                self.problem("email_invalid", row, "e-mail", email)
        return replace(
            old,
            name=" ".join(cells["naam"].split()),
            status=status or old.status,
            description=_kept(cells["omschrijving"], old.description),
            target_group=_kept(cells["voor wie"], old.target_group),
            eligibility_description=_kept(cells["voorwaarden"], old.eligibility_description),
            application_process=_kept(cells["aanmelden"], old.application_process),
            cost=cost or old.cost,
            fees_description=_kept(cells["kosten toelichting"], old.fees_description),
            alert=_kept(cells["melding"], old.alert),
            url=url,
            email=email,
            phones=self.phones(row, cells["telefoon"]) if cells["telefoon"] != _phones_text(old) else old.phones,
            areas=old.areas if old.is_national and not cells["gemeenten"] else self.areas(row, cells["gemeenten"]),
        )


def _kept(text: str, old: str | None) -> str:
    """The cell's text, or the old value where they differ only in spaces and line ends
    (spreadsheet programs and the files' line ends differ; that is not a change)."""
    return old if old is not None and text.split() == old.split() else text


def _cells(header: list[str], values: list[str]) -> dict[str, str]:
    padded = values + [""] * (len(header) - len(values))
    return {name: padded[i] for i, name in enumerate(header) if name in BY_HEADER}


def _changed_fields(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [name for name in after if name != "last_checked" and before.get(name, "") != after[name]]


def read_upload(
    session: Session, scope: EditorScope, file_format: str, data: bytes, max_bytes: int, max_rows: int
) -> dict[str, Any]:
    """Read and compare a file: {"changes": [...], "problems": [...], "rows": n}. Raises FileRefused."""
    if len(data) > max_bytes:
        raise files.FileRefused(files.Problem("too_large", value=str(max_bytes)))
    table = files.read(file_format, data, max_rows)
    missing = [h for h in HEADERS if h not in table.header]
    unknown = [h for h in table.header if h and h not in BY_HEADER]
    if missing or unknown:
        code = "columns_missing" if missing else "columns_unknown"
        raise files.FileRefused(files.Problem(code, value=", ".join(missing or unknown)))
    reading = _Reading(scope, _municipality_names(session), list(table.problems), table.header)
    formula_rows = {p.row for p in table.problems}
    services = {s.id: s for s in _services(session, scope)}
    seen: dict[str, int] = {}
    changes = []
    for row, values in table.rows:
        cells = _cells(table.header, values)
        service = services.get(cells["id"])
        if not cells["id"]:
            reading.problem("id_missing", row, "id")
            continue
        if service is None:
            reading.problem("not_yours", row, "id", cells["id"])
            continue
        if cells["id"] in seen:
            reading.problem("id_twice", row, "id", str(seen[cells["id"]]))
            continue
        seen[cells["id"]] = row
        if row in formula_rows:
            continue
        old = record_of(service)
        organisation = service.organisation.name if service.organisation else ""
        if cells["organisatie"] != organisation:
            reading.problem("organisation_changed", row, "organisatie", organisation)
        count = len(reading.problems)
        new = reading.record(row, cells, old)
        if len(reading.problems) > count:
            continue
        before = directory_changes.values(old, organisation)
        fields = _changed_fields(before, directory_changes.values(_scoped_areas(scope, service, new), organisation))
        if fields:
            own = _row(service, old, reading.names, scope)
            shown = [c for c in COLUMNS if c.field in fields]
            changes.append(
                {
                    "row": row,
                    "service_id": service.id,
                    "name": old.name,
                    "fields": [[c.field, own[HEADERS.index(c.header)], cells[c.header]] for c in shown],
                    "values": cells,
                    "before": {name: before[name] for name in fields},
                }
            )
    problems = [
        {
            "code": p.code,
            "row": p.row,
            "column": p.column_letter,
            "header": _header(table.header, p.column),
            "value": p.value,
        }
        for p in sorted(reading.problems, key=lambda p: (p.row, p.column))
    ]
    return {"changes": changes, "problems": problems, "rows": len(table.rows)}


def _header(header: list[str], column: int) -> str:
    return header[column - 1] if 0 < column <= len(header) else ""


def _scoped_areas(scope: EditorScope, service: Service, record: ServiceRecord) -> ServiceRecord:
    """The record with the gemeenten it will have: hers as in the file, the others as they are."""
    if scope.is_admin:
        return record
    kept = {a.municipality_code for a in service.areas} - scope.municipality_codes
    return replace(record, areas=tuple(sorted(kept | set(record.areas))))


def store(session: Session, user_id: str, file_name: str, content: dict[str, Any], now: datetime) -> PendingUpload:
    return pending_uploads.store(session, UPLOAD_KIND, user_id, file_name, content, now)


def pending(session: Session, user_id: str, upload_id: str, now: datetime) -> PendingUpload:
    return pending_uploads.pending(session, UPLOAD_KIND, user_id, upload_id, now)


def confirm(session: Session, scope: EditorScope, upload: PendingUpload, today: date, now: datetime) -> list[Service]:
    """Apply the upload's changes; an offer changed since the upload raises ChangedMeanwhile (nothing saved)."""
    content = upload.content
    if content.get("problems"):
        raise UploadGone("upload_has_problems")
    reading = _Reading(scope, _municipality_names(session), [], list(HEADERS))
    services = {s.id: s for s in _services(session, scope)}
    items = []
    for change in content.get("changes", []):  # type: ignore[attr-defined]
        service = services.get(change["service_id"])
        if service is None:  # no longer hers, or no longer shown
            raise ChangedMeanwhile()
        old = record_of(service)
        now_values = directory_changes.values(old, service.organisation.name if service.organisation else "")
        if any(now_values[name] != value for name, value in change["before"].items()):
            raise ChangedMeanwhile(old.name)
        new = reading.record(change["row"], change["values"], old)
        items.append((service, replace(new, assured_date=today, assurer=scope.label)))
    if reading.problems:  # the rules changed between upload and confirmation
        raise ChangedMeanwhile()
    saved = editing.save_many(session, scope, items, now)
    session.delete(upload)
    session.flush()
    return saved
