"""The monitor's filter (GET): one gemeente of her scope or all of them, and a calendar period."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField
from wtforms.validators import Optional

from balie.services.monitoring.periods import Period, PeriodKind
from balie.services.monitoring.report import ALL

KIND_LABELS = {
    PeriodKind.YEAR: _l("Year"),
    PeriodKind.HALF_YEAR: _l("Half-years"),
    PeriodKind.QUARTER: _l("Quarters"),
    PeriodKind.MONTH: _l("Months"),
}


def period_label(period: Period) -> str:
    year = period.start.year
    if period.kind is PeriodKind.MONTH:
        return format_date(period.start, "MMMM yyyy")
    if period.kind is PeriodKind.QUARTER:
        return str(_l("Quarter %(number)d %(year)d", number=(period.start.month - 1) // 3 + 1, year=year))
    if period.kind is PeriodKind.HALF_YEAR:
        return str(_l("Half-year %(number)d %(year)d", number=(period.start.month - 1) // 6 + 1, year=year))
    return str(year)


def periods_of(years: list[int], today: date) -> dict[str, list[SelectChoice]]:
    """Every calendar period of these years that has begun, grouped by kind (newest first)."""
    groups: dict[str, list[SelectChoice]] = {}
    for kind, label in KIND_LABELS.items():
        found = []
        for year in sorted(years, reverse=True):
            period = Period(kind, date(year, 1, 1))
            while period.start.year == year:
                if period.start <= today:
                    found.append(period)
                period = period.next()
        found.sort(reverse=True)
        groups[str(label)] = [SelectChoice(p.key, period_label(p)) for p in found]
    return groups


class MonitorFilterForm(FlaskForm):
    """Plain GET parameters: a view can be bookmarked."""

    class Meta:
        csrf = False

    gemeente = SelectField(_l("Gemeente"), validators=[Optional()], default=ALL)
    period = SelectField(_l("Period"), validators=[Optional()])

    def __init__(self, gemeenten: dict[str, str], years: list[int], today: date, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [SelectChoice(ALL, _l("All my gemeenten"))] if len(gemeenten) > 1 else []
        self.gemeente.choices = everything + [SelectChoice(code, name) for code, name in gemeenten.items()]
        self.period.choices = periods_of(years, today)
