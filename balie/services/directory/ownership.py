"""Who owns each field of a service: the sociale kaart files, or the site (an editor changed it).

An import compares three values of every tracked field (as the change history writes them):

- the value in the file now,
- the value in the database now,
- the value the files gave last time (the *base*, kept in ``service_file_value``).

A field whose database value still equals the base was not changed on the site: the files own
it and a new file value replaces it. A field whose database value differs from the base was
changed on the site: the database owns it, and the import keeps it. When the file changed that
field as well, that is a conflict: reported, the site's value kept, unless the import is forced.
When file and database agree, the files own the field again (the base moves to that value):
that is how an editor's change goes back into the files (``flask kaart export-yaml``).

Services loaded before bases were stored get them from their change history, once: the last
value an import ("import") wrote, or the value before an editor's first change after it.
"""

from __future__ import annotations

import enum
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.models import Service, ServiceChange, ServiceFileValue

FILES_IMPORT = "import"  # changed_by of history rows written by loading the sociale kaart files


class Outcome(enum.Enum):
    SAME = "same"  # file and database agree
    FROM_FILE = "from_file"  # the file changed it; the database still held the files' last value
    KEPT = "kept"  # changed on the site, not in the file: the site's value stays
    CONFLICT = "conflict"  # changed on the site and in the file, or not known which is newer


def decide(file_value: str, database_value: str, base: str | None) -> Outcome:
    """What an import does with one field. ``base`` None: the files' last value is not known."""
    if file_value == database_value:
        return Outcome.SAME
    if base is not None and database_value == base:
        return Outcome.FROM_FILE
    if base is not None and file_value == base:
        return Outcome.KEPT
    return Outcome.CONFLICT


def base_from_history(changes: list[ServiceChange], current: str) -> str | None:
    """The files' last value of one field, read from its history (oldest first).

    None when it is not known: the service was made on the site or by an HSDS import, and no
    file import has written the field since."""
    if not changes:
        return current  # nobody changed it since it was loaded from the files
    base: str | None = None
    changed_on_site = False
    for change in changes:
        if change.changed_by == FILES_IMPORT:
            base, changed_on_site = change.replacement_value, False
        elif not changed_on_site:
            changed_on_site = True
            if base is None and change.action != "create":
                base = change.previous_value  # loaded from the files before the history was kept
    return base


class FileValues:
    """The bases of the services an import touches: stored, or read from the history once."""

    def __init__(self, session: Session, service_ids: list[str]) -> None:
        self._session = session
        self._stored: dict[str, dict[str, ServiceFileValue]] = defaultdict(dict)
        for row in session.scalars(select(ServiceFileValue).where(ServiceFileValue.service_id.in_(service_ids))):
            self._stored[row.service_id][row.field_name] = row
        self._history: dict[str, dict[str, list[ServiceChange]]] = {}

    def _changes(self, service_id: str) -> dict[str, list[ServiceChange]]:
        """The service's history per field, oldest first (read only for services that need it)."""
        if service_id not in self._history:
            by_field: dict[str, list[ServiceChange]] = defaultdict(list)
            for change in self._session.scalars(
                select(ServiceChange).where(ServiceChange.service_id == service_id).order_by(ServiceChange.id)
            ):
                by_field[change.field_name].append(change)
            self._history[service_id] = by_field
        return self._history[service_id]

    def base(self, service_id: str, field: str, current: str) -> str | None:
        stored = self._stored.get(service_id, {}).get(field)
        if stored is not None:
            return stored.value
        return base_from_history(self._changes(service_id).get(field, []), current)

    def made_on_site(self, service_id: str) -> bool:
        """Made by an editor (or by an HSDS import) and never loaded from the files since."""
        if self._stored.get(service_id):
            return False
        return any(
            change.action == "create" and change.changed_by != FILES_IMPORT
            for changes in self._changes(service_id).values()
            for change in changes
        )

    def remember(self, service: Service, values: dict[str, str]) -> None:
        """Store what the files now say of these fields (only what differs is written)."""
        stored = self._stored[service.id]
        for field, value in values.items():
            row = stored.get(field)
            if row is None:
                stored[field] = row = ServiceFileValue(service=service, field_name=field, value=value)
                self._session.add(row)
            elif row.value != value:
                row.value = value
