"""Equity: does the PHB reach parents who speak another language, and through whom do they come?

Of the registrations counted (see ``cohort``): in Dutch or another contact language; with or
without an interpreter asked for; on her own, on her own with an advice card's code, or through
a professional (samen aangemeld or referred directly). The feedback consent rate is counted among
the registrations with a known professional (a card, samen aanmelden or a referral): only they
can give it. Shares are left to the page, after small cells are suppressed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from balie.models import Registration
from balie.services.monitoring.cohort import counted
from balie.services.monitoring.counts import Breakdown
from balie.services.monitoring.periods import Period

LANGUAGES = ("dutch", "other_language")
INTERPRETER = ("interpreter", "no_interpreter")
CHANNELS = ("self", "self_with_code", "through_professional")
FEEDBACK = ("consented", "not_consented")
_NO_PROFESSIONAL = "no_professional"


@dataclass(frozen=True)
class Equity:
    registrations: int
    languages: Breakdown  # LANGUAGES, of the registrations
    interpreter: Breakdown  # INTERPRETER, of the registrations
    channels: Breakdown  # CHANNELS, of the registrations
    feedback: Breakdown  # FEEDBACK, of the registrations with a known professional


def equity(session: Session, gemeenten: Collection[str], period: Period) -> Equity:
    keys = (
        case((Registration.language == "nl", "dutch"), else_="other_language").label("language"),
        case((Registration.interpreter == "yes", "interpreter"), else_="no_interpreter").label("interpreter"),
        case(
            (Registration.route.in_(("assisted", "referral")), "through_professional"),
            (and_(Registration.route == "self", Registration.advice_code_id.is_not(None)), "self_with_code"),
            else_="self",
        ).label("channel"),
        case(
            (Registration.advisor_user_id.is_(None), _NO_PROFESSIONAL),
            (Registration.feedback_consent, "consented"),
            else_="not_consented",
        ).label("feedback"),
    )
    rows = session.execute(select(*keys, func.count()).where(*counted(gemeenten, period)).group_by(*keys)).all()
    tally: dict[str, Counter[str]] = {key.name: Counter() for key in keys}
    for *values, count in rows:
        for key, value in zip(keys, values, strict=True):
            tally[key.name][str(value)] += int(count)
    return Equity(
        registrations=sum(tally["language"].values()),
        languages=Breakdown.of(LANGUAGES, tally["language"]),
        interpreter=Breakdown.of(INTERPRETER, tally["interpreter"]),
        channels=Breakdown.of(CHANNELS, tally["channel"]),
        feedback=Breakdown.of(FEEDBACK, tally["feedback"]),
    )
