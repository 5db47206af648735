"""Property tests of the monitor's suppression on random small tables, attacked by brute force.

For every random table: published figures keep their true values, every figure from 1 to 4 is
hidden, and the brute-force attacker (every integer filling consistent with the page) finds every
hidden figure from 1 to 4 at each value from 1 to 4 that the labels and shown zeros alone allow (a
hidden total of k hidden parts is at least k), and every other hidden figure at two values at least. A
table without small figures is published whole. Interesting cases are fixed with @example.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from balie.services.monitoring.disclosure import Disclosure, LinkedFigures, Status, crossed, protect
from tests.support.disclosure_attacker import possible_values, subtract

THRESHOLD = 5
COUNTS = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 8])


def tables(rows: int, columns: int) -> LinkedFigures:
    return crossed(
        {**{f"r{i}": {f"r{i}"} for i in range(rows)}, "T": {f"r{i}" for i in range(rows)}},
        {**{f"c{j}": {f"c{j}"} for j in range(columns)}, "T": {f"c{j}" for j in range(columns)}},
    )


@st.composite
def random_tables(draw: st.DrawFn) -> tuple[LinkedFigures, dict[tuple[str, str], int]]:
    rows, columns = draw(st.sampled_from([(2, 2), (2, 3), (3, 2)]))  # 3 x 3: the @examples (brute force grows fast)
    counts = {(f"r{i}", f"c{j}"): draw(COUNTS) for i in range(rows) for j in range(columns)}
    return tables(rows, columns), counts


def true_values(figures: LinkedFigures, counts: Mapping[Hashable, int]) -> dict[Hashable, int]:
    return {key: sum(counts.get(c, 0) for c in cells) for key, cells in figures.cells.items()}


def settled(shown: Disclosure, found: Mapping[Hashable, set[int]]) -> bool:
    return all(
        values >= {1, 2, 3, 4} if shown.status[key] is Status.SMALL else len(values) > 1
        for key, values in found.items()
    )


def grid(text: str) -> tuple[LinkedFigures, dict[tuple[str, str], int]]:
    lines = [line.split() for line in text.strip().splitlines()]
    counts = {(f"r{i}", f"c{j}"): int(n) for i, line in enumerate(lines) for j, n in enumerate(line)}
    return tables(len(lines), len(lines[0])), counts


@settings(max_examples=30, deadline=None)
@given(random_tables())
@example(grid("3 5\n5 8"))  # the complement of 5 problem in both directions
@example(grid("1 1 11\n8 6 11"))  # two small cells whose sum pins them
@example(grid("3 8\n11 0"))  # a zero: the only other member of a line is its total
@example(grid("4 4 4\n4 4 4\n4 4 4"))  # everything small
@example(grid("0 0\n1 1"))  # "< 5" on 1, 1 and their total 2 would say 1 + 1: relabelled "x"
@example(grid("1 1 1 1\n0 0 0 0"))  # four "< 5" parts of a "< 5" total would all be 1
@example(grid("0 0 0\n0 2 0\n0 0 0"))  # one small cell among zeros: its lines are all small
@example(grid("5 6 8\n11 5 6\n8 11 5"))  # no small cell at all
def test_the_attacker_never_pins_a_hidden_figure(table: tuple[LinkedFigures, dict[tuple[str, str], int]]) -> None:
    figures, counts = table
    shown = protect(counts, figures)
    values = true_values(figures, counts)
    assert all(values[key] == n for key, n in shown.published.items())
    assert {key for key, v in values.items() if 0 < v < THRESHOLD} <= shown.hidden
    if not any(0 < v < THRESHOLD for v in values.values()):
        assert not shown.hidden
    small = {k for k, s in shown.status.items() if s is Status.SMALL}
    complementary = shown.hidden - small
    cap = max(values.values()) + THRESHOLD  # a base cell is never larger than this: a cap only helps the attacker
    truly_small = {key for key in shown.hidden if values[key] < THRESHOLD}  # labelled "< 5" or, rarely, "x"
    # never pinned: every hidden figure can take two values at least
    for key, seen in possible_values(figures.cells, shown.published, small, complementary, THRESHOLD, cap).items():
        assert len(seen) > 1, (key, seen)
    # a figure from 1 to 4 can be each of 1..4, or exactly what the labels and shown zeros alone
    # allow (a hidden total of k hidden parts is at least k)
    found = possible_values(
        figures.cells, shown.published, small, complementary, THRESHOLD, cap, truly_small, ask_others=False
    )
    narrowed = {key for key in truly_small if found[key] != {1, 2, 3, 4}}
    zeros = {key: 0 for key, n in shown.published.items() if n == 0}
    labels_alone = possible_values(
        figures.cells, zeros, small, set(values) - small - zeros.keys(), THRESHOLD, cap, narrowed, ask_others=False
    )
    for key in narrowed:
        assert found[key] == labels_alone[key], (key, found[key], labels_alone[key])


MONTHS = {"m1": {"m1"}, "m2": {"m2"}, "m3": {"m3"}, "Q": {"m1", "m2", "m3"}}
GEMEENTEN = {"A": {"A"}, "B": {"B"}, "region": {"A", "B"}}
LINKED = crossed({"self": {"self"}, "gp": {"gp"}, "total": {"self", "gp"}}, GEMEENTEN, MONTHS)


def linked_counts(draw: list[int]) -> dict[Hashable, int]:
    base = sorted({cell for cells in LINKED.cells.values() for cell in cells})
    return dict(zip(base, draw, strict=True))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([0, 0, 1, 2, 3, 6, 9, 14]), min_size=12, max_size=12))
def test_subtraction_across_months_quarter_gemeenten_and_region_never_recovers_a_hidden_figure(
    draw: list[int],
) -> None:
    counts = linked_counts(draw)
    shown = protect(counts, LINKED)
    values = true_values(LINKED, counts)
    assert all(values[key] == n for key, n in shown.published.items())
    assert {key for key, v in values.items() if 0 < v < THRESHOLD} <= shown.hidden
    if not any(0 < v < THRESHOLD for v in values.values()):
        assert not shown.hidden
    assert not shown.hidden & subtract(LINKED.cells, shown.published).keys()


@pytest.mark.parametrize(
    "draw",
    [
        [2, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9],  # one small month of one route in one gemeente
        [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],  # a gemeente-route whose quarter is small too
        [3, 6, 0, 9, 1, 6, 2, 9, 9, 6, 0, 14],  # small cells scattered over months and gemeenten
    ],
)
def test_brute_force_across_linked_tables_never_pins_a_hidden_figure(draw: list[int]) -> None:
    counts = linked_counts(draw)
    shown = protect(counts, LINKED)
    values = true_values(LINKED, counts)
    small = {k for k, s in shown.status.items() if s is Status.SMALL}
    cap = max(values.values()) + THRESHOLD
    found = possible_values(LINKED.cells, shown.published, small, shown.hidden - small, THRESHOLD, cap)
    assert found and all(len(seen) > 1 for seen in found.values()), found
