"""The vraagbaak's starting content (balie/data/vraagbaak.yaml): answered questions with an owner.

Idempotent. A question that is not in the database yet is added. A question that exists gets the
corrections of a newer seed, field by field, but only where nobody changed the text: a field is
brought up to date when its stored text is one that the seed once shipped (its digest is listed in
vraagbaak_shipped.yaml). A field an editor or moderator changed is kept and reported, so no
editor's change is ever lost and a wrong text in an old seed does not stay on the desk either.
The content is written and owned by the "Redactie Balie" account, which cannot log in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from balie.domain import roles
from balie.models import Answer, PostRevision, Question, RoleGrant, Tag, User
from balie.services import search_versions
from balie.services.qa.questions import INDEX_NAME, tag_code

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
EDITOR_EMAIL = "redactie@balie.invalid"


SHIPPED_FILE = DATA_DIR / "vraagbaak_shipped.yaml"
# The seed's texts per question: the question, the accepted answer, and the parents' FAQ texts.
FIELDS = ("title", "body", "answer", "public_title_nl", "public_answer_nl", "public_title_en", "public_answer_en")


@dataclass(frozen=True)
class SeedCounts:
    tags: int
    questions: int
    updated: int = 0  # fields brought up to date with the seed
    kept: tuple[str, ...] = field(default=())  # "question id: field" that an editor changed


def digest(text: str) -> str:
    """How vraagbaak_shipped.yaml names a text the seed shipped (the stripped text's sha256, 16 hex)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


def shipped() -> dict[str, dict[str, list[str]]]:
    if not SHIPPED_FILE.exists():
        return {}
    return yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8")) or {}


def _seeded_answer(session: Session, question: Question, editor: User) -> Answer | None:
    from sqlalchemy import select

    return session.scalar(
        select(Answer)
        .where(Answer.question_id == question.id, Answer.author_id == editor.id)
        .order_by(Answer.created_at)
    )


def _update(
    session: Session, question: Question, item: dict, editor: User, known: dict[str, list[str]], now: datetime
) -> tuple[int, list[str]]:
    """Bring the fields nobody changed up to date with the seed; name the ones an editor changed."""
    answer = _seeded_answer(session, question, editor)
    updated, kept = 0, []
    for name in FIELDS:
        new = (item.get(name) or "").strip()
        target = answer if name == "answer" else question
        if target is None:
            continue
        current = (target.body if name == "answer" else getattr(question, name)) or ""
        if current.strip() == new:
            continue
        if not current.strip() and name.startswith("public_") and not question.public:
            continue  # not shown to parents: a moderator writes these when publishing
        if current.strip() and digest(current) not in known.get(name, []):
            kept.append(f"{question.id}: {name}")
            continue
        if name in ("title", "body"):
            session.add(
                PostRevision(
                    post_type="question",
                    post_id=question.id,
                    title=question.title,
                    body=question.body,
                    edited_by=editor.id,
                    edited_at=now,
                )
            )
        elif name == "answer" and answer is not None:
            session.add(
                PostRevision(
                    post_type="answer", post_id=answer.id, body=answer.body, edited_by=editor.id, edited_at=now
                )
            )
            answer.body, answer.updated_at = new, now
            updated += 1
            continue
        setattr(question, name, new)
        question.updated_at = now
        updated += 1
    return updated, kept


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
    added = updated = 0
    kept: list[str] = []
    known = shipped()
    changed: list[Question] = []
    for item in items or []:
        existing = session.get(Question, item["id"])
        if existing is not None:
            count, not_updated = _update(session, existing, item, editor, known.get(item["id"], {}), now)
            updated, kept = updated + count, kept + not_updated
            if count:
                changed.append(existing)
            continue
        question = Question(
            id=item["id"],
            title=item["title"].strip(),
            body=(item.get("body") or "").strip(),
            author_id=editor.id,
            created_at=now,
            updated_at=now,
            pinned=bool(item.get("pinned")),
            public=bool(item.get("public")),
            public_title_nl=(item.get("public_title_nl") or "").strip(),
            public_answer_nl=(item.get("public_answer_nl") or "").strip(),
            public_title_en=(item.get("public_title_en") or "").strip(),
            public_answer_en=(item.get("public_answer_en") or "").strip(),
        )
        codes = [tag_code(name) for name in item.get("tags", ())]
        question.tags = [session.get(Tag, code) or Tag(code=code, name=code) for code in dict.fromkeys(codes)]
        answer = Answer(
            question=question,
            body=item["answer"].strip(),
            author_id=editor.id,
            created_at=now,
            updated_at=now,
            owner_id=editor.id,
            review_by=date.fromisoformat(str(item["review_by"])),
            reviewed_at=now,
        )
        session.add_all([question, answer])
        session.flush()
        question.accepted_answer_id = answer.id
        added += 1
    if added or changed:
        version = search_versions.bump(session, INDEX_NAME)
        for question in [*session.new, *changed]:
            if isinstance(question, Question):
                question.index_version = version
    session.flush()
    return SeedCounts(len(curated), added, updated, tuple(kept))
