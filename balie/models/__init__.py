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
    SearchVersion,
    Service,
    ServiceArea,
    ServiceChange,
    ServiceFileValue,
    ServiceLanguage,
    ServicePhase,
    service_category,
)
from balie.models.monitoring import MonitorSnapshot, ReferenceFigureChange, ReferenceFigures
from balie.models.outbox import OutboxMessage
from balie.models.progress import RegistrationEvent
from balie.models.qa import Answer, HelpfulVote, PostRevision, Question, Subscription, Tag, question_tag
from balie.models.reference import Municipality, PostcodeArea
from balie.models.registration import Registration
from balie.models.uploads import PendingUpload

__all__ = [
    "AccessLogEntry",
    "AccountRequest",
    "AdviceCode",
    "Answer",
    "Base",
    "Category",
    "HelpfulVote",
    "Invitation",
    "Location",
    "LoginThrottle",
    "MonitorSnapshot",
    "Municipality",
    "Organisation",
    "OutboxMessage",
    "PasswordReset",
    "PendingUpload",
    "Phone",
    "PostRevision",
    "PostcodeArea",
    "Question",
    "RecoveryCode",
    "ReferenceFigureChange",
    "ReferenceFigures",
    "Registration",
    "RegistrationEvent",
    "RoleGrant",
    "SearchVersion",
    "Service",
    "ServiceArea",
    "ServiceChange",
    "ServiceFileValue",
    "ServiceLanguage",
    "ServicePhase",
    "Subscription",
    "Tag",
    "User",
    "UserSession",
    "question_tag",
    "service_category",
]
