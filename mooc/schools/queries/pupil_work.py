"""A pupil's class work, read in one statement for the dashboard's class panel and for /my/todo:
their current classes (school, year, homeroom teacher) and each class's current assignments with
when the pupil finished them, where reading classes, assignments, their lectures, the three kinds
of evidence, courses and quizzes apart took eleven statements.

Done and its time follow `queries.todo` (the rule the class report reads too): a quiz, the first
submitted attempt; lectures, the last of them marked done once all are; a course, its completion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Case,
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    case,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased

from mooc.accounts.models import Institution, User
from mooc.assessment.models import Quiz
from mooc.catalog.models import Course
from mooc.learning.models import LectureProgress
from mooc.schools.core.todo import TodoEntry, TodoState, split_todo, todo_state
from mooc.schools.models import (
    Assignment,
    AssignmentKind,
    AssignmentLecture,
    ClassMember,
    ClassRole,
    SchoolClass,
    SchoolYear,
)
from mooc.schools.queries.todo import assignment_course_completed, assignment_quiz_submitted


@dataclass(frozen=True, slots=True)
class PupilClass:
    """A class the pupil is in, as the dashboard shows it."""

    id: int
    name: str
    school: str
    year: str
    homeroom: str | None  # the homeroom teacher's name (the first by name, should there be two)


@dataclass(frozen=True, slots=True)
class Titled:
    title: str


@dataclass(frozen=True, slots=True)
class WorkItem:
    """What the to-do list shows of one assignment (a `TodoEntry`'s `ref`)."""

    assignment_id: int
    kind: AssignmentKind
    note: str | None
    course: Titled
    quiz: Titled | None
    lecture_count: int


@dataclass(frozen=True, slots=True)
class PupilWork:
    in_class: bool  # a pupil of some class, even a disabled one
    classes: list[PupilClass]  # current classes not disabled, by name
    pending: list[TodoEntry]  # to do, in the order of `split_todo`
    done: list[TodoEntry]


def pupil_work(session: Session, user_id: int, *, zone: dt.tzinfo, now: dt.datetime) -> PupilWork:
    """The pupil's classes and work. Only classes the person is a current pupil of are read, and
    only their classes' current assignments: work not started yet and withdrawn work are left out,
    as is the work of disabled classes."""
    classes: dict[int, PupilClass] = {}
    entries: list[TodoEntry] = []
    in_class = False
    for row in session.execute(_STATEMENT, {"user_id": user_id}):
        in_class = True
        if row.disabled_at is None and row.class_id not in classes:
            classes[row.class_id] = PupilClass(
                row.class_id, row.class_name, row.school, row.year, row.homeroom
            )
        if row.assignment_id is None:
            continue
        state = todo_state(
            done=row.done_at is not None,
            done_at=row.done_at,
            starts_at=row.starts_at,
            due_at=row.due_at,
            now=now,
            zone=zone,
        )
        if state is TodoState.NOT_STARTED:
            continue
        item = WorkItem(
            assignment_id=row.assignment_id,
            kind=row.kind,
            note=row.note,
            course=Titled(row.course_title),
            quiz=Titled(row.quiz_title) if row.quiz_title is not None else None,
            lecture_count=int(row.lecture_count or 0),
        )
        entries.append(
            TodoEntry(ref=item, state=state, due_at=row.due_at, created_at=row.created_at)
        )
    pending, done = split_todo(entries)
    ordered = sorted(classes.values(), key=lambda c: c.name)
    return PupilWork(in_class=in_class, classes=ordered, pending=pending, done=done)


def _statement(user_id: ColumnElement[int]) -> Select[Any]:
    """One row per (class, current assignment) of the pupil's classes; a class without any has
    one row with no assignment. The evidence of being done is read for this pupil alone."""
    lecture_count = (
        select(func.count(AssignmentLecture.id))
        .where(AssignmentLecture.assignment_id == Assignment.id)
        .scalar_subquery()
    )
    homeroom = _homeroom_teacher()
    done_at = _done_at(user_id, lecture_count)
    return (
        select(
            SchoolClass.id.label("class_id"),
            SchoolClass.name.label("class_name"),
            SchoolClass.disabled_at,
            Institution.name.label("school"),
            SchoolYear.name.label("year"),
            homeroom.label("homeroom"),
            Assignment.id.label("assignment_id"),
            Assignment.kind,
            Assignment.note,
            Assignment.starts_at,
            Assignment.due_at,
            Assignment.created_at,
            Course.title.label("course_title"),
            Quiz.title.label("quiz_title"),
            lecture_count.label("lecture_count"),
            done_at.label("done_at"),
        )
        .select_from(ClassMember)
        .join(SchoolClass, SchoolClass.id == ClassMember.class_id)
        .join(Institution, Institution.id == SchoolClass.institution_id)
        .join(SchoolYear, SchoolYear.id == SchoolClass.school_year_id)
        .outerjoin(
            Assignment,
            and_(
                Assignment.class_id == SchoolClass.id,
                Assignment.withdrawn_at.is_(None),
                SchoolClass.disabled_at.is_(None),
            ),
        )
        .outerjoin(Course, Course.id == Assignment.course_id)
        .outerjoin(Quiz, Quiz.id == Assignment.quiz_id)
        .where(
            ClassMember.user_id == user_id,
            ClassMember.role == ClassRole.PUPIL,
            ClassMember.ended_at.is_(None),
        )
    )


def _homeroom_teacher() -> ScalarSelect[Any]:
    """The name of the class's homeroom teacher (the first by name, when it has several)."""
    homeroom_member = aliased(ClassMember)
    return (
        select(User.name)
        .join(homeroom_member, homeroom_member.user_id == User.id)
        .where(
            homeroom_member.class_id == SchoolClass.id,
            homeroom_member.role == ClassRole.HOMEROOM,
            homeroom_member.ended_at.is_(None),
        )
        .order_by(User.name)
        .limit(1)
        .scalar_subquery()
    )


def _done_at(user_id: ColumnElement[int], lecture_count: ScalarSelect[Any]) -> Case[Any]:
    """When the pupil finished the assignment: a quiz's first submission, the course's
    completion, or the last of its lectures done once all are."""
    first_submitted = assignment_quiz_submitted(user_id)
    completed = assignment_course_completed(user_id)
    lectures_done = (
        select(func.count(LectureProgress.id), func.max(LectureProgress.done_at))
        .join(AssignmentLecture, AssignmentLecture.lecture_id == LectureProgress.lecture_id)
        .where(
            AssignmentLecture.assignment_id == Assignment.id,
            LectureProgress.user_id == user_id,
            LectureProgress.done_at.is_not(None),
        )
    )
    lectures_finished = case(
        (
            and_(
                lecture_count > 0,
                lectures_done.with_only_columns(func.count(LectureProgress.id)).scalar_subquery()
                == lecture_count,
            ),
            lectures_done.with_only_columns(func.max(LectureProgress.done_at)).scalar_subquery(),
        ),
    )
    return case(
        (Assignment.kind == AssignmentKind.QUIZ, first_submitted),
        (Assignment.kind == AssignmentKind.COURSE, completed),
        else_=lectures_finished,
    )


_STATEMENT = _statement(bindparam("user_id"))  # built once: every dashboard asks
