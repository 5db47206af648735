"""Small cells and complementary suppression for the monitor's tables: what may be published.

Pure Python (no database, no Flask). A page or export asks :func:`protect` once for every table a
user can reach, together, and prints each figure through the :class:`Disclosure` it gets back.

The model
---------
Every published number is a **figure**: the sum of some **base cells**, the finest counts there are
(say: registrations with route "self", in gemeente GM0363, in 2025-03). A figure is described by
the set of base cells it adds up, so two tables that show the same count (the March column of a
month table and the March part of a quarter table) simply name the same figure, and a total, a
quarter or an overlapping group ("all professionals" = midwife + GP) is a figure whose cells are
the union of others. Every linear link between the tables then follows from the cell sets: nothing
has to be declared by hand, and nothing can be forgotten.

A **line** (``Line(total, parts)``) is a total with parts that split it exactly (a table's row with
its row total, a quarter with its three months). Lines only steer the search for complementary
cells; the safety check below uses the cell sets, so a missing line can cost some extra hiding but
never safety.

:func:`crossed` builds figures and lines for the usual shape: the product of a few dimensions, each
a mapping ``group key -> atoms`` (categories with a total and overlapping groups; gemeenten with the
region; the months, quarters, halves and year of :func:`calendar_periods`). Figure keys are tuples
of group keys, base cells tuples of atoms.

Example (the funnel per gemeente per period, for one year)::

    figures = crossed(
        {"self": {"self"}, "code": {"code"}, "midwife": {"midwife"}, "gp": {"gp"},
         "professional": {"midwife", "gp"}, "total": {"self", "code", "midwife", "gp"}},
        {"GM0363": {"GM0363"}, "GM0344": {"GM0344"}, "region": {"GM0363", "GM0344"}},
        calendar_periods(2025),
    )
    counts = {("self", "GM0363", "2025-03"): 7, ...}   # base cells; missing cells count 0
    shown = protect(counts, figures)                   # threshold 5
    shown.label(("total", "GM0363", "2025-Q1"))         # "23", "< 5" or "x"
    shown.value(("gp", "region", "2025"))              # an int, or None when hidden

Put every table a user can open in ONE call (all periods of the year, every gemeente of her scope
and the region): suppression is only consistent across the tables that are protected together.
Years share no figure, so each year is its own call. Cost (measured, 2-core shared machine): a
10 x 25 table with margins 0.2-0.3 s; 7 route groups x 3 gemeenten+region x 19 periods about 8 s;
the same for 9 gemeenten with months several minutes. Compute patterns ahead (after each night's
counts) and cache them, or publish months for the region only; quarters x 9 gemeenten: 1.4 s.

What is hidden, and what is guaranteed
--------------------------------------
* **Small cells** (status ``SMALL``, label ``"< 5"``): every figure from 1 to ``threshold - 1``.
* **Zeros are published as 0.** A true zero describes nobody; hiding zeros would not protect a
  person and would make the small-cell label ambiguous. A zero is never chosen as a complementary
  cell (an attacker may know structural zeros anyway). The safety check treats every published
  zero as known, so a zero next to hidden cells cannot be used to recover them. A zero does say
  "nobody in this group"; :mod:`balie.services.monitoring.view_scope` therefore refuses views whose
  whole scope holds fewer than ``threshold`` registrations.
* **Complementary cells** (status ``COMPLEMENTARY``, label ``"x"``, CBS's sign for "secret"):
  hidden so that the small ones cannot be recovered. "x" says only "hidden, 1 or more": it is
  used for complements of ``threshold`` or more, and for the rare small figure whose "< 5" would,
  together with the other labels, pin it (a row of four 1s with a total of 4: four "< 5" parts of
  a "< 5" total are all 1). The audit below therefore reads "x" as "1 or more". Limit: someone
  who knows this algorithm knows that "x" is nearly always a complement of 5 or more; reading "x"
  as ">= 5" is not part of the audit (it would be for the rare relabelled small figure untrue).

The guarantee, checked exactly (rational simplex, :mod:`.feasible_range`) for every hidden figure,
against an attacker who knows every published number, every label ("< 5" = 1..threshold-1,
"x" = 1 or more, 0 = 0), the threshold and the cell sets (so every sum relation between all
tables, periods and overlapping groups), and who combines them linearly and uses that counts are
never negative:

1. a figure from 1 to threshold-1 (whatever its label) can be, as far as the attacker can tell,
   every value from 1 to threshold-1: the tables together tell no more about it than "< 5".
   The one exception is what the labels and the shown zeros tell by themselves: a hidden figure
   made of k hidden non-zero parts is at least k (a "< 5" total over two "< 5" parts is 2 or
   more). Then its range is exactly what the labels and zeros alone allow (the published numbers
   narrow it no further), and it still holds two values or more;
2. a hidden figure of threshold or more can be at least two values (it is not recoverable).

The ranges are those of the linear relaxation (real-valued cells), the standard audit in
statistical disclosure control. For one two-way table with margins, and for a hierarchy crossed
with one other dimension, the relaxation's ranges are attained by integer tables (the constraint
matrix is totally unimodular). For three or more crossed dimensions a range end may in rare cases
be fractional; the tests attack such linked tables by integer brute force as well.

How the pattern is chosen
-------------------------
1. Small figures are hidden.
2. The textbook rule, on every line of every table, until nothing changes: a line with exactly one
   hidden member gets a second one: a published non-zero part (else the total; so when the only
   other non-zero member of a line is its total, the total is hidden), preferring the one that
   leaves the fewest other lines with a single hidden member, then the smallest.
3. The exact check above; for every hidden figure that fails it, one more published non-zero
   member of its lines is hidden (same preference) (or of the figures that share a base cell with it); repeat.
   When nothing is left to hide, the widest small figure that still fails is labelled "x"; repeat.
   Hiding and relabelling only widen ranges, so this ends.

The :class:`Disclosure` holds the published values only: a hidden value cannot be printed by
mistake.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product
from typing import TypeAlias

from balie.services.monitoring.feasible_range import Constraint, FeasibleRegion, Number

DEFAULT_THRESHOLD = 5
COMPLEMENTARY_LABEL = "x"

Cell: TypeAlias = Hashable  # a base cell, e.g. ("self", "GM0363", "2025-03")
Key: TypeAlias = Hashable  # a figure, e.g. ("total", "region", "2025-Q1")


class Status(enum.Enum):
    PUBLISHED = "published"
    SMALL = "small"  # 1 .. threshold-1, shown as "< threshold"
    COMPLEMENTARY = "complementary"  # hidden, shown as "x": a complement, or a small figure "< 5" would pin


@dataclass(frozen=True)
class Line:
    """``total`` is split exactly by ``parts`` (their cell sets are disjoint and cover the total's)."""

    total: Key
    parts: tuple[Key, ...]


@dataclass(frozen=True)
class LinkedFigures:
    """Every figure that is published anywhere together, as sets of base cells, and their lines."""

    cells: Mapping[Key, frozenset[Cell]]
    lines: tuple[Line, ...] = ()

    def __post_init__(self) -> None:
        for line in self.lines:
            parts = [self.cells[p] for p in line.parts]
            union = frozenset().union(*parts)
            if len(union) != sum(len(p) for p in parts) or union != self.cells[line.total]:
                raise ValueError("a line's parts must split its total exactly")


@dataclass(frozen=True)
class Disclosure:
    """What may be shown: the status of every figure and the values of the published ones only."""

    threshold: int
    status: Mapping[Key, Status]
    published: Mapping[Key, int] = field(repr=False)

    def value(self, key: Key) -> int | None:
        """The number to show, or None when the figure is hidden."""
        return self.published.get(key)

    def label(self, key: Key) -> str:
        """The text for a table cell: the number, ``"< 5"`` for a small figure, ``"x"`` otherwise."""
        status = self.status[key]
        if status is Status.SMALL:
            return f"< {self.threshold}"
        if status is Status.COMPLEMENTARY:
            return COMPLEMENTARY_LABEL
        return str(self.published[key])

    @property
    def hidden(self) -> frozenset[Key]:
        return frozenset(k for k, s in self.status.items() if s is not Status.PUBLISHED)


# --- building the figures ---------------------------------------------------------------------


def calendar_periods(year: int) -> dict[str, frozenset[str]]:
    """The months, quarters, halves and the year as groups of month atoms ("2025-03")."""
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    groups: dict[str, frozenset[str]] = {month: frozenset({month}) for month in months}
    groups |= {f"{year}-Q{q}": frozenset(months[3 * q - 3 : 3 * q]) for q in range(1, 5)}
    groups |= {f"{year}-H{h}": frozenset(months[6 * h - 6 : 6 * h]) for h in (1, 2)}
    groups[str(year)] = frozenset(months)
    return groups


def crossed(*dimensions: Mapping[Hashable, Iterable[Hashable]]) -> LinkedFigures:
    """The figures of the product of ``dimensions`` (each ``group key -> atoms``) and their lines.

    A group is split in a line by the groups that are its atoms one by one, and by its largest
    proper subgroups when those are disjoint and cover it (a year by its halves, a half by its
    quarters, the total of the routes by "self", "code" and "all professionals")."""
    groups = [{key: frozenset(atoms) for key, atoms in dimension.items()} for dimension in dimensions]
    cells: dict[Key, frozenset[Cell]] = {
        keys: frozenset(product(*(g[k] for g, k in zip(groups, keys, strict=True)))) for keys in product(*groups)
    }
    lines: list[Line] = []
    for axis, dimension in enumerate(groups):
        for total, splits in _splits(dimension).items():
            for split in splits:
                for keys in product(*groups):
                    if keys[axis] == total:
                        lines.append(Line(keys, tuple((*keys[:axis], part, *keys[axis + 1 :]) for part in split)))
    return LinkedFigures(cells, tuple(lines))


def _splits(dimension: Mapping[Hashable, frozenset[Hashable]]) -> dict[Hashable, list[tuple[Hashable, ...]]]:
    single = {next(iter(atoms)): key for key, atoms in dimension.items() if len(atoms) == 1}
    found: dict[Hashable, list[tuple[Hashable, ...]]] = {}
    for key, atoms in dimension.items():
        if len(atoms) < 2:
            continue
        splits: list[tuple[Hashable, ...]] = []
        if all(atom in single for atom in atoms):
            splits.append(tuple(single[atom] for atom in sorted(atoms, key=repr)))
        inside = [k for k, a in dimension.items() if a < atoms]
        largest = [k for k in inside if not any(dimension[k] < dimension[other] for other in inside)]
        if sum(len(dimension[k]) for k in largest) == len(atoms) and len(largest) > 1:
            split = tuple(largest)
            if set(split) != {single.get(atom) for atom in atoms}:
                splits.append(split)
        if splits:
            found[key] = splits
    return found


# --- choosing the pattern ---------------------------------------------------------------------


def protect(
    counts: Mapping[Cell, int],
    figures: LinkedFigures,
    threshold: int = DEFAULT_THRESHOLD,
    also_hidden: Iterable[Key] = (),
) -> Disclosure:
    """The suppression pattern for all ``figures`` together; ``counts`` are the base cells (missing = 0).

    ``also_hidden``: non-zero figures to hide from the start (a caller that publishes the same number
    in tables with different base cells hides it in all of them once it is hidden in one)."""
    if threshold < 3:
        raise ValueError("a threshold below 3 leaves '< threshold' meaning one single value")
    if any(n < 0 for n in counts.values()):
        raise ValueError("counts are never negative")
    values = {key: sum(counts.get(cell, 0) for cell in cells) for key, cells in figures.cells.items()}
    order = {key: i for i, key in enumerate(figures.cells)}
    lines_of: dict[Key, list[Line]] = defaultdict(list)
    for line in figures.lines:
        for member in (line.total, *line.parts):
            lines_of[member].append(line)
    hidden = {key for key, v in values.items() if 0 < v < threshold}
    small = frozenset(hidden)
    hidden |= {key for key in also_hidden if values[key] > 0}
    withheld: set[Key] = set()  # small figures labelled "x"
    memo: dict[Hashable, set[Key]] = {}

    def preference(key: Key) -> tuple[int, int, int]:
        # fewest lines it would leave with a single hidden member (each needs one more), then smallest
        lonely = sum(1 for line in lines_of[key] if not any(m in hidden for m in (line.total, *line.parts)))
        return (lonely, values[key], order[key])

    def candidates(members: Iterable[Key]) -> list[Key]:
        return sorted({m for m in members if m not in hidden and values[m] > 0}, key=preference)

    while True:
        _apply_line_rule(figures.lines, hidden, candidates)
        shown = _disclosure(values, hidden, withheld, threshold)
        failing = exposed(figures, shown, memo, small_withheld=frozenset(withheld))
        if not failing:
            return shown
        added = False
        for key in sorted(failing, key=order.__getitem__):
            near = candidates(m for line in lines_of[key] for m in (line.total, *line.parts))
            if not near:
                near = candidates(other for other, cells in figures.cells.items() if cells & figures.cells[key])
            if near:
                hidden.add(near[0])
                added = True
        if not added:  # nothing sensible left to hide: hide every non-zero figure, then relabel
            everything = {key for key, v in values.items() if v > 0}
            relabel = (failing & small) - withheld
            if not everything <= hidden:
                hidden |= everything
            elif relabel:  # one at a time, the widest first: "x" on a total often frees its parts
                withheld.add(max(relabel, key=lambda k: (len(figures.cells[k]), -order[k])))
            else:  # pragma: no cover - cannot happen: with every figure "x" the labels alone are the measure
                return shown


def _apply_line_rule(lines: Iterable[Line], hidden: set[Key], candidates: Callable[[Iterable[Key]], list[Key]]) -> None:
    lines = tuple(lines)
    changed = True
    while changed:
        changed = False
        for line in lines:
            members = (line.total, *line.parts)
            if sum(m in hidden for m in members) == 1:
                pick = candidates(line.parts) or candidates(members)
                if pick:
                    hidden.add(pick[0])
                    changed = True


def _disclosure(values: Mapping[Key, int], hidden: set[Key], withheld: set[Key], threshold: int) -> Disclosure:
    status = {
        key: Status.PUBLISHED
        if key not in hidden
        else Status.SMALL
        if v < threshold and key not in withheld
        else Status.COMPLEMENTARY
        for key, v in values.items()
    }
    return Disclosure(threshold, status, {key: v for key, v in values.items() if key not in hidden})


# --- the exact check --------------------------------------------------------------------------


def exposed(
    figures: LinkedFigures,
    disclosure: Disclosure,
    memo: dict[Hashable, set[Key]] | None = None,
    small_withheld: frozenset[Key] = frozenset(),
) -> set[Key]:
    """The hidden figures that fail the guarantee (see the module docstring); empty when safe.

    Same answer as checking :func:`feasible_ranges`, but faster: every point the simplex visits is
    a filling an attacker cannot rule out, and it settles every figure it shows two values for (a
    small figure at 1 and at threshold-1), so most figures need no programme of their own.
    ``memo`` (a dict kept between calls) skips the parts of the tables that did not change.
    ``small_withheld``: the figures labelled "x" that are small (only ``protect`` knows them); they
    are held to the small figures' guarantee."""
    system = _AttackerSystem(figures, disclosure)
    failing: set[Key] = set()
    for component, keys in system.hidden_by_component().items():
        keys_withheld = small_withheld.intersection(keys)
        signature = (system.signature(component), keys_withheld)
        if memo is not None and signature in memo:
            failing |= memo[signature]
            continue
        found = _failing_in(FeasibleRegion(system.constraints[component]), keys, system, disclosure, keys_withheld)
        if memo is not None:
            memo[signature] = found
        failing |= found
    failing |= system.determined
    small = {key for key in failing if disclosure.status[key] is Status.SMALL or key in small_withheld}
    return failing - _no_worse_than_labels(figures, disclosure, small)


def _no_worse_than_labels(figures: LinkedFigures, disclosure: Disclosure, keys: set[Key]) -> set[Key]:
    """The small figures among ``keys`` whose range is what the labels and zeros alone allow.

    Zeros are shown, so a hidden figure of k hidden parts is known to be k or more whatever else is
    published (four hidden 1s under a hidden total of 4): such a figure is as safe as it can be when
    the published numbers narrow it no further, and its range still holds two values or more."""
    if not keys:
        return set()
    zeros = {key for key, value in disclosure.published.items() if value == 0}
    status = {
        key: Status.PUBLISHED if key in zeros else Status.COMPLEMENTARY if s is Status.PUBLISHED else s
        for key, s in disclosure.status.items()
    }
    everything_hidden = Disclosure(disclosure.threshold, status, dict.fromkeys(zeros, 0))
    now = feasible_ranges(figures, disclosure, keys)
    alone = feasible_ranges(figures, everything_hidden, keys)
    return {key for key in keys if now[key] == alone[key] and now[key][0] != now[key][1]}


def _failing_in(
    region: FeasibleRegion, keys: list[Key], system: _AttackerSystem, disclosure: Disclosure, withheld: frozenset[Key]
) -> set[Key]:
    t = disclosure.threshold
    seen: dict[Key, tuple[Number, Number]] = {}

    def record(point: Mapping[Cell, Number] | None) -> None:
        if point is None:
            return
        for key in keys:
            value = system.known[key] + sum(point[c] for c in system.unknown[key])
            low, high = seen.get(key, (value, value))
            seen[key] = (min(low, value), max(high, value))

    record(region.extreme_point({}, maximise=False))  # any point of the region
    found: set[Key] = set()
    for key in keys:
        small = disclosure.status[key] is Status.SMALL or key in withheld
        form = dict.fromkeys(system.unknown[key], 1)
        if seen[key][0] > 1 if small else seen[key][0] == seen[key][1]:
            record(region.extreme_point(form, maximise=False))
        unbounded = False
        if seen[key][1] < t - 1 if small else seen[key][0] == seen[key][1]:
            highest = region.extreme_point(form, maximise=True)
            unbounded = highest is None
            record(highest)
        low, high = seen[key]
        if (low > 1 or (high < t - 1 and not unbounded)) if small else (low == high and not unbounded):
            found.add(key)
    return found


def feasible_ranges(
    figures: LinkedFigures, disclosure: Disclosure, only: set[Key] | None = None
) -> dict[Key, tuple[Fraction, Fraction | None]]:
    """The attacker's view: (lowest, highest or None for unbounded) of every hidden figure (or of ``only``).

    Uses only what is published: the published values, the statuses and the threshold; exact."""
    system = _AttackerSystem(figures, disclosure)
    ranges: dict[Key, tuple[Fraction, Fraction | None]] = {
        key: (Fraction(system.known[key]), Fraction(system.known[key])) for key in system.determined
    }
    for component, keys in system.hidden_by_component().items():
        keys = [key for key in keys if only is None or key in only]
        if not keys:
            continue
        region = FeasibleRegion(system.constraints[component])
        for key in keys:
            low, high = region.range_of(dict.fromkeys(system.unknown[key], 1))
            ranges[key] = (system.known[key] + low, None if high is None else system.known[key] + high)
    return ranges


class _AttackerSystem:
    """What an attacker can write down: the base cells she knows, and constraints on the others.

    ``known[key]`` is the known part of a hidden figure, ``unknown[key]`` its other cells; the
    constraints fall apart into independent components (cells linked by no constraint)."""

    def __init__(self, figures: LinkedFigures, disclosure: Disclosure) -> None:
        t = disclosure.threshold
        fixed = _fixed_cells(figures, disclosure.published)
        self.known: dict[Key, int] = {}
        self.unknown: dict[Key, list[Cell]] = {}
        self.determined: set[Key] = set()
        pieces: list[tuple[list[Cell], Constraint]] = []
        for key, cells in figures.cells.items():
            unknown = [c for c in cells if c not in fixed]
            known = sum(fixed[c] for c in cells if c in fixed)
            status = disclosure.status[key]
            if status is not Status.PUBLISHED:
                self.known[key], self.unknown[key] = known, unknown
                if not unknown:
                    self.determined.add(key)
            if not unknown:
                continue
            form = dict.fromkeys(unknown, 1)
            if status is Status.PUBLISHED:
                pieces.append((unknown, Constraint(form, "==", disclosure.published[key] - known)))
            elif status is Status.SMALL:
                pieces.append((unknown, Constraint(form, ">=", 1 - known)))
                pieces.append((unknown, Constraint(form, "<=", t - 1 - known)))
            else:
                pieces.append((unknown, Constraint(form, ">=", 1 - known)))
        self.root = _components(unknown for unknown, _ in pieces)
        self.constraints: dict[Cell, list[Constraint]] = defaultdict(list)
        for unknown, constraint in pieces:
            self.constraints[self.root(unknown[0])].append(constraint)
        self._hidden = [key for key in figures.cells if key in self.unknown and key not in self.determined]

    def hidden_by_component(self) -> dict[Cell, list[Key]]:
        grouped: dict[Cell, list[Key]] = defaultdict(list)
        for key in self._hidden:
            grouped[self.root(self.unknown[key][0])].append(key)
        return grouped

    def signature(self, component: Cell) -> Hashable:
        return frozenset((frozenset(c.coefficients), c.sense, c.bound) for c in self.constraints[component])


def _fixed_cells(figures: LinkedFigures, published: Mapping[Key, int]) -> dict[Cell, int]:
    """Base cells an attacker knows outright: in a published zero, or the last unknown of a published figure."""
    fixed: dict[Cell, int] = {}
    changed = True
    while changed:
        changed = False
        for key, value in published.items():
            cells = figures.cells[key]
            unknown = [c for c in cells if c not in fixed]
            if not unknown:
                continue
            rest = value - sum(fixed[c] for c in cells if c in fixed)
            if rest == 0 or len(unknown) == 1:
                fixed.update(dict.fromkeys(unknown, rest if len(unknown) == 1 else 0))
                changed = True
    return fixed


def _components(groups: Iterable[list[Cell]]) -> Callable[[Cell], Cell]:
    """Union-find over cells that share a constraint; returns the function cell -> component."""
    parent: dict[Cell, Cell] = {}

    def find(cell: Cell) -> Cell:
        parent.setdefault(cell, cell)
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for group in groups:
        first = find(group[0])
        for cell in group[1:]:
            other = find(cell)
            if other != first:
                parent[other] = first
    return find
