"""Composing the mails the outbox sends. Staff mails carry a link only; parent mails are neutral."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import urlencode

from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.crypto import KeyRing
from balie.domain import roles
from balie.domain.roles import Permission
from balie.models import Invitation, Organisation, OutboxMessage, PasswordReset, Registration, RoleGrant, User
from balie.services import outbox
from balie.services.accounts import lifecycle as accounts
from balie.services.qa import questions as qa
from balie.services.registrations import advice, personal_data
from balie.services.registrations import submission as registrations


class NothingToSend(Exception):
    """The message no longer has a purpose (data purged, no address): finish it unsent."""


class NoRecipient(Exception):
    """The organisation has no intake address configured: retry later, after it is fixed."""


@dataclass(frozen=True)
class MailSettings:
    sender: str
    base_url: str
    region_name: str
    keys: KeyRing
    secret: str = ""


def message_id(message: OutboxMessage, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "balie.invalid"
    return f"<{message.id}@{domain}>"


def _envelope(message: OutboxMessage, settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id(message, settings.sender)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body)
    return mail


def compose(session: Session, message: OutboxMessage, settings: MailSettings) -> EmailMessage:
    registration = session.get(Registration, message.registration_id) if message.registration_id else None
    if message.kind in (outbox.KIND_NEW_REGISTRATION, registrations.KIND_WITHDRAWN):
        organisation = session.get(Organisation, message.payload.get("organisation_id", ""))
        if organisation is None:
            raise NothingToSend()
        if not organisation.email:
            raise NoRecipient()
        withdrawn = message.kind == registrations.KIND_WITHDRAWN
        with force_locale("nl"):
            subject = (
                gettext("A registration for %(organisation)s was withdrawn", organisation=organisation.name)
                if withdrawn
                else gettext("New registration for %(organisation)s", organisation=organisation.name)
            )
            body = render_template(
                "email/withdrawn.txt" if withdrawn else "email/new_registration.txt",
                organisation=organisation,
                inbox_url=settings.base_url + "/inbox",
            )
        return _envelope(message, settings, organisation.email, subject, body)
    if message.kind == outbox.KIND_PARENT_CONFIRMATION:
        if registration is None or registration.purged_at is not None:
            raise NothingToSend()
        details = personal_data.open_details(registration, settings.keys)
        if not details.email:
            raise NothingToSend()
        if registration.route != "self":
            return _parent_codes_mail(registration, details.email, message, settings)
        with force_locale(registration.locale):
            subject = gettext("Your message to %(desk)s", desk=f"Balie {settings.region_name}")
            body = render_template("email/parent_confirmation.txt", registration=registration, settings=settings)
        return _envelope(message, settings, details.email, subject, body)
    if message.kind == accounts.KIND_INVITATION:
        return _invitation_mail(session, message, settings)
    if message.kind == accounts.KIND_PASSWORD_RESET:
        return _reset_mail(session, message, settings)
    if message.kind == accounts.KIND_ACCOUNT_REQUEST:
        return _account_request_mail(session, message, settings)
    if message.kind in (qa.KIND_NEW_ANSWER, qa.KIND_REVIEW_DUE):
        return _qa_mail(session, message, settings)
    if message.kind == advice.KIND_FEEDBACK_UPDATE:
        return _feedback_mail(session, message, settings)
    raise NothingToSend()


def _parent_codes_mail(
    registration: Registration, to: str, message: OutboxMessage, settings: MailSettings
) -> EmailMessage:
    """After samen aanmelden or a referral, the parent may never have seen the professional's
    screen: her reference and withdrawal code, in her language, as neutral as the confirmation
    (no organisation, no pregnancy, no name). The code is derived here, never stored in the outbox."""
    language = registrations.parent_language(registration)
    code = registrations.withdrawal_code(settings.secret, registration.id)
    link = f"{settings.base_url}/intrekken?{urlencode({'kenmerk': registration.reference, 'lang': language})}"
    with force_locale(language):
        subject = gettext("Your reference and withdrawal code for %(desk)s", desk=f"Balie {settings.region_name}")
        body = render_template(
            "email/parent_codes.txt", registration=registration, withdrawal_code=code, link=link, settings=settings
        )
    return _envelope(message, settings, to, subject, body)


def _feedback_mail(session: Session, message: OutboxMessage, settings: MailSettings) -> EmailMessage:
    """News about an advice: a link to "my advice and referrals", nothing else."""
    user = session.get(User, message.payload.get("user_id", ""))
    if user is None or not user.is_active or not user.feedback_mail:
        raise NothingToSend()
    with force_locale("nl"):
        subject = gettext("News about your advice on the Balie")
        body = render_template("email/feedback_update.txt", link=f"{settings.base_url}/advies")
    return _envelope(message, settings, user.email, subject, body)


def _qa_mail(session: Session, message: OutboxMessage, settings: MailSettings) -> EmailMessage:
    """A link to the question, nothing of its content (it may be read on a shared device)."""
    user = session.get(User, message.payload.get("user_id", ""))
    if user is None or not user.is_active:
        raise NothingToSend()
    link = f"{settings.base_url}/vraagbaak/vragen/{message.payload.get('question_id', '')}"
    with force_locale("nl"):
        if message.kind == qa.KIND_NEW_ANSWER:
            subject = gettext("New answer in the vraagbaak")
            body = render_template("email/qa_new_answer.txt", link=link)
        else:
            subject = gettext("An answer in the vraagbaak is due for review")
            body = render_template("email/qa_review_due.txt", link=link)
    return _envelope(message, settings, user.email, subject, body)


def _invitation_mail(session: Session, message: OutboxMessage, settings: MailSettings) -> EmailMessage:
    invitation = session.get(Invitation, message.payload.get("invitation_id", ""))
    if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise NothingToSend()
    signature = accounts.link_signature(settings.secret, accounts.KIND_INVITATION, invitation.id)
    link = f"{settings.base_url}/uitnodiging/{invitation.id}/{signature}"
    with force_locale("nl"):
        subject = gettext("Your account for %(desk)s", desk=f"Balie {settings.region_name}")
        body = render_template("email/invitation.txt", invitation=invitation, link=link, settings=settings)
    return _envelope(message, settings, invitation.email, subject, body)


def _reset_mail(session: Session, message: OutboxMessage, settings: MailSettings) -> EmailMessage:
    reset = session.get(PasswordReset, message.payload.get("reset_id", ""))
    user = session.get(User, reset.user_id) if reset else None
    if reset is None or user is None or reset.used_at is not None:
        raise NothingToSend()
    signature = accounts.link_signature(settings.secret, accounts.KIND_PASSWORD_RESET, reset.id)
    link = f"{settings.base_url}/wachtwoord-herstellen/{reset.id}/{signature}"
    with force_locale("nl"):
        subject = gettext("Set a new password for %(desk)s", desk=f"Balie {settings.region_name}")
        body = render_template("email/password_reset.txt", link=link, settings=settings)
    return _envelope(message, settings, user.email, subject, body)


def _account_request_mail(session: Session, message: OutboxMessage, settings: MailSettings) -> EmailMessage:
    admins = (
        session.scalars(
            select(User)
            .join(RoleGrant)
            .where(RoleGrant.role.in_(roles.with_permission(Permission.USERS_MANAGE)), User.is_active.is_(True))
        )
        .unique()
        .all()
    )
    if not admins:
        raise NothingToSend()
    with force_locale("nl"):
        subject = gettext("New account request on %(desk)s", desk=f"Balie {settings.region_name}")
        body = render_template("email/account_request.txt", link=f"{settings.base_url}/beheer/aanvragen")
    return _envelope(message, settings, ", ".join(sorted(a.email for a in admins)), subject, body)
