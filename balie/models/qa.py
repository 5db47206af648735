"""The vraagbaak: professionals' questions and answers, tags, votes, subscriptions, history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from balie.models.account import User
from balie.models.base import Base, UTCDateTime, new_uuid, utcnow

question_tag = Table(
    "question_tag",
    Base.metadata,
    Column("question_id", ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_code", ForeignKey("tag.code"), primary_key=True),
)


class Tag(Base):
    """A tag: curated ones (chosen by moderators) are offered first; others are free."""

    __tablename__ = "tag"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)  # lower case, hyphens
    name: Mapped[str] = mapped_column(String(60))
    curated: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<Tag {self.code}>"


class Question(Base):
    __tablename__ = "question"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown as typed
    author_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_answer_id: Mapped[str | None] = mapped_column(String(36))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # in the professionals' FAQ
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[str | None] = mapped_column(ForeignKey("question.id"))
    # Shown read-only in the parents' FAQ, in words for parents written by a moderator.
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    public_title_nl: Mapped[str] = mapped_column(String(200), default="")
    public_answer_nl: Mapped[str] = mapped_column(Text, default="")
    public_title_en: Mapped[str] = mapped_column(String(200), default="")
    public_answer_en: Mapped[str] = mapped_column(Text, default="")
    index_version: Mapped[int] = mapped_column(Integer, default=0, index=True)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    tags: Mapped[list[Tag]] = relationship(secondary=question_tag, order_by=Tag.name)
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="Answer.created_at"
    )

    @property
    def is_solved(self) -> bool:
        return self.accepted_answer_id is not None

    def __repr__(self) -> str:
        return f"<Question {self.id}>"


class Answer(Base):
    __tablename__ = "answer"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    question_id: Mapped[str] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    # An accepted answer gets an expert owner and a date by which it must be checked again.
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    review_by: Mapped[date | None] = mapped_column(Date, index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    question: Mapped[Question] = relationship(back_populates="answers")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])

    def __repr__(self) -> str:
        return f"<Answer {self.id}>"


class PostRevision(Base):
    """An earlier version of a question or answer (edit history)."""

    __tablename__ = "post_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    post_type: Mapped[str] = mapped_column(String(10))  # question / answer
    post_id: Mapped[str] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PostRevision {self.post_type} {self.post_id}>"


class HelpfulVote(Base):
    __tablename__ = "helpful_vote"
    __table_args__ = (UniqueConstraint("answer_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))

    def __repr__(self) -> str:
        return f"<HelpfulVote {self.answer_id}>"


class Subscription(Base):
    """A user follows a question or a tag; new answers are mailed as a link only."""

    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("user_id", "kind", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # question / tag
    target: Mapped[str] = mapped_column(String(40), index=True)  # question id or tag code
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Subscription {self.kind}>"
