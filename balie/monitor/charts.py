"""Geometry of the monitor's two charts, from published tables: the template only draws it.

The funnel is a bar per row (its width against the largest published value); the reach is a line
over the months of the year with a point per published month and a gap at a hidden one, against
the expected number per month as a dashed line. A hidden figure has no bar or point; its text
("< 5", "x") is written where the bar would be. Coordinates are in a 320-wide viewBox, so the
chart scales down to a 320 px screen and prints as vector graphics.
"""

from __future__ import annotations

from dataclasses import dataclass

from balie.services.monitoring.tables import Table

WIDTH = 320
BAR_SPACE = 250  # the rest is left for the value written after the bar
ROW_HEIGHT = 46


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int  # top of the row
    width: float | None  # None: hidden, no bar


@dataclass(frozen=True)
class BarChart:
    title: str
    height: int
    bars: tuple[Bar, ...]


def bar_chart(table: Table) -> BarChart:
    values = [row.cells[0].value for row in table.rows]
    largest = max((v for v in values if v is not None), default=0)
    bars = []
    for index, row in enumerate(table.rows):
        value = row.cells[0].value
        width = None if value is None else (max(1.0, round(value / largest * BAR_SPACE, 1)) if largest else 1.0)
        bars.append(Bar(row.label, row.cells[0].text, index * ROW_HEIGHT, width))
    return BarChart(table.title, len(bars) * ROW_HEIGHT + 8, tuple(bars))


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class LineChart:
    title: str
    top: int  # the value at the top of the axis
    runs: tuple[tuple[Point, ...], ...]  # stretches of consecutive published months
    points: tuple[Point, ...]
    expected: tuple[Point, ...]  # empty: no births entered
    ticks: tuple[Tick, ...]
    left: int = 34
    bottom: int = 170
    plot_height: int = 140


def line_chart(table: Table, initials: tuple[str, ...]) -> LineChart:
    """``table``: a row per month, cells (families, expected per month, share)."""
    left, bottom, plot_width, plot_height = 34, 170, 276, 140
    values = [row.cells[0].value for row in table.rows]
    expected = [row.cells[1].value for row in table.rows]
    top = max([5, *(v for v in values + expected if v is not None)])
    top = int(top) + (0 if float(top).is_integer() else 1)
    count = max(len(values), 2)

    def x(index: int) -> float:
        return round(left + 10 + index * (plot_width - 20) / (count - 1), 1)

    def y(value: float) -> float:
        return round(bottom - value / top * plot_height, 1)

    runs: list[tuple[Point, ...]] = []
    current: list[Point] = []
    for index, value in enumerate([*values, None]):
        if value is not None:
            current.append(Point(x(index), y(value)))
        else:
            if current:
                runs.append(tuple(current))
            current = []
    points = tuple(point for run in runs for point in run)
    line = tuple(Point(x(i), y(v)) for i, v in enumerate(expected) if v is not None)
    ticks = tuple(Tick(x(i), text) for i, text in enumerate(initials))
    return LineChart(table.title, top, tuple(r for r in runs if len(r) > 1), points, line, ticks)
