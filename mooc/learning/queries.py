"""A learner's course, read: its lectures in order, the preview lecture, neighbours; enrolments,
progress, quiz standings, the completion status and the completions (reads; writes are in
`services`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    Boolean,
    CompoundSelect,
    Float,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, defer, joinedload

from mooc.accounts.models import User
from mooc.accounts.signed_in import PERSON_COLUMNS
from mooc.assessment.core.grading import counted_score
from mooc.assessment.models import Quiz, QuizAttempt
from mooc.assessment.queries import question_count
from mooc.catalog.models import (
    Course,
    CourseStatus,
    Lecture,
    MediaAsset,
    ScormPackage,
    Section,
)
from mooc.errors import NotFound
from mooc.learning import deadlines
from mooc.learning.core.completion import CompletionStatus, QuizStanding, evaluate
from mooc.learning.models import Completion, Enrolment, LectureProgress, ScormState
from mooc.notifications.queries import unread_count_of


def ordered_lectures(session: Session, course: Course) -> list[Lecture]:
    """The published lectures of a course in teaching order."""
    return list(
        session.scalars(
            select(Lecture)
            .join(Section, Lecture.section_id == Section.id)
            .where(Lecture.course_id == course.id, Lecture.published_version_id.is_not(None))
            .order_by(Section.position, Lecture.position)
        )
    )


@dataclass(frozen=True)
class LecturePlace:
    lecture: Lecture
    index: int
    previous: Lecture | None
    next: Lecture | None
    is_preview: bool  # the first lecture: open to visitors


def lecture_place(session: Session, course: Course, slug: str) -> LecturePlace:
    lectures = ordered_lectures(session, course)
    for index, lecture in enumerate(lectures):
        if lecture.slug == slug:
            return LecturePlace(
                lecture=lecture,
                index=index,
                previous=lectures[index - 1] if index > 0 else None,
                next=lectures[index + 1] if index + 1 < len(lectures) else None,
                is_preview=index == 0,
            )
    raise NotFound(_("No such lecture in this course."))


def studied_retired_lecture(session: Session, course: Course, slug: str, user_id: int) -> Lecture:
    """A lecture retired from `course` that the learner studied: still theirs to re-read.
    Raises `NotFound` for anyone else (retired lectures are hidden from new learners)."""
    lecture = session.scalar(
        select(Lecture)
        .join(LectureProgress, LectureProgress.lecture_id == Lecture.id)
        .where(
            Lecture.course_id == course.id,
            Lecture.slug == slug,
            Lecture.retired_at.is_not(None),
            Lecture.published_version_id.is_not(None),
            LectureProgress.user_id == user_id,
        )
    )
    if lecture is None:
        raise NotFound(_("No such lecture in this course."))
    return lecture


def enrolment(session: Session, user_id: int, course_id: int) -> Enrolment | None:
    return session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def is_enrolled(session: Session, user_id: int, course_id: int) -> bool:
    found = enrolment(session, user_id, course_id)
    return found is not None and found.active


@dataclass(frozen=True)
class LectureReading:
    """What a lecture page needs of its reader: enrolled (actively), done with this lecture, the
    rows a view is recorded on (None when there is none yet) and what they last noted, and the
    reader's unread notifications (for the header)."""

    enrolment_id: int | None
    enrolled: bool
    progress_id: int | None
    done: bool
    unread: int = 0
    started: bool = False
    last_lecture_id: int | None = None
    last_activity_at: dt.datetime | None = None
    last_viewed_at: dt.datetime | None = None


NOT_ENROLLED = LectureReading(enrolment_id=None, enrolled=False, progress_id=None, done=False)


_READING = (  # built once: every lecture page of a signed-in reader asks
    select(
        unread_count_of(User.id),
        Enrolment.id,
        Enrolment.active,
        Enrolment.started,
        Enrolment.last_lecture_id,
        Enrolment.last_activity_at,
        LectureProgress.id,
        LectureProgress.done_at,
        LectureProgress.last_viewed_at,
    )
    .select_from(User)
    .outerjoin(
        Enrolment,
        (Enrolment.user_id == User.id) & (Enrolment.course_id == bindparam("course_id")),
    )
    .outerjoin(
        LectureProgress,
        (LectureProgress.user_id == Enrolment.user_id)
        & (LectureProgress.lecture_id == bindparam("lecture_id")),
    )
    .where(User.id == bindparam("user_id"))
)


@dataclass(frozen=True)
class CourseFacts:
    """What the lecture page reads of its course row: enough to key its cached outline, text
    and page (mooc.learning.syllabus.CourseKey); the page loads the row itself only to draw a
    page it does not keep yet."""

    id: int
    slug: str
    status: CourseStatus
    content_revision: int
    updated_at: dt.datetime

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED


@dataclass(frozen=True)
class LectureVisit:
    """A lecture page's one statement: the course, the person named by the session (their row's
    `PERSON_COLUMNS`, None for a visitor or an unknown id), and their reading of the lecture
    named by its slug (`lecture_id`: None when the course has no such lecture)."""

    course: CourseFacts
    person: Mapping[Any, Any] | None
    lecture_id: int | None
    reading: LectureReading
    may_have_dues: bool = False  # deadlines.may_have_dues: False spares asking for due dates


_VISIT = (  # built once: every lecture page asks
    select(
        Course.id,
        Course.status,
        Course.content_revision,
        Course.updated_at,
        *PERSON_COLUMNS,
        unread_count_of(User.id).label("unread"),
        Enrolment.id,
        Enrolment.active,
        Enrolment.started,
        Enrolment.last_lecture_id,
        Enrolment.last_activity_at,
        Lecture.id.label("lecture_id"),
        LectureProgress.id,
        LectureProgress.done_at,
        LectureProgress.last_viewed_at,
    )
    .select_from(Course)
    .outerjoin(User, User.id == bindparam("user_id"))
    .outerjoin(Enrolment, (Enrolment.user_id == User.id) & (Enrolment.course_id == Course.id))
    .outerjoin(
        Lecture, (Lecture.course_id == Course.id) & (Lecture.slug == bindparam("lecture_slug"))
    )
    .outerjoin(
        LectureProgress,
        (LectureProgress.user_id == Enrolment.user_id) & (LectureProgress.lecture_id == Lecture.id),
    )
    .where(Course.slug == bindparam("slug"))
)


_VISITOR = select(Course.id, Course.status, Course.content_revision, Course.updated_at).where(
    Course.slug == bindparam("slug")
)
_READING_AT = 4 + len(PERSON_COLUMNS)  # where the unread count and the enrolment begin


def lecture_visit(
    session: Session, slug: str, lecture_slug: str, user_id: int | None
) -> LectureVisit | None:
    """The course `slug` (None if there is none), the person `user_id` as their session is
    checked (`mooc.accounts.signed_in`), their enrolment, progress on the lecture and unread
    notifications: one statement on unique indexes, through the connection (no ORM rows)."""
    if user_id is None:  # a visitor: the course alone (PostgreSQL plans the whole in ~1 ms)
        found = session.connection().execute(_VISITOR, {"slug": slug}).first()
        if found is None:
            return None
        return LectureVisit(CourseFacts(found[0], slug, *found[1:]), None, None, NOT_ENROLLED)
    params = {"slug": slug, "lecture_slug": lecture_slug, "user_id": user_id}
    row = session.connection().execute(_visit_statement(), params).first()
    if row is None:
        return None
    fields = row._mapping
    course = CourseFacts(row[0], slug, row[1], row[2], row[3])
    person: Mapping[Any, Any] | None = fields if fields["person_id"] is not None else None
    at = _READING_AT
    reading = _reading(row[at : at + 6], row[at + 7 : at + 10])
    return LectureVisit(course, person, row[at + 6], reading, bool(row[at + 10]))


_VISITS: dict[tuple[str, tuple[str, ...]], Select[Any]] = {}


def _visit_statement() -> Select[Any]:
    return _with_dues("lecture", _VISIT)


def _with_dues(name: str, statement: Select[Any]) -> Select[Any]:
    """`statement` (a page's visit, `name`) with whether the due date providers registered (by
    features above this one, at import) may know anything of the person: built once for them."""
    key = (name, deadlines.providers())
    found = _VISITS.get(key)
    if found is None:
        found = statement.add_columns(deadlines.may_have_dues(User.id.expression))
        _VISITS[key] = found
    return found


@dataclass(frozen=True)
class CourseVisit:
    """A course page's one statement: the course row (with its institution) and its cover, the
    person named by the session (their row's `PERSON_COLUMNS`, None for a visitor or an
    unknown id), whether they are enrolled (actively), their completion and unread count."""

    course: Course
    cover: MediaAsset | None
    person: Mapping[Any, Any] | None
    enrolled: bool
    completion: Completion | None
    unread: int = 0
    may_have_dues: bool = False  # deadlines.may_have_dues: False spares asking for due dates


_COURSE_VISIT: Select[Any] = (  # built once: every course page asks
    select(
        Course,
        MediaAsset,
        Completion,
        *PERSON_COLUMNS,
        unread_count_of(User.id).label("unread"),
        Enrolment.active.label("enrolled"),
    )
    .select_from(Course)
    .options(joinedload(Course.institution))
    .outerjoin(
        MediaAsset, (MediaAsset.course_id == Course.id) & (MediaAsset.name == Course.cover_media)
    )
    .outerjoin(User, User.id == bindparam("user_id"))
    .outerjoin(Enrolment, (Enrolment.user_id == User.id) & (Enrolment.course_id == Course.id))
    .outerjoin(Completion, (Completion.user_id == User.id) & (Completion.course_id == Course.id))
    .where(Course.slug == bindparam("slug"))
)


def course_visit(session: Session, slug: str, user_id: int | None) -> CourseVisit | None:
    """The course `slug` (None if there is none, published or not) with its institution and
    cover, the person `user_id` as their session is checked (`mooc.accounts.signed_in`; None
    for a visitor), their enrolment, completion and unread notifications: one statement on
    unique indexes."""
    params = {"slug": slug, "user_id": user_id}
    row = session.execute(_with_dues("course", _COURSE_VISIT), params).first()
    if row is None:
        return None
    fields = row._mapping
    person = fields if fields["person_id"] is not None else None
    return CourseVisit(
        course=row[0],
        cover=row[1],
        person=person,
        enrolled=person is not None and bool(fields["enrolled"]),
        completion=row[2] if person is not None else None,
        unread=int(fields["unread"] or 0),
        may_have_dues=person is not None and bool(row[-1]),
    )


@dataclass(frozen=True)
class QuizVisit:
    """A quiz page's one statement: the course, its quiz named by slug (None when it has none,
    or retired it) and how many questions it has, the person named by the session (as in
    `CourseVisit`), whether they are enrolled (actively) and their unread count."""

    course: Course
    quiz: Quiz | None
    questions: int
    person: Mapping[Any, Any] | None
    enrolled: bool
    unread: int = 0
    may_have_dues: bool = False


_QUIZ_VISIT: Select[Any] = (  # built once: every quiz page asks
    select(
        Course,
        Quiz,
        question_count(Quiz.id.expression).label("questions"),
        *PERSON_COLUMNS,
        unread_count_of(User.id).label("unread"),
        Enrolment.active.label("enrolled"),
    )
    .select_from(Course)
    .outerjoin(
        Quiz,
        (Quiz.course_id == Course.id)
        & (Quiz.slug == bindparam("quiz_slug"))
        & Quiz.retired_at.is_(None),
    )
    .outerjoin(User, User.id == bindparam("user_id"))
    .outerjoin(Enrolment, (Enrolment.user_id == User.id) & (Enrolment.course_id == Course.id))
    .where(Course.slug == bindparam("slug"))
)


def quiz_visit(session: Session, slug: str, quiz_slug: str, user_id: int) -> QuizVisit | None:
    """The course `slug` (None if there is none, published or not), its quiz `quiz_slug` with
    its number of questions, the person `user_id` as their session is checked
    (`mooc.accounts.signed_in`), their enrolment and unread notifications: one statement."""
    params = {"slug": slug, "quiz_slug": quiz_slug, "user_id": user_id}
    row = session.execute(_with_dues("quiz", _QUIZ_VISIT), params).first()
    if row is None:
        return None
    fields = row._mapping
    person = fields if fields["person_id"] is not None else None
    return QuizVisit(
        course=row[0],
        quiz=row[1],
        questions=int(fields["questions"] or 0),
        person=person,
        enrolled=person is not None and bool(fields["enrolled"]),
        unread=int(fields["unread"] or 0),
        may_have_dues=person is not None and bool(row[-1]),
    )


def _reading(enrolment: Sequence[Any], progress: Sequence[Any]) -> LectureReading:
    if enrolment[1] is None:
        return replace(NOT_ENROLLED, unread=int(enrolment[0] or 0))
    return _reading_of(enrolment, progress)


def _reading_of(enrolment: Sequence[Any], progress: Sequence[Any]) -> LectureReading:
    """A reading from the enrolment's six columns (unread count first) and the progress's three."""
    (unread, enrolment_id, active, started, last_lecture_id, last_activity_at) = enrolment[:6]
    progress_id, done_at, last_viewed_at = progress
    return LectureReading(
        enrolment_id=enrolment_id,
        enrolled=bool(active),
        progress_id=progress_id,
        done=bool(active) and done_at is not None,
        unread=int(unread or 0),
        started=bool(started),
        last_lecture_id=last_lecture_id,
        last_activity_at=last_activity_at,
        last_viewed_at=last_viewed_at,
    )


def lecture_reading(
    session: Session, user_id: int, course_id: int, lecture_id: int
) -> LectureReading:
    """The reader's enrolment in the course and progress on the lecture, with their unread
    notifications, in one statement on unique indexes (and the notifications' user index)."""
    row = session.execute(
        _READING, {"user_id": user_id, "course_id": course_id, "lecture_id": lecture_id}
    ).first()
    if row is None:
        return NOT_ENROLLED
    return _reading_of(row[:6], row[6:])


def done_lecture_ids(session: Session, user_id: int, course_id: int) -> set[int]:
    return set(
        session.scalars(
            select(LectureProgress.lecture_id).where(
                LectureProgress.user_id == user_id,
                LectureProgress.course_id == course_id,
                LectureProgress.done_at.is_not(None),
            )
        )
    )


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


def completion(session: Session, user_id: int, course_id: int) -> Completion | None:
    return session.scalar(
        select(Completion).where(Completion.user_id == user_id, Completion.course_id == course_id)
    )


# A course as a dashboard card shows it: its long texts stay in the database.
_COURSE_CARD = (
    defer(Course.description),
    defer(Course.description_html),
    defer(Course.search_text),
)


def my_enrolments(session: Session, user_id: int) -> Sequence[Enrolment]:
    return session.scalars(
        select(Enrolment)
        .options(joinedload(Enrolment.course).options(*_COURSE_CARD))
        .where(Enrolment.user_id == user_id, Enrolment.active.is_(True))
        .order_by(Enrolment.last_activity_at.desc().nulls_last(), Enrolment.enrolled_at.desc())
    ).all()


def my_completions(session: Session, user_id: int) -> Sequence[Completion]:
    return session.scalars(
        select(Completion)
        .options(joinedload(Completion.course).options(*_COURSE_CARD))
        .where(Completion.user_id == user_id)
        .order_by(Completion.completed_at.desc())
    ).all()
