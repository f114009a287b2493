"""A lecture view's notes (mooc.learning.view_notes), called as the page calls them, on both
databases: each case writes exactly its rows and nothing else of them, and on PostgreSQL the one
statement also makes its transaction's commit asynchronous."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from mooc.catalog.models import Course
from mooc.db import utcnow
from mooc.learning import services, view_notes
from mooc.learning.models import Enrolment, LectureProgress
from mooc.learning.queries import LectureReading, lecture_reading, ordered_lectures
from tests.factories import make_user, seed_course
from tests.integration.learning.learners import MATH

LONG_AGO = dt.timedelta(minutes=10)


def _rows(
    session: Session, user_id: int, course_id: int
) -> tuple[Enrolment, dict[int, LectureProgress]]:
    session.expire_all()
    found = session.scalars(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    ).one()
    progress = session.scalars(select(LectureProgress).where(LectureProgress.user_id == user_id))
    return found, {row.lecture_id: row for row in progress}


def _note(
    session: Session, user_id: int, course_id: int, lecture_id: int, reading: LectureReading
) -> None:
    """What the page hands its process's writer, written now in the session's transaction."""
    note = view_notes.view_note(reading, user_id, course_id, lecture_id, utcnow())
    if note is not None:
        view_notes.write_view_notes(session.connection(), [note])


def _view(session: Session, user_id: int, course: Course, lecture_id: int) -> str | None:
    """One page's view noted in its own transaction; PostgreSQL's synchronous_commit setting
    as it stands just before the commit."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:  # the test's session may run in one outer transaction: start from "on"
        session.execute(text("SET LOCAL synchronous_commit = on"))
    reading = lecture_reading(session, user_id, course.id, lecture_id)
    _note(session, user_id, course.id, lecture_id, reading)
    setting = None
    if postgresql:
        setting = session.execute(text("SHOW synchronous_commit")).scalar_one()
    session.commit()
    return setting


def _age(session: Session, user_id: int) -> None:
    """The notes were written long ago: the next view writes them again."""
    earlier = utcnow() - LONG_AGO
    session.execute(
        update(Enrolment).where(Enrolment.user_id == user_id).values(last_activity_at=earlier)
    )
    session.execute(
        update(LectureProgress)
        .where(LectureProgress.user_id == user_id)
        .values(last_viewed_at=earlier)
    )
    session.commit()


@pytest.fixture
def reader(session: Session) -> tuple[int, Course, list[int]]:
    course = seed_course(session, MATH)
    pupil = make_user(session)
    services.enrol(session, pupil, course)
    session.commit()
    return pupil.id, course, [lecture.id for lecture in ordered_lectures(session, course)]


def test_each_case_writes_its_rows_and_no_other_column(
    session: Session, reader: tuple[int, Course, list[int]]
) -> None:
    user_id, course, lectures = reader
    first, second = lectures[:2]
    asynchronous = "off" if session.get_bind().dialect.name == "postgresql" else None
    before, _ = _rows(session, user_id, course.id)
    kept = (before.progress, before.grade, before.completed, before.active)

    # A first view: "resume" moves and the progress row is inserted.
    assert _view(session, user_id, course, first) == asynchronous
    enrolment, progress = _rows(session, user_id, course.id)
    assert enrolment.last_lecture_id == first and enrolment.started
    assert list(progress) == [first]
    seen = progress[first].first_viewed_at
    assert seen == progress[first].last_viewed_at == enrolment.last_activity_at

    # Within the minute, the same lecture: nothing is written.
    assert view_notes.lecture_view_noted(
        lecture_reading(session, user_id, course.id, first), first, utcnow()
    )

    # Another lecture: "resume" moves to it and its row is inserted; the first row is not touched,
    # nor the last activity, a few minutes fine (an indexed column: moving "resume" alone is a
    # heap-only update).
    assert _view(session, user_id, course, second) == asynchronous
    enrolment, progress = _rows(session, user_id, course.id)
    assert enrolment.last_lecture_id == second and set(progress) == {first, second}
    assert progress[first].last_viewed_at == seen
    assert enrolment.last_activity_at == seen

    # Back to the first within the minute: only "resume" moves (its row's view is a moment old).
    assert _view(session, user_id, course, first) == asynchronous
    enrolment, progress = _rows(session, user_id, course.id)
    assert enrolment.last_lecture_id == first
    assert progress[first].last_viewed_at == seen
    assert enrolment.last_activity_at == seen

    # Long after: both notes are written again, in place.
    _age(session, user_id)
    assert _view(session, user_id, course, first) == asynchronous
    enrolment, progress = _rows(session, user_id, course.id)
    assert progress[first].last_viewed_at > utcnow() - dt.timedelta(seconds=30)
    assert progress[first].first_viewed_at == seen
    assert enrolment.last_activity_at == progress[first].last_viewed_at

    # Activity older than ACTIVITY_NOTED_FOR, "resume" already here: the activity moves alone.
    session.execute(
        update(Enrolment)
        .where(Enrolment.user_id == user_id)
        .values(last_activity_at=utcnow() - view_notes.ACTIVITY_NOTED_FOR - dt.timedelta(seconds=5))
    )
    session.commit()
    viewed = progress[first].last_viewed_at
    assert _view(session, user_id, course, first) == asynchronous
    enrolment, progress = _rows(session, user_id, course.id)
    assert enrolment.last_activity_at > viewed and enrolment.last_lecture_id == first
    assert progress[first].last_viewed_at == viewed

    # The progress row long ago, "resume" fresh on this lecture: only the progress row.
    session.execute(
        update(LectureProgress)
        .where(LectureProgress.lecture_id == first)
        .values(last_viewed_at=utcnow() - LONG_AGO)
    )
    session.commit()
    activity = enrolment.last_activity_at
    assert _view(session, user_id, course, first) == asynchronous
    enrolment, progress = _rows(session, user_id, course.id)
    assert enrolment.last_activity_at == activity
    assert progress[first].last_viewed_at > activity - dt.timedelta(seconds=1)
    assert (enrolment.progress, enrolment.grade, enrolment.completed, enrolment.active) == kept


def test_a_reader_not_enrolled_writes_nothing(
    session: Session, reader: tuple[int, Course, list[int]]
) -> None:
    _, course, lectures = reader
    stranger = make_user(session)
    session.commit()
    reading = lecture_reading(session, stranger.id, course.id, lectures[0])
    _note(session, stranger.id, course.id, lectures[0], reading)
    session.commit()
    assert (
        session.scalar(select(LectureProgress).where(LectureProgress.user_id == stranger.id))
        is None
    )


def test_a_parallel_first_view_updates_the_row_the_other_inserted(
    session: Session, reader: tuple[int, Course, list[int]]
) -> None:
    """Two pages of the same first view read "no progress row" before either wrote: the second
    insert finds the first's row and updates it instead of failing."""
    user_id, course, lectures = reader
    first = lectures[0]
    stale = lecture_reading(session, user_id, course.id, first)
    _view(session, user_id, course, first)
    _age(session, user_id)
    _note(session, user_id, course.id, first, stale)
    session.commit()
    _, progress = _rows(session, user_id, course.id)
    assert list(progress) == [first]
    assert progress[first].last_viewed_at > utcnow() - dt.timedelta(seconds=30)
