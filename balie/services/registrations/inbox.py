"""The JGZ inbox: an organisation's registrations, their progress, hand-over and re-routing.

The use cases take the nurse (``Staff``: who she is, the organisations she works for); a
registration of another organisation is simply not found. Each one that lists, opens, exports
or changes a registration writes its access-log row itself, and so does every refused attempt:
whatever calls them (the web, a command, an API) inherits "every look at personal data is
logged". Personal data is only decrypted by ``open_registration``.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from balie.clock import ZONE
from balie.crypto import KeyRing
from balie.domain import audit_events, roles, status_flow, working_days
from balie.domain.errors import DomainError
from balie.domain.status_flow import Status, Step
from balie.models import Category, Organisation, Registration, RegistrationEvent
from balie.services import outbox
from balie.services.accounts import names as user_names
from balie.services.audit import access_log, access_summary
from balie.services.directory.queries import home_visit_services
from balie.services.operations import retention
from balie.services.registrations import advice, personal_data

PER_PAGE = 25
WAITING_CHOICES = (2, 5, 10)  # "waiting more than N working days"
SORTS = ("newest", "oldest", "due")


class RerouteImpossible(DomainError):
    code = "reroute_impossible"


class MergeImpossible(DomainError):
    code = "merge_impossible"


class NotFound(DomainError):
    """Not a registration of the nurse's organisations (or none at all): the attempt is logged as refused."""

    code = "registration_not_found"

    def __init__(self, object_id: str) -> None:
        super().__init__()
        self.object_id = object_id  # the id as logged: opaque characters only


@dataclass(frozen=True)
class Staff:
    """A JGZ nurse as the inbox's use cases see her: who she is, the organisations whose
    registrations she may open, and where she acts from (an opaque access point, for the log).
    The web builds it from the login; a command or an API builds its own."""

    user_id: str
    organisation_ids: frozenset[str]
    access_point: str | None = None

    def actor(self, organisation_id: str | None) -> access_log.Actor:
        return access_log.Actor(self.user_id, roles.JGZ_STAFF, organisation_id, self.access_point)

    @property
    def first_organisation_id(self) -> str | None:
        """The organisation rows not about one of her registrations are logged under."""
        return next(iter(sorted(self.organisation_ids)), None)


class Purpose(enum.Enum):
    """What a nurse means to do with a registration, as the access log records it (also when refused):
    the event and, for a look at the personal details, the detail that says how."""

    VIEW = (audit_events.REGISTRATION_READ, "full")
    PRINT = (audit_events.REGISTRATION_EXPORT, "print")
    DOWNLOAD = (audit_events.REGISTRATION_EXPORT, "json")
    STEP = (audit_events.REGISTRATION_STATUS_CHANGE, None)
    REROUTE = (audit_events.REGISTRATION_REROUTE, None)
    MERGE = (audit_events.REGISTRATION_MERGE, None)
    ERASE = (audit_events.REGISTRATION_PURGE, None)
    HISTORY = (audit_events.ACCESS_LOG_READ, "history")

    @property
    def event(self) -> audit_events.AuditEvent:
        return self.value[0]

    @property
    def detail(self) -> str | None:
        return self.value[1]


OPENING = frozenset({Purpose.VIEW, Purpose.PRINT, Purpose.DOWNLOAD})  # the purposes that decrypt the details
_OPAQUE = re.compile(r"[^0-9a-zA-Z-]")


@dataclass(frozen=True)
class Opened:
    """A registration with its decrypted details and its progress events."""

    registration: Registration
    person: personal_data.PersonalDetails
    events: list[RegistrationEvent]


@dataclass(frozen=True)
class AccessHistory:
    registration: Registration
    groups: list[access_summary.AccessGroup]
    names: dict[str, str]  # the names of the users among the groups' actors


@dataclass(frozen=True)
class InboxFilter:
    status: str | None = None
    due_month: date | None = None
    waiting_more_than: int | None = None  # working days since received, still without contact
    mine: bool = False
    sort: str = "newest"
    page: int = 1

    def names(self) -> str:
        """Which filters were used (names only, for the access log)."""
        used = [name for name in ("status", "due_month", "waiting_more_than") if getattr(self, name)]
        return ",".join(used + (["mine"] if self.mine else []) + [f"sort={self.sort}"])


@dataclass(frozen=True)
class InboxRow:
    registration: Registration
    waiting_days: int  # working days since it was received
    overdue: bool  # past the organisation's promise without contact
    received_today: bool
    possible_duplicate: bool  # its earlier twin is still in the inbox (not merged, not erased)


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    new_count: int
    page: int
    pages: int


def _local_date(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


def _scoped(org_ids: frozenset[str]) -> Select[Registration]:
    return select(Registration).where(Registration.organisation_id.in_(org_ids), Registration.purged_at.is_(None))


def list_page(session: Session, staff: Staff, wanted: InboxFilter, today: date) -> InboxPage:
    """A page of the inbox; the look at the list is logged (the filters' names and the count, no values)."""
    org_ids = staff.organisation_ids
    query = _scoped(org_ids).options(joinedload(Registration.service), joinedload(Registration.municipality))
    if wanted.status:
        query = query.where(Registration.status == wanted.status)
    if wanted.due_month:
        query = query.where(Registration.due_month == wanted.due_month)
    if wanted.mine:
        query = query.where(Registration.assigned_user_id == staff.user_id)
    order = {
        "oldest": (Registration.created_at.asc(),),
        "due": (Registration.due_month.asc(), Registration.created_at.asc()),
    }.get(wanted.sort, (Registration.created_at.desc(),))
    found = list(session.scalars(query.order_by(*order)))
    twins = _live_twins(session, {r.duplicate_of_id for r in found if r.duplicate_of_id})
    rows = [_row(r, today, r.duplicate_of_id in twins) for r in found]
    if wanted.waiting_more_than:
        rows = [
            row
            for row in rows
            if row.registration.status in (Status.RECEIVED, Status.CONTACT_ATTEMPTED)
            and row.waiting_days > wanted.waiting_more_than
        ]
    new_count = (
        session.scalar(
            select(func.count()).select_from(_scoped(org_ids).where(Registration.status == Status.RECEIVED).subquery())
        )
        or 0
    )
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(max(1, wanted.page), pages)
    access_log.record_event(
        session,
        staff.actor(staff.first_organisation_id),
        audit_events.REGISTRATION_LIST,
        "registration",
        None,
        query=f"{wanted.names()};count={len(rows)}",
    )
    return InboxPage(rows[(page - 1) * PER_PAGE : page * PER_PAGE], len(rows), new_count, page, pages)


def _live_twins(session: Session, ids: set[str]) -> set[str]:
    """Which of these registrations still hold their details: a twin that was erased or merged
    away no longer makes its copy a possible duplicate."""
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Registration.id).where(
                Registration.id.in_(ids), Registration.purged_at.is_(None), Registration.merged_into_id.is_(None)
            )
        )
    )


def _row(registration: Registration, today: date, possible_duplicate: bool) -> InboxRow:
    received = _local_date(registration.created_at)
    waiting = working_days.between(received, today)
    promised = registration.service.response_days or 5
    waiting_for_contact = registration.status in (Status.RECEIVED, Status.CONTACT_ATTEMPTED)
    return InboxRow(
        registration, waiting, waiting_for_contact and waiting > promised, received == today, possible_duplicate
    )


def due_months(session: Session, org_ids: frozenset[str]) -> list[date]:
    return [
        month
        for month in session.scalars(
            select(Registration.due_month)
            .where(Registration.organisation_id.in_(org_ids), Registration.purged_at.is_(None))
            .distinct()
            .order_by(Registration.due_month)
        )
        if month is not None
    ]


def find(session: Session, org_ids: frozenset[str], registration_id: str) -> Registration | None:
    """The registration if it belongs to one of the organisations (and still holds data)."""
    if not org_ids:
        return None
    return session.scalar(_scoped(org_ids).where(Registration.id == registration_id))


def _deny(session: Session, staff: Staff, registration_id: str, purpose: Purpose) -> NotFound:
    """Log a refused attempt (under an opaque form of the id asked for) and return the error to raise."""
    safe_id = _OPAQUE.sub("", registration_id)[:64]
    access_log.record_event(
        session, staff.actor(staff.first_organisation_id), purpose.event, "registration", safe_id, outcome="denied"
    )
    return NotFound(safe_id)


def find_for(session: Session, staff: Staff, registration_id: str, purpose: Purpose) -> Registration:
    """The registration she means to act on. Raises NotFound when it is not one of her organisations'
    (or not there): that refused attempt is logged, so the caller must commit before it answers."""
    found = find(session, staff.organisation_ids, registration_id)
    if found is None:
        raise _deny(session, staff, registration_id, purpose)
    return found


def _require(session: Session, staff: Staff, registration: Registration, purpose: Purpose) -> None:
    """A registration handed in by the caller is one find_for would have given her."""
    if registration.organisation_id not in staff.organisation_ids or registration.purged_at is not None:
        raise _deny(session, staff, registration.id, purpose)


def _log(
    session: Session, staff: Staff, purpose: Purpose, registration: Registration, detail: str | None = None
) -> None:
    access_log.record_event(
        session,
        staff.actor(registration.organisation_id),
        purpose.event,
        "registration",
        registration.id,
        detail=detail or purpose.detail,
    )


def open_registration(
    session: Session, staff: Staff, registration_id: str, keys: KeyRing, purpose: Purpose = Purpose.VIEW
) -> Opened:
    """Her registration with its personal details decrypted, to view, print or download; the look is
    logged with its purpose. Raises NotFound (logged) for anything else."""
    if purpose not in OPENING:
        raise ValueError(f"{purpose} does not open the personal details")
    registration = find_for(session, staff, registration_id, purpose)
    person = personal_data.open_details(registration, keys)
    found = events(session, registration.id)
    _log(session, staff, purpose, registration)
    return Opened(registration, person, found)


def export_registration(session: Session, staff: Staff, registration_id: str, keys: KeyRing) -> dict[str, object]:
    """Her registration as a record for the organisation's own dossier system (logged as a download)."""
    opened = open_registration(session, staff, registration_id, keys, Purpose.DOWNLOAD)
    return export_record(opened.registration, opened.person, opened.events)


def access_history(session: Session, staff: Staff, registration_id: str) -> AccessHistory:
    """Who looked at her registration, and when (the parent may ask; NEN 7513 ch. 9). That she
    looked is logged after the history is read, so it is not on the page she gets."""
    registration = find_for(session, staff, registration_id, Purpose.HISTORY)
    groups = access_summary.grouped(access_log.history(session, registration.id))
    _log(session, staff, Purpose.HISTORY, registration)
    return AccessHistory(registration, groups, user_names.names(session, {g.actor_user_id for g in groups}))


def events(session: Session, registration_id: str) -> list[RegistrationEvent]:
    return list(
        session.scalars(
            select(RegistrationEvent)
            .where(RegistrationEvent.registration_id == registration_id)
            .order_by(RegistrationEvent.occurred_at, RegistrationEvent.id)
        )
    )


def follow_up_kinds(session: Session) -> list[Category]:
    """Follow-up is recorded by kind: the directory's categories (plus 'other')."""
    return list(
        session.scalars(select(Category).where(Category.code != "prenataal-huisbezoek").order_by(Category.name))
    )


def follow_up_names(session: Session) -> dict[str, str]:
    """The names of the follow-up kinds (the directory's categories) by code, for a page of steps: one query."""
    return {code: name for code, name in session.execute(select(Category.code, Category.name))}


def record_step(
    session: Session, staff: Staff, registration: Registration, step: Step, code: str | None, now: datetime
) -> RegistrationEvent:
    """A step of the flow (hand-over among them), logged; raises DomainError when it is not possible now."""
    _require(session, staff, registration, Purpose.STEP)
    user_id = staff.user_id
    kinds = frozenset(c.code for c in follow_up_kinds(session))
    new_status = status_flow.apply(
        Status(registration.status), step, code or None, registration.handed_over_at is not None, kinds
    )
    if step is Step.HAND_OVER:
        registration.handed_over_at = now
    elif step is Step.CLOSE:
        registration.closed_at = now
        registration.close_outcome = code
    registration.status = new_status.value
    if registration.assigned_user_id is None:
        registration.assigned_user_id = user_id
    event = RegistrationEvent(
        registration_id=registration.id,
        organisation_id=registration.organisation_id,
        kind=step.value,
        code=code or None,
        actor_user_id=user_id,
        occurred_at=now,
    )
    session.add(event)
    session.flush()
    advice.notify_step(session, registration, step.value, now.astimezone(ZONE).date())
    access_log.record_event(
        session,
        staff.actor(registration.organisation_id),
        audit_events.REGISTRATION_HANDOVER if step is Step.HAND_OVER else audit_events.REGISTRATION_STATUS_CHANGE,
        "registration",
        registration.id,
        detail=f"step={step.value}",
    )
    return event


def merge_duplicate(
    session: Session, staff: Staff, duplicate: Registration, original: Registration, now: datetime
) -> None:
    """Keep the original; it takes over who advised and what was consented; the duplicate is erased.
    Both the erasure and the merge are logged."""
    _require(session, staff, duplicate, Purpose.MERGE)
    if duplicate.organisation_id != original.organisation_id or original.purged_at or original.merged_into_id:
        raise MergeImpossible()
    if original.advisor_user_id is None and duplicate.advisor_user_id is not None:
        for name in (
            "advisor_user_id",
            "advice_code_id",
            "helped_by_user_id",
            "consent_text_version",
            "consent_method",
            "feedback_consent",
            "feedback_text_version",
            "feedback_until",
        ):
            setattr(original, name, getattr(duplicate, name))
        if original.route == "self" and duplicate.route != "self":
            original.route = duplicate.route
    duplicate.merged_into_id = original.id
    duplicate.duplicate_of_id = None
    duplicate.status, duplicate.close_outcome, duplicate.closed_at = Status.CLOSED.value, "duplicate", now
    retention.erase(session, duplicate, now, staff.actor(duplicate.organisation_id), "duplicate-merge v1")
    _log(session, staff, Purpose.MERGE, original, detail=f"merged={duplicate.id}")


def erase(session: Session, staff: Staff, registration: Registration, now: datetime) -> None:
    """Delete the personal details now (after a withdrawal, or once they are in the own dossier); logged."""
    _require(session, staff, registration, Purpose.ERASE)
    retention.erase(session, registration, now, staff.actor(registration.organisation_id), "request-or-handover v1")


def reroute_targets(session: Session, current_org_id: str) -> list[Organisation]:
    """Organisations with an active home-visit service, other than the current one."""
    seen: dict[str, Organisation] = {}
    for service in home_visit_services(session):
        if service.organisation_id != current_org_id:
            seen.setdefault(service.organisation_id, service.organisation)
    return sorted(seen.values(), key=lambda org: org.name)


def reroute(
    session: Session, staff: Staff, registration: Registration, target_org_id: str, reason: str, now: datetime
) -> RegistrationEvent:
    """Send the registration on to another organisation's home-visit service; logged under the old one."""
    _require(session, staff, registration, Purpose.REROUTE)
    old_org_id = registration.organisation_id
    target = next(
        (org for org in reroute_targets(session, registration.organisation_id) if org.id == target_org_id), None
    )
    if target is None:
        raise RerouteImpossible()
    service = next(s for s in target.services if s.kind == "phb" and s.status == "active")
    kinds = frozenset(c.code for c in follow_up_kinds(session))
    status_flow.apply(Status(registration.status), Step.REROUTE, reason, registration.handed_over_at is not None, kinds)
    event = RegistrationEvent(
        registration_id=registration.id,
        organisation_id=registration.organisation_id,
        kind=Step.REROUTE.value,
        code=reason,
        actor_user_id=staff.user_id,
        occurred_at=now,
    )
    session.add(event)
    registration.organisation_id = target.id
    registration.service_id = service.id
    registration.status = Status.RECEIVED.value
    registration.assigned_user_id = None
    area_codes = {a.municipality_code for a in service.areas}
    if registration.municipality_code not in area_codes and area_codes:
        registration.municipality_code = sorted(area_codes)[0]
    outbox.enqueue_new_registration(session, registration)
    session.flush()
    access_log.record_event(
        session,
        staff.actor(old_org_id),
        Purpose.REROUTE.event,
        "registration",
        registration.id,
        detail=f"to={target.id}",
    )
    return event


def visit_count(found: list[RegistrationEvent]) -> int:
    return sum(1 for e in found if e.kind == Step.VISIT_HELD.value)


def contact_attempts(found: list[RegistrationEvent]) -> int:
    return sum(1 for e in found if e.kind == Step.CONTACT_ATTEMPT.value)


# 1.2: parent.no_fixed_address and parent.reachable_at; 1.1: "unreadable" names the fields that could not be decrypted
EXPORT_SCHEMA_VERSION = "1.2"


def export_record(
    registration: Registration, person: personal_data.PersonalDetails, found: list[RegistrationEvent]
) -> dict[str, object]:
    """One registration for the organisation's own dossier system.

    Schema: balie/data/registration_export.schema.json.
    """
    preferences = person.preferences
    return {
        "schema": f"https://balie.example/schemas/registration-export/{EXPORT_SCHEMA_VERSION}",
        "reference": registration.reference,
        "id": registration.id,
        "received_at": registration.created_at.isoformat(),
        "route": registration.route,
        "organisation": {"id": registration.organisation_id, "name": registration.organisation.name},
        "municipality_code": registration.municipality_code,
        "parent": {
            "name": person.name,
            "phone": person.phone,
            "email": person.email,
            "address": person.address,
            "no_fixed_address": bool(registration.no_fixed_address),
            "reachable_at": person.reachable_at,
        },
        "due_month": registration.due_month.strftime("%Y-%m") if registration.due_month else None,
        "language": registration.language,
        "interpreter_wanted": registration.interpreter == "yes",
        "contact_preferences": preferences.as_dict(),
        "advisor_kind": registration.advisor_kind,
        "note": person.note,
        "status": registration.status,
        "close_outcome": registration.close_outcome,
        "events": [{"kind": e.kind, "code": e.code, "at": e.occurred_at.isoformat()} for e in found],
        "privacy_text_version": registration.privacy_text_version,
        # A field that could not be decrypted is null above and named here, so a dossier system can tell
        # "left empty" from "lost" (unreadable contact_preferences: the safety wishes are not known).
        "unreadable": list(person.unreadable),
    }
