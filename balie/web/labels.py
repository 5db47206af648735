"""Translatable labels for the codes users see: roles, professions, statuses, steps, outcomes."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from balie.domain import audit_events, roles
from balie.domain.status_flow import Status, Step

ROLE_LABELS = {
    roles.ADMIN: _l("Administrator"),
    roles.JGZ_STAFF: _l("JGZ staff"),
    roles.GEMEENTE_EDITOR: _l("Gemeente editor"),
    roles.PROFESSIONAL: _l("Professional"),
    roles.MODERATOR: _l("Moderator (expert)"),
    roles.GEMEENTE_MONITOR: _l("Gemeente monitor (policy officer)"),
    roles.REGION_MONITOR: _l("Regional monitor (all gemeenten of the region)"),
    roles.JGZ_MONITOR: _l("JGZ monitor (figures of the organisation's service area)"),
}

# The staff menu's entries (roles.MENU), by endpoint.
MENU_LABELS = {
    "inbox.index": _l("Inbox"),
    "advice.overview": _l("My advice"),
    "directory.search": _l("Sociale kaart"),
    "directory_manage.index": _l("Manage the sociale kaart"),
    "qa.index": _l("Vraagbaak"),
    "monitor.index": _l("Monitor"),
    "manage.users": _l("Administration"),
    "account.overview": _l("My account"),
}

# The kinds of professionals (roles.PROFESSIONS), and the answers to "who advised you?" on the
# parent's form (registration.ADVISOR_KINDS, where "hospital" is the parent's coarser answer).
PROFESSION_LABELS = {
    "midwife": _l("Midwife (verloskundige)"),
    "clinical_midwife": _l("Clinical midwife (klinisch verloskundige)"),
    "gynaecologist": _l("Gynaecologist"),
    "maternity_care": _l("Maternity care (kraamzorg)"),
    "gp": _l("GP (huisarts)"),
    "hospital": _l("Hospital or gynaecologist"),
    "hospital_other": _l("Another profession in a hospital (not a midwife or gynaecologist)"),
    "social_team": _l("Social team (wijkteam) or another support worker"),
    "other": _l("Another profession"),
}

STATUS_LABELS = {
    Status.RECEIVED.value: _l("New"),
    Status.CONTACT_ATTEMPTED.value: _l("Contact attempted"),
    Status.CONTACT_MADE.value: _l("Contact made"),
    Status.VISIT_PLANNED.value: _l("Visit planned"),
    Status.VISIT_HELD.value: _l("Visit held"),
    Status.FOLLOW_UP_ARRANGED.value: _l("Follow-up arranged"),
    Status.CLOSED.value: _l("Closed"),
}

STEP_LABELS = {
    Step.CONTACT_ATTEMPT.value: _l("Contact attempted (no answer)"),
    Step.CONTACT_MADE.value: _l("Contact made"),
    Step.VISIT_PLANNED.value: _l("Visit planned"),
    Step.VISIT_HELD.value: _l("Visit held"),
    Step.FOLLOW_UP.value: _l("Follow-up arranged"),
    Step.CLOSE.value: _l("Closed"),
    Step.HAND_OVER.value: _l("Handed over to our own dossier"),
    Step.REROUTE.value: _l("Sent on to another organisation"),
}

OUTCOME_LABELS = {
    "visits_held": _l("Visit(s) held"),
    "declined": _l("Parent declined"),
    "not_reached": _l("Parent not reached"),
    "moved": _l("Parent moved away"),
}

# How a registration came in.
ROUTE_LABELS = {
    "self": _l("By the parent"),
    "assisted": _l("Together with a professional (samen aanmelden)"),
    "referral": _l("Direct referral by a professional, with consent"),
}

REASON_LABELS = {
    "lives_elsewhere": _l("The parent lives in the area of another organisation"),
    "moved": _l("The parent has moved"),
    "other": _l("Another reason"),
}

CALL_TIME_LABELS = {
    "morning": _l("Morning (9:00 to 12:00)"),
    "afternoon": _l("Afternoon (12:00 to 17:00)"),
    "evening": _l("Early evening (17:00 to 20:00)"),
}

PHASE_LABELS = {
    "before_pregnancy": _l("Before pregnancy"),
    "pregnancy": _l("Pregnancy"),
    "maternity": _l("Maternity period"),
    "first_year": _l("First year"),
    "later": _l("Later"),
}

COST_LABELS = {
    "free": _l("Free"),
    "contribution": _l("Own contribution"),
    "insured": _l("Covered by health insurance"),
    "varies": _l("Depends on the situation"),
}

# Levels of the Databank Effectieve Jeugdinterventies (NJi).
RECOGNITION_LABELS = {
    "well_founded": _l("Recognised: well founded"),
    "effective_first": _l("Recognised: effective according to first indications"),
    "effective_good": _l("Recognised: effective according to good indications"),
    "effective_strong": _l("Recognised: effective according to strong indications"),
}

STATUS_OF_SERVICE_LABELS = {
    "active": _l("Active"),
    "inactive": _l("Not offered at the moment"),
    "temporarily closed": _l("Temporarily closed"),
    "defunct": _l("No longer offered"),
}

# What an advising professional may hear (process only).
FEEDBACK_EVENT_LABELS = {
    "received": _l("Registration received"),
    "contact_made": _l("Contact made"),
    "visit_held": _l("Visit held"),
    "follow_up_arranged": _l("Follow-up support arranged"),
    "closed": _l("Closed"),
}

# The change history of a sociale kaart entry.
CHANGE_ACTION_LABELS = {
    "create": _l("Added"),
    "update": _l("Changed"),
    "import": _l("Changed by an import"),
    "overwrite": _l("Overwritten by an import, on purpose"),
    "retire": _l("No longer shown"),
    "verify": _l("Checked: still correct"),
}
CHANGE_FIELD_LABELS = {
    "name": _l("Name"),
    "alternate_name": _l("Other name"),
    "status": _l("Status"),
    "description": _l("What is it?"),
    "target_group": _l("For whom"),
    "eligibility": _l("Conditions"),
    "application_process": _l("How to refer or apply"),
    "fees": _l("Cost explained"),
    "cost": _l("Cost"),
    "recognition": _l("Recognised intervention"),
    "alert": _l("Notice or waiting time"),
    "summary_en": _l("In English (translation)"),
    "interpretation": _l("Interpreters"),
    "url": _l("Website"),
    "email": _l("E-mail address"),
    "areas": _l("Gemeenten"),
    "languages": _l("Languages"),
    "categories": _l("Topics"),
    "phases": _l("Phase"),
    "phones": _l("Phone numbers"),
    "locations": _l("Locations"),
    "last_checked": _l("Last checked"),
    "organisation": _l("Organisation"),
}

# Who acted, in the access log: the roles above plus the parent's form and the desk itself.
ACTOR_ROLE_LABELS = {
    **ROLE_LABELS,
    "anonymous": _l("Parent (public form)"),
    "system": _l("The desk (automatic)"),
}

ACCESS_REFUSED = _l("Tried to open it: refused, no access")
ACCESS_FAILED = _l("it failed")


def access_event_label(event_code: str, detail: str | None, outcome: str) -> str:
    """What happened, in words: "Viewed", "Step recorded: contact attempted", "Printed"."""
    if outcome == "denied":
        return str(ACCESS_REFUSED)
    event = audit_events.event_of(event_code)
    label = None if event is None else event.detail_labels.get(detail or "") or event.label
    text = gettext(label) if label is not None else event_code
    return text if outcome == "success" else f"{text} ({ACCESS_FAILED})"


# Problems in a CBS StatLine export of live births (services.monitoring.cbs_births), one line each.
BIRTHS_FILE_COLUMNS = {"region": "Regio's", "period": "Perioden", "live births": "Levend geboren kinderen"}
BIRTHS_FILE_PROBLEMS = {
    "not_csv": _l("This file cannot be read as CSV. Download table 37230ned from CBS StatLine as CSV."),
    "empty": _l("The file is empty: the first row must hold the column names."),
    "too_big": _l("The file is larger than %(value)s MB. Choose fewer gemeenten or periods in StatLine."),
    "too_many_rows": _l("The file has more than %(value)s rows. Choose fewer gemeenten or periods in StatLine."),
    "header": _l(
        "Row 1: the column “%(value)s” is missing. Export table 37230ned with its regions, periods "
        "and the topic Levend geboren kinderen."
    ),
    "region_not_a_code": _l(
        "Row %(row)s: “%(value)s” is not a CBS region code like GM0518. Export the table with codes, not names."
    ),
    "unknown_gemeente": _l("Row %(row)s: unknown gemeente %(value)s."),
    "period_not_a_code": _l("Row %(row)s: “%(value)s” is not a CBS period like 2023MM01 or 2023JJ00."),
    "year_out_of_range": _l("Row %(row)s: the year %(value)s is before 2000 or has not begun yet."),
    "not_a_number": _l("Row %(row)s: “%(value)s” is not a number of live births."),
    "duplicate": _l("Row %(row)s: the same gemeente and period as row %(value)s. Keep one of them."),
    "out_of_range": _l("Row %(row)s: the live births in a year (%(value)s) cannot be right."),
}


def births_file_problem(code: str, row: int, value: str) -> str:
    """One problem of a births file in words: "Row 7: unknown gemeente GM9999."."""
    if code == "too_big":
        value = str(max(1, int(value) // 2**20))
    elif code == "header":
        value = BIRTHS_FILE_COLUMNS.get(value, value)
    template = BIRTHS_FILE_PROBLEMS.get(code, BIRTHS_FILE_PROBLEMS["not_csv"])
    return str(template) % {"row": row, "value": value}


# Problems with a gemeente's reference figures (services.monitoring.reference_figures), by field and code.
REFERENCE_FIGURE_PROBLEMS = {
    ("municipality_code", "outside_scope"): _l("You do not keep the figures of this gemeente."),
    ("municipality_code", "unknown_municipality"): _l("The desk does not know this gemeente."),
    ("year", "year_out_of_range"): _l(
        "Live births can only be entered once the year has begun. Leave live births empty for %(year)s."
    ),
    ("live_births", "out_of_range"): _l("Enter a number of live births from 1 to %(most)s."),
    ("target_group_size", "out_of_range"): _l("Enter a target group from 1 to %(most)s families."),
    ("budget", "out_of_range"): _l("Enter a budget from 0,01 to %(most)s euros."),
    ("budget", "not_whole_cents"): _l(
        "Enter the budget in whole cents: at most 2 digits after the comma, like 38.000,50."
    ),
}


def reference_figure_problem(field: str, code: str, year: int, most: str = "") -> str:
    """One problem with a year's figures in words, for the field it is about."""
    template = REFERENCE_FIGURE_PROBLEMS.get((field, code), REFERENCE_FIGURE_PROBLEMS[("year", "year_out_of_range")])
    return str(template) % {"year": year, "most": most}
