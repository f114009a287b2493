"""What the generated pupils study: the published courses, their lectures in order, and for each
quiz a few attempts made and graded by the assessment code itself, which generated attempts copy
(questions as drawn, answers, score), so quiz pages and reports read real attempts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mooc.assessment.core.grading import score_attempt
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.assessment.queries import snapshots
from mooc.assessment.services import parse_responses, snapshot_questions
from mooc.catalog.models import Course, CourseStatus
from mooc.demo.assignments import answer_form
from mooc.learning.queries import ordered_lectures

SKILLS = (1.0, 0.8, 0.6, 0.4, 0.2, 0.0)  # chance of each answer being right, per template


@dataclass(frozen=True)
class AttemptTemplate:
    questions: list[dict[str, Any]]
    responses: dict[str, Any]
    score: float
    passed: bool


@dataclass(frozen=True)
class QuizPlan:
    id: int
    revision: int
    pass_mark: int
    policy: str
    weight: int
    required: bool
    passing: tuple[AttemptTemplate, ...]  # best first
    failing: tuple[AttemptTemplate, ...]


@dataclass(frozen=True, eq=False)  # one per course: compared and hashed by identity
class CoursePlan:
    id: int
    slug: str
    pass_mark: int
    credits: Any
    workload_hours: int | None
    lectures: tuple[tuple[int, int], ...]  # (lecture id, published version id), in order
    quizzes: tuple[QuizPlan, ...]


def _templates(quiz: Quiz, rng: random.Random) -> list[AttemptTemplate]:
    found = []
    for skill in SKILLS:
        drawn = snapshot_questions(quiz, rng)
        probe = QuizAttempt(questions=drawn, pass_mark=quiz.pass_mark)  # never added
        form = {f"q{q['id']}": answer_form(q, rng.random() < skill, rng) for q in drawn}
        responses = parse_responses(probe, form)
        percent = score_attempt(snapshots(probe), responses).percent
        found.append(
            AttemptTemplate(
                questions=drawn,
                responses={str(k): v for k, v in responses.items()},
                score=percent,
                passed=percent >= quiz.pass_mark,
            )
        )
    return found


def _quiz_plan(quiz: Quiz, course_pass_mark: int, rng: random.Random) -> QuizPlan:
    made = sorted(_templates(quiz, rng), key=lambda t: -t.score)
    # A completer's attempts must also earn the course's pass mark.
    passing = tuple(t for t in made if t.passed and t.score >= course_pass_mark)
    failing = tuple(t for t in made if not t.passed)
    if not failing:  # a quiz anyone passes: an attempt left without answers fails it
        blank = made[-1]
        failing = (AttemptTemplate(blank.questions, {}, 0.0, quiz.pass_mark <= 0),)
    return QuizPlan(
        id=quiz.id,
        revision=quiz.revision,
        pass_mark=quiz.pass_mark,
        policy=quiz.policy.value,
        weight=quiz.weight,
        required=quiz.required,
        passing=passing or (made[0],),
        failing=failing,
    )


def course_plans(session: Session, rng: random.Random) -> list[CoursePlan]:
    """The published courses with at least one lecture, by id."""
    plans = []
    courses = session.scalars(
        select(Course).where(Course.status == CourseStatus.PUBLISHED).order_by(Course.id)
    )
    for course in courses:
        lectures = tuple(
            (lecture.id, lecture.published_version_id)
            for lecture in ordered_lectures(session, course)
            if lecture.published_version_id is not None
        )
        if not lectures:
            continue
        quizzes = session.scalars(
            select(Quiz)
            .where(Quiz.course_id == course.id, Quiz.retired_at.is_(None))
            .options(selectinload(Quiz.questions))
            .order_by(Quiz.id)
        ).all()
        plans.append(
            CoursePlan(
                id=course.id,
                slug=course.slug,
                pass_mark=course.pass_mark,
                credits=course.credits,
                workload_hours=course.workload_hours,
                lectures=lectures,
                quizzes=tuple(_quiz_plan(q, course.pass_mark, rng) for q in quizzes if q.questions),
            )
        )
    return plans
