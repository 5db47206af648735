"""Logging in (password, then the second factor), out, passwords, invitations, account requests."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from balie import security_log
from balie.auth.forms import (
    AccountRequestForm,
    CodeForm,
    EnrolForm,
    InvitationForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
)
from balie.domain import roles
from balie.domain.errors import DomainError
from balie.extensions import db, limiter
from balie.models import User, UserSession
from balie.models.base import utcnow
from balie.services.accounts import authentication, sessions, two_factor
from balie.services.accounts import lifecycle as accounts
from balie.services.accounts.authentication import CodeStatus, LoginStatus, NextStep
from balie.web.auth_settings import auth_settings
from balie.web.forms import PASSWORD_ERRORS
from balie.web.redirect_targets import safe_next
from balie.web.security import SESSION_KEY, pending_session

blueprint = Blueprint("auth", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


# The session key that remembers who just set a password, so the log-in page can fill in the
# e-mail address (the user id, opaque; never the address itself, in a URL or a cookie).
JUST_SET_PASSWORD = "login_user"  # noqa: S105 - a session key, not a password


def landing_page(user: User) -> str:
    """The working page of the user's first role (account page for a user without roles)."""
    return url_for(roles.landing_page(grant.role for grant in user.roles))


# Where a login that owes a second step goes after the password.
SECOND_STEP_PAGES = {NextStep.CODE: "auth.code", NextStep.ENROL: "auth.enrol"}


def _logged_in(record: UserSession) -> Any:
    """The login is complete (the service marked the session): to the page asked for, or to work."""
    security_log.event("authn_login_success", user_id=record.user_id)
    db.commit()
    return redirect(safe_next(session.pop("login_next", None), landing_page(record.user)), code=303)


def _password_error(form: Any, field: Any, error: DomainError) -> None:
    field.errors = [*list(field.errors), str(PASSWORD_ERRORS.get(error.code, PASSWORD_ERRORS["password_too_short"]))]


def _refused(form: LoginForm, outcome: authentication.LoginOutcome) -> Any:
    """The login form again, with one message that tells nothing about the account."""
    reason = {LoginStatus.LOCKED: "locked", LoginStatus.CODE_NEEDED: "code_missing"}.get(outcome.status)
    security_log.event("authn_login_fail", user_id=outcome.account_id, reason=reason)
    if outcome.lock_started:
        security_log.event("authn_login_lock", user_id=outcome.account_id, reason="maxretries")
    if outcome.attack_started:  # once, when the account-wide count reaches its limit
        security_log.event(
            "authn_login_fail_max", user_id=outcome.account_id, maxlimit=authentication.UNDER_ATTACK_AFTER_FAILURES
        )
    db.commit()
    if outcome.status is LoginStatus.CODE_NEEDED:
        form.code.errors = [gettext("Enter the code from your authenticator app as well")]
    elif outcome.status is LoginStatus.LOCKED:
        form.password.errors = [gettext("Too many attempts. Wait a few minutes and try again.")]
    elif outcome.under_attack:
        form.password.errors = [gettext("The e-mail address, password or code is not correct")]
    else:
        form.password.errors = [gettext("The e-mail address or password is not correct")]
    return render_template("auth/login.html", form=form, ask_code=outcome.under_attack), 400


@blueprint.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(landing_page(current_user.user))
    form = LoginForm()
    if request.method == "GET" and request.args.get("next"):
        session["login_next"] = safe_next(request.args["next"], "")
    if request.method == "GET":
        form.email.data = authentication.known_email(db.session, session.pop(JUST_SET_PASSWORD, None))
    if not form.validate_on_submit():
        expired = g.get("balie_session_expired") or request.args.get("verlopen") or session.pop("session_expired", None)
        return render_template(
            "auth/login.html", form=form, expired=expired, ask_code="code" in request.form
        ), 400 if form.errors else 200
    attempt = authentication.LoginAttempt(
        form.email.data,
        form.password.data,
        request.remote_addr,
        form.code.data or "",
        user_agent=request.user_agent.string,
        session_token=session.get(SESSION_KEY),
    )
    settings = auth_settings()
    result = authentication.log_in(db.session, attempt, settings.keys, utcnow(), settings.session_lifetime)
    if result.record is None:
        return _refused(form, result.outcome)
    session[SESSION_KEY] = result.token
    session.permanent = False
    if result.next_step is NextStep.DONE:
        return _logged_in(result.record)
    db.commit()
    return redirect(url_for(SECOND_STEP_PAGES[result.next_step]), code=303)


@blueprint.route("/inloggen/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def code() -> Any:
    record = pending_session()
    if record is None or not record.user.has_totp:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form), 400 if form.errors else 200
    outcome = authentication.enter_code(db.session, record, form.code.data, auth_settings().keys, utcnow())
    if outcome.status is CodeStatus.LOCKED:
        form.code.errors = [gettext("Too many wrong codes. Wait a few minutes and try again.")]
        return render_template("auth/code.html", form=form), 400
    if outcome.status is CodeStatus.OK:
        return _logged_in(record)
    security_log.event("authn_mfa_fail", user_id=record.user_id, failures=outcome.failures)
    if outcome.session_ended:
        session.pop(SESSION_KEY, None)
        db.commit()
        flash(gettext("Too many wrong codes. Log in again."), "warning")
        return redirect(url_for("auth.login"), code=303)
    db.commit()
    form.code.errors = [gettext("This code is not correct or was already used")]
    return render_template("auth/code.html", form=form), 400


@blueprint.route("/inloggen/tweede-factor", methods=["GET", "POST"])
def enrol() -> Any:
    """Required set-up of the second factor for administrators and JGZ staff."""
    record = pending_session()
    if record is None or record.user.has_totp:
        return redirect(url_for("auth.login"))
    settings = auth_settings()
    secret = two_factor.enrolment_secret(record, settings.keys)  # a new one on the first visit
    form = EnrolForm()
    if form.validate_on_submit():
        codes = authentication.enrol_at_login(db.session, record, form.code.data, settings.keys, utcnow())
        if codes is not None:
            security_log.event("authn_mfa_enabled", user_id=record.user_id)
            response = _logged_in(record)
            return render_template("auth/recovery_codes.html", codes=codes, next_url=response.location)
        form.code.errors = [gettext("This code is not correct. Check the time on your phone and try again.")]
    db.commit()
    qr = two_factor.enrolment_qr(secret, record.user.email, settings.issuer)
    return render_template("auth/enrol.html", form=form, qr=qr, secret=secret), 400 if form.errors else 200


@blueprint.post("/uitloggen")
def logout() -> Any:
    record = sessions.load(db.session, session.get(SESSION_KEY), utcnow())
    if record is not None:
        sessions.end(record, "logout", utcnow())
        security_log.event("session_end", user_id=record.user_id, reason="logout")
        db.commit()
    session.clear()
    flash(gettext("You are logged out."), "success")
    return redirect(url_for("auth.login"), code=303)


@blueprint.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password() -> Any:
    form = ResetRequestForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form), 400 if form.errors else 200
    accounts.start_reset(db.session, form.email.data, utcnow())
    db.commit()
    # The same page whether or not the account exists: no account enumeration.
    return render_template("auth/forgot_sent.html")


@blueprint.route("/wachtwoord-herstellen/<reset_id>/<signature>", methods=["GET", "POST"])
def reset_password(reset_id: str, signature: str) -> Any:
    try:
        reset = accounts.open_reset(db.session, current_app.config["SECRET_KEY"], reset_id, signature, utcnow())
    except accounts.AccountError:
        return render_template("auth/link_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.complete_reset(db.session, reset, form.password.data, utcnow())
        except DomainError as error:
            _password_error(form, form.password, error)
        else:
            security_log.event("authn_password_change", user_id=user.id, via="reset")
            db.commit()
            session.clear()
            session[JUST_SET_PASSWORD] = user.id
            flash(gettext("Your password has been changed. You can log in now."), "success")
            return redirect(url_for("auth.login"), code=303)
    return render_template("auth/reset.html", form=form), 400 if form.errors else 200


@blueprint.route("/uitnodiging/<invitation_id>/<signature>", methods=["GET", "POST"])
def accept_invitation(invitation_id: str, signature: str) -> Any:
    try:
        invitation = accounts.open_invitation(
            db.session, current_app.config["SECRET_KEY"], invitation_id, signature, utcnow()
        )
    except accounts.AccountError as error:
        return render_template("auth/link_invalid.html", reason=error.code), 404
    form = InvitationForm(data={"name": invitation.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(db.session, invitation, form.name.data, form.password.data, utcnow())
        except DomainError as error:
            _password_error(form, form.password, error)
        else:
            security_log.event("user_created", user_id=user.id)
            db.commit()
            session[JUST_SET_PASSWORD] = user.id
            flash(gettext("Your account is ready. Log in with your e-mail address and password."), "success")
            return redirect(url_for("auth.login"), code=303)
    return render_template("auth/invitation.html", form=form, invitation=invitation), 400 if form.errors else 200


@blueprint.route("/account-aanvragen", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def request_account() -> Any:
    form = AccountRequestForm()
    if not form.validate_on_submit():
        return render_template("auth/request_account.html", form=form), 400 if form.errors else 200
    accounts.request_account(
        db.session,
        form.email.data,
        form.name.data,
        form.profession.data,
        form.workplace.data,
        form.motivation.data or "",
        utcnow(),
    )
    db.commit()
    return render_template("auth/request_sent.html")
