"""A teacher's view of a course's learners: progress per learner, the completion funnel and the
distribution of quiz scores, from a handful of aggregate queries (not one per learner)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.core.grading import counted_score
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course, Lecture
from mooc.learning.core.completion import QuizStanding, evaluate
from mooc.learning.models import Completion, Enrolment, LectureProgress

SORT_KEYS = ("name", "progress", "activity", "grade")


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    email: str
    active: bool
    percent: int
    last_activity: dt.datetime | None
    quiz_scores: dict[int, float | None]  # counted score per quiz id
    completed_at: dt.datetime | None
    final_grade: float | None
    started: bool


@dataclass(frozen=True)
class CourseAnalytics:
    quizzes: Sequence[Quiz]
    rows: list[LearnerRow]

    def funnel(self) -> tuple[int, int, int, int]:
        enrolled = len(self.rows)
        started = sum(1 for r in self.rows if r.started)
        half = sum(1 for r in self.rows if r.percent >= 50)
        completed = sum(1 for r in self.rows if r.completed_at is not None)
        return enrolled, started, half, completed

    def scores(self) -> list[float]:
        return [s for r in self.rows for s in r.quiz_scores.values() if s is not None]


def course_analytics(session: Session, course: Course) -> CourseAnalytics:
    enrolments = session.execute(
        select(Enrolment, User)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id == course.id)
    ).all()
    required = set(
        session.scalars(
            select(Lecture.id).where(
                Lecture.course_id == course.id,
                Lecture.required.is_(True),
                Lecture.published_version_id.is_not(None),
                Lecture.retired_at.is_(None),
            )
        )
    )
    done: dict[int, set[int]] = defaultdict(set)
    viewed: set[int] = set()
    for user_id, lecture_id, done_at in session.execute(
        select(LectureProgress.user_id, LectureProgress.lecture_id, LectureProgress.done_at).where(
            LectureProgress.course_id == course.id
        )
    ):
        viewed.add(user_id)
        if done_at is not None:
            done[user_id].add(lecture_id)
    quizzes = session.scalars(
        select(Quiz)
        .where(Quiz.course_id == course.id, Quiz.retired_at.is_(None))
        .order_by(Quiz.section_id, Quiz.position)
    ).all()
    attempts: dict[tuple[int, int], list[QuizAttempt]] = defaultdict(list)
    for attempt in session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.course_id == course.id, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.number)
    ):
        attempts[(attempt.user_id, attempt.quiz_id)].append(attempt)
    completions = {
        c.user_id: c
        for c in session.scalars(select(Completion).where(Completion.course_id == course.id))
    }
    rows = []
    for enrolment, user in enrolments:
        scores: dict[int, float | None] = {}
        standings = []
        for quiz in quizzes:
            mine = attempts.get((user.id, quiz.id), [])
            policy = mine[-1].policy.value if mine else quiz.policy.value
            score = counted_score([a.score or 0.0 for a in mine], policy)
            scores[quiz.id] = score
            standings.append(
                QuizStanding(quiz.id, quiz.required, quiz.pass_mark, quiz.weight, score)
            )
        status = evaluate(
            required_lectures=required,
            done_lectures=done.get(user.id, set()),
            quizzes=standings,
            pass_mark=course.pass_mark,
        )
        completion = completions.get(user.id)
        rows.append(
            LearnerRow(
                user_id=user.id,
                name=user.name,
                email=user.login_name,
                active=enrolment.active,
                percent=100 if completion else status.percent,
                last_activity=enrolment.last_activity_at,
                quiz_scores=scores,
                completed_at=completion.completed_at if completion else None,
                final_grade=completion.final_grade if completion else status.final_grade,
                started=user.id in viewed or any(attempts.get((user.id, q.id)) for q in quizzes),
            )
        )
    return CourseAnalytics(quizzes=quizzes, rows=rows)


def sorted_rows(rows: list[LearnerRow], key: str, descending: bool) -> list[LearnerRow]:
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    keys = {
        "name": lambda r: r.name.casefold(),
        "progress": lambda r: r.percent,
        "activity": lambda r: r.last_activity or epoch,
        "grade": lambda r: r.final_grade if r.final_grade is not None else -1.0,
    }
    return sorted(rows, key=keys.get(key, keys["name"]), reverse=descending)
