"""The monitor page: funnel, reach, money, timeliness and equity of her gemeenten, as charts and tables.

A monitor (MONITOR_VIEW) chooses one gemeente of her scope or all of them, and a calendar period;
the report service counts, protects and judges the view. Another gemeente in the address is not
there (404, the attempt logged). Every view is written to the access log.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, abort, current_app, render_template, request, url_for
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
from balie.services.monitoring.periods import Period, PeriodInvalid, PeriodKind
from balie.services.monitoring.report import ALL, Settings, build_report, shown_place
from balie.services.monitoring.scope import monitor_scope
from balie.services.monitoring.view_scope import Scope, Verdict
from balie.web.security import actor, requires

blueprint = Blueprint("monitor", __name__, url_prefix="/monitor")
YEARS_SHOWN = 3
REFERENCE_ENDPOINT = "monitor_reference.index"


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


@blueprint.get("")
@db.writes  # the access-log row, and the day's figures at the first view of the day
@requires(Permission.MONITOR_VIEW)
def index() -> str:
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
        db.commit()
        return render_template("monitor/index.html", form=form, report=None, reference_link=_reference_link())
    requested = Scope(allowed if place == ALL else frozenset({place}), period.key)
    report = build_report(db.session, allowed, requested, _settings(), gettext)
    detail = report.verdict.value
    if report.verdict is Verdict.WIDEN:
        detail = f"widened-to={shown_place(report.shown)}/{report.shown.period}"
    view_log.record_view(db.session, _actor(), place, period.key, detail)
    db.commit()
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
        requested_name=_place_name(requested, allowed, names),
        shown_name=_place_name(report.shown, allowed, names),
        requested_period=period_label(period),
        shown_period=period_label(Period.parse(report.shown.period)),
        is_year=period.kind is PeriodKind.YEAR,
        reference_link=_reference_link(),
    )


def _reference_link() -> str | None:
    """The reference figures page, where the app has it (births, target group, budget)."""
    if REFERENCE_ENDPOINT not in current_app.view_functions:
        return None

    return url_for(REFERENCE_ENDPOINT)
