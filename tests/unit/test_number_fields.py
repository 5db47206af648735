"""Numbers and amounts typed the Dutch way or the other way are read as she meant them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from balie.web.form_fields import EurosField, WholeNumberField


class Figures(Form):
    births = WholeNumberField("births", invalid="not a number")
    budget = EurosField("budget", invalid="not an amount")


def read(**typed: str) -> Figures:
    form = Figures(MultiDict(typed))
    form.validate()
    return form


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("1250", 1250), ("1.250", 1250), ("1 250", 1250), (" 12 ", 12), ("", None), ("1.250.000", 1250000)],
)
def test_whole_numbers(typed: str, meant: int | None) -> None:
    form = read(births=typed)
    assert form.births.data == meant and form.births.errors == []


@pytest.mark.parametrize("typed", ["12,5", "1.25", "-3", "veel", "1e3", "١٢"])
def test_not_whole_numbers_are_refused_and_kept_as_typed(typed: str) -> None:
    form = read(births=typed)
    assert form.births.data is None and form.births.errors == ["not a number"]
    assert form.births._value() == typed


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("38.000,50", "38000.50"),
        ("38000,50", "38000.50"),
        ("€ 38.000,50", "38000.50"),
        ("38000.50", "38000.50"),
        ("38.000", "38000"),  # a point before three digits is the Dutch thousands separator
        ("38 000", "38000"),
        ("190", "190"),
        ("12,345", "12.345"),  # read as typed; the service refuses a part of a cent
    ],
)
def test_amounts(typed: str, meant: str) -> None:
    form = read(budget=typed)
    assert form.budget.data == Decimal(meant) and form.budget.errors == []


@pytest.mark.parametrize("typed", ["twintig", "38.00.00", "38,000,00", "-5", "1,2,3"])
def test_not_amounts_are_refused(typed: str) -> None:
    form = read(budget=typed)
    assert form.budget.data is None and form.budget.errors == ["not an amount"]
