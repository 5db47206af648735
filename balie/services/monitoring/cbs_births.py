"""Live births per gemeente and year from a CBS StatLine export of table 37230ned, as CSV.

Table 37230ned, "Bevolkingsontwikkeling; regio per maand", has a row per region and period with,
among others, the topic "Levend geboren kinderen" (OData key LevendGeborenKinderen_2). What this
reader expects (tests/data/README.md says where this layout comes from and what is assumed):

- a CSV file, ';' (or ',') separated, values quoted or not, UTF-8 with or without BOM;
- a header row naming the region column ("RegioS" in the open-data CSV, "Regio's" in StatLine's
  own), the period column ("Perioden") and the births column ("LevendGeborenKinderen_2", or
  "Levend geboren kinderen" with or without " (aantal)"); other columns are ignored;
- regions as CBS codes: GM0518 for a gemeente (padded with spaces in the open-data CSV); rows of
  the country, landsdelen, provinces and COROP areas (NL01, LD…, PV…, CR…) are passed over;
- periods as CBS codes: 2023MM01 … 2023MM12 for months, 2023JJ00 for the whole year;
- a count, or "." or empty where CBS has no figure (such a row is passed over).

A year's figure is CBS's own year total (JJ00) where the file has it, else the sum of its twelve
months; a year with fewer months and no total is incomplete and reported, not stored. Gemeenten
outside the importer's scope are reported, not stored. Any problem in the file stores nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.models import Municipality
from balie.services.directory import spreadsheet_files as files
from balie.services.monitoring import reference_figures
from balie.services.monitoring.scope import MonitorScope

REGION_HEADERS = ("regios", "regio's")
PERIOD_HEADERS = ("perioden",)
BIRTHS_HEADERS = ("levendgeborenkinderen_2", "levend geboren kinderen (aantal)", "levend geboren kinderen")
MAX_ROWS = 100_000  # every gemeente of the country, months and years, for about twenty years
MUNICIPALITY = re.compile(r"GM\d{4}")
OTHER_REGION = re.compile(r"(NL|LD|PV|CR)\d{2}")
PERIOD = re.compile(r"(?P<year>\d{4})(?:MM(?P<month>0[1-9]|1[0-2])|(?P<total>JJ00))")
NO_FIGURE = ("", ".")
MONTHS = 12


@dataclass(frozen=True)
class Problem:
    """Row 0: the whole file. ``value`` is what the row says (a region or period code, a count)."""

    code: str  # see PROBLEM_CODES
    row: int = 0
    value: str = ""


PROBLEM_CODES = (
    "not_csv",  # not a text file with separated values
    "empty",  # no header row
    "too_big",  # value: the limit in bytes
    "too_many_rows",  # value: the limit
    "header",  # value: the column that is missing (region, period, live births)
    "region_not_a_code",  # a region name or something else where a CBS region code belongs
    "unknown_gemeente",  # a GM code the desk does not know (not in the CBS 2024 indeling)
    "period_not_a_code",  # not 2023MM01 or 2023JJ00
    "year_out_of_range",
    "not_a_number",
    "duplicate",  # the same region and period twice; value: the row it was on first
    "out_of_range",  # a year's births outside 1 … 20,000; value: gemeente and year
)


@dataclass
class BirthsFile:
    """What a file says, before anything is stored."""

    problems: list[Problem] = field(default_factory=list)
    births: dict[tuple[str, int], int] = field(default_factory=dict)  # (GM code, year) → live births
    incomplete: list[tuple[str, int, int]] = field(default_factory=list)  # (GM code, year, months in file)
    outside_scope: list[str] = field(default_factory=list)  # gemeenten in the file, not the importer's

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Counts:
    months: dict[int, int] = field(default_factory=dict)
    total: int | None = None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(name) for name in names if name in header), None)


def _count(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def read(
    data: bytes,
    known_codes: frozenset[str],
    scope: MonitorScope,
    this_year: int,
    max_bytes: int,
) -> BirthsFile:
    """Read an export; the result lists every problem, row by row (nothing is stored here)."""
    result = BirthsFile()
    if len(data) > max_bytes:
        result.problems.append(Problem("too_big", value=str(max_bytes)))
        return result
    try:
        table = files.read(files.CSV, data, MAX_ROWS)
    except files.FileRefused as refused:
        code = refused.problem.code
        result.problems.append(Problem(code if code in PROBLEM_CODES else "not_csv", value=refused.problem.value))
        return result
    columns = {
        "region": _column(table.header, REGION_HEADERS),
        "period": _column(table.header, PERIOD_HEADERS),
        "live births": _column(table.header, BIRTHS_HEADERS),
    }
    missing = [name for name, index in columns.items() if index is None]
    if missing:
        result.problems += [Problem("header", 1, name) for name in missing]
        return result
    region_at, period_at, births_at = (index for index in columns.values() if index is not None)
    counts: dict[tuple[str, int], _Counts] = defaultdict(_Counts)
    last_row: dict[tuple[str, int], int] = {}
    seen: dict[tuple[str, str], int] = {}
    outside: set[str] = set()
    for row_number, values in table.rows:
        cells = values + [""] * (max(region_at, period_at, births_at) + 1 - len(values))
        region, period, births = cells[region_at].strip(), cells[period_at].strip(), cells[births_at].strip()
        if OTHER_REGION.fullmatch(region):
            continue
        if not MUNICIPALITY.fullmatch(region):
            result.problems.append(Problem("region_not_a_code", row_number, region[:40]))
            continue
        matched = PERIOD.fullmatch(period)
        if matched is None:
            result.problems.append(Problem("period_not_a_code", row_number, period[:40]))
            continue
        if (region, period) in seen:
            result.problems.append(Problem("duplicate", row_number, str(seen[region, period])))
            continue
        seen[region, period] = row_number
        if births in NO_FIGURE:
            continue
        count = _count(births)
        if count is None:
            result.problems.append(Problem("not_a_number", row_number, births[:40]))
            continue
        if region not in known_codes:
            result.problems.append(Problem("unknown_gemeente", row_number, region))
            continue
        year = int(matched["year"])
        if not reference_figures.FIRST_YEAR <= year <= this_year:
            result.problems.append(Problem("year_out_of_range", row_number, str(year)))
            continue
        if not scope.covers(region):
            outside.add(region)
            continue
        entry = counts[region, year]
        if matched["total"]:
            entry.total = count
        else:
            entry.months[int(matched["month"])] = count
        last_row[region, year] = row_number
    for (region, year), entry in sorted(counts.items()):
        total = entry.total if entry.total is not None else None
        if total is None and len(entry.months) == MONTHS:
            total = sum(entry.months.values())
        if total is None:
            result.incomplete.append((region, year, len(entry.months)))
        elif not 1 <= total <= reference_figures.MAX_LIVE_BIRTHS:
            result.problems.append(Problem("out_of_range", last_row[region, year], f"{region}, {year}: {total}"))
        else:
            result.births[region, year] = total
    result.outside_scope = sorted(outside)
    result.problems.sort(key=lambda problem: problem.row)
    return result


@dataclass(frozen=True)
class Imported:
    file: BirthsFile
    changed: int  # figures stored that differ from before (0 when the file has problems)


def import_births(
    session: Session,
    scope: MonitorScope,
    data: bytes,
    changed_by: str | None,
    now: datetime,
    max_bytes: int,
) -> Imported:
    """Read an export and, when it has no problem, store its live births for the gemeenten in scope.

    Flushes; the caller commits. With any problem nothing is stored."""
    known = frozenset(session.scalars(select(Municipality.code)))
    births_file = read(data, known, scope, now.year, max_bytes)
    if not births_file.ok or not births_file.births:
        return Imported(births_file, 0)
    changed = reference_figures.record_live_births(
        session, scope, births_file.births, reference_figures.SOURCE_CBS, changed_by, now
    )
    return Imported(births_file, changed)


def births_by_year(births_file: BirthsFile) -> Mapping[int, int]:
    """The file's births summed per year, over the gemeenten in scope (for a confirmation line)."""
    totals: dict[int, int] = defaultdict(int)
    for (_code, year), count in births_file.births.items():
        totals[year] += count
    return dict(sorted(totals.items()))
