"""School years, classes, the people in them, where each person came from, and assignments."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mooc.accounts.models import Institution, User
from mooc.db import Base, JSONType, created_at, enum_column, intpk


class SchoolYear(Base):
    """A school's academic year (OneRoster `academicSession` of type schoolYear), e.g. 2026–2027."""

    __tablename__ = "school_year"
    __table_args__ = (
        UniqueConstraint("institution_id", "name"),
        UniqueConstraint("institution_id", "source_id"),
        CheckConstraint("starts_on < ends_on", name="starts_before_it_ends"),
    )

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    # The roster's sourcedId, so a re-import finds the same year; None when made by hand.
    source_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    created_at: Mapped[created_at]

    institution: Mapped[Institution] = relationship()
    classes: Mapped[list[SchoolClass]] = relationship(
        back_populates="school_year", order_by="SchoolClass.name"
    )


class SchoolClass(Base):
    """A class of pupils in one school year (`6A1`, grade 6). Disabled, never deleted, when a roster
    drops it, so its assignments and reports stay readable."""

    __tablename__ = "school_class"
    __table_args__ = (
        UniqueConstraint("school_year_id", "name"),
        UniqueConstraint("institution_id", "source_id"),
        CheckConstraint("grade IS NULL OR (grade >= 1 AND grade <= 12)", name="grade_1_to_12"),
    )

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_year.id", ondelete="CASCADE"))
    source_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(40))
    grade: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[created_at]
    disabled_at: Mapped[dt.datetime | None]

    institution: Mapped[Institution] = relationship()
    school_year: Mapped[SchoolYear] = relationship(back_populates="classes")
    members: Mapped[list[ClassMember]] = relationship(back_populates="school_class")


class ClassRole(enum.StrEnum):
    """A person's part in a class."""

    PUPIL = "pupil"
    HOMEROOM = "homeroom"  # giáo viên chủ nhiệm
    TEACHER = "teacher"  # a subject teacher (giáo viên bộ môn)


class ClassMember(Base):
    """A person in a class. `ended_at` marks one who left (a roster moved or dropped them): the row
    stays so their past work still shows in the class report."""

    __tablename__ = "class_member"
    __table_args__ = (UniqueConstraint("class_id", "user_id", "role"),)

    id: Mapped[intpk]
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[ClassRole] = mapped_column(enum_column(ClassRole, "class_role"))
    # What a subject teacher teaches this class ("Toán"); None for pupils and the homeroom teacher.
    subject: Mapped[str | None] = mapped_column(String(80))
    source_id: Mapped[str | None] = mapped_column(String(255))  # OneRoster enrollment sourcedId
    created_at: Mapped[created_at]
    ended_at: Mapped[dt.datetime | None]

    school_class: Mapped[SchoolClass] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class RosterPerson(Base):
    """Which account a school's roster means by a person's id (OneRoster `sourcedId` or the
    spreadsheet's Mã định danh), so re-importing updates that account instead of making another."""

    __tablename__ = "roster_person"
    __table_args__ = (UniqueConstraint("institution_id", "source_id"),)

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship()


class RosterImport(Base):
    """One committed roster import: who, when, from what, and what it changed (counts only; no
    passwords or personal data beyond what the summary names)."""

    __tablename__ = "roster_import"

    id: Mapped[intpk]
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # "oneroster-1.1", "oneroster-1.2" or "sheet" (the Vietnamese spreadsheet template)
    source_format: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(255))
    summary: Mapped[dict[str, int]] = mapped_column(JSONType)
    created_at: Mapped[created_at]


class AssignmentKind(enum.StrEnum):
    COURSE = "course"  # the whole course
    LECTURES = "lectures"  # some of its lectures (AssignmentLecture rows)
    QUIZ = "quiz"  # one quiz


class Assignment(Base):
    """Work a teacher set for a class: a course, some of its lectures, or a quiz, with an optional
    start and due time (stored in UTC, shown in the viewer's time zone)."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint(
            "starts_at IS NULL OR due_at IS NULL OR starts_at < due_at", name="starts_before_due"
        ),
        CheckConstraint("(kind = 'quiz') = (quiz_id IS NOT NULL)", name="quiz_id_iff_quiz"),
    )

    id: Mapped[intpk]
    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_class.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[AssignmentKind] = mapped_column(enum_column(AssignmentKind, "assignment_kind"))
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id", ondelete="RESTRICT"))
    note: Mapped[str | None] = mapped_column(String(500))  # a line for the pupils, shown escaped
    starts_at: Mapped[dt.datetime | None]
    due_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The one-time token of the form that created it: a double submit finds this row again.
    create_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    withdrawn_at: Mapped[dt.datetime | None]

    school_class: Mapped[SchoolClass] = relationship()
    lectures: Mapped[list[AssignmentLecture]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )


class AssignmentLecture(Base):
    """One lecture of a `lectures` assignment."""

    __tablename__ = "assignment_lecture"
    __table_args__ = (UniqueConstraint("assignment_id", "lecture_id"),)

    id: Mapped[intpk]
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    lecture_id: Mapped[int] = mapped_column(ForeignKey("lecture.id", ondelete="RESTRICT"))

    assignment: Mapped[Assignment] = relationship(back_populates="lectures")
