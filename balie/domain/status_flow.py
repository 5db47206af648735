"""The short status flow of a registration in the JGZ inbox.

received → contact attempted (counted) → contact made → visit planned → visit(s) held
(counted per family) → follow-up arranged (by kind) → closed with an outcome. Handing over
to the organisation's own dossier is a mark that can be set at any point; re-routing moves
the registration to another organisation while it is still open.
"""

from __future__ import annotations

import enum

from balie.domain.errors import DomainError


class Status(enum.StrEnum):
    RECEIVED = "received"
    CONTACT_ATTEMPTED = "contact_attempted"
    CONTACT_MADE = "contact_made"
    VISIT_PLANNED = "visit_planned"
    VISIT_HELD = "visit_held"
    FOLLOW_UP_ARRANGED = "follow_up_arranged"
    CLOSED = "closed"


class Step(enum.StrEnum):
    CONTACT_ATTEMPT = "contact_attempt"
    CONTACT_MADE = "contact_made"
    VISIT_PLANNED = "visit_planned"
    VISIT_HELD = "visit_held"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    HAND_OVER = "hand_over"
    REROUTE = "reroute"


CLOSE_OUTCOMES = ("visits_held", "declined", "not_reached", "moved")
VISITS_HELD = "visits_held"
REROUTE_REASONS = ("lives_elsewhere", "moved", "other")
FOLLOW_UP_OTHER = "other"

OPEN = (
    Status.RECEIVED,
    Status.CONTACT_ATTEMPTED,
    Status.CONTACT_MADE,
    Status.VISIT_PLANNED,
    Status.VISIT_HELD,
    Status.FOLLOW_UP_ARRANGED,
)
_BEFORE_CONTACT = (Status.RECEIVED, Status.CONTACT_ATTEMPTED)
_AFTER_CONTACT = (Status.CONTACT_MADE, Status.VISIT_PLANNED, Status.VISIT_HELD, Status.FOLLOW_UP_ARRANGED)

ALLOWED: dict[Step, tuple[Status, ...]] = {
    Step.CONTACT_ATTEMPT: _BEFORE_CONTACT,
    Step.CONTACT_MADE: _BEFORE_CONTACT,
    Step.VISIT_PLANNED: _AFTER_CONTACT,
    Step.VISIT_HELD: _AFTER_CONTACT,
    Step.FOLLOW_UP: (Status.VISIT_HELD, Status.FOLLOW_UP_ARRANGED),
    Step.CLOSE: OPEN,
    Step.REROUTE: (*_BEFORE_CONTACT, Status.CONTACT_MADE),
}

_RESULT: dict[Step, Status] = {
    Step.CONTACT_ATTEMPT: Status.CONTACT_ATTEMPTED,
    Step.CONTACT_MADE: Status.CONTACT_MADE,
    Step.VISIT_PLANNED: Status.VISIT_PLANNED,
    Step.VISIT_HELD: Status.VISIT_HELD,
    Step.FOLLOW_UP: Status.FOLLOW_UP_ARRANGED,
    Step.CLOSE: Status.CLOSED,
    Step.REROUTE: Status.RECEIVED,
}


class StepNotAllowed(DomainError):
    code = "step_not_allowed"


class StepCodeInvalid(DomainError):
    code = "step_code_invalid"


def close_outcomes(status: Status) -> tuple[str, ...]:
    """The outcomes a registration in this status can be closed with: "visit(s) held" only once a
    visit has been recorded, so the figures never count a visit that did not happen."""
    if status in (Status.VISIT_HELD, Status.FOLLOW_UP_ARRANGED):
        return CLOSE_OUTCOMES
    return tuple(outcome for outcome in CLOSE_OUTCOMES if outcome != VISITS_HELD)


def allowed_steps(status: Status, handed_over: bool) -> list[Step]:
    steps = [step for step, statuses in ALLOWED.items() if status in statuses]
    if not handed_over:
        steps.append(Step.HAND_OVER)
    return steps


def apply(status: Status, step: Step, code: str | None, handed_over: bool, follow_up_kinds: frozenset[str]) -> Status:
    """The status after the step; raises when the step or its code is not allowed."""
    if step is Step.HAND_OVER:
        if handed_over:
            raise StepNotAllowed()
        return status
    if status not in ALLOWED[step]:
        raise StepNotAllowed()
    valid_codes = {
        Step.CLOSE: frozenset(close_outcomes(status)),
        Step.REROUTE: frozenset(REROUTE_REASONS),
        Step.FOLLOW_UP: follow_up_kinds | {FOLLOW_UP_OTHER},
    }.get(step)
    if valid_codes is not None and code not in valid_codes:
        raise StepCodeInvalid()
    if valid_codes is None and code:
        raise StepCodeInvalid()
    return _RESULT[step]
