"""The monitor page: funnel, reach, money, timeliness and equity of her gemeenten, as charts and tables.

A monitor (MONITOR_VIEW) chooses one gemeente of her scope or all of them, and a calendar period;
the report service counts, protects and judges the view. Another gemeente in the address is not
there (404, the attempt logged). Every view is written to the access log.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_login import current_user
from sqlalchemy import select

from balie import security_log
from balie.clock import today
from balie.config import financing_norm_share, region_ggd_codes, tariff_per_family
from balie.domain import roles as role_table
from balie.domain.roles import Permission
from balie.extensions import db
from balie.models import Municipality
from balie.monitor.charts import bar_chart, line_chart
from balie.monitor.forms import MonitorFilterForm, period_label
from balie.services.monitoring import view_log
from balie.services.monitoring.export_heading import export_heading
from balie.services.monitoring.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, ExportHeading, filename, to_csv, to_xlsx
from balie.services.monitoring.periods import Period, PeriodInvalid, PeriodKind
from balie.services.monitoring.report import ALL, Report, Settings, build_report, shown_place
from balie.services.monitoring.scope import monitor_scope
from balie.services.monitoring.tables import Table
from balie.services.monitoring.view_scope import Scope, Verdict
from balie.services.monitoring.yearly_summary import CellAddress, figures_from, yearly_summary
from balie.web.security import actor, requires

blueprint = Blueprint("monitor", __name__, url_prefix="/monitor")
YEARS_SHOWN = 3
REFERENCE_ENDPOINT = "monitor_reference.index"
YEAR_KEY = re.compile(r"\d{4}")


def _actor() -> Any:
    role = next((c for c in current_user.role_codes if role_table.grants_permission(c, Permission.MONITOR_VIEW)), "")
    return actor(role)


def _refused(place: str, period: str) -> NoReturn:
    """Not a gemeente of hers: 404, and the attempt logged."""
    view_log.record_refused(db.session, _actor(), place, period)
    security_log.event("authz_fail", user_id=current_user.id, object="monitor")
    db.commit()
    abort(404)


def _settings() -> Settings:
    locale = str(get_locale() or "nl")
    return Settings(
        norm_share=financing_norm_share(current_app.config),
        tariff=tariff_per_family(current_app.config),
        price_year=int(current_app.config["MONITOR_TARIFF_PRICE_YEAR"]),
        locale=locale,
    )


def _place_name(scope: Scope, allowed: frozenset[str], names: dict[str, str]) -> str:
    if scope.gemeenten == allowed and len(allowed) > 1:
        return gettext("all my gemeenten")
    return names.get(next(iter(scope.gemeenten)), "")


@dataclass(frozen=True)
class _View:
    """One request's view: her gemeenten, what she asked for, and the report for it."""

    form: MonitorFilterForm
    allowed: frozenset[str]
    names: dict[str, str]
    place: str
    period: Period
    requested: Scope | None
    report: Report | None


def _view(log_as: str = "") -> _View:
    """Her scope and the report of the gemeente and period asked for (404 for another gemeente);
    the view is written to the access log (``log_as`` names an export)."""
    scope = monitor_scope(db.session, current_user.user.roles, region_ggd_codes(current_app.config))
    allowed = scope.municipality_codes
    now = today()
    place = request.args.get("gemeente", ALL) or ALL
    try:
        period = Period.parse(request.args.get("period") or str(now.year))
    except PeriodInvalid:
        abort(404)
    if place != ALL and place not in allowed:
        _refused(place, period.key)
    found = db.session.execute(
        select(Municipality.code, Municipality.name)
        .where(Municipality.code.in_(sorted(allowed)))
        .order_by(Municipality.name)
    )
    names = {code: name for code, name in found}
    years = [now.year - back for back in range(YEARS_SHOWN)]
    form = MonitorFilterForm(names, years, now, request.args)
    form.gemeente.data, form.period.data = place if place in allowed else ALL, period.key
    if not allowed:
        return _View(form, allowed, names, place, period, None, None)
    requested = Scope(allowed if place == ALL else frozenset({place}), period.key)
    report = build_report(db.session, allowed, requested, _settings(), gettext)
    detail = report.verdict.value
    if report.verdict is Verdict.WIDEN:
        detail = f"widened-to={shown_place(report.shown)}/{report.shown.period}"
    view_log.record_view(db.session, _actor(), place, period.key, f"{log_as} {detail}".strip())
    return _View(form, allowed, names, place, period, requested, report)


@blueprint.get("")
@db.writes  # the access-log row, and the day's figures at the first view of the day
@requires(Permission.MONITOR_VIEW)
def index() -> str:
    view = _view()
    db.commit()
    form, report, period = view.form, view.report, view.period
    if report is None or view.requested is None:
        return render_template("monitor/index.html", form=form, report=None, reference_link=_reference_link())
    charts: dict[str, Any] = {}
    if report.has_figures:
        months = report.tables["reach_months"]
        charts = {
            "funnel_chart": bar_chart(report.tables["funnel"]),
            "reach_chart": line_chart(months, tuple(str(n) for n in range(1, 13))),
            "reach_description": "; ".join(f"{row.label}: {row.cells[0].text}" for row in months.rows),
            "reference_missing": any(
                row.cells[0].text == "–" for row in report.tables["reach"].rows if row.key != "families"
            ),
        }
    return render_template(
        "monitor/index.html",
        form=form,
        report=report,
        **charts,
        requested_name=_place_name(view.requested, view.allowed, view.names),
        shown_name=_place_name(report.shown, view.allowed, view.names),
        requested_period=period_label(period),
        shown_period=period_label(Period.parse(report.shown.period)),
        is_year=period.kind is PeriodKind.YEAR,
        reference_link=_reference_link(),
        view_args={"gemeente": view.place, "period": period.key},
    )


# Downloads of the tables the page shows, with the same suppression (the published texts).
EXPORTS: dict[str, tuple[Callable[[Sequence[Table], ExportHeading], bytes], str]] = {
    "csv": (to_csv, CSV_MEDIA_TYPE),
    "xlsx": (to_xlsx, XLSX_MEDIA_TYPE),
}


def _heading(view: _View, report: Report, title: str | None = None) -> ExportHeading:
    shown = _place_name(report.shown, view.allowed, view.names)
    return export_heading(shown, period_label(Period.parse(report.shown.period)), title)


@blueprint.get("/export.<kind>")
@db.writes  # the access-log row, and the day's figures at the first view of the day
@requires(Permission.MONITOR_VIEW)
def export(kind: str) -> ResponseReturnValue:
    """Every table of the view as a CSV or XLSX file: exactly the texts of the page ("< 5", "x")."""
    if kind not in EXPORTS:
        abort(404)
    view = _view(log_as=f"export-{kind}")
    db.commit()
    report = view.report
    if report is None or not report.has_figures:
        return redirect(url_for("monitor.index", gemeente=view.place, period=view.period.key), 303)
    write, media_type = EXPORTS[kind]
    data = write(list(report.tables.values()), _heading(view, report))
    name = filename(f"monitor-{shown_place(report.shown)}-{report.shown.period}", kind)
    return Response(data, mimetype=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# Where the yearly summary finds its figures in the published tables.
SUMMARY_CELLS = {
    "registrations": CellAddress("funnel", "registrations"),
    "families_with_visit": CellAddress("funnel", "families"),
    "families_one_visit": CellAddress("visits", "1"),
    "families_two_visits": CellAddress("visits", "2"),
    "families_three_visits": CellAddress("visits", "3"),
    "families_four_or_more_visits": CellAddress("visits", "4_or_more"),
    "expected_target_group": CellAddress("reach", "expected"),
    "reach_share": CellAddress("reach", "expected", 1),
    "follow_up_arranged": CellAddress("funnel", "follow_up"),
    "no_follow_up_needed": CellAddress("funnel", "none_needed"),
}


@blueprint.get("/jaaroverzicht")
@db.writes  # the access-log row, and the day's figures at the first view of the day
@requires(Permission.MONITOR_VIEW)
def yearly() -> ResponseReturnValue:
    """The year's few figures for the Monitor Kansrijke Start questionnaire, on one printable page."""
    if request.args.get("period") and not YEAR_KEY.fullmatch(request.args["period"]):
        abort(404)
    view = _view(log_as="yearly")
    db.commit()
    report = view.report
    if report is None or not report.has_figures or Period.parse(report.shown.period).kind is not PeriodKind.YEAR:
        return redirect(url_for("monitor.index", gemeente=view.place, period=view.period.key), 303)
    year = report.shown.period
    tables = yearly_summary(figures_from(list(report.tables.values()), SUMMARY_CELLS), year)
    return render_template(
        "monitor/yearly.html",
        summary_heading=_heading(view, report, gettext("The PHB in %(year)s: yearly summary", year=year)),
        summary_tables=tables,
        view_args={"gemeente": view.place, "period": view.period.key},
    )


def _reference_link() -> str | None:
    """The reference figures page, where the app has it (births, target group, budget)."""
    if REFERENCE_ENDPOINT not in current_app.view_functions:
        return None

    return url_for(REFERENCE_ENDPOINT)
