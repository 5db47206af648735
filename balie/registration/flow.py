"""The registration flow shared by the three routes: the parent alone (self), together with a
professional on her screen (assisted), and a direct referral by the midwife (referral).

Form → check your answers → send. The routes differ only in who is known as the advisor,
in the consent step on the check page, in where the pages post to and in whose confirmation
follows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from balie.clock import today
from balie.config import region_ggd_codes
from balie.database import DatabaseUnavailable
from balie.domain.errors import DomainError
from balie.domain.postcode import Postcode
from balie.domain.registration import RegistrationData
from balie.extensions import data_keys, db
from balie.i18n import explicit_language
from balie.models import Registration
from balie.registration.forms import ERRORS, RegistrationForm
from balie.registration.spam import FormGuard
from balie.services.directory import queries as directory_queries
from balie.services.registrations import advice, routing
from balie.services.registrations import submission as registrations

FEEDBACK_BY_PROFESSIONAL = _l("The parent agrees that I may hear whether the conversation took place")
# After samen aanmelden or a referral the mail also carries the withdrawal code (she may never see
# the professional's screen): the box says so, and what that means, before she chooses it.
CODES_BY_MAIL = _l("Send me my reference and withdrawal code by e-mail")
CODES_BY_MAIL_HINT = _l(
    "The e-mail does not mention a pregnancy. Anyone who can read your e-mail could use the code to withdraw "
    "your registration."
)


@dataclass(frozen=True)
class Flow:
    mode: str  # self / assisted / referral
    form_endpoint: str
    check_endpoint: str
    send_endpoint: str
    confirmation_endpoint: str


SELF = Flow("self", "public.register_form", "public.register_check", "public.register_send", "public.confirmation")
ASSISTED = Flow(
    "assisted", "advice.assisted_form", "advice.assisted_check", "advice.assisted_send", "advice.confirmation"
)
REFERRAL = Flow(
    "referral", "advice.referral_form", "advice.referral_check", "advice.referral_send", "advice.confirmation"
)
FLOWS = (SELF, ASSISTED, REFERRAL)


def guard() -> FormGuard:
    config = current_app.config
    return FormGuard(config["SECRET_KEY"], float(config["SPAM_MIN_SECONDS"]), int(config["SPAM_MAX_AGE_SECONDS"]))


def issue_tokens(form: RegistrationForm, fresh: bool = False) -> None:
    if fresh or not form.submission_token.data:
        form.submission_token.data = FormGuard.new_submission_token()
        form.started.data = guard().timing_token(form.submission_token.data)


def render_form(
    form: RegistrationForm,
    flow: Flow,
    status: int = 200,
    notice: str | None = None,
    focus: str | None = None,
    look_up: bool = True,
) -> Any:
    """The form with her answers. ``look_up=False`` when the database just failed: no query then
    (a locked database would only make her wait again); her gemeente choices travel as hidden fields."""
    form.website.data = ""
    if look_up:
        offer_municipalities(form)
    if flow.mode != "self":  # the professional fills in the form; the parent decides about feedback
        form.feedback_consent.label.text = str(FEEDBACK_BY_PROFESSIONAL)
        form.wants_mail.label.text = str(CODES_BY_MAIL)
        form.wants_mail.description = str(CODES_BY_MAIL_HINT)
    return render_template("public/register.html", form=form, flow=flow, notice=notice, focus=focus), status


def render_check(
    form: RegistrationForm, flow: Flow, routed: routing.Outcome | None, status: int = 200, **extra: Any
) -> Any:
    """``routed``: where her registration would go; the page names the organisation only when it is
    known (a Routed outcome), so after a failed send any outcome, or none, may come."""
    card = (
        advice.find_active(db.session, form.advice_code.data) if flow.mode == "self" and form.advice_code.data else None
    )
    return render_template("public/check.html", form=form, flow=flow, routed=routed, card=card, **extra), status


def offer_municipalities(form: RegistrationForm) -> None:
    """The gemeente questions, each with the answer she gave: the region's gemeenten for "no fixed
    address", and, where her postcode lies in two gemeenten, which one (after "Change" or an error
    elsewhere on the form her choice is still there)."""
    region = directory_queries.region_municipalities(db.session, region_ggd_codes(current_app.config))
    form.show_region_municipalities([(m.code, m.name) for m in region])
    if form.municipality.choices or form.no_fixed_address.data:
        return
    try:
        pc4 = Postcode.parse(form.postcode.data or "").pc4
    except DomainError:
        return
    options = routing.municipalities_for_pc4(db.session, pc4)
    if len(options) > 1:
        form.show_municipality_choice([(m.code, m.name) for m in options], pc4)


def render_outcome(form: RegistrationForm, outcome: routing.Outcome, flow: Flow, asked: bool = False) -> Any:
    """``asked``: she already had the gemeente question (the send step, or the form that showed
    it for this postcode), so no answer is an error, not a question."""
    if isinstance(outcome, routing.ChooseMunicipality):
        asked = asked or form.municipality_was_asked()
        form.show_municipality_choice(
            [(m.code, m.name) for m in outcome.options], Postcode.parse(form.postcode.data).pc4
        )
        if asked:
            form.municipality.errors = [str(ERRORS["municipality_missing"])]
            return render_form(form, flow, 400)
        return render_form(form, flow, 200, notice="choose_municipality", focus="municipality")
    if isinstance(outcome, routing.NotServed):
        region = directory_queries.region_municipalities(db.session, region_ggd_codes(current_app.config))
        return render_template("public/not_served.html", form=form, flow=flow, outcome=outcome, region=region)
    return render_check(form, flow, outcome)


def route(form: RegistrationForm) -> routing.Outcome | None:
    """Where her registration would go (call after validate()); None with a field error."""
    region = region_ggd_codes(current_app.config)
    try:
        if form.no_fixed_address.data:
            return routing.route_municipality(db.session, form.no_address_municipality.data or "", region)
        return routing.route(db.session, Postcode.parse(form.postcode.data).pc4, region, form.municipality.data)
    except routing.UnknownPostcode:
        form.postcode.errors = [str(ERRORS["postcode_unknown"])]
    except routing.UnknownMunicipality:
        form.no_address_municipality.errors = [str(ERRORS["municipality_unknown"])]
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
        keys=data_keys(),
        region_ggd_codes=region_ggd_codes(current_app.config),
        purge_weeks_after_due=int(current_app.config["PURGE_WEEKS_AFTER_DUE"]),
        today=today(),
        locale=str(get_locale()),
        secret=current_app.config["SECRET_KEY"],
    )


def send(form: RegistrationForm, flow: Flow, data: RegistrationData) -> Any:
    """Store and confirm; on a routing change or a database failure, the page that explains it."""
    try:
        submitted = registrations.submit(db.session, data, submit_settings())
        db.commit()
    except registrations.NotRoutable as not_routable:
        return render_outcome(form, not_routable.outcome, flow, asked=True)
    except routing.UnknownPostcode:
        form.postcode.errors = [str(ERRORS["postcode_unknown"])]
        return render_form(form, flow, 400)
    except routing.UnknownMunicipality:
        form.no_address_municipality.errors = [str(ERRORS["municipality_unknown"])]
        return render_form(form, flow, 400)
    except registrations.AdviceCodeUnknown:
        form.advice_code.errors = [str(ERRORS["advice_code_unknown"])]
        return render_form(form, flow, 400)
    except DatabaseUnavailable:
        return render_check(form, flow, route_quietly(form), 503, not_saved=True)
    return confirm(submitted.registration.id, flow)


def confirm(registration_id: str, flow: Flow) -> Response:
    """Remember in this browser which confirmation to show. A second press of "Send" (the same form)
    leads to the same confirmation, and does not bring back a withdrawal code that was shown already."""
    if (session.get("confirmation") or {}).get("id") != registration_id:
        session["confirmation"] = {"id": registration_id, "at": int(time.time()), "code_shown": False}
    language: dict[str, Any] = explicit_language()
    return redirect(url_for(flow.confirmation_endpoint, **language), code=303)


@dataclass(frozen=True)
class Confirmation:
    """The registration this browser may still see, and its withdrawal code on the first view only."""

    registration: Registration | None
    withdrawal_code: str | None


def confirmation_to_show(advisor_user_id: str | None = None) -> Confirmation:
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
    return Confirmation(registration, code)


def render_confirmation() -> str:
    """The parent's own confirmation, written to her."""
    shown = confirmation_to_show()
    return render_template(
        "public/confirmation.html", registration=shown.registration, withdrawal_code=shown.withdrawal_code
    )
