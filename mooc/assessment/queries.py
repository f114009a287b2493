"""Reading quizzes and attempts: a course's quiz by slug, a learner's own attempt (someone else's
is not found), past and open attempts, what is left, time left, and the feedback of a graded
attempt. Writes (start, submit) are in `services`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.core.grading import (
    AttemptScore,
    QuestionSnapshot,
    attempts_left,
    score_attempt,
)
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.db import utcnow
from mooc.errors import NotFound


def quiz_by_slug(session: Session, course_id: int, slug: str) -> Quiz:
    quiz = session.scalar(
        select(Quiz).where(
            Quiz.course_id == course_id, Quiz.slug == slug, Quiz.retired_at.is_(None)
        )
    )
    if quiz is None:  # retired quizzes are out of the course for learners
        raise NotFound(_("No such quiz."))
    return quiz


def attempt_for(session: Session, user: User, attempt_id: int) -> QuizAttempt:
    """The learner's own attempt; someone else's is reported as not found (no IDOR)."""
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound(_("No such attempt."))
    return attempt


def submitted_attempts(session: Session, user_id: int, quiz_id: int) -> Sequence[QuizAttempt]:
    return session.scalars(
        select(QuizAttempt)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.submitted_at.is_not(None),
        )
        .order_by(QuizAttempt.number)
    ).all()


def open_attempt(session: Session, user_id: int, quiz_id: int) -> QuizAttempt | None:
    return session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.submitted_at.is_(None),
        )
    )


def remaining_attempts(session: Session, user_id: int, quiz: Quiz) -> int | None:
    used = session.scalar(
        select(func.count())
        .select_from(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz.id)
    )
    return attempts_left(used or 0, quiz.max_attempts)


def seconds_left(attempt: QuizAttempt, now: dt.datetime | None = None) -> int | None:
    """Whole seconds until a timed attempt's deadline (0 once passed); None when untimed."""
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - (now or utcnow())).total_seconds()))


def feedback(attempt: QuizAttempt) -> AttemptScore:
    """Per-question grades of a submitted attempt, recomputed from its own snapshot."""
    responses = {int(k): v for k, v in (attempt.responses or {}).items()}
    return score_attempt(snapshots(attempt), responses)


def snapshots(attempt: QuizAttempt) -> list[QuestionSnapshot]:
    return [
        QuestionSnapshot(int(q["id"]), str(q["kind"]), int(q["points"]), q["data"])
        for q in attempt.questions
    ]
