"""The vraagbaak's starting content (balie/data/vraagbaak.yaml): answered questions with an owner.

Idempotent: questions that exist (by id) are left alone, so editors' later changes stay.
The content is written and owned by the "Redactie Balie" account, which cannot log in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from balie.domain import roles
from balie.models import Answer, Question, RoleGrant, Tag, User
from balie.services import search_versions
from balie.services.qa import INDEX_NAME, tag_code

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
EDITOR_EMAIL = "redactie@balie.invalid"


@dataclass(frozen=True)
class SeedCounts:
    tags: int
    questions: int


def _editor(session: Session, now: datetime) -> User:
    from sqlalchemy import select

    editor = session.scalar(select(User).where(User.email == EDITOR_EMAIL))
    if editor is None:
        editor = User(email=EDITOR_EMAIL, name="Redactie Balie", password_hash=None, created_at=now)
        editor.roles.append(RoleGrant(role=roles.MODERATOR))
        session.add(editor)
        session.flush()
    return editor


def seed(session: Session, now: datetime) -> SeedCounts:
    with open(DATA_DIR / "vraagbaak_tags.yaml", encoding="utf-8") as handle:
        curated = yaml.safe_load(handle) or []
    for item in curated:
        tag = session.get(Tag, item["code"]) or Tag(code=item["code"])
        tag.name, tag.curated = item["name"], True
        session.add(tag)
    path = DATA_DIR / "vraagbaak.yaml"
    items = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
    editor = _editor(session, now)
    added = 0
    for item in items or []:
        existing = session.get(Question, item["id"])
        if existing is not None:
            # Editors' changes stay; only parent texts that were never written are filled in.
            if existing.public and not existing.public_title_nl and item.get("public_title_nl"):
                existing.public_title_nl = item["public_title_nl"].strip()
                existing.public_answer_nl = (item.get("public_answer_nl") or "").strip()
            continue
        question = Question(
            id=item["id"], title=item["title"].strip(), body=(item.get("body") or "").strip(), author_id=editor.id,
            created_at=now, updated_at=now, pinned=bool(item.get("pinned")), public=bool(item.get("public")),
            public_title_nl=(item.get("public_title_nl") or "").strip(), public_answer_nl=(item.get("public_answer_nl") or "").strip(),
            public_title_en=(item.get("public_title_en") or "").strip(), public_answer_en=(item.get("public_answer_en") or "").strip(),
        )
        codes = [tag_code(name) for name in item.get("tags", ())]
        question.tags = [session.get(Tag, code) or Tag(code=code, name=code) for code in dict.fromkeys(codes)]
        answer = Answer(
            question=question, body=item["answer"].strip(), author_id=editor.id, created_at=now, updated_at=now,
            owner_id=editor.id, review_by=date.fromisoformat(str(item["review_by"])), reviewed_at=now,
        )
        session.add_all([question, answer])
        session.flush()
        question.accepted_answer_id = answer.id
        added += 1
    if added:
        version = search_versions.bump(session, INDEX_NAME)
        for question in session.new:
            if isinstance(question, Question):
                question.index_version = version
    session.flush()
    return SeedCounts(len(curated), added)
