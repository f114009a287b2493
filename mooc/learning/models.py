"""A learner's path: enrolments, lecture progress (a summary row), completions, and the raw
learning events as xAPI statements (kept apart from the summaries, and forwarded to an LRS)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import false

from mooc.accounts.models import User
from mooc.catalog.models import Course
from mooc.db import Base, JSONType, created_at, intpk, updated_at


class Enrolment(Base):
    """A learner in a course, with their standing kept up to date by every write that changes it
    (`progress`, `grade`, `started`, `completed`: what the teacher's learners page counts and
    sorts by, so it reads them instead of counting every learner's records)."""

    __tablename__ = "enrolment"
    # The learners page's sorts are read from indexes (course, key, sort_name, user_id), one per
    # sort and direction, made by hand in migrations 9b3f6d2e8c14 and 5da9dd286c6e
    # (mooc.search_index).
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)  # no cascade
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    enrolled_at: Mapped[created_at]
    unenrolled_at: Mapped[dt.datetime | None]
    last_activity_at: Mapped[dt.datetime | None]
    # Where "resume" goes: the last lecture the learner opened. A hint, without a foreign key
    # (migration b7e2f4a9c1d8): the lecture page moves it at nearly every view, and a key would
    # lock the lecture at each move; resume looks for it among the course's lectures, so one
    # deleted since sends the reader to the next lecture to read.
    last_lecture_id: Mapped[int | None] = mapped_column(Integer)
    # The standing (analytics.refresh_standing): percent of the course done (100 once
    # completed), the grade (the completion's, else the rule's so far; none while a required
    # quiz has no score), whether a lecture was opened or a quiz submitted, and completed.
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    grade: Mapped[float | None] = mapped_column(Float)
    started: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    completed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The learner's name lowercased, the tie-break of the sorts, so that "by progress, then
    # name" is one index (a user's name lives in another table). Written by the database:
    # triggers on inserting an enrolment and on renaming a user (migration 9b3f6d2e8c14).
    sort_name: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class LearnerQuizScore(Base):
    """The score that counts for an enrolled learner on a quiz of the course (the best or the
    last, by policy), kept by `analytics.refresh_standing`: what the learner had before a
    write, to move the course's score bins by the difference alone."""

    __tablename__ = "learner_quiz_score"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    score: Mapped[float] = mapped_column(Float)


class CourseTally(Base):
    """One count kept for a course's teacher, so the learners page reads a few rows whatever the
    course's size: the funnel (`enrolled`, `started`, `halfway`, `completed`: enrolments) and
    the score bins (`bin0` … `bin9`: learners' counted quiz scores in ten bins of ten points,
    100 in the last). Moved by the difference each write made: the funnel by triggers on the
    enrolment (migration 9b3f6d2e8c14; on PostgreSQL once a statement for inserts and deletes,
    migration 9158189d0bb5), the bins by `analytics.refresh_standing`; recounted whole when the
    rule's inputs change."""

    __tablename__ = "course_tally"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class StandingRecount(Base):
    """A course whose learners' kept standing waits to be recounted: a change to what its
    completion rule counts, in a course too large to recount inside the teacher's request
    (`mooc.learning.recounts`). Each further change counts one more request, so a recount
    that began before it leaves the row for the next."""

    __tablename__ = "standing_recount"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    requested_at: Mapped[dt.datetime]  # the latest request
    requests: Mapped[int] = mapped_column(Integer, default=1)


class LectureProgress(Base):
    """Summary of one learner on one lecture: first/last view and when it was marked done."""

    __tablename__ = "lecture_progress"
    __table_args__ = (UniqueConstraint("user_id", "lecture_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # No cascade from content: a studied lecture is retired, never deleted under its progress.
    lecture_id: Mapped[int] = mapped_column(ForeignKey("lecture.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    first_viewed_at: Mapped[created_at]
    last_viewed_at: Mapped[dt.datetime | None]
    done_at: Mapped[dt.datetime | None]
    # The published version the learner studied (the one shown when they marked it done).
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("lecture_version.id", ondelete="SET NULL")
    )


class Completion(Base):
    """The one record that a learner completed a course: the event credentials hook onto."""

    __tablename__ = "completion"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)  # no cascade
    final_grade: Mapped[float] = mapped_column(Float)
    completed_at: Mapped[created_at]
    # What was studied and what the course promised at that moment.
    lecture_versions: Mapped[list[int]] = mapped_column(JSONType)
    quiz_attempts: Mapped[list[int]] = mapped_column(JSONType)
    pass_mark: Mapped[int] = mapped_column(Integer)
    credits: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    workload_hours: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class XapiStatement(Base):
    """A learning event as an xAPI 1.0.3 statement; `forwarded_at` is set once an LRS took it."""

    __tablename__ = "xapi_statement"
    __table_args__ = (
        Index("ix_xapi_statement_pending", "forwarded_at", "next_attempt_at"),
        Index("ix_xapi_statement_stored", "stored_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the statement's UUID
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    verb: Mapped[str] = mapped_column(String(200), index=True)
    object_id: Mapped[str] = mapped_column(String(500))
    statement: Mapped[dict[str, Any]] = mapped_column(JSONType)
    stored_at: Mapped[created_at]
    forwarded_at: Mapped[dt.datetime | None]
    forward_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class ScormState(Base):
    """One learner's runtime data on one SCO of a package: the CMI data as last committed and
    the fields read from it. `sequence` is the runtime's commit counter: a commit not above it
    is a replay, saved once. `interactions_recorded` counts the interactions already stated in
    xAPI, so none is stated twice."""

    __tablename__ = "scorm_state"
    __table_args__ = (UniqueConstraint("user_id", "package_id", "sco"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    package_id: Mapped[int] = mapped_column(
        ForeignKey("scorm_package.id", ondelete="CASCADE"), index=True
    )
    sco: Mapped[str] = mapped_column(String(255))  # the item's identifier
    attempt: Mapped[int] = mapped_column(Integer, default=1)  # launches so far
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cmi: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    completion_status: Mapped[str] = mapped_column(String(20), default="unknown")
    success_status: Mapped[str] = mapped_column(String(20), default="unknown")
    score: Mapped[float | None] = mapped_column(Float)  # 0–100
    location: Mapped[str] = mapped_column(Text, default="")
    suspend_data: Mapped[str] = mapped_column(Text, default="")
    total_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    interactions_recorded: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
