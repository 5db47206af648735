"""For professionals: advice cards, samen aanmelden, direct referral, and process-only feedback."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from balie.advice.forms import CardForm
from balie.clock import today
from balie.domain.consent import REFERRING_PROFESSIONS
from balie.domain.roles import Permission
from balie.extensions import db, login_manager
from balie.models.base import utcnow
from balie.registration import error_handlers, flow
from balie.registration.forms import RegistrationForm
from balie.services import qr_codes
from balie.services.registrations import advice
from balie.services.registrations import submission as registrations
from balie.web.errors import render_error
from balie.web.forms import EmptyForm
from balie.web.security import requires

blueprint = Blueprint("advice", __name__, url_prefix="/advies")
error_handlers.register(blueprint)


def _may_refer() -> bool:
    return bool(current_user.professions & REFERRING_PROFESSIONS)


@blueprint.errorhandler(CSRFError)
def _form_expired_for_professionals(error: CSRFError) -> Any:
    """An expired form keeps the input, but only for whoever may use the form: the CSRF check
    runs before the view, so without this a stranger (or a GP on the referral URLs) got the form."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    referral = request.endpoint in ("advice.referral_check", "advice.referral_send")
    if not current_user.can(Permission.ADVICE) or (referral and not _may_refer()):
        return render_error(403)
    return error_handlers.form_expired(error)


@blueprint.get("")
@requires(Permission.ADVICE)
def overview() -> str:
    return render_template(
        "advice/overview.html",
        cards=advice.cards_of(db.session, current_user.id),
        items=advice.overview(db.session, current_user.id, today()),
        may_refer=_may_refer(),
        hospital_other="hospital_other" in current_user.professions,
        form=EmptyForm(),
    )


@blueprint.post("/meldingen")
@requires(Permission.ADVICE)
def toggle_mail() -> Any:
    if not EmptyForm().validate_on_submit():
        abort(400)
    mail_on = advice.toggle_feedback_mail(db.session, current_user.user)
    db.commit()
    flash(
        gettext("You get an e-mail with a link when there is news.")
        if mail_on
        else gettext("You no longer get e-mails about news."),
        "success",
    )
    return redirect(url_for("advice.overview"), code=303)


@blueprint.route("/kaarten/nieuw", methods=["GET", "POST"])
@requires(Permission.ADVICE)
def new_card() -> Any:
    form = CardForm()
    if not form.validate_on_submit():
        return render_template("advice/new_card.html", form=form), 400 if form.errors else 200
    card = advice.create_card(db.session, current_user.user, form.language.data, form.label.data or "", utcnow())
    db.commit()
    return redirect(url_for("advice.card", code=card.code), code=303)


@blueprint.get("/kaarten/<code>")
@requires(Permission.ADVICE)
def card(code: str) -> str:
    found = advice.card_of(db.session, current_user.id, code)
    if found is None:
        abort(404)
    link = _public_url(f"/aanmelden?code={found.code}&lang={found.language}")
    with force_locale(found.language):  # the card speaks the parent's language
        return render_template("advice/card.html", card=found, link=link, qr=qr_codes.qr_svg(link))


@blueprint.post("/kaarten/<code>/intrekken")
@requires(Permission.ADVICE)
def retire_card(code: str) -> Any:
    found = advice.card_of(db.session, current_user.id, code)
    if found is None or not EmptyForm().validate_on_submit():
        abort(404)
    advice.retire_card(db.session, found)
    db.commit()
    flash(gettext("The card no longer works for new registrations."), "success")
    return redirect(url_for("advice.overview"), code=303)


# --- samen aanmelden and direct referral: the registration flow on the professional's screen ---


def _form_page(route_flow: flow.Flow) -> Any:
    form = RegistrationForm(formdata=None)
    flow.issue_tokens(form, fresh=True)
    return flow.render_form(form, route_flow)


def _check_page(route_flow: flow.Flow) -> Any:
    form = RegistrationForm()
    flow.issue_tokens(form)
    if "edit" in request.form:
        return flow.render_form(form, route_flow, focus=request.form["edit"])
    return flow.check_step(form, route_flow)


@blueprint.get("/samen-aanmelden")
@requires(Permission.ADVICE)
def assisted_form() -> Any:
    return _form_page(flow.ASSISTED)


@blueprint.post("/samen-aanmelden")
@requires(Permission.ADVICE)
def assisted_check() -> Any:
    return _check_page(flow.ASSISTED)


@blueprint.post("/samen-aanmelden/versturen")
@requires(Permission.ADVICE)
def assisted_send() -> Any:
    form = RegistrationForm()
    flow.issue_tokens(form)
    if not form.validate():
        return flow.render_form(form, flow.ASSISTED, 400)
    existing = registrations.find_by_submission(db.session, form.submission_token.data)
    if existing is not None:
        return flow.confirm(existing.id, flow.ASSISTED)
    if not form.parent_agrees.data:
        form.parent_agrees.errors = [gettext("The parent must read this and agree before you send it")]
        return flow.render_check(form, flow.ASSISTED, flow.route_quietly(form), 400)
    return flow.send(form, flow.ASSISTED, form.to_data("assisted", advisor_user_id=current_user.id))


@blueprint.get("/verwijzen")
@requires(Permission.ADVICE)
def referral_form() -> Any:
    if not _may_refer():
        abort(403)
    return _form_page(flow.REFERRAL)


@blueprint.post("/verwijzen")
@requires(Permission.ADVICE)
def referral_check() -> Any:
    if not _may_refer():
        abort(403)
    return _check_page(flow.REFERRAL)


@blueprint.post("/verwijzen/versturen")
@requires(Permission.ADVICE)
def referral_send() -> Any:
    if not _may_refer():
        abort(403)
    form = RegistrationForm()
    flow.issue_tokens(form)
    if not form.validate():
        return flow.render_form(form, flow.REFERRAL, 400)
    existing = registrations.find_by_submission(db.session, form.submission_token.data)
    if existing is not None:
        return flow.confirm(existing.id, flow.REFERRAL)
    if form.consent.data == "no":
        return render_template("advice/referral_declined.html")  # nothing is stored
    if form.consent.data not in ("in_person", "by_phone"):
        form.consent.errors = [gettext("Record whether and how she agreed")]
        return flow.render_check(form, flow.REFERRAL, flow.route_quietly(form), 400)
    return flow.send(form, flow.REFERRAL, form.to_data("referral", advisor_user_id=current_user.id))


@blueprint.get("/bevestiging")
@requires(Permission.ADVICE)
def confirmation() -> str:
    """Written to the professional: what was sent where, and what to give the parent now (the
    reference and, on this first view only, the withdrawal code), with a slip in her language."""
    shown = flow.confirmation_to_show(advisor_user_id=current_user.id)
    if shown.registration is None:
        return render_template("advice/confirmation.html", registration=None)
    language = registrations.parent_language(shown.registration)
    return render_template(
        "advice/confirmation.html",
        registration=shown.registration,
        withdrawal_code=shown.withdrawal_code,
        slip_language=language,
        slip=_slip(shown, language),
    )


def _slip(shown: flow.Confirmation, language: str) -> Markup:
    """The slip for the parent, in her language, to print or to read out."""
    with force_locale(language):
        return Markup(  # noqa: S704 - a rendered (autoescaped) template
            render_template(
                "advice/_slip.html",
                registration=shown.registration,
                withdrawal_code=shown.withdrawal_code,
                language=language,
                withdraw_address=_public_url("/intrekken"),
            )
        )


def _public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
