"""Template filters of the staff pages: times, the two histories in words, and references.

- ``access_event``: a line of "who looked at this registration" in words ("Viewed",
  "Step recorded: contact attempted"), not the access log's codes;
- ``change_value`` and ``changed_by``: an offering's change history with names and labels
  ("Eerste jaar, Later", "Delft", "Gratis"), not "first_year,later", "GM0503", "free";
- ``reference``: a reference (ABCD-1234) that never breaks at its hyphen;
- ``staff_menu()``: the staff menu entries the logged-in user's permissions open (roles.MENU).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flask import Flask
from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from balie.domain import roles
from balie.domain.directory import PHASES
from balie.web.labels import (
    COST_LABELS,
    MENU_LABELS,
    PHASE_LABELS,
    RECOGNITION_LABELS,
    STATUS_OF_SERVICE_LABELS,
    access_event_label,
)


def time_local(moment: Any) -> str:
    return format_datetime(moment, "HH:mm") if moment else ""


def _last_checked(value: str) -> str:
    """'2026-03-01 Gemeente Delft' → '1 maart 2026 Gemeente Delft'."""
    from balie.web.templating import date_local

    day, _, who = value.partition(" ")
    try:
        shown = date_local(date.fromisoformat(day))
    except ValueError:
        return value
    return f"{shown} {who}".strip()


def _area_name(code: str, names: Mapping[str, str]) -> str:
    return gettext("All of the Netherlands") if code == "national" else names.get(code, code)


def _list_labels(names: Mapping[str, Mapping[str, str]]) -> dict[str, Callable[[str], str]]:
    """How one code of a list field (comma separated in the history) is read; gemeenten and topics
    by the names the view looked up for the whole history (directory_changes.value_names)."""
    from balie.web.templating import contact_language_label

    return {
        "phases": lambda code: str(PHASE_LABELS.get(code, code)),
        "areas": lambda code: _area_name(code, names.get("areas", {})),
        "languages": contact_language_label,
        "categories": lambda code: names.get("categories", {}).get(code, code),
    }


# Fields that hold one code.
_CODE_LABELS: dict[str, dict[str, Any]] = {
    "cost": COST_LABELS,
    "status": STATUS_OF_SERVICE_LABELS,
    "recognition": RECOGNITION_LABELS,
}


def change_value(value: str | None, field_name: str, names: Mapping[str, Mapping[str, str]]) -> str:
    """A value in an offering's change history with labels and names, not codes:
    'first_year,later' → 'Eerste jaar, Later'; 'GM0503' → 'Delft'; 'free' → 'Gratis'."""
    if not value:
        return ""
    lists = _list_labels(names)
    if field_name in lists:
        codes = [code for code in value.split(",") if code]
        if field_name == "phases":  # in the order of a child's life, not of the alphabet
            codes.sort(key=lambda code: PHASES.index(code) if code in PHASES else len(PHASES))
            return ", ".join(lists[field_name](code) for code in codes)
        return ", ".join(sorted(lists[field_name](code) for code in codes))
    if field_name in _CODE_LABELS:
        return str(_CODE_LABELS[field_name].get(value, value))
    if field_name == "last_checked":
        return _last_checked(value)
    return value


def changed_by(who: str) -> str:
    """Who made a change in an offering's history: a person, or an import (of the kaart files or
    of an HSDS list), possibly forced over an editor's value by a named operator."""
    from balie.services.directory.importing import FILES, hsds_list

    for source, label in ((FILES, _l("Import of the kaart files")), (hsds_list(""), _l("Import of an HSDS list"))):
        if who == source.changed_by:
            return str(label)
        forced = source.forced_by("")
        if who.startswith(forced.removesuffix("()")):
            operator = who.removeprefix(forced.removesuffix("()")).strip("()")
            return gettext("%(source)s, forced by %(operator)s", source=label, operator=operator)
    return who


def reference(text: str) -> Markup:
    """A reference in running text or a heading, never broken over two lines."""
    return Markup('<span class="nowrap">{}</span>').format(text)


def staff_menu() -> list[tuple[str, str]]:
    """(endpoint, words) of each staff menu entry the user may use: by permission, never by role."""
    if not current_user.is_authenticated:
        return []
    return [(entry.endpoint, str(MENU_LABELS[entry.endpoint])) for entry in roles.menu(current_user.role_codes)]


def register(app: Flask) -> None:
    app.jinja_env.globals.update(staff_menu=staff_menu)
    app.jinja_env.filters.update(
        time_local=time_local,
        access_event=lambda group: access_event_label(group.event_code, group.detail, group.outcome),
        change_value=change_value,
        changed_by=changed_by,
        reference=reference,
    )
