"""A learner's operations: enrol, view and finish lectures, and earn a course completion.

Each operation a learner may repeat (a double click, a replayed form) is idempotent, backed by a
unique constraint. Services flush; the view commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.core.grading import counted_score
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course, Lecture, LectureVersion
from mooc.db import utcnow
from mooc.errors import PermissionDenied
from mooc.learning import xapi
from mooc.learning.core.completion import CompletionStatus, QuizStanding, evaluate
from mooc.learning.models import Completion, Enrolment, LectureProgress


def enrolment(session: Session, user_id: int, course_id: int) -> Enrolment | None:
    return session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def is_enrolled(session: Session, user_id: int, course_id: int) -> bool:
    found = enrolment(session, user_id, course_id)
    return found is not None and found.active


def enrol(session: Session, user: User, course: Course) -> Enrolment:
    """Enrol `user` in a published `course`; enrolling twice leaves one active enrolment."""
    if not course.is_published:
        raise PermissionDenied(_("This course is not open for enrolment."))
    existing = enrolment(session, user.id, course.id)
    if existing is None:
        existing = Enrolment(user_id=user.id, course_id=course.id, active=True)
        try:
            with session.begin_nested():
                session.add(existing)
                session.flush()
        except IntegrityError:  # a parallel request enrolled first
            existing = enrolment(session, user.id, course.id)
            assert existing is not None
    existing.active = True
    existing.unenrolled_at = None
    return existing


def unenrol(session: Session, user: User, course: Course) -> None:
    """Leave a course; progress is kept, so enrolling again resumes where the learner was."""
    existing = enrolment(session, user.id, course.id)
    if existing is not None and existing.active:
        existing.active = False
        existing.unenrolled_at = utcnow()


def _progress(session: Session, user_id: int, lecture: Lecture) -> LectureProgress:
    row = session.scalar(
        select(LectureProgress).where(
            LectureProgress.user_id == user_id, LectureProgress.lecture_id == lecture.id
        )
    )
    if row is not None:
        return row
    row = LectureProgress(user_id=user_id, lecture_id=lecture.id, course_id=lecture.course_id)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = session.scalar(
            select(LectureProgress).where(
                LectureProgress.user_id == user_id, LectureProgress.lecture_id == lecture.id
            )
        )
        assert found is not None
        return found
    return row


def record_view(session: Session, user: User, lecture: Lecture) -> None:
    """Note that an enrolled learner opened a lecture (for "resume" and last activity)."""
    found = enrolment(session, user.id, lecture.course_id)
    if found is None or not found.active:
        return
    now = utcnow()
    progress = _progress(session, user.id, lecture)
    progress.last_viewed_at = now
    found.last_lecture_id = lecture.id
    found.last_activity_at = now


def mark_done(
    session: Session, user: User, lecture: Lecture, version: LectureVersion, *, base_url: str
) -> bool:
    """Mark a lecture done (once). Returns True when this call marked it.

    Raises `PermissionDenied` when the learner is not enrolled.
    """
    found = enrolment(session, user.id, lecture.course_id)
    if found is None or not found.active:
        raise PermissionDenied(_("Enrol in the course to record your progress."))
    progress = _progress(session, user.id, lecture)
    now = utcnow()
    found.last_activity_at = now
    if progress.done_at is not None:
        return False
    progress.done_at = now
    progress.version_id = version.id
    xapi.record(
        session,
        xapi.lecture_experienced(user, lecture, version, base_url=base_url, when=now),
        user_id=user.id,
    )
    return True


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


def complete_course_if_earned(
    session: Session, user: User, course: Course, *, base_url: str
) -> Completion | None:
    """Record the learner's completion of `course` the moment its rule is met.

    This is the completion event: exactly one `Completion` per learner and course, also when
    requests race (unique constraint). Returns the new completion; None when the rule is not
    met yet or the course was already completed (see `completion`).
    """
    if completion(session, user.id, course.id) is not None:
        return None
    status = course_status(session, user.id, course)
    if not status.complete or status.final_grade is None:
        return None
    versions = session.scalars(
        select(LectureProgress.version_id).where(
            LectureProgress.user_id == user.id,
            LectureProgress.course_id == course.id,
            LectureProgress.done_at.is_not(None),
        )
    ).all()
    attempts = session.scalars(
        select(QuizAttempt.id).where(
            QuizAttempt.user_id == user.id,
            QuizAttempt.course_id == course.id,
            QuizAttempt.submitted_at.is_not(None),
        )
    ).all()
    record = Completion(
        user_id=user.id,
        course_id=course.id,
        final_grade=status.final_grade,
        lecture_versions=sorted(v for v in versions if v is not None),
        quiz_attempts=sorted(attempts),
        pass_mark=course.pass_mark,
        credits=course.credits,
        workload_hours=course.workload_hours,
    )
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:  # another request completed it a moment ago
        return None
    xapi.record(
        session,
        xapi.course_completed(user, course, status.final_grade, base_url=base_url),
        user_id=user.id,
    )
    return record


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
