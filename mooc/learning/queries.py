"""A learner's course, read: its lectures in order, the preview lecture, neighbours; enrolments,
progress, quiz standings, the completion status and the completions (reads; writes are in
`services`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.assessment.core.grading import counted_score
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course, Lecture, Section
from mooc.errors import NotFound
from mooc.learning.core.completion import CompletionStatus, QuizStanding, evaluate
from mooc.learning.models import Completion, Enrolment, LectureProgress


def ordered_lectures(session: Session, course: Course) -> list[Lecture]:
    """The published lectures of a course in teaching order."""
    return list(
        session.scalars(
            select(Lecture)
            .join(Section, Lecture.section_id == Section.id)
            .where(Lecture.course_id == course.id, Lecture.published_version_id.is_not(None))
            .order_by(Section.position, Lecture.position)
        )
    )


@dataclass(frozen=True)
class LecturePlace:
    lecture: Lecture
    index: int
    previous: Lecture | None
    next: Lecture | None
    is_preview: bool  # the first lecture: open to visitors


def lecture_place(session: Session, course: Course, slug: str) -> LecturePlace:
    lectures = ordered_lectures(session, course)
    for index, lecture in enumerate(lectures):
        if lecture.slug == slug:
            return LecturePlace(
                lecture=lecture,
                index=index,
                previous=lectures[index - 1] if index > 0 else None,
                next=lectures[index + 1] if index + 1 < len(lectures) else None,
                is_preview=index == 0,
            )
    raise NotFound(_("No such lecture in this course."))


def studied_retired_lecture(session: Session, course: Course, slug: str, user_id: int) -> Lecture:
    """A lecture retired from `course` that the learner studied: still theirs to re-read.
    Raises `NotFound` for anyone else (retired lectures are hidden from new learners)."""
    lecture = session.scalar(
        select(Lecture)
        .join(LectureProgress, LectureProgress.lecture_id == Lecture.id)
        .where(
            Lecture.course_id == course.id,
            Lecture.slug == slug,
            Lecture.retired_at.is_not(None),
            Lecture.published_version_id.is_not(None),
            LectureProgress.user_id == user_id,
        )
    )
    if lecture is None:
        raise NotFound(_("No such lecture in this course."))
    return lecture


def enrolment(session: Session, user_id: int, course_id: int) -> Enrolment | None:
    return session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def is_enrolled(session: Session, user_id: int, course_id: int) -> bool:
    found = enrolment(session, user_id, course_id)
    return found is not None and found.active


def done_lecture_ids(session: Session, user_id: int, course_id: int) -> set[int]:
    return set(
        session.scalars(
            select(LectureProgress.lecture_id).where(
                LectureProgress.user_id == user_id,
                LectureProgress.course_id == course_id,
                LectureProgress.done_at.is_not(None),
            )
        )
    )


def quiz_standings(session: Session, user_id: int, course_id: int) -> list[QuizStanding]:
    # Retired quizzes count for no one: the grade and progress run over the course as it is now.
    quizzes = session.scalars(
        select(Quiz).where(Quiz.course_id == course_id, Quiz.retired_at.is_(None))
    ).all()
    attempts = session.scalars(
        select(QuizAttempt)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.course_id == course_id,
            QuizAttempt.submitted_at.is_not(None),
        )
        .order_by(QuizAttempt.number)
    ).all()
    standings = []
    for quiz in quizzes:
        mine = [a for a in attempts if a.quiz_id == quiz.id]
        policy = mine[-1].policy.value if mine else quiz.policy.value
        score = counted_score([a.score or 0.0 for a in mine], policy)
        standings.append(QuizStanding(quiz.id, quiz.required, quiz.pass_mark, quiz.weight, score))
    return standings


def course_status(session: Session, user_id: int, course: Course) -> CompletionStatus:
    required = session.scalars(
        select(Lecture.id).where(
            Lecture.course_id == course.id,
            Lecture.required.is_(True),
            Lecture.published_version_id.is_not(None),
            Lecture.retired_at.is_(None),
        )
    ).all()
    return evaluate(
        required_lectures=required,
        done_lectures=done_lecture_ids(session, user_id, course.id),
        quizzes=quiz_standings(session, user_id, course.id),
        pass_mark=course.pass_mark,
    )


def completion(session: Session, user_id: int, course_id: int) -> Completion | None:
    return session.scalar(
        select(Completion).where(Completion.user_id == user_id, Completion.course_id == course_id)
    )


def my_enrolments(session: Session, user_id: int) -> Sequence[Enrolment]:
    return session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id == user_id, Enrolment.active.is_(True))
        .order_by(Enrolment.last_activity_at.desc().nulls_last(), Enrolment.enrolled_at.desc())
    ).all()


def my_completions(session: Session, user_id: int) -> Sequence[Completion]:
    return session.scalars(
        select(Completion)
        .where(Completion.user_id == user_id)
        .order_by(Completion.completed_at.desc())
    ).all()
