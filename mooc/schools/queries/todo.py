"""Reading assignments: what a teacher may assign, a class's assignments with how many pupils
did them, a pupil's "to do" list, and the due date a pupil has for a quiz.

Done means: for a quiz, a submitted attempt; for lectures, every one of them finished; for a
course, its completion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course, CourseStatus, Lecture, Level, Section
from mooc.db import utcnow
from mooc.learning.models import Completion, LectureProgress
from mooc.schools.core.todo import TodoEntry, TodoState, split_todo, todo_state
from mooc.schools.models import (
    Assignment,
    AssignmentKind,
    AssignmentLecture,
    ClassMember,
    ClassRole,
    SchoolClass,
)
from mooc.schools.permissions import pupil_class_ids


def assignable_courses(session: Session, school_class: SchoolClass) -> list[Course]:
    """Published courses, the K-12 courses of the class's grade first."""
    own_grade = case(
        (and_(Course.level == Level.K12, Course.grade == school_class.grade), 0), else_=1
    )
    return list(
        session.scalars(
            select(Course)
            .where(Course.status == CourseStatus.PUBLISHED)
            .order_by(own_grade, Course.level, Course.grade, Course.title)
        )
    )


def course_quizzes(session: Session, course: Course) -> list[Quiz]:
    """The course's current quizzes in teaching order."""
    return list(
        session.scalars(
            select(Quiz)
            .join(Section, Quiz.section_id == Section.id)
            .where(Quiz.course_id == course.id, Quiz.retired_at.is_(None))
            .order_by(Section.position, Quiz.position)
        )
    )


def class_pupil_ids(session: Session, school_class: SchoolClass) -> list[int]:
    return list(
        session.scalars(
            select(ClassMember.user_id).where(
                ClassMember.class_id == school_class.id,
                ClassMember.role == ClassRole.PUPIL,
                ClassMember.ended_at.is_(None),
            )
        )
    )


def done_user_ids(session: Session, assignment: Assignment, user_ids: Iterable[int]) -> set[int]:
    """Which of these people have done the assignment."""
    ids = list(user_ids)
    if not ids:
        return set()
    if assignment.kind is AssignmentKind.QUIZ:
        stmt = select(QuizAttempt.user_id).where(
            QuizAttempt.quiz_id == assignment.quiz_id,
            QuizAttempt.user_id.in_(ids),
            QuizAttempt.submitted_at.is_not(None),
        )
        return set(session.scalars(stmt.distinct()))
    if assignment.kind is AssignmentKind.COURSE:
        stmt = select(Completion.user_id).where(
            Completion.course_id == assignment.course_id, Completion.user_id.in_(ids)
        )
        return set(session.scalars(stmt.distinct()))
    wanted = [row.lecture_id for row in assignment.lectures]
    if not wanted:
        return set()
    rows = session.execute(
        select(LectureProgress.user_id, func.count(LectureProgress.lecture_id))
        .where(
            LectureProgress.lecture_id.in_(wanted),
            LectureProgress.user_id.in_(ids),
            LectureProgress.done_at.is_not(None),
        )
        .group_by(LectureProgress.user_id)
    )
    return {user_id for user_id, count in rows if count >= len(wanted)}


@dataclass(frozen=True)
class AssignmentRow:
    """A line of the class's assignment list."""

    assignment: Assignment
    course: Course
    quiz: Quiz | None
    lecture_count: int
    done: int
    pupils: int


def class_assignments(session: Session, school_class: SchoolClass) -> list[AssignmentRow]:
    """The class's assignments, current ones first (soonest due first), withdrawn ones last."""
    pupils = class_pupil_ids(session, school_class)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    found = sorted(
        session.scalars(select(Assignment).where(Assignment.class_id == school_class.id)),
        key=lambda a: (a.withdrawn_at is not None, a.due_at or far, a.created_at),
    )
    return [
        AssignmentRow(
            assignment=a,
            course=_course(session, a),
            quiz=session.get(Quiz, a.quiz_id) if a.quiz_id else None,
            lecture_count=len(a.lectures),
            done=len(done_user_ids(session, a, pupils)),
            pupils=len(pupils),
        )
        for a in found
    ]


def _course(session: Session, assignment: Assignment) -> Course:
    course = session.get(Course, assignment.course_id)
    assert course is not None  # RESTRICT: a course with assignments is never deleted
    return course


@dataclass(frozen=True)
class TodoItem:
    """What the to-do list shows of one assignment."""

    assignment: Assignment
    school_class: SchoolClass
    course: Course
    quiz: Quiz | None
    lecture_count: int


def pupil_todo(
    session: Session, pupil: User, *, zone: dt.tzinfo, now: dt.datetime | None = None
) -> tuple[list[TodoEntry], list[TodoEntry]]:
    """(to do, done) for a pupil across their classes, each entry's `ref` a `TodoItem`; work
    not started yet and withdrawn work are left out."""
    now = now or utcnow()
    class_ids = pupil_class_ids(session, pupil)
    if not class_ids:
        return [], []
    assignments = session.scalars(
        select(Assignment)
        .join(SchoolClass, Assignment.class_id == SchoolClass.id)
        .where(
            Assignment.class_id.in_(class_ids),
            Assignment.withdrawn_at.is_(None),
            SchoolClass.disabled_at.is_(None),
        )
    ).all()
    entries = []
    for a in assignments:
        done = pupil.id in done_user_ids(session, a, [pupil.id])
        state = todo_state(done=done, starts_at=a.starts_at, due_at=a.due_at, now=now, zone=zone)
        if state is TodoState.NOT_STARTED:
            continue
        item = TodoItem(
            assignment=a,
            school_class=a.school_class,
            course=_course(session, a),
            quiz=session.get(Quiz, a.quiz_id) if a.quiz_id else None,
            lecture_count=len(a.lectures),
        )
        entries.append(TodoEntry(ref=item, state=state, due_at=a.due_at, created_at=a.created_at))
    return split_todo(entries)


def assignment_lectures(session: Session, assignment: Assignment) -> Sequence[Lecture]:
    """The lectures of a `lectures` assignment in teaching order."""
    return session.scalars(
        select(Lecture)
        .join(AssignmentLecture, AssignmentLecture.lecture_id == Lecture.id)
        .outerjoin(Section, Lecture.section_id == Section.id)
        .where(AssignmentLecture.assignment_id == assignment.id)
        .order_by(Section.position, Lecture.position)
    ).all()


def quiz_due_for_pupil(session: Session, user_id: int, quiz_id: int) -> dt.datetime | None:
    """The latest due time of the quiz among the pupil's classes' current assignments (the
    due-date provider for the quiz's "after the due date" reveal)."""
    user = session.get(User, user_id)
    if user is None:
        return None
    class_ids = pupil_class_ids(session, user)
    if not class_ids:
        return None
    return session.scalar(
        select(func.max(Assignment.due_at)).where(
            Assignment.class_id.in_(class_ids),
            Assignment.quiz_id == quiz_id,
            Assignment.withdrawn_at.is_(None),
        )
    )
