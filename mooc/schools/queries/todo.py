"""Reading assignments: what a teacher may assign, a class's assignments with how many pupils
did them, when people finished work (a pupil's "to do" list is `pupil_work`), and the due
dates a pupil has for a quiz and in a course.

Done means: for a quiz, a submitted attempt; for lectures, every one of them finished; for a
course, its completion. When it was finished (which decides "done late"): for a quiz, when the
first attempt was submitted (retrying for a better score later does not make work done on time
late); for lectures, when the last of them was marked done; for a course, when its completion
was recorded. The class report reads the same times.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, bindparam, case, func, select
from sqlalchemy.orm import Session, selectinload

from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course, CourseStatus, Lecture, Level, Section
from mooc.learning.deadlines import NO_DUES, CourseDues, Due, DueState
from mooc.learning.models import Completion, LectureProgress
from mooc.schools.core.todo import (
    TodoState,
    latest_due,
    todo_state,
)
from mooc.schools.models import (
    Assignment,
    AssignmentKind,
    AssignmentLecture,
    ClassMember,
    ClassRole,
    SchoolClass,
)


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


def _first_submissions(
    session: Session, user_ids: Collection[int], quiz_ids: Collection[int]
) -> dict[tuple[int, int], dt.datetime]:
    """(user, quiz) -> when the user's first attempt at the quiz was submitted."""
    rows = session.execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, func.min(QuizAttempt.submitted_at))
        .where(
            QuizAttempt.quiz_id.in_(quiz_ids),
            QuizAttempt.user_id.in_(user_ids),
            QuizAttempt.submitted_at.is_not(None),
        )
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)
    )
    return {(user_id, quiz_id): at for user_id, quiz_id, at in rows if at is not None}


def _lectures_done(
    session: Session, user_ids: Collection[int], lecture_ids: Collection[int]
) -> dict[tuple[int, int], dt.datetime]:
    """(user, lecture) -> when the user marked the lecture done."""
    rows = session.execute(
        select(LectureProgress.user_id, LectureProgress.lecture_id, LectureProgress.done_at).where(
            LectureProgress.lecture_id.in_(lecture_ids),
            LectureProgress.user_id.in_(user_ids),
            LectureProgress.done_at.is_not(None),
        )
    )
    return {(user_id, lecture_id): at for user_id, lecture_id, at in rows if at is not None}


def _completions_of(
    session: Session, user_ids: Collection[int], course_ids: Collection[int]
) -> dict[tuple[int, int], dt.datetime]:
    """(user, course) -> when the user's completion of the course was recorded."""
    rows = session.execute(
        select(Completion.user_id, Completion.course_id, Completion.completed_at).where(
            Completion.course_id.in_(course_ids), Completion.user_id.in_(user_ids)
        )
    )
    return {(user_id, course_id): at for user_id, course_id, at in rows}


def done_times(
    session: Session, assignment: Assignment, user_ids: Iterable[int]
) -> dict[int, dt.datetime]:
    """Which of these people have done the assignment, and when they finished it."""
    return done_times_of(session, [assignment], user_ids)[assignment.id]


def done_times_of(
    session: Session, assignments: Sequence[Assignment], user_ids: Iterable[int]
) -> dict[int, dict[int, dt.datetime]]:
    """assignment id -> `done_times` for each of `assignments`, in at most one statement per
    kind of work whatever their number (load their `lectures` with them to keep it so)."""
    ids = list(user_ids)
    found: dict[int, dict[int, dt.datetime]] = {a.id: {} for a in assignments}
    if not ids or not assignments:
        return found
    by_kind: dict[AssignmentKind, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_kind[a.kind].append(a)
    quizzes = by_kind[AssignmentKind.QUIZ]
    if quizzes:
        submitted = _first_submissions(session, ids, {a.quiz_id for a in quizzes if a.quiz_id})
        for a in quizzes:
            found[a.id] = {u: at for (u, quiz_id), at in submitted.items() if quiz_id == a.quiz_id}
    courses = by_kind[AssignmentKind.COURSE]
    if courses:
        completed = _completions_of(session, ids, {a.course_id for a in courses})
        for a in courses:
            found[a.id] = {
                u: at for (u, course_id), at in completed.items() if course_id == a.course_id
            }
    wanted = {
        a.id: [row.lecture_id for row in a.lectures] for a in by_kind[AssignmentKind.LECTURES]
    }
    every = {lecture_id for lectures in wanted.values() for lecture_id in lectures}
    done = _lectures_done(session, ids, every) if every else {}
    for assignment_id, lectures in wanted.items():
        if not lectures:
            continue
        times = {u: [done.get((u, lid)) for lid in lectures] for u in ids}
        found[assignment_id] = {
            u: max(t for t in ts if t is not None)
            for u, ts in times.items()
            if all(t is not None for t in ts)
        }
    return found


def done_user_ids(session: Session, assignment: Assignment, user_ids: Iterable[int]) -> set[int]:
    """Which of these people have done the assignment."""
    return set(done_times(session, assignment, user_ids))


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
        session.scalars(
            select(Assignment)
            .where(Assignment.class_id == school_class.id)
            .options(selectinload(Assignment.lectures))
        ),
        key=lambda a: (a.withdrawn_at is not None, a.due_at or far, a.created_at),
    )
    done = done_times_of(session, found, pupils)
    courses, quizzes = _courses_and_quizzes(session, found)
    return [
        AssignmentRow(
            assignment=a,
            course=courses[a.course_id],
            quiz=quizzes.get(a.quiz_id) if a.quiz_id else None,
            lecture_count=len(a.lectures),
            done=len(done[a.id]),
            pupils=len(pupils),
        )
        for a in found
    ]


def _courses_and_quizzes(
    session: Session, assignments: Sequence[Assignment]
) -> tuple[dict[int, Course], dict[int, Quiz]]:
    """The courses and quizzes of `assignments`, by id, in two statements at most."""
    course_ids = {a.course_id for a in assignments}
    quiz_ids = {a.quiz_id for a in assignments if a.quiz_id is not None}
    courses = (
        {c.id: c for c in session.scalars(select(Course).where(Course.id.in_(course_ids)))}
        if course_ids
        else {}
    )
    quizzes = (
        {q.id: q for q in session.scalars(select(Quiz).where(Quiz.id.in_(quiz_ids)))}
        if quiz_ids
        else {}
    )
    return courses, quizzes


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
    due-date provider for the quiz's "after the due date" reveal), in one statement. Disabled
    classes count here: their due time still holds the answers back."""
    found = session.scalars(_QUIZ_DUES, {"user_id": user_id, "quiz_id": quiz_id})
    return latest_due(found)


_QUIZ_DUES = (
    select(Assignment.due_at)
    .join(ClassMember, ClassMember.class_id == Assignment.class_id)
    .where(
        ClassMember.user_id == bindparam("user_id"),
        ClassMember.role == ClassRole.PUPIL,
        ClassMember.ended_at.is_(None),
        Assignment.quiz_id == bindparam("quiz_id"),
        Assignment.withdrawn_at.is_(None),
    )
)


def _due(due_at: dt.datetime, done_at: dt.datetime | None, now: dt.datetime) -> Due:
    # Only done / done late / late matter on these pages, none of which depends on the zone.
    state = todo_state(
        done=done_at is not None,
        done_at=done_at,
        starts_at=None,
        due_at=due_at,
        now=now,
        zone=dt.UTC,
    )
    return Due(due_at, _DUE_STATES.get(state, DueState.DUE))


_DUE_STATES = {
    TodoState.LATE: DueState.LATE,
    TodoState.DONE: DueState.DONE,
    TodoState.DONE_LATE: DueState.DONE_LATE,
}


def pupil_course_dues(
    session: Session, user_id: int, course_id: int, now: dt.datetime
) -> CourseDues:
    """The due dates the pupil's classes set in the course — the whole course, each assigned
    lecture, each assigned quiz (the latest where several assignments set the same work) — each
    with whether it is done, done late or late. Work set without a due time is left out.

    One statement (every course, lecture and quiz page of a pupil asks): reading classes,
    assignments, their lectures, the evidence and the slugs apart took up to eight."""
    dues: dict[tuple[str, int], list[dt.datetime | None]] = defaultdict(list)
    done: dict[tuple[str, int], dt.datetime | None] = {}
    slugs: dict[tuple[str, int], str] = {}
    for row in session.execute(_COURSE_DUES, {"user_id": user_id, "course_id": course_id}):
        if row.kind is AssignmentKind.LECTURES:
            if row.lecture_id is None:  # a lectures assignment without any
                continue
            key = ("lecture", row.lecture_id)
            slugs[key] = row.lecture_slug
        elif row.kind is AssignmentKind.QUIZ:
            if row.quiz_id is None:
                continue
            key = ("quiz", row.quiz_id)
            slugs[key] = row.quiz_slug
        else:
            key = ("course", course_id)
        dues[key].append(row.due_at)
        done[key] = row.done_at
    course = None
    items: dict[tuple[str, str], Due] = {}
    for key, times in dues.items():
        due = latest_due(times)
        if due is None:
            continue
        if key[0] == "course":
            course = _due(due, done[key], now)
        else:
            items[(key[0], slugs[key])] = _due(due, done[key], now)
    if course is None and not items:
        return NO_DUES
    return CourseDues(course=course, items=items)


def assignment_quiz_submitted(user_id: ColumnElement[int]) -> ScalarSelect[Any]:
    """When the pupil first submitted the quiz an assignment sets (a correlated subquery on
    `Assignment`): what makes a quiz assignment done."""
    return (
        select(func.min(QuizAttempt.submitted_at))
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id == Assignment.quiz_id,
            QuizAttempt.submitted_at.is_not(None),
        )
        .scalar_subquery()
    )


def assignment_course_completed(user_id: ColumnElement[int]) -> ScalarSelect[Any]:
    """When the pupil completed the course an assignment sets (correlated on `Assignment`)."""
    return (
        select(Completion.completed_at)
        .where(Completion.user_id == user_id, Completion.course_id == Assignment.course_id)
        .scalar_subquery()
    )


def _course_dues_statement(
    user_id: ColumnElement[int], course_id: ColumnElement[int]
) -> Select[Any]:
    """One row per (current assignment with a due time in the course of the pupil's current
    classes, lecture it sets — none for a quiz or the course), with the target's slug and when
    this pupil did it: the lecture's done time, the quiz's first submission, the completion.
    A disabled class's work is left out, as on the to-do and the dashboard."""
    lecture_done = (
        select(LectureProgress.done_at)
        .where(
            LectureProgress.user_id == user_id,
            LectureProgress.lecture_id == AssignmentLecture.lecture_id,
            LectureProgress.done_at.is_not(None),
        )
        .scalar_subquery()
    )
    first_submitted = assignment_quiz_submitted(user_id)
    completed = assignment_course_completed(user_id)
    done_at = case(
        (Assignment.kind == AssignmentKind.QUIZ, first_submitted),
        (Assignment.kind == AssignmentKind.COURSE, completed),
        else_=lecture_done,
    )
    return (
        select(
            Assignment.kind,
            Assignment.due_at,
            Lecture.id.label("lecture_id"),
            Lecture.slug.label("lecture_slug"),
            Quiz.id.label("quiz_id"),
            Quiz.slug.label("quiz_slug"),
            done_at.label("done_at"),
        )
        .select_from(ClassMember)
        .join(
            SchoolClass,
            and_(SchoolClass.id == ClassMember.class_id, SchoolClass.disabled_at.is_(None)),
        )
        .join(Assignment, Assignment.class_id == ClassMember.class_id)
        .outerjoin(
            AssignmentLecture,
            and_(
                AssignmentLecture.assignment_id == Assignment.id,
                Assignment.kind == AssignmentKind.LECTURES,
            ),
        )
        .outerjoin(Lecture, Lecture.id == AssignmentLecture.lecture_id)
        .outerjoin(
            Quiz, and_(Quiz.id == Assignment.quiz_id, Assignment.kind == AssignmentKind.QUIZ)
        )
        .where(
            ClassMember.user_id == user_id,
            ClassMember.role == ClassRole.PUPIL,
            ClassMember.ended_at.is_(None),
            Assignment.course_id == course_id,
            Assignment.withdrawn_at.is_(None),
            Assignment.due_at.is_not(None),
        )
    )


# Built once: every course, lecture and quiz page of a pupil in a class asks.
_COURSE_DUES = _course_dues_statement(bindparam("user_id"), bindparam("course_id"))
