"""Accounts: invitations, accepting them, account requests, password resets, roles, disabling.

Links in mails carry an id and an HMAC of it (keyed with the app secret), so the database
never holds a usable token and a stolen copy of it cannot be turned into a link.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from balie.domain import roles as role_names
from balie.domain.errors import DomainError
from balie.domain.roles import Scope
from balie.models import AccountRequest, Invitation, OutboxMessage, PasswordReset, RoleGrant, User
from balie.services.accounts import passwords, sessions
from balie.services.accounts.authentication import clear_account, normalise_email, user_by_email
from balie.services.directory import queries as directory_queries

INVITATION_LIFETIME = timedelta(days=7)
BOOTSTRAP_LIFETIME = timedelta(hours=24)
RESET_LIFETIME = timedelta(minutes=30)

KIND_INVITATION = "invitation"
KIND_PASSWORD_RESET = "password_reset"  # noqa: S105 - a mail kind
KIND_ACCOUNT_REQUEST = "account_request"


class AccountError(DomainError):
    code = "account_error"


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: str | None = None
    municipality_code: str | None = None
    profession: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "role": self.role,
            "organisation_id": self.organisation_id,
            "municipality_code": self.municipality_code,
            "profession": self.profession,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str | None]) -> Grant:
        return cls(
            str(data["role"]), data.get("organisation_id"), data.get("municipality_code"), data.get("profession")
        )


@dataclass(frozen=True)
class ScopeNeed:
    """What a grant of a role with this scope kind must name, and the error when it does not."""

    named: Callable[[Grant], bool]
    error: str


# Per scope kind of the role table (roles.Scope); a role scoped to nothing (NONE) needs nothing.
SCOPE_NEEDS: dict[Scope, ScopeNeed] = {
    Scope.ORGANISATION: ScopeNeed(lambda grant: bool(grant.organisation_id), "role_needs_organisation"),
    Scope.MUNICIPALITY: ScopeNeed(lambda grant: bool(grant.municipality_code), "role_needs_municipality"),
    Scope.PROFESSION: ScopeNeed(lambda grant: grant.profession in role_names.PROFESSIONS, "role_needs_profession"),
}


def validate_grant(grant: Grant) -> None:
    role = role_names.role(grant.role)
    if role is None:
        raise AccountError("role_unknown")
    need = SCOPE_NEEDS.get(role.scope)
    if need is not None and not need.named(grant):
        raise AccountError(need.error)


def check_organisation(session: Session, grant: Grant) -> None:
    """Organisation roles (JGZ staff) belong to a JGZ organisation (one with a home-visit service), never to,
    say, the food bank."""
    if role_names.scope_of(grant.role) is Scope.ORGANISATION and grant.organisation_id not in {
        organisation.id for organisation in directory_queries.jgz_organisations(session)
    }:
        raise AccountError("role_needs_organisation")


def link_signature(secret: str, purpose: str, record_id: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}:{record_id}".encode(), hashlib.sha256).hexdigest()[:40]


def _signature_ok(secret: str, purpose: str, record_id: str, signature: str) -> bool:
    return hmac.compare_digest(link_signature(secret, purpose, record_id), signature or "")


# --- invitations -----------------------------------------------------------------------------


def invite(
    session: Session,
    email: str,
    name: str,
    grants: list[Grant],
    invited_by: str | None,
    now: datetime,
    lifetime: timedelta = INVITATION_LIFETIME,
) -> Invitation:
    for grant in grants:
        validate_grant(grant)
        check_organisation(session, grant)
    if not grants:
        raise AccountError("role_missing")
    invitation = Invitation(
        email=normalise_email(email),
        name=name.strip(),
        roles=[g.as_dict() for g in grants],
        created_by=invited_by,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(invitation)
    session.flush()
    session.add(OutboxMessage(kind=KIND_INVITATION, payload={"invitation_id": invitation.id}))
    return invitation


def open_invitation(session: Session, secret: str, invitation_id: str, signature: str, now: datetime) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or not _signature_ok(secret, KIND_INVITATION, invitation_id, signature):
        raise AccountError("invitation_unknown")
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise AccountError("invitation_used")
    if invitation.expires_at <= now:
        raise AccountError("invitation_expired")
    return invitation


def accept_invitation(session: Session, invitation: Invitation, name: str, password: str, now: datetime) -> User:
    passwords.check_policy(password, name, invitation.email)
    user = user_by_email(session, invitation.email)
    if user is None:
        user = User(email=invitation.email, name=name.strip(), created_at=now)
        session.add(user)
    else:
        user.name = name.strip()
        sessions.end_all(session, user.id, "password_set", now)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now
    user.is_active = True
    existing = {(g.role, g.organisation_id, g.municipality_code) for g in user.roles}
    for grant in (Grant.from_dict(d) for d in invitation.roles):
        if (grant.role, grant.organisation_id, grant.municipality_code) not in existing:
            user.roles.append(
                RoleGrant(
                    role=grant.role,
                    organisation_id=grant.organisation_id,
                    municipality_code=grant.municipality_code,
                    profession=grant.profession,
                )
            )
    invitation.accepted_at = now
    session.flush()
    return user


def revoke_invitation(invitation: Invitation, now: datetime) -> None:
    if invitation.accepted_at is None:
        invitation.revoked_at = now


def open_invitations(session: Session, now: datetime) -> list[Invitation]:
    return list(
        session.scalars(
            select(Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > now)
            .order_by(Invitation.created_at.desc())
        )
    )


# --- account requests by professionals -------------------------------------------------------


def request_account(
    session: Session, email: str, name: str, profession: str, workplace: str, motivation: str, now: datetime
) -> AccountRequest:
    if profession not in role_names.PROFESSIONS:
        raise AccountError("role_needs_profession")
    request = AccountRequest(
        email=normalise_email(email),
        name=name.strip(),
        profession=profession,
        workplace=workplace.strip(),
        motivation=motivation.strip(),
        created_at=now,
    )
    session.add(request)
    session.flush()
    session.add(OutboxMessage(kind=KIND_ACCOUNT_REQUEST, payload={"request_id": request.id}))
    return request


def pending_requests(session: Session) -> list[AccountRequest]:
    return list(
        session.scalars(
            select(AccountRequest).where(AccountRequest.status == "pending").order_by(AccountRequest.created_at)
        )
    )


def decide_request(
    session: Session, request: AccountRequest, approve: bool, admin_id: str, now: datetime
) -> Invitation | None:
    if request.status != "pending":
        raise AccountError("request_decided")
    request.status = "approved" if approve else "declined"
    request.decided_by = admin_id
    request.decided_at = now
    if not approve:
        return None
    grant = Grant(role_names.PROFESSIONAL, profession=request.profession)
    return invite(session, request.email, request.name, [grant], admin_id, now)


# --- password reset ----------------------------------------------------------------------


def start_reset(session: Session, email: str, now: datetime) -> None:
    """Queue a reset mail if the account exists; the caller shows the same page either way."""
    user = user_by_email(session, email)
    if user is None or not user.is_active:
        return
    reset = PasswordReset(user_id=user.id, created_at=now, expires_at=now + RESET_LIFETIME)
    session.add(reset)
    session.flush()
    session.add(OutboxMessage(kind=KIND_PASSWORD_RESET, payload={"reset_id": reset.id}))


def open_reset(session: Session, secret: str, reset_id: str, signature: str, now: datetime) -> PasswordReset:
    reset = session.get(PasswordReset, reset_id)
    if reset is None or not _signature_ok(secret, KIND_PASSWORD_RESET, reset_id, signature):
        raise AccountError("reset_unknown")
    if reset.used_at is not None or reset.expires_at <= now:
        raise AccountError("reset_expired")
    return reset


def complete_reset(session: Session, reset: PasswordReset, password: str, now: datetime) -> User:
    user = session.get(User, reset.user_id)
    if user is None or not user.is_active:
        raise AccountError("reset_unknown")
    passwords.check_policy(password, user.name, user.email)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = now
    reset.used_at = now
    sessions.end_all(session, user.id, "password_reset", now)  # every other login ends
    clear_account(session, user)  # whoever guessed at the old password no longer stands in her way
    return user


def change_password(session: Session, user: User, current: str, new: str, keep_session_id: str, now: datetime) -> None:
    if not passwords.verify(user.password_hash, current):
        raise AccountError("password_wrong")
    passwords.check_policy(new, user.name, user.email)
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = now
    sessions.end_all(session, user.id, "password_changed", now, keep_id=keep_session_id)


# --- administration -----------------------------------------------------------------------


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(func.lower(User.name))))


def set_active(session: Session, user: User, active: bool, now: datetime) -> None:
    user.is_active = active
    if not active:
        sessions.end_all(session, user.id, "account_disabled", now)


def remove_role(session: Session, user: User, grant_id: int) -> None:
    grant = next((g for g in user.roles if g.id == grant_id), None)
    if grant is None:
        raise AccountError("role_unknown")
    user.roles.remove(grant)
    session.flush()


def add_role(session: Session, user: User, grant: Grant) -> None:
    validate_grant(grant)
    check_organisation(session, grant)
    if any(
        (g.role, g.organisation_id, g.municipality_code) == (grant.role, grant.organisation_id, grant.municipality_code)
        for g in user.roles
    ):
        return
    user.roles.append(
        RoleGrant(
            role=grant.role,
            organisation_id=grant.organisation_id,
            municipality_code=grant.municipality_code,
            profession=grant.profession,
        )
    )
    session.flush()


def bootstrap_admin(session: Session, email: str, name: str, now: datetime) -> Invitation:
    """The first administrator: an invitation that expires within 24 hours, printed by the CLI."""
    return invite(session, email, name, [Grant(role_names.ADMIN)], None, now, BOOTSTRAP_LIFETIME)
