"""What an administrator does to accounts, invitations and account requests.

Each use case writes its access-log row itself (who did it, to which account, what), so every
entry point (the administration pages, a command, an API) leaves the same audit trail. The rules
of accounts themselves live in balie.services.accounts.lifecycle.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from balie.domain import audit_events
from balie.domain.audit_events import AuditEvent
from balie.models import AccountRequest, Invitation, User
from balie.services.accounts import lifecycle as accounts
from balie.services.accounts import sessions
from balie.services.accounts.lifecycle import AccountError, Grant
from balie.services.audit import access_log


class OwnAccount(AccountError):
    """An administrator cannot disable (or enable) her own account."""

    code = "own_account"


def _audit(
    session: Session, admin: access_log.Actor, event: AuditEvent, object_type: str, object_id: str, **extra: str
) -> None:
    access_log.record_event(session, admin, event, object_type, object_id, basis=access_log.ADMIN_BASIS, **extra)


def invite(session: Session, admin: access_log.Actor, email: str, name: str, grant: Grant, now: datetime) -> Invitation:
    invitation = accounts.invite(session, email, name, [grant], admin.user_id, now)
    _audit(session, admin, audit_events.USER_INVITE, "invitation", invitation.id, detail=f"role={grant.role}")
    return invitation


def revoke_invitation(session: Session, admin: access_log.Actor, invitation: Invitation, now: datetime) -> None:
    accounts.revoke_invitation(invitation, now)
    _audit(session, admin, audit_events.USER_INVITE_REVOKE, "invitation", invitation.id)


def add_role(session: Session, admin: access_log.Actor, user: User, grant: Grant) -> None:
    accounts.add_role(session, user, grant)
    _audit(session, admin, audit_events.USER_ROLE_ADD, "user", user.id, detail=f"role={grant.role}")


def remove_role(session: Session, admin: access_log.Actor, user: User, grant_id: int) -> None:
    accounts.remove_role(session, user, grant_id)
    _audit(session, admin, audit_events.USER_ROLE_REMOVE, "user", user.id)


def set_active(session: Session, admin: access_log.Actor, user: User, active: bool, now: datetime) -> None:
    """Enable or disable an account (disabling ends its sessions)."""
    if user.id == admin.user_id:
        raise OwnAccount()
    accounts.set_active(session, user, active, now)
    _audit(session, admin, audit_events.USER_ENABLE if active else audit_events.USER_DISABLE, "user", user.id)


def end_sessions(session: Session, admin: access_log.Actor, user: User, now: datetime) -> int:
    """Log the account out everywhere; returns how many sessions were ended."""
    count = sessions.end_all(session, user.id, "ended_by_admin", now)
    _audit(session, admin, audit_events.USER_SESSIONS_END, "user", user.id)
    return count


def decide_request(
    session: Session, admin: access_log.Actor, request: AccountRequest, approve: bool, now: datetime
) -> Invitation | None:
    """Approve (an invitation is sent) or decline a professional's account request."""
    invitation = accounts.decide_request(session, request, approve, admin.user_id, now)
    event = audit_events.USER_REQUEST_APPROVE if approve else audit_events.USER_REQUEST_DECLINE
    _audit(session, admin, event, "account_request", request.id)
    return invitation
