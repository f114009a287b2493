"""Taking quizzes: start an attempt (snapshotting the rules), submit it once, read results.

Replaying a submit form returns the already graded attempt instead of grading again; only one
attempt per learner and quiz can be open at a time (partial unique index).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.core.grading import (
    AttemptScore,
    draw_questions,
    score_attempt,
    shuffled_order,
)
from mooc.assessment.core.questions import question_type
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.assessment.queries import attempt_summary, open_attempt, snapshots
from mooc.db import utcnow
from mooc.errors import Conflict

# Network delays should not cost a learner their attempt: a little grace after the deadline.
DEADLINE_GRACE = dt.timedelta(seconds=30)


# Draws and shuffles need no reproducibility, only unpredictability for the learner.
_RNG = random.SystemRandom()


def snapshot_questions(quiz: Quiz, rng: random.Random) -> list[dict[str, Any]]:
    """The questions drawn for a new attempt (the pool, shuffled if asked), as they stand now."""
    by_id = {q.id: q for q in quiz.questions}
    drawn = draw_questions(list(by_id), quiz.pool_size, quiz.shuffle_questions, rng)
    return [
        {
            "id": q.id,
            "kind": q.kind.value,
            "prompt": q.prompt,
            "explanation": q.explanation,
            "points": q.points,
            "data": dict(q.data),
        }
        for q in (by_id[qid] for qid in drawn)
    ]


def _option_order(
    quiz: Quiz, questions: Sequence[Mapping[str, Any]], rng: random.Random
) -> dict[str, list[int]] | None:
    """Each choice question's options in a fresh order, or None when the quiz keeps its order."""
    if not quiz.shuffle_options:
        return None
    order: dict[str, list[int]] = {}
    for q in questions:
        options = q["data"].get("options")
        if options:
            order[str(q["id"])] = shuffled_order(len(options), rng)
    return order


def start_attempt(session: Session, user: User, quiz: Quiz) -> QuizAttempt:
    """The learner's open attempt, or a new one. Raises `Conflict` when no attempts are left."""
    mine = attempt_summary(session, user.id, quiz.id)  # one read: open, used, last number
    if mine.open is not None:
        return mine.open
    if mine.left(quiz) == 0:
        raise Conflict(_("You have used all your attempts at this quiz."))
    now = utcnow()
    drawn = snapshot_questions(quiz, _RNG)
    attempt = QuizAttempt(
        user_id=user.id,
        quiz_id=quiz.id,
        course_id=quiz.course_id,
        number=mine.last_number + 1,
        quiz_revision=quiz.revision,
        pass_mark=quiz.pass_mark,
        policy=quiz.policy,
        questions=drawn,
        option_order=_option_order(quiz, drawn, _RNG),
        started_at=now,
        deadline_at=(
            now + dt.timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
        ),
    )
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except IntegrityError:  # a double click started one a moment ago
        raced = open_attempt(session, user.id, quiz.id)
        if raced is None:
            raise Conflict(_("Please try again.")) from None
        return raced
    return attempt


def parse_responses(attempt: QuizAttempt, form: Mapping[str, Sequence[str]]) -> dict[int, object]:
    """Read answers from form fields named ``q<question id>`` (lists for multiple choice)."""
    return {
        int(q["id"]): question_type(str(q["kind"])).read(q["data"], form.get(f"q{q['id']}", []))
        for q in attempt.questions
    }


def answers_to_rewrite(
    attempt: QuizAttempt, form: Mapping[str, Sequence[str]], *, now: dt.datetime | None = None
) -> dict[int, str]:
    """Translated hints, by question id, for answers that cannot be graded as typed (such as
    "1.000": a thousand or one?). The learner rewrites them; the attempt stays open.

    None once the attempt is submitted or past its time limit: that submission is graded as is.
    """
    now = now or utcnow()
    if attempt.submitted_at is not None or (
        attempt.deadline_at is not None and now > attempt.deadline_at + DEADLINE_GRACE
    ):
        return {}
    hints: dict[int, str] = {}
    for q in attempt.questions:
        values = form.get(f"q{q['id']}", [])
        problem = question_type(str(q["kind"])).check_response(q["data"], values)
        if problem is not None:
            hints[int(q["id"])] = _(problem.message, **problem.values)
    return hints


@dataclass(frozen=True)
class Submission:
    attempt: QuizAttempt
    score: AttemptScore | None
    newly_graded: bool


_ATTEMPT_COLUMNS = [column.key for column in inspect(QuizAttempt).column_attrs]


def submit_attempt(
    session: Session,
    attempt: QuizAttempt,
    responses: Mapping[int, object],
    *,
    now: dt.datetime | None = None,
) -> Submission:
    """Grade an open attempt once. A replay of the same submission returns the graded attempt.

    An attempt submitted after its time limit (plus a short grace) scores 0 and is marked late.
    """
    if attempt.submitted_at is not None:
        return Submission(attempt, None, False)
    now = now or utcnow()
    # Lock the row where the database can, so two parallel submits grade once: its columns read
    # again, its quiz kept (no reload of what the page read with it).
    session.refresh(attempt, _ATTEMPT_COLUMNS, with_for_update=True)
    if attempt.submitted_at is not None:
        return Submission(attempt, None, False)
    score = score_attempt(snapshots(attempt), responses)
    late = attempt.deadline_at is not None and now > attempt.deadline_at + DEADLINE_GRACE
    attempt.responses = {str(k): v for k, v in responses.items()}
    attempt.submitted_at = now
    attempt.late = late
    attempt.score = 0.0 if late else score.percent
    attempt.passed = (not late) and score.percent >= attempt.pass_mark
    session.flush()
    return Submission(attempt, score, True)
