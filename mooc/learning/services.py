"""A learner's operations (writes): enrol, view and finish lectures, submit quizzes, and earn a
course completion.

Each operation a learner may repeat (a double click, a replayed form) is idempotent, backed by a
unique constraint. Services flush; the view commits. An operation's learning events (xAPI
statements) are recorded here, in its transaction; the learner's two kinds of progress
(`finish_lecture`, `submit_quiz`) end by applying the completion rule, so no view has to, and
keep the learner's standing on their enrolment (`analytics.refresh_standing`) up to date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment import services as assessment
from mooc.assessment.models import QuizAttempt
from mooc.catalog.models import Course, Lecture, LectureVersion
from mooc.db import utcnow
from mooc.errors import PermissionDenied
from mooc.learning import xapi
from mooc.learning.analytics import refresh_standing
from mooc.learning.models import Completion, Enrolment, LectureProgress
from mooc.learning.queries import completion, course_status, enrolment


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
    found.started = True


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
    refresh_standing(session, lecture.course_id, lecture.course.pass_mark, [user.id], scores=False)
    xapi.record(
        session,
        xapi.lecture_experienced(user, lecture, version, base_url=base_url, when=now),
        user_id=user.id,
    )
    return True


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
    refresh_standing(session, course.id, course.pass_mark, [user.id], scores=False)
    xapi.record(
        session,
        xapi.course_completed(user, course, status.final_grade, base_url=base_url),
        user_id=user.id,
    )
    return record


def finish_lecture(
    session: Session, user: User, lecture: Lecture, version: LectureVersion, *, base_url: str
) -> Completion | None:
    """The learner finished a lecture ("mark as done"): record it and, when that completes the
    course, the completion (returned; None otherwise).

    Raises `PermissionDenied` when the learner is not enrolled.
    """
    mark_done(session, user, lecture, version, base_url=base_url)
    return complete_course_if_earned(session, user, lecture.course, base_url=base_url)


@dataclass(frozen=True)
class QuizSubmitted:
    """What a learner's submission did: graded now (False for a replay), and the completion it
    earned, if any."""

    attempt: QuizAttempt
    newly_graded: bool
    completion: Completion | None


def submit_quiz(
    session: Session,
    user: User,
    attempt: QuizAttempt,
    responses: Mapping[int, object],
    *,
    base_url: str,
) -> QuizSubmitted:
    """Grade the learner's attempt once (`assessment.submit_attempt`), record an xAPI statement
    per question and one for the result, and the completion the result earns.

    A replayed submission records nothing again and returns the graded attempt.
    """
    submission = assessment.submit_attempt(session, attempt, responses)
    if not submission.newly_graded or submission.score is None:
        return QuizSubmitted(attempt, False, None)
    when = attempt.submitted_at
    assert when is not None
    quiz = attempt.quiz
    refresh_standing(session, quiz.course_id, quiz.course.pass_mark, [user.id])
    for question in attempt.questions:
        grade = submission.score.grades[int(question["id"])]
        statement = xapi.question_answered(
            user,
            attempt.quiz,
            question,
            responses.get(int(question["id"])),
            grade.fraction,
            base_url=base_url,
            when=when,
        )
        xapi.record(session, statement, user_id=user.id)
    xapi.record(
        session,
        xapi.quiz_result(user, attempt.quiz, attempt, base_url=base_url, when=when),
        user_id=user.id,
    )
    completion = complete_course_if_earned(session, user, attempt.quiz.course, base_url=base_url)
    return QuizSubmitted(attempt, True, completion)
