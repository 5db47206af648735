"""The names of users by id, for pages that say who did something (one query per page, not per row)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.models import User


def names(session: Session, user_ids: Iterable[str]) -> dict[str, str]:
    """User id → name for the ids that are users (others, such as "system", are left out)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    return {row.id: row.name for row in session.execute(select(User.id, User.name).where(User.id.in_(wanted)))}
