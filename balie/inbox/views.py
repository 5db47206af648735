"""The JGZ inbox pages: the own organisation's registrations only. The inbox service checks that
scope and writes the access-log row of every look and change (and of every refused attempt)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms import SelectChoice

from balie import security_log
from balie.clock import today
from balie.domain.errors import DomainError
from balie.domain.roles import Permission
from balie.domain.status_flow import Status, Step, allowed_steps, close_outcomes
from balie.extensions import data_keys, db
from balie.inbox.forms import CloseForm, InboxFilterForm, RerouteForm, StepForm
from balie.models import Registration
from balie.models.base import utcnow
from balie.services.registrations import inbox
from balie.web.forms import EmptyForm
from balie.web.labels import OUTCOME_LABELS, REASON_LABELS, ROUTE_LABELS, STATUS_LABELS, STEP_LABELS
from balie.web.security import access_point, requires

blueprint = Blueprint("inbox", __name__, url_prefix="/inbox")


def _staff() -> inbox.Staff:
    return inbox.Staff(current_user.id, current_user.organisation_ids, access_point(current_user.record))


def _not_found(refused: inbox.NotFound) -> NoReturn:
    """Another organisation's (or an unknown) registration: 404; the service logged the attempt."""
    security_log.event("authz_fail", user_id=current_user.id, object="registration", object_id=refused.object_id)
    db.commit()
    abort(404)


def _registration_or_404(staff: inbox.Staff, registration_id: str, purpose: inbox.Purpose) -> Registration:
    try:
        return inbox.find_for(db.session, staff, registration_id, purpose)
    except inbox.NotFound as refused:
        _not_found(refused)


def _open(registration_id: str, purpose: inbox.Purpose) -> inbox.Opened:
    """The registration with its decrypted details and events; the look is logged and committed."""
    try:
        opened = inbox.open_registration(db.session, _staff(), registration_id, data_keys(), purpose)
    except inbox.NotFound as refused:
        _not_found(refused)
    db.commit()
    return opened


def _labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "step_labels": STEP_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "reason_labels": REASON_LABELS,
        "route_labels": ROUTE_LABELS,
    }


@blueprint.get("")
@db.writes
@requires(Permission.INBOX)
def index() -> str:
    staff = _staff()
    form = InboxFilterForm(inbox.due_months(db.session, staff.organisation_ids), request.args)
    wanted = form.to_filter() if form.validate() else inbox.InboxFilter()
    page = inbox.list_page(db.session, staff, wanted, today())
    db.commit()
    return render_template("inbox/index.html", form=form, page=page, wanted=wanted, **_labels())


@blueprint.get("/<registration_id>")
@db.writes
@requires(Permission.INBOX)
def detail(registration_id: str) -> str:
    opened = _open(registration_id, inbox.Purpose.VIEW)
    registration, found = opened.registration, opened.events
    status = Status(registration.status)
    return render_template(
        "inbox/detail.html",
        registration=registration,
        person=opened.person,
        events=found,
        visits=inbox.visit_count(found),
        attempts=inbox.contact_attempts(found),
        steps=allowed_steps(status, registration.handed_over_at is not None),
        follow_up_kinds=inbox.follow_up_kinds(db.session),
        follow_up_names=inbox.follow_up_names(db.session),
        step_form=StepForm(),
        reroute_form=_reroute_form(registration),
        duplicate_of=inbox.find(db.session, current_user.organisation_ids, registration.duplicate_of_id)
        if registration.duplicate_of_id
        else None,
        **_labels(),
    )


def _reroute_form(registration: Registration) -> RerouteForm:
    form = RerouteForm()
    targets = inbox.reroute_targets(db.session, registration.organisation_id)
    form.organisation.choices = [SelectChoice("", gettext("Choose an organisation"))] + [
        SelectChoice(o.id, o.name) for o in targets
    ]
    return form


# Steps with a page of their own: re-routing (its form) and closing (final: a confirmation).
_OWN_PAGE = {Step.REROUTE.value, Step.CLOSE.value}


@blueprint.post("/<registration_id>/stap")
@requires(Permission.INBOX)
def record_step(registration_id: str) -> Any:
    """A step of the flow, in one click; closing (final) has its own page with a confirmation."""
    staff = _staff()
    registration = _registration_or_404(staff, registration_id, inbox.Purpose.STEP)
    form = StepForm()
    if not form.validate_on_submit() or form.step.data not in {s.value for s in Step} or form.step.data in _OWN_PAGE:
        abort(400)
    return _record(staff, registration, Step(form.step.data), form.code.data or None)


def _record(staff: inbox.Staff, registration: Registration, step: Step, code: str | None) -> Any:
    try:
        inbox.record_step(db.session, staff, registration, step, code, utcnow())
    except DomainError:
        flash(gettext("This step is not possible now. Choose one of the steps shown."), "warning")
        return redirect(url_for("inbox.detail", registration_id=registration.id), code=303)
    db.commit()
    flash(gettext("Saved: %(step)s", step=STEP_LABELS[step.value]), "success")
    return redirect(url_for("inbox.detail", registration_id=registration.id), code=303)


@blueprint.route("/<registration_id>/afsluiten", methods=["GET", "POST"])
@requires(Permission.INBOX)
def close(registration_id: str) -> Any:
    """Closing is final and starts the purge clock: the outcome is chosen on purpose, then confirmed."""
    staff = _staff()
    registration = _registration_or_404(staff, registration_id, inbox.Purpose.STEP)
    status = Status(registration.status)
    if Step.CLOSE not in allowed_steps(status, registration.handed_over_at is not None):
        flash(gettext("This step is not possible now. Choose one of the steps shown."), "warning")
        return redirect(url_for("inbox.detail", registration_id=registration.id), code=303)
    form = CloseForm(close_outcomes(status))
    if form.validate_on_submit():
        return _record(staff, registration, Step.CLOSE, form.outcome.data)
    found = inbox.events(db.session, registration.id)
    deleted_on = min(
        today() + timedelta(days=int(current_app.config["PURGE_DAYS_AFTER_CLOSE"])), registration.purge_after
    )
    return render_template(
        "inbox/close.html",
        registration=registration,
        form=form,
        deleted_on=deleted_on,
        visits=inbox.visit_count(found),
        attempts=inbox.contact_attempts(found),
    ), 400 if form.errors else 200


@blueprint.post("/<registration_id>/doorsturen")
@requires(Permission.INBOX)
def reroute(registration_id: str) -> Any:
    staff = _staff()
    registration = _registration_or_404(staff, registration_id, inbox.Purpose.REROUTE)
    form = _reroute_form(registration)
    if not form.validate_on_submit():
        flash(gettext("Choose an organisation and a reason."), "warning")
        return redirect(url_for("inbox.detail", registration_id=registration.id), code=303)
    try:
        inbox.reroute(db.session, staff, registration, form.organisation.data, form.reason.data, utcnow())
    except DomainError:
        flash(gettext("This registration can no longer be sent on."), "warning")
        return redirect(url_for("inbox.detail", registration_id=registration.id), code=303)
    db.commit()
    flash(
        gettext("The registration has been sent on to %(organisation)s.", organisation=registration.organisation.name),
        "success",
    )
    return redirect(url_for("inbox.index"), code=303)


@blueprint.get("/<registration_id>/afdrukken")
@db.writes
@requires(Permission.INBOX)
def printable(registration_id: str) -> str:
    opened = _open(registration_id, inbox.Purpose.PRINT)
    return render_template(
        "inbox/print.html",
        registration=opened.registration,
        person=opened.person,
        events=opened.events,
        follow_up_names=inbox.follow_up_names(db.session),
        **_labels(),
    )


@blueprint.get("/<registration_id>/export.json")
@db.writes
@requires(Permission.INBOX)
def export_json(registration_id: str) -> Response:
    try:
        record = inbox.export_registration(db.session, _staff(), registration_id, data_keys())
    except inbox.NotFound as refused:
        _not_found(refused)
    db.commit()
    response = Response(json.dumps(record, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="aanmelding-{record["reference"]}.json"'
    return response


@blueprint.get("/<registration_id>/toegang")
@db.writes
@requires(Permission.INBOX)
def access_history(registration_id: str) -> str:
    """Who looked at this registration, and when (the parent may ask; NEN 7513 ch. 9)."""
    try:
        history = inbox.access_history(db.session, _staff(), registration_id)
    except inbox.NotFound as refused:
        _not_found(refused)
    db.commit()
    return render_template(
        "inbox/access.html", registration=history.registration, groups=history.groups, names=history.names
    )


@blueprint.route("/<registration_id>/samenvoegen", methods=["GET", "POST"])
@requires(Permission.INBOX)
def merge(registration_id: str) -> Any:
    """A possible duplicate is merged into the earlier registration (after a confirmation); its details are erased."""
    staff = _staff()
    duplicate = _registration_or_404(staff, registration_id, inbox.Purpose.MERGE)
    original = inbox.find(db.session, staff.organisation_ids, duplicate.duplicate_of_id or "")
    if original is None:
        abort(404)
    form = EmptyForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("inbox/merge.html", duplicate=duplicate, original=original, form=form, **_labels())
    try:
        inbox.merge_duplicate(db.session, staff, duplicate, original, utcnow())
    except DomainError:
        flash(gettext("These registrations can no longer be merged."), "warning")
        return redirect(url_for("inbox.detail", registration_id=duplicate.id), code=303)
    db.commit()
    flash(
        gettext("Merged into %(reference)s. The duplicate's details are deleted.", reference=original.reference),
        "success",
    )
    return redirect(url_for("inbox.detail", registration_id=original.id), code=303)


@blueprint.route("/<registration_id>/wissen", methods=["GET", "POST"])
@requires(Permission.INBOX)
def erase(registration_id: str) -> Any:
    """Delete the personal details now (after a withdrawal, or once they are in the own dossier)."""
    staff = _staff()
    registration = _registration_or_404(staff, registration_id, inbox.Purpose.ERASE)
    form = EmptyForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("inbox/erase.html", registration=registration, form=form)
    inbox.erase(db.session, staff, registration, utcnow())
    db.commit()
    flash(gettext("The personal details of %(reference)s are deleted.", reference=registration.reference), "success")
    return redirect(url_for("inbox.index"), code=303)
