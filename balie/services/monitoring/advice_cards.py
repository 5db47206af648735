"""Advice cards handed out, for a practice (a set of professionals) or the whole desk.

An advice card records its professional and when it was made, nothing about a gemeente or a
parent (a professional works for parents of several gemeenten and is not scoped to one). So cards
cannot be counted per gemeente: they are counted per set of professionals (a practice, as the
caller knows it) or for the whole desk, by the professional's profession. A card here is a code
made in the period; how many paper copies of it were printed and handed out, the desk cannot
know. What the cards led to is counted by registration, which does have a gemeente: the route
"self_with_code" of the funnel, and here the registrations made with these professionals' cards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from balie.domain.roles import PROFESSIONS
from balie.models import AdviceCode, Registration, RoleGrant
from balie.services.monitoring.counts import Breakdown
from balie.services.monitoring.periods import Period

UNKNOWN = "unknown"
PROFESSION_KEYS = (*PROFESSIONS, UNKNOWN)


@dataclass(frozen=True)
class AdviceCards:
    cards: Breakdown  # PROFESSION_KEYS: cards made in the period, by the maker's profession
    registrations_with_card: int  # registrations received in the period with one of these professionals' cards


def advice_cards(session: Session, period: Period, professional_ids: Collection[str] | None = None) -> AdviceCards:
    """For these professionals (a practice), or the whole desk when None."""
    start, end = period.utc_bounds()
    # A professional's profession (the lowest code if she holds several professional grants).
    profession = (
        select(RoleGrant.user_id, func.min(RoleGrant.profession).label("profession"))
        .where(RoleGrant.profession.is_not(None))
        .group_by(RoleGrant.user_id)
        .subquery()
    )
    mine: tuple[ColumnElement[bool], ...] = ()
    if professional_ids is not None:
        mine = (AdviceCode.professional_id.in_(sorted(professional_ids)),)
    kind = func.coalesce(profession.c.profession, UNKNOWN)
    rows = session.execute(
        select(kind, func.count())
        .select_from(AdviceCode)
        .outerjoin(profession, profession.c.user_id == AdviceCode.professional_id)
        .where(AdviceCode.created_at >= start, AdviceCode.created_at < end, *mine)
        .group_by(kind)
    ).all()
    found: Counter[str] = Counter()
    for name, count in rows:
        found[name if name in PROFESSIONS else UNKNOWN] += int(count)
    used = session.scalar(
        select(func.count())
        .select_from(Registration)
        .join(AdviceCode, AdviceCode.id == Registration.advice_code_id)
        .where(
            Registration.created_at >= start,
            Registration.created_at < end,
            Registration.merged_into_id.is_(None),
            *mine,
        )
    )
    return AdviceCards(Breakdown.of(PROFESSION_KEYS, found), int(used or 0))
