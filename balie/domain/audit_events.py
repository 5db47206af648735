"""Every event the access log records, in one table: its fixed English code, its action letter
(NEN 7513: Create, Read, Update, Delete, Export) and how a registration's access history names it.

Services write rows only with these events (``access_log.record`` refuses any other code), so
the codes stay the same whatever a page's address is called. Rows written before the codes were
fixed carry older codes (``LEGACY_CODES``); the log is append-only and hash-chained, so they stay
as they are and are read as the event they meant.

Labels are gettext msgids, translated where they are shown (balie.web.labels.access_event_label).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from balie.domain.status_flow import Step

CREATE, READ, UPDATE, DELETE, EXPORT = "C", "R", "U", "D", "E"


def N_(text: str) -> str:
    """Marks a gettext msgid that is translated where it is shown."""
    return text


@dataclass(frozen=True, eq=False)  # each event is one object: compared (and hashed) by identity
class AuditEvent:
    code: str
    action: str  # one of CREATE, READ, UPDATE, DELETE, EXPORT
    label: str | None = None  # a registration's access history: what happened (None: never about a registration)
    # A more precise label for a row's detail ("print", "step=visit_held"), where the detail says more.
    detail_labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _steps(*steps: tuple[Step, str]) -> Mapping[str, str]:
    return MappingProxyType({f"step={step.value}": label for step, label in steps})


REGISTRATION_CREATE = AuditEvent(
    "registration.create",
    CREATE,
    N_("Registered"),
    MappingProxyType(
        {
            "route=self": N_("Registered by the parent"),
            "route=assisted": N_("Registered together with a professional"),
            "route=referral": N_("Referred by a professional, with consent"),
        }
    ),
)
REGISTRATION_LIST = AuditEvent("registration.list", READ)
REGISTRATION_READ = AuditEvent("registration.read", READ, N_("Viewed"))
REGISTRATION_EXPORT = AuditEvent(
    "registration.export",
    EXPORT,
    N_("Exported"),
    MappingProxyType({"print": N_("Printed"), "json": N_("Downloaded")}),
)
REGISTRATION_STATUS_CHANGE = AuditEvent(
    "registration.status_change",
    UPDATE,
    N_("Step recorded"),
    _steps(
        (Step.CONTACT_ATTEMPT, N_("Step recorded: contact attempted")),
        (Step.CONTACT_MADE, N_("Step recorded: contact made")),
        (Step.VISIT_PLANNED, N_("Step recorded: visit planned")),
        (Step.VISIT_HELD, N_("Step recorded: visit held")),
        (Step.FOLLOW_UP, N_("Step recorded: follow-up arranged")),
        (Step.CLOSE, N_("Step recorded: closed")),
    ),
)
REGISTRATION_HANDOVER = AuditEvent("registration.handover", UPDATE, N_("Step recorded: handed over to our own dossier"))
REGISTRATION_REROUTE = AuditEvent("registration.reroute", UPDATE, N_("Sent on to another organisation"))
REGISTRATION_MERGE = AuditEvent("registration.merge", UPDATE, N_("A duplicate registration was merged into this one"))
REGISTRATION_PURGE = AuditEvent("registration.purge", DELETE, N_("Personal details deleted"))
REGISTRATION_WITHDRAW = AuditEvent("registration.withdraw", UPDATE, N_("Withdrawn by the parent"))
ACCESS_LOG_READ = AuditEvent("access_log.read", READ, N_("Looked at who viewed this registration"))
ACCESS_LOG_EXPORT = AuditEvent("access_log.export", EXPORT)
USER_INVITE = AuditEvent("user.invite", CREATE)
USER_INVITE_REVOKE = AuditEvent("user.invite_revoke", UPDATE)
USER_ROLE_ADD = AuditEvent("user.role_add", UPDATE)
USER_ROLE_REMOVE = AuditEvent("user.role_remove", UPDATE)
USER_DISABLE = AuditEvent("user.disable", UPDATE)
USER_ENABLE = AuditEvent("user.enable", UPDATE)
USER_SESSIONS_END = AuditEvent("user.sessions_end", UPDATE)
USER_REQUEST_APPROVE = AuditEvent("user.request_approve", UPDATE)
USER_REQUEST_DECLINE = AuditEvent("user.request_decline", UPDATE)
# The monitor's reference figures of a gemeente (live births, own target group, budget): not personal data.
MONITOR_REFERENCE_READ = AuditEvent("monitor.reference_read", READ)
MONITOR_REFERENCE_UPDATE = AuditEvent("monitor.reference_update", UPDATE)
MONITOR_BIRTHS_IMPORT = AuditEvent("monitor.births_import", UPDATE)
# A look at the monitor's anonymous figures (a gemeente and period; no personal data).
MONITOR_VIEW = AuditEvent("monitor.view", READ)

EVENTS: Mapping[str, AuditEvent] = MappingProxyType(
    {
        event.code: event
        for event in (
            REGISTRATION_CREATE,
            REGISTRATION_LIST,
            REGISTRATION_READ,
            REGISTRATION_EXPORT,
            REGISTRATION_STATUS_CHANGE,
            REGISTRATION_HANDOVER,
            REGISTRATION_REROUTE,
            REGISTRATION_MERGE,
            REGISTRATION_PURGE,
            REGISTRATION_WITHDRAW,
            ACCESS_LOG_READ,
            ACCESS_LOG_EXPORT,
            USER_INVITE,
            USER_INVITE_REVOKE,
            USER_ROLE_ADD,
            USER_ROLE_REMOVE,
            USER_DISABLE,
            USER_ENABLE,
            USER_SESSIONS_END,
            USER_REQUEST_APPROVE,
            USER_REQUEST_DECLINE,
            MONITOR_REFERENCE_READ,
            MONITOR_REFERENCE_UPDATE,
            MONITOR_BIRTHS_IMPORT,
            MONITOR_VIEW,
        )
    }
)

# Codes of rows written before the codes were fixed (they came from the Dutch addresses of the
# administrator's buttons) → the event they record.
LEGACY_CODES: Mapping[str, AuditEvent] = MappingProxyType(
    {
        "user.uitschakelen": USER_DISABLE,
        "user.inschakelen": USER_ENABLE,
        "user.sessies-beeindigen": USER_SESSIONS_END,
    }
)


def event_of(code: str) -> AuditEvent | None:
    """The event a stored row records, for current and legacy codes alike (None: not an event)."""
    return EVENTS.get(code) or LEGACY_CODES.get(code)


def codes_of(code: str) -> tuple[str, ...]:
    """Every code that rows of this event may carry (the current one first), to find old rows too."""
    event = event_of(code)
    if event is None:
        return (code,)
    return (event.code, *sorted(old for old, meant in LEGACY_CODES.items() if meant is event))
