"""The access history of one record as a person reads it (NEN 7513 ch. 9: the client may ask who looked).

The access log keeps every row; this view of it puts the same thing done by the same person
several times in a row (a nurse who opens a registration five times in an afternoon) on one
line, with the first and last moment and how often.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from balie.models import AccessLogEntry


@dataclass(frozen=True)
class AccessGroup:
    """One line of the history: the same event by the same person, `count` times in a row."""

    first_at: datetime
    last_at: datetime
    count: int
    actor_user_id: str
    actor_role: str
    event_code: str
    detail: str | None
    outcome: str

    def same_as(self, entry: AccessLogEntry) -> bool:
        return (self.actor_user_id, self.actor_role, self.event_code, self.detail, self.outcome) == (
            entry.actor_user_id,
            entry.actor_role,
            entry.event_code,
            entry.object_detail,
            entry.outcome,
        )


def grouped(entries: Iterable[AccessLogEntry]) -> list[AccessGroup]:
    """The entries (oldest first) with runs of the same event by the same person folded into one."""
    groups: list[AccessGroup] = []
    for entry in entries:
        if groups and groups[-1].same_as(entry):
            groups[-1] = replace(groups[-1], last_at=entry.occurred_at, count=groups[-1].count + 1)
            continue
        groups.append(
            AccessGroup(
                first_at=entry.occurred_at,
                last_at=entry.occurred_at,
                count=1,
                actor_user_id=entry.actor_user_id,
                actor_role=entry.actor_role,
                event_code=entry.event_code,
                detail=entry.object_detail,
                outcome=entry.outcome,
            )
        )
    return groups
