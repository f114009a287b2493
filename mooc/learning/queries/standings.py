"""A learner's standing in a course: quiz standings, the SCORM packages counted in the grade,
and the completion status, the rule's inputs read in one statement whatever the number of
courses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    CompoundSelect,
    Float,
    Integer,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from mooc.assessment.core.grading import counted_score
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import (
    Course,
    Lecture,
    ScormPackage,
)
from mooc.learning.core.completion import CompletionStatus, QuizStanding, evaluate
from mooc.learning.models import LectureProgress, ScormState


@dataclass(frozen=True)
class _QuizRule:
    """What the completion rule reads of a quiz: its policy as stored."""

    id: int
    required: bool
    pass_mark: int
    weight: int
    policy: str


def _standings(
    quizzes: Iterable[_QuizRule], attempts: Iterable[tuple[int, float | None, str]]
) -> list[QuizStanding]:
    """Each quiz's standing from the learner's submitted attempts, given in order as
    (quiz id, score, policy): the counted score under the policy of the latest attempt."""
    mine: dict[int, list[tuple[float | None, str]]] = defaultdict(list)
    for quiz_id, score, policy in attempts:
        mine[quiz_id].append((score, policy))
    standings = []
    for quiz in quizzes:
        taken = mine.get(quiz.id, [])
        policy = taken[-1][1] if taken else quiz.policy
        score = counted_score([s or 0.0 for s, _ in taken], policy)
        standings.append(QuizStanding(quiz.id, quiz.required, quiz.pass_mark, quiz.weight, score))
    return standings


@dataclass(frozen=True)
class _Attempt:
    course_id: int
    quiz_id: int
    score: float | None
    policy: str


def _attempt_facts(session: Session, user_id: int, course_ids: Sequence[int]) -> list[_Attempt]:
    rows = session.execute(
        select(QuizAttempt.course_id, QuizAttempt.quiz_id, QuizAttempt.score, QuizAttempt.policy)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.course_id.in_(course_ids),
            QuizAttempt.submitted_at.is_not(None),
        )
        .order_by(QuizAttempt.number)
    ).all()
    return [_Attempt(c, q, score, policy.value) for c, q, score, policy in rows]


def quiz_standings(session: Session, user_id: int, course_id: int) -> list[QuizStanding]:
    # Retired quizzes count for no one: the grade and progress run over the course as it is now.
    quizzes = session.scalars(
        select(Quiz).where(Quiz.course_id == course_id, Quiz.retired_at.is_(None))
    ).all()
    attempts = _attempt_facts(session, user_id, [course_id])
    rules = [_QuizRule(q.id, q.required, q.pass_mark, q.weight, q.policy.value) for q in quizzes]
    return _standings(rules, ((a.quiz_id, a.score, a.policy) for a in attempts))


def course_status(session: Session, user_id: int, course: Course) -> CompletionStatus:
    return course_statuses(session, user_id, [course])[course.id]


def course_status_and_done(
    session: Session, user_id: int, course: Course
) -> tuple[CompletionStatus, set[int]]:
    """The learner's completion status in `course` and the ids of the lectures they have done
    (required or not), read together: a course page needs both."""
    statuses, done = _statuses_and_done(session, user_id, [course])
    return statuses[course.id], done[course.id]


def course_statuses(
    session: Session, user_id: int, courses: Sequence[Course]
) -> dict[int, CompletionStatus]:
    """The learner's completion status in each of `courses`, by course id, in one statement
    whatever the number of courses."""
    return _statuses_and_done(session, user_id, courses)[0]


def _statuses_and_done(
    session: Session, user_id: int, courses: Sequence[Course]
) -> tuple[dict[int, CompletionStatus], dict[int, set[int]]]:
    """`course_statuses`, and the lectures done in each course by course id: the rule's inputs
    read in one statement (`_rule_inputs`)."""
    ids = [course.id for course in courses]
    done: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return {}, done
    required: dict[int, list[int]] = defaultdict(list)
    quizzes: dict[int, list[_QuizRule]] = defaultdict(list)
    attempts: dict[int, list[tuple[int, int, float | None, str]]] = defaultdict(list)
    graded: dict[int, list[QuizStanding]] = defaultdict(list)
    rows = session.execute(_RULE_INPUTS, {"user_id": user_id, "ids": ids}).all()
    for kind, course_id, item_id, number, flag, mark, weight, score, policy in rows:
        if kind == _REQUIRED:
            required[course_id].append(item_id)
        elif kind == _DONE:
            done[course_id].add(item_id)
        elif kind == _QUIZ:
            quizzes[course_id].append(_QuizRule(item_id, bool(flag), mark, weight, policy))
        elif kind == _ATTEMPT:
            attempts[course_id].append((number, item_id, score, policy))
        else:
            value = None if score is None else round(float(score), 2)
            graded[course_id].append(QuizStanding(-item_id, False, 0, weight, value))
    statuses = {}
    for course in courses:
        course_quizzes = sorted(quizzes[course.id], key=lambda quiz: quiz.id)
        in_order = sorted(attempts[course.id], key=lambda attempt: attempt[:2])
        taken = [(quiz, score, policy) for _n, quiz, score, policy in in_order]
        statuses[course.id] = evaluate(
            required_lectures=required[course.id],
            done_lectures=done[course.id],
            quizzes=_standings(course_quizzes, taken) + graded[course.id],
            pass_mark=course.pass_mark,
        )
    return statuses, done


# The legs of `_rule_inputs`, told apart by their first column.
_REQUIRED, _DONE, _QUIZ, _ATTEMPT, _SCORM = range(5)


def _rule_inputs() -> CompoundSelect[Any]:
    """The completion rule's inputs in courses `ids` (bound when run, like `user_id`) as one
    UNION ALL of the five reads it needs, each on
    its own index, in columns (kind, course, item, number, flag, mark, weight, score, policy):
    the required lectures, the lectures done, the quizzes not retired, the submitted attempts
    (`number` orders them) and the SCORM packages counted in the grade (the mean of the
    learner's SCO scores)."""
    user_id = bindparam("user_id", type_=Integer)
    ids = bindparam("ids", type_=Integer, expanding=True)
    # Typed NULLs: PostgreSQL types a union's columns leg by leg.
    no_int, no_flag = cast(null(), Integer), cast(null(), Boolean)
    no_score, no_policy = cast(null(), Float), cast(null(), String)
    nothing = (no_int, no_flag, no_int, no_int, no_score, no_policy)
    required = select(literal(_REQUIRED), Lecture.course_id, Lecture.id, *nothing).where(
        Lecture.course_id.in_(ids),
        Lecture.required.is_(True),
        Lecture.published_version_id.is_not(None),
        Lecture.retired_at.is_(None),
    )
    done = select(
        literal(_DONE), LectureProgress.course_id, LectureProgress.lecture_id, *nothing
    ).where(
        LectureProgress.user_id == user_id,
        LectureProgress.course_id.in_(ids),
        LectureProgress.done_at.is_not(None),
    )
    # Retired quizzes count for no one: the grade and progress run over the course as it is now.
    quizzes = select(
        literal(_QUIZ),
        Quiz.course_id,
        Quiz.id,
        no_int,
        Quiz.required,
        Quiz.pass_mark,
        Quiz.weight,
        no_score,
        cast(Quiz.policy, String),
    ).where(Quiz.course_id.in_(ids), Quiz.retired_at.is_(None))
    attempts = select(
        literal(_ATTEMPT),
        QuizAttempt.course_id,
        QuizAttempt.quiz_id,
        QuizAttempt.number,
        no_flag,
        no_int,
        no_int,
        QuizAttempt.score,
        cast(QuizAttempt.policy, String),
    ).where(
        QuizAttempt.user_id == user_id,
        QuizAttempt.course_id.in_(ids),
        QuizAttempt.submitted_at.is_not(None),
    )
    scorm = (
        select(
            literal(_SCORM),
            ScormPackage.course_id,
            ScormPackage.id,
            no_int,
            no_flag,
            no_int,
            ScormPackage.weight,
            cast(func.avg(ScormState.score), Float),
            no_policy,
        )
        .join(Lecture, Lecture.id == ScormPackage.lecture_id)
        .outerjoin(
            ScormState,
            (ScormState.package_id == ScormPackage.id) & (ScormState.user_id == user_id),
        )
        .where(
            ScormPackage.course_id.in_(ids),
            ScormPackage.counts_in_grade.is_(True),
            Lecture.retired_at.is_(None),
            Lecture.published_version_id.is_not(None),
        )
        .group_by(ScormPackage.course_id, ScormPackage.id, ScormPackage.weight)
    )
    return union_all(required, done, quizzes, attempts, scorm)


_RULE_INPUTS = _rule_inputs()  # built once: every course page and completion check asks


def scorm_standings(
    session: Session, user_id: int, course_ids: Sequence[int]
) -> dict[int, list[QuizStanding]]:
    """The SCORM packages whose score counts in the final grade, as graded items, by course
    (one statement): the mean score of the learner's SCOs; counted once the package reported a
    score, like an optional quiz once taken. Their ids are negative, apart from quizzes'."""
    rows = session.execute(
        select(
            ScormPackage.course_id,
            ScormPackage.id,
            ScormPackage.weight,
            func.avg(ScormState.score),
        )
        .join(Lecture, Lecture.id == ScormPackage.lecture_id)
        .outerjoin(
            ScormState,
            (ScormState.package_id == ScormPackage.id) & (ScormState.user_id == user_id),
        )
        .where(
            ScormPackage.course_id.in_(course_ids),
            ScormPackage.counts_in_grade.is_(True),
            Lecture.retired_at.is_(None),
            Lecture.published_version_id.is_not(None),
        )
        .group_by(ScormPackage.course_id, ScormPackage.id, ScormPackage.weight)
    )
    found: dict[int, list[QuizStanding]] = defaultdict(list)
    for course_id, package_id, weight, score in rows:
        value = None if score is None else round(float(score), 2)
        found[course_id].append(QuizStanding(-package_id, False, 0, weight, value))
    return found
