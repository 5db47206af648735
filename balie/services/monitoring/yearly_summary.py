"""The yearly summary: the few figures a gemeente copies into the annual Monitor Kansrijke Start questionnaire.

It takes cells that are already published (picked from the monitor's tables by table key, row key
and column) and never a raw count, so a figure the suppression hid stays hidden here too ("< 5",
"x"), and nothing here can be combined into a new figure: the summary adds, subtracts and divides
nothing.

What the Monitor Kansrijke Start asks
-------------------------------------
The RIVM sends every gemeente a yearly online questionnaire about its Kansrijke Start activities
("Vragenlijst onder alle Nederlandse gemeenten"; its answers feed indicators 1, 2 and 4: local
coalition, plan of approach, Nu Niet Zwanger) — rivm.nl/monitoren-zwangerschap-en-geboorte/
kansrijke-start/landelijke-monitor and .../indicatoren-kansrijke-start. KNOV's summary of the Monitor
Kansrijke Start 2022 (knov.nl, 1 May 2023) reports from it that more gemeenten offer the prenatal
home visit and that it takes place earlier in pregnancy. We did NOT find the questionnaire's own
questions about the PHB (its wording, or whether it asks for numbers of visits or families), so
this summary does not pretend to match them: it names plainly the figures issue 13 asks for, in
the terms the desk uses:

* registrations received (all routes);
* PHBs held: families with at least one home visit, and how many of them had 1, 2, 3 or 4 or more
  visits (the desk publishes no total of visits: "4 or more" has no exact sum, and a total
  computed here would be a figure the suppression never saw);
* reach: families with a visit against the expected target group (live births × the financing
  norm, 16.5 % by default), as a number and as a share;
* follow-up: families for whom follow-up was arranged, and for whom none was needed.

Wire it with :func:`figures_from` and the addresses of those cells in the published tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from flask_babel import gettext

from balie.services.monitoring.tables import Cell, Row, Table


@dataclass(frozen=True)
class CellAddress:
    table: str  # Table.key
    row: str  # Row.key
    column: int = 0  # index into Row.cells


@dataclass(frozen=True)
class YearlyFigures:
    """Published cells of one scope (a gemeente or all of hers) and one calendar year."""

    registrations: Cell
    families_with_visit: Cell
    families_one_visit: Cell
    families_two_visits: Cell
    families_three_visits: Cell
    families_four_or_more_visits: Cell
    expected_target_group: Cell  # live births × financing norm; "–" when no births are entered
    reach_share: Cell  # families with a visit as a percentage of the expected target group
    follow_up_arranged: Cell
    no_follow_up_needed: Cell


class MissingCell(LookupError):
    """An address that names no published cell (a wiring mistake, never the user's)."""


def pick(tables: Sequence[Table], address: CellAddress) -> Cell:
    """The published cell at ``address``."""
    for table in tables:
        if table.key != address.table:
            continue
        for row in table.rows:
            if row.key == address.row and 0 <= address.column < len(row.cells):
                return row.cells[address.column]
    raise MissingCell(f"no cell {address.table}/{address.row}/{address.column}")


def figures_from(tables: Sequence[Table], addresses: Mapping[str, CellAddress]) -> YearlyFigures:
    """The summary's cells, picked from the published tables: ``addresses`` names one per field."""
    names = [field.name for field in fields(YearlyFigures)]
    missing = sorted(set(names) - set(addresses))
    if missing:
        raise MissingCell(f"no address for {', '.join(missing)}")
    return YearlyFigures(**{name: pick(tables, addresses[name]) for name in names})


def yearly_summary(figures: YearlyFigures, year: str) -> tuple[Table, ...]:
    """Three small tables (registrations and visits, reach, follow-up) with one column: the year."""
    columns = (year,)

    def row(key: str, label: str, cell: Cell) -> Row:
        return Row(key=key, label=label, cells=(cell,))

    return (
        Table(
            key="yearly-visits",
            title=gettext("Registrations and home visits"),
            columns=columns,
            rows=(
                row("registrations", gettext("Registrations received"), figures.registrations),
                row(
                    "families-with-visit",
                    gettext("Home visits held: families with at least one visit"),
                    figures.families_with_visit,
                ),
                row("visits-1", gettext("of whom with 1 visit"), figures.families_one_visit),
                row("visits-2", gettext("of whom with 2 visits"), figures.families_two_visits),
                row("visits-3", gettext("of whom with 3 visits"), figures.families_three_visits),
                row("visits-4-or-more", gettext("of whom with 4 visits or more"), figures.families_four_or_more_visits),
            ),
        ),
        Table(
            key="yearly-reach",
            title=gettext("Reach"),
            columns=columns,
            rows=(
                row("families-with-visit", gettext("Families with at least one visit"), figures.families_with_visit),
                row(
                    "expected",
                    gettext("Expected target group (live births × financing norm)"),
                    figures.expected_target_group,
                ),
                row("reach", gettext("Families reached, as a share of the expected target group"), figures.reach_share),
            ),
        ),
        Table(
            key="yearly-follow-up",
            title=gettext("Follow-up"),
            columns=columns,
            rows=(
                row("arranged", gettext("Follow-up arranged"), figures.follow_up_arranged),
                row("none-needed", gettext("No follow-up needed"), figures.no_follow_up_needed),
            ),
        ),
    )
