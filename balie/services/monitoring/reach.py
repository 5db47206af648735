"""Reach and money from plain numbers: pure functions, no database, Decimal throughout.

Reach: families with at least one home visit against the expected target group, which is live
births × the financing norm share (16.5 %), and against the gemeente's own target-group size when
she set one. For a period shorter than a year the yearly figures count pro rata (a quarter: 3/12).
Money: families with at least one home visit × the tariff per family, against the gemeente's budget
(pro rata too). Follow-up visits are not in these sums: the tariff pays one visit per family.

Shares are ratios (0.4200 is 42 %), rounded half up to 4 decimals; amounts to the cent. A share
whose denominator is unknown or zero is None: the page says "not known", never "0 %" or "∞".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONTHS_IN_YEAR = 12
SHARE_PLACES = Decimal("0.0001")
CENT = Decimal("0.01")
TARGET_PLACES = Decimal("0.1")


def _share(part: Decimal | int, whole: Decimal | int | None) -> Decimal | None:
    if whole is None or whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def _pro_rata(yearly: Decimal | int, months: int) -> Decimal:
    if not 1 <= months <= MONTHS_IN_YEAR:
        raise ValueError("a period of 1 to 12 months")
    return Decimal(yearly) * months / MONTHS_IN_YEAR


def _check_count(value: int, name: str) -> None:
    if value < 0:
        raise ValueError(f"{name} cannot be negative")


def expected_target_group(live_births: int, norm_share: Decimal, months: int = MONTHS_IN_YEAR) -> Decimal:
    """Live births of the year × the norm share, for a period of ``months``, to one decimal."""
    _check_count(live_births, "live_births")
    return _pro_rata(live_births * norm_share, months).quantize(TARGET_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Reach:
    families_reached: int  # families with at least one home visit in the period
    expected: Decimal | None  # live births × norm share (pro rata); None: births not known
    share_of_expected: Decimal | None
    own_target: Decimal | None  # the gemeente's own target-group size (pro rata); None: not set
    share_of_own_target: Decimal | None


def reach(
    families_reached: int,
    live_births: int | None,
    norm_share: Decimal,
    own_target_size: int | None = None,
    months: int = MONTHS_IN_YEAR,
) -> Reach:
    _check_count(families_reached, "families_reached")
    expected = None if live_births is None else expected_target_group(live_births, norm_share, months)
    own = None
    if own_target_size is not None:
        _check_count(own_target_size, "own_target_size")
        own = _pro_rata(own_target_size, months).quantize(TARGET_PLACES, rounding=ROUND_HALF_UP)
    return Reach(families_reached, expected, _share(families_reached, expected), own, _share(families_reached, own))


@dataclass(frozen=True)
class Money:
    families: int  # families with at least one home visit in the period
    tariff: Decimal  # euros per family
    cost: Decimal  # families × tariff
    norm_amount: Decimal | None  # expected target group × tariff: what the financing norm pays for
    share_of_norm: Decimal | None
    budget: Decimal | None  # the gemeente's budget (pro rata); None: not entered
    share_of_budget: Decimal | None
    budget_left: Decimal | None  # budget − cost; negative when the cost is over the budget


def money(
    families: int,
    tariff: Decimal,
    yearly_budget: Decimal | None = None,
    live_births: int | None = None,
    norm_share: Decimal | None = None,
    months: int = MONTHS_IN_YEAR,
) -> Money:
    _check_count(families, "families")
    cost = (families * tariff).quantize(CENT, rounding=ROUND_HALF_UP)
    norm_amount = None
    if live_births is not None and norm_share is not None:
        norm_amount = (expected_target_group(live_births, norm_share, months) * tariff).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
    budget = None if yearly_budget is None else _pro_rata(yearly_budget, months).quantize(CENT, rounding=ROUND_HALF_UP)
    return Money(
        families=families,
        tariff=tariff,
        cost=cost,
        norm_amount=norm_amount,
        share_of_norm=_share(cost, norm_amount),
        budget=budget,
        share_of_budget=_share(cost, budget),
        budget_left=None if budget is None else budget - cost,
    )
