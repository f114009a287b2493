"""A class to report on: a school, its year and class 6A1, a homeroom teacher, pupils, and work
assigned from the seed course toan-lop-6 (a quiz, some lectures, the whole course)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import InstitutionKind, Role, User
from mooc.assessment import services as quizzes
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course, Lecture
from mooc.db import utcnow
from mooc.learning import queries as learning_queries
from mooc.learning import services as learning
from mooc.learning.queries import ordered_lectures
from mooc.schools.models import (
    Assignment,
    AssignmentKind,
    AssignmentLecture,
    ClassMember,
    ClassRole,
    SchoolClass,
)
from tests.classroom_data import open_class
from tests.factories import make_institution, make_user, right_answer

BASE = "http://mooc.test"


@dataclass
class Classroom:
    school_slug: str
    school_class: SchoolClass
    teacher: User
    course: Course
    quiz: Quiz
    lectures: list[Lecture]
    pupils: list[User] = field(default_factory=list)


def make_classroom(session: Session, *, name: str = "6A1") -> Classroom:
    school = make_institution(session, InstitutionKind.SCHOOL)
    school_class = open_class(session, school.id, name)
    teacher = make_user(session, (school.slug, Role.TEACHER), name="Cô Lan")
    teacher.locale = "en"  # the tests read the English pages
    session.flush()
    session.add(ClassMember(class_id=school_class.id, user_id=teacher.id, role=ClassRole.HOMEROOM))
    course = session.scalars(select(Course).where(Course.slug == "toan-lop-6")).one()
    quiz = session.scalars(
        select(Quiz).where(Quiz.course_id == course.id, Quiz.retired_at.is_(None))
    ).first()
    assert quiz is not None
    return Classroom(
        school.slug, school_class, teacher, course, quiz, ordered_lectures(session, course)
    )


def add_pupil(session: Session, room: Classroom, name: str, **kwargs: Any) -> User:
    pupil = make_user(session, name=name, **kwargs)
    session.add(ClassMember(class_id=room.school_class.id, user_id=pupil.id, role=ClassRole.PUPIL))
    session.flush()
    room.pupils.append(pupil)
    return pupil


def assign(
    session: Session,
    room: Classroom,
    kind: AssignmentKind,
    *,
    due_at: dt.datetime | None = None,
    lectures: list[Lecture] | None = None,
    quiz: Quiz | None = None,
) -> Assignment:
    assignment = Assignment(
        class_id=room.school_class.id,
        course_id=room.course.id,
        kind=kind,
        quiz_id=(quiz or room.quiz).id if kind == AssignmentKind.QUIZ else None,
        due_at=due_at,
        created_by_id=room.teacher.id,
    )
    session.add(assignment)
    session.flush()
    for lecture in lectures or []:
        session.add(AssignmentLecture(assignment_id=assignment.id, lecture_id=lecture.id))
    session.flush()
    return assignment


def take_quiz(
    session: Session,
    pupil: User,
    quiz: Quiz,
    *,
    right: int | None = None,
    at: dt.datetime | None = None,
    answers: dict[int, Any] | None = None,
) -> QuizAttempt:
    """Submit an attempt answering the first `right` questions right (all when None) and the
    rest with `answers` (or nothing)."""
    attempt = quizzes.start_attempt(session, pupil, quiz)
    responses: dict[int, Any] = {}
    for n, q in enumerate(attempt.questions):
        if right is None or n < right:
            responses[int(q["id"])] = right_answer(q)
        elif answers and int(q["id"]) in answers:
            responses[int(q["id"])] = answers[int(q["id"])]
    quizzes.submit_attempt(session, attempt, responses, now=at or utcnow())
    return attempt


def study(session: Session, pupil: User, lectures: list[Lecture]) -> None:
    if lectures and not learning_queries.is_enrolled(session, pupil.id, lectures[0].course_id):
        learning.enrol(session, pupil, lectures[0].course)
    for lecture in lectures:
        assert lecture.published_version is not None
        learning.mark_done(session, pupil, lecture, lecture.published_version, base_url=BASE)
