"""The user's own account: sessions on other devices, password, second factor."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from balie import security_log
from balie.account.forms import ChangePasswordForm, ConfirmPasswordForm, EnableTwoFactorForm
from balie.domain.errors import DomainError
from balie.extensions import db
from balie.models.base import utcnow
from balie.services.accounts import lifecycle as accounts
from balie.services.accounts import passwords, sessions, two_factor
from balie.web.auth_settings import auth_settings
from balie.web.forms import PASSWORD_ERRORS, EmptyForm
from balie.web.security import login_required

blueprint = Blueprint("account", __name__, url_prefix="/account")


@blueprint.get("")
@login_required
def overview() -> str:
    return render_template(
        "account/overview.html",
        remaining_codes=two_factor.remaining_recovery_codes(db.session, current_user.user),
        mfa_required=current_user.needs_mfa,
    )


@blueprint.get("/sessies")
@login_required
def session_list() -> str:
    return render_template(
        "account/sessions.html", sessions=sessions.active(db.session, current_user.id, utcnow()), form=EmptyForm()
    )


@blueprint.post("/sessies/<public_id>/beeindigen")
@login_required
def end_session(public_id: str) -> Any:
    if not EmptyForm().validate_on_submit():
        abort(400)
    found = next((s for s in sessions.active(db.session, current_user.id, utcnow()) if s.public_id == public_id), None)
    if found is None:
        abort(404)
    sessions.end(found, "ended_by_user", utcnow())
    security_log.event("session_end", user_id=current_user.id, reason="ended_by_user")
    db.commit()
    if found.id == current_user.record.id:
        session.clear()
        return redirect(url_for("auth.login"), code=303)
    flash(gettext("The session has been ended."), "success")
    return redirect(url_for("account.session_list"), code=303)


@blueprint.post("/sessies/andere-beeindigen")
@login_required
def end_other_sessions() -> Any:
    if not EmptyForm().validate_on_submit():
        abort(400)
    ended = sessions.end_all(db.session, current_user.id, "ended_by_user", utcnow(), keep_id=current_user.record.id)
    security_log.event("session_end", user_id=current_user.id, reason="others_ended", count=ended)
    db.commit()
    flash(gettext("All your other sessions have been ended."), "success")
    return redirect(url_for("account.session_list"), code=303)


@blueprint.post("/verlengen")
@login_required
def keep_alive() -> Any:
    """The time-out warning's "stay logged in" button; the request itself records activity."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    return ("", 204)


@blueprint.route("/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session, current_user.user, form.current.data, form.password.data, current_user.record.id, utcnow()
            )
        except DomainError as error:
            field = form.current if error.code == "password_wrong" else form.password
            field.errors = [
                *list(field.errors),
                str(PASSWORD_ERRORS.get(error.code, PASSWORD_ERRORS["password_too_short"])),
            ]
        else:
            security_log.event("authn_password_change", user_id=current_user.id)
            db.commit()
            flash(gettext("Your password has been changed. Your other sessions have been ended."), "success")
            return redirect(url_for("account.overview"), code=303)
    return render_template("account/password.html", form=form), 400 if form.errors else 200


@blueprint.route("/tweede-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup() -> Any:
    """Turn on the authenticator app: first the password again, then scan and confirm a code."""
    settings, record = auth_settings(), current_user.record
    confirm, enable = ConfirmPasswordForm(prefix="confirm"), EnableTwoFactorForm(prefix="enable")
    if "confirm-password" in request.form and confirm.validate_on_submit():
        if passwords.verify(current_user.user.password_hash, confirm.password.data):
            two_factor.start_enrolment(record, settings.keys)
            db.commit()
        else:
            confirm.password.errors = [gettext("Your password is not correct")]
    elif "enable-code" in request.form and enable.validate_on_submit() and two_factor.is_enrolling(record):
        codes = two_factor.confirm_enrolment(db.session, record, enable.code.data, settings.keys, utcnow())
        if codes is not None:
            security_log.event("authn_mfa_enabled", user_id=current_user.id)
            db.commit()
            return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("account.overview"))
        enable.code.errors = [gettext("This code is not correct. Check the time on your phone and try again.")]
    secret = two_factor.pending_secret(record, settings.keys)
    qr = two_factor.enrolment_qr(secret, current_user.user.email, settings.issuer) if secret else None
    status = 400 if confirm.errors or enable.errors else 200
    return render_template("account/two_factor.html", confirm=confirm, enable=enable, qr=qr, secret=secret), status


@blueprint.post("/tweede-factor/herstelcodes")
@login_required
def new_recovery_codes() -> Any:
    form = ConfirmPasswordForm()
    if not form.validate_on_submit() or not passwords.verify(current_user.user.password_hash, form.password.data):
        flash(gettext("Your password is not correct"), "warning")
        return redirect(url_for("account.overview"), code=303)
    codes = two_factor.new_recovery_codes(db.session, current_user.user)
    db.commit()
    return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("account.overview"))


@blueprint.post("/tweede-factor/uitzetten")
@login_required
def disable_two_factor() -> Any:
    form = ConfirmPasswordForm()
    if current_user.needs_mfa:
        abort(403)
    if not form.validate_on_submit() or not passwords.verify(current_user.user.password_hash, form.password.data):
        flash(gettext("Your password is not correct"), "warning")
        return redirect(url_for("account.overview"), code=303)
    two_factor.disable(db.session, current_user.user)
    security_log.event("authn_mfa_disabled", user_id=current_user.id)
    db.commit()
    flash(gettext("The authenticator app is no longer needed to log in."), "success")
    return redirect(url_for("account.overview"), code=303)
