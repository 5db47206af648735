"""The monitor's privacy rules: small cells, complementary suppression, linked tables, view scopes.

The expected patterns are worked out by hand in the comments. The attacks come from
tests/support/disclosure_attacker.py, which shares no code with the module under test.
"""

from __future__ import annotations

import pytest

from balie.services.monitoring.disclosure import (
    Disclosure,
    LinkedFigures,
    Status,
    calendar_periods,
    crossed,
    exposed,
    feasible_ranges,
    protect,
)
from balie.services.monitoring.view_scope import Reason, Scope, Verdict, judge_scope
from tests.support.disclosure_attacker import enumerate_fillings, possible_values, subtract

THRESHOLD = 5


def two_way(rows: list[str], columns: list[str]) -> LinkedFigures:
    """A table with row and column totals ("T"), built with the module's own builder."""
    return crossed(
        {**{r: {r} for r in rows}, "T": set(rows)},
        {**{c: {c} for c in columns}, "T": set(columns)},
    )


def table(text: str) -> dict[tuple[str, str], int]:
    """Base cells from a small grid: the first line names the columns, each other line 'row n n n'."""
    header, *lines = (line.split() for line in text.strip().splitlines())
    return {(line[0], column): int(n) for line in lines for column, n in zip(header, line[1:], strict=True)}


def grid(shown: Disclosure, rows: list[str], columns: list[str]) -> list[list[str]]:
    return [[shown.label((r, c)) for c in [*columns, "T"]] for r in [*rows, "T"]]


def attack(figures: LinkedFigures, shown: Disclosure, cap: int) -> dict:
    small = {k for k, s in shown.status.items() if s is Status.SMALL}
    complementary = {k for k, s in shown.status.items() if s is Status.COMPLEMENTARY}
    return enumerate_fillings(figures.cells, shown.published, small, complementary, THRESHOLD, cap)


def assert_attacks_fail(figures: LinkedFigures, shown: Disclosure, cap: int) -> None:
    learned = subtract(figures.cells, shown.published)
    assert not shown.hidden & learned.keys(), "subtraction recovers a hidden figure"
    small = {k for k, s in shown.status.items() if s is Status.SMALL}
    found = possible_values(figures.cells, shown.published, small, shown.hidden - small, THRESHOLD, cap)
    for key, values in found.items():
        if shown.status[key] is Status.SMALL:
            assert values == {1, 2, 3, 4}, (key, values)
        else:
            assert len(values) > 1, (key, values)


# --- small cells ---------------------------------------------------------------------------------


def test_a_table_without_small_cells_is_published_whole_and_zeros_are_shown() -> None:
    figures = two_way(["a", "b"], ["x", "y"])
    shown = protect(table("x y\na 0 12\nb 7 5"), figures)
    assert grid(shown, ["a", "b"], ["x", "y"]) == [["0", "12", "12"], ["7", "5", "12"], ["7", "17", "24"]]
    assert not shown.hidden


def test_one_small_cell_takes_three_complements_in_a_cycle_of_safe_cells() -> None:
    # (a,x) = 2 is small. Row a: the smallest part that can absorb 1..4 and stay >= 5 is (a,y) = 20;
    # column x: (b,x) = 25; column y then holds one hidden cell, so (b,y) = 30 goes too. Four cells:
    # moving 1..4 around the cycle keeps every total; the attacker learns nothing beyond "< 5".
    rows, columns = ["a", "b"], ["x", "y", "z"]
    figures = two_way(rows, columns)
    shown = protect(table("x y z\na 2 20 30\nb 25 30 40"), figures)
    assert grid(shown, rows, columns) == [
        ["< 5", "x", "30", "52"],
        ["x", "x", "40", "95"],
        ["27", "50", "70", "147"],
    ]
    assert_attacks_fail(figures, shown, cap=150)


def test_a_complement_of_five_is_enough_because_x_says_only_hidden() -> None:
    # a = 3 hidden, b = 5 its complement, total 8 published. "x" tells only "1 or more" (a small
    # figure can be "x" too), so a + b = 8 leaves a anywhere in 1..4 (b 7..4).
    figures = crossed({"a": {"a"}, "b": {"b"}, "T": {"a", "b"}})
    shown = protect({("a",): 3, ("b",): 5}, figures)
    assert [shown.label((k,)) for k in ("a", "b", "T")] == ["< 5", "x", "8"]
    assert_attacks_fail(figures, shown, cap=20)


def test_a_line_whose_only_other_non_zero_member_is_its_total_hides_the_total() -> None:
    # (a,x) = 3 hides (a,y) = 9 (row a) and (b,x) = 25 (column x). Row b is then 25, 0 and its
    # total 25: the zero is known, so the total would give (b,x) away and is hidden; and so on
    # until only the zero and the grand total are left: a 2 x 2 table with a zero cannot do better.
    rows, columns = ["a", "b"], ["x", "y"]
    figures = two_way(rows, columns)
    shown = protect(table("x y\na 3 9\nb 25 0"), figures)
    assert grid(shown, rows, columns) == [["< 5", "x", "x"], ["x", "0", "x"], ["x", "x", "37"]]
    assert_attacks_fail(figures, shown, cap=40)


def test_two_small_cells_in_one_line_do_not_protect_each_other_when_their_sum_pins_them() -> None:
    # a = 1 and b = 1 with the total 2 published: both are "< 5", but a + b = 2 gives a = b = 1.
    figures = crossed({"a": {"a"}, "b": {"b"}, "c": {"c"}, "T": {"a", "b", "c"}})
    shown = protect({("a",): 1, ("b",): 1, ("c",): 12}, figures)
    assert shown.status[("c",)] is Status.COMPLEMENTARY
    assert_attacks_fail(figures, shown, cap=20)


def test_the_threshold_is_a_parameter() -> None:
    figures = crossed({"a": {"a"}, "b": {"b"}, "T": {"a", "b"}})
    shown = protect({("a",): 6, ("b",): 40}, figures, threshold=10)
    assert shown.label(("a",)) == "< 10"
    assert shown.value(("a",)) is None and shown.value(("b",)) is None and shown.value(("T",)) == 46
    with pytest.raises(ValueError, match="threshold"):
        protect({("a",): 1}, figures, threshold=2)


def test_the_result_holds_no_hidden_value() -> None:
    figures = crossed({"a": {"a"}, "b": {"b"}, "T": {"a", "b"}})
    shown = protect({("a",): 3, ("b",): 40}, figures)
    assert 3 not in shown.published.values() and 40 not in shown.published.values()
    assert "3" not in repr(shown).replace("< 5", "")


# --- linked tables: periods, gemeenten, overlapping groups ---------------------------------------

ROUTES = {
    "self": {"self"},
    "midwife": {"midwife"},
    "gp": {"gp"},
    "professional": {"midwife", "gp"},
    "total": {"self", "midwife", "gp"},
}


def test_an_overlapping_group_cannot_give_a_small_part_away() -> None:
    # midwife = 3: "all professionals" (15) minus GP (12) would give it; GP is hidden too.
    figures = crossed(ROUTES)
    counts = {("self",): 20, ("midwife",): 3, ("gp",): 12}
    shown = protect(counts, figures)
    assert {k[0]: shown.label(k) for k in figures.cells} == {
        "self": "20",
        "midwife": "< 5",
        "gp": "x",
        "professional": "15",
        "total": "35",
    }
    assert_attacks_fail(figures, shown, cap=40)


def test_primary_suppression_alone_is_broken_by_the_attackers() -> None:
    # The attackers have teeth: publishing everything but the small cells gives them back.
    figures = crossed(ROUTES, {"m1": {"m1"}, "m2": {"m2"}, "m3": {"m3"}, "Q": {"m1", "m2", "m3"}})
    counts = table("m1 m2 m3\nself 20 22 25\nmidwife 3 8 9\ngp 12 11 2")
    values = {k: sum(counts.get(c, 0) for c in cells) for k, cells in figures.cells.items()}
    published = {k: v for k, v in values.items() if not 0 < v < THRESHOLD}
    learned = subtract(figures.cells, published)
    assert learned[("midwife", "m1")] == 3 and learned[("gp", "m3")] == 2


def test_months_quarter_and_routes_are_suppressed_together() -> None:
    figures = crossed(ROUTES, {"m1": {"m1"}, "m2": {"m2"}, "m3": {"m3"}, "Q": {"m1", "m2", "m3"}})
    counts = table("m1 m2 m3\nself 20 22 25\nmidwife 3 8 9\ngp 12 11 2")
    shown = protect(counts, figures)
    assert shown.status[("midwife", "m1")] is Status.SMALL and shown.status[("gp", "m3")] is Status.SMALL
    assert shown.value(("total", "Q")) == 112  # hand count: 67 + 20 + 25
    assert_attacks_fail(figures, shown, cap=40)
    assert not exposed(figures, shown)


def test_a_year_of_months_quarters_and_halves_for_two_gemeenten() -> None:
    # One small month in one gemeente: month, quarter, half-year and year tables, each gemeente and
    # the region, all protected at once; the subtraction attacker across all of them learns nothing.
    periods = calendar_periods(2025)
    figures = crossed({"GM0001": {"GM0001"}, "GM0002": {"GM0002"}, "region": {"GM0001", "GM0002"}}, periods)
    months = [key for key, group in periods.items() if len(group) == 1]
    counts = {(g, m): 9 for g in ("GM0001", "GM0002") for m in months}
    counts[("GM0001", "2025-03")] = 2
    shown = protect(counts, figures)
    assert shown.label(("GM0001", "2025-03")) == "< 5"
    assert shown.value(("region", "2025")) == 9 * 23 + 2
    assert not shown.hidden & subtract(figures.cells, shown.published).keys()
    assert feasible_ranges(figures, shown)[("GM0001", "2025-03")] == (1, 4)


def test_calendar_periods_hand_counted() -> None:
    periods = calendar_periods(2025)
    assert len(periods) == 12 + 4 + 2 + 1
    assert periods["2025-Q2"] == {"2025-04", "2025-05", "2025-06"}
    assert periods["2025-H2"] == {f"2025-{m:02d}" for m in range(7, 13)}
    assert periods["2025"] == {f"2025-{m:02d}" for m in range(1, 13)}


def test_crossed_builds_the_cells_and_the_lines_of_the_tables() -> None:
    figures = crossed(ROUTES, {"A": {"A"}, "B": {"B"}, "all": {"A", "B"}})
    assert figures.cells[("professional", "all")] == {("midwife", "A"), ("midwife", "B"), ("gp", "A"), ("gp", "B")}
    lines = {(line.total, line.parts) for line in figures.lines}
    assert (("total", "A"), (("gp", "A"), ("midwife", "A"), ("self", "A"))) in lines
    assert (("total", "A"), (("self", "A"), ("professional", "A"))) in lines
    assert (("professional", "all"), (("professional", "A"), ("professional", "B"))) in lines


# --- the scope of a view -------------------------------------------------------------------------

ALLOWED = frozenset({"GM0363", "GM0344"})
REGISTRATIONS = {("GM0363", "2025-01"): 2, ("GM0363", "2025-02"): 4, ("GM0344", "2025-01"): 30}


@pytest.mark.parametrize(
    ("gemeenten", "period", "verdict", "shown_scope", "reason"),
    [
        ({"GM0344"}, "2025-01", Verdict.SHOW, ({"GM0344"}, "2025-01"), None),
        ({"GM0363"}, "2025-03", Verdict.EMPTY, ({"GM0363"}, "2025-03"), None),
        # 2 registrations in January: the quarter holds 6, so the quarter is offered instead
        ({"GM0363"}, "2025-01", Verdict.WIDEN, ({"GM0363"}, "2025-Q1"), Reason.TOO_FEW_REGISTRATIONS),
        ({"GM0363", "GM0344"}, "2025-01", Verdict.SHOW, ({"GM0363", "GM0344"}, "2025-01"), None),
        ({"GM0999"}, "2025-01", Verdict.REFUSE, ({"GM0999"}, "2025-01"), Reason.OUTSIDE_ROLE),
        ({"GM0363"}, "2025-01-15", Verdict.REFUSE, ({"GM0363"}, "2025-01-15"), Reason.NOT_A_STANDARD_SCOPE),
        ({"GM0363"}, "2025-Q5", Verdict.REFUSE, ({"GM0363"}, "2025-Q5"), Reason.NOT_A_STANDARD_SCOPE),
    ],
)
def test_a_view_is_shown_widened_or_refused(gemeenten, period, verdict, shown_scope, reason) -> None:
    decision = judge_scope(Scope(frozenset(gemeenten), period), REGISTRATIONS, ALLOWED)
    assert decision.verdict is verdict and decision.reason is reason
    assert decision.scope == Scope(frozenset(shown_scope[0]), shown_scope[1])


def test_a_subset_of_several_gemeenten_is_refused_because_views_could_be_subtracted() -> None:
    allowed = frozenset({"GM0363", "GM0344", "GM0518"})
    decision = judge_scope(Scope(frozenset({"GM0363", "GM0344"}), "2025"), REGISTRATIONS, allowed)
    assert decision.verdict is Verdict.REFUSE and decision.reason is Reason.NOT_A_STANDARD_SCOPE


def test_a_gemeente_with_too_few_registrations_all_year_is_widened_to_all_gemeenten_or_refused() -> None:
    few = {("GM0363", "2025-01"): 3, ("GM0344", "2025-05"): 8}
    decision = judge_scope(Scope(frozenset({"GM0363"}), "2025-01"), few, ALLOWED)
    assert decision.verdict is Verdict.WIDEN and decision.scope == Scope(ALLOWED, "2025-H1")
    alone = judge_scope(Scope(frozenset({"GM0363"}), "2025-01"), few, frozenset({"GM0363"}))
    assert alone.verdict is Verdict.REFUSE and alone.reason is Reason.TOO_FEW_REGISTRATIONS


def test_the_attackers_pin_two_small_cells_whose_sum_is_published() -> None:
    # The textbook pattern for a line (two hidden cells) is not always enough: a = b = 1 with c and
    # the total published gives a + b = 2. The attackers and the exact check all see it, so the
    # tests above can fail.
    figures = crossed({"a": {"a"}, "b": {"b"}, "c": {"c"}, "T": {"a", "b", "c"}})
    status = {("a",): Status.SMALL, ("b",): Status.SMALL, ("c",): Status.PUBLISHED, ("T",): Status.PUBLISHED}
    textbook = Disclosure(THRESHOLD, status, {("c",): 12, ("T",): 14})
    assert attack(figures, textbook, cap=20) == {("a",): {1}, ("b",): {1}}
    assert exposed(figures, textbook) == {("a",), ("b",)}
    with pytest.raises(AssertionError):
        assert_attacks_fail(figures, textbook, cap=20)


def test_a_small_total_is_labelled_x_when_the_labels_alone_would_pin_its_small_parts() -> None:
    # Four 1s and their total 4: four "< 5" (at least 1 each) under a "< 5" total (at most 4) are
    # all exactly 1. The total is labelled "x" ("hidden, 1 or more") instead; then each part can be
    # 1 to 4, and the total is known to be 4 or more only because zeros are shown, nothing else.
    figures = crossed({"a": {"a"}, "b": {"b"}, "c": {"c"}, "d": {"d"}, "T": {"a", "b", "c", "d"}})
    shown = protect({("a",): 1, ("b",): 1, ("c",): 1, ("d",): 1}, figures)
    assert [shown.label((k,)) for k in "abcdT"] == ["< 5", "< 5", "< 5", "< 5", "x"]
    small = {k for k, s in shown.status.items() if s is Status.SMALL}
    found = possible_values(figures.cells, {}, small, shown.hidden - small, THRESHOLD, 20, ask_small=shown.hidden)
    assert found == {
        ("a",): {1, 2, 3, 4},
        ("b",): {1, 2, 3, 4},
        ("c",): {1, 2, 3, 4},
        ("d",): {1, 2, 3, 4},
        ("T",): {4},
    }
