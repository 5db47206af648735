"""Version counters of the search indexes (bumped in the transaction of each change)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.models import SearchVersion


def bump(session: Session, index_name: str) -> int:
    state = session.get(SearchVersion, index_name, with_for_update=True)
    if state is None:
        state = SearchVersion(index_name=index_name, version=0)
        session.add(state)
    state.version += 1
    session.flush()
    return state.version


def current(session: Session, index_name: str) -> int:
    return session.scalar(select(SearchVersion.version).where(SearchVersion.index_name == index_name)) or 0
