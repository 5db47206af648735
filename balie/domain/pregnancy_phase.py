"""How far along a pregnancy was when she registered, in anonymous bands.

The form asks the due month, not a date, so the duration is an estimate: the due date is taken as
the 15th of the due month and the pregnancy as 280 days (40 weeks) long. The estimate is off by up
to about two weeks either way, which is why the bands are eight weeks wide (the first one wider):
before 12 weeks (the first trimester), 12-19, 20-27, 28-35, 36 weeks or more, and "after the due
month" (the form accepts a due month up to two weeks in the past: the baby may have been born).

The band is derived once, when she registers, and stored: the due month itself is erased with
the personal data, the band stays for the monitor.
"""

from __future__ import annotations

from datetime import date

from balie.domain.due_date import DueMonth

BEFORE_12 = "before_12"
WEEKS_12_19 = "weeks_12_19"
WEEKS_20_27 = "weeks_20_27"
WEEKS_28_35 = "weeks_28_35"
FROM_36 = "from_36"
AFTER_DUE_MONTH = "after_due_month"
# In the order of the pregnancy; the monitor shows them in this order.
BANDS = (BEFORE_12, WEEKS_12_19, WEEKS_20_27, WEEKS_28_35, FROM_36, AFTER_DUE_MONTH)

PREGNANCY_DAYS = 280
ASSUMED_DUE_DAY = 15
_LOWER_WEEKS = ((36, FROM_36), (28, WEEKS_28_35), (20, WEEKS_20_27), (12, WEEKS_12_19))


def weeks_pregnant(due: DueMonth, registered_on: date) -> int:
    """Completed weeks of pregnancy on the day she registered, by the estimated due date
    (negative when the due month lies more than 40 weeks ahead)."""
    estimated_due = date(due.year, due.month, ASSUMED_DUE_DAY)
    return (PREGNANCY_DAYS - (estimated_due - registered_on).days) // 7


def band(due: DueMonth, registered_on: date) -> str:
    """The band of the pregnancy on the day she registered (one of BANDS)."""
    if registered_on > due.last_day:
        return AFTER_DUE_MONTH
    weeks = weeks_pregnant(due, registered_on)
    return next((name for lower, name in _LOWER_WEEKS if weeks >= lower), BEFORE_12)
