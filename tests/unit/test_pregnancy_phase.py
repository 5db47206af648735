"""The pregnancy phase at registration, in bands, from the due month (estimated as the 15th)."""

from __future__ import annotations

from datetime import date

import pytest

from balie.domain.due_date import DueMonth
from balie.domain.pregnancy_phase import band, weeks_pregnant


@pytest.mark.parametrize(
    ("due", "registered", "weeks", "expected"),
    [
        # due 15 Oct 2026, so 40 weeks on that day; 12 weeks (84 days) 196 days before it: 2 Apr.
        ("2026-10", date(2026, 4, 1), 11, "before_12"),
        ("2026-10", date(2026, 4, 2), 12, "weeks_12_19"),
        ("2026-10", date(2026, 5, 27), 19, "weeks_12_19"),
        ("2026-10", date(2026, 5, 28), 20, "weeks_20_27"),
        ("2026-10", date(2026, 7, 23), 28, "weeks_28_35"),
        ("2026-10", date(2026, 9, 16), 35, "weeks_28_35"),
        ("2026-10", date(2026, 9, 17), 36, "from_36"),
        ("2026-10", date(2026, 10, 31), 42, "from_36"),  # still in the due month
        ("2026-10", date(2026, 11, 1), 42, "after_due_month"),  # allowed up to two weeks after
        ("2027-08", date(2026, 11, 1), -1, "before_12"),  # about as far ahead as the form allows
    ],
)
def test_the_band_of_a_registration(due: str, registered: date, weeks: int, expected: str) -> None:
    assert weeks_pregnant(DueMonth.parse(due), registered) == weeks
    assert band(DueMonth.parse(due), registered) == expected
