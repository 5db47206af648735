"""Two attackers on published monitor tables, written without the disclosure module's code.

Both see only what a reader of the pages sees: the published numbers, which figures are "< 5"
(1 to threshold-1) and which are "x" (hidden, 1 or more: zeros are always shown), and how the
figures are built from base cells (which is public: the March column is part of the quarter).

* :func:`subtract` is the textbook attack: repeated subtraction of known parts from known totals,
  across every table, period and overlapping group.
* :func:`enumerate_fillings` is brute force: every integer filling of the base cells consistent
  with everything published, and for each hidden figure the set of values it takes in them.
* :func:`possible_values` asks the same search, figure by figure and value by value, "is there a
  filling in which this figure has this value?" (it stops at the first filling found: faster).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping


def subtract(cells_of: Mapping[Hashable, frozenset[Hashable]], published: Mapping[Hashable, int]) -> dict:
    """Figures the attacker learns by subtraction alone (published ones included)."""
    known_cells: dict[Hashable, int] = {}
    known = dict(published)
    changed = True
    while changed:
        changed = False
        for key, cells in cells_of.items():
            if key in known:
                rest = [c for c in cells if c not in known_cells]
                value = known[key] - sum(known_cells[c] for c in cells if c in known_cells)
                if len(rest) == 1 or (rest and value == 0):
                    for cell in rest:
                        known_cells[cell] = value if len(rest) == 1 else 0
                    changed = True
                    continue
                for other, other_cells in cells_of.items():  # a hidden part: total minus the other parts
                    if other not in known and other_cells < cells and not [c for c in rest if c not in other_cells]:
                        known[other] = value + sum(known_cells.get(c, 0) for c in other_cells)
                        changed = True
            elif all(c in known_cells for c in cells):
                known[key] = sum(known_cells[c] for c in cells)
                changed = True
    return known


def enumerate_fillings(
    cells_of: Mapping[Hashable, frozenset[Hashable]],
    published: Mapping[Hashable, int],
    small: set[Hashable],
    complementary: set[Hashable],
    threshold: int,
    cap: int,
    enough: Callable[[Mapping[Hashable, set[int]]], bool] | None = None,
) -> dict[Hashable, set[int]]:
    """For every hidden figure, every value it has in some filling that fits all published facts.

    Base cells run from 0 to ``cap``; a cap only removes fillings, so it makes the attacker
    stronger, never weaker. ``enough`` stops the search early once the values found so far
    already settle the question asked (the sets are then partial)."""
    bounds: dict[Hashable, tuple[int, int | None]] = {}
    for key in cells_of:
        if key in published:
            bounds[key] = (published[key], published[key])
        elif key in small:
            bounds[key] = (1, threshold - 1)
        elif key in complementary:
            bounds[key] = (1, None)
    order: list[Hashable] = []
    for key in sorted(cells_of, key=lambda k: len(cells_of[k])):  # cells of small figures first: early pruning
        order += [c for c in sorted(cells_of[key], key=repr) if c not in order]
    figures_of: dict[Hashable, list[Hashable]] = {cell: [] for cell in order}
    for key, cells in cells_of.items():
        for cell in cells:
            figures_of[cell].append(key)
    position = {cell: i for i, cell in enumerate(order)}
    last = {key: max(position[c] for c in cells) for key, cells in cells_of.items() if cells}
    filling: dict[Hashable, int] = {}
    found: dict[Hashable, set[int]] = {key: set() for key in cells_of if key not in published}

    def sum_so_far(key: Hashable) -> int:
        return sum(filling[c] for c in cells_of[key] if c in filling)

    class Enough(Exception):
        pass

    def search(i: int) -> None:
        if i == len(order):
            for key in found:
                found[key].add(sum(filling[c] for c in cells_of[key]))
            if enough is not None and enough(hidden_found()):
                raise Enough
            return
        cell = order[i]
        high = cap
        for key in figures_of[cell]:
            upper = bounds[key][1]
            if upper is not None:
                high = min(high, upper - sum_so_far(key))
        for value in range(high + 1):
            filling[cell] = value
            if all(_still_possible(bounds[key], sum_so_far(key), last[key] <= i) for key in figures_of[cell]):
                search(i + 1)
            del filling[cell]

    def hidden_found() -> dict[Hashable, set[int]]:
        return {key: values for key, values in found.items() if key in small or key in complementary}

    try:
        search(0)
    except Enough:
        pass
    return hidden_found()


def _still_possible(bound: tuple[int, int | None], partial: int, complete: bool) -> bool:
    low, high = bound
    if high is not None and partial > high:
        return False
    return not complete or partial >= low


def possible_values(
    cells_of: Mapping[Hashable, frozenset[Hashable]],
    published: Mapping[Hashable, int],
    small: set[Hashable],
    complementary: set[Hashable],
    threshold: int,
    cap: int,
    ask_small: set[Hashable] | None = None,
    ask_others: bool = True,
) -> dict[Hashable, set[int]]:
    """For the figures in ``ask_small`` (default: the "< 5" ones): which of 1 .. threshold-1 they
    can take. For the other hidden figures: two values they can take, or the one they are pinned to."""
    answers: dict[Hashable, set[int]] = {}
    ask_small = small if ask_small is None else ask_small

    def filling_with(key: Hashable, low: int, high: int) -> dict[Hashable, int] | None:
        return _first_filling(cells_of, published, small, complementary, threshold, cap, {key: (low, high)})

    for key in ask_small:
        answers[key] = {v for v in range(1, threshold) if filling_with(key, v, v) is not None}
    for key in (small | complementary) - ask_small if ask_others else ():
        first = filling_with(key, 1, cap * len(cells_of[key]))
        assert first is not None, "the true table always fits"
        value = sum(first[c] for c in cells_of[key])
        answers[key] = {value}
        for low, high in ((1, value - 1), (value + 1, cap * len(cells_of[key]))):
            other = filling_with(key, low, high) if low <= high else None
            if other is not None:
                answers[key].add(sum(other[c] for c in cells_of[key]))
                break
    return answers


def _first_filling(
    cells_of: Mapping[Hashable, frozenset[Hashable]],
    published: Mapping[Hashable, int],
    small: set[Hashable],
    complementary: set[Hashable],
    threshold: int,
    cap: int,
    extra: Mapping[Hashable, tuple[int, int]],
) -> dict[Hashable, int] | None:
    """A filling of the base cells that fits the page and the ``extra`` bounds, or None."""
    bounds: dict[Hashable, tuple[int, int | None]] = {}
    for key in cells_of:
        if key in published:
            bounds[key] = (published[key], published[key])
        elif key in small:
            bounds[key] = (1, threshold - 1)
        else:
            bounds[key] = (1, None)
    for key, (low, high) in extra.items():
        old_low, old_high = bounds[key]
        bounds[key] = (max(low, old_low), high if old_high is None else min(high, old_high))
    order: list[Hashable] = []
    for key in sorted(cells_of, key=lambda k: len(cells_of[k])):
        order += [c for c in sorted(cells_of[key], key=repr) if c not in order]
    figures_of: dict[Hashable, list[Hashable]] = {cell: [] for cell in order}
    for key, cells in cells_of.items():
        for cell in cells:
            figures_of[cell].append(key)
    position = {cell: i for i, cell in enumerate(order)}
    last = {key: max(position[c] for c in cells) for key, cells in cells_of.items() if cells}
    filling: dict[Hashable, int] = {}

    def sum_so_far(key: Hashable) -> int:
        return sum(filling[c] for c in cells_of[key] if c in filling)

    def search(i: int) -> bool:
        if i == len(order):
            return True
        cell = order[i]
        high = cap
        for key in figures_of[cell]:
            upper = bounds[key][1]
            if upper is not None:
                high = min(high, upper - sum_so_far(key))
        for value in range(high + 1):
            filling[cell] = value
            if all(_still_possible(bounds[key], sum_so_far(key), last[key] <= i) for key in figures_of[cell]):
                if search(i + 1):
                    return True
            del filling[cell]
        return False

    return dict(filling) if search(0) else None
