"""Exact feasible ranges of linear forms over non-negative rationals (a small rational simplex).

The disclosure check (``disclosure.py``) asks, for a hidden figure, "what is the smallest and the
largest value it can take, given everything that is published?". That is a pair of linear
programmes. They are solved here in exact rational arithmetic (``fractions.Fraction``), so the
answer "the range is one single value" is a proof, not a floating-point guess.

The method is the textbook two-phase simplex on a sparse tableau with Bland's rule (it cannot
cycle). The systems the monitor builds are small after the disclosure module has fixed every
published base cell (tens of unknowns), which is what this is for; it is not a general LP solver.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

# Entries stay Python ints while the pivots are 1 or -1 (nearly always, for tables of counts) and
# become Fractions only when a pivot is not: exact either way, and many times faster than Fractions.
Number = int | Fraction
Row = dict[int, Number]


@dataclass(frozen=True)
class Constraint:
    """``sum(coefficients[v] * v) (==, <=, >=) bound`` over variables that are all ``>= 0``."""

    coefficients: Mapping[Hashable, int]
    sense: str  # "==", "<=" or ">="
    bound: int

    def __post_init__(self) -> None:
        if self.sense not in ("==", "<=", ">="):
            raise ValueError("a constraint's sense is ==, <= or >=")


class Infeasible(ValueError):
    """The constraints have no non-negative solution (the caller passed inconsistent figures)."""


class FeasibleRegion:
    """The polyhedron ``{x >= 0 : constraints}``; ``range_of`` gives the exact range of a linear form.

    Phase one runs once, in the constructor; every ``range_of`` starts from that feasible basis.
    """

    def __init__(self, constraints: Iterable[Constraint]) -> None:
        constraints = list(constraints)
        names: dict[Hashable, int] = {}
        for constraint in constraints:
            for name in constraint.coefficients:
                names.setdefault(name, len(names))
        self._columns = names
        column_count = len(names)
        rows: list[Row] = []
        rhs: list[Number] = []
        for constraint in constraints:
            row: Row = {names[n]: c for n, c in constraint.coefficients.items() if c}
            if constraint.sense != "==":  # a slack column turns the inequality into an equation
                row[column_count] = 1 if constraint.sense == "<=" else -1
                column_count += 1
            bound: Number = constraint.bound
            if bound < 0:
                row = {j: -v for j, v in row.items()}
                bound = -bound
            rows.append(row)
            rhs.append(bound)
        self._first_artificial = column_count
        self._rows = rows
        self._rhs = rhs
        self._basis = [column_count + i for i in range(len(rows))]
        for i, row in enumerate(rows):
            row[column_count + i] = 1
        self._phase_one()

    # --- the public question -------------------------------------------------------------------

    def range_of(self, form: Mapping[Hashable, int]) -> tuple[Fraction, Fraction | None]:
        """(minimum, maximum) of ``sum(form[v] * v)`` over the region; maximum None when unbounded.

        Variables that appear in no constraint are free to grow: they make the range unbounded
        above when their coefficient is positive (and below is limited by 0)."""
        low = self.extreme_point(form, maximise=False)
        high = self.extreme_point(form, maximise=True)
        assert low is not None  # noqa: S101 - non-negative variables and coefficients: bounded below
        return _value(form, low), (None if high is None else _value(form, high))

    def extreme_point(self, form: Mapping[Hashable, int], *, maximise: bool) -> dict[Hashable, Number] | None:
        """A point of the region where the form is lowest (or highest); None when it has no such point.

        Every variable of the region has a value in the point (0 when not basic); variables of the
        form that the region does not know are left out (they are 0 at a minimum)."""
        if any(c < 0 for c in form.values()):
            raise ValueError("the forms asked for have non-negative coefficients")
        sign = -1 if maximise else 1
        if maximise and any(n not in self._columns and c for n, c in form.items()):
            return None
        cost: dict[int, Number] = {self._columns[n]: sign * c for n, c in form.items() if n in self._columns and c}
        rows = [dict(row) for row in self._rows]
        rhs = list(self._rhs)
        basis = list(self._basis)
        if self._solve(rows, rhs, basis, cost, allowed=self._first_artificial) is None:
            return None
        values: dict[Hashable, Number] = dict.fromkeys(self._columns, 0)
        names = {j: n for n, j in self._columns.items()}
        for i, column in enumerate(basis):
            if column in names:
                values[names[column]] = rhs[i]
        return values

    # --- the simplex ---------------------------------------------------------------------------

    def _phase_one(self) -> None:
        artificial: dict[int, Number] = {
            j: 1 for j in range(self._first_artificial, self._first_artificial + len(self._rows))
        }
        rows, rhs, basis = self._rows, self._rhs, self._basis
        value = self._solve(rows, rhs, basis, artificial, allowed=None)
        if value is None or value != 0:
            raise Infeasible("the published figures contradict each other")
        # Drive the artificial columns that stay basic (at zero) out of the basis, or drop their row:
        # such a row is a linear combination of the others.
        keep: list[int] = []
        for i, column in enumerate(basis):
            if column < self._first_artificial:
                keep.append(i)
                continue
            entering = next((j for j in sorted(rows[i]) if j < self._first_artificial and rows[i][j] != 0), None)
            if entering is None:
                continue
            _pivot(rows, rhs, basis, i, entering)
            keep.append(i)
        self._rows = [{j: v for j, v in rows[i].items() if j < self._first_artificial} for i in keep]
        self._rhs = [rhs[i] for i in keep]
        self._basis = [basis[i] for i in keep]

    @staticmethod
    def _solve(
        rows: list[Row], rhs: list[Number], basis: list[int], cost: Mapping[int, Number], allowed: int | None
    ) -> Number | None:
        """Minimise ``cost`` in place; None when unbounded. Columns ``>= allowed`` never enter."""
        # reduced costs: cost_j - sum_i cost_basis(i) * rows[i][j]; the objective value is sum_i cost_basis(i) * rhs[i]
        reduced: Row = dict(cost)
        value: Number = 0
        for i, column in enumerate(basis):
            weight = cost.get(column, 0)
            if weight:
                value += weight * rhs[i]
                for j, v in rows[i].items():
                    reduced[j] = reduced.get(j, 0) - weight * v
        while True:
            entering = min(
                (j for j, v in reduced.items() if v < 0 and (allowed is None or j < allowed)),
                default=None,
            )
            if entering is None:
                return value
            # ratio test; ties go to the basic column with the lowest index (Bland)
            candidates = [
                (rhs[i] / row[entering], basis[i], i) for i, row in enumerate(rows) if row.get(entering, 0) > 0
            ]
            if not candidates:
                return None
            leaving = min(candidates)[2]
            step = reduced[entering]
            _pivot(rows, rhs, basis, leaving, entering)
            value += step * rhs[leaving]
            prow = rows[leaving]
            for j, v in prow.items():
                updated = reduced.get(j, 0) - step * v
                if updated:
                    reduced[j] = updated
                else:
                    reduced.pop(j, None)


def _pivot(rows: list[Row], rhs: list[Number], basis: list[int], r: int, column: int) -> None:
    prow = rows[r]
    a = prow[column]
    if a == -1:
        for j in prow:
            prow[j] = -prow[j]
        rhs[r] = -rhs[r]
    elif a != 1:
        for j in prow:
            prow[j] = _exact(Fraction(prow[j]) / a)
        rhs[r] = _exact(Fraction(rhs[r]) / a)
    for i, row in enumerate(rows):
        if i == r:
            continue
        factor = row.get(column)
        if not factor:
            continue
        for j, v in prow.items():
            updated = row.get(j, 0) - factor * v
            if updated:
                row[j] = updated
            else:
                row.pop(j, None)
        rhs[i] -= factor * rhs[r]
    basis[r] = column


def _value(form: Mapping[Hashable, int], point: Mapping[Hashable, Number]) -> Fraction:
    return Fraction(sum(c * point.get(n, 0) for n, c in form.items()))


def _ratio(numerator: Number, denominator: Number) -> Number:
    return numerator if denominator == 1 else Fraction(numerator) / denominator


def _exact(value: Fraction) -> Number:
    return value.numerator if value.denominator == 1 else value
