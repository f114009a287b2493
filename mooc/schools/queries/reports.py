"""Reading a class's work for its report: pupils × assigned items, and one pupil's progress report
for parents (the item analysis of an assigned quiz is in `quiz_reports`).

Each report comes from a fixed number of queries however large the class (one per kind of row:
assignments, their lectures, pupils, attempts, lecture progress, required lectures, completions),
then pure code (`mooc.schools.core`) does the arithmetic.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from mooc.accounts.models import User
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.catalog.models import Course, Lecture, ScormPackage
from mooc.db import utcnow
from mooc.errors import NotFound
from mooc.folding import name_sort_key
from mooc.learning.core.completion import CompletionStatus
from mooc.learning.models import Completion, LectureProgress, ScormState
from mooc.learning.queries import completion, course_status
from mooc.schools.core.report import NOTHING, Lateness, Tally, Work, counted_attempt, tally
from mooc.schools.models import (
    Assignment,
    AssignmentKind,
    AssignmentLecture,
    ClassMember,
    ClassRole,
    SchoolClass,
)


@dataclass(frozen=True)
class ReportItem:
    """A column of the report: one assignment that has not been withdrawn."""

    assignment_id: int
    kind: AssignmentKind
    title: str  # the quiz's or the course's title
    course_id: int
    course_title: str
    course_slug: str
    quiz_id: int | None
    lecture_ids: tuple[int, ...]
    starts_at: dt.datetime | None
    due_at: dt.datetime | None


@dataclass(frozen=True)
class Cell:
    work: Work
    lateness: Lateness

    @property
    def late(self) -> bool:
        """Not done, and the due time has passed."""
        return self.lateness is Lateness.LATE

    @property
    def done_late(self) -> bool:
        """Done, but finished after the due time."""
        return self.lateness is Lateness.DONE_LATE


@dataclass(frozen=True)
class PupilRow:
    user_id: int
    name: str
    login_name: str
    left: bool  # no longer in the class; listed for their past work, outside the averages
    cells: tuple[Cell, ...]  # in the order of the report's items
    tally: Tally


@dataclass(frozen=True)
class ClassReport:
    school_class: SchoolClass
    items: list[ReportItem]
    rows: list[PupilRow]
    item_tallies: list[Tally]  # per item, over the pupils still in the class
    average: float | None  # mean score of every scored cell of the pupils still in the class
    generated_at: dt.datetime


def report_items(session: Session, class_id: int) -> list[ReportItem]:
    found = session.execute(
        select(Assignment, Course.title, Course.slug, Quiz.title)
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(Quiz, Quiz.id == Assignment.quiz_id)
        .where(Assignment.class_id == class_id, Assignment.withdrawn_at.is_(None))
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
    ).all()
    lectures: dict[int, list[int]] = defaultdict(list)
    if any(a.kind == AssignmentKind.LECTURES for a, *_rest in found):
        for assignment_id, lecture_id in session.execute(
            select(AssignmentLecture.assignment_id, AssignmentLecture.lecture_id)
            .join(Assignment, Assignment.id == AssignmentLecture.assignment_id)
            .where(Assignment.class_id == class_id, Assignment.withdrawn_at.is_(None))
            .order_by(AssignmentLecture.id)
        ):
            lectures[assignment_id].append(lecture_id)
    return [
        ReportItem(
            assignment_id=a.id,
            kind=a.kind,
            title=quiz_title or course_title,
            course_id=a.course_id,
            course_title=course_title,
            course_slug=course_slug,
            quiz_id=a.quiz_id,
            lecture_ids=tuple(lectures.get(a.id, ())),
            starts_at=a.starts_at,
            due_at=a.due_at,
        )
        for a, course_title, course_slug, quiz_title in found
    ]


def pupils_of(class_id: int) -> Select[Any]:
    return select(ClassMember.user_id).where(
        ClassMember.class_id == class_id, ClassMember.role == ClassRole.PUPIL
    )


class _Evidence:
    """Everything pupils did on the report's items, loaded in one query per kind of record.

    When work was finished (`Work.done_at`, which decides "done late"), by kind of item:
    a quiz, when the pupil's first attempt was submitted (retrying later for a better score does
    not make work done on time late); some lectures, when the last of them was marked done; a
    course, when its completion was recorded. The to-do list reads the same times
    (`queries.todo.done_times`).
    """

    def __init__(self, session: Session, items: Sequence[ReportItem], pupils: Select[Any]) -> None:
        quiz_ids = {i.quiz_id for i in items if i.quiz_id is not None}
        lecture_courses = {i.course_id for i in items if i.kind != AssignmentKind.QUIZ}
        course_courses = {i.course_id for i in items if i.kind == AssignmentKind.COURSE}
        self.attempts: dict[tuple[int, int], list[Any]] = defaultdict(list)
        if quiz_ids:
            for row in session.execute(
                select(
                    QuizAttempt.user_id,
                    QuizAttempt.quiz_id,
                    QuizAttempt.score,
                    QuizAttempt.policy,
                    QuizAttempt.started_at,
                    QuizAttempt.submitted_at,
                )
                .where(
                    QuizAttempt.quiz_id.in_(quiz_ids),
                    QuizAttempt.submitted_at.is_not(None),
                    QuizAttempt.user_id.in_(pupils),
                )
                .order_by(QuizAttempt.number)
            ):
                self.attempts[(row.user_id, row.quiz_id)].append(row)
        self.done_lectures: dict[int, dict[int, dt.datetime]] = defaultdict(dict)
        if lecture_courses:
            for user_id, lecture_id, done_at in session.execute(
                select(
                    LectureProgress.user_id, LectureProgress.lecture_id, LectureProgress.done_at
                ).where(
                    LectureProgress.course_id.in_(lecture_courses),
                    LectureProgress.done_at.is_not(None),
                    LectureProgress.user_id.in_(pupils),
                )
            ):
                if done_at is not None:
                    self.done_lectures[user_id][lecture_id] = done_at
        # A SCORM lecture's score (the mean of the pupil's SCO scores, as their grade counts it):
        # the score of the lecture assignments that include it (read with the lectures done,
        # so the report's statements depend on its kinds of items only).
        assigned_lectures = {i for item in items for i in item.lecture_ids}
        self.scorm: dict[tuple[int, int], float] = {}
        if lecture_courses:
            for user_id, lecture_id, score in session.execute(
                select(ScormState.user_id, ScormPackage.lecture_id, func.avg(ScormState.score))
                .join(ScormPackage, ScormPackage.id == ScormState.package_id)
                .where(
                    ScormPackage.course_id.in_(lecture_courses),
                    ScormPackage.lecture_id.in_(assigned_lectures),
                    ScormState.score.is_not(None),
                    ScormState.user_id.in_(pupils),
                )
                .group_by(ScormState.user_id, ScormPackage.lecture_id)
            ):
                self.scorm[(user_id, lecture_id)] = float(score)
        self.required: dict[int, set[int]] = defaultdict(set)
        self.completions: dict[tuple[int, int], tuple[dt.datetime, float]] = {}
        if course_courses:
            for lecture_id, course_id in session.execute(
                select(Lecture.id, Lecture.course_id).where(
                    Lecture.course_id.in_(course_courses),
                    Lecture.required.is_(True),
                    Lecture.published_version_id.is_not(None),
                    Lecture.retired_at.is_(None),
                )
            ):
                self.required[course_id].add(lecture_id)
            for user_id, course_id, completed_at, grade in session.execute(
                select(
                    Completion.user_id,
                    Completion.course_id,
                    Completion.completed_at,
                    Completion.final_grade,
                ).where(Completion.course_id.in_(course_courses), Completion.user_id.in_(pupils))
            ):
                self.completions[(user_id, course_id)] = (completed_at, grade)

    def work(self, user_id: int, item: ReportItem) -> Work:
        if item.kind == AssignmentKind.QUIZ:
            return self._quiz(user_id, item)
        if item.kind == AssignmentKind.LECTURES:
            return self._lectures(user_id, item.lecture_ids)
        return self._course(user_id, item.course_id)

    def _quiz(self, user_id: int, item: ReportItem) -> Work:
        mine = self.attempts.get((user_id, item.quiz_id or 0))
        if not mine:
            return NOTHING
        scores = [a.score or 0.0 for a in mine]
        counted = counted_attempt(scores, mine[-1].policy.value)
        return Work(
            done=True,
            done_at=mine[0].submitted_at,
            score=scores[counted] if counted is not None else None,
            attempts=len(mine),
            seconds=sum(max(0, int((a.submitted_at - a.started_at).total_seconds())) for a in mine),
        )

    def _lectures(self, user_id: int, wanted: tuple[int, ...]) -> Work:
        done = self.done_lectures.get(user_id, {})
        times = [done[i] for i in wanted if i in done]
        complete = bool(wanted) and len(times) == len(wanted)
        scores = [self.scorm[(user_id, i)] for i in wanted if (user_id, i) in self.scorm]
        return Work(
            done=complete,
            done_at=max(times) if complete else None,
            score=round(sum(scores) / len(scores), 2) if scores else None,
            parts_done=len(times),
            parts_total=len(wanted),
        )

    def _course(self, user_id: int, course_id: int) -> Work:
        required = self.required.get(course_id, set())
        done = self.done_lectures.get(user_id, {})
        completion = self.completions.get((user_id, course_id))
        return Work(
            done=completion is not None,
            done_at=completion[0] if completion else None,
            score=completion[1] if completion else None,
            parts_done=sum(1 for i in required if i in done),
            parts_total=len(required),
        )


def class_report(
    session: Session,
    school_class: SchoolClass,
    *,
    pupil_id: int | None = None,
    now: dt.datetime | None = None,
) -> ClassReport:
    """The class's pupils (sorted as Vietnamese class lists are: by given name) × its assigned
    items; only `pupil_id`'s row when given (the parents' report)."""
    now = now or utcnow()
    items = report_items(session, school_class.id)
    pupils = pupils_of(school_class.id)
    people_stmt = (
        select(User.id, User.name, User.email, User.username, ClassMember.ended_at)
        .join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == school_class.id, ClassMember.role == ClassRole.PUPIL)
    )
    if pupil_id is not None:
        pupils = pupils.where(ClassMember.user_id == pupil_id)
        people_stmt = people_stmt.where(User.id == pupil_id)
    people = session.execute(people_stmt).all()
    evidence = _Evidence(session, items, pupils)
    rows = []
    for person in sorted(people, key=lambda p: (p.ended_at is not None, name_sort_key(p.name))):
        cells = []
        for item in items:
            work = evidence.work(person.id, item)
            cells.append(Cell(work, work.lateness(item.due_at, now)))
        rows.append(
            PupilRow(
                user_id=person.id,
                name=person.name,
                login_name=person.email or person.username or "",
                left=person.ended_at is not None,
                cells=tuple(cells),
                tally=tally([(c.work, c.lateness) for c in cells]),
            )
        )
    current = [r for r in rows if not r.left]
    scored = [c.work.score for r in current for c in r.cells if c.work.score is not None]
    return ClassReport(
        school_class=school_class,
        items=items,
        rows=rows,
        item_tallies=[
            tally([(r.cells[i].work, r.cells[i].lateness) for r in current])
            for i in range(len(items))
        ],
        average=round(sum(scored) / len(scored), 1) if scored else None,
        generated_at=now,
    )


def report_pupil(session: Session, school_class: SchoolClass, user_id: int) -> User:
    """A pupil (now or before) of the class; anyone else is `NotFound` (no IDOR)."""
    user = session.scalar(
        select(User)
        .join(ClassMember, ClassMember.user_id == User.id)
        .where(
            ClassMember.class_id == school_class.id,
            ClassMember.role == ClassRole.PUPIL,
            User.id == user_id,
        )
    )
    if user is None:
        raise NotFound(_("This pupil is not in the class."))
    return user


def class_teachers(session: Session, class_id: int) -> list[User]:
    """The class's current homeroom teacher first, then its subject teachers."""
    found = session.execute(
        select(User, ClassMember.role)
        .join(ClassMember, ClassMember.user_id == User.id)
        .where(
            ClassMember.class_id == class_id,
            ClassMember.role.in_((ClassRole.HOMEROOM, ClassRole.TEACHER)),
            ClassMember.ended_at.is_(None),
        )
    ).all()
    ordered = sorted(found, key=lambda f: (f[1] != ClassRole.HOMEROOM, name_sort_key(f[0].name)))
    return [user for user, _role in ordered]


def assigned_courses(session: Session, items: Collection[ReportItem]) -> list[Course]:
    """The distinct courses of the items, in the order the report first meets them."""
    order = list(dict.fromkeys(item.course_id for item in items))
    if not order:
        return []
    found = {c.id: c for c in session.scalars(select(Course).where(Course.id.in_(order)))}
    return [found[i] for i in order if i in found]


class CourseProgress(NamedTuple):
    course: Course
    status: CompletionStatus
    completion: Completion | None


class PupilSection(NamedTuple):
    """One class's part of a pupil's report for parents."""

    school_class: SchoolClass
    report: ClassReport  # the pupil's row only
    courses: list[CourseProgress]  # the courses of the class's assignments
    teachers: list[User]


def parents_report(session: Session, class_ids: Sequence[int], pupil_id: int) -> list[PupilSection]:
    """A pupil's work in each of the classes, with their progress in the courses assigned there."""
    sections = []
    for class_id in class_ids:
        school_class = session.get(SchoolClass, class_id)
        if school_class is None:
            continue
        report = class_report(session, school_class, pupil_id=pupil_id)
        courses = [
            CourseProgress(
                course,
                course_status(session, pupil_id, course),
                completion(session, pupil_id, course.id),
            )
            for course in assigned_courses(session, report.items)
        ]
        sections.append(
            PupilSection(school_class, report, courses, class_teachers(session, class_id))
        )
    return sections


def taught_classes(session: Session, user: User) -> list[SchoolClass]:
    """The classes `user` currently teaches (homeroom or subject), open ones, by name."""
    return list(
        session.scalars(
            select(SchoolClass)
            .join(ClassMember, ClassMember.class_id == SchoolClass.id)
            .where(
                ClassMember.user_id == user.id,
                ClassMember.role.in_((ClassRole.HOMEROOM, ClassRole.TEACHER)),
                ClassMember.ended_at.is_(None),
                SchoolClass.disabled_at.is_(None),
            )
            .distinct()
            .order_by(SchoolClass.name)
        )
    )
