"""A learner's courses as the dashboard shows them: those in progress with their completion status,
and those completed. One statement whatever the number of courses — the courses, and everything
the completion rule weighs for those in progress, as rows tagged by kind — where reading
enrolments, completions and each input of `queries.course_statuses` apart took seven."""

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
    exists,
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
    courses: list[Any] = []
    required: dict[int, list[int]] = defaultdict(list)
    done: dict[int, set[int]] = defaultdict(set)
    quizzes: dict[int, list[tuple[int, bool, int, int, str]]] = defaultdict(list)
    attempts: dict[int, list[tuple[int, float | None, str]]] = defaultdict(list)
    graded: dict[int, list[QuizStanding]] = defaultdict(list)
    for row in session.execute(_STATEMENT, {"user_id": user_id}):
        kind, course_id, item = row.kind, row.course_id, row.item
        if kind == _COURSE:
            courses.append(row)
        elif kind == _LECTURE:
            required[course_id].append(item)
            if row.flag:
                done[course_id].add(item)
        elif kind == _QUIZ:
            quizzes[course_id].append((item, bool(row.flag), row.pass_mark, row.weight, row.policy))
        elif kind == _ATTEMPT:
            attempts[course_id].append((item, row.score, row.policy))
        else:
            value = None if row.score is None else round(float(row.score), 2)
            graded[course_id].append(QuizStanding(item, False, 0, row.weight, value))
    completed = sorted(
        (
            CourseCompleted(_card(row), row.completed_at, row.grade, row.credits)
            for row in courses
            if row.completed_at is not None
        ),
        key=lambda c: c.completed_at,
        reverse=True,
    )
    going = [row for row in courses if row.completed_at is None and row.enrolled_at is not None]
    # Latest activity first (never active last), then the latest enrolled: two stable sorts.
    going.sort(key=lambda row: row.enrolled_at, reverse=True)
    going.sort(key=lambda row: (row.last_activity_at is None, _negated(row.last_activity_at)))
    in_progress = [
        CourseInProgress(
            _card(row),
            evaluate(
                required_lectures=required[row.course_id],
                done_lectures=done[row.course_id],
                quizzes=_standings(quizzes[row.course_id], attempts[row.course_id])
                + graded[row.course_id],
                pass_mark=row.pass_mark,
            ),
        )
        for row in going
    ]
    return MyCourses(in_progress=in_progress, completed=completed)


def _card(row: Any) -> CourseCard:
    return CourseCard(row.course_id, row.slug, row.title, Level(row.level))


def _negated(moment: dt.datetime | None) -> float:
    return -moment.timestamp() if moment is not None else 0.0


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


# The kinds of row of the one statement: a course, then what the completion rule weighs.
_COURSE, _LECTURE, _QUIZ, _ATTEMPT, _SCORM = 0, 1, 2, 3, 4

# The statement's columns, each kind of row filling some (the others NULL, of the column's type).
_COLUMNS: dict[str, Any] = {
    "kind": Integer(),
    "course_id": Integer(),
    "item": Integer(),  # a lecture's, a quiz's, or (negated) a SCORM package's id
    "flag": Boolean(),  # a lecture done; a quiz required
    "score": Float(),  # an attempt's score; a SCORM package's mean
    "weight": Integer(),
    "pass_mark": Integer(),  # a quiz's; a course's
    "policy": String(),  # a quiz's or an attempt's
    "seq": Integer(),  # the order within a kind: quizzes by id, attempts by number
    "slug": String(),
    "title": String(),
    "level": String(),
    "last_activity_at": Enrolment.last_activity_at.type,
    "enrolled_at": Enrolment.enrolled_at.type,
    "completed_at": Completion.completed_at.type,
    "grade": Completion.final_grade.type,
    "credits": Completion.credits.type,
}


def _row(kind: int, **given: Any) -> Select[Any]:
    """A select of every column of the statement in order, those not `given` NULL."""
    given["kind"] = literal(kind)
    return select(
        *(
            (given[name] if name in given else null().cast(type_)).label(name)
            for name, type_ in _COLUMNS.items()
        )
    )


def _statement(user_id: ColumnElement[int]) -> Select[Any]:
    """The learner's courses (active enrolments and completions) with what the completion rule
    weighs for those in progress, ordered by kind then `seq`."""
    going = select(Enrolment.course_id).where(
        Enrolment.user_id == user_id,
        Enrolment.active.is_(True),
        ~exists().where(Completion.user_id == user_id, Completion.course_id == Enrolment.course_id),
    )
    union = union_all(
        _courses(user_id),
        _required_lectures(user_id, going),
        _quizzes(going),
        _attempts(user_id, going),
        _scorm_packages(user_id, going),
    ).subquery()
    return select(union).order_by(union.c.kind, union.c.seq)


def _courses(user_id: ColumnElement[int]) -> Select[Any]:
    """The courses of the learner's active enrolments and completions, with both."""
    mine = union_all(
        select(Enrolment.course_id).where(Enrolment.user_id == user_id, Enrolment.active.is_(True)),
        select(Completion.course_id).where(Completion.user_id == user_id),
    )
    return (
        _row(
            _COURSE,
            course_id=Course.id,
            pass_mark=Course.pass_mark,
            slug=Course.slug,
            title=Course.title,
            level=type_coerce(Course.level, String),
            last_activity_at=Enrolment.last_activity_at,
            enrolled_at=Enrolment.enrolled_at,
            completed_at=Completion.completed_at,
            grade=Completion.final_grade,
            credits=Completion.credits,
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
        .where(Course.id.in_(mine))
    )


def _required_lectures(user_id: ColumnElement[int], going: Select[Any]) -> Select[Any]:
    """The required lectures of the courses in progress, each flagged when the learner did it."""
    return (
        _row(
            _LECTURE,
            course_id=Lecture.course_id,
            item=Lecture.id,
            flag=LectureProgress.id.is_not(None),
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
            Lecture.course_id.in_(going),
            Lecture.required.is_(True),
            Lecture.published_version_id.is_not(None),
            Lecture.retired_at.is_(None),
        )
    )


def _quizzes(going: Select[Any]) -> Select[Any]:
    # Retired quizzes count for no one: the grade and progress run over the course as it is now.
    return _row(
        _QUIZ,
        course_id=Quiz.course_id,
        item=Quiz.id,
        flag=Quiz.required,
        weight=Quiz.weight,
        pass_mark=Quiz.pass_mark,
        policy=type_coerce(Quiz.policy, String),
        seq=Quiz.id,
    ).where(Quiz.course_id.in_(going), Quiz.retired_at.is_(None))


def _attempts(user_id: ColumnElement[int], going: Select[Any]) -> Select[Any]:
    return _row(
        _ATTEMPT,
        course_id=QuizAttempt.course_id,
        item=QuizAttempt.quiz_id,
        score=QuizAttempt.score,
        policy=type_coerce(QuizAttempt.policy, String),
        seq=QuizAttempt.number,
    ).where(
        QuizAttempt.user_id == user_id,
        QuizAttempt.course_id.in_(going),
        QuizAttempt.submitted_at.is_not(None),
    )


def _scorm_packages(user_id: ColumnElement[int], going: Select[Any]) -> Select[Any]:
    """Graded SCORM packages with the learner's mean score; their ids are negative, apart from
    quizzes' (as `queries.scorm_standings` gives them)."""
    return (
        _row(
            _SCORM,
            course_id=ScormPackage.course_id,
            item=-ScormPackage.id,
            score=type_coerce(func.avg(ScormState.score), Float),
            weight=ScormPackage.weight,
            seq=ScormPackage.id,
        )
        .join(Lecture, Lecture.id == ScormPackage.lecture_id)
        .outerjoin(
            ScormState,
            (ScormState.package_id == ScormPackage.id) & (ScormState.user_id == user_id),
        )
        .where(
            ScormPackage.course_id.in_(going),
            ScormPackage.counts_in_grade.is_(True),
            Lecture.retired_at.is_(None),
            Lecture.published_version_id.is_not(None),
        )
        .group_by(ScormPackage.course_id, ScormPackage.id, ScormPackage.weight)
    )


_STATEMENT = _statement(bindparam("user_id"))  # built once: every dashboard asks
