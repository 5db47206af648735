"""The monitor's tables as they are published: every number already through small-cell suppression.

This is the one shape the pages, the charts and the exports (CSV, XLSX, the yearly summary) share,
so none of them can print a number the suppression step did not let through. A table holds no
personal data: only labels of groups (a route, a gemeente, a month) and published counts.

``Cell.text`` is what every output shows: the count ("23"), ``"< 5"`` for a small count (1 to 4), or
``"x"`` for a count hidden so that a small one cannot be recovered (complementary suppression);
``Cell.value`` is the number only when it is published, else None (a chart leaves a gap; an export
writes the text). Percentages are cells too (``unit="percent"``): one computed from a hidden count
is hidden itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class CellStatus(Enum):
    PUBLISHED = "published"
    SMALL = "small"  # 1 .. threshold-1: shown as "< 5"
    COMPLEMENTARY = "complementary"  # hidden so that a small one cannot be recovered: "x"
    NOT_AVAILABLE = "not_available"  # no figure to show (e.g. no births entered): "–"


@dataclass(frozen=True)
class Cell:
    text: str  # exactly what is shown and exported
    value: int | float | None  # the published number, None when hidden or not available
    status: CellStatus = CellStatus.PUBLISHED
    unit: str = "count"  # count / percent / euro / days


@dataclass(frozen=True)
class Row:
    key: str  # stable code of the group (route "self", month "2025-03", gemeente "GM0363"): for exports
    label: str  # the translated label shown
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    key: str  # stable name of the table ("funnel-routes"): file names and anchors
    title: str  # translated
    columns: tuple[str, ...]  # translated headers of the cells (not of the row label)
    rows: tuple[Row, ...]
    note: str = ""  # translated remark under the table (what is and is not counted)
