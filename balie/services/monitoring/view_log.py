"""The access log of the monitor: every view, and every refused gemeente, with scope and period.

The monitor shows no personal data, but who looked at which figures is accountable. A row names
the gemeente (CBS code, or "all" for all of the user's gemeenten) and the period key, never
anything about a family.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from balie.domain.audit_events import MONITOR_VIEW
from balie.services.audit.access_log import Actor, record_event

OBJECT_TYPE = "monitor"
BASIS = "monitor-scope v1"
_SAFE = re.compile(r"[^A-Za-z0-9-]")


def _clean(text: str, limit: int = 16) -> str:
    return _SAFE.sub("", text)[:limit]


def record_view(session: Session, actor: Actor, place: str, period: str, outcome_detail: str) -> None:
    """A view of one gemeente (or "all") and period; ``outcome_detail``: shown / empty / widened-to=… / refused."""
    object_id = f"{_clean(place)}/{_clean(period)}"
    record_event(session, actor, MONITOR_VIEW, OBJECT_TYPE, object_id, detail=outcome_detail[:64], basis=BASIS)


def record_refused(session: Session, actor: Actor, place: str, period: str) -> None:
    """A gemeente outside her scope asked for in the address: denied."""
    object_id = f"{_clean(place)}/{_clean(period)}"
    record_event(session, actor, MONITOR_VIEW, OBJECT_TYPE, object_id, outcome="denied", basis=BASIS)
