"""Which registrations the monitor counts for a set of gemeenten and a period.

A registration counts in the period in which it was received (by the date in the Netherlands) and
under the gemeente it is registered under now (a re-routed registration may have moved). Counted:
withdrawn and purged registrations too (she did register; the anonymous row and its events stay).
Not counted: a merged duplicate (the same family registered twice; the registration it was merged
into counts), and the PHBs that the JGZ registers outside the desk, which the desk does not know.
A possible duplicate that nobody merged counts twice: only the nurse can tell.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement

from balie.models import Registration
from balie.services.monitoring.periods import Period


def counted(gemeenten: Collection[str], period: Period) -> tuple[ColumnElement[bool], ...]:
    """The conditions on Registration for these gemeenten (CBS codes) and this period."""
    start, end = period.utc_bounds()
    return (
        Registration.municipality_code.in_(sorted(gemeenten)),
        Registration.created_at >= start,
        Registration.created_at < end,
        Registration.merged_into_id.is_(None),
    )
