"""The monitor's reference figures: live births, own target group and budget per gemeente and year.

A monitor who may view (MONITOR_VIEW) sees the figures of her gemeenten; one who keeps them
(MONITOR_REFERENCE) changes a year in a form or imports live births from a CBS StatLine file,
which she first sees as a preview. Another gemeente is not there (404, the attempt logged).
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext, ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from balie import security_log
from balie.clock import today
from balie.config import financing_norm_share, region_ggd_codes
from balie.domain import roles as role_table
from balie.domain.roles import Permission
from balie.extensions import db
from balie.models.base import utcnow
from balie.monitor_reference.forms import BirthsFileForm, FiguresForm
from balie.services import pending_uploads
from balie.services.monitoring import reference_figures, reference_keeping
from balie.services.monitoring.reference_figures import FiguresEntry, InvalidFigures
from balie.services.monitoring.reference_keeping import Keeper, NotFound
from balie.services.monitoring.scope import monitor_scope, reference_figures_scope
from balie.web.forms import EmptyForm
from balie.web.labels import births_file_problem, reference_figure_problem
from balie.web.security import actor, requires
from balie.web.uploads import accepts_upload

blueprint = Blueprint("monitor_reference", __name__, url_prefix="/monitor/gegevens")
MAX_BYTES = "MONITOR_BIRTHS_IMPORT_MAX_BYTES"
MOST = {
    "live_births": reference_figures.MAX_LIVE_BIRTHS,
    "target_group_size": reference_figures.MAX_TARGET_GROUP,
    "budget": reference_figures.MAX_BUDGET,
}


def _keeper() -> Keeper:
    grants, region = current_user.user.roles, region_ggd_codes(current_app.config)
    role = next((c for c in current_user.role_codes if role_table.grants_permission(c, Permission.MONITOR_VIEW)), "")
    return Keeper(
        actor(role),
        monitor_scope(db.session, grants, region),
        reference_figures_scope(db.session, grants, region),
    )


def _not_found() -> NoReturn:
    """Not a gemeente of hers: 404; the service logged the attempt."""
    security_log.event("authz_fail", user_id=current_user.id, object="reference_figures")
    db.commit()
    abort(404)


def _norm_percent() -> str:
    return format_decimal(financing_norm_share(current_app.config) * 100, "#,##0.##")


def _index_page(upload_form: BirthsFileForm) -> str:
    gemeenten = reference_keeping.overview(
        db.session, _keeper(), today().year, financing_norm_share(current_app.config)
    )
    db.commit()
    return render_template(
        "monitor_reference/index.html",
        gemeenten=gemeenten,
        norm_percent=_norm_percent(),
        upload_form=upload_form,
        may_change=current_user.can(Permission.MONITOR_REFERENCE),
        limit_mb=_megabytes(),
    )


@blueprint.get("")
@requires(Permission.MONITOR_VIEW)
def index() -> str:
    return _index_page(BirthsFileForm(formdata=None))


def _most(field: str) -> str:
    return format_decimal(MOST[field], "#,##0.00" if field == "budget" else "#,##0")


def _show_problems(form: FiguresForm, refused: InvalidFigures, year: int) -> None:
    """Each problem at its field; the year's (births of a year not begun) and the gemeente's at live births."""
    for problem in refused.problems:
        field = problem.field if problem.field in MOST else "live_births"
        message = reference_figure_problem(problem.field, problem.code, year, _most(field))
        form[field].errors = [*form[field].errors, message]


def _edit_page(code: str, year: int, form: FiguresForm | None = None) -> tuple[str, int]:
    """The form (as she filled it in, or with the figures held) and the year's history; the look is logged."""
    try:
        name, figures = reference_keeping.open_year(db.session, _keeper(), code, year)
    except NotFound:
        _not_found()
    history = reference_keeping.year_history(db.session, code, year)
    db.commit()
    page = render_template(
        "monitor_reference/edit.html",
        form=form or FiguresForm(obj=figures),
        name=name,
        year=year,
        history=history,
        norm_percent=_norm_percent(),
    )
    return page, 200 if form is None else 400


@blueprint.route("/<code>/<int:year>", methods=["GET", "POST"])
@requires(Permission.MONITOR_REFERENCE)
def edit(code: str, year: int) -> Any:
    if not reference_keeping.may_open_year(year, today().year):
        abort(404)
    form = FiguresForm()
    if request.method == "GET":
        return _edit_page(code, year)
    if not form.validate_on_submit():
        return _edit_page(code, year, form)
    entry = FiguresEntry(code, year, form.live_births.data, form.target_group_size.data, form.budget.data)
    try:
        reference_keeping.change(db.session, _keeper(), entry, utcnow())
    except NotFound:
        _not_found()
    except InvalidFigures as refused:
        db.rollback_quietly()
        _show_problems(form, refused, year)
        return _edit_page(code, year, form)
    db.commit()
    name = reference_keeping.municipality_name(db.session, code)
    flash(gettext("Saved: the figures of %(gemeente)s for %(year)s.", gemeente=name, year=year), "success")
    return redirect(url_for("monitor_reference.index", _anchor=f"{code}-{year}"), code=303)


def _megabytes() -> str:
    return str(max(1, int(current_app.config[MAX_BYTES]) // 2**20))


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> Any:
    """The body was refused before the view ran (while the token was checked)."""
    if not current_user.is_authenticated or not current_user.can(Permission.MONITOR_REFERENCE):
        return error
    form = BirthsFileForm(formdata=None)
    form.file.errors = [births_file_problem("too_big", 0, str(current_app.config[MAX_BYTES]))]
    return _index_page(form), 413


@blueprint.post("/cbs-bestand")
@accepts_upload(MAX_BYTES)
@requires(Permission.MONITOR_REFERENCE)
def upload() -> Any:
    form = BirthsFileForm()
    if not form.validate_on_submit():
        return _index_page(form), 400
    max_bytes = int(current_app.config[MAX_BYTES])
    data = form.file.data.read(max_bytes + 1)
    name = form.file.data.filename or ""
    pending = reference_keeping.read_births(db.session, _keeper(), name, data, utcnow(), max_bytes)
    db.commit()
    return redirect(url_for("monitor_reference.births_preview", upload_id=pending.id), code=303)


@blueprint.route("/cbs-bestand/<upload_id>", methods=["GET", "POST"])
@requires(Permission.MONITOR_REFERENCE)
def births_preview(upload_id: str) -> Any:
    keeper = _keeper()
    try:
        pending = reference_keeping.pending_births(db.session, keeper, upload_id, utcnow())
    except pending_uploads.UploadGone:
        flash(gettext("This file is no longer waiting (saved, cancelled, or older than two hours)."), "warning")
        return redirect(url_for("monitor_reference.index"), code=303)
    form = EmptyForm()
    if request.method == "GET" or not form.validate_on_submit():
        preview = reference_keeping.births_preview(db.session, pending)
        problems = [births_file_problem(p.code, p.row, p.value) for p in preview.problems]
        page = render_template(
            "monitor_reference/births_preview.html", upload=pending, preview=preview, problems=problems, form=form
        )
        return page, 400 if request.method == "POST" else 200
    if "confirm" not in request.form:
        pending_uploads.cancel(db.session, pending)
        db.commit()
        flash(gettext("Cancelled: nothing from the file was saved."), "success")
        return redirect(url_for("monitor_reference.index"), code=303)
    try:
        changed = reference_keeping.confirm_births(db.session, keeper, pending, utcnow())
    except InvalidFigures:  # no button for it: a file with problems, or her gemeenten changed meanwhile
        db.rollback_quietly()
        abort(400)
    db.commit()
    flash(
        ngettext(
            "Saved: %(num)d figure of live births changed.", "Saved: %(num)d figures of live births changed.", changed
        ),
        "success",
    )
    return redirect(url_for("monitor_reference.index"), code=303)
