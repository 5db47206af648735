"""What a parent gives when registering (the basiskader), as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass, field

from balie.domain.due_date import DueMonth
from balie.domain.postcode import HouseNumber, Postcode

MAX_NAME_CHARS = 80
MAX_NOTE_CHARS = 500
MAX_REACHABLE_AT_CHARS = 100  # "where we can reach you" without a fixed address: a few words

# Version of the privacy text shown with the form; stored with every registration.
PRIVACY_TEXT_VERSION = "2026-12"

CALL_TIMES = ("morning", "afternoon", "evening")
INTERPRETER_CHOICES = ("no", "yes")
# "Who advised you?" on the parent's form: the kinds a parent can tell apart. "hospital" is "a
# hospital or gynaecologist"; a professional's own profession is finer (roles.PROFESSIONS).
ADVISOR_KINDS = ("midwife", "maternity_care", "gp", "hospital", "social_team", "other")
ROUTES = ("self", "assisted", "referral")


@dataclass(frozen=True)
class ContactPreferences:
    """When to call and how to make contact safe. All optional."""

    call_times: tuple[str, ...] = ()
    no_voicemail: bool = False
    no_text_messages: bool = False
    only_chosen_times: bool = False
    discreet: bool = False  # if someone else answers, do not say who is calling

    def as_dict(self) -> dict[str, object]:
        return {
            "call_times": list(self.call_times),
            "no_voicemail": self.no_voicemail,
            "no_text_messages": self.no_text_messages,
            "only_chosen_times": self.only_chosen_times,
            "discreet": self.discreet,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ContactPreferences:
        found = data.get("call_times")
        times = found if isinstance(found, list | tuple) else ()
        return cls(
            call_times=tuple(str(t) for t in times if t in CALL_TIMES),
            no_voicemail=bool(data.get("no_voicemail")),
            no_text_messages=bool(data.get("no_text_messages")),
            only_chosen_times=bool(data.get("only_chosen_times")),
            discreet=bool(data.get("discreet")),
        )

    @property
    def has_safety_wishes(self) -> bool:
        return self.no_voicemail or self.no_text_messages or self.only_chosen_times or self.discreet


@dataclass(frozen=True)
class RegistrationData:
    """A validated registration. Personal fields are kept out of repr."""

    name: str = field(repr=False)
    phone: str | None = field(repr=False)  # E.164
    email: str | None = field(repr=False)
    postcode: Postcode | None = field(repr=False)  # None: no fixed address
    house: HouseNumber | None = field(repr=False)
    due: DueMonth = field(repr=False)
    language: str
    interpreter: str
    preferences: ContactPreferences = field(repr=False)
    advisor_kind: str | None
    note: str = field(repr=False)
    wants_mail: bool
    submission_token: str = field(repr=False)
    municipality_code: str | None = None  # chosen when the PC4 lies in two gemeenten
    route: str = "self"
    advice_code: str | None = None  # from the professional's advice card (QR or typed)
    feedback_consent: bool = False  # the advising professional may hear process events
    advisor_user_id: str | None = None  # assisted / referral: the professional on whose screen
    consent_method: str | None = None  # referral: how the pregnant woman gave consent
    # No fixed address (a shelter, a secret address, a briefadres, homeless): no postcode and house
    # number; she chose her gemeente (municipality_code) and may say where she can be reached.
    no_fixed_address: bool = False
    reachable_at: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.no_fixed_address:
            if self.postcode is not None or self.house is not None or not self.municipality_code:
                raise ValueError("without a fixed address: a gemeente, and no postcode or house number")
        elif self.postcode is None or self.house is None or self.reachable_at is not None:
            raise ValueError("with a fixed address: a postcode and a house number")

    @property
    def address(self) -> str | None:
        """Postcode and house number, e.g. "2611 AB 12 A"; None without a fixed address."""
        if self.postcode is None or self.house is None:
            return None
        return f"{self.postcode} {self.house}"
