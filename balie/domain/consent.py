"""Consent: the texts parents agree to, versioned, and the rules for process-only feedback.

Every registration stores the version of the text the parent saw. When a text changes, its
version changes; old registrations keep the version they were given under.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

# Versions of the consent texts (the texts themselves are translatable messages in templates).
FEEDBACK_TEXT_VERSION = "feedback-2026-12"  # "whether the conversation took place", not "how it went"
ASSISTED_TEXT_VERSION = "assisted-2026-11"
REFERRAL_TEXT_VERSION = "referral-2026-12"  # what the PHB is, why, and everything that goes to the JGZ

# Professions that may refer directly: the verloskundig zorgverlener only (verloskundige, klinisch
# verloskundige, gynaecoloog), as the national standpoint of 30 October 2025 says.
REFERRING_PROFESSIONS = frozenset({"midwife", "clinical_midwife", "gynaecologist"})


class ConsentMethod(enum.StrEnum):
    IN_PERSON = "in_person"
    BY_PHONE = "by_phone"


class FeedbackEvent(enum.StrEnum):
    """What an advising professional may hear: the *that*, never the *what*."""

    RECEIVED = "received"
    CONTACT_MADE = "contact_made"
    VISIT_HELD = "visit_held"
    FOLLOW_UP_ARRANGED = "follow_up_arranged"
    CLOSED = "closed"


# Inbox steps that become feedback events (codes such as the kind of follow-up never pass).
STEP_TO_FEEDBACK = {
    "contact_made": FeedbackEvent.CONTACT_MADE,
    "visit_held": FeedbackEvent.VISIT_HELD,
    "follow_up": FeedbackEvent.FOLLOW_UP_ARRANGED,
    "close": FeedbackEvent.CLOSED,
}


@dataclass(frozen=True)
class FeedbackWindow:
    consented: bool
    withdrawn: bool
    until: date | None

    def open_on(self, day: date) -> bool:
        return self.consented and not self.withdrawn and self.until is not None and day <= self.until
