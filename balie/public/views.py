"""The parent's pages: information, the registration (form → check → send), confirmation."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError

from balie.clock import today
from balie.config import region_ggd_codes
from balie.database import DatabaseUnavailable
from balie.domain.postcode import Postcode
from balie.extensions import db, limiter
from balie.i18n import LOCALE_COOKIE, is_supported
from balie.public.forms import ERRORS, RegistrationForm
from balie.public.spam import FormGuard, Verdict
from balie.services import directory_queries, registrations, routing

blueprint = Blueprint("public", __name__)

FORM_ENDPOINTS = {"public.register_check", "public.register_send"}


def _guard() -> FormGuard:
    config = current_app.config
    return FormGuard(config["SECRET_KEY"], float(config["SPAM_MIN_SECONDS"]), int(config["SPAM_MAX_AGE_SECONDS"]))


def _issue_tokens(form: RegistrationForm, fresh: bool = False) -> None:
    if fresh or not form.submission_token.data:
        form.submission_token.data = FormGuard.new_submission_token()
        form.started.data = _guard().timing_token(form.submission_token.data)


def _render_form(form: RegistrationForm, status: int = 200, notice: str | None = None, focus: str | None = None) -> Any:
    form.website.data = ""
    return render_template("public/register.html", form=form, notice=notice, focus=focus), status


def _render_outcome(form: RegistrationForm, outcome: routing.Outcome) -> Any:
    if isinstance(outcome, routing.ChooseMunicipality):
        form.show_municipality_choice([(m.code, m.name) for m in outcome.options])
        return _render_form(form, 200, notice="choose_municipality", focus="municipality")
    if isinstance(outcome, routing.NotServed):
        region = directory_queries.region_municipalities(db.session, region_ggd_codes(current_app.config))
        return render_template("public/not_served.html", form=form, outcome=outcome, region=region)
    return render_template("public/check.html", form=form, routed=outcome)


def _route(form: RegistrationForm) -> routing.Outcome | None:
    try:
        return routing.route(
            db.session,
            Postcode.parse(form.postcode.data).pc4,
            region_ggd_codes(current_app.config),
            form.municipality.data,
        )
    except routing.UnknownPostcode:
        form.postcode.errors = [str(ERRORS["postcode_unknown"])]
        return None


def _route_quietly(form: RegistrationForm) -> routing.Outcome | None:
    """For the 'not saved' page: the destination if the database still answers reads."""
    try:
        return _route(form)
    except Exception:  # noqa: BLE001 - the page must render even when the database is down
        db.rollback_quietly()
        return None


def _submit_settings() -> registrations.SubmitSettings:
    from flask_babel import get_locale

    return registrations.SubmitSettings(
        keys=current_app.extensions["balie.keys"],
        region_ggd_codes=region_ggd_codes(current_app.config),
        purge_weeks_after_due=int(current_app.config["PURGE_WEEKS_AFTER_DUE"]),
        today=today(),
        locale=str(get_locale()),
    )


def _confirm(registration_id: str) -> Response:
    session["confirmation"] = {"id": registration_id, "at": int(time.time())}
    return redirect(url_for("public.confirmation"), code=303)


@blueprint.get("/")
def home() -> str:
    return render_template("public/home.html", services=directory_queries.home_visit_services(db.session))


@blueprint.get("/aanmelden")
def register_form() -> Any:
    form = RegistrationForm(formdata=None)
    _issue_tokens(form, fresh=True)
    return _render_form(form)


@blueprint.post("/aanmelden")
def register_check() -> Any:
    form = RegistrationForm()
    _issue_tokens(form)
    if "edit" in request.form:  # "Change" on the check page: back to the form, input kept
        return _render_form(form, focus=request.form["edit"])
    if not form.validate():
        return _render_form(form, 400)
    outcome = _route(form)
    return _render_form(form, 400) if outcome is None else _render_outcome(form, outcome)


def _registration_limit() -> str:
    return str(current_app.config["REGISTRATION_RATE_LIMIT"])


def _global_limit() -> str:
    return str(current_app.config["REGISTRATION_GLOBAL_LIMIT"])


@blueprint.post("/aanmelden/versturen")
@limiter.limit(_registration_limit)
@limiter.shared_limit(_global_limit, scope="registration-global", key_func=lambda: "all")
def register_send() -> Any:
    form = RegistrationForm()
    _issue_tokens(form)
    if not form.validate():
        return _render_form(form, 400)
    existing = registrations.find_by_submission(db.session, form.submission_token.data)
    if existing is not None:
        return _confirm(existing.id)
    verdict = _guard().check(form.submission_token.data, form.started.data, request.form.get("website", ""))
    if verdict is not Verdict.OK:
        current_app.logger.info("registration not accepted: %s", verdict.value)
        _issue_tokens(form, fresh=verdict in {Verdict.STALE, Verdict.TAMPERED})
        return _render_form(form, 400, notice=f"spam_{verdict.value}")
    try:
        submitted = registrations.submit(db.session, form.to_data(), _submit_settings())
        db.commit()
    except registrations.NotRoutable as not_routable:
        return _render_outcome(form, not_routable.outcome)
    except routing.UnknownPostcode:
        form.postcode.errors = [str(ERRORS["postcode_unknown"])]
        return _render_form(form, 400)
    except DatabaseUnavailable:
        return render_template("public/check.html", form=form, routed=_route_quietly(form), not_saved=True), 503
    return _confirm(submitted.registration.id)


@blueprint.get("/aanmelden/bevestiging")
def confirmation() -> str:
    pointer = session.get("confirmation") or {}
    visible = int(current_app.config["CONFIRMATION_VISIBLE_MINUTES"]) * 60
    registration = None
    if pointer.get("id") and time.time() - float(pointer.get("at", 0)) < visible:
        registration = registrations.by_id(db.session, str(pointer["id"]))
    return render_template("public/confirmation.html", registration=registration)


@blueprint.get("/al-geboren")
def already_born() -> str:
    return render_template("public/already_born.html")


@blueprint.get("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


@blueprint.get("/toegankelijkheid")
def accessibility() -> str:
    return render_template("public/accessibility.html")


@blueprint.get("/taal/<code>")
def choose_language(code: str) -> Response:
    target = request.args.get("next", "/")
    # Browsers drop tabs and newlines from a URL ("/\t/evil" is "//evil"): refuse any control
    # character or space, then accept only a path on this site.
    unsafe = any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)
    if unsafe or not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"
    response = redirect(target, code=303)
    if is_supported(code):
        response.set_cookie(
            LOCALE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        )
    return response


@blueprint.errorhandler(CSRFError)
def _form_expired(_error: CSRFError) -> Any:
    """A slow parent loses nothing: the form comes back with her input and a fresh token."""
    if request.endpoint not in FORM_ENDPOINTS:
        from balie.errors import render_error

        return render_error(400)
    form = RegistrationForm(meta={"csrf": False})
    _issue_tokens(form)
    return _render_form(form, 400, notice="expired")


@blueprint.errorhandler(RateLimitExceeded)
def _too_many(_error: RateLimitExceeded) -> Any:
    form = RegistrationForm(meta={"csrf": False})
    _issue_tokens(form)
    return _render_form(form, 429, notice="too_many")


@blueprint.errorhandler(SQLAlchemyError)
def _database_failed(error: SQLAlchemyError) -> Any:
    """A locked or failing database before the commit (a lookup, a flush): "not saved, try
    again" with her answers, like a failing commit — never the bare error page. Nothing was
    stored (rolled back). No second query: a locked database would only make her wait again."""
    from balie.errors import code_locations, render_error

    current_app.logger.error("database error %s at %s", type(error).__name__, code_locations(error))
    db.rollback_quietly()
    if request.endpoint not in FORM_ENDPOINTS:
        return render_error(503)
    form = RegistrationForm(meta={"csrf": False})
    _issue_tokens(form)
    if request.endpoint == "public.register_send":
        return render_template("public/check.html", form=form, routed=None, not_saved=True), 503
    return _render_form(form, 503, notice="not_saved")
