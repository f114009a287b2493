"""A learner's courses as the dashboard shows them: those in progress with their completion status,
and those completed. Two statements whatever the number of courses (the courses; then everything
the completion rule weighs for those in progress), where reading enrolments, completions and each
input of `queries.course_statuses` apart took eight."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import type_coerce

from mooc.assessment.core.grading import counted_score
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course, Lecture, Level, ScormPackage
from mooc.learning.core.completion import CompletionStatus, QuizStanding, evaluate
from mooc.learning.models import Completion, Enrolment, LectureProgress, ScormState


@dataclass(frozen=True, slots=True)
class CourseCard:
    """What a dashboard card shows of a course (its long texts stay in the database)."""

    id: int
    slug: str
    title: str
    level: Level


@dataclass(frozen=True, slots=True)
class CourseInProgress:
    course: CourseCard
    status: CompletionStatus


@dataclass(frozen=True, slots=True)
class CourseCompleted:
    course: CourseCard
    completed_at: dt.datetime
    final_grade: float
    credits: Decimal | None


@dataclass(frozen=True, slots=True)
class MyCourses:
    in_progress: list[CourseInProgress]  # latest activity first, then latest enrolled
    completed: list[CourseCompleted]  # latest first


def my_courses(session: Session, user_id: int) -> MyCourses:
    """The learner's active enrolments not completed yet, with their status (the same as
    `queries.course_statuses` gives), and their completions."""
    mine = union_all(
        select(Enrolment.course_id).where(Enrolment.user_id == user_id, Enrolment.active.is_(True)),
        select(Completion.course_id).where(Completion.user_id == user_id),
    ).subquery()
    rows = session.execute(
        select(
            Course.id,
            Course.slug,
            Course.title,
            Course.level,
            Course.pass_mark,
            Enrolment.last_activity_at,
            Enrolment.enrolled_at,
            Completion.completed_at,
            Completion.final_grade,
            Completion.credits,
        )
        .outerjoin(
            Enrolment,
            and_(
                Enrolment.course_id == Course.id,
                Enrolment.user_id == user_id,
                Enrolment.active.is_(True),
            ),
        )
        .outerjoin(
            Completion, and_(Completion.course_id == Course.id, Completion.user_id == user_id)
        )
        .where(Course.id.in_(select(mine.c.course_id)))
    ).all()
    completed = sorted(
        (
            CourseCompleted(CourseCard(*row[:4]), row.completed_at, row.final_grade, row.credits)
            for row in rows
            if row.completed_at is not None
        ),
        key=lambda c: c.completed_at,
        reverse=True,
    )
    going = [row for row in rows if row.completed_at is None and row.enrolled_at is not None]
    # Latest activity first (never active last), then the latest enrolled: two stable sorts.
    going.sort(key=lambda row: row.enrolled_at, reverse=True)
    going.sort(key=lambda row: (row.last_activity_at is None, _negated(row.last_activity_at)))
    statuses = _statuses(session, user_id, {row.id: row.pass_mark for row in going})
    return MyCourses(
        in_progress=[CourseInProgress(CourseCard(*row[:4]), statuses[row.id]) for row in going],
        completed=completed,
    )


def _negated(moment: dt.datetime | None) -> float:
    return -moment.timestamp() if moment is not None else 0.0


# The kinds of row of the status inputs' one statement.
_LECTURE, _QUIZ, _ATTEMPT, _SCORM = 0, 1, 2, 3


def _statuses(
    session: Session, user_id: int, pass_marks: dict[int, int]
) -> dict[int, CompletionStatus]:
    """Each course's completion status from what the rule weighs — required lectures and whether
    each is done, current quizzes, submitted attempts, SCORM packages counted in the grade — read
    in one statement of rows tagged by kind."""
    if not pass_marks:
        return {}
    ids = list(pass_marks)
    required: dict[int, list[int]] = defaultdict(list)
    done: dict[int, set[int]] = defaultdict(set)
    quizzes: dict[int, list[tuple[int, bool, int, int, str]]] = defaultdict(list)
    attempts: dict[int, list[tuple[int, float | None, str]]] = defaultdict(list)
    graded: dict[int, list[QuizStanding]] = defaultdict(list)
    for kind, course_id, item, flag, score, weight, pass_mark, policy, _order in session.execute(
        _INPUTS, {"user_id": user_id, "course_ids": ids}
    ):
        if kind == _LECTURE:
            required[course_id].append(item)
            if flag:
                done[course_id].add(item)
        elif kind == _QUIZ:
            quizzes[course_id].append((item, bool(flag), pass_mark, weight, policy))
        elif kind == _ATTEMPT:
            attempts[course_id].append((item, score, policy))
        else:
            value = None if score is None else round(float(score), 2)
            graded[course_id].append(QuizStanding(item, False, 0, weight, value))
    return {
        course_id: evaluate(
            required_lectures=required[course_id],
            done_lectures=done[course_id],
            quizzes=_standings(quizzes[course_id], attempts[course_id]) + graded[course_id],
            pass_mark=pass_mark,
        )
        for course_id, pass_mark in pass_marks.items()
    }


def _standings(
    quizzes: Iterable[tuple[int, bool, int, int, str]],
    attempts: Iterable[tuple[int, float | None, str]],
) -> list[QuizStanding]:
    """Each quiz's standing: the counted score of the learner's submitted attempts (in order)
    under the policy of the latest one, or the quiz's own before any."""
    taken: dict[int, list[tuple[float | None, str]]] = defaultdict(list)
    for quiz_id, score, policy in attempts:
        taken[quiz_id].append((score, policy))
    standings = []
    for quiz_id, required, pass_mark, weight, policy in quizzes:
        mine = taken.get(quiz_id, [])
        counted = counted_score([s or 0.0 for s, _ in mine], mine[-1][1] if mine else policy)
        standings.append(QuizStanding(quiz_id, required, pass_mark, weight, counted))
    return standings


def _inputs(user_id: ColumnElement[int], course_ids: Any) -> Select[Any]:
    """The union of the rule's inputs, each row (kind, course, item, flag, score, weight, pass
    mark, policy, order), ordered by kind then order (quizzes by id, attempts by number)."""
    no_int, no_float = null().cast(Integer), null().cast(Float)
    no_text, no_flag = null().cast(String), null().cast(Boolean)
    lectures = (
        _row(
            literal(_LECTURE),
            Lecture.course_id,
            Lecture.id,
            LectureProgress.id.is_not(None),
            no_float,
            no_int,
            no_int,
            no_text,
            Lecture.id,
        )
        .outerjoin(
            LectureProgress,
            and_(
                LectureProgress.lecture_id == Lecture.id,
                LectureProgress.user_id == user_id,
                LectureProgress.done_at.is_not(None),
            ),
        )
        .where(
            Lecture.course_id.in_(course_ids),
            Lecture.required.is_(True),
            Lecture.published_version_id.is_not(None),
            Lecture.retired_at.is_(None),
        )
    )
    # Retired quizzes count for no one: the grade and progress run over the course as it is now.
    quizzes = _row(
        literal(_QUIZ),
        Quiz.course_id,
        Quiz.id,
        Quiz.required,
        no_float,
        Quiz.weight,
        Quiz.pass_mark,
        type_coerce(Quiz.policy, String),
        Quiz.id,
    ).where(Quiz.course_id.in_(course_ids), Quiz.retired_at.is_(None))
    attempts = _row(
        literal(_ATTEMPT),
        QuizAttempt.course_id,
        QuizAttempt.quiz_id,
        no_flag,
        QuizAttempt.score,
        no_int,
        no_int,
        type_coerce(QuizAttempt.policy, String),
        QuizAttempt.number,
    ).where(
        QuizAttempt.user_id == user_id,
        QuizAttempt.course_id.in_(course_ids),
        QuizAttempt.submitted_at.is_not(None),
    )
    # Their ids are negative, apart from quizzes' (as `queries.scorm_standings` gives them).
    scorm = (
        _row(
            literal(_SCORM),
            ScormPackage.course_id,
            -ScormPackage.id,
            no_flag,
            type_coerce(func.avg(ScormState.score), Float),
            ScormPackage.weight,
            no_int,
            no_text,
            ScormPackage.id,
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
    union = union_all(lectures, quizzes, attempts, scorm).subquery()
    return select(union).order_by(union.c.kind, union.c.seq)


_COLUMNS = ("kind", "course_id", "item", "flag", "score", "weight", "pass_mark", "policy", "seq")


def _row(*columns: Any) -> Select[Any]:
    """A select of the union's named columns (a column may come twice, as an item and an order)."""
    return select(*(c.label(name) for c, name in zip(columns, _COLUMNS, strict=True)))


# Built once: every dashboard asks.
_INPUTS = _inputs(bindparam("user_id"), bindparam("course_ids", expanding=True))
