"""The desk's notion of 'today': the date in the Netherlands, whatever the server's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    return datetime.now(ZONE).date()
