"""The parent's pages: information, the registration (form → check → send), confirmation."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, current_app, redirect, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from balie.config import privacy_example_values
from balie.domain.reference_code import normalise_reference
from balie.domain.registration import PRIVACY_TEXT_VERSION
from balie.extensions import db, limiter
from balie.i18n import LOCALE_COOKIE, is_supported
from balie.models.base import utcnow
from balie.registration import error_handlers, flow
from balie.registration.forms import RegistrationForm, WithdrawalForm
from balie.registration.spam import Verdict
from balie.services.directory import queries as directory_queries
from balie.services.registrations import advice
from balie.services.registrations import submission as registrations
from balie.web.redirect_targets import safe_next

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def home() -> str:
    return render_template("public/home.html", services=directory_queries.home_visit_services(db.session))


@blueprint.get("/aanmelden")
def register_form() -> Any:
    """The form; an advice card's QR code opens it with ?code= (and ?lang=) filled in."""
    form = RegistrationForm(formdata=None)
    form.advice_code.data = advice.normalise_code(request.args.get("code")) or None
    flow.issue_tokens(form, fresh=True)
    return flow.render_form(form, flow.SELF)


@blueprint.post("/aanmelden")
def register_check() -> Any:
    form = RegistrationForm()
    flow.issue_tokens(form)
    if "edit" in request.form:  # "Change" on the check page: back to the form, input kept
        return flow.render_form(form, flow.SELF, focus=request.form["edit"])
    return flow.check_step(form, flow.SELF)


def _registration_limit() -> str:
    return str(current_app.config["REGISTRATION_RATE_LIMIT"])


def _global_limit() -> str:
    return str(current_app.config["REGISTRATION_GLOBAL_LIMIT"])


@blueprint.post("/aanmelden/versturen")
@limiter.limit(_registration_limit)
@limiter.shared_limit(_global_limit, scope="registration-global", key_func=lambda: "all")
def register_send() -> Any:
    form = RegistrationForm()
    flow.issue_tokens(form)
    if not form.validate() or not flow.advice_code_ok(form, flow.SELF):
        return flow.render_form(form, flow.SELF, 400)
    existing = registrations.find_by_submission(db.session, form.submission_token.data)
    if existing is not None:
        return flow.confirm(existing.id, flow.SELF)
    verdict = flow.guard().check(form.submission_token.data, form.started.data, request.form.get("website", ""))
    if verdict is not Verdict.OK:
        current_app.logger.info("registration not accepted: %s", verdict.value)
        flow.issue_tokens(form, fresh=verdict in {Verdict.STALE, Verdict.TAMPERED})
        return flow.render_form(form, flow.SELF, 400, notice=f"spam_{verdict.value}")
    return flow.send(form, flow.SELF, form.to_data())


@blueprint.get("/aanmelden/bevestiging")
def confirmation() -> str:
    return flow.render_confirmation()


@blueprint.route("/intrekken", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
def withdraw() -> Any:
    """The parent withdraws: feedback stops and the organisation is asked to delete her data.
    The link on her confirmation, slip and mail fills in her reference (?kenmerk=), never the code."""
    form = WithdrawalForm()
    if request.method == "GET":
        form.reference.data = normalise_reference(request.args.get("kenmerk", ""))
    if not form.validate_on_submit():
        return render_template("public/withdraw.html", form=form), 400 if form.errors else 200
    try:
        withdrawn = registrations.withdraw(
            db.session, form.reference.data, form.code.data, current_app.config["SECRET_KEY"], utcnow()
        )
    except registrations.WithdrawalRefused:
        form.code.errors = [gettext("The reference and the withdrawal code do not match. Check both and try again.")]
        return render_template("public/withdraw.html", form=form), 400
    feedback_stopped = withdrawn.feedback_consent and withdrawn.advisor_user_id is not None
    db.commit()
    return render_template("public/withdrawn.html", feedback_stopped=feedback_stopped)


@blueprint.get("/al-geboren")
def already_born() -> str:
    return render_template("public/already_born.html")


@blueprint.get("/privacy")
def privacy() -> str:
    config = current_app.config
    return render_template(
        "public/privacy.html",
        controller=config["PRIVACY_CONTROLLER"],
        controller_contact=config["PRIVACY_CONTROLLER_CONTACT"],
        dpo=config["PRIVACY_DPO"],
        dpo_contact=config["PRIVACY_DPO_CONTACT"],
        example_values=privacy_example_values(config),
        version=PRIVACY_TEXT_VERSION,
    )


@blueprint.get("/veilig-gebruiken")
def safety() -> str:
    return render_template("public/safety.html")


@blueprint.get("/toegankelijkheid")
def accessibility() -> str:
    return render_template("public/accessibility.html")


@blueprint.get("/taal/<code>")
def choose_language(code: str) -> Response:
    target = safe_next(request.args.get("next"), "/")
    parts = urlsplit(target)
    if "lang" in dict(parse_qsl(parts.query)):  # an advice card's ?lang= would overrule her choice
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"])
        target = parts.path + (f"?{query}" if query else "")
    response = redirect(target, code=303)
    if is_supported(code):
        response.set_cookie(
            LOCALE_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        )
    return response


error_handlers.register(blueprint)
