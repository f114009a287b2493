"""A teacher's view of a course's learners: progress per learner, each quiz's and each SCORM
package's score, the completion funnel and the distribution of quiz scores.

Everything is counted by the database, so a page costs the same few statements for 3 learners or
20,000. Each enrolment keeps its learner's standing (progress, grade, started, completed), written
by `refresh_standing` (for one learner after their write, for the whole course after an edit to
what the rule counts) in the transaction of every write that changes it. Each sort reads a page
of enrolments from an index on (course, key, the learner's lowercased name kept on the enrolment,
user id): `ORDER BY … LIMIT/OFFSET` without sorting the course. Only the page's learners then have
their rows (lectures done, each quiz's counted score, the completion) counted, for them alone. The
funnel and the score bins are tallies kept per course (`CourseTally`): the funnel moved by each
enrolment row's change (database triggers), the bins by the difference a learner's write made to
their counted scores (`LearnerQuizScore`); a page reads them as a few rows at any size. The
progress and grade are the completion rule (`core/completion.py`) written in SQL; what a row shows
is the rule itself (`evaluate_counts`) applied to that row's counts.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import (
    Float,
    Numeric,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.expression import Executable

from mooc.accounts.models import User
from mooc.assessment.models import AttemptPolicy, Quiz, QuizAttempt
from mooc.catalog.models import Course, Lecture, ScormPackage, Section
from mooc.db import upsert
from mooc.learning.core.completion import QuizStanding, evaluate_counts
from mooc.learning.models import (
    Completion,
    CourseTally,
    Enrolment,
    LearnerQuizScore,
    LectureProgress,
    ScormState,
)
from mooc.pagination import Page, paginate_rows

SORT_KEYS = ("name", "progress", "activity", "grade")
# Each course's statement for a page's rows (`_Learners.rows_of_page`), by the course and its
# quizzes' and packages' ids; a course whose columns change gets a new key.
_PAGE_ROWS: dict[tuple[int, ...], Select[Any]] = {}
_PAGE_ROWS_KEPT = 256
CHUNK = 500  # learners read at a time by the CSV export


# Whose counts a statement reads: every learner's (None), these ids', or those a bound
# parameter names when the statement runs (`_Learners.rows_of_page`).
_Only = Sequence[int] | BindParameter[Any] | None


@dataclass(frozen=True)
class _SomeRefresh:
    """A course's statements refreshing the standing of the learners bound as `learner_ids`
    (`_Learners._refresh_some`)."""

    lock: Executable  # their enrolments, FOR UPDATE
    bins: Executable  # their kept scores' histogram bins
    update: Executable  # their standing on their enrolments
    forget_scores: Executable  # their kept scores deleted
    keep_scores: Executable  # their counted scores kept


# Each course's `_SomeRefresh`, by its rule (`_Learners._some_refresh`).
_SOME_REFRESHES: dict[tuple[Any, ...], _SomeRefresh] = {}
# Core's table: the ORM's INSERT or DELETE, run with bound parameters, is a bulk one of them.
_KEPT_SCORES = typing.cast(Table, LearnerQuizScore.__table__)


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    name: str
    email: str
    active: bool
    percent: int
    last_activity: dt.datetime | None
    quiz_scores: dict[int, float | None]  # counted score per quiz id
    scorm_scores: dict[int, float | None]  # mean score of the learner's SCOs per package id
    completed_at: dt.datetime | None
    final_grade: float | None
    started: bool


@dataclass(frozen=True)
class QuizColumn:
    """A quiz of the course as a column of the learners' table, with what its rule counts."""

    id: int
    title: str
    slug: str
    required: bool
    pass_mark: int
    weight: int


@dataclass(frozen=True)
class PackageColumn:
    """A SCORM lecture of the course as a column of the learners' table."""

    id: int  # the package's
    title: str  # the lecture's
    slug: str  # the lecture's
    counts_in_grade: bool


@dataclass(frozen=True)
class CourseAnalytics:
    """The course's quizzes and SCORM packages (the table's columns) and its learners counted
    as a whole."""

    quizzes: Sequence[QuizColumn]
    packages: Sequence[PackageColumn]
    enrolled: int
    started: int
    halfway: int
    completed: int
    score_bins: list[int]  # counted quiz scores in ten bins of ten points, 100 in the last

    def funnel(self) -> tuple[int, int, int, int]:
        return self.enrolled, self.started, self.halfway, self.completed


def _graded_packages(course_id: int, only: _Only) -> Any:
    """Per learner: the weights and weighted scores of the course's SCORM packages that count
    in the grade and have a score (the mean of the learner's SCOs, rounded as
    `queries.scorm_standings` rounds it): the packages' share of the final grade."""
    per = (
        select(
            ScormState.user_id,
            ScormPackage.weight,
            func.round(cast(func.avg(ScormState.score), Numeric(12, 6)), 2).label("score"),
        )
        .join(ScormPackage, ScormPackage.id == ScormState.package_id)
        .join(Lecture, Lecture.id == ScormPackage.lecture_id)
        .where(
            ScormPackage.course_id == course_id,
            ScormPackage.counts_in_grade.is_(True),
            ScormPackage.weight > 0,
            Lecture.retired_at.is_(None),
            Lecture.published_version_id.is_not(None),
            *([] if only is None else [ScormState.user_id.in_(only)]),
        )
        .group_by(ScormState.user_id, ScormPackage.id, ScormPackage.weight)
        .subquery()
    )
    return (
        select(
            per.c.user_id,
            func.sum(per.c.weight).label("weight"),
            func.sum(per.c.score * per.c.weight).label("weighted"),
        )
        .where(per.c.score.is_not(None))
        .group_by(per.c.user_id)
        .subquery()
    )


class _Learners:
    """The SQL of one course's learner rows: each learner's counts, progress and grade."""

    def __init__(
        self, session: Session, course_id: int, pass_mark: int, *, tallies: bool = False
    ) -> None:
        self.course_id, self.pass_mark = course_id, pass_mark
        columns = _course_columns(session, course_id, tallies=tallies)
        self.quizzes, self.packages = columns.quizzes, columns.packages
        self.required_lectures, self.tally = columns.required_lectures, columns.tally

    # The statement over every learner of the course is built only when asked for (the export,
    # a whole-course recount): a page reads its learners with `rows_of_page` alone, and building
    # these expressions is a good part of the page's CPU.
    @cached_property
    def scores(self) -> Any:
        """Every learner's counted score per quiz (`_counted_scores`)."""
        return _counted_scores(self.course_id, [q.id for q in self.quizzes])

    @cached_property
    def _everyone(
        self,
    ) -> tuple[ColumnElement[int], ColumnElement[float], ColumnElement[bool], Select[Any]]:
        return self._select(self.scores)

    @property
    def percent(self) -> ColumnElement[int]:
        return self._everyone[0]

    @property
    def grade(self) -> ColumnElement[float]:
        return self._everyone[1]

    @property
    def started(self) -> ColumnElement[bool]:
        return self._everyone[2]

    @property
    def rows(self) -> Select[Any]:
        """Every learner's row (`_select`)."""
        return self._everyone[3]

    def _select(
        self, scores: Any, only: _Only = None
    ) -> tuple[ColumnElement[int], ColumnElement[float], ColumnElement[bool], Select[Any]]:
        """Progress, grade, started and the row statement, over every learner of the course
        or `only` these (whose counts are then read for them alone)."""
        course_id, pass_mark = self.course_id, self.pass_mark
        lectures = _lecture_totals(course_id, only)
        quizzes = self._quiz_totals(scores)
        required_quizzes = sum(1 for q in self.quizzes if q.required)
        weighted_required = sum(1 for q in self.quizzes if q.required and q.weight > 0)

        packages = _graded_packages(course_id, only)

        done = func.coalesce(lectures.c.done, 0)
        passed = func.coalesce(quizzes.c.passed, 0)
        weight = func.coalesce(quizzes.c.weight, 0) + func.coalesce(packages.c.weight, 0)
        weighted = func.coalesce(quizzes.c.weighted, 0.0) + func.coalesce(packages.c.weighted, 0.0)
        # final_grade(): 100 without weighted items, none while a required quiz has no score,
        # else the weighted mean over quizzes and graded SCORM packages (each counted once it
        # reported a score), rounded like the rule, to compare with the pass mark alike.
        grade: ColumnElement[Any] = case(
            (func.coalesce(quizzes.c.weighted_required, 0) < weighted_required, null()),
            (weight == 0, literal(100.0)),
            else_=func.round(cast(weighted * 1.0 / weight, Numeric(12, 6)), 2),
        )
        items = self.required_lectures + required_quizzes
        raw = literal(100) if items == 0 else (100 * (done + passed)) // literal(items)
        complete = and_(
            done == self.required_lectures,
            passed == required_quizzes,
            grade.is_not(None),
            grade >= pass_mark,
        )
        percent: ColumnElement[int] = case(
            (Completion.id.is_not(None), 100),
            (complete, 100),
            (raw >= 99, 99),
            else_=raw,
        )
        final: ColumnElement[float] = func.coalesce(Completion.final_grade, cast(grade, Float))
        started = or_(
            func.coalesce(lectures.c.viewed, 0) > 0, func.coalesce(quizzes.c.taken, 0) > 0
        )
        rows = self._rows(lectures, quizzes, only).outerjoin(
            packages, packages.c.user_id == Enrolment.user_id
        )
        return percent, final, started, rows

    def _rows(self, lectures: Any, quizzes: Any, only: _Only) -> Select[Any]:
        """What `row` reads of each learner of the course (or `only` these): the person, the
        enrolment, the completion, the lecture counts (`lectures`) and the counted score of
        each quiz (`quizzes`, which counts those `taken` too)."""
        course_id = self.course_id
        started = or_(
            func.coalesce(lectures.c.viewed, 0) > 0, func.coalesce(quizzes.c.taken, 0) > 0
        )
        rows: Select[Any] = (
            select(
                User.id,
                User.name,
                User.email,
                User.username,
                Enrolment.active,
                Enrolment.last_activity_at,
                Completion.completed_at,
                Completion.final_grade,
                func.coalesce(lectures.c.done, 0).label("done"),
                started.label("started"),
                *[quizzes.c[f"q{q.id}"] for q in self.quizzes],
            )
            .join(User, User.id == Enrolment.user_id)
            .outerjoin(
                Completion,
                and_(Completion.user_id == Enrolment.user_id, Completion.course_id == course_id),
            )
            .outerjoin(lectures, lectures.c.user_id == Enrolment.user_id)
            .outerjoin(quizzes, quizzes.c.user_id == Enrolment.user_id)
            .where(Enrolment.course_id == course_id)
        )
        if only is not None:
            rows = rows.where(Enrolment.user_id.in_(only))
        return rows

    def rows_of_page(self) -> Select[Any]:
        """The rows of the learners whose ids are bound as `page_ids` when it runs, each one's
        counts read for them alone: only what `row` reads, since `row` applies the rule to the
        counts itself (the progress and grade in SQL, with the SCORM packages' share, are for
        sorting and the kept standing). Building it is most of a page's CPU outside the
        template, and it depends only on the course's quizzes and packages: it is built once
        per course as it is and kept (`_PAGE_ROWS`)."""
        key = (self.course_id, *(q.id for q in self.quizzes), -1, *(p.id for p in self.packages))
        found = _PAGE_ROWS.get(key)
        if found is not None:
            return found
        ids: BindParameter[Any] = bindparam("page_ids", expanding=True)
        scores = _counted_scores(self.course_id, [q.id for q in self.quizzes], ids)
        taken = (
            select(scores.c.user_id, func.count().label("taken"), *self._score_columns(scores))
            .group_by(scores.c.user_id)
            .subquery()
        )
        rows = self._with_scorm(self._rows(_lecture_totals(self.course_id, ids), taken, ids), ids)
        if len(_PAGE_ROWS) >= _PAGE_ROWS_KEPT:
            _PAGE_ROWS.clear()  # courses change rarely: a full store is a stale one
        _PAGE_ROWS[key] = rows
        return rows

    def _score_columns(self, s: Any) -> list[ColumnElement[Any]]:
        """Each quiz's counted score as a column `q<id>` of a learner's `s` rows grouped."""
        return [
            func.max(case((s.c.quiz_id == q.id, s.c.score))).label(f"q{q.id}") for q in self.quizzes
        ]

    def _with_scorm(self, rows: Select[Any], only: _Only = None) -> Select[Any]:
        """`rows` with a column per SCORM package: the mean score of the learner's SCOs (as
        the learner's own grade counts it), read in the same statement. The standing's UPDATE
        does without them."""
        if not self.packages:
            return rows
        per = (
            select(
                ScormState.user_id,
                ScormState.package_id,
                func.avg(ScormState.score).label("score"),
            )
            .where(ScormState.package_id.in_([p.id for p in self.packages]))
            .where(*([] if only is None else [ScormState.user_id.in_(only)]))
            .group_by(ScormState.user_id, ScormState.package_id)
            .subquery()
        )
        pivot = (
            select(
                per.c.user_id,
                *[
                    func.max(case((per.c.package_id == p.id, per.c.score))).label(f"s{p.id}")
                    for p in self.packages
                ],
            )
            .group_by(per.c.user_id)
            .subquery()
        )
        return rows.add_columns(*[pivot.c[f"s{p.id}"] for p in self.packages]).outerjoin(
            pivot, pivot.c.user_id == Enrolment.user_id
        )

    def _quiz_totals(self, s: Any) -> Any:
        """Per learner: quizzes taken, required ones passed, the weights and weighted scores
        that make the grade, and each quiz's counted score (a column per quiz)."""
        weighted = Quiz.weight > 0
        return (
            select(
                s.c.user_id,
                func.count().label("taken"),
                func.sum(
                    case((and_(Quiz.required.is_(True), s.c.score >= Quiz.pass_mark), 1), else_=0)
                ).label("passed"),
                func.sum(case((and_(Quiz.required.is_(True), weighted), 1), else_=0)).label(
                    "weighted_required"
                ),
                func.sum(case((weighted, Quiz.weight), else_=0)).label("weight"),
                func.sum(case((weighted, s.c.score * Quiz.weight), else_=0.0)).label("weighted"),
                *self._score_columns(s),
            )
            .join(Quiz, Quiz.id == s.c.quiz_id)
            .group_by(s.c.user_id)
            .subquery()
        )

    def ordered(self, sort: str, descending: bool) -> Select[Any]:
        """Every learner's row in the order asked for."""
        return self._order(self._with_scorm(self.rows), sort, descending)

    def page_order(self, sort: str, descending: bool) -> Select[Any]:
        """The learners' ids in the order asked for, by the standing and the name each
        enrolment keeps: read from the sort's index, without counting anyone's progress or
        reading any user (a page of them is then read with `rows_of_page`)."""
        ids = select(Enrolment.user_id).where(Enrolment.course_id == self.course_id)
        name, key = Enrolment.sort_name, Enrolment.last_activity_at
        order: tuple[ColumnElement[Any], ...] = ()
        if sort == "name" and descending:
            order = (name.desc(), Enrolment.user_id.desc())
        elif sort == "activity":
            order = (key.desc().nulls_last() if descending else key.asc().nulls_first(),)
        elif sort == "grade":
            # No grade sorts first going up, last going down (the indexes say NULLS alike).
            grade = Enrolment.grade
            order = (grade.desc().nulls_last() if descending else grade.asc().nulls_first(),)
        elif sort == "progress":  # never NULL: the plain direction its index serves
            order = (Enrolment.progress.desc() if descending else Enrolment.progress.asc(),)
        ties = () if sort == "name" and descending else (name, Enrolment.user_id)
        return ids.order_by(*order, *ties)

    def _order(self, statement: Select[Any], sort: str, descending: bool) -> Select[Any]:
        """`statement` in the order asked for, by the counted progress and grade (a grade
        sorts as -1 when there is none: first going up, last going down), as `page_order`."""
        name = func.lower(User.name)
        keys: dict[str, ColumnElement[Any]] = {
            "name": name,
            "progress": self.percent,
            "activity": Enrolment.last_activity_at.expression,
            "grade": func.coalesce(self.grade, -1.0),
        }
        key = keys.get(sort, name)
        if descending:
            first = key.desc().nulls_last()
            ties = (name.desc(), User.id.desc()) if sort == "name" else (name, User.id)
        else:
            first = key.asc().nulls_first()
            ties = (name, User.id)
        return statement.order_by(first, *ties)

    def row(self, found: Row[Any]) -> LearnerRow:
        m = found._mapping
        scores: dict[int, float | None] = {q.id: m[f"q{q.id}"] for q in self.quizzes}
        scorm: dict[int, float | None] = {
            p.id: None if m[f"s{p.id}"] is None else round(float(m[f"s{p.id}"]), 2)
            for p in self.packages
        }
        status = evaluate_counts(
            lectures_required=self.required_lectures,
            lectures_done=m["done"],
            quizzes=[
                QuizStanding(q.id, q.required, q.pass_mark, q.weight, scores[q.id])
                for q in self.quizzes
            ],
            pass_mark=self.pass_mark,
        )
        completed_at = m[Completion.completed_at]
        return LearnerRow(
            user_id=m[User.id],
            name=m[User.name],
            email=m[User.email] or m[User.username] or "",
            active=m[Enrolment.active],
            percent=100 if completed_at else status.percent,
            last_activity=m[Enrolment.last_activity_at],
            quiz_scores=scores,
            scorm_scores=scorm,
            completed_at=completed_at,
            final_grade=m[Completion.final_grade] if completed_at else status.final_grade,
            started=bool(m["started"]),
        )

    def summary(self, session: Session) -> CourseAnalytics:
        """The funnel and the score bins: the course's kept tallies, a few rows at any size."""
        tally = self.tally if self.tally is not None else course_tally(session, self.course_id)
        bins = [tally.get(f"bin{n}", 0) for n in range(10)]
        enrolled, started, halfway, completed = (tally.get(name, 0) for name in FUNNEL)
        return CourseAnalytics(
            self.quizzes, self.packages, enrolled, started, halfway, completed, bins
        )

    def refresh(
        self, session: Session, user_ids: Sequence[int] | None = None, *, scores: bool = True
    ) -> None:
        """Write the standing of every learner of the course (or of `user_ids`) in one UPDATE,
        counted from their records, and (`scores`) their counted scores; then recount the
        course's tallies (or move them by what these learners' writes moved)."""
        if user_ids is not None:
            self._refresh_some(session, user_ids, scores=scores)
            return
        counted_scores = self.scores
        with _funnel_triggers_aside(session):
            session.execute(
                self._standing_update(self.percent, self.grade, self.started, self.rows)
            )
        self._keep_scores(session, counted_scores)
        after = self._bins(session)
        # A recount of every tally: the funnel too (its row trigger stood aside for the UPDATE).
        after |= self._funnel(session)
        session.execute(delete(CourseTally).where(CourseTally.course_id == self.course_id))
        rows_ = [
            {"course_id": self.course_id, "name": k, "count": n} for k, n in after.items() if n
        ]
        if rows_:
            session.execute(insert(CourseTally), rows_)

    def _refresh_some(self, session: Session, user_ids: Sequence[int], *, scores: bool) -> None:
        """`refresh` of these learners: their standing, and (`scores`) their kept scores and
        the tallies moved by what their scores moved. The statements are the course's kept
        ones (`_SomeRefresh`), the learners' ids bound when they run."""
        kept = self._some_refresh()
        ids = {"learner_ids": list(user_ids)}
        before: dict[str, int] = {}
        if scores:
            # Their enrolments locked first: a parallel write of the same learner waits
            # here and then reads what this one wrote, so no difference counts twice.
            session.execute(kept.lock, ids)
            before = {f"bin{int(b)}": int(n) for b, n in session.execute(kept.bins, ids)}
        session.execute(kept.update, ids)
        if not scores:
            return  # the funnel follows the enrolments by itself (triggers: migration 9b3f6d2e8c14)
        session.execute(kept.forget_scores, ids)
        session.execute(kept.keep_scores, ids)
        after = {f"bin{int(b)}": int(n) for b, n in session.execute(kept.bins, ids)}
        move_tally(
            session,
            self.course_id,
            {k: after.get(k, 0) - before.get(k, 0) for k in before.keys() | after.keys()},
        )

    def _some_refresh(self) -> _SomeRefresh:
        """The statements of `_refresh_some`, built once per course as it is and kept: building
        the standing's UPDATE is most of a pupil's write's CPU, and it depends only on the
        course's rule (its pass mark, required lectures, quizzes and packages)."""
        key = (
            self.course_id,
            self.pass_mark,
            self.required_lectures,
            *((q.id, q.required, q.pass_mark, q.weight) for q in self.quizzes),
            -1,
            *(p.id for p in self.packages),
        )
        found = _SOME_REFRESHES.get(key)
        if found is not None:
            return found
        ids: BindParameter[Any] = bindparam("learner_ids", expanding=True)
        counted = _counted_scores(self.course_id, [q.id for q in self.quizzes], ids)
        kept = LearnerQuizScore
        index = score_bin(kept.score.expression)
        built = _SomeRefresh(
            lock=select(Enrolment.id)
            .where(Enrolment.course_id == self.course_id, Enrolment.user_id.in_(ids))
            .order_by(Enrolment.user_id)
            .with_for_update(),
            bins=select(index, func.count())
            .where(kept.course_id == self.course_id, kept.user_id.in_(ids))
            .group_by(index),
            update=self._standing_update(*self._select(counted, ids)),
            forget_scores=delete(_KEPT_SCORES).where(
                kept.course_id == self.course_id, kept.user_id.in_(ids)
            ),
            keep_scores=self._scores_insert(counted),
        )
        if len(_SOME_REFRESHES) >= _PAGE_ROWS_KEPT:
            _SOME_REFRESHES.clear()  # courses change rarely: a full store is a stale one
        _SOME_REFRESHES[key] = built
        return built

    @staticmethod
    def _standing_update(
        percent: ColumnElement[int],
        grade: ColumnElement[float],
        started: ColumnElement[bool],
        rows: Select[Any],
    ) -> Executable:
        """The UPDATE writing the counted standing of `rows`' enrolments on them: of those
        whose standing it changes alone, so a recount writes no row (and no index entry: the
        learners page's sorts index progress and grade) that it would leave as it was."""
        counted = rows.with_only_columns(
            Enrolment.id.label("enrolment_id"),
            percent.label("progress"),
            grade.label("grade"),
            started.label("started"),
            Completion.id.is_not(None).label("completed"),
            maintain_column_froms=True,
        ).subquery()
        return (
            update(Enrolment)
            .where(
                Enrolment.id == counted.c.enrolment_id,
                or_(
                    Enrolment.progress.is_distinct_from(counted.c.progress),
                    Enrolment.grade.is_distinct_from(counted.c.grade),
                    Enrolment.started.is_distinct_from(counted.c.started),
                    Enrolment.completed.is_distinct_from(counted.c.completed),
                ),
            )
            .values(
                progress=counted.c.progress,
                grade=counted.c.grade,
                started=counted.c.started,
                completed=counted.c.completed,
            )
            .execution_options(synchronize_session=False)
        )

    def _keep_scores(self, session: Session, counted: Any) -> None:
        """Rewrite the kept counted scores of every learner of the course."""
        session.execute(
            delete(LearnerQuizScore).where(LearnerQuizScore.course_id == self.course_id)
        )
        session.execute(self._scores_insert(counted))

    def _scores_insert(self, counted: Any) -> Executable:
        """The INSERT keeping the `counted` scores of the course's enrolled learners."""
        return insert(_KEPT_SCORES).from_select(
            ["user_id", "quiz_id", "course_id", "score"],
            select(
                counted.c.user_id, counted.c.quiz_id, literal(self.course_id), counted.c.score
            ).join(
                Enrolment,
                and_(
                    Enrolment.user_id == counted.c.user_id,
                    Enrolment.course_id == self.course_id,
                ),
            ),
        )

    def _funnel(self, session: Session) -> dict[str, int]:
        """The funnel's counts among the course's enrolments."""
        counts = session.execute(
            select(
                func.count(),
                func.sum(case((Enrolment.started, 1), else_=0)),
                func.sum(case((Enrolment.progress >= 50, 1), else_=0)),
                func.sum(case((Enrolment.completed, 1), else_=0)),
            ).where(Enrolment.course_id == self.course_id)
        ).one()
        return dict(zip(FUNNEL, (int(n or 0) for n in counts), strict=True))

    def _bins(self, session: Session) -> dict[str, int]:
        """{"binN": counted scores in it} among the kept scores of the course."""
        kept = LearnerQuizScore
        index = score_bin(kept.score.expression)
        found = session.execute(
            select(index, func.count()).where(kept.course_id == self.course_id).group_by(index)
        )
        return {f"bin{int(b)}": int(n) for b, n in found}


FUNNEL = ("enrolled", "started", "halfway", "completed")

# Set for a transaction, the funnel's update trigger on PostgreSQL stands aside (migration
# 9158189d0bb5).
RECOUNTING_TALLIES = "mooc.recounting_tallies"


@contextmanager
def _funnel_triggers_aside(session: Session) -> Iterator[None]:
    """On PostgreSQL, the funnel's row trigger does not move the tallies for the updates made
    inside: for an UPDATE of a whole course's standing, whose tallies are recounted after it.
    Moving one tally row once an enrolment within one transaction costs O(n²) there (each move
    follows the row's versions written before it): 2.7 s for 20,000 learners. SQLite keeps no
    row versions; its triggers move the tallies as they go."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    aside = text("SELECT set_config(:name, :value, true)")
    session.execute(aside, {"name": RECOUNTING_TALLIES, "value": "on"})
    # No `finally`: a failed statement aborts the transaction (or the savepoint, which undoes
    # the setting with it), and nothing more runs in it.
    yield
    session.execute(aside, {"name": RECOUNTING_TALLIES, "value": "off"})


def course_tally(session: Session, course_id: int) -> dict[str, int]:
    """The course's kept tallies by name (a name never moved reads as absent: 0)."""
    found = session.execute(
        select(CourseTally.name, CourseTally.count).where(CourseTally.course_id == course_id)
    )
    return {name: int(count) for name, count in found}


def move_tally(session: Session, course_id: int, moves: dict[str, int]) -> None:
    """Add each move to the course's tally of that name (made at 0 when absent), in the order
    of the names, so two writers to one course never wait on each other in a circle; a tally
    nothing moved is not touched (not locked)."""
    counter = CourseTally.__table__.c.count
    for name in sorted(moves):
        moved = moves[name]
        if moved:
            session.execute(
                upsert(session, CourseTally)
                .values(course_id=course_id, name=name, count=moved)
                .on_conflict_do_update(
                    index_elements=[CourseTally.course_id, CourseTally.name],
                    set_={"count": counter + moved},
                )
            )


def score_bin(score: ColumnElement[float]) -> ColumnElement[int]:
    """The histogram bin of a counted score: ten points each, 100 in the last."""
    return case(*[(score >= 10 * n, n) for n in range(9, 0, -1)], else_=0)


def refresh_standing(
    session: Session,
    course_id: int,
    pass_mark: int,
    user_ids: Sequence[int] | None = None,
    *,
    scores: bool = True,
) -> None:
    """Recount the standing kept on the enrolments of the course (or of `user_ids` only): after
    a change to what the rule counts (a lecture or quiz retired, restored, published, made
    required or weighted; the pass mark) or records written in bulk. `scores=False` leaves the
    counted quiz scores and bins as they are: for a write that cannot change a score (a lecture
    done, a completion)."""
    _Learners(session, course_id, pass_mark).refresh(session, user_ids, scores=scores)


@dataclass(frozen=True)
class _CourseColumns:
    quizzes: list[QuizColumn]
    packages: list[PackageColumn]
    required_lectures: int
    tally: dict[str, int] | None  # the course's kept tallies, when asked for


@functools.cache
def _course_columns_statement(tallies: bool) -> Select[Any]:
    """`_course_columns`' statement, the course bound as `course_id`: built once (building it
    was a third of a pupil's write's CPU)."""
    course_id: BindParameter[int] = bindparam("course_id")
    nothing = null()
    # Retired quizzes count for no one: the grade and progress run over the course as it is.
    quizzes = select(
        literal("quiz").label("kind"),
        Quiz.id,
        Quiz.title,
        Quiz.slug,
        Quiz.required,
        Quiz.pass_mark,
        Quiz.weight,
        Quiz.section_id,
        Quiz.position,
    ).where(Quiz.course_id == course_id, Quiz.retired_at.is_(None))
    packages = (
        select(
            literal("scorm"),
            ScormPackage.id,
            Lecture.title,
            Lecture.slug,
            ScormPackage.counts_in_grade,
            nothing,
            nothing,
            Section.position,
            Lecture.position,
        )
        .join(Lecture, Lecture.id == ScormPackage.lecture_id)
        .join(Section, Section.id == Lecture.section_id)
        .where(
            ScormPackage.course_id == course_id,
            Lecture.retired_at.is_(None),
            Lecture.published_version_id.is_not(None),
        )
    )
    lectures = select(literal("lectures"), func.count(Lecture.id), *[nothing] * 7).where(
        Lecture.course_id == course_id, *_required_lecture()
    )
    parts = [quizzes, packages, lectures]
    if tallies:
        parts.append(
            select(literal("tally"), CourseTally.count, CourseTally.name, *[nothing] * 6).where(
                CourseTally.course_id == course_id
            )
        )
    both = union_all(*parts).subquery()
    return select(both).order_by(both.c.kind, both.c.section_id, both.c.position)


def _course_columns(session: Session, course_id: int, *, tallies: bool) -> _CourseColumns:
    """What the rule and the table need of the course, in one statement instead of one per
    kind of row: its live quizzes, its live SCORM lectures, how many lectures are required and
    (`tallies`) its kept tallies. Each kind of row fills the columns it needs: (kind, id,
    title, slug, flag, pass_mark, weight, order, then order)."""
    found = session.execute(_course_columns_statement(tallies), {"course_id": course_id})
    quiz_columns, package_columns, required, tally = [], [], 0, {}
    for kind, id_, title, slug, flag, pass_mark, weight, _, _ in found:
        if kind == "quiz":
            quiz_columns.append(QuizColumn(id_, title, slug, flag, pass_mark, weight))
        elif kind == "scorm":
            package_columns.append(PackageColumn(id_, title, slug, flag))
        elif kind == "lectures":
            required = int(id_ or 0)
        else:
            tally[title] = int(id_)
    return _CourseColumns(quiz_columns, package_columns, required, tally if tallies else None)


def _required_lecture() -> tuple[ColumnElement[bool], ...]:
    return (
        Lecture.required.is_(True),
        Lecture.published_version_id.is_not(None),
        Lecture.retired_at.is_(None),
    )


def _lecture_totals(course_id: int, only: _Only = None) -> Any:
    """Per learner who opened a lecture of the course (or of `only` these): lectures opened,
    required ones done."""
    done = and_(LectureProgress.done_at.is_not(None), *_required_lecture())
    statement = (
        select(
            LectureProgress.user_id,
            func.count().label("viewed"),
            func.sum(case((done, 1), else_=0)).label("done"),
        )
        .join(Lecture, Lecture.id == LectureProgress.lecture_id)
        .where(LectureProgress.course_id == course_id)
        .group_by(LectureProgress.user_id)
    )
    if only is not None:
        statement = statement.where(LectureProgress.user_id.in_(only))
    return statement.subquery()


def _counted_scores(course_id: int, quiz_ids: Sequence[int], only: _Only = None) -> Any:
    """(user_id, quiz_id, score): the score that counts for each learner (or each of `only`)
    and quiz, the best or the last submitted attempt's by the policy of the last one (as
    `counted_score`)."""
    tries = (
        select(
            QuizAttempt.user_id,
            QuizAttempt.quiz_id,
            func.max(QuizAttempt.number).label("last"),
            func.max(func.coalesce(QuizAttempt.score, 0.0)).label("best"),
        )
        .where(
            QuizAttempt.course_id == course_id,
            QuizAttempt.quiz_id.in_(quiz_ids),
            QuizAttempt.submitted_at.is_not(None),
        )
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id)
        .where(*([] if only is None else [QuizAttempt.user_id.in_(only)]))
        .subquery()
    )
    last = aliased(QuizAttempt)
    return (
        select(
            tries.c.user_id,
            tries.c.quiz_id,
            case(
                (last.policy == AttemptPolicy.BEST, tries.c.best),
                else_=func.coalesce(last.score, 0.0),
            ).label("score"),
        )
        .join(
            last,
            and_(
                last.user_id == tries.c.user_id,
                last.quiz_id == tries.c.quiz_id,
                last.number == tries.c["last"],
            ),
        )
        .subquery()
    )


def learners_page(
    session: Session, course: Course, *, sort: str, descending: bool, page: int, per_page: int
) -> tuple[CourseAnalytics, Page[LearnerRow]]:
    """The course's summary and one page of its learners in the order asked for."""
    learners = _Learners(session, course.id, course.pass_mark, tallies=True)
    summary = learners.summary(session)
    ids = paginate_rows(
        session,
        learners.page_order(sort if sort in SORT_KEYS else "name", descending),
        page=page,
        per_page=per_page,
        total=summary.enrolled,
    )
    wanted = [row[0] for row in ids.items]
    # The page's rows, their counts read for these learners alone, in the page's order.
    found = (
        {
            row._mapping[User.id]: row
            for row in session.execute(learners.rows_of_page(), {"page_ids": wanted})
        }
        if wanted
        else {}
    )
    return summary, Page(
        items=[learners.row(found[user_id]) for user_id in wanted],
        total=ids.total,
        page=ids.page,
        per_page=ids.per_page,
    )


def all_learners(
    session: Session, course_id: int, pass_mark: int
) -> tuple[Sequence[QuizColumn], Sequence[PackageColumn], Iterator[LearnerRow]]:
    """The course's quizzes, its SCORM packages and every learner by name, read `CHUNK` rows
    at a time (so an export's memory does not grow with the course)."""
    learners = _Learners(session, course_id, pass_mark)
    statement = learners.ordered("name", False).execution_options(yield_per=CHUNK)

    def rows() -> Iterator[LearnerRow]:
        for found in session.execute(statement):
            yield learners.row(found)

    return learners.quizzes, learners.packages, rows()
