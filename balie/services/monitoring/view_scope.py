"""Which gemeenten-and-period a monitor view may show: never a scope that narrows down to a family.

The rule (pure Python, no database):

1. **Standard scopes only.** The gemeenten of a view are ONE gemeente of the user's scope, or ALL
   of them; the period is a calendar month, quarter, half-year or year (the keys of
   :func:`~balie.services.monitoring.disclosure.calendar_periods`: "2025-03", "2025-Q1",
   "2025-H1", "2025"). A free choice of gemeenten or dates would let two views differ by one small
   group ({A, B} minus {A}; 1 March-14 April minus 1 March-13 April), which no suppression of the
   single views can stop. Every standard scope of a year is a figure of ONE ``protect`` call, so
   the differences between them are covered by the complementary suppression.
2. **At least ``threshold`` registrations in the scope**, or nothing is shown: with fewer than five
   families every figure is "< 5" or a zero, and a zero would tell something about each of them
   ("none of them declined"). The decision then names the nearest wider standard scope that does
   reach the threshold (the longer period first, then all of the user's gemeenten), or refuses.
3. **Zero registrations** is the empty state ("Nog geen aanmeldingen in deze periode"): nobody is
   described, so it may be said.

What a refusal tells (1 to 4 registrations in that scope) is exactly what the "< 5" label of the
same figure in the linked tables tells, so the decision leaks nothing the tables do not.

Usage::

    decision = judge_scope(Scope(frozenset({"GM0363"}), "2025-03"), registrations, allowed, threshold=5)
    if decision.verdict is Verdict.WIDEN:
        ...  # say why, and offer decision.scope (e.g. the quarter) instead
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

from balie.services.monitoring.disclosure import DEFAULT_THRESHOLD, calendar_periods

_PERIOD = re.compile(r"(?P<year>\d{4})(-(\d{2}|Q[1-4]|H[12]))?")


@dataclass(frozen=True)
class Scope:
    gemeenten: frozenset[str]  # CBS codes, e.g. GM0363
    period: str  # "2025-03", "2025-Q1", "2025-H1" or "2025"

    def months(self) -> frozenset[str]:
        match = _PERIOD.fullmatch(self.period)
        periods = calendar_periods(int(match["year"])) if match else {}
        if self.period not in periods:
            raise ValueError("a period is a calendar month, quarter, half-year or year")
        return periods[self.period]


class Verdict(enum.Enum):
    SHOW = "show"
    EMPTY = "empty"  # no registrations: show the empty state
    WIDEN = "widen"  # too few registrations: ``scope`` is the nearest wider scope that may be shown
    REFUSE = "refuse"


class Reason(enum.Enum):
    TOO_FEW_REGISTRATIONS = "too few registrations"
    NOT_A_STANDARD_SCOPE = "not one gemeente or all, or not a calendar period"
    OUTSIDE_ROLE = "a gemeente outside the user's scope"


@dataclass(frozen=True)
class ScopeDecision:
    verdict: Verdict
    scope: Scope  # the requested scope, or the wider one to show instead (WIDEN)
    reason: Reason | None = None


def judge_scope(
    requested: Scope,
    registrations: Mapping[tuple[str, str], int],
    allowed: frozenset[str],
    threshold: int = DEFAULT_THRESHOLD,
) -> ScopeDecision:
    """May ``requested`` be shown? ``registrations`` counts per (gemeente code, "YYYY-MM")."""
    if not requested.gemeenten or not requested.gemeenten <= allowed:
        return ScopeDecision(Verdict.REFUSE, requested, Reason.OUTSIDE_ROLE)
    if not (len(requested.gemeenten) == 1 or requested.gemeenten == allowed) or not _is_period(requested.period):
        return ScopeDecision(Verdict.REFUSE, requested, Reason.NOT_A_STANDARD_SCOPE)

    def count(scope: Scope) -> int:
        months = scope.months()
        return sum(
            n for (gemeente, month), n in registrations.items() if gemeente in scope.gemeenten and month in months
        )

    registered = count(requested)
    if registered == 0:
        return ScopeDecision(Verdict.EMPTY, requested)
    if registered >= threshold:
        return ScopeDecision(Verdict.SHOW, requested)
    for wider in _wider_scopes(requested, allowed):
        if count(wider) >= threshold:
            return ScopeDecision(Verdict.WIDEN, wider, Reason.TOO_FEW_REGISTRATIONS)
    return ScopeDecision(Verdict.REFUSE, requested, Reason.TOO_FEW_REGISTRATIONS)


def _is_period(period: str) -> bool:
    match = _PERIOD.fullmatch(period)
    return match is not None and period in calendar_periods(int(match["year"]))


def _wider_scopes(scope: Scope, allowed: frozenset[str]) -> list[Scope]:
    """The longer periods that contain the scope's period (shortest first), then the same with all gemeenten."""
    months = scope.months()
    groups = calendar_periods(int(scope.period[:4]))
    periods = [
        scope.period,
        *sorted((key for key, group in groups.items() if group > months), key=lambda k: len(groups[k])),
    ]
    found = [Scope(scope.gemeenten, p) for p in periods[1:]]
    if scope.gemeenten != allowed:
        found += [Scope(allowed, p) for p in periods]
    return found
