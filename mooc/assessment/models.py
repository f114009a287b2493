"""Quizzes and their questions; a question's type-specific data lives in one JSON column."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mooc.catalog.models import Course, Section
from mooc.db import JSONType, Base, enum_column, intpk, updated_at


class AttemptPolicy(enum.StrEnum):
    BEST = "best"
    LAST = "last"


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
    )

    id: Mapped[intpk]
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
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
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[updated_at]

    course: Mapped[Course] = relationship()
    section: Mapped[Section] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan"
    )


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
