"""Reading quizzes and attempts: a course's quiz by slug, a learner's own attempt (someone else's
is not found), past and open attempts, what is left, time left, and the feedback of a graded
attempt. Writes (start, submit) are in `services`."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from mooc.accounts.models import User
from mooc.assessment.core.grading import (
    AttemptScore,
    QuestionSnapshot,
    answers_revealed,
    attempts_left,
    score_attempt,
)
from mooc.assessment.deadlines import quiz_due_at
from mooc.assessment.models import Question, Quiz, QuizAttempt
from mooc.catalog.models import Course
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


def question_count(quiz_id: ColumnElement[int] | int) -> ScalarSelect[int]:
    """How many questions the quiz has, as a column of a larger statement (its questions stay
    in the database: the quiz page only says how many)."""
    return select(func.count(Question.id)).where(Question.quiz_id == quiz_id).scalar_subquery()


def attempt_for(session: Session, user: User, attempt_id: int) -> QuizAttempt:
    """The learner's own attempt, its quiz and course read with it; someone else's is reported
    as not found (no IDOR). No loader options on the attempt: a later
    `refresh(with_for_update=True)` locks the attempt's row alone."""
    row = session.execute(
        select(QuizAttempt, Quiz, Course)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(Course, Course.id == Quiz.course_id)
        .where(QuizAttempt.id == attempt_id)
    ).first()
    if row is None or row[0].user_id != user.id:
        raise NotFound(_("No such attempt."))
    attempt, quiz, course = row
    # Held by the attempt (the session only keeps weak references): no lazy load reads them again.
    set_committed_value(attempt, "quiz", quiz)
    set_committed_value(quiz, "course", course)
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


@dataclass(frozen=True)
class AttemptSummary:
    """A learner's attempts at a quiz, read together: the submitted ones in order, the open one,
    how many they used (open or not) and the highest number given."""

    submitted: list[QuizAttempt]
    open: QuizAttempt | None
    used: int
    last_number: int

    def left(self, quiz: Quiz) -> int | None:
        """Attempts left under the quiz's limit (None: unlimited), as `remaining_attempts`."""
        return attempts_left(self.used, quiz.max_attempts)


def attempt_summary(session: Session, user_id: int, quiz_id: int) -> AttemptSummary:
    """`submitted_attempts`, `open_attempt` and the count `remaining_attempts` makes, in one
    statement on the attempts' (user, quiz) index; their question snapshots and answers are not
    read (the attempt being shown is loaded whole already)."""
    rows = session.scalars(
        select(QuizAttempt)
        .options(
            defer(QuizAttempt.questions),
            defer(QuizAttempt.responses),
            defer(QuizAttempt.option_order),
        )
        .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id)
        .order_by(QuizAttempt.number)
    ).all()
    submitted = [a for a in rows if a.submitted_at is not None]
    opened = [a for a in rows if a.submitted_at is None]
    return AttemptSummary(
        submitted=submitted,
        open=opened[0] if opened else None,
        used=len(rows),
        last_number=max((a.number for a in rows), default=0),
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


class _Unread(enum.Enum):
    """A value not read yet (None is a value: no due date)."""

    UNREAD = enum.auto()


def answers_shown(
    session: Session,
    attempt: QuizAttempt,
    *,
    now: dt.datetime | None = None,
    summary: AttemptSummary | None = None,
    due_at: dt.datetime | _Unread | None = _Unread.UNREAD,
) -> bool:
    """Whether the learner may see the right answers and explanations of this submitted attempt,
    by the quiz's reveal policy (read now, so a teacher's change applies to past attempts too).
    A page that read the learner's `summary` and the quiz's `due_at` already passes them."""
    quiz = attempt.quiz
    summary = summary or attempt_summary(session, attempt.user_id, quiz.id)
    left = summary.left(quiz)
    if summary.open is not None:
        left = left if left is None else left + 1  # the open one is not used up yet
    due = None
    if quiz.reveal == "after_due":
        if isinstance(due_at, _Unread):
            due = quiz_due_at(session, attempt.user_id, quiz.id)
        else:
            due = due_at
    return answers_revealed(quiz.reveal.value, attempts_left=left, due_at=due, now=now or utcnow())
