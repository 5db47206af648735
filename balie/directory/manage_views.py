"""Gemeente editors keep the sociale kaart right: their gemeenten's offerings only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from balie.clock import today
from balie.config import region_ggd_codes
from balie.directory.edit_forms import ServiceForm
from balie.directory.spreadsheet_forms import SpreadsheetForm
from balie.domain.errors import DomainError
from balie.domain.roles import Permission
from balie.extensions import db
from balie.models import Organisation
from balie.models.base import utcnow
from balie.search import registry as search_registry
from balie.services.directory import changes as directory_changes
from balie.services.directory import editing as directory_editing
from balie.services.directory import queries as directory_queries
from balie.services.directory.editing import EditorScope
from balie.services.directory.index import is_stale
from balie.web.forms import EmptyForm
from balie.web.security import requires

blueprint = Blueprint("directory_manage", __name__, url_prefix="/sociale-kaart/beheer")
ERRORS = {
    "area_outside_scope": _l("Choose from your own gemeenten"),
    "areas_missing": _l("Choose at least one gemeente"),
}


def editor_scope() -> EditorScope:
    return EditorScope(
        municipality_codes=current_user.municipality_codes,
        is_admin=current_user.can(Permission.DIRECTORY_EDIT_ALL),
        label=f"{current_user.name} ({current_user.id[:8]})",
    )


def _editable_or_404(service_id: str) -> Any:
    try:
        return directory_editing.get_editable(db.session, editor_scope(), service_id)
    except directory_editing.NotEditable:
        abort(404)


def after_commit() -> None:
    """Update this node's search index now; other nodes follow by themselves."""
    search_registry.refresh_after_commit(search_registry.directory())


def _form(existing: Any = None) -> ServiceForm:
    scope = editor_scope()
    form = ServiceForm()
    municipalities = directory_queries.region_municipalities(db.session, region_ggd_codes(current_app.config))
    if not scope.is_admin:
        municipalities = [m for m in municipalities if m.code in scope.municipality_codes]
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.fill_choices(list(organisations), list(directory_queries.categories(db.session).values()), municipalities)
    form.is_national = bool(existing is not None and existing.is_national)
    if existing is not None and request.method == "GET":
        record = directory_editing.record_of(existing)
        form.fill_from(record, existing.organisation_id)
        form.areas.data = [code for code in record.areas if code in {m.code for m in municipalities}]
    return form


def index_page(upload_form: SpreadsheetForm) -> str:
    """The overview, with the spreadsheet upload form (empty, or with its error)."""
    services = directory_editing.editable_services(db.session, editor_scope())
    return render_template(
        "directory/manage/index.html",
        services=services,
        to_check=directory_editing.to_check(services, today()),
        form=EmptyForm(formdata=None),  # its token only: also shown after a refused upload (a POST)
        upload_form=upload_form,
        today=today(),
        is_stale=is_stale,
    )


@blueprint.get("")
@requires(Permission.DIRECTORY_EDIT)
def index() -> str:
    return index_page(SpreadsheetForm())


def _edit(existing: Any) -> Any:
    form = _form(existing)
    if "change" in request.form:  # back from the preview: the form again, answers kept
        return render_template("directory/manage/edit.html", form=form, service=existing)
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("directory/manage/edit.html", form=form, service=existing), 400 if form.errors else 200
    scope = editor_scope()
    old = directory_editing.record_of(existing) if existing is not None else None
    record = form.to_record(old, scope.label, today())
    try:
        organisation = directory_editing.organisation_for(
            db.session, form.organisation.data, form.new_organisation.data
        )
        if "save" not in request.form:  # first the preview, with the answers kept in the page
            preview = directory_editing.preview(db.session, scope, record, organisation, existing)
            page = render_template("directory/manage/preview.html", form=form, service=preview, existing=existing)
            db.rollback_quietly()  # a preview stores nothing
            return page
        saved = directory_editing.save(db.session, scope, record, organisation, existing, utcnow())
    except DomainError as error:
        db.rollback_quietly()
        form.areas.errors = [str(ERRORS.get(error.code, ERRORS["area_outside_scope"]))]
        return render_template("directory/manage/edit.html", form=form, service=existing), 400
    db.commit()
    after_commit()
    flash(gettext("Saved. The sociale kaart shows the change now."), "success")
    return redirect(url_for("directory_manage.index", _anchor=f"s-{saved.id}"), code=303)


@blueprint.route("/nieuw", methods=["GET", "POST"])
@requires(Permission.DIRECTORY_EDIT)
def create() -> Any:
    return _edit(None)


@blueprint.route("/<service_id>/bewerken", methods=["GET", "POST"])
@requires(Permission.DIRECTORY_EDIT)
def edit(service_id: str) -> Any:
    return _edit(_editable_or_404(service_id))


@blueprint.post("/<service_id>/klopt-nog")
@requires(Permission.DIRECTORY_EDIT)
def still_correct(service_id: str) -> Any:
    service = _editable_or_404(service_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    directory_editing.confirm_still_correct(db.session, editor_scope(), service, today(), utcnow())
    db.commit()
    after_commit()
    flash(gettext("Thank you: “%(name)s” is marked as checked today.", name=service.name), "success")
    return redirect(url_for("directory_manage.index"), code=303)


@blueprint.route("/<service_id>/beeindigen", methods=["GET", "POST"])
@requires(Permission.DIRECTORY_EDIT)
def retire(service_id: str) -> Any:
    service = _editable_or_404(service_id)
    form = EmptyForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("directory/manage/retire.html", service=service, form=form)
    directory_editing.retire(db.session, editor_scope(), service, utcnow())
    db.commit()
    after_commit()
    flash(gettext("“%(name)s” is no longer shown in the sociale kaart.", name=service.name), "success")
    return redirect(url_for("directory_manage.index"), code=303)


@blueprint.get("/<service_id>/geschiedenis")
@requires(Permission.DIRECTORY_EDIT)
def history(service_id: str) -> str:
    service = _editable_or_404(service_id)
    changes = directory_changes.history(db.session, service.id)
    return render_template(
        "directory/manage/history.html",
        service=service,
        changes=changes,
        names=directory_changes.value_names(db.session, changes),
    )
