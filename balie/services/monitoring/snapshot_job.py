"""The nightly job of the monitor: today's snapshots for every monitor's scope, and away with old ones.

So that the first view of the day is as quick as every other, ``flask monitor snapshot`` counts and
protects, for every distinct scope of the active monitor grants, this year and the years before
that the page offers, as of the start of today; snapshots older than ``snapshot.KEPT_DAYS`` days
are deleted. A snapshot that a view already stored today is kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from balie.services.monitoring import snapshot
from balie.services.monitoring.disclosure import DEFAULT_THRESHOLD
from balie.services.monitoring.report import year_figures
from balie.services.monitoring.scope import monitor_scopes

YEARS_SHOWN = 3  # this year and the two before: the years the monitor page offers


@dataclass(frozen=True)
class Done:
    scopes: int
    snapshots: int
    deleted: int


def make_snapshots(session: Session, region_ggd_codes: tuple[str, ...], day: date) -> Done:
    """Flushes; the caller commits."""
    scopes = monitor_scopes(session, region_ggd_codes)
    years = [day.year - back for back in range(YEARS_SHOWN)]
    for gemeenten in sorted(scopes, key=snapshot.gemeenten_key):
        for year in years:
            year_figures(session, gemeenten, year, day, DEFAULT_THRESHOLD)
    deleted = snapshot.delete_before(session, day)
    return Done(len(scopes), len(scopes) * len(years), deleted)
