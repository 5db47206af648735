"""Reach and money from plain numbers (issue 13): every expected figure below is counted by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from balie.config import Config, ConfigError, financing_norm_share, tariff_per_family, validate
from balie.services.monitoring.reach import expected_target_group, money, reach

NORM = Decimal("0.165")
TARIFF = Decimal("190.00")


def test_reach_against_the_norm_and_the_gemeentes_own_target() -> None:
    # 1000 births × 16.5 % = 165 expected; 66 families reached: 66 / 165 = 40 %; own target 120: 55 %.
    found = reach(66, 1000, NORM, own_target_size=120)
    assert found.expected == Decimal("165.0")
    assert found.share_of_expected == Decimal("0.4000")
    assert found.own_target == Decimal("120.0")
    assert found.share_of_own_target == Decimal("0.5500")


def test_a_quarter_counts_a_quarter_of_the_years_births() -> None:
    # 1200 × 0.165 = 198 a year; a quarter 49.5; 33 families: 33 / 49.5 = 0.66666… → 0.6667.
    found = reach(33, 1200, NORM, own_target_size=100, months=3)
    assert found.expected == Decimal("49.5")
    assert found.share_of_expected == Decimal("0.6667")
    assert found.own_target == Decimal("25.0")
    assert found.share_of_own_target == Decimal("1.3200")  # more families than she expected: shown, not capped


def test_unknown_births_or_target_give_no_share_rather_than_zero() -> None:
    found = reach(12, None, NORM)
    assert found.expected is None and found.share_of_expected is None
    assert found.own_target is None and found.share_of_own_target is None
    assert reach(0, 0, NORM).share_of_expected is None  # no births: no share, never a division by zero


def test_the_expected_target_group_rounds_half_up_to_one_decimal() -> None:
    assert expected_target_group(7, NORM) == Decimal("1.2")  # 1.155
    assert expected_target_group(5, NORM) == Decimal("0.8")  # 0.825
    assert expected_target_group(10, NORM, months=1) == Decimal("0.1")  # 0.1375


def test_money_against_the_norm_and_the_budget() -> None:
    # 66 × 190 = 12,540.00; the norm pays 165 × 190 = 31,350.00 (40 %); budget 25,000: 50.16 %, 12,460 left.
    found = money(66, TARIFF, Decimal("25000.00"), live_births=1000, norm_share=NORM)
    assert found.cost == Decimal("12540.00")
    assert found.norm_amount == Decimal("31350.00")
    assert found.share_of_norm == Decimal("0.4000")
    assert found.budget == Decimal("25000.00")
    assert found.share_of_budget == Decimal("0.5016")
    assert found.budget_left == Decimal("12460.00")


def test_money_over_budget_in_a_quarter() -> None:
    # A quarter of a 10,000.00 budget is 2,500.00; 14 families × 190 = 2,660.00: 160.00 over, 106.4 %.
    found = money(14, TARIFF, Decimal("10000.00"), months=3)
    assert found.budget == Decimal("2500.00")
    assert found.cost == Decimal("2660.00")
    assert found.budget_left == Decimal("-160.00")
    assert found.share_of_budget == Decimal("1.0640")
    assert found.norm_amount is None and found.share_of_norm is None


def test_money_without_budget() -> None:
    found = money(3, Decimal("190.50"))
    assert found.cost == Decimal("571.50")
    assert found.budget is None and found.share_of_budget is None and found.budget_left is None


@pytest.mark.parametrize(
    "call", [lambda: reach(-1, 10, NORM), lambda: money(-2, TARIFF), lambda: reach(1, 10, NORM, months=13)]
)
def test_impossible_input_is_refused(call: Any) -> None:
    with pytest.raises(ValueError):
        call()


def _settings(**changes: Any) -> dict[str, Any]:
    settings = {name: getattr(Config, name) for name in dir(Config) if name.isupper()}
    return {**settings, **changes}


def test_the_default_settings_are_the_national_norm() -> None:
    settings = _settings()
    assert financing_norm_share(settings) == Decimal("0.165")
    assert tariff_per_family(settings) == Decimal("190.00")
    assert settings["MONITOR_TARIFF_PRICE_YEAR"] == 2022
    validate(settings)
    # A number from the environment (JSON 16.5, 190) reads the same as the text.
    assert financing_norm_share(_settings(MONITOR_FINANCING_NORM_PERCENT=16.5)) == Decimal("0.165")
    assert tariff_per_family(_settings(MONITOR_TARIFF_PER_FAMILY_EUROS=190)) == Decimal("190")


@pytest.mark.parametrize(
    "changes, named",
    [
        ({"MONITOR_FINANCING_NORM_PERCENT": "0"}, "MONITOR_FINANCING_NORM_PERCENT"),
        ({"MONITOR_FINANCING_NORM_PERCENT": "101"}, "MONITOR_FINANCING_NORM_PERCENT"),
        ({"MONITOR_FINANCING_NORM_PERCENT": "zestien"}, "MONITOR_FINANCING_NORM_PERCENT"),
        ({"MONITOR_FINANCING_NORM_PERCENT": "NaN"}, "MONITOR_FINANCING_NORM_PERCENT"),
        ({"MONITOR_TARIFF_PER_FAMILY_EUROS": "190.005"}, "MONITOR_TARIFF_PER_FAMILY_EUROS"),
        ({"MONITOR_TARIFF_PER_FAMILY_EUROS": "-190"}, "MONITOR_TARIFF_PER_FAMILY_EUROS"),
        ({"MONITOR_TARIFF_PRICE_YEAR": "2022"}, "MONITOR_TARIFF_PRICE_YEAR"),
        ({"MONITOR_TARIFF_PRICE_YEAR": 1990}, "MONITOR_TARIFF_PRICE_YEAR"),
    ],
)
def test_a_wrong_setting_stops_the_app_naming_it(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError, match=f"BALIE_{named}"):
        validate(_settings(**changes))
