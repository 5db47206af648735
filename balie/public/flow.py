"""The registration flow shared by the three routes: the parent alone (self), together with a
professional on her screen (assisted), and a direct referral by the midwife (referral).

Form → check your answers → send. The routes differ only in who is known as the advisor,
in the consent step on the check page, and in where the pages post to.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from balie.clock import today
from balie.config import region_ggd_codes
from balie.domain.postcode import Postcode
from balie.extensions import db
from balie.i18n import explicit_language
from balie.public.forms import ERRORS, RegistrationForm
from balie.public.spam import FormGuard
from balie.services import advice, directory_queries, registrations, routing


FEEDBACK_BY_PROFESSIONAL = _l("The parent agrees that I may hear whether the conversation took place")


@dataclass(frozen=True)
class Flow:
    mode: str  # self / assisted / referral
    form_endpoint: str
    check_endpoint: str
    send_endpoint: str


SELF = Flow("self", "public.register_form", "public.register_check", "public.register_send")
ASSISTED = Flow("assisted", "advice.assisted_form", "advice.assisted_check", "advice.assisted_send")
REFERRAL = Flow("referral", "advice.referral_form", "advice.referral_check", "advice.referral_send")


def guard() -> FormGuard:
    config = current_app.config
    return FormGuard(config["SECRET_KEY"], float(config["SPAM_MIN_SECONDS"]), int(config["SPAM_MAX_AGE_SECONDS"]))


def issue_tokens(form: RegistrationForm, fresh: bool = False) -> None:
    if fresh or not form.submission_token.data:
        form.submission_token.data = FormGuard.new_submission_token()
        form.started.data = guard().timing_token(form.submission_token.data)


def render_form(form: RegistrationForm, flow: Flow, status: int = 200, notice: str | None = None, focus: str | None = None) -> Any:
    form.website.data = ""
    if flow.mode != "self":  # the professional fills in the form; the parent decides about feedback
        form.feedback_consent.label.text = str(FEEDBACK_BY_PROFESSIONAL)
    return render_template("public/register.html", form=form, flow=flow, notice=notice, focus=focus), status


def render_check(form: RegistrationForm, flow: Flow, routed: routing.Routed | None, status: int = 200, **extra: Any) -> Any:
    card = advice.find_active(db.session, form.advice_code.data) if flow.mode == "self" and form.advice_code.data else None
    return render_template("public/check.html", form=form, flow=flow, routed=routed, card=card, **extra), status


def render_outcome(form: RegistrationForm, outcome: routing.Outcome, flow: Flow) -> Any:
    if isinstance(outcome, routing.ChooseMunicipality):
        form.show_municipality_choice([(m.code, m.name) for m in outcome.options])
        return render_form(form, flow, 200, notice="choose_municipality", focus="municipality")
    if isinstance(outcome, routing.NotServed):
        region = directory_queries.region_municipalities(db.session, region_ggd_codes(current_app.config))
        return render_template("public/not_served.html", form=form, flow=flow, outcome=outcome, region=region)
    return render_check(form, flow, outcome)


def route(form: RegistrationForm) -> routing.Outcome | None:
    try:
        return routing.route(
            db.session, Postcode.parse(form.postcode.data).pc4, region_ggd_codes(current_app.config), form.municipality.data
        )
    except routing.UnknownPostcode:
        form.postcode.errors = [str(ERRORS["postcode_unknown"])]
        return None


def route_quietly(form: RegistrationForm) -> routing.Outcome | None:
    """For the 'not saved' page: the destination if the database still answers reads."""
    try:
        return route(form)
    except Exception:  # noqa: BLE001 - the page must render even when the database is down
        db.rollback_quietly()
        return None


def advice_code_ok(form: RegistrationForm, flow: Flow) -> bool:
    """A typed or scanned advice code must be one we know (the parent route only)."""
    if flow.mode != "self" or not (form.advice_code.data or "").strip():
        return True
    if advice.find_active(db.session, form.advice_code.data) is None:
        form.advice_code.errors = [str(ERRORS["advice_code_unknown"])]
        return False
    return True


def check_step(form: RegistrationForm, flow: Flow) -> Any:
    """Validate, route, and show the check page (or the form again, or the routing outcome)."""
    valid = form.validate()
    if not advice_code_ok(form, flow) or not valid:
        return render_form(form, flow, 400)
    outcome = route(form)
    return render_form(form, flow, 400) if outcome is None else render_outcome(form, outcome, flow)


def submit_settings() -> registrations.SubmitSettings:
    return registrations.SubmitSettings(
        keys=current_app.extensions["balie.keys"],
        region_ggd_codes=region_ggd_codes(current_app.config),
        purge_weeks_after_due=int(current_app.config["PURGE_WEEKS_AFTER_DUE"]),
        today=today(),
        locale=str(get_locale()),
        secret=current_app.config["SECRET_KEY"],
    )


def confirm(registration_id: str, endpoint: str = "public.confirmation") -> Response:
    """Remember in this browser which confirmation to show. A second press of "Send" (the same form)
    leads to the same confirmation, and does not bring back a withdrawal code that was shown already."""
    if (session.get("confirmation") or {}).get("id") != registration_id:
        session["confirmation"] = {"id": registration_id, "at": int(time.time()), "code_shown": False}
    return redirect(url_for(endpoint, **explicit_language()), code=303)


def render_confirmation(advisor_user_id: str | None = None) -> str:
    """The confirmation in this browser: for a short time only (CONFIRMATION_VISIBLE_MINUTES), the
    withdrawal code only on its first view, so the next user of a shared device never sees it.
    ``advisor_user_id``: on the professional's screen, only a registration she sent herself."""
    pointer = session.get("confirmation") or {}
    visible = int(current_app.config["CONFIRMATION_VISIBLE_MINUTES"]) * 60
    registration = None
    if pointer.get("id") and time.time() - float(pointer.get("at", 0)) < visible:
        registration = registrations.by_id(db.session, str(pointer["id"]))
    if registration is not None and advisor_user_id is not None and registration.advisor_user_id != advisor_user_id:
        registration = None
    code = None
    if registration is not None and not pointer.get("code_shown"):
        code = registrations.withdrawal_code(current_app.config["SECRET_KEY"], registration.id)
        session["confirmation"] = {**pointer, "code_shown": True}
    return render_template(
        "public/confirmation.html", registration=registration, withdrawal_code=code, on_behalf=advisor_user_id is not None
    )
