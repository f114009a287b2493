"""What a page reads of its course and reader in one statement, with the session's check
(`mooc.accounts.signed_in`): the lecture, course and quiz pages' visits, and a reader's reading
of a lecture (enrolment, progress, unread notifications)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Select,
    bindparam,
    select,
)
from sqlalchemy.orm import Session, joinedload

from mooc.accounts.models import User
from mooc.accounts.signed_in import PERSON_COLUMNS
from mooc.assessment.models import Quiz
from mooc.assessment.queries import question_count
from mooc.catalog.models import (
    Course,
    CourseStatus,
    Lecture,
    MediaAsset,
)
from mooc.driver_reads import OneRow
from mooc.learning import deadlines
from mooc.learning.models import Completion, Enrolment, LectureProgress
from mooc.notifications.queries import unread_count_of


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


_VISITOR = OneRow(
    select(Course.id, Course.status, Course.content_revision, Course.updated_at).where(
        Course.slug == bindparam("slug")
    ),
    ("slug",),
)
_PERSON_AT = 4  # where PERSON_COLUMNS begin
_READING_AT = _PERSON_AT + len(PERSON_COLUMNS)  # where the unread count and the enrolment begin


def lecture_visit(
    session: Session, slug: str, lecture_slug: str, user_id: int | None
) -> LectureVisit | None:
    """The course `slug` (None if there is none), the person `user_id` as their session is
    checked (`mooc.accounts.signed_in`), their enrolment, progress on the lecture and unread
    notifications: one statement on unique indexes, read through the driver (mooc.driver_reads)."""
    if user_id is None:  # a visitor: the course alone (PostgreSQL plans the whole in ~1 ms)
        found = _VISITOR.first(session.connection(), {"slug": slug})
        if found is None:
            return None
        return LectureVisit(CourseFacts(found[0], slug, *found[1:]), None, None, NOT_ENROLLED)
    params = {"slug": slug, "lecture_slug": lecture_slug, "user_id": user_id}
    visit = _lecture_visit()
    row = visit.first(session.connection(), params)
    if row is None:
        return None
    course = CourseFacts(row[0], slug, row[1], row[2], row[3])
    person = None
    if row[_PERSON_AT] is not None:
        names = visit.names[_PERSON_AT:_READING_AT]
        person = dict(zip(names, row[_PERSON_AT:_READING_AT], strict=True))
    at = _READING_AT
    reading = _reading(row[at : at + 6], row[at + 7 : at + 10])
    return LectureVisit(course, person, row[at + 6], reading, bool(row[at + 10]))


_LECTURE_VISITS: dict[tuple[str, ...], OneRow] = {}


def _lecture_visit() -> OneRow:
    """The lecture page's statement with the due dates' providers registered (by features above
    this one, at import): built once for them; read through the driver (mooc.driver_reads), the
    page's one statement at every request."""
    providers = deadlines.providers()
    found = _LECTURE_VISITS.get(providers)
    if found is None:
        found = OneRow(_with_dues("lecture", _VISIT), ("slug", "lecture_slug", "user_id"))
        _LECTURE_VISITS[providers] = found
    return found


_VISITS: dict[tuple[str, tuple[str, ...]], Select[Any]] = {}


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
