"""The JGZ inbox: an organisation's registrations, their progress, hand-over and re-routing.

Every function takes the organisations the user works for; a registration of another
organisation is simply not found. Personal data is only opened by ``details`` (the caller
logs that read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from balie.clock import ZONE
from balie.crypto import KeyRing
from balie.domain import status_flow, working_days
from balie.domain.errors import DomainError
from balie.domain.status_flow import Status, Step
from balie.models import Category, Organisation, Registration, RegistrationEvent
from balie.services import access_log, advice, outbox, personal_data, retention
from balie.services.directory_queries import home_visit_services

PER_PAGE = 25
WAITING_CHOICES = (2, 5, 10)  # "waiting more than N working days"
SORTS = ("newest", "oldest", "due")


class RerouteImpossible(DomainError):
    code = "reroute_impossible"


class MergeImpossible(DomainError):
    code = "merge_impossible"


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


def _scoped(org_ids: frozenset[str]) -> Select[tuple[Registration]]:
    return select(Registration).where(Registration.organisation_id.in_(org_ids), Registration.purged_at.is_(None))


def list_page(session: Session, org_ids: frozenset[str], wanted: InboxFilter, user_id: str, today: date) -> InboxPage:
    query = _scoped(org_ids).options(joinedload(Registration.service), joinedload(Registration.municipality))
    if wanted.status:
        query = query.where(Registration.status == wanted.status)
    if wanted.due_month:
        query = query.where(Registration.due_month == wanted.due_month)
    if wanted.mine:
        query = query.where(Registration.assigned_user_id == user_id)
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


def details(registration: Registration, keys: KeyRing) -> personal_data.PersonalDetails:
    return personal_data.open_details(registration, keys)


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


def record_step(
    session: Session, registration: Registration, step: Step, code: str | None, user_id: str, now: datetime
) -> RegistrationEvent:
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
    return event


def merge_duplicate(
    session: Session, duplicate: Registration, original: Registration, actor: access_log.Actor, now: datetime
) -> None:
    """Keep the original; it takes over who advised and what was consented; the duplicate is erased."""
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
    retention.erase(session, duplicate, now, actor, "duplicate-merge v1")


def reroute_targets(session: Session, current_org_id: str) -> list[Organisation]:
    """Organisations with an active home-visit service, other than the current one."""
    seen: dict[str, Organisation] = {}
    for service in home_visit_services(session):
        if service.organisation_id != current_org_id:
            seen.setdefault(service.organisation_id, service.organisation)
    return sorted(seen.values(), key=lambda org: org.name)


def reroute(
    session: Session, registration: Registration, target_org_id: str, reason: str, user_id: str, now: datetime
) -> RegistrationEvent:
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
        actor_user_id=user_id,
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
