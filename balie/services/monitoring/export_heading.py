"""The translated heading block of every monitor export and of the yearly summary.

What is shown, for which gemeenten and period, what "< 5", "x" and "–" mean, and the caveat that
home visits the JGZ registers outside the desk are not counted. Translated in the current locale
(call it inside a request or ``force_locale``); :mod:`.exports` itself stays free of Flask.
"""

from __future__ import annotations

from flask_babel import gettext

from balie.services.monitoring.exports import ExportHeading

# The signs of balie.services.monitoring.tables (Cell.text of a hidden or missing figure).
SMALL_SIGN = "< 5"
COMPLEMENTARY_SIGN = "x"
NOT_AVAILABLE_SIGN = "–"


def caveat() -> str:
    return gettext("Home visits that the JGZ registers outside the desk are not counted.")


def legend() -> tuple[tuple[str, str], ...]:
    return (
        (
            SMALL_SIGN,
            gettext("1 to 4: a small number is not shown, so that no family can be recognised."),
        ),
        (
            COMPLEMENTARY_SIGN,
            gettext("not shown, so that a small number cannot be worked out from totals or other tables."),
        ),
        (NOT_AVAILABLE_SIGN, gettext("no figure (for example: no live births entered for that year).")),
    )


def export_heading(scope: str, period: str, title: str | None = None) -> ExportHeading:
    """The heading for ``scope`` and ``period``, both worded as the page shows them ("Delft", "1e kwartaal 2025")."""
    return ExportHeading(
        title=title or gettext("Prenatal home visits: figures from the desk"),
        facts=((gettext("Gemeenten"), scope), (gettext("Period"), period)),
        legend_title=gettext("Explanation"),
        legend=legend(),
        caveat=caveat(),
    )
