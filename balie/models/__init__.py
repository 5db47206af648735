"""SQLAlchemy models only. Import them from here."""

from balie.models.base import Base
from balie.models.directory import (
    Category,
    Organisation,
    Phone,
    Service,
    ServiceArea,
    ServiceLanguage,
    service_category,
)
from balie.models.outbox import OutboxMessage
from balie.models.reference import Municipality, PostcodeArea
from balie.models.registration import Registration

__all__ = [
    "Base",
    "Category",
    "Municipality",
    "Organisation",
    "OutboxMessage",
    "Phone",
    "PostcodeArea",
    "Registration",
    "Service",
    "ServiceArea",
    "ServiceLanguage",
    "service_category",
]
