"""The lecture views' writer (mooc.learning.view_writer) on a committed database of its own, on
both backends: a page's note is written by the process's thread a moment later, the views waiting
go together in a few statements whatever their number, nothing waiting is lost when the writer
stops, an idle writer ends and comes back, a note whose rows are gone loses only itself, and a
lecture page served as in production writes nothing in its request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine

from mooc.accounts.models import User
from mooc.catalog.models import Course, Lecture
from mooc.db import utcnow
from mooc.extensions import db
from mooc.learning import services, view_writer
from mooc.learning.models import Enrolment, LectureProgress
from mooc.learning.queries import lecture_reading, ordered_lectures
from mooc.learning.view_notes import ViewNote, view_note
from mooc.learning.view_writer import ViewWriter
from mooc.web import transactions
from tests.factories import PASSWORD, make_user
from tests.helpers import app_with_committed_content, login
from tests.integration.learning.learners import MATH


@pytest.fixture(scope="module")
def committed(
    backend: str, fresh_database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The writer's own connection sees only committed rows."""
    app = app_with_committed_content(
        fresh_database_url(backend), Path(tmp_path_factory.mktemp("views"))
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def _engine(app: Flask) -> Engine:
    with app.app_context():
        return db.engine


def _writer(app: Flask, gather: float = view_writer.GATHER_SECONDS) -> ViewWriter:
    engine = _engine(app)
    return ViewWriter(engine, gather=gather, lock=transactions.writer_lock(engine))


def _pupils(app: Flask, count: int) -> tuple[list[int], int, list[int]]:
    """`count` new pupils enrolled in the maths course (committed), its id and its lectures."""
    with app.app_context():
        course = db.session.scalars(select(Course).where(Course.slug == MATH)).one()
        pupils = [make_user(db.session) for _ in range(count)]
        for pupil in pupils:
            services.enrol(db.session, pupil, course)
        db.session.commit()
        lectures = [lecture.id for lecture in ordered_lectures(db.session, course)]
        return [pupil.id for pupil in pupils], course.id, lectures


def _note(app: Flask, user_id: int, course_id: int, lecture_id: int) -> ViewNote:
    """The note a page would make now, from the rows as they stand."""
    with app.app_context():
        reading = lecture_reading(db.session, user_id, course_id, lecture_id)
        db.session.close()
    note = view_note(reading, user_id, course_id, lecture_id, utcnow())
    assert note is not None
    return note


def _state(app: Flask, user_id: int, course_id: int) -> tuple[int | None, set[int]]:
    """The pupil's "resume" lecture and the lectures they viewed."""
    with app.app_context():
        enrolment = db.session.scalars(
            select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
        ).one()
        viewed = set(
            db.session.scalars(
                select(LectureProgress.lecture_id).where(
                    LectureProgress.user_id == user_id, LectureProgress.last_viewed_at.is_not(None)
                )
            )
        )
        db.session.close()
        return enrolment.last_lecture_id, viewed


class _Statements:
    """The statements sent on `engine`, with the thread that sent each."""

    def __init__(self, engine: Engine) -> None:
        self.sent: list[tuple[str, str]] = []
        self.engine = engine

    def __enter__(self) -> _Statements:
        event.listen(self.engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._note)

    def _note(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        self.sent.append((threading.current_thread().name, statement))


def test_a_note_is_written_by_the_thread_a_moment_later(committed: Flask) -> None:
    (pupil,), course, lectures = _pupils(committed, 1)
    writer = _writer(committed)
    started = time.monotonic()
    writer.add(_note(committed, pupil, course, lectures[2]))
    assert writer.drain(10)
    assert time.monotonic() - started < 2
    assert _state(committed, pupil, course) == (lectures[2], {lectures[2]})
    writer.add(_note(committed, pupil, course, lectures[3]))  # the next lecture moves "resume"
    assert writer.drain(10)
    assert _state(committed, pupil, course) == (lectures[3], {lectures[2], lectures[3]})
    writer.stop()


def test_the_views_waiting_go_together_in_a_few_statements(committed: Flask) -> None:
    pupils, course, lectures = _pupils(committed, 40)
    notes = [_note(committed, p, course, lecture) for lecture in lectures[:3] for p in pupils]
    writer = _writer(committed, gather=2.0)  # every note below in one batch
    with _Statements(_engine(committed)) as statements:
        for note in notes:
            writer.add(note)
        assert writer.drain(20)
    writes = [s for _, s in statements.sent if not s.startswith(("BEGIN", "SET"))]
    # 120 views: the enrolments' "resume" (with their first activity), then the progress rows'
    # first views, each one statement for all its rows, whatever the number of views.
    assert len(writes) == 2, writes
    assert {thread for thread, _ in statements.sent} == {"view-writer"}
    for pupil in pupils:  # each pupil's latest view is their "resume"
        assert _state(committed, pupil, course) == (lectures[2], set(lectures[:3]))
    writer.stop()


def test_stopping_writes_what_waits_and_a_later_note_starts_another_thread(
    committed: Flask,
) -> None:
    (pupil,), course, lectures = _pupils(committed, 1)
    writer = _writer(committed, gather=30.0)  # only stopping ends the wait
    writer.add(_note(committed, pupil, course, lectures[1]))
    started = time.monotonic()
    writer.stop()
    assert time.monotonic() - started < 10
    assert writer._thread is None
    assert _state(committed, pupil, course) == (lectures[1], {lectures[1]})
    writer.add(_note(committed, pupil, course, lectures[4]))
    writer.stop()
    assert _state(committed, pupil, course) == (lectures[4], {lectures[1], lectures[4]})


def test_an_idle_writer_ends_and_the_next_note_starts_another(
    committed: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(view_writer, "IDLE_SECONDS", 0.2)
    (pupil,), course, lectures = _pupils(committed, 1)
    writer = _writer(committed)
    writer.add(_note(committed, pupil, course, lectures[0]))
    assert writer.drain(10)
    deadline = time.monotonic() + 10
    while writer._thread is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert writer._thread is None
    writer.add(_note(committed, pupil, course, lectures[5]))
    assert writer.drain(10)
    assert _state(committed, pupil, course)[0] == lectures[5]
    writer.stop()


def test_a_note_whose_rows_are_gone_loses_only_itself(
    committed: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    (first, second), course, lectures = _pupils(committed, 2)
    good = [_note(committed, p, course, lectures[1]) for p in (first, second)]
    # A view of a lecture that no longer exists (its first view inserts a row that refers to it).
    gone = ViewNote(**{**good[0].__dict__, "lecture_id": max(lectures) + 1000})
    writer = _writer(committed, gather=2.0)  # the three notes in one batch
    with caplog.at_level(logging.WARNING, logger=view_writer.__name__):
        for note in (good[0], gone, good[1]):
            writer.add(note)
        assert writer.drain(20)
    assert "a lecture view not written" in caplog.text
    for pupil in (first, second):
        assert _state(committed, pupil, course)[1] == {lectures[1]}
    writer.stop()


def test_a_lecture_page_served_as_in_production_hands_its_view_to_the_writer(
    committed: Flask,
) -> None:
    (pupil,), course, lectures = _pupils(committed, 1)
    behind = _writer(committed)
    kept = committed.extensions[view_writer.EXTENSION]
    committed.extensions[view_writer.EXTENSION] = behind
    try:
        with committed.app_context():
            email = db.session.scalars(select(User.email).where(User.id == pupil)).one()
            slug = db.session.scalars(select(Lecture.slug).where(Lecture.id == lectures[2])).one()
            db.session.close()
        client = committed.test_client()
        assert email is not None and login(client, email, PASSWORD).status_code == 303
        with _Statements(_engine(committed)) as statements:
            page = client.get(f"/courses/{MATH}/lectures/{slug}")
            assert page.status_code == 200
            assert behind.drain(10)
        mine = threading.current_thread().name
        requests = [s for thread, s in statements.sent if thread == mine]
        assert not [s for s in requests if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
        assert any(thread == "view-writer" for thread, _ in statements.sent)
        assert _state(committed, pupil, course) == (lectures[2], {lectures[2]})
    finally:
        committed.extensions[view_writer.EXTENSION] = kept
        behind.stop()


def test_a_batch_waiting_on_a_locked_row_gives_way_and_tries_again(committed: Flask) -> None:
    """Another transaction holds the pupil's enrolment row a while: on PostgreSQL the batch
    stops waiting after its lock timeout, tries again and writes once the row is free (on
    SQLite the batch waits for the database's one write lock)."""
    (pupil,), course, lectures = _pupils(committed, 1)
    engine = _engine(committed)
    writer = _writer(committed)
    note = _note(committed, pupil, course, lectures[6])
    with engine.connect() as holder:
        holder.execute(
            update(Enrolment)
            .where(Enrolment.user_id == pupil)
            .values(grade=Enrolment.grade)  # a write that changes nothing, holding the row
        )
        writer.add(note)
        time.sleep(0.6)  # longer than the batch's lock timeout: at least one try gave up
        assert not writer.drain(0)
        holder.commit()
    assert writer.drain(10)
    assert _state(committed, pupil, course) == (lectures[6], {lectures[6]})
    writer.stop()
