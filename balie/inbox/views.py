"""The JGZ inbox: the own organisation's registrations only; every look at personal data logged."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms import SelectChoice

from balie import security_log
from balie.clock import today
from balie.domain import roles
from balie.domain.errors import DomainError
from balie.domain.status_flow import Status, Step, allowed_steps, close_outcomes
from balie.extensions import db
from balie.inbox.forms import CloseForm, InboxFilterForm, RerouteForm, StepForm
from balie.labels import OUTCOME_LABELS, REASON_LABELS, ROUTE_LABELS, STATUS_LABELS, STEP_LABELS
from balie.models import Registration
from balie.models.base import utcnow
from balie.security import actor, role_required
from balie.services import access_log, access_summary, inbox, retention
from balie.web.forms import EmptyForm

blueprint = Blueprint("inbox", __name__, url_prefix="/inbox")
_OPAQUE = re.compile(r"[^0-9a-zA-Z-]")


def _log(event: str, action: str, registration_id: str | None, organisation_id: str | None, **extra: Any) -> None:
    access_log.record(
        db.session, actor(roles.JGZ_STAFF, organisation_id), event, action, "registration", registration_id, **extra
    )


def _registration_or_404(registration_id: str, event: str, action: str) -> Registration:
    """Another organisation's (or an unknown) registration: 404, and the attempt is logged."""
    found = inbox.find(db.session, current_user.organisation_ids, registration_id)
    if found is None:
        safe_id = _OPAQUE.sub("", registration_id)[:64]
        _log(event, action, safe_id, next(iter(sorted(current_user.organisation_ids)), None), outcome="denied")
        security_log.event("authz_fail", user_id=current_user.id, object="registration", object_id=safe_id)
        db.commit()
        abort(404)
    return found


def _open(registration_id: str, event: str, action: str, detail: str) -> tuple[Registration, Any, list[Any]]:
    """The registration with its decrypted details and events; the look is logged and committed."""
    registration = _registration_or_404(registration_id, event, action)
    person = inbox.details(registration, current_app.extensions["balie.keys"])
    found = inbox.events(db.session, registration.id)
    _log(event, action, registration.id, registration.organisation_id, detail=detail)
    db.commit()
    return registration, person, found


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
@role_required(roles.JGZ_STAFF)
def index() -> str:
    org_ids = current_user.organisation_ids
    form = InboxFilterForm(inbox.due_months(db.session, org_ids), request.args)
    wanted = form.to_filter() if form.validate() else inbox.InboxFilter()
    page = inbox.list_page(db.session, org_ids, wanted, current_user.id, today())
    _log(
        "registration.list", "R", None, next(iter(sorted(org_ids)), None), query=f"{wanted.names()};count={page.total}"
    )
    db.commit()
    return render_template("inbox/index.html", form=form, page=page, wanted=wanted, **_labels())


@blueprint.get("/<registration_id>")
@db.writes
@role_required(roles.JGZ_STAFF)
def detail(registration_id: str) -> str:
    registration, person, found = _open(registration_id, "registration.read", "R", "full")
    status = Status(registration.status)
    return render_template(
        "inbox/detail.html",
        registration=registration,
        person=person,
        events=found,
        visits=inbox.visit_count(found),
        attempts=inbox.contact_attempts(found),
        steps=allowed_steps(status, registration.handed_over_at is not None),
        follow_up_kinds=inbox.follow_up_kinds(db.session),
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
@role_required(roles.JGZ_STAFF)
def record_step(registration_id: str) -> Any:
    """A step of the flow, in one click; closing (final) has its own page with a confirmation."""
    registration = _registration_or_404(registration_id, "registration.status_change", "U")
    form = StepForm()
    if not form.validate_on_submit() or form.step.data not in {s.value for s in Step} or form.step.data in _OWN_PAGE:
        abort(400)
    return _record(registration, Step(form.step.data), form.code.data or None)


def _record(registration: Registration, step: Step, code: str | None) -> Any:
    try:
        inbox.record_step(db.session, registration, step, code, current_user.id, utcnow())
    except DomainError:
        flash(gettext("This step is not possible now. Choose one of the steps shown."), "warning")
        return redirect(url_for("inbox.detail", registration_id=registration.id), code=303)
    event = "registration.handover" if step is Step.HAND_OVER else "registration.status_change"
    _log(event, "U", registration.id, registration.organisation_id, detail=f"step={step.value}")
    db.commit()
    flash(gettext("Saved: %(step)s", step=STEP_LABELS[step.value]), "success")
    return redirect(url_for("inbox.detail", registration_id=registration.id), code=303)


@blueprint.route("/<registration_id>/afsluiten", methods=["GET", "POST"])
@role_required(roles.JGZ_STAFF)
def close(registration_id: str) -> Any:
    """Closing is final and starts the purge clock: the outcome is chosen on purpose, then confirmed."""
    registration = _registration_or_404(registration_id, "registration.status_change", "U")
    status = Status(registration.status)
    if Step.CLOSE not in allowed_steps(status, registration.handed_over_at is not None):
        flash(gettext("This step is not possible now. Choose one of the steps shown."), "warning")
        return redirect(url_for("inbox.detail", registration_id=registration.id), code=303)
    form = CloseForm(close_outcomes(status))
    if form.validate_on_submit():
        return _record(registration, Step.CLOSE, form.outcome.data)
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
@role_required(roles.JGZ_STAFF)
def reroute(registration_id: str) -> Any:
    registration = _registration_or_404(registration_id, "registration.reroute", "U")
    form = _reroute_form(registration)
    if not form.validate_on_submit():
        flash(gettext("Choose an organisation and a reason."), "warning")
        return redirect(url_for("inbox.detail", registration_id=registration.id), code=303)
    old_org = registration.organisation_id
    try:
        inbox.reroute(db.session, registration, form.organisation.data, form.reason.data, current_user.id, utcnow())
    except DomainError:
        flash(gettext("This registration can no longer be sent on."), "warning")
        return redirect(url_for("inbox.detail", registration_id=registration.id), code=303)
    _log("registration.reroute", "U", registration.id, old_org, detail=f"to={registration.organisation_id}")
    db.commit()
    flash(
        gettext("The registration has been sent on to %(organisation)s.", organisation=registration.organisation.name),
        "success",
    )
    return redirect(url_for("inbox.index"), code=303)


@blueprint.get("/<registration_id>/afdrukken")
@db.writes
@role_required(roles.JGZ_STAFF)
def printable(registration_id: str) -> str:
    registration, person, found = _open(registration_id, "registration.export", "E", "print")
    return render_template("inbox/print.html", registration=registration, person=person, events=found, **_labels())


@blueprint.get("/<registration_id>/export.json")
@db.writes
@role_required(roles.JGZ_STAFF)
def export_json(registration_id: str) -> Response:
    registration, person, found = _open(registration_id, "registration.export", "E", "json")
    record = inbox.export_record(registration, person, found)
    response = Response(json.dumps(record, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="aanmelding-{registration.reference}.json"'
    return response


@blueprint.get("/<registration_id>/toegang")
@db.writes
@role_required(roles.JGZ_STAFF)
def access_history(registration_id: str) -> str:
    """Who looked at this registration, and when (the parent may ask; NEN 7513 ch. 9)."""
    registration = _registration_or_404(registration_id, "access_log.read", "R")
    groups = access_summary.grouped(access_log.history(db.session, registration.id))
    _log("access_log.read", "R", registration.id, registration.organisation_id, detail="history")
    db.commit()
    return render_template("inbox/access.html", registration=registration, groups=groups)


@blueprint.route("/<registration_id>/samenvoegen", methods=["GET", "POST"])
@role_required(roles.JGZ_STAFF)
def merge(registration_id: str) -> Any:
    """A possible duplicate is merged into the earlier registration (after a confirmation); its details are erased."""
    duplicate = _registration_or_404(registration_id, "registration.merge", "U")
    original = inbox.find(db.session, current_user.organisation_ids, duplicate.duplicate_of_id or "")
    if original is None:
        abort(404)
    form = EmptyForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("inbox/merge.html", duplicate=duplicate, original=original, form=form, **_labels())
    try:
        inbox.merge_duplicate(
            db.session, duplicate, original, actor(roles.JGZ_STAFF, duplicate.organisation_id), utcnow()
        )
    except DomainError:
        flash(gettext("These registrations can no longer be merged."), "warning")
        return redirect(url_for("inbox.detail", registration_id=duplicate.id), code=303)
    _log("registration.merge", "U", original.id, original.organisation_id, detail=f"merged={duplicate.id}")
    db.commit()
    flash(
        gettext("Merged into %(reference)s. The duplicate's details are deleted.", reference=original.reference),
        "success",
    )
    return redirect(url_for("inbox.detail", registration_id=original.id), code=303)


@blueprint.route("/<registration_id>/wissen", methods=["GET", "POST"])
@role_required(roles.JGZ_STAFF)
def erase(registration_id: str) -> Any:
    """Delete the personal details now (after a withdrawal, or once they are in the own dossier)."""
    registration = _registration_or_404(registration_id, "registration.purge", "D")
    form = EmptyForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("inbox/erase.html", registration=registration, form=form)
    retention.erase(
        db.session,
        registration,
        utcnow(),
        actor(roles.JGZ_STAFF, registration.organisation_id),
        "request-or-handover v1",
    )
    db.commit()
    flash(gettext("The personal details of %(reference)s are deleted.", reference=registration.reference), "success")
    return redirect(url_for("inbox.index"), code=303)
