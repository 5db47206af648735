"""Administration: accounts, invitations, account requests and the access log."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from balie import audit_head, security_log
from balie.domain import roles
from balie.domain.errors import DomainError
from balie.domain.roles import Permission
from balie.extensions import db
from balie.manage.forms import AccessLogFilterForm, GrantForm, InviteForm, RemoveRoleForm
from balie.models import AccountRequest, Invitation, Municipality, User
from balie.models.base import utcnow
from balie.services.accounts import administration as account_admin
from balie.services.accounts import lifecycle as accounts
from balie.services.accounts import sessions
from balie.services.audit import access_log
from balie.services.directory import queries as directory_queries
from balie.web.forms import EmptyForm
from balie.web.labels import ROLE_LABELS
from balie.web.security import actor, requires

blueprint = Blueprint("manage", __name__, url_prefix="/beheer")
PER_PAGE = 50


def _fill(form: GrantForm) -> GrantForm:
    """Only JGZ organisations can be chosen for JGZ staff (those routing sends registrations to)."""
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.name)).all()
    form.fill(directory_queries.jgz_organisations(db.session), list(municipalities))
    return form


def _role_error(form: GrantForm, error: DomainError) -> str:
    """The message goes on the field that has to change; it is returned for a flash as well."""
    field, message = {
        "role_needs_organisation": (form.organisation, gettext("Choose the organisation for this role")),
        "role_needs_municipality": (form.municipality, gettext("Choose the gemeente for this role")),
        "role_needs_profession": (form.profession, gettext("Choose the profession for a professional")),
    }.get(error.code, (form.role, gettext("Choose a role")))
    field.errors = [*list(field.errors), message]
    return message


def _user_or_404(user_id: str) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@blueprint.get("/gebruikers")
@requires(Permission.USERS_MANAGE)
def users() -> str:
    return render_template("manage/users.html", users=accounts.users(db.session), role_labels=ROLE_LABELS)


@blueprint.route("/uitnodigen", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def invite() -> Any:
    form = _fill(InviteForm())
    if form.validate_on_submit():
        try:
            account_admin.invite(
                db.session, actor(roles.ADMIN), form.email.data, form.name.data, form.grant(), utcnow()
            )
        except accounts.AccountError as error:
            _role_error(form, error)
        else:
            db.commit()
            flash(gettext("The invitation has been sent. The link works for 7 days."), "success")
            return redirect(url_for("manage.invitations"), code=303)
    return render_template("manage/invite.html", form=form), 400 if form.errors else 200


@blueprint.get("/gebruikers/<user_id>")
@requires(Permission.USERS_MANAGE)
def user(user_id: str) -> str:
    found = _user_or_404(user_id)
    return render_template(
        "manage/user.html",
        user=found,
        grant_form=_fill(GrantForm(prefix="grant")),
        remove_form=RemoveRoleForm(),
        action_form=EmptyForm(),
        active_sessions=sessions.active(db.session, found.id, utcnow()),
        role_labels=ROLE_LABELS,
    )


@blueprint.post("/gebruikers/<user_id>/rollen")
@requires(Permission.USERS_MANAGE)
def add_role(user_id: str) -> Any:
    found = _user_or_404(user_id)
    form = _fill(GrantForm(prefix="grant"))
    if form.validate_on_submit():
        try:
            account_admin.add_role(db.session, actor(roles.ADMIN), found, form.grant())
        except accounts.AccountError as error:
            flash(_role_error(form, error), "warning")
        else:
            db.commit()
            flash(gettext("The role has been added."), "success")
    return redirect(url_for("manage.user", user_id=found.id), code=303)


@blueprint.post("/gebruikers/<user_id>/rollen/verwijderen")
@requires(Permission.USERS_MANAGE)
def remove_role(user_id: str) -> Any:
    found = _user_or_404(user_id)
    form = RemoveRoleForm()
    if not form.validate_on_submit() or not form.grant_id.data.isdigit():
        abort(400)
    try:
        account_admin.remove_role(db.session, actor(roles.ADMIN), found, int(form.grant_id.data))
    except accounts.AccountError:
        abort(404)
    db.commit()
    flash(gettext("The role has been removed."), "success")
    return redirect(url_for("manage.user", user_id=found.id), code=303)


@blueprint.post("/gebruikers/<user_id>/<action>")
@requires(Permission.USERS_MANAGE)
def user_action(user_id: str, action: str) -> Any:
    """Disable or enable an account, or end all its sessions."""
    found = _user_or_404(user_id)
    if not EmptyForm().validate_on_submit() or action not in {"uitschakelen", "inschakelen", "sessies-beeindigen"}:
        abort(400)
    admin, now = actor(roles.ADMIN), utcnow()
    if action == "sessies-beeindigen":
        count = account_admin.end_sessions(db.session, admin, found, now)
        message = ngettext("%(num)d session has been ended.", "%(num)d sessions have been ended.", count)
    else:
        try:
            account_admin.set_active(db.session, admin, found, action == "inschakelen", now)
        except account_admin.OwnAccount:
            flash(gettext("You cannot disable your own account."), "warning")
            return redirect(url_for("manage.user", user_id=found.id), code=303)
        message = (
            gettext("The account has been enabled.")
            if found.is_active
            else gettext("The account has been disabled and logged out everywhere.")
        )
    security_log.event("user_updated", user_id=current_user.id, target=found.id, action=action)
    db.commit()
    flash(message, "success")
    return redirect(url_for("manage.user", user_id=found.id), code=303)


@blueprint.get("/uitnodigingen")
@requires(Permission.USERS_MANAGE)
def invitations() -> str:
    return render_template(
        "manage/invitations.html",
        invitations=accounts.open_invitations(db.session, utcnow()),
        form=EmptyForm(),
        role_labels=ROLE_LABELS,
    )


@blueprint.post("/uitnodigingen/<invitation_id>/intrekken")
@requires(Permission.USERS_MANAGE)
def revoke_invitation(invitation_id: str) -> Any:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or not EmptyForm().validate_on_submit():
        abort(404)
    account_admin.revoke_invitation(db.session, actor(roles.ADMIN), invitation, utcnow())
    db.commit()
    flash(gettext("The invitation has been withdrawn."), "success")
    return redirect(url_for("manage.invitations"), code=303)


@blueprint.get("/aanvragen")
@requires(Permission.USERS_MANAGE)
def requests() -> str:
    return render_template("manage/requests.html", requests=accounts.pending_requests(db.session), form=EmptyForm())


@blueprint.post("/aanvragen/<request_id>/<decision>")
@requires(Permission.USERS_MANAGE)
def decide(request_id: str, decision: str) -> Any:
    found = db.session.get(AccountRequest, request_id)
    if found is None or decision not in {"goedkeuren", "afwijzen"} or not EmptyForm().validate_on_submit():
        abort(404)
    try:
        account_admin.decide_request(db.session, actor(roles.ADMIN), found, decision == "goedkeuren", utcnow())
    except accounts.AccountError:
        flash(gettext("This request has already been handled."), "warning")
        return redirect(url_for("manage.requests"), code=303)
    db.commit()
    flash(
        gettext("Approved: an invitation has been sent.")
        if decision == "goedkeuren"
        else gettext("The request has been declined."),
        "success",
    )
    return redirect(url_for("manage.requests"), code=303)


def _log_filter(form: AccessLogFilterForm) -> access_log.LogFilter:
    return access_log.LogFilter(
        object_id=form.object_id.data or None,
        actor_user_id=form.actor.data or None,
        event_code=form.event.data or None,
        outcome=form.outcome.data or None,
    )


@blueprint.get("/toegangslog")
@db.writes
@requires(Permission.USERS_MANAGE)
def access_log_view() -> str:
    form = AccessLogFilterForm(request.args)
    wanted = _log_filter(form) if form.validate() else access_log.LogFilter()
    page_number = max(1, form.page.data or 1)
    found = access_log.read_page(db.session, actor(roles.ADMIN), wanted, page_number, PER_PAGE)
    db.commit()
    pages = max(1, -(-found.total // PER_PAGE))
    return render_template(
        "manage/access_log.html",
        form=form,
        rows=found.rows,
        names=found.names,
        total=found.total,
        page=page_number,
        pages=pages,
    )


@blueprint.get("/toegangslog.csv")
@db.writes
@requires(Permission.USERS_MANAGE)
def access_log_export() -> Response:
    form = AccessLogFilterForm(request.args)
    wanted = _log_filter(form) if form.validate() else access_log.LogFilter()
    lines = access_log.export(db.session, actor(roles.ADMIN), wanted)
    db.commit()
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="toegangslog.csv"'
    return response


@blueprint.get("/toegangslog/controle")
@requires(Permission.USERS_MANAGE)
def access_log_verify() -> str:
    exporter = current_app.extensions[audit_head.EXPORTER_KEY]
    result = audit_head.verify(db.session, exporter.keys, exporter.path)
    return render_template("manage/access_log_verify.html", result=result)
