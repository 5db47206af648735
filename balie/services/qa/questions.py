"""The vraagbaak's use cases: ask, answer, edit with history, accept, helpful, moderate, follow.

Every post passes the privacy guard first: a post with client personal data is refused and
nothing is stored. New answers notify the followers of the question and of its tags with a
mail that holds only a link.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from balie.domain import privacy_guard, roles
from balie.domain.errors import DomainError
from balie.domain.roles import Permission
from balie.models import Answer, HelpfulVote, OutboxMessage, PostRevision, Question, RoleGrant, Subscription, Tag, User
from balie.services import search_versions

INDEX_NAME = "vraagbaak"
MAX_TAGS = 6
KIND_NEW_ANSWER = "qa_new_answer"
KIND_REVIEW_DUE = "qa_review_due"
REMIND_EVERY = timedelta(days=7)


class PersonalDataFound(DomainError):
    """The post seems to hold client personal data; ``findings`` says what, to show the writer."""

    code = "personal_data_found"

    def __init__(self, findings: list[privacy_guard.Finding]) -> None:
        super().__init__()
        self.findings = findings


class NotAllowed(DomainError):
    code = "qa_not_allowed"


@dataclass(frozen=True)
class Actor:
    user_id: str
    is_moderator: bool


def guard(today: date, *texts: str) -> None:
    findings = [finding for text in texts for finding in privacy_guard.scan(text, today)]
    if findings:
        raise PersonalDataFound(findings)


def tag_code(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40]


def _tags(session: Session, names: tuple[str, ...]) -> list[Tag]:
    found: dict[str, Tag] = {}
    for name in names:
        code = tag_code(name)
        if not code or code in found:
            continue
        tag = session.get(Tag, code)
        if tag is None:
            tag = Tag(code=code, name=name.strip().lower()[:60], curated=False)
            session.add(tag)
        found[code] = tag
    return list(found.values())[:MAX_TAGS]


def _bump(session: Session, question: Question) -> None:
    question.index_version = search_versions.bump(session, INDEX_NAME)


def current_version(session: Session) -> int:
    return search_versions.current(session, INDEX_NAME)


def ask(
    session: Session, author_id: str, title: str, body: str, tag_names: tuple[str, ...], today: date, now: datetime
) -> Question:
    guard(today, title, body)
    question = Question(
        title=" ".join(title.split()), body=body.strip(), author_id=author_id, created_at=now, updated_at=now
    )
    question.tags = _tags(session, tag_names)
    session.add(question)
    session.flush()
    session.add(Subscription(user_id=author_id, kind="question", target=question.id))
    _bump(session, question)
    return question


def answer(session: Session, question: Question, author_id: str, body: str, today: date, now: datetime) -> Answer:
    if question.locked or question.hidden or question.merged_into_id:
        raise NotAllowed("question_closed")
    guard(today, body)
    new = Answer(question=question, body=body.strip(), author_id=author_id, created_at=now, updated_at=now)
    session.add(new)
    question.updated_at = now
    session.flush()
    _notify_followers(session, question, new, author_id)
    _bump(session, question)
    return new


def _notify_followers(session: Session, question: Question, new: Answer, author_id: str) -> None:
    targets = [("question", question.id)] + [("tag", tag.code) for tag in question.tags]
    followers = set(
        session.scalars(
            select(Subscription.user_id).where(
                or_(*[(Subscription.kind == kind) & (Subscription.target == target) for kind, target in targets])
            )
        )
    ) - {author_id}
    for user_id in sorted(followers):
        session.add(OutboxMessage(kind=KIND_NEW_ANSWER, payload={"user_id": user_id, "question_id": question.id}))


def _may_edit(actor: Actor, author_id: str | None) -> bool:
    return actor.is_moderator or (author_id is not None and author_id == actor.user_id)


def edit_question(
    session: Session,
    question: Question,
    actor: Actor,
    title: str,
    body: str,
    tag_names: tuple[str, ...],
    today: date,
    now: datetime,
) -> None:
    if not _may_edit(actor, question.author_id):
        raise NotAllowed()
    guard(today, title, body)
    session.add(
        PostRevision(
            post_type="question",
            post_id=question.id,
            title=question.title,
            body=question.body,
            edited_by=actor.user_id,
            edited_at=now,
        )
    )
    question.title, question.body, question.updated_at = " ".join(title.split()), body.strip(), now
    question.tags = _tags(session, tag_names)
    _bump(session, question)


def edit_answer(session: Session, found: Answer, actor: Actor, body: str, today: date, now: datetime) -> None:
    if not _may_edit(actor, found.author_id):
        raise NotAllowed()
    guard(today, body)
    session.add(
        PostRevision(post_type="answer", post_id=found.id, body=found.body, edited_by=actor.user_id, edited_at=now)
    )
    found.body, found.updated_at = body.strip(), now
    _bump(session, found.question)


def accept(session: Session, question: Question, found: Answer, actor: Actor) -> None:
    """The asker or a moderator marks the answer that solves the question."""
    if found.question_id != question.id or found.hidden:
        raise NotAllowed()
    if not (actor.is_moderator or question.author_id == actor.user_id):
        raise NotAllowed()
    question.accepted_answer_id = found.id
    _bump(session, question)


def mark_helpful(session: Session, found: Answer, user_id: str) -> bool:
    """One helpful mark per person per answer (not for one's own). Returns whether it counted."""
    if found.author_id == user_id or session.scalar(
        select(HelpfulVote.id).where(HelpfulVote.answer_id == found.id, HelpfulVote.user_id == user_id)
    ):
        return False
    session.add(HelpfulVote(answer_id=found.id, user_id=user_id))
    session.flush()
    found.helpful_count = session.scalar(select(func.count()).where(HelpfulVote.answer_id == found.id)) or 0
    return True


# --- moderation -----------------------------------------------------------------------------

QUESTION_ACTIONS = ("pin", "unpin", "hide", "unhide", "lock", "unlock", "publish", "unpublish", "merge")


@dataclass(frozen=True)
class ParentText:
    """The question and answer as parents read them in the public FAQ (Dutch required, English optional)."""

    title_nl: str = ""
    answer_nl: str = ""
    title_en: str = ""
    answer_en: str = ""


def moderate_question(
    session: Session,
    question: Question,
    actor: Actor,
    action: str,
    *,
    merge_into: Question | None = None,
    parent_text: ParentText = ParentText(),
    today: date | None = None,
) -> None:
    if not actor.is_moderator or action not in QUESTION_ACTIONS:
        raise NotAllowed()
    if action in ("pin", "unpin"):
        question.pinned = action == "pin"
    elif action in ("hide", "unhide"):
        question.hidden = action == "hide"
    elif action in ("lock", "unlock"):
        question.locked = action == "lock"
    elif action == "publish":
        if not question.accepted_answer_id:
            raise NotAllowed("publish_needs_accepted_answer")
        text = parent_text
        if not text.title_nl.strip() or not text.answer_nl.strip():
            raise NotAllowed("publish_needs_parent_text")
        guard(today or date.today(), text.title_nl, text.answer_nl, text.title_en, text.answer_en)
        question.public = True
        question.public_title_nl, question.public_answer_nl = text.title_nl.strip(), text.answer_nl.strip()
        question.public_title_en, question.public_answer_en = text.title_en.strip(), text.answer_en.strip()
    elif action == "unpublish":
        question.public = False
    elif action == "merge":
        _merge(question, merge_into)
    _bump(session, question)


def _merge(duplicate: Question, target: Question | None) -> None:
    """The duplicate's answers move to the target; the duplicate points there from now on."""
    if target is None or target.id == duplicate.id or target.merged_into_id:
        raise NotAllowed("merge_target")
    for moved in list(duplicate.answers):
        moved.question = target
    duplicate.merged_into_id = target.id
    duplicate.hidden = True
    duplicate.accepted_answer_id = None
    existing = {t.code for t in target.tags}
    target.tags = target.tags + [t for t in duplicate.tags if t.code not in existing]


def moderate_answer(session: Session, found: Answer, actor: Actor, hidden: bool) -> None:
    if not actor.is_moderator:
        raise NotAllowed()
    found.hidden = hidden
    if hidden and found.question.accepted_answer_id == found.id:
        found.question.accepted_answer_id = None
    _bump(session, found.question)


def set_owner(session: Session, found: Answer, actor: Actor, owner: User, review_by: date, now: datetime) -> None:
    """An accepted answer gets an expert owner and a review-by date."""
    if not actor.is_moderator or found.question.accepted_answer_id != found.id:
        raise NotAllowed()
    if owner not in expert_owners(session):
        raise NotAllowed("owner_not_expert")
    found.owner_id, found.review_by, found.reviewed_at, found.review_reminded_at = owner.id, review_by, now, None


def mark_reviewed(session: Session, found: Answer, actor: Actor, review_by: date, now: datetime) -> None:
    if not (actor.is_moderator or found.owner_id == actor.user_id):
        raise NotAllowed()
    found.review_by, found.reviewed_at, found.review_reminded_at = review_by, now, None


def expert_owners(session: Session) -> list[User]:
    """Who may own an accepted answer: active moderators and administrators."""
    return list(
        session.scalars(
            select(User)
            .join(RoleGrant)
            .where(RoleGrant.role.in_(roles.with_permission(Permission.QA_MODERATE)), User.is_active.is_(True))
            .order_by(User.name)
        ).unique()
    )


def needs_review(found: Answer, today: date) -> bool:
    return found.review_by is not None and found.review_by < today


def due_for_review(session: Session, today: date) -> list[Answer]:
    return list(
        session.scalars(
            select(Answer)
            .where(Answer.review_by < today, Answer.hidden.is_(False))
            .options(selectinload(Answer.question), selectinload(Answer.owner))
            .order_by(Answer.review_by)
        )
    )


def remind_owners(session: Session, today: date, now: datetime) -> int:
    """Queue one reminder per overdue answer (again after a week if still overdue)."""
    count = 0
    for found in due_for_review(session, today):
        if found.owner_id and (found.review_reminded_at is None or now - found.review_reminded_at >= REMIND_EVERY):
            session.add(
                OutboxMessage(
                    kind=KIND_REVIEW_DUE, payload={"user_id": found.owner_id, "question_id": found.question_id}
                )
            )
            found.review_reminded_at = now
            count += 1
    return count


# --- following ------------------------------------------------------------------------------


def is_following(session: Session, user_id: str, kind: str, target: str) -> bool:
    return (
        session.scalar(
            select(Subscription.id).where(
                Subscription.user_id == user_id, Subscription.kind == kind, Subscription.target == target
            )
        )
        is not None
    )


def toggle_follow(session: Session, user_id: str, kind: str, target: str, now: datetime) -> bool:
    """Follow, or stop following. Returns whether the user follows afterwards."""
    if kind not in ("question", "tag"):
        raise NotAllowed()
    if is_following(session, user_id, kind, target):
        session.execute(
            delete(Subscription).where(
                Subscription.user_id == user_id, Subscription.kind == kind, Subscription.target == target
            )
        )
        return False
    session.add(Subscription(user_id=user_id, kind=kind, target=target, created_at=now))
    return True


def followed_tags(session: Session, user_id: str) -> list[str]:
    return list(
        session.scalars(select(Subscription.target).where(Subscription.user_id == user_id, Subscription.kind == "tag"))
    )


# --- reading --------------------------------------------------------------------------------


def get_question(session: Session, question_id: str) -> Question | None:
    return session.scalar(
        select(Question)
        .where(Question.id == question_id)
        .options(
            selectinload(Question.answers).selectinload(Answer.author),
            selectinload(Question.tags),
            selectinload(Question.author),
        )
    )


def questions_by_ids(session: Session, ids: list[str]) -> list[Question]:
    """Questions in the given order (search results come as ids), with tags and answers."""
    if not ids:
        return []
    found = {
        q.id: q
        for q in session.scalars(
            select(Question)
            .where(Question.id.in_(ids))
            .options(selectinload(Question.tags), selectinload(Question.answers))
        )
    }
    return [found[i] for i in ids if i in found]


def ordered_answers(question: Question, include_hidden: bool) -> list[Answer]:
    """The accepted answer first, then the most helpful, then the oldest."""
    shown = [a for a in question.answers if include_hidden or not a.hidden]
    return sorted(shown, key=lambda a: (a.id != question.accepted_answer_id, -a.helpful_count, a.created_at))


def faq(session: Session) -> list[Question]:
    return list(
        session.scalars(
            select(Question).where(Question.pinned.is_(True), Question.hidden.is_(False)).order_by(Question.title)
        )
    )


def public_faq(session: Session) -> list[Question]:
    return list(
        session.scalars(
            select(Question)
            .where(Question.public.is_(True), Question.hidden.is_(False), Question.accepted_answer_id.is_not(None))
            .options(selectinload(Question.answers))
            .order_by(Question.title)
        )
    )


def accepted(question: Question) -> Answer | None:
    return next((a for a in question.answers if a.id == question.accepted_answer_id), None)


def curated_tags(session: Session) -> list[Tag]:
    return list(session.scalars(select(Tag).where(Tag.curated.is_(True)).order_by(Tag.name)))


def revisions(session: Session, post_type: str, post_id: str) -> list[PostRevision]:
    return list(
        session.scalars(
            select(PostRevision)
            .where(PostRevision.post_type == post_type, PostRevision.post_id == post_id)
            .order_by(PostRevision.edited_at.desc())
        )
    )
