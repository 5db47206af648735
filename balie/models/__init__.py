"""SQLAlchemy models only. Import them from here."""

from balie.models.account import (
    AccountRequest,
    Invitation,
    LoginThrottle,
    PasswordReset,
    RecoveryCode,
    RoleGrant,
    User,
    UserSession,
)
from balie.models.advice import AdviceCode
from balie.models.audit import AccessLogEntry
from balie.models.base import Base
from balie.models.directory import (
    Category,
    Location,
    Organisation,
    Phone,
    Service,
    ServiceArea,
    ServiceChange,
    ServiceFileValue,
    ServiceLanguage,
    SearchVersion,
    ServicePhase,
    service_category,
)
from balie.models.outbox import OutboxMessage
from balie.models.progress import RegistrationEvent
from balie.models.qa import Answer, HelpfulVote, PostRevision, Question, Subscription, Tag, question_tag
from balie.models.reference import Municipality, PostcodeArea
from balie.models.registration import Registration

__all__ = [
    "AccessLogEntry",
    "AdviceCode",
    "Answer",
    "HelpfulVote",
    "PostRevision",
    "Question",
    "Subscription",
    "Tag",
    "question_tag",
    "AccountRequest",
    "Base",
    "Invitation",
    "LoginThrottle",
    "PasswordReset",
    "RecoveryCode",
    "RegistrationEvent",
    "RoleGrant",
    "User",
    "UserSession",
    "Category",
    "Location",
    "Municipality",
    "Organisation",
    "OutboxMessage",
    "Phone",
    "PostcodeArea",
    "Registration",
    "Service",
    "ServiceArea",
    "ServiceChange",
    "ServiceFileValue",
    "ServiceLanguage",
    "SearchVersion",
    "ServicePhase",
    "service_category",
]
