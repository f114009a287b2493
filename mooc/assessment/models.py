"""Quizzes and their questions; a question's type-specific data lives in one JSON column."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mooc.catalog.models import Course, Section
from mooc.db import Base, JSONType, created_at, enum_column, intpk, updated_at


class AttemptPolicy(enum.StrEnum):
    BEST = "best"
    LAST = "last"


class RevealPolicy(enum.StrEnum):
    """When a learner sees which answers were right, and the explanations (the score always)."""

    AFTER_EACH = "after_each"  # after every submitted attempt
    AFTER_LAST = "after_last"  # once no attempt is left (the default: nothing to copy forward)
    AFTER_DUE = "after_due"  # once the due date of the learner's assignment has passed
    NEVER = "never"


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    NUMERIC = "numeric"
    TEXT = "text"


class Quiz(Base):
    __tablename__ = "quiz"
    __table_args__ = (
        UniqueConstraint("course_id", "slug"),
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_range"),
        CheckConstraint("weight >= 0", name="weight_nonnegative"),
        CheckConstraint("(retired_at IS NULL) = (section_id IS NOT NULL)", name="retired_outside"),
        CheckConstraint("pool_size IS NULL OR pool_size >= 1", name="pool_size_positive"),
    )

    id: Mapped[intpk]
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    # None once retired: the quiz left the syllabus but keeps its learners' attempts.
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)  # shared with lectures within a section
    title: Mapped[str] = mapped_column(String(200))
    pass_mark: Mapped[int] = mapped_column(Integer, default=50)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    policy: Mapped[AttemptPolicy] = mapped_column(
        enum_column(AttemptPolicy, "attempt_policy"), default=AttemptPolicy.BEST
    )
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    reveal: Mapped[RevealPolicy] = mapped_column(
        enum_column(RevealPolicy, "reveal_policy"),
        default=RevealPolicy.AFTER_LAST,
        server_default=RevealPolicy.AFTER_LAST.value,
    )
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Draw this many of the questions for each attempt (None: all of them).
    pool_size: Mapped[int | None] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    retired_at: Mapped[dt.datetime | None]
    updated_at: Mapped[updated_at]

    course: Mapped[Course] = relationship()
    section: Mapped[Section | None] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("quiz_id", "position"),)

    id: Mapped[intpk]
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "question_kind"))
    prompt: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer, default=1)
    # options / answer / tolerance / answers / partial_credit / ignore_diacritics, by kind
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    quiz: Mapped[Quiz] = relationship(back_populates="questions")


class QuizAttempt(Base):
    """One try at a quiz. The questions, pass mark and policy are copied in when it starts."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "number"),
        # At most one attempt in progress per learner and quiz (partial unique index).
        Index(
            "uq_quiz_attempt_open",
            "user_id",
            "quiz_id",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # No cascade from content: a quiz with attempts is retired, never deleted under them.
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    number: Mapped[int] = mapped_column(Integer)
    quiz_revision: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer)
    policy: Mapped[AttemptPolicy] = mapped_column(enum_column(AttemptPolicy, "attempt_policy"))
    # The questions drawn for this attempt, in the order shown (a pool draws some, shuffling
    # reorders them); grading and the maximum score use only these.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    # For shuffled options: question id (as text) -> the option indexes in the order shown. Answers
    # still name the original indexes, so grading and item analysis need no translation.
    option_order: Mapped[dict[str, list[int]] | None] = mapped_column(JSONType)
    started_at: Mapped[created_at]
    deadline_at: Mapped[dt.datetime | None]
    submitted_at: Mapped[dt.datetime | None]
    responses: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    quiz: Mapped[Quiz] = relationship()
