"""A monitor keeping her gemeenten's reference figures: look at them, change a year, import births.

The figures themselves and their rules are in reference_figures (and cbs_births for a file); this
module is what a person does with them, each step written to the access log: they are not personal
data, but the monitor is accountable (issue 13). She sees the gemeenten of her view scope
(scope.monitor_scope) and changes those of her reference scope (scope.reference_figures_scope);
any other gemeente is refused as not there (NotFound), the attempt logged as denied, so the caller
must commit before it answers.

A births file is read and checked first and kept as a pending upload (balie.services.pending_uploads)
with what it would store; only her confirmation stores it, all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.domain import audit_events
from balie.domain.audit_events import AuditEvent
from balie.domain.errors import DomainError
from balie.models import Municipality, PendingUpload
from balie.services import pending_uploads
from balie.services.accounts import names as user_names
from balie.services.audit import access_log
from balie.services.audit.access_log import Actor
from balie.services.monitoring import cbs_births, reach, reference_figures
from balie.services.monitoring.reference_figures import Figures, FiguresEntry
from balie.services.monitoring.scope import MonitorScope

OBJECT_TYPE = "reference_figures"
BASIS = "monitor-scope v1"  # the authorisation basis: her monitor grants (scope.py)
BIRTHS_UPLOAD = "cbs_births"  # the kind of pending upload
YEARS_SHOWN = 5  # this year and the four before it
_OPAQUE = re.compile(r"[^A-Za-z0-9]")


class NotFound(DomainError):
    """Not a gemeente of her scope (or no gemeente at all): answered as not there."""

    code = "not_found"


@dataclass(frozen=True)
class Keeper:
    """Who is keeping the figures, and where."""

    actor: Actor
    view_scope: MonitorScope  # the gemeenten whose figures she sees
    edit_scope: MonitorScope  # the gemeenten whose figures she may change

    def may_change(self, municipality_code: str) -> bool:
        return self.edit_scope.covers(municipality_code)


@dataclass(frozen=True)
class YearFigures:
    year: int
    figures: Figures | None  # None: nothing entered for this year
    expected_target_group: Decimal | None  # live births × the financing norm; None: births not known
    changed_by: str | None  # the name of who changed them last (None: nobody, or a command on the server)


@dataclass(frozen=True)
class GemeenteFigures:
    code: str
    name: str
    may_change: bool
    years: tuple[YearFigures, ...]  # newest first

    @property
    def is_empty(self) -> bool:
        return all(year.figures is None for year in self.years)


@dataclass(frozen=True)
class ChangeLine:
    change: reference_figures.Change
    changed_by: str | None  # her name; None: a command on the server


def shown_years(this_year: int) -> tuple[int, ...]:
    return tuple(range(this_year, this_year - YEARS_SHOWN, -1))


def may_open_year(year: int, this_year: int) -> bool:
    """A year whose figures can be kept at all (a budget or target can be set for next year)."""
    return reference_figures.FIRST_YEAR <= year <= this_year + 1


def _log(session: Session, keeper: Keeper, event: AuditEvent, object_id: str | None, **extra: Any) -> None:
    access_log.record_event(session, keeper.actor, event, OBJECT_TYPE, object_id, basis=BASIS, **extra)


def _object_id(municipality_code: str, year: int) -> str:
    return f"{_OPAQUE.sub('', municipality_code)[:16]}-{year}"


def _check_scope(session: Session, keeper: Keeper, code: str, year: int, scope: MonitorScope, event: AuditEvent) -> str:
    """The gemeente's name, when it is in the scope; else the refusal is logged and NotFound raised."""
    name = session.scalar(select(Municipality.name).where(Municipality.code == code)) if scope.covers(code) else None
    if name is None:
        _log(session, keeper, event, _object_id(code, year), outcome="denied")
        raise NotFound()
    return name


def municipality_name(session: Session, municipality_code: str) -> str:
    return session.scalar(select(Municipality.name).where(Municipality.code == municipality_code)) or municipality_code


def _municipality_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    rows = session.execute(select(Municipality.code, Municipality.name).where(Municipality.code.in_(set(codes))))
    return {code: name for code, name in rows}


def _names(session: Session, user_ids: Iterable[str | None]) -> dict[str, str]:
    return user_names.names(session, [user_id for user_id in user_ids if user_id])


def overview(session: Session, keeper: Keeper, this_year: int, norm_share: Decimal) -> list[GemeenteFigures]:
    """Her gemeenten (by name) with the figures of the years shown and the target group they give. Logged."""
    codes = sorted(keeper.view_scope.municipality_codes)
    years = shown_years(this_year)
    known = reference_figures.figures(session, codes, years)
    names = _names(session, (figures.changed_by for figures in known.values()))
    municipality_names = _municipality_names(session, codes)
    result = []
    for code in sorted(municipality_names, key=lambda code: municipality_names[code]):
        rows = []
        for year in years:
            figures = known.get((code, year))
            births = figures.live_births if figures else None
            expected = None if births is None else reach.expected_target_group(births, norm_share)
            who = names.get(figures.changed_by or "") if figures else None
            rows.append(YearFigures(year, figures, expected, who))
        result.append(GemeenteFigures(code, municipality_names[code], keeper.may_change(code), tuple(rows)))
    _log(
        session,
        keeper,
        audit_events.MONITOR_REFERENCE_READ,
        None,
        detail=",".join(codes)[:200] or None,
        query=f"years={years[-1]}-{years[0]}",
    )
    return result


def open_year(session: Session, keeper: Keeper, municipality_code: str, year: int) -> tuple[str, Figures | None]:
    """The gemeente's name and figures of a year, to change them (her reference scope only). Logged."""
    name = _check_scope(
        session, keeper, municipality_code, year, keeper.edit_scope, audit_events.MONITOR_REFERENCE_READ
    )
    _log(session, keeper, audit_events.MONITOR_REFERENCE_READ, _object_id(municipality_code, year))
    return name, reference_figures.get(session, municipality_code, year)


def year_history(session: Session, municipality_code: str, year: int) -> list[ChangeLine]:
    """Every change of the figures of this gemeente and year, newest first, with who made it."""
    changes = reference_figures.history(session, municipality_code, year)
    names = _names(session, (change.changed_by for change in changes))
    return [ChangeLine(change, names.get(change.changed_by or "")) for change in changes]


def change(session: Session, keeper: Keeper, entry: FiguresEntry, now: datetime) -> Figures:
    """Set a year's figures as entered; raises InvalidFigures (nothing stored) or NotFound. Logged."""
    code, year = entry.municipality_code, entry.year
    _check_scope(session, keeper, code, year, keeper.edit_scope, audit_events.MONITOR_REFERENCE_UPDATE)
    saved = reference_figures.save(session, keeper.edit_scope, entry, keeper.actor.user_id, now)
    _log(session, keeper, audit_events.MONITOR_REFERENCE_UPDATE, _object_id(code, year))
    return saved


# --- a CBS StatLine births file ---------------------------------------------------------------------


@dataclass(frozen=True)
class BirthsLine:
    code: str
    name: str
    year: int
    old: int | None  # what the desk holds now
    new: int

    @property
    def changes(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class BirthsPreview:
    problems: tuple[cbs_births.Problem, ...]
    lines: tuple[BirthsLine, ...]  # what would be stored, by gemeente name and year
    incomplete: tuple[tuple[str, int, int], ...]  # (gemeente name, year, months in the file): not stored
    outside_scope: tuple[str, ...]  # names of gemeenten in the file that are not hers: not stored

    @property
    def changes(self) -> int:
        return sum(line.changes for line in self.lines)


def read_births(
    session: Session, keeper: Keeper, file_name: str, data: bytes, now: datetime, max_bytes: int
) -> PendingUpload:
    """Read and check a file for her gemeenten and keep the result until she confirms (nothing stored)."""
    known = frozenset(session.scalars(select(Municipality.code)))
    found = cbs_births.read(data, known, keeper.edit_scope, now.year, max_bytes)
    content: dict[str, Any] = {
        "births": [[code, year, count] for (code, year), count in sorted(found.births.items())],
        "problems": [[problem.code, problem.row, problem.value] for problem in found.problems],
        "incomplete": [list(item) for item in found.incomplete],
        "outside_scope": found.outside_scope,
    }
    return pending_uploads.store(session, BIRTHS_UPLOAD, keeper.actor.user_id, file_name, content, now)


def pending_births(session: Session, keeper: Keeper, upload_id: str, now: datetime) -> PendingUpload:
    """Her births file waiting for confirmation; raises pending_uploads.UploadGone."""
    return pending_uploads.pending(session, BIRTHS_UPLOAD, keeper.actor.user_id, upload_id, now)


def _listed(upload: PendingUpload, key: str) -> list[Any]:
    value = upload.content.get(key)
    return value if isinstance(value, list) else []


def _births(upload: PendingUpload) -> dict[tuple[str, int], int]:
    return {(code, year): count for code, year, count in _listed(upload, "births")}


def births_preview(session: Session, upload: PendingUpload) -> BirthsPreview:
    """What confirming would store, against what the desk holds now."""
    births = _births(upload)
    incomplete = _listed(upload, "incomplete")
    outside = _listed(upload, "outside_scope")
    codes = {code for code, _year in births} | set(outside) | {code for code, _year, _months in incomplete}
    names = _municipality_names(session, codes)
    held = reference_figures.figures(session, {code for code, _ in births}, {year for _, year in births})
    lines = []
    for (code, year), count in births.items():
        figures = held.get((code, year))
        lines.append(BirthsLine(code, names.get(code, code), year, figures.live_births if figures else None, count))
    return BirthsPreview(
        problems=tuple(cbs_births.Problem(code, row, value) for code, row, value in _listed(upload, "problems")),
        lines=tuple(sorted(lines, key=lambda line: (line.name, -line.year))),
        incomplete=tuple((names.get(code, code), year, months) for code, year, months in incomplete),
        outside_scope=tuple(sorted(names.get(code, code) for code in outside)),
    )


def confirm_births(session: Session, keeper: Keeper, upload: PendingUpload, now: datetime) -> int:
    """Store the file's births for her gemeenten, all or nothing; the number of figures that changed. Logged.

    Raises InvalidFigures when the file had problems (no button offers it) or her scope changed meanwhile."""
    if upload.content.get("problems"):
        raise reference_figures.InvalidFigures([])
    births = _births(upload)
    changed = reference_figures.record_live_births(
        session, keeper.edit_scope, births, reference_figures.SOURCE_CBS, keeper.actor.user_id, now
    )
    pending_uploads.cancel(session, upload)
    _log(
        session,
        keeper,
        audit_events.MONITOR_BIRTHS_IMPORT,
        None,
        detail=",".join(sorted({code for code, _year in births}))[:200] or None,
        query=f"figures={len(births)};changed={changed}",
    )
    return changed
